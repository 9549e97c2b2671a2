//! Application commands, declared: slash commands with typed options, subcommands and groups,
//! user and message context menus, autocomplete, checks and cooldowns.
//!
//! `#[command]` (in the `herald` crate) writes an [`AppCommand`] from an `async fn`; this module
//! is what it builds, and what a bot can use without the macro:
//!
//! ```no_run
//! use herald_framework::prelude::*;
//! use herald_framework::command::{AppCommand, OptionSpec};
//!
//! let roll = AppCommand::slash("roll", "Rolls a die")
//!     .option(OptionSpec::new::<Option<i64>>("sides", "How many sides").min_value(2.0))
//!     .handler(|ctx: Context, inv: herald_framework::command::Invocation| async move {
//!         let sides = inv.get::<Option<i64>>("sides")?.unwrap_or(6);
//!         ctx.reply(inv.command(), &format!("rolled a {}", sides / 2)).await?;
//!         Ok::<(), herald_framework::BoxError>(())
//!     });
//! let bot = Bot::builder().command(roll);
//! ```
//!
//! Each top-level command becomes one listener of
//! [`ApplicationCommand`] named `/name` (and one
//! of [`Autocomplete`] when an option completes), so a
//! command's panic, error or slowness is reported like any listener's, and a failure goes to
//! `application_command_error` with the command. The declared definitions join the start-up
//! sync ([`BotBuilder::commands`](crate::BotBuilder::commands)).

mod checks;
mod dispatch;
mod options;
mod validate;

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use twilight_model::application::command::{
    Command, CommandOption, CommandOptionType, CommandOptionValue as OptionBound, CommandType,
};
use twilight_model::application::interaction::InteractionContextType;
use twilight_model::channel::ChannelType;
use twilight_model::guild::Permissions;
use twilight_model::id::Id;

pub use crate::error::command::{Bucket, CommandError};
pub use crate::event::interaction::Autocomplete;
pub use checks::CheckOutput;
pub(crate) use dispatch::{autocomplete_listener, command_listener};
pub use options::{
    FromOption, FromTarget, IntoChoices, Invocation, Member, Mentionable, MessageTarget,
    UserTarget, string_choice,
};
pub(crate) use validate::validate;

use crate::context::Context;
use crate::error::BoxError;
use crate::event::interaction::ApplicationCommand;
use crate::listener::{ListenerOutput, Requirement};

/// What runs a command: its options parsed, `Ok` or the error to report.
type Handler =
    Arc<dyn Fn(Context, Invocation) -> BoxFuture<'static, Result<(), BoxError>> + Send + Sync>;

/// What completes an option: the choices to show.
type Completer = Arc<
    dyn Fn(
            Context,
            Arc<Autocomplete>,
        )
            -> BoxFuture<'static, Vec<twilight_model::application::command::CommandOptionChoice>>
        + Send
        + Sync,
>;

/// An application command: its definition for Discord, and what runs it.
///
/// Build one with [`slash`](Self::slash), [`user`](Self::user) or [`message`](Self::message)
/// (or `#[command]`), give it to [`BotBuilder::command`](crate::BotBuilder::command).
#[derive(Clone)]
pub struct AppCommand {
    pub(crate) kind: CommandType,
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) name_localizations: HashMap<String, String>,
    pub(crate) description_localizations: HashMap<String, String>,
    pub(crate) options: Vec<OptionSpec>,
    pub(crate) subcommands: Vec<AppCommand>,
    pub(crate) handler: Option<Handler>,
    pub(crate) default_member_permissions: Option<Permissions>,
    pub(crate) contexts: Option<Vec<InteractionContextType>>,
    pub(crate) nsfw: bool,
    pub(crate) checks: checks::Checks,
    /// What its handler's `Data<T>` parameters need of the bot.
    pub(crate) requires: Vec<Requirement>,
}

impl fmt::Debug for AppCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppCommand")
            .field("kind", &self.kind)
            .field("name", &self.name)
            .field("options", &self.options.len())
            .field("subcommands", &self.subcommands)
            .finish_non_exhaustive()
    }
}

