//! What the sandbox observed: REST requests, gateway identifies and resumes,
//! and the messages in each channel.

use std::time::Instant;

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
    /// The session created, or `None` when the identify was rejected.
    pub session_id: Option<String>,
    /// The close code the identify was rejected with (4004, 4013, 4014, ...).
    pub rejected_with: Option<u16>,
    /// When it arrived.
    pub at: Instant,
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
