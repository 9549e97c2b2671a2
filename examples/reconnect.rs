//! Start-up with retries: when connecting fails for a reason that goes away by itself (Discord
//! answering `GET /gateway/bot` with a 5xx, a refused or reset connection), the bot tries again
//! after an exponential back-off with a cap and jitter; when it fails for a reason that needs a
//! person (a rejected token, privileged intents not enabled in the Developer Portal, a
//! configuration mistake), it stops at once with herald's error saying what to do (disnake's
//! `run_bot_with_retry`, plus its `on_connect` / `on_disconnect` / `on_resumed` / `setup_hook`).
//!
//! Once the bot runs, dropped connections need no code: the shards reconnect and resume by
//! themselves, replaying the events missed meanwhile. The scene shows one.
//!
//! Without `DISCORD_TOKEN` the example starts its own sandbox whose `GET /gateway/bot` fails
//! twice (503, then 502) and then rate-limits once (a 429, which twilight-http waits out by
//! itself): the first two attempts fail, the third connects.
//!
//! Intents: `GUILD_MESSAGES` and the privileged `MESSAGE_CONTENT` for `!ping`, and `GUILDS`.
//!
//! ```sh
//! cargo run --example reconnect                       # on a flaky sandbox, with a scene
//! DISCORD_TOKEN=... cargo run --example reconnect     # on Discord
//! ```

use std::hash::{BuildHasher, RandomState};
use std::time::Duration;

use herald::BotBuilder;
use herald::prelude::*;
use herald::sandbox::{RestFault, Sandbox};
use herald::testing::ContextExt as _;

/// Exponential back-off with a cap and jitter.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Backoff {
    /// The wait after the first failure; it doubles after each further one.
    pub(crate) first: Duration,
    /// The longest wait.
    pub(crate) max: Duration,
    /// How many attempts in all, the first included.
    pub(crate) attempts: u32,
}

impl Backoff {
    /// On Discord: about 1 s, 2 s, 4 s, ... at most a minute; 8 attempts.
    pub(crate) const DISCORD: Backoff = Backoff {
        first: Duration::from_secs(1),
        max: Duration::from_secs(60),
        attempts: 8,
    };

    /// On the sandbox: the same shape in tens of milliseconds, so that the example and its test
    /// do not wait for nothing.
    pub(crate) const SANDBOX: Backoff = Backoff {
        first: Duration::from_millis(20),
        max: Duration::from_millis(200),
        attempts: 6,
    };

    /// The wait after `failures` failed attempts (1 or more): `first × 2^(failures - 1)`, at most
    /// `max`, then jittered to a random point of its upper half, so that bots (or processes) that
    /// failed together do not all retry at the same instant.
    pub(crate) fn delay(&self, failures: u32) -> Duration {
        let doubling = 2u32.saturating_pow(failures.saturating_sub(1));
        let capped = self.first.saturating_mul(doubling).min(self.max);
        capped / 2 + (capped / 2).mul_f64(random_fraction())
    }
}

