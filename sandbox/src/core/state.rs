//! The shared state behind a sandbox: the fixed configuration (with the
//! token check), the world, gateway sessions and live connections, what was
//! recorded, the transcript, each feature's own bookkeeping, and the one
//! mutex around it all.

use std::{
    any::{Any, TypeId},
    collections::{HashMap, VecDeque},
    fmt,
    net::SocketAddr,
    sync::{Mutex, MutexGuard, PoisonError},
    time::{Duration, Instant},
};

use bytes::Bytes;
use tokio::sync::{mpsc, watch};
use twilight_model::gateway::Intents;

use crate::{
    core::{
        faults::{Fault, RestFaultRule},
        records::{
            ClientClose, HeartbeatRecord, IdentifyRecord, PresenceRecord, RecordedRequest,
            ResumeRecord, Ring,
        },
        transcript::{self, Transcript},
        world::World,
    },
    error::SandboxError,
};

/// How often Discord resets the session start limit (24 h).
pub(crate) const SESSION_START_PERIOD: Duration = Duration::from_secs(24 * 60 * 60);

/// Heartbeats kept in [`State::heartbeats`]: enough for any test, bounded for
/// a sandbox that runs for days.
pub(crate) const MAX_HEARTBEATS: usize = 10_000;

/// Fixed configuration of one sandbox.
#[derive(Debug)]
pub(crate) struct Config {
    pub(crate) token: String,
    pub(crate) heartbeat_interval: Duration,
    pub(crate) allowed_privileged: Intents,
    pub(crate) gateway_url: String,
    pub(crate) http_addr: SocketAddr,
    pub(crate) recommended_shards: u32,
    /// IDENTIFYs allowed per identify window, one per bucket
    /// (`shard_id % max_concurrency`).
    pub(crate) max_concurrency: u32,
    /// The identify window (Discord: 5 s).
    pub(crate) identify_window: Duration,
    /// Whether identifies over `max_concurrency` per window get op 9.
    pub(crate) enforce_concurrency: bool,
    /// Guilds one shard may hold before IDENTIFY is closed with 4011.
    pub(crate) max_guilds_per_shard: usize,
    /// `session_start_limit.total`.
    pub(crate) session_start_total: u32,
    /// `session_start_limit.remaining` at the start.
    pub(crate) session_start_remaining: u32,
    /// How long until `remaining` is reset to `total`, from the start.
    pub(crate) session_start_reset_after: Duration,
    /// Frames kept per session for RESUME.
    pub(crate) resume_buffer: usize,
    /// Print each transcript line to stdout as it is added.
    pub(crate) print_transcript: bool,
    /// Records of each kind kept (transcript lines, requests, identifies,
    /// ...): the newest, the older dropped and counted.
    pub(crate) record_limit: usize,
}

/// Everything the servers, actors and observers share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) config: Config,
    /// The world as the sandbox started, for [`State::reset`].
    pub(crate) initial: World,
    state: Mutex<State>,
    changed: watch::Sender<u64>,
}

/// What a connection task writes next.
#[derive(Debug)]
pub(crate) enum Outgoing {
    /// A complete text frame.
    Frame(Bytes),
    /// A fault to apply once everything queued before it is written.
    Fault(Fault),
}

#[derive(Debug)]
pub(crate) struct ConnEntry {
    pub(crate) tx: mpsc::UnboundedSender<Outgoing>,
    /// The session this connection serves, once identified or resumed.
    pub(crate) session: Option<String>,
}

#[derive(Debug)]
pub(crate) struct Session {
    pub(crate) id: String,
    pub(crate) shard: [u32; 2],
    pub(crate) intents: Intents,
    pub(crate) seq: u64,
    /// The last dispatch frames of the session; `log[n]` has
    /// `s = log_start + n + 1`.
    pub(crate) log: VecDeque<Bytes>,
    /// How many frames were dropped from the front of `log`.
    pub(crate) log_start: u64,
    pub(crate) conn: Option<u64>,
    pub(crate) alive: bool,
    /// IDENTIFY's `large_threshold` (50-250, default 50): guilds of more
    /// members are `large` and come without their offline members.
    pub(crate) large_threshold: u64,
}

impl Session {
    /// Whether this session receives events of `guild` (`None`: non-guild
    /// events, which go to shard 0).
    pub(crate) fn routes(&self, guild: Option<u64>) -> bool {
        let [id, total] = self.shard;
        match guild {
            Some(g) => (g >> 22) % u64::from(total.max(1)) == u64::from(id),
            None => id == 0,
        }
    }
}

