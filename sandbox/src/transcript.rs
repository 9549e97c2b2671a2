//! The readable transcript: one line per thing that happened, from both
//! sides, in the order the sandbox saw it.
//!
//! - Actors: `alice in #general: !ping`, `dave joined Herald Test`, ...
//! - The bot's REST writes: `herald-bot in #welcome: Welcome, dave!`,
//!   `herald-bot gave dave the role Member`, failures as
//!   `herald-bot: POST /channels/#general/messages failed: 403 Missing
//!   Permissions`. Reads (GET) are not transcript lines.
//! - Faults and gateway milestones, bracketed: `[fault] shard 0: op 7
//!   RECONNECT`, `[gateway] shard 0 resumed`.
//! - World changes the sandbox makes as a guild admin or as Discord,
//!   bracketed: `[admin] created channel #plans in Herald Test`,
//!   `[discord] Herald Test is unavailable (outage)`, `[automod] blocked
//!   alice's message in #general (rule "No spam", keyword spam)`.
//!
//! Every line is rendered once, under the state lock, when its action
//! happens (names are resolved at that moment). All formatting lives here.

use std::fmt::Write as _;

use percent_encoding::percent_decode_str;
use serde_json::Value;

use crate::{
    actors::OptionValue,
    faults::Fault,
    record::{IdentifyThrottle, PresenceRecord, activity_name, strip_api_prefix},
    state::{Config, State},
    world::{CHANNEL_DM, CHANNEL_STAGE, CHANNEL_VOICE, World},
};

/// Longest message text kept in a line (characters).
const MAX_TEXT: usize = 200;
/// Longest embed title kept.
const MAX_TITLE: usize = 80;
/// Longest embed description or field value kept.
const MAX_DESCRIPTION: usize = 100;

/// The lines so far, and whether to print each one as it is added.
#[derive(Debug)]
pub(crate) struct Transcript {
    lines: Vec<String>,
    print: bool,
}

impl Transcript {
    pub(crate) fn new(print: bool) -> Self {
        Self {
            lines: Vec::new(),
            print,
        }
    }

    pub(crate) fn lines(&self) -> &[String] {
        &self.lines
    }
}

impl State {
    /// Appends a line to the transcript (and prints it if asked to). A failed write (stdout
    /// closed: `cargo run --example x | head`) stops the printing, never the sandbox: `println!`
    /// would panic here, inside the sandbox's lock.
    pub(crate) fn note(&mut self, line: String) {
        if self.transcript.print {
            use std::io::Write as _;
            let mut out = std::io::stdout().lock();
            if writeln!(out, "{line}").and_then(|()| out.flush()).is_err() {
                self.transcript.print = false;
            }
        }
        self.transcript.lines.push(line);
    }
}

// ---- names ------------------------------------------------------------------

/// A user's name (`user 123` if unknown).
fn user(world: &World, id: u64) -> String {
    world
        .user_rec(id)
        .map_or_else(|| format!("user {id}"), |u| u.name.clone())
}

fn guild(world: &World, id: u64) -> String {
    world
        .guild(id)
        .map_or_else(|| format!("guild {id}"), |g| g.name.clone())
}

fn role(world: &World, id: u64) -> String {
    world
        .guilds
        .iter()
        .flat_map(|g| &g.roles)
        .find(|r| r.id == id)
        .map_or_else(|| format!("role {id}"), |r| r.name.clone())
}

/// `#general`, or `DM` for a DM channel.
fn channel_name(world: &World, id: u64) -> String {
    match world.channel(id) {
        Some(c) if c.kind == CHANNEL_DM => "DM".to_owned(),
        Some(c) => format!("#{}", c.name),
        None => format!("channel {id}"),
    }
}

/// The other party of a DM channel, seen from `who`.
fn dm_peer(world: &World, who: u64, channel: u64) -> Option<u64> {
    let c = world.channel(channel).filter(|c| c.kind == CHANNEL_DM)?;
    let recipient = c.recipient?;
    Some(if who == recipient {
        world.bot_id
    } else {
        recipient
    })
}

/// `in #general`, or `in a DM with bob` (the other party, seen from `who`).
fn place(world: &World, who: u64, channel: u64) -> String {
    match dm_peer(world, who, channel) {
        Some(peer) => format!("in a DM with {}", user(world, peer)),
        None => format!("in {}", channel_name(world, channel)),
    }
}

/// `✅`, or `:party:` for a custom emoji (`"party:123"`).
fn emoji(key: &str) -> String {
    match key.rsplit_once(':') {
        Some((name, id)) if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) => {
            format!(":{}:", name.trim_start_matches("a:"))
        }
        _ => key.to_owned(),
    }
}

