//! What the sandbox observed, and the [`Records`] view to read it: REST
//! requests, gateway identifies, resumes, presences, heartbeats and close
//! frames, live connections, and the messages in each channel; each with a
//! `wait_for_*` that waits on the condition (no polling).

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use serde_json::Value;
use twilight_model::{
    gateway::Intents,
    id::{
        Id,
        marker::{ChannelMarker, GuildMarker, MessageMarker, UserMarker},
    },
};

use crate::{
    core::{
        state::{Shared, State},
        world::MessageRec,
    },
    error::SandboxError,
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

/// Observation: what the bot did and what the sandbox saw, from
/// [`Sandbox::records`](crate::Sandbox::records).
///
/// ```no_run
/// # async fn f(sb: herald_sandbox::Sandbox) -> Result<(), herald_sandbox::SandboxError> {
/// use std::time::Duration;
/// let general = sb.channel("general");
/// let reply = sb
///     .records()
///     .wait_for_message(general, |m| m.content == "pong", Duration::from_secs(5))
///     .await?;
/// assert_eq!(reply.author_id, sb.bot_user_id());
/// assert!(sb.records().identifies().iter().any(|i| i.accepted()));
/// # Ok(()) }
/// ```
///
/// A cheap handle (it shares the sandbox's state); it does not keep the
/// sandbox's servers running.
#[derive(Clone, Debug)]
pub struct Records {
    shared: Arc<Shared>,
}

impl Records {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        Self { shared }
    }

    // ---- messages ---------------------------------------------------------------

    /// The messages currently in `channel` (oldest first), the bot's
    /// included.
    pub fn messages(&self, channel: Id<ChannelMarker>) -> Vec<StoredMessage> {
        let state = self.shared.lock();
        state
            .world
            .messages
            .get(&channel.get())
            .map(|list| list.iter().map(stored).collect())
            .unwrap_or_default()
    }

    /// Waits for a message in `channel` matching `predicate` (existing ones
    /// count).
    ///
    /// # Errors
    ///
    /// [`SandboxError::Timeout`] listing the channel's last messages.
    pub async fn wait_for_message(
        &self,
        channel: Id<ChannelMarker>,
        predicate: impl Fn(&StoredMessage) -> bool,
        timeout: Duration,
    ) -> Result<StoredMessage, SandboxError> {
        let c = channel.get();
        self.shared
            .wait_until(
                timeout,
                |state| {
                    let last: Vec<String> = state
                        .world
                        .messages
                        .get(&c)
                        .map(|l| {
                            l.iter()
                                .rev()
                                .take(5)
                                .map(|m| format!("{:?} by {}", m.content, m.author_id))
                                .collect()
                        })
                        .unwrap_or_default();
                    format!(
                        "a message matching the predicate in channel {c}; last messages there \
                         (newest first): {last:?}"
                    )
                },
                |state| {
                    state
                        .world
                        .messages
                        .get(&c)?
                        .iter()
                        .map(stored)
                        .find(|m| predicate(m))
                },
            )
            .await
    }

    // ---- REST ------------------------------------------------------------------------

    /// Every REST request so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.clone()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        self.shared.with(|state| state.requests.clear());
    }

    /// Waits for a request matching `predicate` (already recorded ones
    /// count: the first match is returned).
    ///
    /// ```no_run
    /// # async fn f(sb: herald_sandbox::Sandbox) -> Result<(), herald_sandbox::SandboxError> {
    /// use std::time::Duration;
    /// let post = sb
    ///     .records()
    ///     .wait_for_request(|r| r.is("POST", "/channels/"), Duration::from_secs(2))
    ///     .await?;
    /// assert_eq!(post.body.unwrap()["content"], "Welcome!");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`SandboxError::Timeout`] listing the requests seen.
    pub async fn wait_for_request(
        &self,
        predicate: impl Fn(&RecordedRequest) -> bool,
        timeout: Duration,
    ) -> Result<RecordedRequest, SandboxError> {
        self.shared
            .wait_until(
                timeout,
                |state| describe_requests("a REST request matching the predicate", state),
                |state| state.requests.iter().find(|r| predicate(r)).cloned(),
            )
            .await
    }

    /// Waits until `n` requests match `predicate`; returns the first `n`.
    ///
    /// # Errors
    ///
    /// [`SandboxError::Timeout`] listing the requests seen.
    pub async fn wait_for_requests(
        &self,
        predicate: impl Fn(&RecordedRequest) -> bool,
        n: usize,
        timeout: Duration,
    ) -> Result<Vec<RecordedRequest>, SandboxError> {
        self.shared
            .wait_until(
                timeout,
                |state| {
                    describe_requests(&format!("{n} REST requests matching the predicate"), state)
                },
                |state| {
                    let found: Vec<_> = state
                        .requests
                        .iter()
                        .filter(|r| predicate(r))
                        .take(n)
                        .cloned()
                        .collect();
                    (found.len() == n).then_some(found)
                },
            )
            .await
    }

    // ---- gateway ---------------------------------------------------------------------

    /// Every IDENTIFY so far (rejected and throttled ones included; see
    /// [`accepted_identifies`](Self::accepted_identifies)).
    pub fn identifies(&self) -> Vec<IdentifyRecord> {
        self.shared.lock().identifies.clone()
    }

    /// The IDENTIFYs that started a session (READY sent), in arrival
    /// order: neither rejected with a close code nor throttled. Their `at`
    /// is when each arrived, for identify pacing checks and benchmarks.
    pub fn accepted_identifies(&self) -> Vec<IdentifyRecord> {
        let state = self.shared.lock();
        state
            .identifies
            .iter()
            .filter(|i| i.accepted())
            .cloned()
            .collect()
    }

    /// `session_start_limit.remaining`: what `GET /gateway/bot` reports now
    /// (see [`SandboxBuilder::session_start_limit`](crate::SandboxBuilder::session_start_limit)).
    pub fn session_start_remaining(&self) -> u32 {
        let config = &self.shared.config;
        self.shared
            .with(|state| state.session_start_limit(config).0)
    }

    /// Every presence the bot set so far, per shard, in arrival order: each
    /// op 3 PRESENCE_UPDATE, and the `presence` of each accepted IDENTIFY
    /// that had one ([`PresenceRecord::from_identify`]).
    pub fn presences(&self) -> Vec<PresenceRecord> {
        self.shared.lock().presences.clone()
    }

    /// Waits for a presence matching `predicate` (already recorded ones
    /// count: the first match is returned).
    ///
    /// ```no_run
    /// # async fn f(sb: herald_sandbox::Sandbox) -> Result<(), herald_sandbox::SandboxError> {
    /// use std::time::Duration;
    /// let p = sb
    ///     .records()
    ///     .wait_for_presence(|p| p.shard == [2, 4], Duration::from_secs(2))
    ///     .await?;
    /// assert_eq!(p.activity_names(), ["with shards"]);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`SandboxError::Timeout`] listing the presences seen.
    pub async fn wait_for_presence(
        &self,
        predicate: impl Fn(&PresenceRecord) -> bool,
        timeout: Duration,
    ) -> Result<PresenceRecord, SandboxError> {
        self.shared
            .wait_until(
                timeout,
                |state| {
                    let seen: Vec<String> = state
                        .presences
                        .iter()
                        .map(|p| {
                            format!("shard {:?}: {} {:?}", p.shard, p.status, p.activity_names())
                        })
                        .collect();
                    format!("a presence matching the predicate; presences seen: {seen:?}")
                },
                |state| state.presences.iter().find(|p| predicate(p)).cloned(),
            )
            .await
    }

    /// Every RESUME so far (refused ones included).
    pub fn resumes(&self) -> Vec<ResumeRecord> {
        self.shared.lock().resumes.clone()
    }

    /// The heartbeats (op 1) clients sent, oldest first: the last 10,000.
    pub fn heartbeats(&self) -> Vec<HeartbeatRecord> {
        self.shared.lock().heartbeats.iter().cloned().collect()
    }

    /// Waits until shard `shard` has sent `n` heartbeats after `since`, and
    /// returns them: how a test checks that a bot keeps heartbeating.
    ///
    /// # Errors
    ///
    /// [`SandboxError::Timeout`] with the heartbeats seen.
    pub async fn wait_for_heartbeats(
        &self,
        shard: u32,
        n: usize,
        since: Instant,
        timeout: Duration,
    ) -> Result<Vec<HeartbeatRecord>, SandboxError> {
        let of_shard = move |state: &State| -> Vec<HeartbeatRecord> {
            state
                .heartbeats
                .iter()
                .filter(|h| h.at >= since && h.shard.is_some_and(|s| s[0] == shard))
                .cloned()
                .collect()
        };
        self.shared
            .wait_until(
                timeout,
                |state| {
                    format!(
                        "{n} heartbeats of shard {shard}; got {}",
                        of_shard(state).len()
                    )
                },
                |state| {
                    let beats = of_shard(state);
                    (beats.len() >= n).then_some(beats)
                },
            )
            .await
    }

    /// The close frames clients sent, in order: a bot that shuts down
    /// cleanly closes with 1000.
    pub fn client_closes(&self) -> Vec<ClientClose> {
        self.shared.lock().client_closes.clone()
    }

    /// Waits until shard `shard` sent a close frame, and returns it.
    ///
    /// # Errors
    ///
    /// [`SandboxError::Timeout`] with the close frames seen.
    pub async fn wait_for_client_close(
        &self,
        shard: u32,
        timeout: Duration,
    ) -> Result<ClientClose, SandboxError> {
        self.shared
            .wait_until(
                timeout,
                |state| {
                    format!(
                        "a close frame from shard {shard}; got {:?}",
                        state.client_closes
                    )
                },
                |state| {
                    state
                        .client_closes
                        .iter()
                        .find(|c| c.shard.is_some_and(|s| s[0] == shard))
                        .cloned()
                },
            )
            .await
    }

    /// The live, authenticated connections.
    pub fn connections(&self) -> Vec<ConnectionInfo> {
        connections(&self.shared.lock())
    }

    /// Waits until `shard` has a live, authenticated connection (READY or
    /// RESUMED written).
    ///
    /// # Errors
    ///
    /// [`SandboxError::Timeout`] describing the connections and identifies
    /// seen.
    pub async fn wait_for_connection(
        &self,
        shard: u32,
        timeout: Duration,
    ) -> Result<ConnectionInfo, SandboxError> {
        self.shared
            .wait_until(
                timeout,
                |state| {
                    format!(
                        "a live connection of shard {shard}; connections: {:?}; identifies \
                         (shard, rejected with, throttled): {:?}",
                        connections(state),
                        state
                            .identifies
                            .iter()
                            .rev()
                            .take(20)
                            .map(|i| (i.shard, i.rejected_with, i.throttled))
                            .collect::<Vec<_>>()
                    )
                },
                |state| {
                    connections(state)
                        .into_iter()
                        .rev()
                        .find(|c| c.shard[0] == shard)
                },
            )
            .await
    }

    /// Waits until `shard` has no live, authenticated connection (after a
    /// fault, before the client reconnects).
    ///
    /// # Errors
    ///
    /// [`SandboxError::Timeout`].
    pub async fn wait_for_disconnect(
        &self,
        shard: u32,
        timeout: Duration,
    ) -> Result<(), SandboxError> {
        self.shared
            .wait_until(
                timeout,
                |state| {
                    format!(
                        "shard {shard} to disconnect; connections: {:?}",
                        connections(state)
                    )
                },
                |state| (!connections(state).iter().any(|c| c.shard[0] == shard)).then_some(()),
            )
            .await
    }

    /// Waits until at least `n` IDENTIFYs arrived (rejected and throttled
    /// ones count).
    ///
    /// # Errors
    ///
    /// [`SandboxError::Timeout`].
    pub async fn wait_for_identifies(
        &self,
        n: usize,
        timeout: Duration,
    ) -> Result<Vec<IdentifyRecord>, SandboxError> {
        self.shared
            .wait_until(
                timeout,
                |state| format!("{n} identifies; got {}", state.identifies.len()),
                |state| (state.identifies.len() >= n).then(|| state.identifies.clone()),
            )
            .await
    }

    /// Waits until at least `n` RESUMEs arrived (refused ones count).
    ///
    /// # Errors
    ///
    /// [`SandboxError::Timeout`].
    pub async fn wait_for_resumes(
        &self,
        n: usize,
        timeout: Duration,
    ) -> Result<Vec<ResumeRecord>, SandboxError> {
        self.shared
            .wait_until(
                timeout,
                |state| format!("{n} resumes; got {:?}", state.resumes),
                |state| (state.resumes.len() >= n).then(|| state.resumes.clone()),
            )
            .await
    }
}

