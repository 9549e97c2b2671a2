//! Basic event handling, ported from disnake's "Basic Event Handling" example: a `ready` report
//! with a presence, a greeting in each new guild, auto-reactions, and a log of edited and deleted
//! messages in `#moderation-logs`, with their text before the change when the cache had it.
//!
//! ```sh
//! cargo run --example events_basics                       # on the embedded sandbox, with a scene
//! DISCORD_TOKEN=... cargo run --example events_basics     # on Discord
//! ```
//!
//! Intents: herald requests `GUILDS` plus what the handlers' events need, here `GUILD_MESSAGES`
//! and `DIRECT_MESSAGES` (messages, edits, deletes). Reading what a message says also takes
//! `MESSAGE_CONTENT`: without it Discord sends messages with empty text, so nothing would say
//! hello and the logs would be blank. It is privileged: turn on "Message Content Intent" in the
//! Developer Portal (your application → Bot), or Discord refuses the connection (close 4014).
//! disnake's example also asks for members and presences; this bot does not use them, so it does
//! not ask.

use herald::BotBuilder;
use herald::gateway::presence;
use herald::http::request::channel::reaction::RequestReactionType;
use herald::model::channel::ChannelType;
use herald::model::channel::message::Embed;
use herald::model::gateway::presence::{ActivityType, Status};
use herald::prelude::*;
use herald::sandbox::Sandbox;
use herald::testing::ContextExt as _;
use herald::util::builder::embed::EmbedBuilder;

/// Where edits and deletions are logged.
const LOG_CHANNEL: &str = "moderation-logs";

/// Words the bot reacts to, and how (the first match wins).
const AUTO_REACTIONS: [(&str, &str); 3] = [("hello", "👋"), ("good bot", "😊"), ("bad bot", "😢")];

const GREEN: u32 = 0x00ff00;
const ORANGE: u32 = 0xffa500;
const RED: u32 = 0xff0000;

/// Reports the guilds the bot is in, and sets its status: disnake's `change_presence`.
#[event]
async fn on_ready(ctx: Context, ready: &Ready) -> herald::Result {
    let me = ctx
        .current_user()
        .map_or_else(String::new, |user| user.name);
    println!("ready as {me} in {} guild(s)", ready.guilds);
    // (`BotBuilder::presence` sets one from the first moment instead.)
    ctx.set_presence(presence(
        Status::Online,
        ActivityType::Playing,
        "Managing the server!",
    ))?;
    Ok(())
}

/// Greets a guild the bot was just added to (not those it was already in: they are
/// `guild_available` at start-up).
#[event]
async fn on_guild_join(ctx: Context, join: &GuildJoin) -> herald::Result {
    let guild = &join.guild;
    println!("joined a new guild: {} ({})", guild.name, guild.id);
    // The system channel (where Discord posts "X joined"), else the topmost text channel.
    let channel = guild.system_channel_id.or_else(|| {
        guild
            .channels
            .iter()
            .filter(|channel| channel.kind == ChannelType::GuildText)
            .min_by_key(|channel| channel.position)
            .map(|channel| channel.id)
    });
    let Some(channel) = channel else {
        return Ok(());
    };
    let thanks = embed(
        "Thanks for adding me!",
        format!("Say hello and I wave back. I log edits and deletions in #{LOG_CHANNEL}."),
        GREEN,
    );
    // If the bot may not post there, Discord answers 403: the error goes to the `error` event
    // (logged by default), like any other listener error.
    ctx.http().create_message(channel).embeds(&[thanks]).await?;
    Ok(())
}

/// The bot was removed from a guild. The guild is gone, but the cache still knew its name.
#[event]
async fn on_guild_remove(remove: &GuildRemove) {
    match &remove.guild {
        Some(guild) => println!("left guild {} ({})", guild.name(), remove.id),
        None => println!("left guild {}", remove.id),
    }
}

/// Reacts to greetings and compliments.
#[event]
async fn on_message(ctx: Context, msg: &MessageCreate) -> herald::Result {
    if msg.author.bot {
        return Ok(());
    }
    let text = msg.content.to_lowercase();
    if let Some((_, emoji)) = AUTO_REACTIONS
        .iter()
        .find(|(trigger, _)| text.contains(trigger))
    {
        let emoji = RequestReactionType::Unicode { name: emoji };
        ctx.http()
            .create_reaction(msg.channel_id, msg.id, &emoji)
            .await?;
    }
    Ok(())
}