/// One line of at most `max` characters: newlines become ` ⏎ `, the rest
/// is cut with `…`.
fn clip(text: &str, max: usize) -> String {
    let flat = text.trim().replace("\r\n", "\n").replace('\n', " ⏎ ");
    if flat.chars().count() <= max {
        return flat;
    }
    let mut out: String = flat.chars().take(max.saturating_sub(1)).collect();
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

fn with_reason(mut line: String, reason: Option<&str>) -> String {
    if let Some(reason) = reason.filter(|r| !r.is_empty()) {
        let _ = write!(line, " (reason: {})", clip(reason, MAX_DESCRIPTION));
    }
    line
}

// ---- message bodies -----------------------------------------------------------

/// What a message shows: text, `[embed] title — description`, buttons and
/// menus.
pub(crate) fn summary(content: &str, embeds: &[Value], components: &[Value]) -> String {
    let mut parts = Vec::new();
    if !content.trim().is_empty() {
        parts.push(clip(content, MAX_TEXT));
    }
    for e in embeds {
        parts.push(embed(e));
    }
    let mut texts = Vec::new();
    let mut buttons = Vec::new();
    let mut menus = Vec::new();
    collect_components(components, &mut texts, &mut buttons, &mut menus);
    parts.extend(texts.iter().map(|t| clip(t, MAX_TEXT)));
    if !buttons.is_empty() {
        parts.push(format!("[buttons: {}]", buttons.join(", ")));
    }
    for menu in menus {
        parts.push(format!("[menu: {menu}]"));
    }
    if parts.is_empty() {
        "(empty message)".to_owned()
    } else {
        parts.join(" ")
    }
}

fn embed(e: &Value) -> String {
    let text = |key: &str, max: usize| {
        e.get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .map(|s| clip(s, max))
    };
    let mut out = String::from("[embed]");
    match (
        text("title", MAX_TITLE),
        text("description", MAX_DESCRIPTION),
    ) {
        (Some(t), Some(d)) => {
            let _ = write!(out, " {t} — {d}");
        }
        (Some(s), None) | (None, Some(s)) => {
            let _ = write!(out, " {s}");
        }
        (None, None) => {}
    }
    let fields = e
        .get("fields")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    match fields {
        0 => {}
        1 => out.push_str(" (1 field)"),
        n => {
            let _ = write!(out, " ({n} fields)");
        }
    }
    out
}

/// Walks action rows and components v2 containers.
fn collect_components(
    components: &[Value],
    texts: &mut Vec<String>,
    buttons: &mut Vec<String>,
    menus: &mut Vec<String>,
) {
    let str_of = |c: &Value, key: &str| c.get(key).and_then(Value::as_str).map(str::to_owned);
    for c in components {
        match c.get("type").and_then(Value::as_u64) {
            // Button: its label, else its emoji, else its custom id or URL.
            Some(2) => buttons.push(
                str_of(c, "label")
                    .or_else(|| c.get("emoji").and_then(|e| str_of(e, "name")))
                    .or_else(|| str_of(c, "custom_id"))
                    .or_else(|| str_of(c, "url"))
                    .unwrap_or_else(|| "?".to_owned()),
            ),
            // Select menus.
            Some(3 | 5 | 6 | 7 | 8) => menus.push(
                str_of(c, "placeholder")
                    .or_else(|| str_of(c, "custom_id"))
                    .unwrap_or_else(|| "?".to_owned()),
            ),
            // Text display (components v2).
            Some(10) => texts.extend(str_of(c, "content")),
            _ => {}
        }
        if let Some(children) = c.get("components").and_then(Value::as_array) {
            collect_components(children, texts, buttons, menus);
        }
        if let Some(accessory) = c.get("accessory") {
            collect_components(std::slice::from_ref(accessory), texts, buttons, menus);
        }
    }
}

// ---- actor and bot actions ----------------------------------------------------

/// `alice in #general: hi`, `alice sent a DM to herald-bot: hi`.
pub(crate) fn message(
    world: &World,
    author: u64,
    channel: u64,
    content: &str,
    embeds: &[Value],
    components: &[Value],
) -> String {
    let who = user(world, author);
    let what = summary(content, embeds, components);
    match dm_peer(world, author, channel) {
        Some(peer) => format!("{who} sent a DM to {}: {what}", user(world, peer)),
        None => format!("{who} in {}: {what}", channel_name(world, channel)),
    }
}

/// `alice edited a message in #general: new text`.
pub(crate) fn edited(
    world: &World,
    who: u64,
    channel: u64,
    content: Option<&str>,
    embeds: Option<&[Value]>,
    components: Option<&[Value]>,
) -> String {
    let mut line = format!(
        "{} edited a message {}",
        user(world, who),
        place(world, who, channel)
    );
    let what = summary(
        content.unwrap_or(""),
        embeds.unwrap_or(&[]),
        components.unwrap_or(&[]),
    );
    if content.is_some() || embeds.is_some() || components.is_some() {
        let _ = write!(line, ": {what}");
    }
    line
}

/// `alice deleted a message in #general`; `author` names someone else's.
pub(crate) fn deleted(world: &World, who: u64, channel: u64, author: Option<u64>) -> String {
    let whose = match author {
        Some(a) if a != who => format!("{}'s message", user(world, a)),
        _ => "a message".to_owned(),
    };
    format!(
        "{} deleted {whose} {}",
        user(world, who),
        place(world, who, channel)
    )
}

/// `alice reacted ✅ to a message in #general`.
pub(crate) fn reacted(world: &World, who: u64, channel: u64, key: &str, add: bool) -> String {
    let (verb, prep) = if add {
        ("reacted", "to")
    } else {
        ("removed the reaction", "from")
    };
    format!(
        "{} {verb} {} {prep} a message {}",
        user(world, who),
        emoji(key),
        place(world, who, channel)
    )
}

/// `alice is typing in #general`.
pub(crate) fn typing(world: &World, who: u64, channel: u64) -> String {
    format!(
        "{} is typing {}",
        user(world, who),
        place(world, who, channel)
    )
}

/// `dave joined Herald Test` / `carol left Herald Test`.
pub(crate) fn membership(world: &World, who: u64, guild_id: u64, joined: bool) -> String {
    format!(
        "{} {} {}",
        user(world, who),
        if joined { "joined" } else { "left" },
        guild(world, guild_id)
    )
}

/// `mod banned dave from Herald Test (reason: spam)`; `verb` is `banned`,
/// `unbanned` or `kicked`.
pub(crate) fn moderated(
    world: &World,
    verb: &str,
    by: u64,
    target: u64,
    guild_id: u64,
    reason: Option<&str>,
) -> String {
    with_reason(
        format!(
            "{} {verb} {} from {}",
            user(world, by),
            user(world, target),
            guild(world, guild_id)
        ),
        reason,
    )
}

/// `alice set their nickname to "Al"` / `alice removed their nickname`.
pub(crate) fn own_nick(world: &World, who: u64, nick: Option<&str>) -> String {
    match nick {
        Some(nick) => format!(
            "{} set their nickname to \"{}\"",
            user(world, who),
            clip(nick, MAX_TITLE)
        ),
        None => format!("{} removed their nickname", user(world, who)),
    }
}

/// `alice got the role Moderator` / `alice lost the role Moderator`.
pub(crate) fn own_role(world: &World, who: u64, role_id: u64, add: bool) -> String {
    format!(
        "{} {} the role {}",
        user(world, who),
        if add { "got" } else { "lost" },
        role(world, role_id)
    )
}

/// `alice joined voice Voice`, `alice moved to voice Other`, `alice left
/// voice Voice`.
pub(crate) fn voice(world: &World, who: u64, from: Option<u64>, to: Option<u64>) -> String {
    let name = |c: u64| {
        world
            .channel(c)
            .map_or_else(|| c.to_string(), |c| c.name.clone())
    };
    let who = user(world, who);
    match (from, to) {
        (None, Some(to)) => format!("{who} joined voice {}", name(to)),
        (Some(_), Some(to)) => format!("{who} moved to voice {}", name(to)),
        (Some(from), None) => format!("{who} left voice {}", name(from)),
        (None, None) => format!("{who} left voice"),
    }
}

/// `alice self-muted in Voice`, `alice undeafened in Voice`, ...
pub(crate) fn voice_flags(
    world: &World,
    who: u64,
    channel: u64,
    mute: Option<bool>,
    deaf: Option<bool>,
) -> String {
    let mut changes = Vec::new();
    match mute {
        Some(true) => changes.push("self-muted"),
        Some(false) => changes.push("unmuted"),
        None => {}
    }
    match deaf {
        Some(true) => changes.push("self-deafened"),
        Some(false) => changes.push("undeafened"),
        None => {}
    }
    let name = world
        .channel(channel)
        .map_or_else(|| channel.to_string(), |c| c.name.clone());
    format!("{} {} in {name}", user(world, who), changes.join(" and "))
}

/// `alice clicked button confirm`.
pub(crate) fn clicked(world: &World, who: u64, custom_id: &str) -> String {
    format!("{} clicked button {custom_id}", user(world, who))
}

/// `alice selected a, b in menu roles`.
pub(crate) fn selected(world: &World, who: u64, custom_id: &str, values: &[&str]) -> String {
    format!(
        "{} selected {} in menu {custom_id}",
        user(world, who),
        values.join(", ")
    )
}

/// `alice submitted modal report: reason=rude, details=very`.
pub(crate) fn modal(world: &World, who: u64, custom_id: &str, fields: &[(&str, &str)]) -> String {
    let mut line = format!("{} submitted modal {custom_id}", user(world, who));
    if !fields.is_empty() {
        let shown: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{k}={}", clip(v, MAX_DESCRIPTION)))
            .collect();
        let _ = write!(line, ": {}", shown.join(", "));
    }
    line
}

/// `alice used /warn user:bob reason:spam`.
pub(crate) fn slash(
    world: &World,
    who: u64,
    name: &str,
    options: &[(&str, OptionValue)],
) -> String {
    let mut line = format!("{} used /{name}", user(world, who));
    for (key, value) in options {
        let shown = match value {
            OptionValue::String(s) => clip(s, MAX_DESCRIPTION),
            OptionValue::Integer(i) => i.to_string(),
            OptionValue::Boolean(b) => b.to_string(),
            OptionValue::Number(n) => n.to_string(),
            OptionValue::User(u) => user(world, u.get()),
            OptionValue::Channel(c) => channel_name(world, c.get()),
            OptionValue::Role(r) => role(world, r.get()),
        };
        let _ = write!(line, " {key}:{shown}");
    }
    line
}

/// `alice sent 100000 messages in #general (burst)`.
pub(crate) fn burst(world: &World, who: u64, channel: u64, n: usize) -> String {
    format!(
        "{} sent {n} messages {} (burst)",
        user(world, who),
        place(world, who, channel)
    )
}

// ---- world changes --------------------------------------------------------------

/// Who did it: a user's name, or `[admin]` for the sandbox acting as a
/// guild admin (`None`).
fn subject(world: &World, who: Option<u64>) -> String {
    who.map_or_else(|| "[admin]".to_owned(), |u| user(world, u))
}

/// `#general`, `voice channel Lounge`, `stage channel Town Hall`,
/// `thread #plans`.
fn channel_kind_name(world: &World, id: u64) -> String {
    match world.channel(id) {
        Some(c) if c.kind == CHANNEL_VOICE => format!("voice channel {}", c.name),
        Some(c) if c.kind == CHANNEL_STAGE => format!("stage channel {}", c.name),
        Some(c) if c.thread.is_some() => format!("thread #{}", c.name),
        _ => format!("channel {}", channel_name(world, id)),
    }
}

/// `[admin] added herald-bot to New Guild`.
pub(crate) fn bot_added(world: &World, guild_id: u64) -> String {
    format!(
        "[admin] added {} to {}",
        user(world, world.bot_id),
        guild(world, guild_id)
    )
}

/// `[admin] removed herald-bot from New Guild`.
pub(crate) fn bot_removed(world: &World, guild_id: u64) -> String {
    format!(
        "[admin] removed {} from {}",
        user(world, world.bot_id),
        guild(world, guild_id)
    )
}

/// `[discord] Herald Test is unavailable (outage)` / `[discord] Herald Test
/// is available again`.
pub(crate) fn outage(world: &World, guild_id: u64, down: bool) -> String {
    if down {
        format!(
            "[discord] {} is unavailable (outage)",
            guild(world, guild_id)
        )
    } else {
        format!("[discord] {} is available again", guild(world, guild_id))
    }
}

/// `[admin] renamed guild Herald Test to Herald HQ` (before the change).
pub(crate) fn guild_renamed(world: &World, guild_id: u64, name: &str) -> String {
    format!(
        "[admin] renamed guild {} to {}",
        guild(world, guild_id),
        clip(name, MAX_TITLE)
    )
}

/// `[admin] created channel #plans in Herald Test`.
pub(crate) fn channel_created(world: &World, channel: u64) -> String {
    let g = world.channel(channel).and_then(|c| c.guild_id).unwrap_or(0);
    format!(
        "[admin] created {} in {}",
        channel_kind_name(world, channel),
        guild(world, g)
    )
}

/// `[admin] renamed channel #plans to #roadmap` (before the change).
pub(crate) fn channel_renamed(world: &World, channel: u64, name: &str) -> String {
    let hash = match world.channel(channel) {
        Some(c) if c.kind == CHANNEL_VOICE || c.kind == CHANNEL_STAGE => "",
        _ => "#",
    };
    format!(
        "[admin] renamed {} to {hash}{}",
        channel_kind_name(world, channel),
        clip(name, MAX_TITLE)
    )
}

/// `[admin] deleted channel #plans` (before the change).
pub(crate) fn channel_deleted(world: &World, channel: u64) -> String {
    format!("[admin] deleted {}", channel_kind_name(world, channel))
}

/// `alice created thread #plans in #general`, or `[admin] created ...`.
pub(crate) fn thread_created(world: &World, who: Option<u64>, thread: u64) -> String {
    let parent = world
        .channel(thread)
        .and_then(|c| c.parent_id)
        .map_or_else(String::new, |p| format!(" in {}", channel_name(world, p)));
    format!(
        "{} created {}{parent}",
        subject(world, who),
        channel_kind_name(world, thread)
    )
}

/// `[admin] added alice to thread #plans` / `[admin] removed alice from
/// thread #plans`.
pub(crate) fn thread_member(world: &World, thread: u64, who: u64, add: bool) -> String {
    let (verb, prep) = if add {
        ("added", "to")
    } else {
        ("removed", "from")
    };
    format!(
        "[admin] {verb} {} {prep} {}",
        user(world, who),
        channel_kind_name(world, thread)
    )
}

/// `[admin] pinned a message in #general`, `herald-bot unpinned ...`.
pub(crate) fn pinned(world: &World, who: Option<u64>, channel: u64, pin: bool) -> String {
    let who_id = who.unwrap_or(world.bot_id);
    format!(
        "{} {} a message {}",
        subject(world, who),
        if pin { "pinned" } else { "unpinned" },
        place(world, who_id, channel)
    )
}

/// `[admin] created role Helper in Herald Test`.
pub(crate) fn role_created(world: &World, guild_id: u64, role_id: u64) -> String {
    format!(
        "[admin] created role {} in {}",
        role(world, role_id),
        guild(world, guild_id)
    )
}

/// `[admin] renamed role Helper to Helpers` (before the change).
pub(crate) fn role_renamed(world: &World, role_id: u64, name: &str) -> String {
    format!(
        "[admin] renamed role {} to {}",
        role(world, role_id),
        clip(name, MAX_TITLE)
    )
}

/// `[admin] deleted role Helper` (before the change).
pub(crate) fn role_deleted(world: &World, role_id: u64) -> String {
    format!("[admin] deleted role {}", role(world, role_id))
}

/// `[admin] set the emojis of Herald Test to :herald:, :wave:`.
pub(crate) fn emojis_set(world: &World, guild_id: u64, names: &[&str]) -> String {
    let shown: Vec<String> = names.iter().map(|n| format!(":{n}:")).collect();
    expressions_set(world, "emojis", guild_id, &shown)
}

/// `[admin] set the stickers of Herald Test to wave, cat`.
pub(crate) fn stickers_set(world: &World, guild_id: u64, names: &[&str]) -> String {
    let shown: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
    expressions_set(world, "stickers", guild_id, &shown)
}

fn expressions_set(world: &World, what: &str, guild_id: u64, shown: &[String]) -> String {
    if shown.is_empty() {
        format!("[admin] removed all {what} of {}", guild(world, guild_id))
    } else {
        format!(
            "[admin] set the {what} of {} to {}",
            guild(world, guild_id),
            shown.join(", ")
        )
    }
}

/// `[admin] deleted 3 messages in #general`, `herald-bot deleted ...`.
pub(crate) fn bulk_deleted(world: &World, who: Option<u64>, channel: u64, n: usize) -> String {
    let who_id = who.unwrap_or(world.bot_id);
    format!(
        "{} deleted {n} message{} {}",
        subject(world, who),
        if n == 1 { "" } else { "s" },
        place(world, who_id, channel)
    )
}

/// `[admin] removed all reactions from a message in #general`, or `...
/// the ✅ reactions ...` for one emoji.
pub(crate) fn reactions_cleared(
    world: &World,
    who: Option<u64>,
    channel: u64,
    key: Option<&str>,
) -> String {
    let who_id = who.unwrap_or(world.bot_id);
    let what = key.map_or_else(
        || "all reactions".to_owned(),
        |k| format!("the {} reactions", emoji(k)),
    );
    format!(
        "{} removed {what} from a message {}",
        subject(world, who),
        place(world, who_id, channel)
    )
}

/// `alice changed their username to alicia` (before the change).
pub(crate) fn username(world: &World, who: u64, name: &str) -> String {
    format!(
        "{} changed their username to {}",
        user(world, who),
        clip(name, MAX_TITLE)
    )
}

/// `alice is now idle`, `alice went offline`.
pub(crate) fn status(world: &World, who: u64, status: &str) -> String {
    match status {
        "offline" => format!("{} went offline", user(world, who)),
        "dnd" => format!("{} is now do not disturb", user(world, who)),
        other => format!("{} is now {other}", user(world, who)),
    }
}

/// `[admin] server-muted alice in Voice`, `[admin] server-undeafened ...`.
pub(crate) fn server_voice(
    world: &World,
    who: u64,
    channel: u64,
    mute: Option<bool>,
    deaf: Option<bool>,
) -> String {
    let mut changes = Vec::new();
    match mute {
        Some(true) => changes.push("server-muted"),
        Some(false) => changes.push("server-unmuted"),
        None => {}
    }
    match deaf {
        Some(true) => changes.push("server-deafened"),
        Some(false) => changes.push("server-undeafened"),
        None => {}
    }
    let name = world
        .channel(channel)
        .map_or_else(|| channel.to_string(), |c| c.name.clone());
    format!(
        "[admin] {} {} in {name}",
        changes.join(" and "),
        user(world, who)
    )
}

/// `[admin] started a stage in Town Hall: Q&A`.
pub(crate) fn stage(world: &World, verb: &str, channel: u64, topic: Option<&str>) -> String {
    let name = world
        .channel(channel)
        .map_or_else(|| channel.to_string(), |c| c.name.clone());
    match topic {
        Some(topic) => format!("[admin] {verb} in {name}: {}", clip(topic, MAX_DESCRIPTION)),
        None => format!("[admin] {verb} in {name}"),
    }
}

/// `[admin] scheduled event "Game night" in Herald Test`.
pub(crate) fn event_created(world: &World, guild_id: u64, name: &str) -> String {
    format!(
        "[admin] scheduled event \"{}\" in {}",
        clip(name, MAX_TITLE),
        guild(world, guild_id)
    )
}

/// `[admin] renamed event "Game night" to "Movie night"`.
pub(crate) fn event_renamed(old: &str, name: &str) -> String {
    format!(
        "[admin] renamed event \"{}\" to \"{}\"",
        clip(old, MAX_TITLE),
        clip(name, MAX_TITLE)
    )
}

/// `[admin] deleted event "Game night"`.
pub(crate) fn event_deleted(name: &str) -> String {
    format!("[admin] deleted event \"{}\"", clip(name, MAX_TITLE))
}

/// `alice is interested in event "Game night"` / `alice is no longer
/// interested in event "Game night"`.
pub(crate) fn interest(world: &World, who: u64, event: &str, add: bool) -> String {
    format!(
        "{} is {}interested in event \"{}\"",
        user(world, who),
        if add { "" } else { "no longer " },
        clip(event, MAX_TITLE)
    )
}

/// `[admin] created automod rule "No spam" (keyword spam) in Herald Test`,
/// `[admin] updated automod rule ...`, `[admin] deleted automod rule ...`.
pub(crate) fn automod_rule(
    world: &World,
    verb: &str,
    guild_id: u64,
    name: &str,
    keyword: Option<&str>,
) -> String {
    let mut line = format!("[admin] {verb} automod rule \"{}\"", clip(name, MAX_TITLE));
    if let Some(keyword) = keyword {
        let _ = write!(line, " (keyword {})", clip(keyword, MAX_TITLE));
    }
    let _ = write!(line, " in {}", guild(world, guild_id));
    line
}

/// `[automod] blocked alice's message in #general (rule "No spam", keyword
/// spam)`.
pub(crate) fn automod_blocked(
    world: &World,
    who: u64,
    channel: u64,
    rule: &str,
    keyword: &str,
) -> String {
    format!(
        "[automod] blocked {}'s message {} (rule \"{}\", keyword {})",
        user(world, who),
        place(world, who, channel),
        clip(rule, MAX_TITLE),
        clip(keyword, MAX_TITLE)
    )
}

/// `[gateway] raw dispatch GUILD_STICKERS_UPDATE`.
pub(crate) fn raw_dispatch(event: &str) -> String {
    format!("[gateway] raw dispatch {event}")
}

// ---- faults and gateway milestones ----------------------------------------------

/// `[fault] shard 0: op 7 RECONNECT`; `at_seq` for scheduled faults.
pub(crate) fn fault(shard: u32, fault: &Fault, at_seq: Option<u64>) -> String {
    let what = match fault {
        Fault::Close(code) => format!("close {code}"),
        Fault::Reconnect => "op 7 RECONNECT".to_owned(),
        Fault::InvalidSession { resumable: true } => "op 9 INVALID_SESSION (resumable)".to_owned(),
        Fault::InvalidSession { resumable: false } => {
            "op 9 INVALID_SESSION (not resumable)".to_owned()
        }
        Fault::Zombie => "zombie (the connection goes silent)".to_owned(),
        Fault::DropTcp => "TCP dropped".to_owned(),
        Fault::MalformedFrame => "malformed frame".to_owned(),
        Fault::RequestHeartbeat => "op 1 HEARTBEAT request".to_owned(),
    };
    match at_seq {
        Some(seq) => format!("[fault] shard {shard}: {what} after seq {seq}"),
        None => format!("[fault] shard {shard}: {what}"),
    }
}

/// `[gateway] shard 0 identified`, or `[gateway] shard 5 identified (after
/// 3 throttled identifies)`.
pub(crate) fn identified(shard: u32, throttled_before: usize) -> String {
    match throttled_before {
        0 => format!("[gateway] shard {shard} identified"),
        1 => format!("[gateway] shard {shard} identified (after 1 throttled identify)"),
        n => format!("[gateway] shard {shard} identified (after {n} throttled identifies)"),
    }
}

/// `[gateway] shard 5 identify throttled: bucket 1 already identified within
/// 200ms (max_concurrency 4); op 9`.
pub(crate) fn identify_throttled(
    shard: u32,
    throttle: IdentifyThrottle,
    config: &Config,
) -> String {
    let why = match throttle {
        IdentifyThrottle::MaxConcurrency { bucket } => format!(
            "bucket {bucket} already identified within {:?} (max_concurrency {})",
            config.identify_window, config.max_concurrency
        ),
        IdentifyThrottle::SessionStartLimit => "session start limit used up".to_owned(),
    };
    format!("[gateway] shard {shard} identify throttled: {why}; op 9")
}

/// `[gateway] shard 2 set presence: online, playing X`.
pub(crate) fn presence(record: &PresenceRecord) -> String {
    let mut line = format!(
        "[gateway] shard {} set presence: {}",
        record.shard[0], record.status
    );
    for activity in &record.activities {
        let name = clip(&activity_name(activity), MAX_TITLE);
        let what = match activity.get("type").and_then(Value::as_u64) {
            Some(0) => format!("playing {name}"),
            Some(1) => format!("streaming {name}"),
            Some(2) => format!("listening to {name}"),
            Some(3) => format!("watching {name}"),
            Some(4) => format!("custom status {name}"),
            Some(5) => format!("competing in {name}"),
            _ => name,
        };
        let _ = write!(line, ", {what}");
    }
    if record.afk {
        line.push_str(" (afk)");
    }
    line
}

/// `[gateway] shard 0 identify rejected: 4014 Disallowed intent(s)`.
pub(crate) fn identify_rejected(shard: u32, code: u16, reason: &str) -> String {
    format!(
        "[gateway] shard {shard} identify rejected: {code} {}",
        reason.trim_end_matches('.')
    )
}

/// `[gateway] shard 0 resumed`.
pub(crate) fn resumed(shard: u32) -> String {
    format!("[gateway] shard {shard} resumed")
}

/// `[gateway] shard 0 resume refused (...)`, or without a shard for an
/// unknown session.
pub(crate) fn resume_refused(shard: Option<u32>, why: &str) -> String {
    match shard {
        Some(shard) => format!("[gateway] shard {shard} resume refused ({why})"),
        None => format!("[gateway] resume refused ({why})"),
    }
}

/// `[gateway] shard 0 disconnected`.
pub(crate) fn disconnected(shard: u32) -> String {
    format!("[gateway] shard {shard} disconnected")
}

pub(crate) fn client_closed(shard: u32, code: u16) -> String {
    format!("[gateway] shard {shard} closed its connection ({code})")
}

// ---- the bot's REST writes ----------------------------------------------------------

/// The transcript line of one REST request, prepared before it is answered
/// (so names of deleted things are still known) and finished with the
/// answer.
pub(crate) struct RestLine {
    /// The bot's name.
    bot: String,
    /// The line if the request succeeds (`None`: no line, e.g. opening a DM).
    success: Option<String>,
    /// `herald-bot: POST /channels/#general/messages`.
    failure: String,
    /// For a message to a DM channel: the recipient's name.
    dm_recipient: Option<String>,
}

impl RestLine {
    /// Prepares the line of a request. Reads (GET, HEAD, OPTIONS) get a line
    /// only when they fail (an injected fault, an unknown id).
    pub(crate) fn before(
        state: &State,
        method: &str,
        path: &str,
        body: Option<&Value>,
        reason: Option<&str>,
    ) -> Option<Self> {
        let world = &state.world;
        let bot = world.bot_id;
        let bot_name = user(world, bot);
        let route = strip_api_prefix(path);
        let decoded: Vec<String> = route
            .trim_start_matches('/')
            .split('/')
            .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
            .collect();
        let segs: Vec<&str> = decoded.iter().map(String::as_str).collect();
        let mut line = Self {
            failure: format!("{bot_name}: {method} {}", readable_route(world, &segs)),
            bot: bot_name.clone(),
            success: None,
            dm_recipient: None,
        };
        if !path.starts_with("/api/v10/") || matches!(method, "GET" | "HEAD" | "OPTIONS") {
            return Some(line);
        }
        let field = |key: &str| body.and_then(|b| b.get(key));
        let text = |key: &str| field(key).and_then(Value::as_str).unwrap_or("");
        let array = |key: &str| field(key).and_then(Value::as_array).map(Vec::as_slice);
        let num = |s: &str| s.parse::<u64>().ok();
        let with = |text: String| with_reason(text, reason);
        line.success = match (method, segs.as_slice()) {
            ("POST", ["channels", c, "messages"]) => num(c).map(|c| {
                line.dm_recipient = world
                    .channel(c)
                    .filter(|ch| ch.kind == CHANNEL_DM)
                    .and_then(|ch| ch.recipient)
                    .map(|r| user(world, r));
                message(
                    world,
                    bot,
                    c,
                    text("content"),
                    array("embeds").unwrap_or(&[]),
                    array("components").unwrap_or(&[]),
                )
            }),
            ("PATCH", ["channels", c, "messages", _]) => num(c).map(|c| {
                let content = field("content").map(|v| v.as_str().unwrap_or(""));
                edited(world, bot, c, content, array("embeds"), array("components"))
            }),
            ("DELETE", ["channels", c, "messages", m]) => num(c).map(|c| {
                let author = num(m)
                    .and_then(|m| world.message(c, m))
                    .map(|m| m.author_id);
                deleted(world, bot, c, author)
            }),
            ("PUT" | "DELETE", ["channels", c, "messages", _, "reactions", key, "@me"]) => {
                num(c).map(|c| reacted(world, bot, c, key, method == "PUT"))
            }
            ("POST", ["channels", c, "typing"]) => num(c).map(|c| typing(world, bot, c)),
            ("POST", ["channels", c, "messages", "bulk-delete"]) => num(c).map(|c| {
                let known = array("messages").map_or(0, |ids| {
                    ids.iter()
                        .filter_map(|v| v.as_str().and_then(|s| s.parse().ok()).or(v.as_u64()))
                        .filter(|m| world.message(c, *m).is_some())
                        .count()
                });
                bulk_deleted(world, Some(bot), c, known)
            }),
            ("DELETE", ["channels", c, "messages", _, "reactions"]) => {
                num(c).map(|c| reactions_cleared(world, Some(bot), c, None))
            }
            ("DELETE", ["channels", c, "messages", _, "reactions", key]) => {
                num(c).map(|c| reactions_cleared(world, Some(bot), c, Some(key)))
            }
            ("DELETE", ["channels", c, "messages", _, "reactions", key, u]) => {
                match (num(c), num(u)) {
                    (Some(c), Some(u)) => Some(format!(
                        "{bot_name} removed {}'s {} reaction from a message {}",
                        user(world, u),
                        emoji(key),
                        place(world, bot, c)
                    )),
                    _ => None,
                }
            }
            (
                "PUT" | "DELETE",
                ["channels", c, "messages", "pins", _] | ["channels", c, "pins", _],
            ) => num(c).map(|c| pinned(world, Some(bot), c, method == "PUT")),
            ("PATCH", ["guilds", g, "members", u]) => match (num(g), num(u)) {
                (Some(_), Some(u)) => body.map(|b| with(member_patch(world, &bot_name, u, b))),
                _ => None,
            },
            ("DELETE", ["guilds", g, "members", u]) => match (num(g), num(u)) {
                (Some(g), Some(u)) => Some(moderated(world, "kicked", bot, u, g, reason)),
                _ => None,
            },
            ("PUT" | "DELETE", ["guilds", _, "members", u, "roles", r]) => match (num(u), num(r)) {
                (Some(u), Some(r)) if method == "PUT" => Some(with(format!(
                    "{bot_name} gave {} the role {}",
                    user(world, u),
                    role(world, r)
                ))),
                (Some(u), Some(r)) => Some(with(format!(
                    "{bot_name} took the role {} from {}",
                    role(world, r),
                    user(world, u)
                ))),
                _ => None,
            },
            ("PUT" | "DELETE", ["guilds", g, "bans", u]) => match (num(g), num(u)) {
                (Some(g), Some(u)) => {
                    let verb = if method == "PUT" {
                        "banned"
                    } else {
                        "unbanned"
                    };
                    Some(moderated(world, verb, bot, u, g, reason))
                }
                _ => None,
            },
            ("POST", ["interactions", _, _, "callback"]) => {
                body.map(|b| interaction_callback(&bot_name, b))
            }
            ("POST", ["webhooks", _, _]) => Some(format!(
                "{bot_name} followed up an interaction: {}",
                summary(
                    text("content"),
                    array("embeds").unwrap_or(&[]),
                    array("components").unwrap_or(&[]),
                )
            )),
            ("PATCH", ["webhooks", _, token, "messages", which]) => {
                let answered = state
                    .interactions
                    .get(*token)
                    .is_some_and(|i| i.response_message.is_some());
                let shown = summary(
                    text("content"),
                    array("embeds").unwrap_or(&[]),
                    array("components").unwrap_or(&[]),
                );
                Some(if *which == "@original" && !answered {
                    // Editing the original after a deferral posts the answer.
                    format!("{bot_name} answered an interaction: {shown}")
                } else {
                    format!("{bot_name} edited an interaction answer: {shown}")
                })
            }
            ("DELETE", ["webhooks", _, _, "messages", _]) => {
                Some(format!("{bot_name} deleted an interaction answer"))
            }
            (
                "PUT",
                ["applications", _, "commands"] | ["applications", _, "guilds", _, "commands"],
            ) => {
                let names = match body {
                    Some(Value::Array(list)) => command_names(list),
                    _ => String::new(),
                };
                Some(if names.is_empty() {
                    format!("{bot_name} cleared its commands")
                } else {
                    format!("{bot_name} registered commands {names}")
                })
            }
            (
                "POST",
                ["applications", _, "commands"] | ["applications", _, "guilds", _, "commands"],
            ) => Some(format!(
                "{bot_name} registered command {}",
                command_names(std::slice::from_ref(body.unwrap_or(&Value::Null)))
            )),
            _ => None,
        };
        Some(line)
    }

    /// The line for the answer: the success line for 2xx, else a failure.
    pub(crate) fn finish(self, status: u16, answer: Option<&Value>) -> Option<String> {
        if (200..300).contains(&status) {
            return self.success;
        }
        let code = answer.and_then(|a| a.get("code")).and_then(Value::as_u64);
        if let (Some(recipient), Some(50007)) = (&self.dm_recipient, code) {
            return Some(format!(
                "{} could not DM {recipient} (DMs closed)",
                self.bot
            ));
        }
        let message = answer
            .and_then(|a| a.get("message"))
            .and_then(Value::as_str)
            .unwrap_or("");
        // "404: Not Found (...)" → "Not Found (...)".
        let status_prefix = format!("{status}: ");
        let message = message.strip_prefix(&status_prefix).unwrap_or(message);
        let mut line = format!("{} failed: {status}", self.failure);
        if !message.is_empty() {
            let _ = write!(line, " {}", clip(message, MAX_TEXT));
        }
        Some(line)
    }
}

/// The route with ids of known channels, guilds, users and roles replaced by
/// their names: `/channels/#general/messages`.
fn readable_route(world: &World, segs: &[&str]) -> String {
    let mut out = String::new();
    let mut previous = "";
    for seg in segs {
        out.push('/');
        let id = seg.parse::<u64>().ok();
        let name = id.and_then(|id| match previous {
            "channels" => world.channel(id).map(|c| match c.recipient {
                Some(r) if c.kind == CHANNEL_DM => format!("dm:{}", user(world, r)),
                _ => format!("#{}", c.name),
            }),
            "guilds" => world.guild(id).map(|g| g.name.clone()),
            "users" | "members" | "bans" => world.user_rec(id).map(|u| u.name.clone()),
            "roles" => Some(role(world, id)).filter(|r| !r.starts_with("role ")),
            _ => None,
        });
        match name {
            Some(name) => out.push_str(&name),
            None => out.push_str(seg),
        }
        previous = seg;
    }
    out
}

/// `herald-bot set dave's nickname to "Dave", set dave's roles to Member`.
fn member_patch(world: &World, bot_name: &str, target: u64, body: &Value) -> String {
    let who = user(world, target);
    let mut changes = Vec::new();
    if let Some(nick) = body.get("nick") {
        changes.push(match nick.as_str().filter(|n| !n.is_empty()) {
            Some(nick) => format!("set {who}'s nickname to \"{}\"", clip(nick, MAX_TITLE)),
            None => format!("removed {who}'s nickname"),
        });
    }
    if let Some(roles) = body.get("roles").and_then(Value::as_array) {
        let names: Vec<String> = roles
            .iter()
            .filter_map(|r| {
                r.as_str()
                    .and_then(|s| s.parse().ok())
                    .or_else(|| r.as_u64())
            })
            .map(|r| role(world, r))
            .collect();
        changes.push(if names.is_empty() {
            format!("removed all of {who}'s roles")
        } else {
            format!("set {who}'s roles to {}", names.join(", "))
        });
    }
    if let Some(until) = body.get("communication_disabled_until") {
        changes.push(match until.as_str() {
            Some(until) => format!("timed out {who} until {until}"),
            None => format!("lifted {who}'s timeout"),
        });
    }
    if changes.is_empty() {
        format!("{bot_name} updated {who}")
    } else {
        format!("{bot_name} {}", changes.join(", "))
    }
}

/// The line of an interaction callback, by response type.
fn interaction_callback(bot_name: &str, body: &Value) -> String {
    let data = body.get("data");
    let text = |key: &str| {
        data.and_then(|d| d.get(key))
            .and_then(Value::as_str)
            .unwrap_or("")
    };
    let array = |key: &str| {
        data.and_then(|d| d.get(key))
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice)
    };
    let shown = || summary(text("content"), array("embeds"), array("components"));
    let ephemeral = data
        .and_then(|d| d.get("flags"))
        .and_then(Value::as_u64)
        .is_some_and(|f| f & 64 != 0);
    match body.get("type").and_then(Value::as_u64).unwrap_or(0) {
        1 => format!("{bot_name} answered a ping"),
        4 if ephemeral => format!(
            "{bot_name} answered an interaction (only the user sees it): {}",
            shown()
        ),
        4 => format!("{bot_name} answered an interaction: {}", shown()),
        5 => format!("{bot_name} deferred its answer to an interaction"),
        6 => format!("{bot_name} acknowledged an interaction"),
        7 => format!(
            "{bot_name} answered an interaction by editing the message: {}",
            shown()
        ),
        8 => format!("{bot_name} sent autocomplete choices"),
        9 => {
            let title = text("title");
            if title.is_empty() {
                format!("{bot_name} opened modal {}", text("custom_id"))
            } else {
                format!("{bot_name} opened modal \"{}\"", clip(title, MAX_TITLE))
            }
        }
        other => format!("{bot_name} answered an interaction (type {other})"),
    }
}

