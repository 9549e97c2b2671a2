//! Error reporting: every listener that fails — with `?` on a failing call, with an explicit error,
//! or by panicking — is reported in the #errors channel by `on_error` (disnake's `on_error` posting
//! the traceback to an error channel).
//!
//! herald runs each listener call under `catch_unwind`: an `Err` or a panic becomes a
//! `ListenerError { event, listener, error }` event. The bot keeps running; the other listeners
//! are not affected.
//!
//! Intents: `GUILD_MESSAGES` and the privileged `MESSAGE_CONTENT` for the commands, and `GUILDS`
//! (the cache knows the #errors channel from it).
//!
//! ```sh
//! cargo run --example error_reporting                       # on the embedded sandbox, with a scene
//! DISCORD_TOKEN=... cargo run --example error_reporting     # on Discord
//! ```

use herald::BotBuilder;
use herald::prelude::*;
use herald::sandbox::{RestFault, Sandbox};
use herald::testing::ContextExt as _;

/// The channel errors are reported in (the first channel with this name the bot can see).
const ERRORS_CHANNEL: &str = "errors";

/// Discord refuses messages over 2,000 characters; errors can be longer.
const MAX_REPORT: usize = 1_900;

/// Reports a failed listener in #errors, and logs it.
///
/// One handler per event: `#[event]` makes this *the* `on_error`. If posting the report fails in
/// turn, herald logs that failure and does not dispatch it again, so this cannot loop.
#[event]
async fn on_error(ctx: Context, err: &ListenerError) -> herald::Result {
    eprintln!("error: {err}");
    let Some(channel) = errors_channel(&ctx) else {
        return Ok(());
    };
    let report = match err.panic_message() {
        Some(panic) => format!("💥 `{}` panicked on `{}`: {panic}", err.listener, err.event),
        None => format!(
            "⚠️ `{}` failed on `{}`: {}",
            err.listener, err.event, err.error
        ),
    };
    let report: String = report.chars().take(MAX_REPORT).collect();
    ctx.http().create_message(channel).content(&report).await?;
    Ok(())
}

/// The #errors channel, from the cache.
fn errors_channel(ctx: &Context) -> Option<Id<ChannelMarker>> {
    ctx.cache()
        .iter()
        .channels()
        .find(|channel| channel.name.as_deref() == Some(ERRORS_CHANNEL))
        .map(|channel| channel.id)
}

/// `!ping`: `?` hands a failing call's error to herald, which reports it (here when the bot may
/// not post in the channel).
#[listener]
async fn ping(ctx: Context, msg: &MessageCreate) -> herald::Result {
    if msg.content == "!ping" {
        ctx.http()
            .create_message(msg.channel_id)
            .content("pong")
            .await?;
    }
    Ok(())
}

/// `!double <n>`: bad input is an explicit error, with a message saying what was wrong.
#[listener]
async fn double(ctx: Context, msg: &MessageCreate) -> herald::Result {
    let Some(arg) = msg.content.strip_prefix("!double ") else {
        return Ok(());
    };
    let n: i64 = arg
        .trim()
        .parse()
        .map_err(|_| format!("`{arg}` is not a whole number"))?;
    let doubled = n
        .checked_mul(2)
        .ok_or_else(|| format!("{n} is too large to double"))?;
    ctx.http()
        .create_message(msg.channel_id)
        .content(&doubled.to_string())
        .await?;
    Ok(())
}

/// `!average <numbers>`: has a bug — with no numbers it divides by zero, which panics. herald
/// catches the panic like an error.
#[listener]
async fn average(ctx: Context, msg: &MessageCreate) -> herald::Result {
    let Some(args) = msg.content.strip_prefix("!average") else {
        return Ok(());
    };
    let numbers: Vec<i64> = args
        .split_whitespace()
        .filter_map(|word| word.parse().ok())
        .collect();
    let count = i64::try_from(numbers.len())?;
    let average = numbers.iter().sum::<i64>() / count;
    ctx.http()
        .create_message(msg.channel_id)
        .content(&format!("The average is {average}."))
        .await?;
    Ok(())
}

/// What happens on the sandbox: each command once as intended, then each way of failing.
async fn scene(ctx: Context) -> herald::Result {
    let sandbox = ctx.sandbox().expect("scenes run on the sandbox");
    let general = sandbox.channel("general");
    let alice = sandbox.actor("alice");

    alice.say(general, "!ping");
    alice.say(general, "!double 21");
    alice.say(general, "!average 1 2 6");
    ctx.settled().await;

    // An explicit error.
    alice.say(general, "!double twenty");
    // A panic.
    alice.say(general, "!average");
    ctx.settled().await;

    // A failing call: the next post in #general is refused, as if a moderator had taken the bot's
    // permission to send messages there.
    sandbox.faults().rest(
        "POST",
        &format!("/channels/{general}/messages"),
        RestFault::ApiError {
            status: 403,
            code: 50013,
            message: "Missing Permissions".into(),
            times: 1,
        },
    );
    alice.say(general, "!ping");
    ctx.settled().await;
    Ok(())
}

/// The bot: its listeners, error handler, intents and scene. `main` connects it;
/// `tests/examples_patterns.rs` runs it on a sandbox and checks the transcript.
pub(crate) fn bot() -> BotBuilder {
    Bot::builder()
        .intents(Intents::GUILDS | Intents::GUILD_MESSAGES | Intents::MESSAGE_CONTENT)
        .listener(ping)
        .listener(double)
        .listener(average)
        .event(on_error)
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
