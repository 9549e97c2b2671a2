//! A first herald bot: answers `!ping`, welcomes new members, and asks for confirmation with a
//! waiter.
//!
//! ```sh
//! cargo run --example quickstart                       # on the embedded sandbox, with a scene
//! DISCORD_TOKEN=... cargo run --example quickstart     # on Discord
//! ```

use std::time::Duration;

use herald::BotBuilder;
use herald::model::channel::message::EmojiReactionType;
use herald::prelude::*;
use herald::sandbox::Sandbox;
use herald::testing::ContextExt as _;

/// Answers `!ping` with `pong` and the gateway latency.
#[listener]
async fn ping(ctx: Context, msg: &MessageCreate) -> herald::Result {
    if msg.content == "!ping" {
        let latency = ctx.latency().map_or("not measured yet".to_owned(), |l| {
            format!("{} ms", l.as_millis())
        });
        ctx.http()
            .create_message(msg.channel_id)
            .content(&format!("pong ({latency})"))
            .await?;
    }
    Ok(())
}

/// Welcomes a member who joined, in the guild's #welcome channel (found in the cache).
#[listener]
async fn welcome(ctx: Context, join: &MemberAdd) -> herald::Result {
    if let Some(channel) = ctx.channel_named(join.guild_id, "welcome") {
        ctx.http()
            .create_message(channel)
            .content(&format!("Welcome, {}!", join.user.name))
            .await?;
    }
    Ok(())
}

/// `!clear`: asks the author to confirm with ✅ or ❌ within 30 seconds.
#[listener]
async fn clear(ctx: Context, msg: &MessageCreate) -> herald::Result {
    if msg.content != "!clear" {
        return Ok(());
    }
    let question = ctx
        .http()
        .create_message(msg.channel_id)
        .content("Clear the channel? React ✅ or ❌.")
        .await?
        .model()
        .await?;
    let author = msg.author.id;
    let answer = ctx
        .wait_for::<ReactionAdd>()
        .on(question.id)
        .check(move |reaction| reaction.user_id == author)
        .timeout(Duration::from_secs(30))
        .await;
    let reply = match answer {
        Ok(reaction) if matches!(&reaction.emoji, EmojiReactionType::Unicode { name } if name == "✅") => {
            "Cleared."
        }
        Ok(_) => "Kept everything.",
        Err(Error::Timeout(..)) => "No answer: kept everything.",
        Err(error) => return Err(error.into()),
    };
    ctx.http()
        .create_message(msg.channel_id)
        .content(reply)
        .await?;
    Ok(())
}

#[event]
async fn on_ready(ctx: Context, ready: &Ready) {
    let me = ctx
        .current_user()
        .map_or_else(String::new, |user| user.name);
    println!("ready as {me} in {} guild(s)", ready.guilds);
}

/// What happens on the sandbox: users talk to the bot.
async fn scene(ctx: Context) -> herald::Result {
    let sandbox = ctx.sandbox().expect("scenes run on the sandbox");
    let general = sandbox.channel("general");
    let alice = sandbox.actor("alice");

    alice.say(general, "!ping");
    sandbox.actor("dave").join(sandbox.guild("Herald Test"));
    ctx.settled().await;

    alice.say(general, "!clear");
    // React once the bot waits for it, as a person would after reading the question.
    ctx.until_waiting_for::<ReactionAdd>().await;
    let question = sandbox
        .records()
        .messages(general)
        .pop()
        .expect("the bot asked");
    alice.react(general, question.id, "✅");
    ctx.settled().await;
    Ok(())
}

/// The bot: its listeners, intents and scene. `main` connects it; `tests/examples_*.rs` runs it on a
/// sandbox and checks the transcript.
pub(crate) fn bot() -> BotBuilder {
    Bot::builder()
        // Content of messages (privileged).
        .add_intents(Intents::MESSAGE_CONTENT)
        // `clear` waits for reactions: their intents, as a listener of them would get.
        .waits_for::<ReactionAdd>()
        .listener(ping)
        .listener(welcome)
        .listener(clear)
        .event(on_ready)
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