impl AppCommand {
    fn new(kind: CommandType, name: String, description: String) -> Self {
        AppCommand {
            kind,
            name,
            description,
            name_localizations: HashMap::new(),
            description_localizations: HashMap::new(),
            options: Vec::new(),
            subcommands: Vec::new(),
            handler: None,
            default_member_permissions: None,
            contexts: None,
            nsfw: false,
            checks: checks::Checks::default(),
            requires: Vec::new(),
        }
    }

    /// A slash command (also a subcommand or a group, once given to
    /// [`subcommand`](Self::subcommand)): lowercase `name` of 1–32 letters, digits, `-` or `_`;
    /// `description` of 1–100 characters.
    pub fn slash(name: impl Into<String>, description: impl Into<String>) -> Self {
        Self::new(CommandType::ChatInput, name.into(), description.into())
    }

    /// A context-menu command on users ("Apps" when right-clicking a user): `name` of 1–32
    /// characters, any case, spaces allowed. Its handler reads the user with
    /// [`Invocation::target`].
    pub fn user(name: impl Into<String>) -> Self {
        Self::new(CommandType::User, name.into(), String::new())
    }

    /// A context-menu command on messages; its handler reads the message with
    /// [`Invocation::target`].
    pub fn message(name: impl Into<String>) -> Self {
        Self::new(CommandType::Message, name.into(), String::new())
    }

    /// Adds an option (at most 25; required ones first).
    #[must_use]
    pub fn option(mut self, option: OptionSpec) -> Self {
        self.options.push(option);
        self
    }

    /// Adds a subcommand. A command with subcommands cannot be used itself; a subcommand that
    /// has subcommands of its own is a group (two levels at most, as on Discord). Checks and
    /// cooldowns of the parents apply to their subcommands.
    #[must_use]
    pub fn subcommand(mut self, command: impl IntoAppCommand) -> Self {
        self.subcommands.push(command.into_app_command());
        self
    }

    /// What runs the command: an `async` function of the [`Context`] and the [`Invocation`]
    /// (the options), returning `()` or a `Result` (`?` works on
    /// [`Invocation::get`]).
    #[must_use]
    pub fn handler<F, Fut>(mut self, handler: F) -> Self
    where
        F: Fn(Context, Invocation) -> Fut + Send + Sync + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: ListenerOutput,
    {
        self.handler = Some(Arc::new(move |ctx, invocation| {
            let future = handler(ctx, invocation);
            Box::pin(async move { future.await.into_result() })
        }));
        self
    }

    /// Who sees the command by default: members with all of `permissions` (server admins can
    /// change it in the server's settings). Enforced by Discord; for a check herald enforces,
    /// see [`required_permissions`](Self::required_permissions).
    #[must_use]
    pub fn default_member_permissions(mut self, permissions: Permissions) -> Self {
        self.default_member_permissions = Some(permissions);
        self
    }

    /// Where the command can be used: servers, the bot's DMs, other DMs and group DMs
    /// (Discord's default: everywhere the app is installed).
    #[must_use]
    pub fn contexts(mut self, contexts: impl IntoIterator<Item = InteractionContextType>) -> Self {
        self.contexts = Some(contexts.into_iter().collect());
        self
    }

    /// Marks the command age-restricted.
    #[must_use]
    pub fn nsfw(mut self) -> Self {
        self.nsfw = true;
        self
    }

    /// The name and description shown to users of `locale` (`"fr"`, `"es-ES"`, ...).
    #[must_use]
    pub fn localize(mut self, locale: &str, name: Option<&str>, description: Option<&str>) -> Self {
        if let Some(name) = name {
            self.name_localizations
                .insert(locale.to_owned(), name.to_owned());
        }
        if let Some(description) = description {
            self.description_localizations
                .insert(locale.to_owned(), description.to_owned());
        }
        self
    }

    /// Usable only in servers: Discord shows it only there, and herald refuses a use elsewhere
    /// with [`CommandError::GuildOnly`].
    #[must_use]
    pub fn guild_only(mut self) -> Self {
        self.checks.guild_only = true;
        if self.contexts.is_none() {
            self.contexts = Some(vec![InteractionContextType::Guild]);
        }
        self
    }

    /// Usable only by the bot's owners (the application's owner, or its team's members; or
    /// those given to [`BotBuilder::owners`](crate::BotBuilder::owners)); others get
    /// [`CommandError::OwnerOnly`].
    #[must_use]
    pub fn owner_only(mut self) -> Self {
        self.checks.owner_only = true;
        self
    }

