//! The readable transcript: one line per thing that happened, from both
//! sides, in the order the sandbox saw it.
//!
//! This module holds the [`Transcript`] itself, how names are shown (users,
//! channels as `#general`, custom emojis as `:party:`, long texts clipped),
//! the lines of the core (gateway milestones, faults, the generic line of a
//! failed REST request). Each feature renders its own lines with these
//! helpers, next to the change they describe:
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
//! happens (names are resolved at that moment).

use std::{fmt::Write as _, time::Duration};

use serde_json::Value;

use crate::core::{
    faults::Fault,
    records::{IdentifyThrottle, PresenceRecord, Ring, activity_name},
    world::{CHANNEL_DM, CHANNEL_STAGE, CHANNEL_VOICE, World},
};

/// Longest message text kept in a line (characters).
pub(crate) const MAX_TEXT: usize = 200;
/// Longest embed title kept.
pub(crate) const MAX_TITLE: usize = 80;
/// Longest embed description or field value kept.
pub(crate) const MAX_DESCRIPTION: usize = 100;

/// The lines so far, and whether to print each one as it is added.
#[derive(Debug)]
pub(crate) struct Transcript {
    lines: Ring<String>,
    print: bool,
}

impl Transcript {
    pub(crate) fn new(print: bool, limit: usize) -> Self {
        Self {
            lines: Ring::new(limit),
            print,
        }
    }

    /// Forgets the lines kept (the count of dropped ones stays).
    pub(crate) fn clear(&mut self) {
        self.lines.clear();
    }

    /// The lines kept (the newest), oldest first.
    pub(crate) fn lines(&self) -> &Ring<String> {
        &self.lines
    }

    /// Appends a line (and prints it if asked to). A failed write (stdout
    /// closed: `cargo run --example x | head`) stops the printing, never the
    /// sandbox: `println!` would panic here, inside the sandbox's lock.
    pub(crate) fn push(&mut self, line: String) {
        if self.print {
            use std::io::Write as _;
            let mut out = std::io::stdout().lock();
            if writeln!(out, "{line}").and_then(|()| out.flush()).is_err() {
                self.print = false;
            }
        }
        self.lines.push(line);
    }
}

/// The sandbox was reset.
pub(crate) fn reset() -> String {
    "[sandbox] reset: the world as it started, no records".to_owned()
}

/// A gateway connection refused for its URL's parameters.
pub(crate) fn refused_connection(code: u16, reason: &str) -> String {
    format!("[gateway] refused a connection with {code}: {reason}")
}

// ---- names ------------------------------------------------------------------

/// A user's name (`user 123` if unknown).
pub(crate) fn user(world: &World, id: u64) -> String {
    world
        .user_rec(id)
        .map_or_else(|| format!("user {id}"), |u| u.name.clone())
}

pub(crate) fn guild(world: &World, id: u64) -> String {
    world
        .guild(id)
        .map_or_else(|| format!("guild {id}"), |g| g.name.clone())
}

pub(crate) fn role(world: &World, id: u64) -> String {
    world
        .guilds
        .iter()
        .flat_map(|g| &g.roles)
        .find(|r| r.id == id)
        .map_or_else(|| format!("role {id}"), |r| r.name.clone())
}

/// `#general`, or `DM` for a DM channel.
pub(crate) fn channel_name(world: &World, id: u64) -> String {
    match world.channel(id) {
        Some(c) if c.kind == CHANNEL_DM => "DM".to_owned(),
        Some(c) => format!("#{}", c.name),
        None => format!("channel {id}"),
    }
}

/// The other party of a DM channel, seen from `who`.
pub(crate) fn dm_peer(world: &World, who: u64, channel: u64) -> Option<u64> {
    let c = world.channel(channel).filter(|c| c.kind == CHANNEL_DM)?;
    let recipient = c.recipient?;
    Some(if who == recipient {
        world.bot_id
    } else {
        recipient
    })
}

/// `in #general`, or `in a DM with bob` (the other party, seen from `who`).
pub(crate) fn place(world: &World, who: u64, channel: u64) -> String {
    match dm_peer(world, who, channel) {
        Some(peer) => format!("in a DM with {}", user(world, peer)),
        None => format!("in {}", channel_name(world, channel)),
    }
}

/// `✅`, or `:party:` for a custom emoji (`"party:123"`).
pub(crate) fn emoji(key: &str) -> String {
    match key.rsplit_once(':') {
        Some((name, id)) if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) => {
            format!(":{}:", name.trim_start_matches("a:"))
        }
        _ => key.to_owned(),
    }
}

