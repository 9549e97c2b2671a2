//! The gateway layer: one task per twilight-gateway shard, turning frames into events.
//!
//! Each shard's connection is polled on the bot's gateway thread (`reader`), which runs no user
//! code: heartbeats, resumes and the close at shutdown never wait on listeners. Its frames go to
//! the shard's task in the bot's runtime, which asks twilight to deserialise only the event types
//! someone needs (`EventTypeFlags`), updates the cache, tracks readiness (READY, then the guilds
//! it listed), and hands events to the router in the shard's sequence order. The router never
//! makes it wait; the shard stops for good on shutdown or a fatal close ([`FatalClose`]).

mod decode;
mod dispatch;
pub(crate) mod flags;
mod members;
mod parse;
pub(crate) mod queue;
pub(crate) mod reader;
mod ready;
#[cfg(feature = "redis")]
mod redis_queue;

use std::collections::{HashSet, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use crate::context::params::{GatewayParams, SessionStartLimit, Shards};
pub use crate::context::shard::{ShardHandle, ShardSession, ShardState, ShardStatus, presence};
pub use crate::error::FatalClose;
pub use queue::{IDENTIFY_WINDOW, IdentifyQueue, Queue};
pub(crate) use reader::Reader;
use ready::ReadyTracker;
#[cfg(feature = "redis")]
pub use redis_queue::RedisQueue;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
pub use twilight_gateway::EventTypeFlags;
use twilight_gateway::Message;
use twilight_model::gateway::Intents;
use twilight_model::gateway::event::Event as Frame;
use twilight_model::gateway::payload::incoming::MessageCreate;
use twilight_model::id::Id;
use twilight_model::id::marker::GuildMarker;

use crate::cache::Cache;
use crate::context::Context;
use crate::event::lifecycle::{
    Connect, Disconnect, DisconnectReason, Ready, Resumed, ShardConnect, ShardDisconnect,
    ShardReady, ShardResumed,
};
use crate::event::raw::GatewayDispatch;
use crate::isolate::{self, Watch};
use crate::report::{Throttles, suppressed_note, tell};

/// What the shard tasks of one bot share (what the rest of the bot sees of the connection is the
/// context's `Connection`).
pub(crate) struct Gateway {
    pub(crate) guild_ready_timeout: Duration,
    pub(crate) cache_flags: EventTypeFlags,
    /// Guilds the bot is in that have not arrived (READY's list) or went unavailable: their
    /// GUILD_CREATE is `guild_available`, any other is `guild_join`.
    unavailable: Mutex<HashSet<Id<GuildMarker>>>,
    connected: AtomicUsize,
    ready: Mutex<ReadyShards>,
}

#[derive(Default)]
struct ReadyShards {
    ready: HashSet<u32>,
    guilds: std::collections::HashMap<u32, usize>,
}

impl Gateway {
    pub(crate) fn new(guild_ready_timeout: Duration, cache_flags: EventTypeFlags) -> Self {
        Gateway {
            guild_ready_timeout,
            cache_flags,
            unavailable: Mutex::default(),
            connected: AtomicUsize::new(0),
            ready: Mutex::default(),
        }
    }

    /// A guild arrived: whether the bot was waiting for it (available) rather than joining it.
    pub(crate) fn guild_arrived(&self, guild: Id<GuildMarker>) -> bool {
        self.unavailable
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&guild)
    }

    /// The bot is in `guild`, but it is not available (yet).
    pub(crate) fn guild_unavailable(&self, guild: Id<GuildMarker>) {
        self.unavailable
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(guild);
    }

    fn shard_connected(&self, ctx: &Context, shard_id: u32) {
        ctx.dispatch(ShardConnect { shard_id });
        if self.connected.fetch_add(1, Ordering::AcqRel) == 0 {
            ctx.dispatch(Connect);
        }
    }

    fn shard_disconnected(
        &self,
        ctx: &Context,
        shard_id: u32,
        code: Option<u16>,
        reason: DisconnectReason,
    ) {
        ctx.dispatch(ShardDisconnect {
            shard_id,
            code,
            reason,
        });
        if self.connected.fetch_sub(1, Ordering::AcqRel) == 1 {
            ctx.dispatch(Disconnect);
        }
    }

    /// A shard began a new session: the bot is not ready until it is.
    fn shard_identified(&self, shard_id: u32) {
        self.ready
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .ready
            .remove(&shard_id);
    }

    fn shard_ready(&self, ctx: &Context, event: ShardReady) {
        let all_ready = {
            let mut ready = self.ready.lock().unwrap_or_else(|p| p.into_inner());
            ready.ready.insert(event.shard_id);
            ready.guilds.insert(event.shard_id, event.guilds);
            (ready.ready.len() == ctx.shards().len()).then(|| ready.guilds.values().sum())
        };
        ctx.dispatch(event);
        if let Some(guilds) = all_ready {
            ctx.dispatch(Ready { guilds });
        }
    }
}