/// Each feature's own bookkeeping (interaction tokens, invites, webhooks,
/// ...), one value per type, created on first use: a feature keeps its state
/// in its own module instead of a field here.
#[derive(Default)]
pub(crate) struct FeatureStates {
    map: HashMap<TypeId, (&'static str, Box<dyn Any + Send>)>,
}

impl FeatureStates {
    /// The feature state of type `T` (its default on first use).
    pub(crate) fn get<T: Default + Send + 'static>(&mut self) -> &mut T {
        let (_, value) = self
            .map
            .entry(TypeId::of::<T>())
            .or_insert_with(|| (std::any::type_name::<T>(), Box::new(T::default())));
        value
            .downcast_mut::<T>()
            .expect("feature states are keyed by their own type")
    }
}

impl fmt::Debug for FeatureStates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.map.values().map(|(name, _)| name))
            .finish()
    }
}

/// All mutable state, behind one mutex (never held across an await).
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) world: World,
    pub(crate) sessions: Vec<Session>,
    pub(crate) conns: HashMap<u64, ConnEntry>,
    pub(crate) next_conn: u64,
    pub(crate) next_session: u64,
    /// Faults to inject after dispatch `seq` of shard `shard` is written.
    pub(crate) scheduled: Vec<(u32, u64, Fault)>,
    pub(crate) identifies: Ring<IdentifyRecord>,
    /// `session_start_limit.remaining`: decremented per accepted IDENTIFY.
    pub(crate) session_start_remaining: u32,
    /// When `session_start_remaining` goes back to the total.
    pub(crate) session_start_reset_at: Instant,
    /// Per identify bucket: when its last identify was accepted.
    pub(crate) bucket_last_identify: Vec<Option<Instant>>,
    /// Per shard id: identifies throttled since its last accepted one (for
    /// one transcript line per streak).
    pub(crate) throttle_streaks: HashMap<u32, usize>,
    pub(crate) presences: Ring<PresenceRecord>,
    pub(crate) resumes: Ring<ResumeRecord>,
    /// The last [`MAX_HEARTBEATS`] heartbeats, oldest first.
    pub(crate) heartbeats: VecDeque<HeartbeatRecord>,
    /// Close frames clients sent.
    pub(crate) client_closes: Ring<ClientClose>,
    pub(crate) requests: Ring<RecordedRequest>,
    pub(crate) rest_faults: Vec<RestFaultRule>,
    pub(crate) resume_buffer: usize,
    pub(crate) transcript: Transcript,
    pub(crate) features: FeatureStates,
}

impl Shared {
    pub(crate) fn new(config: Config, world: World) -> Self {
        Self {
            initial: world.clone(),
            state: Mutex::new(State {
                resume_buffer: config.resume_buffer,
                world,
                sessions: Vec::new(),
                conns: HashMap::new(),
                next_conn: 1,
                next_session: 1,
                scheduled: Vec::new(),
                identifies: Ring::new(config.record_limit),
                session_start_remaining: config.session_start_remaining,
                session_start_reset_at: Instant::now() + config.session_start_reset_after,
                bucket_last_identify: vec![None; config.max_concurrency.max(1) as usize],
                throttle_streaks: HashMap::new(),
                presences: Ring::new(config.record_limit),
                resumes: Ring::new(config.record_limit),
                heartbeats: VecDeque::new(),
                client_closes: Ring::new(config.record_limit),
                requests: Ring::new(config.record_limit),
                rest_faults: Vec::new(),
                transcript: Transcript::new(config.print_transcript, config.record_limit),
                features: FeatureStates::default(),
            }),
            config,
            changed: watch::Sender::new(0),
        }
    }

    /// Locks the state. A panic elsewhere never makes the sandbox unusable.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` on the state, then wakes every waiter.
    pub(crate) fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        let out = f(&mut self.lock());
        self.changed.send_modify(|v| *v = v.wrapping_add(1));
        out
    }

    /// Awaits until `check` returns `Some`, re-checking after every state
    /// change (no polling). `what` describes the wait for the timeout error.
    pub(crate) async fn wait_until<T>(
        &self,
        timeout: Duration,
        what: impl FnOnce(&State) -> String,
        mut check: impl FnMut(&State) -> Option<T>,
    ) -> Result<T, SandboxError> {
        let mut rx = self.changed.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            rx.borrow_and_update();
            if let Some(out) = check(&self.lock()) {
                return Ok(out);
            }
            match tokio::time::timeout_at(deadline, rx.changed()).await {
                Ok(Ok(())) => {}
                // The sender lives in `self`, so it cannot be gone; treat it
                // like a timeout anyway.
                Ok(Err(_)) | Err(_) => {
                    let state = self.lock();
                    if let Some(out) = check(&state) {
                        return Ok(out);
                    }
                    return Err(SandboxError::Timeout {
                        waited: timeout,
                        what: what(&state),
                    });
                }
            }
        }
    }
}