fn stored(m: &MessageRec) -> StoredMessage {
    StoredMessage {
        id: Id::new(m.id),
        channel_id: Id::new(m.channel_id),
        guild_id: m.guild_id.map(Id::new),
        author_id: Id::new(m.author_id),
        content: m.content.clone(),
        embeds: m.embeds.clone(),
        components: m.components.clone(),
        edited: m.edited_timestamp.is_some(),
        reactions: m
            .reactions
            .iter()
            .map(|(e, users)| (e.clone(), users.iter().map(|u| Id::new(*u)).collect()))
            .collect(),
    }
}

fn connections(state: &State) -> Vec<ConnectionInfo> {
    state
        .sessions
        .iter()
        .filter(|s| s.alive && s.conn.is_some())
        .map(|s| ConnectionInfo {
            shard: s.shard,
            session_id: s.id.clone(),
            intents: s.intents,
            seq: s.seq,
        })
        .collect()
}

fn describe_requests(what: &str, state: &State) -> String {
    let seen: Vec<String> = state
        .requests
        .iter()
        .rev()
        .take(10)
        .map(|r| format!("{} {} -> {}", r.method, r.path, r.status))
        .collect();
    format!(
        "{what}; {} requests recorded, the last ones (newest first): {seen:?}",
        state.requests.len()
    )
}