/// A random number in `[0, 1)` without a `rand` dependency: each `RandomState` is keyed afresh, so
/// the hash of nothing is a new random `u64` each time. Good enough for jitter, not for secrets.
fn random_fraction() -> f64 {
    let bits = RandomState::new().hash_one(());
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

/// Whether an error of `run()` may go away if the bot tries again.
pub(crate) fn is_transient(error: &Error) -> bool {
    match error {
        // A request to Discord failed: `GET /gateway/bot` answered 5xx (or 429 beyond what
        // twilight-http waits out itself), or the connection was refused, reset or timed out.
        // `Error::is_transient` tells these from a 4xx, which retrying would not fix.
        Error::Http { .. } => error.is_transient(),
        // Discord refused the token (`TokenRejected`), or closed the gateway for good: privileged
        // intents the application may not use (`FatalClose::DisallowedIntents`), too few shards
        // (`ShardingRequired`), ... Retrying gets the same answer; herald's message says what to do.
        Error::TokenRejected { .. } | Error::Gateway { .. } => false,
        // Fewer session starts left today than shards: the limit resets hours later.
        Error::SessionStartLimit { .. } => false,
        // Configuration mistakes (`Config`, `ListenersMissingIntents`, `DuplicateEventHandler`,
        // `MissingToken`), a failing setup hook, herald bugs.
        _ => false,
    }
}

/// Runs the bot built by `bot`, starting it again after a transient failure, up to
/// `backoff.attempts` times in all. A bot runs once, so each attempt builds a fresh one.
pub(crate) async fn run_with_retry(
    backoff: Backoff,
    mut bot: impl FnMut() -> BotBuilder,
) -> Result<(), Error> {
    let mut failures = 0;
    loop {
        let error = match bot().run().await {
            Ok(()) => return Ok(()),
            Err(error) => error,
        };
        failures += 1;
        if !is_transient(&error) {
            println!("start-up failed, not retrying: {error}");
            return Err(error);
        }
        if failures >= backoff.attempts {
            println!("start-up failed {failures} times, giving up: {error}");
            return Err(error);
        }
        let wait = backoff.delay(failures);
        println!(
            "attempt {failures} of {} failed: {error}; retrying in {} ms",
            backoff.attempts,
            wait.as_millis()
        );
        tokio::time::sleep(wait).await;
    }
}

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

#[event]
async fn on_connect(_: &Connect) {
    println!("connected to the gateway");
}

#[event]
async fn on_disconnect(_: &Disconnect) {
    println!("disconnected from the gateway");
}

#[event]
async fn on_resumed(resumed: &Resumed) {
    println!("shard {} resumed its session", resumed.shard_id);
}

/// What happens on the sandbox once the bot is up: a ping, a dropped connection, another ping.
async fn scene(ctx: Context) -> herald::Result {
    let sandbox = ctx.sandbox().expect("scenes run on the sandbox");
    let general = sandbox.channel("general");
    let alice = sandbox.actor("alice");

    alice.say(general, "!ping");
    ctx.settled().await;

    // The connection drops; the shard reconnects and resumes by itself.
    let resumed = ctx.wait_for::<Resumed>().register();
    sandbox.shard(0).drop_tcp()?;
    resumed.await?;

    alice.say(general, "!ping");
    ctx.settled().await;
    Ok(())
}

/// The bot: its listeners, intents, setup hook and scene, without a connection target (each
/// attempt of `run_with_retry` adds it).
pub(crate) fn bot() -> BotBuilder {
    Bot::builder()
        .intents(Intents::GUILDS | Intents::GUILD_MESSAGES | Intents::MESSAGE_CONTENT)
        .listener(ping)
        .event(on_connect)
        .event(on_disconnect)
        .event(on_resumed)
        // disnake's `setup_hook`: runs once `GET /gateway/bot` succeeded, before the first shard
        // connects, so only on the attempt that gets that far.
        .setup(|_ctx| async {
            println!("setting up");
            Ok(())
        })
        .scene(scene)
}

/// Makes `sandbox` answer `GET /gateway/bot` as a Discord having a bad minute would: 503, then
/// 502, then 429 (which twilight-http waits out and retries by itself), then normally.
pub(crate) fn make_start_flaky(sandbox: &Sandbox) {
    for status in [503, 502] {
        sandbox.faults().rest(
            "GET",
            "/gateway/bot",
            RestFault::ServerError { status, times: 1 },
        );
    }
    sandbox.faults().rest(
        "GET",
        "/gateway/bot",
        RestFault::RateLimited {
            times: 1,
            retry_after: Duration::from_millis(50),
        },
    );
}

/// Runs the bot on `sandbox` with retries, with the sandbox's short back-off.
pub(crate) async fn play_on(sandbox: &Sandbox) -> Result<(), Error> {
    run_with_retry(Backoff::SANDBOX, || bot().sandbox(sandbox)).await
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing_subscriber::fmt().with_env_filter("warn").init();
    if std::env::var("DISCORD_TOKEN").is_ok_and(|token| !token.trim().is_empty()) {
        return run_with_retry(Backoff::DISCORD, || bot().token_from_env("DISCORD_TOKEN")).await;
    }
    let sandbox = Sandbox::builder().print_transcript(true).start().await?;
    println!(
        "DISCORD_TOKEN is not set: running on a local sandbox whose GET /gateway/bot fails at first \
         (set DISCORD_TOKEN to connect to Discord)"
    );
    make_start_flaky(&sandbox);
    play_on(&sandbox).await
}
