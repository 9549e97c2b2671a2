//! Voice activity, ported from disnake's "Voice Event Monitoring" example: members joining,
//! leaving and switching voice channels, and their self and server mute and deafen changes,
//! logged in `#voice-logs` by comparing the cached voice state (`before`) with the new one.
//!
//! ```sh
//! cargo run --example voice_logs                       # on the embedded sandbox, with a scene
//! DISCORD_TOKEN=... cargo run --example voice_logs     # on Discord
//! ```
//!
//! Intents: none to add. The listener brings `GUILD_VOICE_STATES` (and herald always requests
//! `GUILDS`, which fills the cache with channel names). Neither is privileged: Discord puts the
//! member in each voice state update, so the bot needs no `GUILD_MEMBERS` to name them.

use herald::BotBuilder;
use herald::model::channel::message::Embed;
use herald::prelude::*;
use herald::sandbox::Sandbox;
use herald::testing::ContextExt as _;
use herald::util::builder::embed::EmbedBuilder;

const GREEN: u32 = 0x00ff00;
const RED: u32 = 0xff0000;
const BLUE: u32 = 0x0099ff;
const ORANGE: u32 = 0xffa500;

/// Logs every voice change. `sequential`: one update at a time, in gateway order, so the log
/// reads in the order things happened (listeners run concurrently by default).
#[listener(sequential)]
async fn voice_log(ctx: Context, update: &VoiceStateUpdate) -> herald::Result {
    let after = &update.after;
    let Some(guild) = after.guild_id else {
        return Ok(()); // a DM call
    };
    let Some(log) = ctx.channel_named(guild, "voice-logs") else {
        return Ok(());
    };
    let who = member_name(&ctx, update);
    let mut entries = Vec::new();

    // Moves: `before` is `None` when the member was in no voice channel.
    let moved = match (update.channel_before(), after.channel_id) {
        (None, Some(to)) => Some((
            "Voice channel joined",
            format!("{who} joined {}", channel_name(&ctx, to)),
            GREEN,
        )),
        (Some(from), None) => Some((
            "Voice channel left",
            format!("{who} left {}", channel_name(&ctx, from)),
            RED,
        )),
        (Some(from), Some(to)) if from != to => Some((
            "Voice channel switched",
            format!(
                "{who} moved from {} to {}",
                channel_name(&ctx, from),
                channel_name(&ctx, to)
            ),
            BLUE,
        )),
        _ => None,
    };
    if let Some((title, description, color)) = moved {
        entries.push(embed(title, description, color));
    }

    // Mute and deafen, by the member (self) or by a moderator (server). Out of voice (`before`
    // is `None`), all are off.
    let (self_mute, self_deaf, mute, deaf) = match &update.before {
        Some(before) => (
            before.self_mute(),
            before.self_deaf(),
            before.mute(),
            before.deaf(),
        ),
        None => (false, false, false, false),
    };
    let changes: Vec<String> = [
        ("self mute", self_mute, after.self_mute),
        ("self deafen", self_deaf, after.self_deaf),
        ("server mute", mute, after.mute),
        ("server deafen", deaf, after.deaf),
    ]
    .into_iter()
    .filter(|(_, before, now)| before != now)
    .map(|(what, _, now)| format!("{what} {}", if now { "on" } else { "off" }))
    .collect();
    // Leaving resets them all: that is no change worth a line.
    if let Some(channel) = after.channel_id
        && !changes.is_empty()
    {
        entries.push(embed(
            "Voice state changed",
            format!(
                "{who} in {}: {}",
                channel_name(&ctx, channel),
                changes.join(", ")
            ),
            ORANGE,
        ));
    }

    if !entries.is_empty() {
        ctx.http().create_message(log).embeds(&entries).await?;
    }
    Ok(())
}

/// The member's display name: from the update's member, else the cached user.
fn member_name(ctx: &Context, update: &VoiceStateUpdate) -> String {
    if let Some(member) = &update.after.member {
        let user = &member.user;
        return member
            .nick
            .as_deref()
            .or(user.global_name.as_deref())
            .unwrap_or(&user.name)
            .to_owned();
    }
    let id = update.after.user_id;
    ctx.cache()
        .user(id)
        .map_or_else(|| format!("<@{id}>"), |user| user.name.clone())
}

/// A channel's name from the cache, or its mention.
fn channel_name(ctx: &Context, id: Id<ChannelMarker>) -> String {
    ctx.cache()
        .channel(id)
        .and_then(|channel| channel.name.clone())
        .unwrap_or_else(|| format!("<#{id}>"))
}

/// An embed with a title, a description and a colour, built with twilight-util's
/// `EmbedBuilder` (re-exported as `herald::util`).
fn embed(title: &str, description: String, color: u32) -> Embed {
    EmbedBuilder::new()
        .title(title)
        .description(description)
        .color(color)
        .build()
}

/// What happens on the sandbox: alice and bob hang out in voice, a moderator steps in.
async fn scene(ctx: Context) -> herald::Result {
    let sandbox = ctx.sandbox().expect("scenes run on the sandbox");
    let guild = sandbox.guild("Herald Test");
    let voice = sandbox.channel("Voice");
    let gaming = sandbox.admin().create_voice_channel(guild, "Gaming");
    let (alice, bob) = (sandbox.actor("alice"), sandbox.actor("bob"));

    // Joins, then alice mutes and deafens herself.
    alice.voice_join(voice);
    bob.voice_join(voice);
    ctx.settled().await;
    alice.set_self_mute(true);
    alice.set_self_deaf(true);
    ctx.settled().await;

    // A moderator server-mutes and deafens bob; alice switches channels and undeafens.
    sandbox.admin().server_mute(guild, bob.id(), true);
    sandbox.admin().server_deafen(guild, bob.id(), true);
    alice.voice_join(gaming);
    alice.set_self_deaf(false);
    ctx.settled().await;

    // bob is let speak again, then both leave.
    sandbox.admin().server_mute(guild, bob.id(), false);
    sandbox.admin().server_deafen(guild, bob.id(), false);
    bob.voice_leave();
    alice.voice_leave();
    ctx.settled().await;
    Ok(())
}

/// The bot: its listener and scene (its intents come from the listener). `main` connects it;
/// `tests/examples_events.rs` runs it on a sandbox and checks the transcript.
pub(crate) fn bot() -> BotBuilder {
    Bot::builder().listener(voice_log).scene(scene)
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
