//! The gateway layer: one task per twilight-gateway shard, turning frames into events.
//!
//! Each shard task reads frames, asks twilight to deserialise only the event types someone needs
//! (`EventTypeFlags`), updates the cache, tracks readiness (READY, then the guilds it listed), and hands
//! events to the router in the shard's sequence order. It stops reading while the router is at
//! its bound of running listeners (back-pressure), and stops for good on shutdown or a fatal
//! close ([`FatalClose`]).

pub(crate) mod close;
mod dispatch;
pub(crate) mod flags;
mod messages;
mod params;
pub(crate) mod queue;
mod ready;
pub(crate) mod shard;

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use close::FatalClose;
use futures_util::StreamExt as _;
pub use params::{GatewayParams, SessionStartLimit, Shards};
pub use queue::{IDENTIFY_WINDOW, IdentifyQueue, Queue};
use ready::ReadyTracker;
pub use shard::{ShardHandle, ShardState, ShardStatus, presence};
use tokio::sync::watch;
use twilight_cache_inmemory::InMemoryCache;
pub use twilight_gateway::EventTypeFlags;
use twilight_gateway::{Message, Shard};
use twilight_model::gateway::event::Event as Frame;
use twilight_model::gateway::{CloseFrame, Intents};
use twilight_model::id::Id;
use twilight_model::id::marker::GuildMarker;
use twilight_model::user::CurrentUser;

use crate::context::Context;
use crate::event::lifecycle::{
    Connect, Disconnect, DisconnectReason, Ready, Resumed, ShardConnect, ShardDisconnect,
    ShardReady, ShardResumed,
};
use crate::event::raw::GatewayDispatch;

/// What the shard tasks of one bot share.
pub(crate) struct Gateway {
    pub(crate) shards: Vec<Arc<ShardHandle>>,
    pub(crate) params: GatewayParams,
    pub(crate) intents: Intents,
    pub(crate) guild_ready_timeout: Duration,
    pub(crate) cache_flags: EventTypeFlags,
    pub(crate) current_user: Mutex<Option<CurrentUser>>,
    /// Guilds the bot is in that have not arrived (READY's list) or went unavailable: their
    /// GUILD_CREATE is `guild_available`, any other is `guild_join`.
    unavailable: Mutex<HashSet<Id<GuildMarker>>>,
    /// The bound on cached messages, when messages are cached.
    messages: Option<messages::MessageBound>,
    connected: AtomicUsize,
    ready: Mutex<ReadyShards>,
    pub(crate) shutdown: watch::Sender<bool>,
}

#[derive(Default)]
struct ReadyShards {
    ready: HashSet<u32>,
    guilds: std::collections::HashMap<u32, usize>,
}

impl Gateway {
    pub(crate) fn new(
        shards: Vec<Arc<ShardHandle>>,
        params: GatewayParams,
        intents: Intents,
        guild_ready_timeout: Duration,
        cache_flags: EventTypeFlags,
        max_messages: Option<usize>,
    ) -> Self {
        Gateway {
            shards,
            params,
            intents,
            guild_ready_timeout,
            cache_flags,
            current_user: Mutex::new(None),
            unavailable: Mutex::default(),
            messages: max_messages.map(messages::MessageBound::new),
            connected: AtomicUsize::new(0),
            ready: Mutex::default(),
            shutdown: watch::Sender::new(false),
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
            (ready.ready.len() == self.shards.len()).then(|| ready.guilds.values().sum())
        };
        ctx.dispatch(event);
        if let Some(guilds) = all_ready {
            ctx.dispatch(Ready { guilds });
        }
    }
}