    /// The invoking member must have all of `permissions` in the channel, checked by herald
    /// on each use ([`CommandError::MissingPermissions`]).
    #[must_use]
    pub fn required_permissions(mut self, permissions: Permissions) -> Self {
        self.checks.member_permissions |= permissions;
        self
    }

    /// The bot must have all of `permissions` in the channel
    /// ([`CommandError::BotMissingPermissions`]).
    #[must_use]
    pub fn bot_permissions(mut self, permissions: Permissions) -> Self {
        self.checks.bot_permissions |= permissions;
        self
    }

    /// A check of the bot's own: an `async` predicate of the [`Context`] and the command,
    /// returning `bool` or `Result<bool, E>`. `false` refuses the use with
    /// [`CommandError::CheckFailed`] naming `name`; an error is reported as the command's.
    #[must_use]
    pub fn check<F, Fut>(mut self, name: &'static str, check: F) -> Self
    where
        F: Fn(Context, Arc<ApplicationCommand>) -> Fut + Send + Sync + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: CheckOutput,
    {
        self.checks.custom.push((
            name,
            Arc::new(move |ctx, command| {
                let future = check(ctx, command);
                Box::pin(async move { future.await.into_verdict() })
            }),
        ));
        self
    }

    /// At most `uses` uses per `per` in each `bucket` (per user, member, channel or guild);
    /// one more is refused with [`CommandError::Cooldown`], which says how long to wait.
    #[must_use]
    pub fn cooldown(mut self, bucket: Bucket, uses: u32, per: Duration) -> Self {
        self.checks.cooldown = Some(Arc::new(checks::Cooldown::new(bucket, uses, per)));
        self
    }

    /// Something the handler needs the bot to have been given (`#[command]` adds one per
    /// `Data<T>` parameter): [`build`](crate::BotBuilder::build) fails naming the command when
    /// it was not, as for listeners.
    #[must_use]
    pub fn require(mut self, requirement: Option<Requirement>) -> Self {
        self.requires.extend(requirement);
        self
    }

    /// The command's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The definition Discord gets (twilight's [`Command`]).
    pub fn definition(&self) -> Command {
        #[allow(deprecated)] // `dm_permission`: superseded by `contexts`.
        Command {
            application_id: None,
            contexts: self.contexts.clone(),
            default_member_permissions: self.default_member_permissions,
            description: self.description.clone(),
            description_localizations: localizations(&self.description_localizations),
            dm_permission: None,
            guild_id: None,
            id: None,
            integration_types: None,
            kind: self.kind,
            name: self.name.clone(),
            name_localizations: localizations(&self.name_localizations),
            nsfw: self.nsfw.then_some(true),
            options: self.option_definitions(),
            version: Id::new(1),
        }
    }

    /// The options of this command as Discord nests them: its own options, or its subcommands
    /// (type 1) and groups (type 2).
    fn option_definitions(&self) -> Vec<CommandOption> {
        if self.subcommands.is_empty() {
            return self.options.iter().map(|o| o.option.clone()).collect();
        }
        self.subcommands
            .iter()
            .map(|sub| CommandOption {
                kind: if sub.subcommands.is_empty() {
                    CommandOptionType::SubCommand
                } else {
                    CommandOptionType::SubCommandGroup
                },
                name: sub.name.clone(),
                description: sub.description.clone(),
                name_localizations: localizations(&sub.name_localizations),
                description_localizations: localizations(&sub.description_localizations),
                options: Some(sub.option_definitions()),
                ..empty_option()
            })
            .collect()
    }
}

fn localizations(map: &HashMap<String, String>) -> Option<HashMap<String, String>> {
    (!map.is_empty()).then(|| map.clone())
}

fn empty_option() -> CommandOption {
    CommandOption {
        autocomplete: None,
        channel_types: None,
        choices: None,
        description: String::new(),
        description_localizations: None,
        kind: CommandOptionType::String,
        max_length: None,
        max_value: None,
        min_length: None,
        min_value: None,
        name: String::new(),
        name_localizations: None,
        options: None,
        file_types: None,
        required: None,
    }
}

/// What [`BotBuilder::command`](crate::BotBuilder::command) takes: an [`AppCommand`], or the
/// function `#[command]` makes of an `async fn`.
pub trait IntoAppCommand {
    /// The command.
    fn into_app_command(self) -> AppCommand;
}

impl IntoAppCommand for AppCommand {
    fn into_app_command(self) -> AppCommand {
        self
    }
}

impl<F: FnOnce() -> AppCommand> IntoAppCommand for F {
    fn into_app_command(self) -> AppCommand {
        self()
    }
}

/// One option of a command: its definition (kind, required, choices and channel types from the
/// Rust type `T` given to [`new`](Self::new)), bounds, and what completes it.
#[derive(Clone)]
pub struct OptionSpec {
    pub(crate) option: CommandOption,
    pub(crate) completer: Option<Completer>,
}

impl fmt::Debug for OptionSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OptionSpec")
            .field("option", &self.option)
            .field("autocomplete", &self.completer.is_some())
            .finish()
    }
}

