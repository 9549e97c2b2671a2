//! What the sandbox records: REST requests, gateway identifies, resumes,
//! presences, heartbeats and close frames, live connections, and messages
//! as observers see them. Reading and waiting on them is the
//! [`observe`](super::observe) module's.

use std::{collections::VecDeque, time::Instant};

use serde_json::Value;
use twilight_model::{
    gateway::Intents,
    id::{
        Id,
        marker::{ChannelMarker, GuildMarker, MessageMarker, UserMarker},
    },
};

/// One REST request the bot made, with the sandbox's answer.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    /// HTTP method, upper case (`"POST"`).
    pub method: String,
    /// Path without the query, as sent: `"/api/v10/channels/1/messages"`.
    pub path: String,
    /// Query string without `?`, if any.
    pub query: Option<String>,
    /// The JSON body (for multipart requests: the `payload_json` part).
    pub body: Option<Value>,
    /// The `X-Audit-Log-Reason` header, percent-decoded.
    pub audit_log_reason: Option<String>,
    /// The status the sandbox answered.
    pub status: u16,
    /// The JSON body the sandbox answered, if any.
    pub response: Option<Value>,
    /// When the request arrived.
    pub at: Instant,
}

impl RecordedRequest {
    /// The path relative to the API version: `"/channels/1/messages"` for
    /// `"/api/v10/channels/1/messages"`.
    pub fn route(&self) -> &str {
        strip_api_prefix(&self.path)
    }

    /// Whether this is `method` on a path starting with `prefix` (with or
    /// without the `/api/v10` part): `r.is("POST", "/channels/")`.
    pub fn is(&self, method: &str, prefix: &str) -> bool {
        self.method.eq_ignore_ascii_case(method) && path_matches(&self.path, prefix)
    }
}

/// `/api/v10/x` → `/x`; other paths unchanged.
pub(crate) fn strip_api_prefix(path: &str) -> &str {
    path.strip_prefix("/api/v10")
        .or_else(|| path.strip_prefix("/api/v9"))
        .unwrap_or(path)
}

/// Prefix match on a recorded path: prefixes starting with `/api/` match the
/// full path, others the version-relative route.
pub(crate) fn path_matches(path: &str, prefix: &str) -> bool {
    if prefix.starts_with("/api/") {
        path.starts_with(prefix)
    } else {
        strip_api_prefix(path).starts_with(prefix)
    }
}

/// One IDENTIFY a client sent.
#[derive(Clone, Debug)]
pub struct IdentifyRecord {
    /// `[shard_id, shard_count]`.
    pub shard: [u32; 2],
    /// The intents asked for (bits the sandbox does not know are dropped).
    pub intents: Intents,
    /// The session created, or `None` when the identify was rejected or
    /// throttled.
    pub session_id: Option<String>,
    /// The close code the identify was rejected with (4004, 4010, 4011,
    /// 4013, 4014).
    pub rejected_with: Option<u16>,
    /// Why the identify was answered with op 9 `d:false` instead of READY
    /// (the connection stays open; twilight closes it and identifies again).
    /// `None` when it was accepted or closed with
    /// [`rejected_with`](Self::rejected_with).
    pub throttled: Option<IdentifyThrottle>,
    /// The compression of the connection it came on: `"zlib-stream"` or
    /// `"zstd-stream"` (the gateway URL's `compress`), `"zlib per payload"`
    /// (IDENTIFY's `compress: true`), or `None` for plain text frames.
    pub compression: Option<&'static str>,
    /// Its `large_threshold` (Discord's default 50 when absent; clamped to
    /// 50-250): guilds of more members come `large`, without their offline
    /// members.
    pub large_threshold: u64,
    /// When it arrived.
    pub at: Instant,
}

impl IdentifyRecord {
    /// Whether the identify started a session (READY was sent): neither
    /// rejected with a close code nor throttled.
    pub fn accepted(&self) -> bool {
        self.session_id.is_some()
    }

    /// The identify bucket of the shard under `max_concurrency`:
    /// `shard_id % max_concurrency`, as Discord computes it.
    pub fn bucket(&self, max_concurrency: u32) -> u32 {
        self.shard[0] % max_concurrency.max(1)
    }
}

/// Why an IDENTIFY got op 9 `d:false` (invalid session) instead of READY.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum IdentifyThrottle {
    /// Another identify of the same bucket (`shard_id % max_concurrency`)
    /// was accepted less than one identify window ago (see
    /// [`SandboxBuilder::max_concurrency`](crate::SandboxBuilder::max_concurrency)).
    MaxConcurrency {
        /// The bucket that was busy.
        bucket: u32,
    },
    /// The session start limit was used up (`remaining == 0`, see
    /// [`SandboxBuilder::session_start_limit`](crate::SandboxBuilder::session_start_limit)).
    SessionStartLimit,
}

