//! [`ShardHandle`]: what the rest of the bot knows of a running shard, and how it talks to it.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::Notify;
use twilight_gateway::{MessageSender, ShardId};
use twilight_model::gateway::CloseFrame;
use twilight_model::gateway::payload::outgoing::UpdatePresence;
use twilight_model::gateway::payload::outgoing::update_presence::UpdatePresencePayload;

/// A running shard, as listeners see it: its id, latency and state, and a channel to send it
/// commands (presence updates).
#[derive(Debug)]
pub struct ShardHandle {
    id: ShardId,
    sender: MessageSender,
    pub(crate) status: Mutex<ShardStatus>,
    /// The sequence number of the last dispatch the shard has handed to the router.
    processed: AtomicU64,
    watched: AtomicBool,
    progressed: Notify,
    status_changed: Notify,
    /// The session's id and resume URL, from READY (or the session it was started to resume).
    session: Mutex<Option<(String, Option<String>)>>,
    /// Close so that Discord keeps the session, at shutdown (a handover).
    keep_session: AtomicBool,
}

/// A shard's gateway session, as a new process needs it to resume instead of identifying:
/// [`Context::sessions`](crate::Context::sessions) hands them out,
/// [`BotBuilder::resume`](crate::BotBuilder::resume) takes them. Serializable, to pass through a
/// file or a store between processes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ShardSession {
    /// The shard's number.
    pub shard: u32,
    /// The bot's shard count (a session resumes only on the same shard of the same count).
    pub shards: u32,
    /// The session id (READY's `session_id`).
    pub session_id: String,
    /// The sequence number of the last dispatch the bot handed to its listeners: resuming from it
    /// replays every later one.
    pub sequence: u64,
    /// Where to resume (READY's `resume_gateway_url`).
    pub resume_url: Option<String>,
}

/// A shard's connection state, as [`ShardHandle::status`] reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ShardState {
    /// Not connected yet, or reconnecting.
    #[default]
    Connecting,
    /// Connected, identifying or resuming.
    Connected,
    /// Its session is ready.
    Ready,
    /// Closed for good (shutdown or a fatal close).
    Closed,
}

/// A snapshot of a shard's state and latency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ShardStatus {
    /// The connection state.
    pub state: ShardState,
    /// The most recent heartbeat round trip, once a heartbeat was acknowledged.
    pub latency: Option<Duration>,
    /// The average heartbeat round trip.
    pub average_latency: Option<Duration>,
}

impl ShardHandle {
    pub(crate) fn new(id: ShardId, sender: MessageSender) -> Self {
        ShardHandle {
            id,
            sender,
            status: Mutex::default(),
            processed: AtomicU64::new(0),
            watched: AtomicBool::new(false),
            progressed: Notify::new(),
            status_changed: Notify::new(),
            session: Mutex::new(None),
            keep_session: AtomicBool::new(false),
        }
    }

    /// The shard's session now: its id and resume URL, and the last dispatch handed to the router.
    /// `None` before its first READY (or a session it resumes).
    pub fn session(&self) -> Option<ShardSession> {
        let session = self.session.lock().unwrap_or_else(|p| p.into_inner());
        let (session_id, resume_url) = session.clone()?;
        Some(ShardSession {
            shard: self.id.number(),
            shards: self.id.total(),
            session_id,
            sequence: self.processed_sequence(),
            resume_url,
        })
    }

    /// A new session (READY), or the one the shard was started to resume (from `sequence`).
    pub(crate) fn set_session(&self, id: String, resume_url: Option<String>, sequence: u64) {
        *self.session.lock().unwrap_or_else(|p| p.into_inner()) = Some((id, resume_url));
        self.processed(sequence);
    }

    /// Closes so that Discord keeps the session when the bot shuts down.
    pub(crate) fn keep_session(&self) {
        self.keep_session.store(true, Ordering::Release);
    }

    /// Whether to close so that Discord keeps the session.
    pub(crate) fn keeps_session(&self) -> bool {
        self.keep_session.load(Ordering::Acquire)
    }

    /// The shard's id (its number; `id().total()` is the shard count).
    pub fn id(&self) -> ShardId {
        self.id
    }

