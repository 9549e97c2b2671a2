//! Observing: the [`Records`] view, what the bot did and what the sandbox
//! saw, each with a `wait_for_*` that waits on the condition (no polling).

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use twilight_model::id::{Id, marker::ChannelMarker};

use crate::{
    core::{
        records::{
            ClientClose, ConnectionInfo, HeartbeatRecord, IdentifyRecord, PresenceRecord,
            RecordedRequest, ResumeRecord, StoredMessage,
        },
        state::{Shared, State},
        world::MessageRec,
    },
    error::SandboxError,
};

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
        self.shared.lock().requests.to_vec()
    }

    /// How many requests were dropped to stay within
    /// [`SandboxBuilder::record_limit`](crate::SandboxBuilder::record_limit)
    /// (the oldest go first).
    pub fn dropped_requests(&self) -> u64 {
        self.shared.lock().requests.dropped()
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
        self.shared.lock().identifies.to_vec()
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
        self.shared.lock().presences.to_vec()
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
        self.shared.lock().resumes.to_vec()
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
        self.shared.lock().client_closes.to_vec()
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
                |state| (state.identifies.len() >= n).then(|| state.identifies.to_vec()),
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
                |state| (state.resumes.len() >= n).then(|| state.resumes.to_vec()),
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

pub(crate) fn connections(state: &State) -> Vec<ConnectionInfo> {
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
