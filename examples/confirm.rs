//! Confirmation with a waiter: `!purge [n]` deletes the last `n` messages of the channel, but only
//! after its author reacts ✅ to the bot's question within 30 seconds; ❌ cancels, silence times
//! out (disnake's `bot.wait_for('reaction_add', check=..., timeout=30)`).
//!
//! The waiter is keyed on the question message (a constant-time lookup, not a scan of every
//! reaction) and checks the author, so a reaction by anyone else, or on another message, is
//! ignored.
//!
//! Intents: `GUILD_MESSAGES` and the privileged `MESSAGE_CONTENT` to read the command,
//! `GUILD_MESSAGE_REACTIONS` for the answer, and `GUILDS`.
//!
//! ```sh
//! cargo run --example confirm                       # on the embedded sandbox, with a scene
//! DISCORD_TOKEN=... cargo run --example confirm     # on Discord
//! ```

use std::time::Duration;

use herald::BotBuilder;
use herald::http::request::channel::reaction::RequestReactionType;
use herald::model::channel::message::EmojiReactionType;
use herald::prelude::*;
use herald::sandbox::Sandbox;
use herald::testing::ContextExt as _;

const CONFIRM: &str = "✅";
const CANCEL: &str = "❌";

/// How long the author has to answer.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);

/// The answer timeout on the sandbox. The scene leaves one question unanswered to show the timeout;
/// with 30 s it would sit there for 30 s. Its users answer within milliseconds of being asked, so
/// 2 s is plenty for them and keeps `cargo run` and the test quick.
const SANDBOX_ANSWER_TIMEOUT: Duration = Duration::from_secs(2);

fn answer_timeout(ctx: &Context) -> Duration {
    if ctx.sandbox().is_some() {
        SANDBOX_ANSWER_TIMEOUT
    } else {
        ANSWER_TIMEOUT
    }
}

/// `!purge` → `Some(10)`, `!purge 3` → `Some(3)`; `None` for anything else.
fn parse_purge(content: &str) -> Option<u16> {
    let mut words = content.split_whitespace();
    if words.next() != Some("!purge") {
        return None;
    }
    match words.next() {
        None => Some(10),
        Some(n) => n.parse().ok().filter(|n| (1..=100).contains(n)),
    }
}

fn is_emoji(emoji: &EmojiReactionType, wanted: &str) -> bool {
    matches!(emoji, EmojiReactionType::Unicode { name } if name == wanted)
}

/// `!purge [n]`: asks, waits for the author's ✅ or ❌, then deletes or not.
///
/// (A real bot would first check that the author may manage messages, e.g. with
/// `ctx.cache().permissions().in_channel(..)`.)
#[listener]
async fn purge(ctx: Context, msg: &MessageCreate) -> herald::Result {
    let Some(count) = parse_purge(&msg.content) else {
        return Ok(());
    };
    let timeout = answer_timeout(&ctx);
    let question = ctx
        .http()
        .create_message(msg.channel_id)
        .content(&format!(
            "{}, delete the last {count} messages here? React {CONFIRM} to confirm or {CANCEL} to \
             cancel within {}s.",
            msg.author.name,
            timeout.as_secs()
        ))
        .await?
        .model()
        .await?;

    // Register the waiter before offering the answers below, so that an answer given while the
    // bot is still adding its reactions is not missed. The timeout runs from here.
    let author = msg.author.id;
    let answer = ctx
        .wait_for::<ReactionAdd>()
        .on(question.id)
        .check(move |reaction| {
            reaction.user_id == author
                && (is_emoji(&reaction.emoji, CONFIRM) || is_emoji(&reaction.emoji, CANCEL))
        })
        .timeout(timeout)
        .register();

    // The bot's own reactions are reaction events too; the check ignores them (not the author).
    for name in [CONFIRM, CANCEL] {
        ctx.http()
            .create_reaction(
                msg.channel_id,
                question.id,
                &RequestReactionType::Unicode { name },
            )
            .await?;
    }

    let reply = match answer.await {
        Ok(reaction) if is_emoji(&reaction.emoji, CONFIRM) => {
            let deleted = delete_before(&ctx, msg, count).await?;
            format!("Deleted {deleted} messages.")
        }
        Ok(_) => "Cancelled: nothing deleted.".to_owned(),
        Err(Error::Timeout(..)) => format!(
            "No answer within {}s: timed out, nothing deleted.",
            timeout.as_secs()
        ),
        // The bot is shutting down (`Error::Closed`), or cannot receive reactions.
        Err(error) => return Err(error.into()),
    };
    ctx.http()
        .create_message(msg.channel_id)
        .content(&reply)
        .await?;
    Ok(())
}

/// Deletes up to `count` messages posted before `msg`; returns how many.
async fn delete_before(ctx: &Context, msg: &MessageCreate, count: u16) -> herald::Result<usize> {
    let ids: Vec<_> = ctx
        .http()
        .channel_messages(msg.channel_id)
        .before(msg.id)
        .limit(count)
        .await?
        .models()
        .await?
        .into_iter()
        .map(|message| message.id)
        .collect();
    match ids.as_slice() {
        [] => {}
        // Bulk delete takes 2 to 100 messages.
        [one] => {
            ctx.http().delete_message(msg.channel_id, *one).await?;
        }
        many => {
            ctx.http().delete_messages(msg.channel_id, many).await?;
        }
    }
    Ok(ids.len())
}

/// What happens on the sandbox: a confirmed purge, a cancelled one, and one where only someone
/// else answers, which times out.
async fn scene(ctx: Context) -> herald::Result {
    let sandbox = ctx.sandbox().expect("scenes run on the sandbox");
    let general = sandbox.channel("general");
    let moderator = sandbox.actor("mod");
    let alice = sandbox.actor("alice");
    let bot = sandbox.bot_user_id();
    // The bot's latest message in #general: its question.
    let question = || {
        sandbox
            .records()
            .messages(general)
            .into_iter()
            .rev()
            .find(|m| m.author_id == bot)
            .expect("the bot asked")
            .id
    };

    for spam in ["buy cheap gold", "BUY CHEAP GOLD", "gold gold gold"] {
        alice.say(general, spam);
    }

    // Each time, answer once the bot waits for it, as a person would after reading the question;
    // `settled` then waits until the bot has acted on the answer.
    moderator.say(general, "!purge 3");
    ctx.until_waiting_for::<ReactionAdd>().await;
    moderator.react(general, question(), CONFIRM);
    ctx.settled().await;

    moderator.say(general, "!purge 5");
    ctx.until_waiting_for::<ReactionAdd>().await;
    moderator.react(general, question(), CANCEL);
    ctx.settled().await;

    // alice is not the author: her ✅ is ignored, and the question times out. `settled` waits for
    // that too (the listener is still running until then).
    moderator.say(general, "!purge 2");
    ctx.until_waiting_for::<ReactionAdd>().await;
    alice.react(general, question(), CONFIRM);
    ctx.settled().await;
    Ok(())
}

/// The bot: its listener, intents and scene. `main` connects it; `tests/examples_patterns.rs` runs
/// it on a sandbox and checks the transcript.
pub(crate) fn bot() -> BotBuilder {
    Bot::builder()
        .intents(
            Intents::GUILDS
                | Intents::GUILD_MESSAGES
                | Intents::MESSAGE_CONTENT
                | Intents::GUILD_MESSAGE_REACTIONS,
        )
        .listener(purge)
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