    /// Its state and latency now.
    pub fn status(&self) -> ShardStatus {
        *self.status.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The most recent heartbeat round trip (disnake's `shard.latency`).
    pub fn latency(&self) -> Option<Duration> {
        self.status().latency
    }

    /// Sets this shard's presence (status and activities).
    ///
    /// # Errors
    /// When the shard has shut down.
    pub fn set_presence(&self, presence: UpdatePresencePayload) -> Result<(), crate::Error> {
        let command = UpdatePresence {
            d: presence,
            op: twilight_model::gateway::OpCode::PresenceUpdate,
        };
        self.sender
            .command(&command)
            .map_err(|_| crate::Error::ShardClosed(self.id.number()))
    }

    /// Sends a gateway command on this shard: joining a voice channel
    /// (`UpdateVoiceState`), requesting guild members (`RequestGuildMembers`), ... Commands are
    /// rate-limited as Discord asks (120 per minute per shard).
    ///
    /// ```no_run
    /// # use herald_framework::prelude::*;
    /// use herald_framework::model::gateway::payload::outgoing::UpdateVoiceState;
    /// # fn f(ctx: Context, guild: Id<GuildMarker>, channel: Id<ChannelMarker>) -> Result<(), Error> {
    /// let shard = ctx.shard(ctx.shard_id_of(guild).unwrap_or(0)).expect("a shard of this process");
    /// shard.command(&UpdateVoiceState::new(guild, Some(channel), true, false))?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// When the shard has shut down.
    pub fn command(&self, command: &impl twilight_gateway::Command) -> Result<(), crate::Error> {
        self.sender
            .command(command)
            .map_err(|_| crate::Error::ShardClosed(self.id.number()))
    }

    /// Restarts this shard's connection: it closes and reconnects, resuming its session, so no
    /// event is lost; the other shards are not touched.
    ///
    /// # Errors
    /// When the shard has shut down.
    pub fn restart(&self) -> Result<(), crate::Error> {
        self.sender
            .close(CloseFrame::RESUME)
            .map_err(|_| crate::Error::ShardClosed(self.id.number()))
    }

    /// Resolves with the shard's latency once a heartbeat has been acknowledged.
    pub async fn measured_latency(&self) -> Duration {
        loop {
            let changed = self.status_changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if let Some(latency) = self.latency() {
                return latency;
            }
            changed.await;
        }
    }

    pub(crate) fn update(&self, f: impl FnOnce(&mut ShardStatus)) {
        let state = {
            let mut status = self.status.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut status);
            status.state
        };
        crate::metrics::shard_state(self.id.number(), state as u8);
        self.status_changed.notify_waiters();
    }

    /// Records that every dispatch up to `sequence` has been handed to the router.
    pub(crate) fn processed(&self, sequence: u64) {
        self.processed.store(sequence, Ordering::Release);
        if self.watched.load(Ordering::Acquire) {
            self.progressed.notify_waiters();
        }
    }

    /// The sequence number of the last dispatch handed to the router.
    pub fn processed_sequence(&self) -> u64 {
        self.processed.load(Ordering::Acquire)
    }

    /// Resolves once the dispatch numbered `sequence` (of the current session) has been handed to
    /// the router: with [`ContextExt::idle`](crate::testing::ContextExt::idle), how tests know that the bot
    /// has handled everything sent so far.
    pub async fn processed_up_to(&self, sequence: u64) {
        self.watched.store(true, Ordering::Release);
        loop {
            let progressed = self.progressed.notified();
            tokio::pin!(progressed);
            progressed.as_mut().enable();
            if self.processed_sequence() >= sequence {
                return;
            }
            progressed.await;
        }
    }
}

/// A presence with one activity, for [`BotBuilder::presence`](crate::BotBuilder::presence),
/// [`Context::set_presence`](crate::Context::set_presence) and [`ShardHandle::set_presence`]:
/// `presence(Status::Online, ActivityType::Playing, "with herald")` shows "Playing with herald".
pub fn presence(
    status: twilight_model::gateway::presence::Status,
    kind: twilight_model::gateway::presence::ActivityType,
    name: impl Into<String>,
) -> UpdatePresencePayload {
    let activity = twilight_model::gateway::presence::MinimalActivity {
        kind,
        name: name.into(),
        url: None,
    };
    UpdatePresencePayload {
        activities: vec![activity.into()],
        afk: false,
        since: None,
        status,
    }
}
