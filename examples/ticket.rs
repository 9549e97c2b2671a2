//! A ticket bot with a modal: `/ticket` shows a form; its submit posts the ticket in `#errors`
//! (the demo world's staff channel) and thanks the user; a form left open past the timeout is
//! noted instead (closing a modal sends Discord nothing, so the timeout is how a bot learns).
//!
//! `ctx.modal(..)` answers the command with the modal and awaits the same user's submit, in one
//! call (disnake's `send_modal` then `wait_for("modal_submit")`).
//!
//! `/ticket` is declared with `#[command]`: herald registers it at start (writing nothing when it
//! is registered already) and runs this function when it is used.
//!
//! ```sh
//! cargo run --example ticket                       # on the embedded sandbox, with a scene
//! DISCORD_TOKEN=... cargo run --example ticket     # on Discord
//! ```

use std::time::Duration;

use herald::BotBuilder;
use herald::model::application::interaction::modal::ModalInteractionComponent;
use herald::model::channel::message::component::{Label, TextInput, TextInputStyle};
use herald::model::channel::message::{Component, MessageFlags};
use herald::model::http::interaction::{
    InteractionResponse, InteractionResponseData, InteractionResponseType,
};
use herald::prelude::*;
use herald::sandbox::Sandbox;
use herald::testing::ContextExt as _;

/// How long a user has to fill the form in.
const FORM_TIMEOUT: Duration = Duration::from_secs(600);

/// The form timeout on the sandbox: the scene leaves one form open to show the timeout.
const SANDBOX_FORM_TIMEOUT: Duration = Duration::from_secs(1);

/// The form: one paragraph, in a label.
fn form() -> InteractionResponseData {
    let reason = Component::Label(Label {
        component: Box::new(Component::TextInput(TextInput {
            custom_id: "reason".to_owned(),
            #[allow(deprecated)]
            label: None,
            max_length: Some(1000),
            min_length: Some(5),
            placeholder: Some("What went wrong?".to_owned()),
            required: Some(true),
            style: TextInputStyle::Paragraph,
            value: None,
            id: None,
        })),
        description: None,
        id: None,
        label: "Your problem".to_owned(),
    });
    InteractionResponseData {
        custom_id: Some("ticket-form".to_owned()),
        title: Some("Open a ticket".to_owned()),
        components: Some(vec![reason]),
        ..Default::default()
    }
}

/// The text of the input `custom_id` in a submitted form.
fn field(submit: &ModalSubmit, custom_id: &str) -> Option<String> {
    fn find(components: &[ModalInteractionComponent], custom_id: &str) -> Option<String> {
        components.iter().find_map(|c| match c {
            ModalInteractionComponent::TextInput(input) if input.custom_id == custom_id => {
                Some(input.value.clone())
            }
            ModalInteractionComponent::ActionRow(row) => find(&row.components, custom_id),
            ModalInteractionComponent::Label(label) => {
                find(std::slice::from_ref(&label.component), custom_id)
            }
            _ => None,
        })
    }
    find(&submit.data.components, custom_id)
}

/// Opens a ticket with the staff.
#[command(guild_only)]
async fn ticket(ctx: Context, command: &ApplicationCommand) -> herald::Result {
    let Some(staff) = command
        .guild_id
        .and_then(|guild| ctx.channel_named(guild, "errors"))
    else {
        return Ok(());
    };
    let user = command
        .author()
        .map_or_else(|| "someone".to_owned(), |u| u.name.clone());
    let timeout = if ctx.sandbox().is_some() {
        SANDBOX_FORM_TIMEOUT
    } else {
        FORM_TIMEOUT
    };
    let submit = match ctx.modal(command, form(), timeout).await {
        Ok(submit) => submit,
        Err(Error::Timeout(..)) => {
            ctx.http()
                .create_message(staff)
                .content(&format!("{user} opened the ticket form but sent nothing."))
                .await?;
            return Ok(());
        }
        Err(other) => return Err(other.into()),
    };
    let reason = field(&submit, "reason").unwrap_or_default();
    ctx.http()
        .create_message(staff)
        .content(&format!("Ticket from {user}: {reason}"))
        .await?;
    // Answer the submit within Discord's 3 seconds: only the user sees it.
    let thanks = InteractionResponse {
        kind: InteractionResponseType::ChannelMessageWithSource,
        data: Some(InteractionResponseData {
            content: Some("Thanks, the staff will get back to you.".to_owned()),
            flags: Some(MessageFlags::EPHEMERAL),
            ..Default::default()
        }),
    };
    ctx.http()
        .interaction(submit.application_id)
        .create_response(submit.id, &submit.token, &thanks)
        .await?;
    Ok(())
}

/// What happens on the sandbox: alice files a ticket; bob opens the form and walks away.
async fn scene(ctx: Context) -> herald::Result {
    let sandbox = ctx.sandbox().expect("scenes run on the sandbox");
    let general = sandbox.channel("general");

    sandbox.actor("alice").slash_command(general, "ticket", &[]);
    // Fill it in once the form is up (the bot's answer to the command), as a person would.
    sandbox
        .records()
        .wait_for_request(|r| r.is("POST", "/interactions/"), Duration::from_secs(10))
        .await?;
    sandbox.actor("alice").submit_modal(
        general,
        "ticket-form",
        &[("reason", "The bot ate my homework")],
    );
    ctx.settled().await;

    sandbox.actor("bob").slash_command(general, "ticket", &[]);
    ctx.settled().await;
    Ok(())
}

/// The bot: its command and scene. `main` connects it; `tests/examples_components.rs` runs it on
/// a sandbox and checks the transcript.
pub(crate) fn bot() -> BotBuilder {
    Bot::builder().command(ticket).scene(scene)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing_subscriber::fmt().with_env_filter("warn").init();
    bot()
        .token_from_env("DISCORD_TOKEN")
        // Without DISCORD_TOKEN: run offline on herald's sandbox and play the scene.
        .embedded_sandbox(Sandbox::builder())
        .run()
        .await
}