/// Runs one shard until shutdown (`Ok`) or a fatal close (`Err`).
pub(crate) async fn run_shard(
    mut shard: Shard<queue::SharedQueue>,
    handle: Arc<ShardHandle>,
    ctx: Context,
    cache: Arc<InMemoryCache>,
) -> Result<(), FatalClose> {
    let gateway = ctx
        .gateway()
        .expect("shards run only once the gateway is set up");
    let shard_id = handle.id().number();
    let mut wanted = flags::Wanted::new(gateway.cache_flags);
    let mut ready = ReadyTracker::default();
    let mut shutdown = gateway.shutdown.subscribe();
    let mut connected = false;
    let mut closing = false;
    let mut fatal = None;

    loop {
        ctx.router().in_flight.room().await;
        let message = tokio::select! {
            biased;
            _ = shutdown.wait_for(|stop| *stop), if !closing => {
                closing = true;
                if !connected {
                    break;
                }
                shard.close(CloseFrame::NORMAL);
                continue;
            }
            () = ready.expired() => {
                if let Some(event) = ready.time_out(shard_id) {
                    handle.update(|s| s.state = ShardState::Ready);
                    gateway.shard_ready(&ctx, event);
                }
                continue;
            }
            message = shard.next() => message,
        };
        let Some(message) = message else { break };
        match message {
            Err(error) => tracing::warn!(shard = shard_id, %error, "gateway frame error"),
            Ok(Message::Close(frame)) => {
                let code = frame.as_ref().map(|f| f.code);
                if std::mem::take(&mut connected) {
                    handle.update(|s| s.state = ShardState::Connecting);
                    let reason = match code {
                        _ if closing => DisconnectReason::Shutdown,
                        // 1006: no close frame from the server (twilight reports a dropped or
                        // zombie connection so).
                        None | Some(1006) => DisconnectReason::Lost,
                        Some(_) => DisconnectReason::Closed,
                    };
                    gateway.shard_disconnected(&ctx, shard_id, code, reason);
                }
                if let Some(error) = code.and_then(|c| FatalClose::from_code(c, gateway.intents)) {
                    tracing::error!(shard = shard_id, code, "{error}");
                    fatal = Some(error);
                }
                if closing {
                    break;
                }
            }
            Ok(Message::Text(text)) => {
                let flags = wanted.current(ctx.router());
                if wanted.raw()
                    && let Some(dispatch) = GatewayDispatch::parse(shard_id, &text)
                {
                    ctx.dispatch(dispatch);
                }
                let parsed = match flags::stickers_update(&text, flags) {
                    Some(frame) => Ok(Some(frame)),
                    None => twilight_gateway::parse(text, flags).map(|e| e.map(Frame::from)),
                };
                match parsed {
                    Ok(Some(event)) => {
                        let before = dispatch::Before::capture(&ctx, &cache, &event);
                        cache.update(&event);
                        if let Some(bound) = &gateway.messages {
                            bound.track(&cache, &event);
                        }
                        match event {
                            Frame::GatewayHello(_) => {
                                if std::mem::replace(&mut connected, true) {
                                    // The previous connection ended without a close frame.
                                    gateway.shard_disconnected(
                                        &ctx,
                                        shard_id,
                                        None,
                                        DisconnectReason::Lost,
                                    );
                                }
                                handle.update(|s| s.state = ShardState::Connected);
                                gateway.shard_connected(&ctx, shard_id);
                            }
                            Frame::GatewayHeartbeatAck => {
                                let latency = shard.latency();
                                let (recent, average) =
                                    (latency.recent().first().copied(), latency.average());
                                handle.update(|s| {
                                    s.latency = recent;
                                    s.average_latency = average;
                                });
                            }
                            Frame::GatewayReconnect | Frame::GatewayInvalidateSession(_) => {
                                let reason = match event {
                                    Frame::GatewayInvalidateSession(resumable) => {
                                        DisconnectReason::InvalidSession { resumable }
                                    }
                                    _ => DisconnectReason::Reconnect,
                                };
                                if std::mem::take(&mut connected) {
                                    handle.update(|s| s.state = ShardState::Connecting);
                                    gateway.shard_disconnected(&ctx, shard_id, None, reason);
                                }
                            }
                            Frame::Ready(ready_event) => {
                                gateway.shard_identified(shard_id);
                                for guild in &ready_event.guilds {
                                    gateway.guild_unavailable(guild.id);
                                }
                                *gateway
                                    .current_user
                                    .lock()
                                    .unwrap_or_else(|p| p.into_inner()) =
                                    Some(ready_event.user.clone());
                                if let Some(event) = ready.start(
                                    shard_id,
                                    ready_event.guilds.iter().map(|g| g.id),
                                    gateway.guild_ready_timeout,
                                ) {
                                    handle.update(|s| s.state = ShardState::Ready);
                                    gateway.shard_ready(&ctx, event);
                                }
                            }
                            Frame::GuildCreate(guild) => {
                                let ready_event = ready.arrived(
                                    shard_id,
                                    guild.id(),
                                    gateway.guild_ready_timeout,
                                );
                                dispatch::dispatch(
                                    &ctx,
                                    &cache,
                                    gateway,
                                    before,
                                    Frame::GuildCreate(guild),
                                );
                                if let Some(event) = ready_event {
                                    handle.update(|s| s.state = ShardState::Ready);
                                    gateway.shard_ready(&ctx, event);
                                }
                            }
                            Frame::Resumed => {
                                handle.update(|s| s.state = ShardState::Ready);
                                ctx.dispatch(ShardResumed { shard_id });
                                ctx.dispatch(Resumed { shard_id });
                            }
                            Frame::UserUpdate(user) => {
                                *gateway
                                    .current_user
                                    .lock()
                                    .unwrap_or_else(|p| p.into_inner()) = Some(user.0);
                            }
                            other => dispatch::dispatch(&ctx, &cache, gateway, before, other),
                        }
                    }
                    Ok(None) => {}
                    Err(error) => {
                        tracing::warn!(shard = shard_id, %error, "a gateway event failed to deserialise")
                    }
                }
                if let Some(session) = shard.session() {
                    handle.processed(session.sequence());
                }
            }
        }
    }
    handle.update(|s| s.state = ShardState::Closed);
    if connected {
        gateway.shard_disconnected(&ctx, shard_id, Some(1000), DisconnectReason::Shutdown);
    }
    fatal.map_or(Ok(()), Err)
}
