//! The WebSocket gateway: HELLO, IDENTIFY/READY, RESUME with replay,
//! heartbeats, close handshakes, fault application, and the commands a bot
//! sends (presence updates, member requests; voice state updates go to the
//! voice feature through [`Hooks`]).
//!
//! Each TCP connection is one task owning its socket. Dispatches reach it in
//! order through an unbounded channel filled under the state lock, so the
//! order of frames equals the order of sequence numbers. Every dispatch is
//! also appended to its session's log, which is what RESUME replays.

use std::{
    collections::{HashMap, VecDeque},
    sync::Arc,
    time::{Duration, Instant},
};

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use hyper::upgrade::Upgraded;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::sync::mpsc;
use tokio_websockets::{CloseCode, Message, Payload, ServerBuilder, WebSocketStream};
use twilight_model::{
    gateway::{
        Intents, ShardId,
        payload::incoming::{MemberChunk, Ready},
    },
    guild::UnavailableGuild,
    id::Id,
    oauth::{ApplicationFlags, PartialApplication},
};

use crate::core::{
    compress::Transport,
    dispatch::{PRIVILEGED, to_json},
    faults::Fault,
    records::{IdentifyRecord, IdentifyThrottle, PresenceRecord, ResumeRecord},
    state::{Config, ConnEntry, Outgoing, Session, Shared, State},
    transcript, wire,
    world::{GuildRec, World},
};

/// Members per GUILD_MEMBERS_CHUNK, as Discord.
const CHUNK_MEMBERS: usize = 1000;
/// Largest command payload Discord accepts (else close 4002).
const MAX_PAYLOAD: usize = 4096;
/// How long a server-initiated close waits for the client's reply.
const CLOSE_REPLY_TIMEOUT: Duration = Duration::from_secs(5);
/// Frames written before one flush.
const WRITE_BATCH: usize = 512;

/// What the features give the gateway, so that the core never names a
/// feature.
#[derive(Clone, Copy)]
pub(crate) struct Hooks {
    /// GUILD_CREATE's `d` for a guild; `all_members`: every member and
    /// presence (GUILD_PRESENCES), else only the bot and members in voice;
    /// then the session's `large_threshold`.
    pub(crate) guild_create: fn(&World, &GuildRec, bool, u64) -> String,
    /// The presence a member request (op 8 with `presences`) shows for a
    /// member: `(world, guild, user)`, `None` when offline.
    pub(crate) presence:
        fn(&World, u64, u64) -> Option<twilight_model::gateway::presence::Presence>,
    /// A voice state update (op 4) from a session: `(session id, d)`.
    pub(crate) voice_command: fn(&mut State, &str, &Value),
}

/// What the connection loop does after handling something.
enum Flow {
    Continue,
    /// Close frame sent: only wait for the client's reply.
    Closing,
    /// Drop TCP now.
    Drop,
}

/// A gateway connection's stream: the HTTP connection the REST server
/// upgraded (REST and the gateway share one port, as `GET /gateway/bot`
/// says).
pub(crate) type Stream = TokioIo<Upgraded>;

struct Conn {
    id: u64,
    ws: WebSocketStream<Stream>,
    shared: Arc<Shared>,
    hooks: Hooks,
    transport: Transport,
    zombie: bool,
    authenticated: bool,
}

/// The gateway URL's parameters: `?v=10&encoding=json&compress=zlib-stream`.
struct UrlParams<'a> {
    version: Option<&'a str>,
    encoding: Option<&'a str>,
    compress: Option<&'a str>,
}

impl<'a> UrlParams<'a> {
    fn parse(query: &'a str) -> Self {
        let get = |name: &str| crate::core::rest::query_param(query, name);
        Self {
            version: get("v"),
            encoding: get("encoding"),
            compress: get("compress"),
        }
    }

    /// The transport asked for, or the close code and reason Discord would
    /// refuse the parameters with.
    fn transport(&self) -> Result<Transport, (u16, String)> {
        if let Some(version) = self.version
            && !matches!(version, "9" | "10")
        {
            return Err((4012, format!("Invalid API version: v={version}.")));
        }
        match self.encoding {
            None | Some("json") => {}
            Some(other) => {
                return Err((
                    4002,
                    format!("encoding={other}: the sandbox speaks encoding=json only."),
                ));
            }
        }
        Transport::from_query(self.compress)
            .map_err(|other| (4002, format!("compress={other}: unknown compression.")))
    }
}