/// What a shard's decoder hands its task, in the order the frames came.
// twilight's `Event` is large (its big payloads are boxed already): moving it costs less than
// another allocation per event.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Decoded {
    /// A frame decoded into twilight's event.
    Event { event: Frame, sequence: Option<u64> },
    /// A new message, already in the `Arc` its listeners share.
    Message {
        message: Arc<MessageCreate>,
        sequence: Option<u64>,
    },
    /// A text frame left undecoded: no one wanted its type when it was decoded (the task decodes
    /// it if someone does by now), or someone wants every frame raw.
    Text { text: String, sequence: Option<u64> },
    /// The connection closed (with the server's code, if it sent one).
    Close {
        code: Option<u16>,
        sequence: Option<u64>,
    },
    /// A frame that could not be read or decoded: the line saying so.
    Failed { line: String, sequence: Option<u64> },
}

/// How many batches of decoded events a shard's decoder may hold ahead of its task: enough to
/// keep both busy, few enough that a backlog waits as frames (smaller than the events they make),
/// and the events the task takes are still in the CPU's cache. Events go in batches (what the
/// decoder took at once) so that a task faster than its decoder is not woken for each.
const DECODED_AHEAD: usize = 4;

/// How many frames a shard's decoder takes from its reader at once.
const BATCH: usize = 32;

/// The smallest batch worth splitting across the runtime's workers: below it (a quiet shard) the
/// decoder decodes alone, and each event goes out as soon as it is decoded.
const SPLIT_FROM: usize = 8;

/// A shard's decoder, in the bot's runtime: turns the frames its connection (on the gateway
/// thread, [`reader`]) received into events, ahead of the shard's task, so that decoding one
/// frame overlaps with caching and dispatching the one before. It runs no user code. Decodes
/// only what someone wants (`wanted`, checked again by the task for what it left undecoded).
///
/// Decoding is most of a busy shard's work, and frames decode independently: when a backlog
/// builds, the decoder splits it into pieces decoded at once on the runtime's other workers, and
/// hands on the events in the frames' order.
async fn decode_frames(
    mut frames: mpsc::Receiver<reader::Received>,
    decoded: mpsc::Sender<Vec<Decoded>>,
    ctx: Context,
    mut wanted: flags::Wanted,
    shard_id: u32,
) {
    let pieces = decode_pieces();
    // Pieces decoding on other workers, in the frames' order.
    let mut decoding: VecDeque<JoinHandle<Vec<Decoded>>> = VecDeque::new();
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        tokio::select! {
            biased;
            events = async { (&mut decoding[0]).await }, if !decoding.is_empty() => {
                decoding.pop_front();
                if decoded.send(piece_events(shard_id, events)).await.is_err() {
                    return;
                }
            }
            received = frames.recv_many(&mut batch, BATCH), if decoding.len() < 2 * pieces => {
                if received == 0 {
                    break;
                }
                let flags = wanted.current(ctx.router());
                let raw = wanted.raw();
                let decode = move |received| decoded_frame(shard_id, received, flags, raw);
                if pieces < 2 || (batch.len() < SPLIT_FROM && decoding.is_empty()) {
                    if decoded.send(batch.drain(..).map(decode).collect()).await.is_err() {
                        return;
                    }
                    continue;
                }
                let size = batch.len().div_ceil(pieces);
                while !batch.is_empty() {
                    let piece: Vec<_> = batch.drain(..size.min(batch.len())).collect();
                    decoding.push_back(tokio::spawn(async move {
                        piece.into_iter().map(decode).collect()
                    }));
                }
            }
        }
    }
    for piece in decoding {
        if decoded
            .send(piece_events(shard_id, piece.await))
            .await
            .is_err()
        {
            return;
        }
    }
}

