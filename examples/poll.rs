//! A poll whose buttons keep working after the bot restarts: `!poll Lunch? pizza sushi` posts the
//! question with one button per option; each click counts a vote and edits the tally into the
//! message (disnake's persistent views).
//!
//! Nothing is kept in memory: a button's `custom_id` says which option it is (`poll:1`), and the
//! tally lives in the message itself, so a click on a poll posted before the last restart is
//! counted the same. `BotBuilder::component("poll:", ..)` parses the option from the id.
//!
//! Intents: `GUILD_MESSAGES` and the privileged `MESSAGE_CONTENT` to read `!poll`; clicks are
//! interactions, which need none.
//!
//! ```sh
//! cargo run --example poll                       # on the embedded sandbox, with a scene
//! DISCORD_TOKEN=... cargo run --example poll     # on Discord
//! ```

use herald::BotBuilder;
use herald::model::channel::message::Component;
use herald::model::channel::message::component::{ActionRow, Button, ButtonStyle};
use herald::model::http::interaction::{
    InteractionResponse, InteractionResponseData, InteractionResponseType,
};
use herald::prelude::*;
use herald::sandbox::Sandbox;
use herald::testing::ContextExt as _;

/// The prefix of the poll buttons' ids: `poll:0`, `poll:1`, ...
const PREFIX: &str = "poll:";

/// `Lunch?\npizza: 0\nsushi: 0`: the question, then one line per option with its votes.
fn tally(question: &str, options: &[(String, u32)]) -> String {
    let mut text = question.to_owned();
    for (option, votes) in options {
        text.push_str(&format!("\n{option}: {votes}"));
    }
    text
}

/// The options and their votes, read back from a poll message's text.
fn read_tally(text: &str) -> Option<(String, Vec<(String, u32)>)> {
    let mut lines = text.lines();
    let question = lines.next()?.to_owned();
    let options = lines
        .map(|line| {
            let (option, votes) = line.rsplit_once(": ")?;
            Some((option.to_owned(), votes.parse().ok()?))
        })
        .collect::<Option<Vec<_>>>()?;
    Some((question, options))
}

/// `!poll <question> <option> <option>...`: the question with a button per option.
#[listener]
async fn poll(ctx: Context, msg: &MessageCreate) -> herald::Result {
    let mut words = msg.content.split_whitespace();
    if words.next() != Some("!poll") {
        return Ok(());
    }
    let Some(question) = words.next() else {
        return Ok(());
    };
    let options: Vec<(String, u32)> = words.take(5).map(|w| (w.to_owned(), 0)).collect();
    let buttons = options
        .iter()
        .enumerate()
        .map(|(i, (option, _))| {
            Component::Button(Button {
                custom_id: Some(format!("{PREFIX}{i}")),
                disabled: false,
                emoji: None,
                label: Some(option.clone()),
                style: ButtonStyle::Primary,
                url: None,
                sku_id: None,
                id: None,
            })
        })
        .collect();
    let row = Component::ActionRow(ActionRow {
        components: buttons,
        id: None,
    });
    ctx.http()
        .create_message(msg.channel_id)
        .content(&tally(question, &options))
        .components(&[row])
        .await?;
    Ok(())
}

/// A click on option `option` of any poll, ever: counts it into the message.
async fn vote(ctx: Context, click: ButtonClick, option: usize) -> herald::Result {
    let Some(message) = &click.message else {
        return Ok(());
    };
    let Some((question, mut options)) = read_tally(&message.content) else {
        return Ok(());
    };
    let Some((_, votes)) = options.get_mut(option) else {
        return Ok(());
    };
    *votes += 1;
    // Type 7: the answer is an edit of the message the button is on (its buttons stay).
    let answer = InteractionResponse {
        kind: InteractionResponseType::UpdateMessage,
        data: Some(InteractionResponseData {
            content: Some(tally(&question, &options)),
            ..Default::default()
        }),
    };
    ctx.http()
        .interaction(click.application_id)
        .create_response(click.id, &click.token, &answer)
        .await?;
    Ok(())
}

/// What happens on the sandbox: mod asks, three people vote.
async fn scene(ctx: Context) -> herald::Result {
    let sandbox = ctx.sandbox().expect("scenes run on the sandbox");
    let general = sandbox.channel("general");
    sandbox
        .actor("mod")
        .say(general, "!poll Lunch? pizza sushi");
    ctx.settled().await;
    let poll = sandbox
        .records()
        .messages(general)
        .last()
        .expect("the bot posted the poll")
        .id;
    for (voter, option) in [("alice", "poll:1"), ("bob", "poll:0"), ("carol", "poll:1")] {
        sandbox.actor(voter).click_button(poll, option);
        ctx.settled().await;
    }
    Ok(())
}

/// The bot: the `!poll` listener, the persistent vote handler and the scene. `main` connects it;
/// `tests/examples_components.rs` runs it on a sandbox and checks the transcript.
pub(crate) fn bot() -> BotBuilder {
    Bot::builder()
        .add_intents(Intents::MESSAGE_CONTENT)
        .listener(poll)
        .component(PREFIX, vote)
        .scene(scene)
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
