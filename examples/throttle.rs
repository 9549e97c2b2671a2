//! Event throttling: the bot copies every message and reaction of the server to #member-logs, but
//! at most `LIMIT` of each event per minute, so that a flood of messages cannot flood the log (or
//! the bot's REST rate limits). Excess events are dropped with a log line (disnake's
//! `throttled_event_handler`).
//!
//! [`Throttle`] is a small reusable rate limiter: a sliding window per event name (`E::NAME`, so
//! messages and reactions are counted apart), checked at the top of a listener.
//!
//! Intents: `GUILD_MESSAGES` and the privileged `MESSAGE_CONTENT` to copy messages,
//! `GUILD_MESSAGE_REACTIONS` for reactions, and `GUILDS` (the cache finds #member-logs with it).
//!
//! ```sh
//! cargo run --example throttle                       # on the embedded sandbox, with a scene
//! DISCORD_TOKEN=... cargo run --example throttle     # on Discord
//! ```

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use herald::BotBuilder;
use herald::model::channel::message::EmojiReactionType;
use herald::prelude::*;
use herald::sandbox::Sandbox;
use herald::testing::ContextExt as _;
use tokio::time::Instant;

/// At most `limit` events of each name per `window`: a sliding window, as a log of the instants
/// of the events let through, per event name.
pub(crate) struct Throttle {
    limit: usize,
    window: Duration,
    passed: Mutex<BTreeMap<&'static str, VecDeque<Instant>>>,
}

impl Throttle {
    /// At most `limit` events of each name per minute.
    pub(crate) const fn per_minute(limit: usize) -> Self {
        Self::new(limit, Duration::from_secs(60))
    }

    /// At most `limit` events of each name per `window`.
    pub(crate) const fn new(limit: usize, window: Duration) -> Self {
        Throttle {
            limit,
            window,
            passed: Mutex::new(BTreeMap::new()),
        }
    }

    /// Whether a listener may handle `event` now; logs it when not. Counted per event type:
    /// `E::NAME` is `"message"`, `"reaction_add"`, ...
    pub(crate) fn admit<E: Event>(&self, _event: &E) -> bool {
        let admitted = self.admit_at(E::NAME, Instant::now());
        if !admitted {
            tracing::warn!(
                "throttled: dropped a `{}` event (at most {} per {:?})",
                E::NAME,
                self.limit,
                self.window
            );
        }
        admitted
    }

    /// Whether an event named `name` happening at `now` may be handled; if so, it counts.
    ///
    /// Taking the time as a parameter lets a test check the window without waiting it out.
    pub(crate) fn admit_at(&self, name: &'static str, now: Instant) -> bool {
        let mut passed = self.passed.lock().unwrap_or_else(|p| p.into_inner());
        let log = passed.entry(name).or_default();
        // Forget events that left the window.
        while log
            .front()
            .is_some_and(|&at| now.saturating_duration_since(at) >= self.window)
        {
            log.pop_front();
        }
        if log.len() >= self.limit {
            return false;
        }
        log.push_back(now);
        true
    }
}

/// Events of each kind copied to #member-logs per minute.
const LIMIT: usize = 5;

/// Copies members' messages to #member-logs, throttled.
#[listener]
async fn log_message(ctx: Context, msg: &MessageCreate) -> herald::Result {
    // Only members' messages count against the limit: not the bot's own copies.
    let Some(guild) = msg.guild_id.filter(|_| !msg.author.bot) else {
        return Ok(());
    };
    if !ctx.data::<Throttle>().admit(msg) {
        return Ok(());
    }
    if let Some(logs) = ctx.channel_named(guild, "member-logs") {
        ctx.http()
            .create_message(logs)
            .content(&format!("{}: {}", msg.author.name, msg.content))
            .await?;
    }
    Ok(())
}

/// Copies reactions to #member-logs, throttled separately from messages.
#[listener]
async fn log_reaction(ctx: Context, reaction: &ReactionAdd) -> herald::Result {
    let Some(guild) = reaction.guild_id else {
        return Ok(());
    };
    if !ctx.data::<Throttle>().admit(reaction) {
        return Ok(());
    }
    let who = reaction
        .member
        .as_ref()
        .map_or_else(|| reaction.user_id.to_string(), |m| m.user.name.clone());
    let emoji = match &reaction.emoji {
        EmojiReactionType::Unicode { name } => name.clone(),
        EmojiReactionType::Custom { name, id, .. } => {
            format!(":{}:", name.clone().unwrap_or_else(|| id.to_string()))
        }
    };
    if let Some(logs) = ctx.channel_named(guild, "member-logs") {
        ctx.http()
            .create_message(logs)
            .content(&format!("{who} reacted {emoji}"))
            .await?;
    }
    Ok(())
}

/// What happens on the sandbox: a flood of 12 messages (only the first `LIMIT` are copied), then
/// three reactions, which have their own window and are all copied.
async fn scene(ctx: Context) -> herald::Result {
    let sandbox = ctx.sandbox().expect("scenes run on the sandbox");
    let general = sandbox.channel("general");

    // 12 messages `burst 0` .. `burst 11` from alice, as fast as the gateway sends them.
    let flood = sandbox.actor("alice").burst(general, 12);
    ctx.settled().await;

    for name in ["bob", "carol", "mod"] {
        sandbox.actor(name).react(general, flood[0], "👀");
    }
    ctx.settled().await;
    Ok(())
}

/// The bot: its listeners, intents and scene. `main` connects it; `tests/examples_patterns.rs`
/// runs it on a sandbox and checks the transcript.
pub(crate) fn bot() -> BotBuilder {
    Bot::builder()
        // The bot's state: one window per event name, shared by both listeners.
        .data(Throttle::per_minute(LIMIT))
        .intents(
            Intents::GUILDS
                | Intents::GUILD_MESSAGES
                | Intents::MESSAGE_CONTENT
                | Intents::GUILD_MESSAGE_REACTIONS,
        )
        .listener(log_message)
        .listener(log_reaction)
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
