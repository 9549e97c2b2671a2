//! The dispatch fan-out: what each gateway event is ([`EventKind`]: its name
//! and the intents it needs, declared by the feature that sends it), the
//! `{t, s, op, d}` envelope, and delivery to every session that routes the
//! event and has its intents, into each session's resume log.

use serde::Serialize;
use twilight_model::gateway::Intents;

use crate::core::{
    state::{Outgoing, State},
    transcript,
};

/// One gateway event the sandbox sends: its name and the intent a session
/// needs to receive it, in a guild and outside one (DMs). Each feature
/// declares the kinds it sends, next to the code that sends them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct EventKind {
    pub(crate) name: &'static str,
    /// The intent needed for a guild's event (`None`: always delivered).
    guild: Option<Intents>,
    /// The intent needed outside a guild.
    dm: Option<Intents>,
    /// Whether [`Admin::dispatch_raw`](crate::Admin::dispatch_raw) applies
    /// these intents. `false` for events `dispatch_raw` delivered to every
    /// session before the sandbox modelled them: raw ones still are.
    raw_filtered: bool,
}

impl EventKind {
    /// An event delivered whatever the intents (INTERACTION_CREATE, READY,
    /// VOICE_SERVER_UPDATE, ...).
    pub(crate) const fn always(name: &'static str) -> Self {
        Self {
            name,
            guild: None,
            dm: None,
            raw_filtered: true,
        }
    }

    /// An event that needs `intent`, in a guild or not.
    pub(crate) const fn needs(name: &'static str, intent: Intents) -> Self {
        Self::needs_in(name, intent, intent)
    }

    /// An event that needs `guild` in a guild and `dm` outside one
    /// (MESSAGE_CREATE: GUILD_MESSAGES or DIRECT_MESSAGES).
    pub(crate) const fn needs_in(name: &'static str, guild: Intents, dm: Intents) -> Self {
        Self {
            name,
            guild: Some(guild),
            dm: Some(dm),
            raw_filtered: true,
        }
    }

    /// Leaves this event's intents out of `dispatch_raw` (see the field).
    pub(crate) const fn unfiltered_when_raw(mut self) -> Self {
        self.raw_filtered = false;
        self
    }

    /// The intent a session needs to receive this event (`in_guild`: the
    /// event belongs to a guild); `None`: always delivered.
    pub(crate) const fn required(&self, in_guild: bool) -> Option<Intents> {
        if in_guild { self.guild } else { self.dm }
    }

    /// What `dispatch_raw` requires.
    pub(crate) const fn required_when_raw(&self, in_guild: bool) -> Option<Intents> {
        if self.raw_filtered {
            self.required(in_guild)
        } else {
            None
        }
    }
}

/// Privileged intents: a bot must be approved for them (else close 4014).
pub(crate) const PRIVILEGED: Intents = Intents::GUILD_MEMBERS
    .union(Intents::GUILD_PRESENCES)
    .union(Intents::MESSAGE_CONTENT);

/// One dispatch to fan out.
pub(crate) struct Dispatch<'a> {
    pub(crate) name: &'a str,
    pub(crate) guild: Option<u64>,
    /// The intent needed (already resolved for the guild or DM case).
    pub(crate) needs: Option<Intents>,
    /// The `d` payload as compact JSON.
    pub(crate) d: &'a str,
    /// `d` with content blanked, for sessions without MESSAGE_CONTENT.
    pub(crate) d_redacted: Option<&'a str>,
    /// Intents needed besides the kind's (e.g. GUILD_MEMBERS for
    /// THREAD_MEMBERS_UPDATE about other users).
    pub(crate) also_needs: Intents,
}

impl<'a> Dispatch<'a> {
    /// A dispatch of `kind` with payload `d`.
    pub(crate) fn new(kind: &'a EventKind, guild: Option<u64>, d: &'a str) -> Self {
        Self {
            name: kind.name,
            guild,
            needs: kind.required(guild.is_some()),
            d,
            d_redacted: None,
            also_needs: Intents::empty(),
        }
    }
}