/// One line of at most `max` characters: newlines become ` ⏎ `, the rest
/// is cut with `…`.
pub(crate) fn clip(text: &str, max: usize) -> String {
    let flat = text.trim().replace("\r\n", "\n").replace('\n', " ⏎ ");
    if flat.chars().count() <= max {
        return flat;
    }
    let mut out: String = flat.chars().take(max.saturating_sub(1)).collect();
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

pub(crate) fn with_reason(mut line: String, reason: Option<&str>) -> String {
    if let Some(reason) = reason.filter(|r| !r.is_empty()) {
        let _ = write!(line, " (reason: {})", clip(reason, MAX_DESCRIPTION));
    }
    line
}

// ---- who and where ----------------------------------------------------------

/// Who did it: a user's name, or `[admin]` for the sandbox acting as a
/// guild admin (`None`).
pub(crate) fn subject(world: &World, who: Option<u64>) -> String {
    who.map_or_else(|| "[admin]".to_owned(), |u| user(world, u))
}

/// `#general`, `voice channel Lounge`, `stage channel Town Hall`,
/// `thread #plans`.
pub(crate) fn channel_kind_name(world: &World, id: u64) -> String {
    match world.channel(id) {
        Some(c) if c.kind == CHANNEL_VOICE => format!("voice channel {}", c.name),
        Some(c) if c.kind == CHANNEL_STAGE => format!("stage channel {}", c.name),
        Some(c) if c.thread.is_some() => format!("thread #{}", c.name),
        _ => format!("channel {}", channel_name(world, id)),
    }
}

/// `[admin] renamed channel #plans to #roadmap`, `[admin] renamed thread
/// #plans to #roadmap` (rendered before the change).
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
    (window, max_concurrency): (Duration, u32),
) -> String {
    let why = match throttle {
        IdentifyThrottle::MaxConcurrency { bucket } => format!(
            "bucket {bucket} already identified within {window:?} (max_concurrency \
             {max_concurrency})"
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

/// `[gateway] shard 0 closed its connection (1000)`.
pub(crate) fn client_closed(shard: u32, code: u16) -> String {
    format!("[gateway] shard {shard} closed its connection ({code})")
}

// ---- failed REST requests ------------------------------------------------------

/// The generic line of a failed REST request (prepared before it is
/// answered, so names of deleted things are still known):
/// `herald-bot: POST /channels/#errors/messages failed: 403 Missing
/// Permissions`, or `herald-bot could not DM dave (DMs closed)` when a write
/// to a DM channel is refused with Discord's code 50007.
pub(crate) struct FailureLine {
    /// `herald-bot: POST /channels/#general/messages`.
    head: String,
    bot: String,
    /// The recipient's name, for a request on a DM channel.
    dm_recipient: Option<String>,
}

impl FailureLine {
    /// Prepares the line of `method` on the route `segs` (the path after
    /// `/api/v10`, split and percent-decoded).
    pub(crate) fn new(world: &World, method: &str, segs: &[&str]) -> Self {
        let bot = user(world, world.bot_id);
        let dm_recipient = match segs {
            ["channels", c, ..] if method != "GET" => c
                .parse::<u64>()
                .ok()
                .and_then(|c| world.channel(c))
                .filter(|c| c.kind == CHANNEL_DM)
                .and_then(|c| c.recipient)
                .map(|r| user(world, r)),
            _ => None,
        };
        Self {
            head: format!("{bot}: {method} {}", readable_route(world, segs)),
            bot,
            dm_recipient,
        }
    }

    /// The line for a failed answer (`status`, Discord's error body).
    pub(crate) fn finish(self, status: u16, answer: Option<&Value>) -> String {
        let code = answer.and_then(|a| a.get("code")).and_then(Value::as_u64);
        if let (Some(recipient), Some(50007)) = (&self.dm_recipient, code) {
            return format!("{} could not DM {recipient} (DMs closed)", self.bot);
        }
        let message = answer
            .and_then(|a| a.get("message"))
            .and_then(Value::as_str)
            .unwrap_or("");
        // "404: Not Found (...)" → "Not Found (...)".
        let status_prefix = format!("{status}: ");
        let message = message.strip_prefix(&status_prefix).unwrap_or(message);
        let mut line = format!("{} failed: {status}", self.head);
        if !message.is_empty() {
            let _ = write!(line, " {}", clip(message, MAX_TEXT));
        }
        line
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_flattens_and_cuts() {
        assert_eq!(clip("a\nb", 10), "a ⏎ b");
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("ab  cdef", 4), "ab…");
        assert_eq!(clip("élan", 4), "élan");
    }

    #[test]
    fn emojis() {
        assert_eq!(emoji("✅"), "✅");
        assert_eq!(emoji("party:123"), ":party:");
    }
}
