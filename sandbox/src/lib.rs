#![recursion_limit = "256"]
//! A local Discord on loopback for offline bot tests.
//!
//! The sandbox serves a real WebSocket gateway and the REST subset a bot
//! uses on `127.0.0.1`, so **unmodified** twilight-gateway 0.18 shards and
//! twilight-http 0.18 clients talk to it. It holds a small [`World`]
//! (guilds, channels, roles, members, messages), plays users with
//! [`Actor`]s, records everything the bot did, and injects faults on the
//! gateway ([`Fault`], [`ShardHandle`]) and on REST ([`RestFault`]).
//!
//! # Example
//!
//! ```
//! use std::time::Duration;
//! use herald_sandbox::Sandbox;
//! use twilight_gateway::{
//!     ConfigBuilder, Event, EventTypeFlags, Intents, Shard, ShardId, StreamExt as _,
//!     queue::InMemoryQueue,
//! };
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // twilight-gateway needs a rustls crypto provider even for ws://.
//! let _ = rustls::crypto::ring::default_provider().install_default();
//! let sb = Sandbox::start().await?;
//!
//! // Gateway: point the shard at the sandbox; skip the identify queue's 5 s wait.
//! let intents = Intents::GUILDS | Intents::GUILD_MESSAGES | Intents::MESSAGE_CONTENT;
//! let config = ConfigBuilder::new(sb.token(), intents)
//!     .proxy_url(sb.gateway_url())
//!     .queue(InMemoryQueue::new(0, 0, Duration::ZERO, 0))
//!     .build();
//! let mut shard = Shard::with_config(ShardId::ONE, config);
//!
//! // REST: plain HTTP to the sandbox.
//! let http = twilight_http::Client::builder()
//!     .token(sb.token())
//!     .proxy(sb.http_proxy(), true)
//!     .build();
//!
//! let general = sb.channel("general");
//! let mut said = false;
//! while let Some(event) = shard.next_event(EventTypeFlags::all()).await {
//!     match event? {
//!         Event::GuildCreate(_) if !said => {
//!             sb.actor("alice").say(general, "!ping");
//!             said = true;
//!         }
//!         Event::MessageCreate(msg) if msg.content == "!ping" => {
//!             http.create_message(msg.channel_id).content("pong").await?;
//!             break;
//!         }
//!         _ => {}
//!     }
//! }
//! let post = sb
//!     .wait_for_request(|r| r.is("POST", "/channels/"), Duration::from_secs(5))
//!     .await?;
//! assert_eq!(post.body.unwrap()["content"], "pong");
//! assert_eq!(sb.messages(general).last().unwrap().content, "pong");
//! # Ok(())
//! # }
//! ```
//!
//! # Contents
//!
//! - [`Sandbox`], [`SandboxBuilder`]: start, connect, look up, act, observe,
//!   inject faults.
//! - [`World`]: the simulated guilds and users ([`World::demo`] by default).
//! - [`Actor`], [`OptionValue`], [`SentInteraction`]: users acting.
//! - World changes as Discord or a guild admin, each dispatching the events
//!   Discord sends: the bot joining or leaving guilds
//!   ([`Sandbox::add_bot_to_guild`]), outages ([`Sandbox::guild_outage`]),
//!   channels, threads, pins, roles, emojis, stickers, stage instances,
//!   scheduled events, auto-moderation rules ([`Sandbox::create_automod_rule`]),
//!   bulk deletes, reaction clears, other users' usernames and presences
//!   ([`Sandbox::set_user_presence`]), server mute and deafen.
//! - [`Fault`], [`ShardHandle`], [`RestFault`]: fault injection.
//! - [`RecordedRequest`], [`IdentifyRecord`] (with [`IdentifyThrottle`]),
//!   [`ResumeRecord`], [`PresenceRecord`], [`HeartbeatRecord`],
//!   [`ClientClose`], [`ConnectionInfo`],
//!   [`StoredMessage`]: observation.
//! - [`Sandbox::transcript`] (and [`SandboxBuilder::print_transcript`]): a
//!   readable log of both sides, `alice in #general: !ping` then
//!   `herald-bot in #general: pong`.
//! - [`ShardHandle::sequence`]: the last sequence number queued for a
//!   shard, to know when a bot has received everything sent so far.
//! - [`SandboxError`].
//!
//! # Behaviour
//!
//! - **Gateway**: HELLO; IDENTIFY validated (wrong token → close 4004,
//!   invalid intents → 4013, unapproved privileged intents → 4014, bad
//!   shard → 4010); READY (guilds unavailable, `resume_gateway_url` = the
//!   sandbox) then one GUILD_CREATE per guild of the shard; heartbeat ACKs;
//!   RESUME replays every missed dispatch in order, then RESUMED; unknown
//!   sessions get op 9 `false`. Dispatches are kept per session while its
//!   connection is gone, like Discord does. Guild events go to shard
//!   `(guild_id >> 22) % shard_count`, others to shard 0 (READY's `guilds`
//!   and the GUILD_CREATEs of a shard hold only its own guilds). Intents filter
//!   events; without MESSAGE_CONTENT, message content is blanked except the
//!   bot's own messages, DMs and messages mentioning the bot. Presence
//!   updates (op 3) are recorded per shard ([`Sandbox::presences`]).
//! - **Sharding**: an IDENTIFY whose shard count leaves more than
//!   [`max_guilds_per_shard`](SandboxBuilder::max_guilds_per_shard) guilds on
//!   a shard is closed with 4011. With
//!   [`max_concurrency`](SandboxBuilder::max_concurrency) or
//!   [`identify_window`](SandboxBuilder::identify_window) set, at most one
//!   IDENTIFY per bucket (`shard_id % max_concurrency`) is accepted per
//!   window, others get op 9 `d:false`; an exhausted
//!   [session start limit](SandboxBuilder::session_start_limit) gets op 9
//!   too. `GET /gateway/bot` reports all of these. [`World::with_guilds`]
//!   builds worlds whose guilds spread evenly over any shard count.
//! - **REST**: `/api/v10` routes for gateway info, users, DMs, messages
//!   (bulk delete and pins included), reactions (clearing all, one emoji or
//!   someone else's included), typing, guilds, channels, roles, members,
//!   bans, audit logs,
//!   interaction callbacks and followups, application commands. Every answer
//!   carries `X-RateLimit-*` headers with scope `user`. Unknown routes answer
//!   404 naming the route (and are recorded).

mod actors;
mod admin;
mod error;
mod faults;
mod gateway;
mod guild_ops;
mod intents;
mod ops;
mod payloads;
mod record;
mod rest;
mod sandbox;
mod state;
mod transcript;
mod util;
mod world;

pub use crate::{
    actors::{Actor, OptionValue, SentInteraction},
    error::SandboxError,
    faults::{Fault, RestFault, ShardHandle},
    record::{
        ClientClose, ConnectionInfo, HeartbeatRecord, IdentifyRecord, IdentifyThrottle,
        PresenceRecord, RecordedRequest, ResumeRecord, StoredMessage,
    },
    sandbox::{Sandbox, SandboxBuilder},
    world::World,
};