/// `/level, /warn`.
fn command_names(list: &[Value]) -> String {
    list.iter()
        .filter_map(|c| c.get("name").and_then(Value::as_str))
        .map(|n| format!("/{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn clip_flattens_and_cuts() {
        assert_eq!(clip("a\nb", 10), "a ⏎ b");
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("ab  cdef", 4), "ab…");
        assert_eq!(clip("élan", 4), "élan");
    }

    #[test]
    fn summaries() {
        let long = "x".repeat(300);
        let embeds = [json!({"title": "Member joined", "description": long, "fields": [{}, {}]})];
        let s = summary("", &embeds, &[]);
        assert!(s.starts_with("[embed] Member joined — xxx"), "{s}");
        assert!(s.ends_with("x… (2 fields)"), "{s}");
        assert_eq!(
            s.chars().count(),
            "[embed] Member joined — ".chars().count() + 100 + 11
        );
        let rows = [json!({"type": 1, "components": [
            {"type": 2, "label": "Yes", "custom_id": "y"},
            {"type": 2, "emoji": {"name": "✅"}, "custom_id": "ok"},
            {"type": 3, "custom_id": "pick"},
        ]})];
        assert_eq!(
            summary("Sure?", &[], &rows),
            "Sure? [buttons: Yes, ✅] [menu: pick]"
        );
        assert_eq!(summary("", &[], &[]), "(empty message)");
        assert_eq!(summary("", &[json!({})], &[]), "[embed]");
    }

    #[test]
    fn emojis() {
        assert_eq!(emoji("✅"), "✅");
        assert_eq!(emoji("party:123"), ":party:");
    }
}
