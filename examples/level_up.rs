//! Custom events: members earn XP by chatting, and reaching a new level dispatches a `LevelUp`
//! event that its own handler announces (disnake's `bot.dispatch('level_up', ...)` and
//! `on_level_up`).
//!
//! Custom events go through the same router as gateway events: `#[derive(Event)]` makes a type an
//! event, `ctx.dispatch(..)` sends it to its listeners and waiters, `#[event] async fn
//! on_level_up` handles it, and `ctx.wait_for::<LevelUp>().on(user)` waits for one member's.
//!
//! Intents: `GUILDS` and `GUILD_MESSAGES` only. XP is counted per message, which needs no message
//! content (so not the privileged `MESSAGE_CONTENT`), and DMs earn nothing (so not
//! `DIRECT_MESSAGES`).
//!
//! ```sh
//! cargo run --example level_up                       # on the embedded sandbox, with a scene
//! DISCORD_TOKEN=... cargo run --example level_up     # on Discord
//! ```

use std::collections::BTreeMap;
use std::sync::Mutex;

use herald::BotBuilder;
use herald::prelude::*;
use herald::sandbox::Sandbox;
use herald::testing::ContextExt as _;

/// XP a message earns.
const XP_PER_MESSAGE: u64 = 10;

/// The level `xp` reaches: level `n` takes `25 n²` XP (25, 100, 225, ...), so each level takes
/// longer than the one before.
fn level_for(xp: u64) -> u32 {
    u32::try_from((xp / 25).isqrt()).unwrap_or(u32::MAX)
}

/// A custom event: a member reached a new level. Its name, `level_up`, comes from the type name;
/// `#[event(key)]` fields are what waiters can be keyed on.
#[derive(Event, Debug)]
struct LevelUp {
    #[event(key)]
    user: Id<UserMarker>,
    #[event(key)]
    guild: Id<GuildMarker>,
    /// Where the member earned it: the announcement goes there.
    channel: Id<ChannelMarker>,
    name: String,
    old_level: u32,
    level: u32,
}

/// XP per member of each guild: the bot's state, given to the builder with `.data(Xp::default())`
/// and taken by listeners as a `Data<Xp>` parameter (`build()` checks that it was given). A real bot would keep XP in a database (and
/// give the builder its pool instead).
#[derive(Default)]
struct Xp(Mutex<BTreeMap<Member, u64>>);

/// A member: XP is counted per guild.
type Member = (Id<GuildMarker>, Id<UserMarker>);

impl Xp {
    /// Adds `xp` to a member; returns the levels before and after.
    fn award(&self, guild: Id<GuildMarker>, user: Id<UserMarker>, xp: u64) -> (u32, u32) {
        let mut members = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let total = members.entry((guild, user)).or_default();
        let before = level_for(*total);
        *total += xp;
        (before, level_for(*total))
    }
}

/// Awards XP for every guild message of a human, and dispatches `LevelUp` when it crosses a level.
///
/// Nothing here awaits, so the whole listener runs as the message is dispatched, in gateway
/// order: two quick messages can never both see the old level.
#[listener]
async fn award_xp(ctx: Context, msg: &MessageCreate, xp: Data<Xp>) {
    let Some(guild) = msg.guild_id else { return };
    if msg.author.bot {
        return;
    }
    let (old_level, level) = xp.award(guild, msg.author.id, XP_PER_MESSAGE);
    if level > old_level {
        ctx.dispatch(LevelUp {
            user: msg.author.id,
            guild,
            channel: msg.channel_id,
            name: msg.author.name.clone(),
            old_level,
            level,
        });
    }
}

/// The custom event's handler: `on_` + its name. Announces the new level where it was earned.
#[event]
async fn on_level_up(ctx: Context, up: &LevelUp) -> herald::Result {
    ctx.http()
        .create_message(up.channel)
        .content(&format!(
            "🎉 {} reached level {} (from {})!",
            up.name, up.level, up.old_level
        ))
        .await?;
    Ok(())
}

#[event]
async fn on_ready(ready: &Ready) {
    println!("ready in {} guild(s): chat to earn XP", ready.guilds);
}

/// What happens on the sandbox: alice chats through two levels, bob says one thing.
async fn scene(ctx: Context) -> herald::Result {
    let sandbox = ctx.sandbox().expect("scenes run on the sandbox");
    let general = sandbox.channel("general");
    let alice = sandbox.actor("alice");

    // Waiters work on custom events too, keyed like gateway events: this one waits for alice's
    // second level only. Registered now, before the messages that will cause it.
    let second_level = ctx
        .wait_for::<LevelUp>()
        .on(alice.id())
        .check(|up| up.level == 2)
        .register();

    sandbox.actor("bob").say(general, "hi all");
    for n in 1..=10 {
        alice.say(general, &format!("message {n}"));
    }
    second_level.await?;
    // Then until the announcements are posted.
    ctx.settled().await;
    Ok(())
}

/// The bot: its listeners, intents and scene. `main` connects it; `tests/examples_patterns.rs`
/// runs it on a sandbox and checks the transcript.
pub(crate) fn bot() -> BotBuilder {
    Bot::builder()
        // Exactly what the bot needs: guilds, and guild messages (no content, no DMs).
        .intents(Intents::GUILDS | Intents::GUILD_MESSAGES)
        .data(Xp::default())
        .listener(award_xp)
        .event(on_level_up)
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