/// Strips an optional `Bot ` prefix.
pub(crate) fn bare_token(token: &str) -> &str {
    token.strip_prefix("Bot ").unwrap_or(token).trim()
}

impl Config {
    /// Whether `token` (with or without `Bot `) is the bot's.
    pub(crate) fn accepts(&self, token: &str) -> bool {
        bare_token(token) == self.token
    }
}

impl State {
    /// Back to `initial`, with no records and no pending faults; every
    /// session ends with op 9 (not resumable), so bots identify again.
    pub(crate) fn reset(&mut self, initial: &World) {
        for entry in self.conns.values() {
            let _ = entry
                .tx
                .send(Outgoing::Fault(Fault::InvalidSession { resumable: false }));
        }
        for session in &mut self.sessions {
            session.alive = false;
        }
        self.world = initial.clone();
        self.scheduled.clear();
        self.identifies.clear();
        self.presences.clear();
        self.resumes.clear();
        self.heartbeats.clear();
        self.client_closes.clear();
        self.requests.clear();
        self.rest_faults.clear();
        self.throttle_streaks.clear();
        self.features = FeatureStates::default();
        self.transcript.clear();
        self.note(transcript::reset());
    }

    /// Appends a line to the transcript (see [`Transcript::push`]).
    pub(crate) fn note(&mut self, line: String) {
        self.transcript.push(line);
    }

    /// The live, authenticated connection of a shard (the newest session).
    pub(crate) fn live_conn_of_shard(&self, shard: u32) -> Option<(u64, &Session)> {
        self.sessions
            .iter()
            .rev()
            .filter(|s| s.alive && s.shard[0] == shard)
            .find_map(|s| s.conn.map(|c| (c, s)))
    }

    /// The `[shard_id, shard_count]` of the session connection `conn` serves.
    pub(crate) fn shard_of_conn(&self, conn: u64) -> Option<[u32; 2]> {
        let session = self.conns.get(&conn)?.session.as_deref()?;
        self.sessions
            .iter()
            .find(|s| s.id == session)
            .map(|s| s.shard)
    }

    /// Records a heartbeat of connection `conn`.
    pub(crate) fn heartbeat(&mut self, conn: u64, seq: Option<u64>) {
        if self.heartbeats.len() == MAX_HEARTBEATS {
            self.heartbeats.pop_front();
        }
        let shard = self.shard_of_conn(conn);
        self.heartbeats.push_back(HeartbeatRecord {
            shard,
            seq,
            at: Instant::now(),
        });
    }

    /// Records a close frame connection `conn` sent.
    pub(crate) fn client_closed(&mut self, conn: u64, code: Option<u16>, reason: &str) {
        let shard = self.shard_of_conn(conn);
        // A bot leaving (1000, 1001) gets a line; a close to reconnect (twilight
        // closes with 4000 after op 7) is told by the lines that follow it.
        if let (Some([shard, _]), Some(code @ (1000 | 1001))) = (shard, code) {
            self.note(transcript::client_closed(shard, code));
        }
        self.client_closes.push(ClientClose {
            shard,
            code,
            reason: reason.to_owned(),
            at: Instant::now(),
        });
        // As on Discord: a close with 1000 or 1001 ends the session; any other code (4000, a
        // client that means to resume) keeps it resumable.
        if matches!(code, Some(1000 | 1001)) {
            self.kill_session_of_conn(conn);
        }
    }

    /// Detaches a connection from its session (the session keeps buffering).
    pub(crate) fn detach_conn(&mut self, conn: u64) {
        let mut detached = Vec::new();
        for session in &mut self.sessions {
            if session.conn == Some(conn) {
                session.conn = None;
                detached.push(session.shard[0]);
            }
        }
        for shard in detached {
            self.note(transcript::disconnected(shard));
        }
    }

    /// Resets the session start limit once its reset time passed, and
    /// returns `(remaining, reset_after)`.
    pub(crate) fn session_start_limit(&mut self, config: &Config) -> (u32, Duration) {
        let now = Instant::now();
        if now >= self.session_start_reset_at {
            self.session_start_remaining = config.session_start_total;
            self.session_start_reset_at = now + SESSION_START_PERIOD;
        }
        (
            self.session_start_remaining,
            self.session_start_reset_at.saturating_duration_since(now),
        )
    }

    /// Whether any live session that routes `guild` lacks MESSAGE_CONTENT
    /// (then message payloads need a redacted variant).
    pub(crate) fn any_without_content(&self, guild: Option<u64>) -> bool {
        self.sessions
            .iter()
            .any(|s| s.alive && s.routes(guild) && !s.intents.contains(Intents::MESSAGE_CONTENT))
    }
}
