//! Running declared commands: each top-level command is a listener of its interactions that
//! finds the subcommand used, runs the checks and the handler (deferred by herald when it is
//! slow), and tells the user why a use was refused when the bot does not.

use std::sync::Arc;

use twilight_model::application::command::CommandType;
use twilight_model::application::interaction::application_command::{
    CommandDataOption, CommandOptionValue,
};
use twilight_model::http::interaction::{
    InteractionResponse, InteractionResponseData, InteractionResponseType,
};

use super::{AppCommand, Invocation};
use crate::context::Context;
use crate::error::BoxError;
use crate::error::command::CommandError;
use crate::event::ListenerError;
use crate::event::interaction::{ApplicationCommand, ApplicationCommandError, Autocomplete};
use crate::listener::Listener;

/// The listener name of a command: `/warn`, or `Warn user (user menu)`.
fn display_name(command: &AppCommand) -> String {
    match command.kind {
        CommandType::ChatInput => format!("/{}", command.name),
        CommandType::User => format!("{} (user menu)", command.name),
        _ => format!("{} (message menu)", command.name),
    }
}

/// The subcommand an interaction's options select, the options it gets, its full name, and
/// the chain of commands from the top (whose checks apply).
fn select<'c, 'o>(
    command: &'c AppCommand,
    options: &'o [CommandDataOption],
) -> Result<(Vec<&'c AppCommand>, &'o [CommandDataOption], String), CommandError> {
    let mut chain = vec![command];
    let mut path = command.name.clone();
    let mut current = command;
    let mut options = options;
    while !current.subcommands.is_empty() {
        let Some((name, inner)) = options.iter().find_map(|o| match &o.value {
            CommandOptionValue::SubCommand(inner) | CommandOptionValue::SubCommandGroup(inner) => {
                Some((o.name.as_str(), inner.as_slice()))
            }
            _ => None,
        }) else {
            return Err(CommandError::Outdated(format!(
                "/{path} was used without a subcommand"
            )));
        };
        current = current
            .subcommands
            .iter()
            .find(|s| s.name == name)
            .ok_or_else(|| CommandError::Outdated(format!("/{path} has no subcommand `{name}`")))?;
        path.push(' ');
        path.push_str(name);
        chain.push(current);
        options = inner;
    }
    Ok((chain, options, path))
}

/// The listener that runs `command` (and its subcommands).
pub(crate) fn command_listener(command: AppCommand) -> Listener {
    fn requirements(command: &AppCommand, into: &mut Vec<crate::listener::Requirement>) {
        into.extend(command.requires.iter().copied());
        for sub in &command.subcommands {
            requirements(sub, into);
        }
    }
    let name: Arc<str> = display_name(&command).into();
    let mut requires = Vec::new();
    requirements(&command, &mut requires);
    let command = Arc::new(command);
    let what = Arc::clone(&name);
    let mut listener = Listener::new(move |ctx: Context, event: &ApplicationCommand| {
        let mine = event.data.name == command.name && event.data.kind == command.kind;
        let event = mine.then(|| Arc::new(event.clone()));
        let (command, what) = (Arc::clone(&command), Arc::clone(&what));
        async move {
            match event {
                Some(event) => run(ctx, &command, &what, event).await,
                None => Ok(()),
            }
        }
    })
    .name(name.to_string());
    listener.requires = requires;
    listener
}

async fn run(
    ctx: Context,
    command: &AppCommand,
    what: &str,
    event: Arc<ApplicationCommand>,
) -> Result<(), BoxError> {
    let work = async {
        let (chain, options, path) = select(command, &event.data.options)?;
        for level in &chain {
            level.checks.run(&ctx, &event).await?;
        }
        let leaf = chain.last().copied().unwrap_or(command);
        let handler = leaf
            .handler
            .clone()
            .ok_or_else(|| CommandError::Outdated(format!("/{path} has no handler")))?;
        let invocation = Invocation {
            command: Arc::clone(&event),
            options: options.to_vec(),
            path,
        };
        handler(ctx.clone(), invocation).await
    };
    let result = ctx.answering(&event, what, work).await;
    let Err(error) = result else {
        return Ok(());
    };
    let router = ctx.router();
    match error.downcast_ref::<CommandError>() {
        Some(refusal) if !router.has_listeners::<ApplicationCommandError>() => {
            // Nobody handles refusals: tell the user, rather than leave them with "The
            // application did not respond". A failure to tell them is not the error that matters.
            let _ = ctx.reply_ephemeral(&event, &refusal.to_string()).await;
            if router.has_listeners::<ListenerError>() {
                return Err(error);
            }
            // A refused use is the command working as declared, not a failure to log loudly.
            if let Some(suppressed) = ctx.answers().said.allow(format!("{what} refused")) {
                let note = crate::report::suppressed_note(suppressed);
                tracing::info!(command = %what, "{what} refused: {refusal}{note}");
            }
            Ok(())
        }
        _ => Err(error),
    }
}

/// The listener that completes `command`'s options, if any of them completes.
pub(crate) fn autocomplete_listener(command: &AppCommand) -> Option<Listener> {
    fn completes(command: &AppCommand) -> bool {
        command.options.iter().any(|o| o.completer.is_some())
            || command.subcommands.iter().any(completes)
    }
    if command.kind != CommandType::ChatInput || !completes(command) {
        return None;
    }
    let name = format!("{} autocomplete", display_name(command));
    let command = Arc::new(command.clone());
    Some(
        Listener::new(move |ctx: Context, event: &Autocomplete| {
            let event = (event.data.name == command.name).then(|| Arc::new(event.clone()));
            let command = Arc::clone(&command);
            async move {
                match event {
                    Some(event) => complete(ctx, &command, event).await,
                    None => Ok(()),
                }
            }
        })
        .name(name),
    )
}

async fn complete(
    ctx: Context,
    command: &AppCommand,
    event: Arc<Autocomplete>,
) -> Result<(), BoxError> {
    let (chain, _, path) = select(command, &event.data.options)?;
    let Some((focused, _)) = event.focused() else {
        return Ok(());
    };
    let leaf = chain.last().copied().unwrap_or(command);
    let completer = leaf
        .options
        .iter()
        .find(|o| o.option.name == focused)
        .and_then(|o| o.completer.clone())
        .ok_or_else(|| {
            CommandError::Outdated(format!("/{path} option `{focused}` does not complete"))
        })?;
    let mut choices = completer(ctx.clone(), Arc::clone(&event)).await;
    choices.truncate(25);
    let response = InteractionResponse {
        kind: InteractionResponseType::ApplicationCommandAutocompleteResult,
        data: Some(InteractionResponseData {
            choices: Some(choices),
            ..Default::default()
        }),
    };
    ctx.http()
        .interaction(event.application_id)
        .create_response(event.id, &event.token, &response)
        .await
        .map_err(|error| crate::Error::http("sending autocomplete choices", &error))?;
    Ok(())
}