/// A piece's events, or the line saying its frames are lost (its task panicked).
fn piece_events(
    shard_id: u32,
    piece: Result<Vec<Decoded>, tokio::task::JoinError>,
) -> Vec<Decoded> {
    piece.unwrap_or_else(|error| {
        vec![Decoded::Failed {
            line: format!("shard {shard_id}: frames lost: their decoder failed: {error}"),
            sequence: None,
        }]
    })
}

/// Into how many pieces a decoder splits a batch: one per worker of the runtime (up to 4), and
/// no split on a current-thread runtime.
fn decode_pieces() -> usize {
    let runtime = tokio::runtime::Handle::current();
    match runtime.runtime_flavor() {
        tokio::runtime::RuntimeFlavor::CurrentThread => 1,
        _ => runtime.metrics().num_workers().clamp(1, 4),
    }
}

/// One frame from the reader, decoded with `flags` (or left as text for those who want it raw).
fn decoded_frame(
    shard_id: u32,
    received: reader::Received,
    flags: EventTypeFlags,
    raw: bool,
) -> Decoded {
    match received {
        reader::Received::Error(error) => Decoded::Failed {
            line: decode::describe(shard_id, &error),
            sequence: None,
        },
        reader::Received::Message { message, sequence } => match message {
            Message::Close(frame) => Decoded::Close {
                code: frame.map(|f| f.code),
                sequence,
            },
            Message::Text(text) if raw => Decoded::Text { text, sequence },
            Message::Text(text) => decoded_text(shard_id, text, flags, sequence),
        },
    }
}

/// A text frame decoded with `flags`.
fn decoded_text(
    shard_id: u32,
    text: String,
    flags: EventTypeFlags,
    sequence: Option<u64>,
) -> Decoded {
    match parse::parse(text, flags) {
        parse::Parsed::Event(event) => Decoded::Event { event, sequence },
        parse::Parsed::Message(message) => Decoded::Message { message, sequence },
        parse::Parsed::Unwanted(text) => Decoded::Text { text, sequence },
        parse::Parsed::Failed { cause, text } => Decoded::Failed {
            line: decode::describe_frame(shard_id, &text, cause.as_deref()),
            sequence,
        },
    }
}

/// A shard's task, in the bot's runtime: updates the cache from the events its decoder decoded
/// and dispatches them, in sequence order. It never waits on listeners; user code it runs (first
/// polls, checks) is watched by `watch`. Runs until the connection ends: at shutdown (`Ok`) or a
/// fatal close (`Err`).
pub(crate) async fn run_shard(
    frames: mpsc::Receiver<reader::Received>,
    handle: Arc<ShardHandle>,
    ctx: Context,
    gateway: Arc<Gateway>,
    cache: Arc<Cache>,
    watch: Arc<Watch>,
) -> Result<(), FatalClose> {
    /// Marks the shard closed however its task ends.
    struct Closed<'a>(&'a ShardHandle);
    impl Drop for Closed<'_> {
        fn drop(&mut self) {
            self.0.update(|s| s.state = ShardState::Closed);
        }
    }
    /// Stops the decoder with the task.
    struct Abort(tokio::task::JoinHandle<()>);
    impl Drop for Abort {
        fn drop(&mut self) {
            self.0.abort();
        }
    }
    let _closed = Closed(&handle);
    let gateway = &*gateway;
    let shard_id = handle.id().number();
    let (decoded, mut events) = mpsc::channel(DECODED_AHEAD);
    let _decoder = Abort(tokio::spawn(decode_frames(
        frames,
        decoded,
        ctx.clone(),
        flags::Wanted::new(gateway.cache_flags),
        shard_id,
    )));
    let mut shard = ShardTask {
        ctx: &ctx,
        gateway,
        handle: &handle,
        cache: &cache,
        shard_id,
        wanted: flags::Wanted::new(gateway.cache_flags),
        ready: ReadyTracker::default(),
        was_ready: false,
        events: crate::metrics::EventCounters::new(shard_id),
        connected: false,
        fatal: None,
        bad_frames: Throttles::new(Duration::from_secs(10), 3),
    };
    loop {
        let decoded = tokio::select! {
            biased;
            () = shard.ready.expired() => {
                if let Some(event) = shard.ready.time_out(shard_id) {
                    shard.became_ready(event);
                }
                continue;
            }
            decoded = events.recv() => decoded,
        };
        let Some(decoded) = decoded else { break };
        for decoded in decoded {
            isolate::watched(&watch, || shard.handle(decoded));
        }
    }
    if std::mem::take(&mut shard.connected) {
        gateway.shard_disconnected(&ctx, shard_id, Some(1000), DisconnectReason::Shutdown);
    }
    shard.fatal.map_or(Ok(()), Err)
}

