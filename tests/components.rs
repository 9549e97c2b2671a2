//! Components and modals through the sandbox: waiters keyed on a `custom_id` (one click among
//! 10,000 pending waiters wakes exactly its own), and `ctx.modal` showing a modal and awaiting
//! its submit, or timing out.

#[path = "common/bot.rs"]
mod bot;

use std::time::Duration;

use herald::model::channel::message::Component;
use herald::model::channel::message::component::{
    ActionRow, Button, ButtonStyle, Label, TextInput, TextInputStyle,
};
use herald::model::http::interaction::{
    InteractionResponse, InteractionResponseData, InteractionResponseType,
};
use herald::prelude::*;
use herald::sandbox::Sandbox;
use herald::testing::ContextExt as _;

fn button(custom_id: &str) -> Component {
    Component::ActionRow(ActionRow {
        components: vec![Component::Button(Button {
            custom_id: Some(custom_id.to_owned()),
            disabled: false,
            emoji: None,
            label: Some(custom_id.to_owned()),
            style: ButtonStyle::Primary,
            url: None,
            sku_id: None,
            id: None,
        })],
        id: None,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_click_wakes_only_the_waiter_of_its_custom_id_among_10000() {
    const WAITERS: usize = 10_000;
    let sb = Sandbox::start().await.unwrap();
    let running = bot::start(&sb, Bot::builder()).await;
    let ctx = running.context().clone();
    let general = sb.channel("general");
    let message = ctx
        .http()
        .create_message(general)
        .content("pick one")
        .components(&[button("vote-7777")])
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    let waiters: Vec<_> = (0..WAITERS)
        .map(|n| {
            ctx.wait_for::<ButtonClick>()
                .custom_id(format!("vote-{n}"))
                .timeout(bot::WAIT)
                .register()
        })
        .collect();
    assert_eq!(ctx.pending_waiters_for::<ButtonClick>(), WAITERS);

    let clicked = sb.actor("alice").click_button(message.id, "vote-7777");
    let mut waiters = waiters;
    let mine = waiters.remove(7777);
    let click = mine.await.unwrap();
    assert_eq!(click.data.custom_id, "vote-7777");
    assert_eq!(click.id, clicked.id);
    ctx.settled().await;
    // The others still wait: the click was looked up by its id, and matched no other.
    assert_eq!(ctx.pending_waiters_for::<ButtonClick>(), WAITERS - 1);
    drop(waiters);
    assert_eq!(ctx.pending_waiters_for::<ButtonClick>(), 0);
    running.shutdown().await.unwrap();
}

/// `/ticket` shows a modal and answers its submit with what the user wrote; unanswered, the
/// modal times out and the listener says so.
#[listener]
async fn ticket(ctx: Context, command: &ApplicationCommand) -> herald::Result {
    // Discord's current form: a text input inside a label.
    let input = Component::Label(Label {
        component: Box::new(Component::TextInput(TextInput {
            custom_id: "reason".to_owned(),
            #[allow(deprecated)]
            label: None,
            max_length: None,
            min_length: None,
            placeholder: None,
            required: Some(true),
            style: TextInputStyle::Paragraph,
            value: None,
            id: None,
        })),
        description: None,
        id: None,
        label: "What happened?".to_owned(),
    });
    let modal = InteractionResponseData {
        custom_id: Some("ticket".to_owned()),
        title: Some("Open a ticket".to_owned()),
        components: Some(vec![input]),
        ..Default::default()
    };
    let channel = command.channel.as_ref().map(|c| c.id).unwrap();
    match ctx.modal(command, modal, Duration::from_millis(500)).await {
        Ok(submit) => {
            let reason = submit
                .data
                .components
                .iter()
                .flat_map(|row| match row {
                    herald::model::application::interaction::modal::ModalInteractionComponent::ActionRow(row) => row.components.clone(),
                    _ => Vec::new(),
                })
                .find_map(|c| match c {
                    herald::model::application::interaction::modal::ModalInteractionComponent::TextInput(t) => Some(t.value),
                    _ => None,
                })
                .unwrap_or_default();
            let answer = InteractionResponse {
                kind: InteractionResponseType::ChannelMessageWithSource,
                data: Some(InteractionResponseData {
                    content: Some(format!("ticket opened: {reason}")),
                    ..Default::default()
                }),
            };
            ctx.http()
                .interaction(submit.application_id)
                .create_response(submit.id, &submit.token, &answer)
                .await?;
        }
        Err(herald::Error::Timeout(..)) => {
            ctx.http()
                .create_message(channel)
                .content("the ticket form timed out")
                .await?;
        }
        Err(other) => return Err(other.into()),
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_modal_is_shown_and_its_submit_awaited_or_timed_out() {
    let sb = Sandbox::start().await.unwrap();
    let running = bot::start(&sb, Bot::builder().listener(ticket)).await;
    let ctx = running.context().clone();
    let general = sb.channel("general");
    let alice = sb.actor("alice");

    alice.slash_command(general, "ticket", &[]);
    ctx.until_waiting_for::<ModalSubmit>().await;
    alice.submit_modal(general, "ticket", &[("reason", "the bot ate my homework")]);
    ctx.settled().await;
    let transcript = sb.transcript();
    let opened = transcript
        .iter()
        .position(|l| l == "herald-bot opened modal \"Open a ticket\"")
        .unwrap_or_else(|| panic!("{transcript:#?}"));
    let answered = transcript
        .iter()
        .position(|l| l.ends_with("ticket opened: the bot ate my homework"))
        .unwrap_or_else(|| panic!("{transcript:#?}"));
    assert!(opened < answered);

    // No submit of alice's (bob's submit of a modal with the same id does not count): the wait
    // ends at its timeout, and the listener says so.
    alice.slash_command(general, "ticket", &[]);
    ctx.until_waiting_for::<ModalSubmit>().await;
    sb.actor("bob")
        .submit_modal(general, "ticket", &[("reason", "not alice's")]);
    ctx.settled().await;
    let last = sb.records().messages(general);
    assert_eq!(last.last().unwrap().content, "the ticket form timed out");
    assert!(
        !sb.transcript()
            .iter()
            .any(|l| l.contains("not alice's") && l.starts_with("herald-bot")),
        "bob's submit of the same modal id is not alice's"
    );
    assert_eq!(ctx.pending_waiters_for::<ModalSubmit>(), 0);
    running.shutdown().await.unwrap();
}

/// A persistent button: the first bot posts a poll whose buttons carry their option in their
/// `custom_id`, and shuts down; a second bot (a restart: nothing in memory) handles a click on
/// the old message by its prefix, with the option parsed from the id. A malformed id is the
/// handler's error, reported.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_persistent_button_is_handled_by_a_restarted_bot() {
    let sb = Sandbox::start().await.unwrap();
    let general = sb.channel("general");
    let first = bot::start(&sb, Bot::builder()).await;
    let poll = first
        .context()
        .http()
        .create_message(general)
        .content("Lunch?")
        .components(&[button("vote:0"), button("vote:1"), button("vote:x")])
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    first.shutdown().await.unwrap();

    let errors = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = std::sync::Arc::clone(&errors);
    let second = bot::start(
        &sb,
        Bot::builder()
            .component(
                "vote:",
                |ctx: Context, click: ButtonClick, option: u8| async move {
                    let answer = InteractionResponse {
                        kind: InteractionResponseType::ChannelMessageWithSource,
                        data: Some(InteractionResponseData {
                            content: Some(format!("vote for option {option} counted")),
                            ..Default::default()
                        }),
                    };
                    ctx.http()
                        .interaction(click.application_id)
                        .create_response(click.id, &click.token, &answer)
                        .await?;
                    Ok(())
                },
            )
            .listener(Listener::new(move |error: &ListenerError| {
                seen.lock().unwrap().push(error.to_string());
                async {}
            })),
    )
    .await;
    let ctx = second.context().clone();
    sb.actor("alice").click_button(poll.id, "vote:1");
    ctx.settled().await;
    assert_eq!(
        sb.records().messages(general).last().unwrap().content,
        "vote for option 1 counted"
    );
    sb.actor("bob").click_button(poll.id, "vote:x");
    ctx.settled().await;
    let errors = errors.lock().unwrap().clone();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("component vote:*") && errors[0].contains("\"x\" does not parse"),
        "{errors:?}"
    );
    second.shutdown().await.unwrap();
}

/// `/report` defers, then edits its answer and follows up; `/secret` replies only to the user;
/// a second answer to one interaction is refused as Discord refuses it.
#[listener]
async fn answers(ctx: Context, command: &ApplicationCommand) -> herald::Result {
    match command.data.name.as_str() {
        "report" => {
            ctx.defer(command, false).await?;
            ctx.edit_reply(command, "report ready: 3 warnings").await?;
            ctx.follow_up(command, "details sent to #errors").await?;
        }
        "secret" => {
            ctx.reply_ephemeral(command, "only you see this").await?;
            if let Err(error) = ctx.reply(command, "a second answer").await {
                ctx.follow_up(
                    command,
                    &format!(
                        "refused: {}",
                        error.to_string().contains("answering the interaction")
                    ),
                )
                .await?;
            }
        }
        _ => {}
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_defer_edit_follow_up_and_ephemeral() {
    let sb = Sandbox::start().await.unwrap();
    let running = bot::start(&sb, Bot::builder().listener(answers)).await;
    let ctx = running.context().clone();
    let general = sb.channel("general");
    sb.actor("mod").slash_command(general, "report", &[]);
    ctx.settled().await;
    let secret = sb.actor("alice").slash_command(general, "secret", &[]);
    ctx.settled().await;
    let transcript = sb.transcript();
    let lines: Vec<&str> = transcript
        .iter()
        .map(String::as_str)
        .filter(|l| l.starts_with("herald-bot"))
        .collect();
    assert_eq!(
        lines,
        [
            "herald-bot deferred its answer to an interaction",
            // The sandbox shows the edit of a deferred answer as the answer it becomes.
            "herald-bot answered an interaction: report ready: 3 warnings",
            "herald-bot followed up an interaction: details sent to #errors",
            "herald-bot answered an interaction (only the user sees it): only you see this",
            "herald-bot: POST /interactions/{id}/{token}/callback failed: 400 Interaction has \
             already been acknowledged."
                .replace("{id}", &secret.id.to_string())
                .replace("{token}", &secret.token)
                .as_str(),
            "herald-bot followed up an interaction: refused: true",
        ],
        "{transcript:#?}"
    );
    running.shutdown().await.unwrap();
}