/// A presence a shard set: op 3 PRESENCE_UPDATE, or the `presence` of an
/// accepted IDENTIFY.
#[derive(Clone, Debug)]
pub struct PresenceRecord {
    /// `[shard_id, shard_count]` of the session that sent it.
    pub shard: [u32; 2],
    /// `"online"`, `"idle"`, `"dnd"`, `"invisible"` or `"offline"` (as sent).
    pub status: String,
    /// The activities as sent (`{"name": "X", "type": 0, ...}`).
    pub activities: Vec<Value>,
    /// The `afk` flag as sent.
    pub afk: bool,
    /// The `since` field as sent (unix milliseconds), if any.
    pub since: Option<u64>,
    /// Whether it came with the IDENTIFY rather than an op 3.
    pub from_identify: bool,
    /// When it arrived.
    pub at: Instant,
}

impl PresenceRecord {
    /// The `name` of each activity, in order (custom statuses give their
    /// `state` when they have one).
    pub fn activity_names(&self) -> Vec<String> {
        self.activities.iter().map(activity_name).collect()
    }
}

/// The text of an activity: its `state` for a custom status (type 4), else
/// its `name`.
pub(crate) fn activity_name(activity: &Value) -> String {
    let state = activity.get("state").and_then(Value::as_str);
    let name = activity.get("name").and_then(Value::as_str).unwrap_or("");
    match (activity.get("type").and_then(Value::as_u64), state) {
        (Some(4), Some(state)) => state.to_owned(),
        _ => name.to_owned(),
    }
}

/// One RESUME a client sent.
#[derive(Clone, Debug)]
pub struct ResumeRecord {
    /// `[shard_id, shard_count]` of the resumed session (`None` when the
    /// session was unknown).
    pub shard: Option<[u32; 2]>,
    /// The session the client asked to resume.
    pub session_id: String,
    /// The last sequence number the client had seen.
    pub seq: u64,
    /// Whether the session was resumed (else op 9 `d:false` was sent).
    pub accepted: bool,
    /// How many missed dispatches were replayed.
    pub replayed: usize,
    /// When it arrived.
    pub at: Instant,
}

/// One heartbeat (op 1) a client sent.
#[derive(Clone, Debug)]
pub struct HeartbeatRecord {
    /// `[shard_id, shard_count]` of the connection's session (`None` before
    /// it identified or resumed).
    pub shard: Option<[u32; 2]>,
    /// The sequence number it carried (`d`).
    pub seq: Option<u64>,
    /// When it arrived.
    pub at: Instant,
}

/// A close frame a client sent (the bot closing its connection).
#[derive(Clone, Debug)]
pub struct ClientClose {
    /// `[shard_id, shard_count]` of the connection's session (`None` before
    /// it identified or resumed).
    pub shard: Option<[u32; 2]>,
    /// The close code (`None`: a close frame without one).
    pub code: Option<u16>,
    /// The reason text.
    pub reason: String,
    /// When it arrived.
    pub at: Instant,
}

/// A live, authenticated gateway connection (after READY or RESUMED).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionInfo {
    /// `[shard_id, shard_count]`.
    pub shard: [u32; 2],
    /// The session this connection serves.
    pub session_id: String,
    /// The intents of the session.
    pub intents: Intents,
    /// The last sequence number written to the session.
    pub seq: u64,
}

/// A message in a channel (posted by an actor or by the bot).
#[derive(Clone, Debug, PartialEq)]
pub struct StoredMessage {
    /// The message id.
    pub id: Id<MessageMarker>,
    /// Its channel.
    pub channel_id: Id<ChannelMarker>,
    /// Its guild (`None` in DMs).
    pub guild_id: Option<Id<GuildMarker>>,
    /// Its author.
    pub author_id: Id<UserMarker>,
    /// Current content.
    pub content: String,
    /// Embeds as sent (JSON).
    pub embeds: Vec<Value>,
    /// Components as sent (JSON).
    pub components: Vec<Value>,
    /// Whether it was edited.
    pub edited: bool,
    /// Reactions: emoji (`"✅"` or `"name:id"`) and the users who reacted.
    pub reactions: Vec<(String, Vec<Id<UserMarker>>)>,
}

/// What the sandbox keeps of one kind of record: the newest `limit` (see
/// [`SandboxBuilder::record_limit`](crate::SandboxBuilder::record_limit)),
/// and how many older ones were dropped to keep them, so that a sandbox
/// that runs for days keeps flat memory.
#[derive(Debug)]
pub(crate) struct Ring<T> {
    items: VecDeque<T>,
    limit: usize,
    dropped: u64,
}

impl<T> Ring<T> {
    pub(crate) fn new(limit: usize) -> Self {
        Self {
            items: VecDeque::new(),
            limit: limit.max(1),
            dropped: 0,
        }
    }

    /// Appends `item`, dropping the oldest beyond the limit.
    pub(crate) fn push(&mut self, item: T) {
        if self.items.len() == self.limit {
            self.items.pop_front();
            self.dropped += 1;
        }
        self.items.push_back(item);
    }

    /// How many records were dropped to stay within the limit.
    pub(crate) fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Forgets the records kept (the count of dropped ones stays).
    pub(crate) fn clear(&mut self) {
        self.items.clear();
    }

    pub(crate) fn to_vec(&self) -> Vec<T>
    where
        T: Clone,
    {
        self.items.iter().cloned().collect()
    }
}

impl<T> std::ops::Deref for Ring<T> {
    type Target = VecDeque<T>;

    fn deref(&self) -> &VecDeque<T> {
        &self.items
    }
}