/// What a shard's task keeps between frames.
struct ShardTask<'a> {
    ctx: &'a Context,
    gateway: &'a Gateway,
    handle: &'a ShardHandle,
    cache: &'a Cache,
    shard_id: u32,
    wanted: flags::Wanted,
    ready: ReadyTracker,
    /// Whether the shard has been ready in this process (a process that resumed a handed-over
    /// session becomes ready on RESUMED).
    was_ready: bool,
    /// Dispatches received, by type (metrics).
    events: crate::metrics::EventCounters,
    /// Whether a connection is up (HELLO came, no close since).
    connected: bool,
    fatal: Option<FatalClose>,
    /// Decode failures, told at a bounded rate.
    bad_frames: Throttles<()>,
}

impl ShardTask<'_> {
    fn handle(&mut self, decoded: Decoded) {
        // The frame's span: the events it makes are dispatched inside it.
        let span = match &decoded {
            Decoded::Event { sequence, .. } | Decoded::Message { sequence, .. } => {
                tracing::info_span!("shard", id = self.shard_id, seq = *sequence)
            }
            _ => tracing::Span::none(),
        };
        let _entered = span.enter();
        let sequence = match decoded {
            Decoded::Event { event, sequence } => {
                if let Some(name) = event.kind().name() {
                    self.events.count(name);
                }
                self.event(event);
                sequence
            }
            Decoded::Message { message, sequence } => {
                self.events.count("MESSAGE_CREATE");
                self.message(message);
                sequence
            }
            Decoded::Text { text, sequence } => {
                self.text(text);
                sequence
            }
            Decoded::Close { code, sequence } => {
                self.closed(code);
                sequence
            }
            Decoded::Failed { line, sequence } => {
                self.bad_frame(&line);
                sequence
            }
        };
        if let Some(sequence) = sequence {
            self.handle.processed(sequence);
        }
    }

    fn bad_frame(&self, line: &str) {
        if let Some(suppressed) = self.bad_frames.allow(()) {
            let text = format!("{line}{}", suppressed_note(suppressed));
            tell!(WARN, { shard = self.shard_id, }, text);
        }
    }

    fn closed(&mut self, code: Option<u16>) {
        let (ctx, gateway, shard_id) = (self.ctx, self.gateway, self.shard_id);
        let closing = ctx.connection().is_some_and(|c| *c.shutdown.borrow());
        if std::mem::take(&mut self.connected) {
            self.handle.update(|s| s.state = ShardState::Connecting);
            let reason = match code {
                _ if closing => DisconnectReason::Shutdown,
                // 1006: no close frame from the server (twilight reports a dropped or zombie
                // connection so).
                None | Some(1006) => DisconnectReason::Lost,
                Some(_) => DisconnectReason::Closed,
            };
            gateway.shard_disconnected(ctx, shard_id, code, reason);
        }
        let intents = ctx.connection().map_or(Intents::empty(), |c| c.intents);
        if let Some(error) = code.and_then(|c| FatalClose::from_code(c, intents)) {
            tell!(ERROR, { shard = shard_id, code = code, }, format!("shard {shard_id}: {error}"));
            self.fatal = Some(error);
        }
    }

    /// A frame the decoder left undecoded: raw for those who want it, and decoded if its type is
    /// wanted by now.
    fn text(&mut self, text: String) {
        let (ctx, shard_id) = (self.ctx, self.shard_id);
        let flags = self.wanted.current(ctx.router());
        if self.wanted.raw()
            && let Some(dispatch) = GatewayDispatch::parse(shard_id, &text)
        {
            ctx.dispatch(dispatch);
        }
        match decoded_text(shard_id, text, flags, None) {
            Decoded::Event { event, .. } => self.event(event),
            Decoded::Message { message, .. } => self.message(message),
            Decoded::Failed { line, .. } => self.bad_frame(&line),
            Decoded::Text { .. } | Decoded::Close { .. } => {}
        }
    }

    fn became_ready(&mut self, event: ShardReady) {
        self.was_ready = true;
        self.handle.update(|s| s.state = ShardState::Ready);
        self.gateway.shard_ready(self.ctx, event);
    }

    /// A new message: the cache, then the router, which hands listeners this very `Arc`
    /// (MESSAGE_CREATE is a pass-through event with no bookkeeping of the runtime's).
    fn message(&mut self, message: Arc<MessageCreate>) {
        self.cache.took(&message);
        self.ctx.dispatch_shared(message);
    }

    /// A decoded event: the cache, then the runtime's bookkeeping and the router.
    fn event(&mut self, mut event: Frame) {
        let (ctx, gateway, shard_id) = (self.ctx, self.gateway, self.shard_id);
        let cache = self.cache;
        let before = dispatch::Before::capture(ctx, cache, &event);
        members::update_cache(ctx, cache, &mut event);
        cache.apply(&event);
        match event {
            Frame::GatewayHello(_) => {
                if std::mem::replace(&mut self.connected, true) {
                    // The previous connection ended without a close frame.
                    gateway.shard_disconnected(ctx, shard_id, None, DisconnectReason::Lost);
                }
                self.handle.update(|s| s.state = ShardState::Connected);
                gateway.shard_connected(ctx, shard_id);
            }
            Frame::GatewayReconnect | Frame::GatewayInvalidateSession(_) => {
                let reason = match event {
                    Frame::GatewayInvalidateSession(resumable) => {
                        DisconnectReason::InvalidSession { resumable }
                    }
                    _ => DisconnectReason::Reconnect,
                };
                if std::mem::take(&mut self.connected) {
                    self.handle.update(|s| s.state = ShardState::Connecting);
                    gateway.shard_disconnected(ctx, shard_id, None, reason);
                }
            }
            Frame::Ready(ready_event) => {
                gateway.shard_identified(shard_id);
                crate::metrics::identified(shard_id);
                self.handle.set_session(
                    ready_event.session_id.clone(),
                    Some(ready_event.resume_gateway_url.clone()),
                    0,
                );
                for guild in &ready_event.guilds {
                    gateway.guild_unavailable(guild.id);
                }
                if let Some(connection) = ctx.connection() {
                    connection.set_current_user(ready_event.user.clone());
                }
                if let Some(event) = self.ready.start(
                    shard_id,
                    ready_event.guilds.iter().map(|g| g.id),
                    gateway.guild_ready_timeout,
                ) {
                    self.became_ready(event);
                }
            }
            Frame::GuildCreate(guild) => {
                let ready_event =
                    self.ready
                        .arrived(shard_id, guild.id(), gateway.guild_ready_timeout);
                dispatch::dispatch(ctx, cache, gateway, before, Frame::GuildCreate(guild));
                if let Some(event) = ready_event {
                    self.became_ready(event);
                }
            }
            Frame::Resumed => {
                crate::metrics::resumed(shard_id);
                self.handle.update(|s| s.state = ShardState::Ready);
                ctx.dispatch(ShardResumed { shard_id });
                ctx.dispatch(Resumed { shard_id });
                if !self.was_ready {
                    // A session handed over by the process before: this one is ready now. Its
                    // guilds are not sent again (the cache fills as events come).
                    self.became_ready(ShardReady {
                        shard_id,
                        guilds: 0,
                        missing_guilds: 0,
                        took: Duration::ZERO,
                    });
                }
            }
            Frame::UserUpdate(user) => {
                if let Some(connection) = ctx.connection() {
                    connection.set_current_user(user.0);
                }
            }
            other => dispatch::dispatch(ctx, cache, gateway, before, other),
        }
    }
}