/// Serialises a payload to compact JSON. The sandbox's payloads are plain
/// data (twilight-model values and JSON), which always serialise.
pub(crate) fn to_json(payload: &impl Serialize) -> String {
    serde_json::to_string(payload).expect("sandbox payloads serialise to JSON")
}

/// The dispatch envelope, compact, with `t, s, op` before `d` (twilight's
/// fast path searches for them as text).
pub(crate) fn envelope(name: &str, seq: u64, d: &str) -> bytes::Bytes {
    let mut out = String::with_capacity(d.len() + name.len() + 40);
    out.push_str("{\"t\":\"");
    out.push_str(name);
    out.push_str("\",\"s\":");
    out.push_str(&seq.to_string());
    out.push_str(",\"op\":0,\"d\":");
    out.push_str(d);
    out.push('}');
    bytes::Bytes::from(out)
}

impl State {
    /// Sends `payload` as event `kind` of `guild` (`None`: not a guild
    /// event, shard 0) to every session that should get it.
    pub(crate) fn send(&mut self, kind: &EventKind, guild: Option<u64>, payload: &impl Serialize) {
        let d = to_json(payload);
        self.dispatch(&Dispatch::new(kind, guild, &d));
    }

    /// Sends a dispatch to every live session that routes it and has the
    /// intents for it, appending it to each session's log.
    pub(crate) fn dispatch(&mut self, dispatch: &Dispatch<'_>) {
        for index in 0..self.sessions.len() {
            let session = &self.sessions[index];
            if !session.alive || !session.routes(dispatch.guild) {
                continue;
            }
            if let Some(intent) = dispatch.needs
                && !session.intents.contains(intent)
            {
                continue;
            }
            if !session.intents.contains(dispatch.also_needs) {
                continue;
            }
            let d = match dispatch.d_redacted {
                Some(redacted) if !session.intents.contains(Intents::MESSAGE_CONTENT) => redacted,
                _ => dispatch.d,
            };
            self.push_to_session(index, dispatch.name, d);
        }
    }

    /// Appends one dispatch to one session (and writes it if connected).
    pub(crate) fn push_to_session(&mut self, index: usize, name: &str, d: &str) {
        let session = &mut self.sessions[index];
        session.seq += 1;
        let seq = session.seq;
        let frame = envelope(name, seq, d);
        session.log.push_back(frame.clone());
        if session.log.len() > self.resume_buffer {
            session.log.pop_front();
            session.log_start += 1;
        }
        let shard_id = session.shard[0];
        let conn = session.conn.and_then(|c| self.conns.get(&c));
        if let Some(conn) = conn {
            // A closed receiver means the connection task is ending; the
            // frame stays in the log for the resume.
            let _ = conn.tx.send(Outgoing::Frame(frame));
        }
        if !self.scheduled.is_empty()
            && let Some(pos) = self
                .scheduled
                .iter()
                .position(|(shard, at, _)| *shard == shard_id && *at == seq)
        {
            let (_, _, fault) = self.scheduled.remove(pos);
            if let Some(conn) = conn {
                let line = transcript::fault(shard_id, &fault, Some(seq));
                let _ = conn.tx.send(Outgoing::Fault(fault));
                self.note(line);
            } else {
                tracing::warn!(
                    shard = shard_id,
                    seq,
                    ?fault,
                    "scheduled fault reached its sequence while the shard was disconnected; dropped"
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        let k = EventKind::needs_in(
            "MESSAGE_CREATE",
            Intents::GUILD_MESSAGES,
            Intents::DIRECT_MESSAGES,
        );
        assert_eq!(k.required(true), Some(Intents::GUILD_MESSAGES));
        assert_eq!(k.required(false), Some(Intents::DIRECT_MESSAGES));
        assert_eq!(EventKind::always("INTERACTION_CREATE").required(true), None);
        let raw = EventKind::needs("INVITE_CREATE", Intents::GUILD_INVITES).unfiltered_when_raw();
        assert_eq!(raw.required(true), Some(Intents::GUILD_INVITES));
        assert_eq!(raw.required_when_raw(true), None);
    }

    #[test]
    fn envelope_order() {
        assert_eq!(
            &envelope("X", 3, "{}")[..],
            br#"{"t":"X","s":3,"op":0,"d":{}}"#
        );
    }
}