/// Serves one gateway connection on a stream the REST server upgraded;
/// `query` is the gateway URL's.
pub(crate) async fn connection(shared: Arc<Shared>, hooks: Hooks, stream: Stream, query: &str) {
    let ws = ServerBuilder::new().serve(stream);
    let (transport, refused) = match UrlParams::parse(query).transport() {
        Ok(transport) => (transport, None),
        Err(refusal) => (Transport::Plain, Some(refusal)),
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let id = shared.with(|state| {
        let id = state.next_conn;
        state.next_conn += 1;
        state.conns.insert(id, ConnEntry { tx, session: None });
        id
    });
    let mut conn = Conn {
        id,
        ws,
        shared: Arc::clone(&shared),
        hooks,
        transport,
        zombie: false,
        authenticated: false,
    };
    if let Some((code, reason)) = refused {
        shared.with(|state| state.note(transcript::refused_connection(code, &reason)));
        if let Flow::Closing = conn.close(code, &reason).await {
            conn.closing().await;
        }
    } else {
        let hello = format!(
            "{{\"t\":null,\"s\":null,\"op\":10,\"d\":{{\"heartbeat_interval\":{}}}}}",
            shared.config.heartbeat_interval.as_millis().max(1)
        );
        let hello = conn.frame(Bytes::from(hello));
        if conn.ws.send(hello).await.is_ok() {
            conn.run(&mut rx).await;
        }
    }
    shared.with(|state| {
        state.conns.remove(&id);
        state.detach_conn(id);
    });
}

impl Conn {
    async fn run(&mut self, rx: &mut mpsc::UnboundedReceiver<Outgoing>) {
        loop {
            let flow = tokio::select! {
                out = rx.recv() => match out {
                    Some(first) => self.write_batch(first, rx).await,
                    // The sandbox dropped this connection (shut down, or the
                    // session moved to a newer connection).
                    None => Flow::Drop,
                },
                incoming = self.ws.next() => match incoming {
                    None | Some(Err(_)) => Flow::Drop,
                    Some(Ok(message)) if message.is_close() => {
                        let (code, reason) = message
                            .as_close()
                            .map_or((None, ""), |(code, reason)| {
                                let code = (code != CloseCode::NO_STATUS_RECEIVED)
                                    .then(|| u16::from(code));
                                (code, reason)
                            });
                        let conn = self.id;
                        self.shared.with(|state| state.client_closed(conn, code, reason));
                        // tokio-websockets queued the echo; the next poll
                        // flushes it and ends the stream.
                        self.detach();
                        Flow::Closing
                    }
                    Some(Ok(message)) => match message.as_text() {
                        Some(text) => self.command(text).await,
                        None => Flow::Continue,
                    },
                },
            };
            match flow {
                Flow::Continue => {}
                Flow::Drop => return,
                Flow::Closing => {
                    self.detach();
                    self.closing().await;
                    return;
                }
            }
        }
    }

    /// After a close frame: waits for the client's reply (bounded).
    async fn closing(&mut self) {
        let _ = tokio::time::timeout(CLOSE_REPLY_TIMEOUT, async {
            while let Some(Ok(_)) = self.ws.next().await {}
        })
        .await;
    }

    /// A frame as this connection's transport writes it: text, or binary
    /// compressed.
    fn frame(&mut self, frame: Bytes) -> Message {
        match self.transport.compress(&frame) {
            None => Message::text(Payload::from(frame)),
            Some(compressed) => Message::binary(Payload::from(Bytes::from(compressed))),
        }
    }

    /// Writes `first` and whatever else is queued, then flushes.
    async fn write_batch(
        &mut self,
        first: Outgoing,
        rx: &mut mpsc::UnboundedReceiver<Outgoing>,
    ) -> Flow {
        let mut next = Some(first);
        let mut written = 0;
        while let Some(out) = next.take() {
            match out {
                Outgoing::Frame(frame) => {
                    if !self.zombie {
                        let message = self.frame(frame);
                        if self.ws.feed(message).await.is_err() {
                            return Flow::Drop;
                        }
                    }
                }
                Outgoing::Fault(fault) => {
                    if self.ws.flush().await.is_err() {
                        return Flow::Drop;
                    }
                    match self.apply(fault).await {
                        Flow::Continue => {}
                        other => return other,
                    }
                }
            }
            written += 1;
            if written < WRITE_BATCH {
                next = rx.try_recv().ok();
            }
        }
        if self.ws.flush().await.is_err() {
            return Flow::Drop;
        }
        Flow::Continue
    }

    async fn apply(&mut self, fault: Fault) -> Flow {
        tracing::debug!(conn = self.id, ?fault, "sandbox gateway: injecting fault");
        match fault {
            Fault::Close(code) => {
                // Codes after which Discord refuses a RESUME.
                if matches!(code, 4004 | 4007 | 4009 | 4010..=4014) {
                    let conn = self.id;
                    self.shared.with(|state| state.kill_session_of_conn(conn));
                }
                self.close(code, "sandbox fault").await
            }
            Fault::Reconnect => self.send_op(r#"{"t":null,"s":null,"op":7,"d":null}"#).await,
            Fault::InvalidSession { resumable } => {
                if !resumable {
                    let conn = self.id;
                    self.shared.with(|state| state.kill_session_of_conn(conn));
                }
                self.send_op(if resumable {
                    r#"{"t":null,"s":null,"op":9,"d":true}"#
                } else {
                    r#"{"t":null,"s":null,"op":9,"d":false}"#
                })
                .await
            }
            Fault::Zombie => {
                self.zombie = true;
                Flow::Continue
            }
            Fault::DropTcp => Flow::Drop,
            Fault::MalformedFrame => self.send_op("this is not JSON {\"op\":").await,
            Fault::RequestHeartbeat => self.send_op(r#"{"t":null,"s":null,"op":1,"d":null}"#).await,
        }
    }

    /// Sends a non-dispatch frame unless silenced.
    async fn send_op(&mut self, text: &'static str) -> Flow {
        if self.zombie {
            return Flow::Continue;
        }
        let message = self.frame(Bytes::from_static(text.as_bytes()));
        match self.ws.send(message).await {
            Ok(()) => Flow::Continue,
            Err(_) => Flow::Drop,
        }
    }

    async fn close(&mut self, code: u16, reason: &str) -> Flow {
        self.detach();
        let Ok(code) = CloseCode::try_from(code) else {
            return Flow::Drop;
        };
        if code.is_reserved()
            || self
                .ws
                .send(Message::close(Some(code), reason))
                .await
                .is_err()
        {
            return Flow::Drop;
        }
        Flow::Closing
    }

    fn detach(&self) {
        let id = self.id;
        self.shared.with(|state| state.detach_conn(id));
    }

    /// Handles one command from the client.
    async fn command(&mut self, text: &str) -> Flow {
        if text.len() > MAX_PAYLOAD {
            return self.close(4002, "Payload too large.").await;
        }
        let Ok(payload) = serde_json::from_str::<Value>(text) else {
            return self.close(4002, "Error while decoding payload.").await;
        };
        let op = payload.get("op").and_then(Value::as_u64);
        let d = payload.get("d").cloned().unwrap_or(Value::Null);
        match op {
            Some(1) => {
                let (conn, seq) = (self.id, d.as_u64());
                self.shared.with(|state| state.heartbeat(conn, seq));
                self.send_op(r#"{"t":null,"s":null,"op":11,"d":null}"#)
                    .await
            }
            Some(2) if self.authenticated => self.close(4005, "Already authenticated.").await,
            Some(2) => {
                // IDENTIFY's `compress`: every payload from READY on is zlib'd on its own
                // (unless the URL asked for a stream already).
                if d.get("compress").and_then(Value::as_bool) == Some(true)
                    && !self.transport.is_compressed()
                {
                    self.transport = Transport::PerPayload;
                }
                let conn = self.id;
                let shared = Arc::clone(&self.shared);
                let compression = self.transport.name();
                let result = shared.with(|state| {
                    state.identify(conn, &d, &shared.config, self.hooks, compression)
                });
                match result {
                    Identified::Ready => {
                        self.authenticated = true;
                        Flow::Continue
                    }
                    // Discord answers an identify over its rate limits with
                    // an invalid session; the client identifies again later.
                    Identified::Throttled => {
                        self.send_op(r#"{"t":null,"s":null,"op":9,"d":false}"#)
                            .await
                    }
                    Identified::Rejected(code, reason) => self.close(code, reason).await,
                }
            }
            Some(6) if self.authenticated => self.close(4005, "Already authenticated.").await,
            Some(6) => {
                let conn = self.id;
                let shared = Arc::clone(&self.shared);
                let resumed = shared.with(|state| state.resume(conn, &d, &shared.config));
                match resumed {
                    Resume::Resumed => {
                        self.authenticated = true;
                        Flow::Continue
                    }
                    Resume::Invalid => {
                        self.send_op(r#"{"t":null,"s":null,"op":9,"d":false}"#)
                            .await
                    }
                    Resume::BadToken => self.close(4004, "Authentication failed.").await,
                }
            }
            Some(3 | 4 | 8) if !self.authenticated => self.close(4003, "Not authenticated.").await,
            Some(8) => {
                let conn = self.id;
                self.shared
                    .with(|state| state.request_guild_members(conn, &d, self.hooks));
                Flow::Continue
            }
            Some(3) => {
                let conn = self.id;
                self.shared.with(|state| state.presence_update(conn, &d));
                Flow::Continue
            }
            // A voice state update: the bot joins, moves or leaves voice.
            Some(4) => {
                let conn = self.id;
                let voice = self.hooks.voice_command;
                self.shared.with(|state| {
                    let session = state.conns.get(&conn).and_then(|c| c.session.clone());
                    if let Some(session) = session {
                        voice(state, &session, &d);
                    }
                });
                Flow::Continue
            }
            _ if !self.authenticated => self.close(4003, "Not authenticated.").await,
            _ => self.close(4001, "Unknown opcode.").await,
        }
    }
}

/// The answer to an IDENTIFY.
enum Identified {
    /// READY (and the GUILD_CREATEs) queued.
    Ready,
    /// Over the identify rate limits: op 9 `d:false`.
    Throttled,
    /// Close with this code.
    Rejected(u16, &'static str),
}

enum Resume {
    Resumed,
    Invalid,
    BadToken,
}

impl State {
    /// Validates an IDENTIFY and starts a session on `conn`: READY, then one
    /// GUILD_CREATE per guild of the shard.
    fn identify(
        &mut self,
        conn: u64,
        d: &Value,
        config: &Config,
        hooks: Hooks,
        compression: Option<&'static str>,
    ) -> Identified {
        let shard = d
            .get("shard")
            .and_then(Value::as_array)
            .and_then(|a| Some([a.first()?.as_u64()?, a.get(1)?.as_u64()?]))
            .unwrap_or([0, 1]);
        let raw_intents = d.get("intents").and_then(Value::as_u64).unwrap_or(0);
        let intents = Intents::from_bits_truncate(raw_intents);
        let token = d.get("token").and_then(Value::as_str).unwrap_or("");
        let shard32 = [
            u32::try_from(shard[0]).unwrap_or(u32::MAX),
            u32::try_from(shard[1]).unwrap_or(u32::MAX),
        ];
        // Discord's range and default.
        let large_threshold = d
            .get("large_threshold")
            .and_then(Value::as_u64)
            .unwrap_or(50)
            .clamp(50, 250);
        let mut record = IdentifyRecord {
            shard: shard32,
            intents,
            session_id: None,
            rejected_with: None,
            throttled: None,
            compression,
            large_threshold,
            at: Instant::now(),
        };
        let rejection = if !config.accepts(token) {
            Some((4004, "Authentication failed."))
        } else if shard32[1] == 0 || shard32[0] >= shard32[1] {
            Some((4010, "Invalid shard."))
        } else if Intents::from_bits(raw_intents).is_none() {
            Some((4013, "Invalid intent(s)."))
        } else if !config.allowed_privileged.contains(intents & PRIVILEGED) {
            Some((4014, "Disallowed intent(s)."))
        } else if self.sharding_required(shard32[1], config.max_guilds_per_shard) {
            Some((4011, "Sharding required."))
        } else {
            None
        };
        if let Some((code, reason)) = rejection {
            record.rejected_with = Some(code);
            self.identifies.push(record);
            self.note(transcript::identify_rejected(shard32[0], code, reason));
            return Identified::Rejected(code, reason);
        }
        if let Some(throttle) = self.identify_throttle(shard32[0], record.at, config) {
            record.throttled = Some(throttle);
            self.identifies.push(record);
            let streak = self.throttle_streaks.entry(shard32[0]).or_insert(0);
            *streak += 1;
            // One line per streak: a client without an identify queue
            // retries at once, many times per window.
            if *streak == 1 {
                self.note(transcript::identify_throttled(
                    shard32[0],
                    throttle,
                    (config.identify_window, config.max_concurrency),
                ));
            }
            return Identified::Throttled;
        }
        self.session_start_remaining = self.session_start_remaining.saturating_sub(1);
        let buckets = self.bucket_last_identify.len();
        self.bucket_last_identify[shard32[0] as usize % buckets] = Some(record.at);
        let throttled_before = self.throttle_streaks.remove(&shard32[0]).unwrap_or(0);

        // A fresh identify ends this shard's sessions that lost their
        // connection (Discord would time them out), freeing their logs.
        for s in &mut self.sessions {
            if s.shard == shard32 && s.conn.is_none() && s.alive {
                s.alive = false;
                s.log = VecDeque::new();
            }
        }
        self.sessions.retain(|s| s.alive || s.conn.is_some());

        let session_id = format!("sandbox-session-{:08}", self.next_session);
        self.next_session += 1;
        record.session_id = Some(session_id.clone());
        self.identifies.push(record);
        self.note(transcript::identified(shard32[0], throttled_before));
        self.sessions.push(Session {
            id: session_id.clone(),
            shard: shard32,
            intents,
            seq: 0,
            log: VecDeque::new(),
            log_start: 0,
            conn: Some(conn),
            alive: true,
            large_threshold,
        });
        if let Some(entry) = self.conns.get_mut(&conn) {
            entry.session = Some(session_id.clone());
        }
        let index = self.sessions.len() - 1;

        let world = &self.world;
        let guilds: Vec<&GuildRec> = world
            .bot_guilds()
            .filter(|g| self.sessions[index].routes(Some(g.id)))
            .collect();
        let ready = to_json(&Ready {
            application: PartialApplication {
                flags: ApplicationFlags::empty(),
                id: Id::new(world.application_id),
            },
            guilds: guilds
                .iter()
                .map(|g| UnavailableGuild {
                    id: Id::new(g.id),
                    unavailable: true,
                })
                .collect(),
            resume_gateway_url: config.gateway_url.clone(),
            session_id,
            shard: Some(ShardId::new(shard32[0], shard32[1])),
            user: wire::current_user(world),
            version: 10,
        });
        let guild_creates: Vec<String> = if intents.contains(Intents::GUILDS) {
            let all_members = intents.contains(Intents::GUILD_PRESENCES);
            // A guild in an outage is in READY (unavailable) but gets its
            // GUILD_CREATE only when it comes back.
            guilds
                .iter()
                .filter(|g| !g.unavailable)
                .map(|g| (hooks.guild_create)(world, g, all_members, large_threshold))
                .collect()
        } else {
            Vec::new()
        };
        self.push_to_session(index, "READY", &ready);
        for guild in &guild_creates {
            self.push_to_session(index, "GUILD_CREATE", guild);
        }
        if let Some(presence) = d.get("presence").filter(|p| p.is_object()) {
            self.record_presence(shard32, presence, true);
        }
        Identified::Ready
    }

    /// Whether `shards` shards would give one of them more than `max`
    /// guilds (IDENTIFY then closes with 4011).
    fn sharding_required(&self, shards: u32, max: usize) -> bool {
        let mut per_shard: HashMap<u64, usize> = HashMap::new();
        for guild in self.world.bot_guilds() {
            let count = per_shard
                .entry((guild.id >> 22) % u64::from(shards.max(1)))
                .or_insert(0);
            *count += 1;
            if *count > max {
                return true;
            }
        }
        false
    }

    /// Whether an identify of `shard` arriving `now` is over a rate limit:
    /// the session start limit, or its bucket's one identify per window.
    fn identify_throttle(
        &mut self,
        shard: u32,
        now: Instant,
        config: &Config,
    ) -> Option<IdentifyThrottle> {
        if self.session_start_limit(config).0 == 0 {
            return Some(IdentifyThrottle::SessionStartLimit);
        }
        if !config.enforce_concurrency {
            return None;
        }
        let buckets = self.bucket_last_identify.len();
        let bucket = shard as usize % buckets;
        let busy = self.bucket_last_identify[bucket]
            .is_some_and(|last| now.saturating_duration_since(last) < config.identify_window);
        busy.then_some(IdentifyThrottle::MaxConcurrency {
            bucket: u32::try_from(bucket).unwrap_or(u32::MAX),
        })
    }

    /// op 3: records the presence of the connection's session.
    fn presence_update(&mut self, conn: u64, d: &Value) {
        let Some(shard) = self
            .sessions
            .iter()
            .find(|s| s.alive && s.conn == Some(conn))
            .map(|s| s.shard)
        else {
            return;
        };
        self.record_presence(shard, d, false);
    }

    fn record_presence(&mut self, shard: [u32; 2], d: &Value, from_identify: bool) {
        let record = PresenceRecord {
            shard,
            status: d
                .get("status")
                .and_then(Value::as_str)
                .unwrap_or("online")
                .to_owned(),
            activities: d
                .get("activities")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
            afk: d.get("afk").and_then(Value::as_bool).unwrap_or(false),
            since: d.get("since").and_then(Value::as_u64),
            from_identify,
            at: Instant::now(),
        };
        self.note(transcript::presence(&record));
        self.presences.push(record);
    }

    /// Handles a RESUME: replays what the client missed, then RESUMED.
    fn resume(&mut self, conn: u64, d: &Value, config: &Config) -> Resume {
        let session_id = d
            .get("session_id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let seq = d.get("seq").and_then(Value::as_u64).unwrap_or(0);
        let given = d.get("token").and_then(Value::as_str).unwrap_or("");
        if !config.accepts(given) {
            self.note(transcript::resume_refused(None, "wrong token"));
            return Resume::BadToken;
        }
        let index = self
            .sessions
            .iter()
            .position(|s| s.id == session_id && s.alive);
        let mut record = ResumeRecord {
            shard: None,
            session_id,
            seq,
            accepted: false,
            replayed: 0,
            at: Instant::now(),
        };
        let Some(index) = index else {
            self.resumes.push(record);
            self.note(transcript::resume_refused(None, "unknown session"));
            return Resume::Invalid;
        };
        // Move the session to this connection. An older connection still
        // attached (a zombie twilight gave up on) is told to go away.
        let old = self.sessions[index].conn.replace(conn);
        if let Some(old) = old.filter(|old| *old != conn)
            && let Some(entry) = self.conns.get(&old)
        {
            let _ = entry.tx.send(Outgoing::Fault(Fault::DropTcp));
        }
        let session = &self.sessions[index];
        record.shard = Some(session.shard);
        if seq < session.log_start {
            // The client missed more than the resume buffer holds.
            tracing::debug!(
                seq,
                kept_from = session.log_start + 1,
                "sandbox gateway: RESUME too old for the resume buffer; invalid session"
            );
            let shard = session.shard[0];
            self.resumes.push(record);
            self.kill_session_of_conn(conn);
            self.note(transcript::resume_refused(
                Some(shard),
                "missed more than the resume buffer holds",
            ));
            return Resume::Invalid;
        }
        if let Some(entry) = self.conns.get_mut(&conn) {
            entry.session = Some(session.id.clone());
        }
        let from = usize::try_from(seq - session.log_start)
            .unwrap_or(usize::MAX)
            .min(session.log.len());
        record.accepted = true;
        record.replayed = session.log.len() - from;
        if let Some(entry) = self.conns.get(&conn) {
            for frame in session.log.range(from..) {
                let _ = entry.tx.send(Outgoing::Frame(frame.clone()));
            }
        }
        self.resumes.push(record);
        let shard = self.sessions[index].shard[0];
        self.note(transcript::resumed(shard));
        self.push_to_session(index, "RESUMED", "{}");
        Resume::Resumed
    }

    /// op 9 d:false: the session of `conn` is over.
    pub(crate) fn kill_session_of_conn(&mut self, conn: u64) {
        for session in &mut self.sessions {
            if session.conn == Some(conn) {
                session.alive = false;
                session.conn = None;
                session.log = VecDeque::new();
            }
        }
        self.sessions.retain(|s| s.alive);
    }

    /// op 8: one GUILD_MEMBERS_CHUNK with the requested members.
    fn request_guild_members(&mut self, conn: u64, d: &Value, hooks: Hooks) {
        let Some(index) = self.sessions.iter().position(|s| s.conn == Some(conn)) else {
            return;
        };
        let guild_id = d
            .get("guild_id")
            .and_then(|g| {
                g.as_str()
                    .map(str::to_owned)
                    .or_else(|| g.as_u64().map(|g| g.to_string()))
            })
            .and_then(|g| g.parse::<u64>().ok());
        let Some(guild) = guild_id.and_then(|g| self.world.guild(g)) else {
            return;
        };
        let query = d.get("query").and_then(Value::as_str).unwrap_or("");
        let limit = d.get("limit").and_then(Value::as_u64).unwrap_or(0);
        let user_ids: Option<Vec<u64>> = d.get("user_ids").map(|ids| {
            let list = match ids {
                Value::Array(a) => a.clone(),
                other => vec![other.clone()],
            };
            list.iter()
                .filter_map(|v| {
                    v.as_str()
                        .and_then(|s| s.parse().ok())
                        .or_else(|| v.as_u64())
                })
                .collect()
        });
        let world = &self.world;
        let mut found: Vec<_> = guild
            .members
            .iter()
            .filter(|m| match &user_ids {
                Some(ids) => ids.contains(&m.user_id),
                None => world
                    .user_rec(m.user_id)
                    .is_some_and(|u| u.name.starts_with(query)),
            })
            .collect();
        if limit > 0 {
            found.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        }
        let not_found: Vec<_> = user_ids
            .iter()
            .flatten()
            .filter(|id| !guild.members.iter().any(|m| m.user_id == **id))
            .map(|id| Id::new(*id))
            .collect();
        let with_presences = d.get("presences").and_then(Value::as_bool) == Some(true);
        // Discord echoes the nonce as sent (a string).
        let nonce = d.get("nonce").and_then(|n| match n {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            other => Some(other.to_string()),
        });
        // As Discord: chunks of at most 1000 members, at least one chunk.
        let pieces: Vec<_> = if found.is_empty() {
            vec![&found[..]]
        } else {
            found.chunks(CHUNK_MEMBERS).collect()
        };
        let chunk_count = u32::try_from(pieces.len()).unwrap_or(u32::MAX);
        let chunks: Vec<String> = pieces
            .iter()
            .enumerate()
            .map(|(i, piece)| {
                to_json(&MemberChunk {
                    chunk_count,
                    chunk_index: u32::try_from(i).unwrap_or(u32::MAX),
                    guild_id: Id::new(guild.id),
                    members: piece.iter().map(|m| wire::member(world, m)).collect(),
                    nonce: nonce.clone(),
                    not_found: if i == 0 {
                        not_found.clone()
                    } else {
                        Vec::new()
                    },
                    presences: if with_presences {
                        piece
                            .iter()
                            .filter_map(|m| (hooks.presence)(world, guild.id, m.user_id))
                            .collect()
                    } else {
                        Vec::new()
                    },
                })
            })
            .collect();
        for chunk in &chunks {
            self.push_to_session(index, "GUILD_MEMBERS_CHUNK", chunk);
        }
    }
}