impl OptionSpec {
    /// An option named `name` parsed as `T` (see [`FromOption`]: `String`, `i64`, `f64`,
    /// `bool`, users, members, roles, channels, mentionables, attachments, `#[derive(Choice)]`
    /// enums; `Option<T>` is not required).
    pub fn new<T: FromOption>(name: impl Into<String>, description: impl Into<String>) -> Self {
        OptionSpec {
            option: CommandOption {
                kind: T::KIND,
                name: name.into(),
                description: description.into(),
                required: Some(T::REQUIRED),
                choices: T::choices(),
                channel_types: T::channel_types(),
                ..empty_option()
            },
            completer: None,
        }
    }

    /// The smallest value allowed (integer and number options).
    #[must_use]
    pub fn min_value(mut self, value: f64) -> Self {
        self.option.min_value = Some(self.bound(value));
        self
    }

    /// The largest value allowed (integer and number options).
    #[must_use]
    pub fn max_value(mut self, value: f64) -> Self {
        self.option.max_value = Some(self.bound(value));
        self
    }

    fn bound(&self, value: f64) -> OptionBound {
        if self.option.kind == CommandOptionType::Integer {
            #[allow(clippy::cast_possible_truncation)] // Discord's bounds fit in an i64.
            OptionBound::Integer(value as i64)
        } else {
            OptionBound::Number(value)
        }
    }

    /// The shortest text allowed (string options; 0–6000).
    #[must_use]
    pub fn min_length(mut self, length: u16) -> Self {
        self.option.min_length = Some(length);
        self
    }

    /// The longest text allowed (string options; 1–6000).
    #[must_use]
    pub fn max_length(mut self, length: u16) -> Self {
        self.option.max_length = Some(length);
        self
    }

    /// The channel types offered (channel options).
    #[must_use]
    pub fn channel_types(mut self, types: impl IntoIterator<Item = ChannelType>) -> Self {
        self.option.channel_types = Some(types.into_iter().collect());
        self
    }

    /// Completes the option as the user types: `handler` gets the
    /// [`Autocomplete`] (its [`value`](Autocomplete::value) is the text so far) and returns
    /// the choices (at most 25 are sent): `Vec<String>`, `Vec<(String, String)>`,
    /// `Vec<(String, i64)>` or twilight's choices. Discord asks again on every keystroke, and
    /// waits 3 s at most.
    #[must_use]
    pub fn autocomplete<F, Fut>(mut self, handler: F) -> Self
    where
        F: Fn(Context, Arc<Autocomplete>) -> Fut + Send + Sync + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: IntoChoices,
    {
        self.option.autocomplete = Some(true);
        self.option.choices = None;
        self.completer = Some(Arc::new(move |ctx, event| {
            let future = handler(ctx, event);
            Box::pin(async move { future.await.into_choices() })
        }));
        self
    }

    /// The name and description shown to users of `locale`.
    #[must_use]
    pub fn localize(mut self, locale: &str, name: Option<&str>, description: Option<&str>) -> Self {
        if let Some(name) = name {
            self.option
                .name_localizations
                .get_or_insert_with(HashMap::new)
                .insert(locale.to_owned(), name.to_owned());
        }
        if let Some(description) = description {
            self.option
                .description_localizations
                .get_or_insert_with(HashMap::new)
                .insert(locale.to_owned(), description.to_owned());
        }
        self
    }

    /// The option's name.
    pub fn name(&self) -> &str {
        &self.option.name
    }
}