/// Logs an edit: the text before (from the cache) and after.
///
/// disnake calls `on_message_edit` only for messages in its cache. herald calls it for every edit:
/// `before` is `None` when the message was not cached (sent before the bot started, or pushed out
/// of the cache by newer ones, see `BotBuilder::max_messages`).
#[event]
async fn on_message_edit(ctx: Context, edit: &MessageEdit) -> herald::Result {
    let after = &edit.after;
    let Some(guild) = after.guild_id else {
        return Ok(()); // a DM: no log channel
    };
    if after.author.bot {
        return Ok(());
    }
    let channel = channel_label(&ctx, after.channel_id);
    let description = match &edit.before {
        // Discord also sends an edit when only the embeds changed (a link preview): skip it.
        Some(before) if before.content() == after.content => return Ok(()),
        Some(before) => format!(
            "{} in {channel}: “{}” → “{}”",
            after.author.name,
            clip(before.content(), 1000),
            clip(&after.content, 1000)
        ),
        None => format!(
            "{} in {channel}, an older message (not cached, text before unknown) → “{}”",
            after.author.name,
            clip(&after.content, 1000)
        ),
    };
    log(&ctx, guild, embed("Message edited", description, ORANGE)).await
}

/// Logs a deletion: the deleted message from the cache, or only its ids when it was not cached.
#[event]
async fn on_message_delete(ctx: Context, delete: &MessageDelete) -> herald::Result {
    // `delete.guild_id`, `delete.channel_id`, `delete.id`: the gateway payload, through `Deref`.
    let Some(guild) = delete.guild_id else {
        return Ok(());
    };
    let channel = channel_label(&ctx, delete.channel_id);
    let description = match &delete.message {
        Some(message) => {
            let author = ctx.cache().user(message.author());
            if author.as_ref().is_some_and(|author| author.bot) {
                return Ok(());
            }
            let author = author.map_or_else(
                || format!("user {}", message.author()),
                |user| user.name.clone(),
            );
            format!(
                "{author}'s message in {channel}: “{}”",
                clip(message.content(), 2000)
            )
        }
        None => format!(
            "message {} in {channel} (not cached: author and text unknown)",
            delete.id
        ),
    };
    log(&ctx, guild, embed("Message deleted", description, RED)).await
}

/// Posts `entry` in the guild's log channel, if it has one.
async fn log(ctx: &Context, guild: Id<GuildMarker>, entry: Embed) -> herald::Result {
    if let Some(channel) = ctx.channel_named(guild, LOG_CHANNEL) {
        ctx.http().create_message(channel).embeds(&[entry]).await?;
    }
    Ok(())
}

/// `#general`, or the channel's mention when the cache does not know its name.
fn channel_label(ctx: &Context, id: Id<ChannelMarker>) -> String {
    ctx.cache()
        .channel(id)
        .and_then(|channel| channel.name.clone())
        .map_or_else(|| format!("<#{id}>"), |name| format!("#{name}"))
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

/// At most `max` characters of `text` (an embed description holds 4096).
fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// What happens on the sandbox: users talk, edit and delete; the bot joins another guild.
async fn scene(ctx: Context) -> herald::Result {
    let sandbox = ctx.sandbox().expect("scenes run on the sandbox");
    let general = sandbox.channel("general");
    let (alice, bob, carol) = (
        sandbox.actor("alice"),
        sandbox.actor("bob"),
        sandbox.actor("carol"),
    );

    // Auto-reactions.
    alice.say(general, "Hello everyone!");
    bob.say(general, "good bot");
    ctx.settled().await;

    // An edit and a deletion of messages the bot has cached: the log shows the text before.
    let typo = alice.say(general, "see you tomorow");
    let wrong = bob.say(general, "oops, wrong channel");
    alice.edit(general, typo, "see you tomorrow");
    bob.delete(general, wrong);
    ctx.settled().await;

    // Older messages: 1000 newer ones push them out of the bot's message cache (1000 messages
    // by default), so an edit comes without `before`, and a deletion without the message.
    let first = carol.say(general, "first!");
    let brb = alice.say(general, "brb");
    bob.burst(general, 1000);
    ctx.settled().await;
    carol.edit(general, first, "first! (edited much later)");
    alice.delete(general, brb);
    ctx.settled().await;

    // The bot is added to a new guild, then removed from it.
    let side_project = sandbox.admin().add_bot_to_guild("Side Project");
    ctx.settled().await;
    sandbox.admin().remove_bot_from_guild(side_project);
    ctx.settled().await;
    Ok(())
}

/// The bot: its handlers, intents and scene. `main` connects it; `tests/examples_events.rs` runs
/// it on a sandbox and checks the transcript.
pub(crate) fn bot() -> BotBuilder {
    Bot::builder()
        // What messages say (privileged); the handlers bring the rest.
        .add_intents(Intents::MESSAGE_CONTENT)
        .event(on_ready)
        .event(on_guild_join)
        .event(on_guild_remove)
        .event(on_message)
        .event(on_message_edit)
        .event(on_message_delete)
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
