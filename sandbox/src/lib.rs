#![recursion_limit = "256"]
//! A local Discord on loopback for offline bot tests.
//!
//! The sandbox serves a real WebSocket gateway and the REST subset a bot
//! uses on `127.0.0.1`, so **unmodified** twilight-gateway 0.18 shards and
//! twilight-http 0.18 clients talk to it. It holds a small [`World`]
//! (guilds, channels, roles, members, messages), plays users with
//! [`Actor`]s, changes it as Discord or a guild admin would ([`Admin`]),
//! records everything the bot did ([`Records`]), and injects faults on the
//! gateway ([`Fault`], [`ShardHandle`]) and on REST ([`RestFault`],
//! [`Faults`]).
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
//!     .records()
//!     .wait_for_request(|r| r.is("POST", "/channels/"), Duration::from_secs(5))
//!     .await?;
//! assert_eq!(post.body.unwrap()["content"], "pong");
//! assert_eq!(sb.records().messages(general).last().unwrap().content, "pong");
//! # Ok(())
//! # }
//! ```
//!
//! # Contents
//!
//! - [`Sandbox`], [`SandboxBuilder`]: start, connect, look up the world
//!   (`sb.channel("general")`, `sb.user("alice")`), the shards
//!   ([`Sandbox::shard`]), the transcript, and four views:
//!   - [`Actor`] (`sb.actor("alice")`), with [`OptionValue`] and
//!     [`SentInteraction`]: users acting: posting, reacting, joining,
//!     moderating, voice, threads, interest in events, polls, invites,
//!     subscriptions, interactions (buttons, menus, modals, slash commands
//!     with subcommand paths, autocomplete, context menus).
//!   - [`Admin`] (`sb.admin()`): world changes as Discord or a guild admin
//!     makes them, each dispatching the events Discord sends: the bot
//!     joining or leaving guilds, outages, channels, threads, pins, roles,
//!     emojis, stickers, stage instances, scheduled events, auto-moderation
//!     rules, bulk deletes, reaction clears, other users' usernames and
//!     presences, server mute and deafen, voice servers, webhooks,
//!     integrations, entitlements, audit log entries, raw dispatches.
//!   - [`Records`] (`sb.records()`): observation, with [`RecordedRequest`],
//!     [`IdentifyRecord`] (with [`IdentifyThrottle`]), [`ResumeRecord`],
//!     [`PresenceRecord`], [`HeartbeatRecord`], [`ClientClose`],
//!     [`ConnectionInfo`] and [`StoredMessage`].
//!   - [`Faults`] (`sb.faults()`), with [`RestFault`] and [`Fault`]: REST
//!     faults and faults scheduled at a sequence number; [`ShardHandle`]
//!     (`sb.shard(0)`) injects faults into a live connection now.
//! - [`World`]: the simulated guilds and users ([`World::demo`] by default).
//! - [`Sandbox::transcript`] (and [`SandboxBuilder::print_transcript`]): a
//!   readable log of both sides, `alice in #general: !ping` then
//!   `herald-bot in #general: pong`.
//! - [`ShardHandle::sequence`]: the last sequence number queued for a
//!   shard, to know when a bot has received everything sent so far.
//! - [`SandboxError`].
//! - World and scene files (TOML): [`world_from_toml`], [`world_from_file`],
//!   [`scene_from_toml`], [`scene_from_file`], [`Scene::run`], with
//!   [`FileError`] naming a mistake's line.
//! - [`Sandbox::reset`]: the world as it started, no records.
//!
//! # Standalone
//!
//! `herald-sandbox serve` (this crate's binary: `cargo run -p
//! herald-sandbox -- serve --world FILE`) runs the sandbox as a server for a
//! bot in any language, with a control API over HTTP under `/_sandbox`: see
//! `docs/local-discord.md` in the repository.
//!
//! # Layout
//!
//! The crate is sliced by Discord feature: `features/messages.rs`,
//! `features/reactions.rs`, `features/members.rs`, ... each hold a
//! feature's world changes, payloads, event kinds and intents, REST routes,
//! transcript lines and its `Actor` and `Admin` methods. They build on
//! `core/`: the world's base types, the state, gateway sessions, the
//! dispatch fan-out, the REST server and its route table, the transcript,
//! records and faults. The core never names a feature.
//!
//! # Behaviour
//!
//! - **One port** ([`SandboxBuilder::address`], a free one on 127.0.0.1 by
//!   default) serves REST, the gateway (WebSocket upgrades; `GET
//!   /gateway/bot` points back at it) and the control API.
//! - **Gateway**: the URL's `compress=zlib-stream` or `zstd-stream` (binary
//!   frames, one context per connection, each flushed) and IDENTIFY's
//!   `compress` are honoured; `encoding=etf` is refused with 4002, an API
//!   version other than 9 or 10 with 4012. HELLO; IDENTIFY validated (wrong token → close 4004,
//!   invalid intents → 4013, unapproved privileged intents → 4014, bad
//!   shard → 4010); READY (guilds unavailable, `resume_gateway_url` = the
//!   sandbox) then one GUILD_CREATE per guild of the shard; heartbeat ACKs;
//!   IDENTIFY's `large_threshold` (default 50) makes a bigger guild `large`,
//!   its offline members left out of GUILD_CREATE;
//!   RESUME replays every missed dispatch in order, then RESUMED; unknown
//!   sessions get op 9 `false`. Dispatches are kept per session while its
//!   connection is gone, like Discord does. Guild events go to shard
//!   `(guild_id >> 22) % shard_count`, others to shard 0 (READY's `guilds`
//!   and the GUILD_CREATEs of a shard hold only its own guilds). Intents filter
//!   events; without MESSAGE_CONTENT, message content is blanked except the
//!   bot's own messages, DMs and messages mentioning the bot. Presence
//!   updates (op 3) are recorded per shard ([`Records::presences`]). A
//!   bot's voice state update (op 4) moves it in voice (VOICE_STATE_UPDATE,
//!   then VOICE_SERVER_UPDATE when it connects).
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
//!   (bulk delete, pins and polls included), reactions (clearing all, one
//!   emoji or someone else's included), typing, guilds, channels, roles,
//!   members, bans, audit logs, invites, webhooks, integrations,
//!   entitlements, interaction callbacks and followups (on Discord's clock:
//!   3 s to answer, 15 minutes of token; [`Sandbox::age_interactions`]
//!   makes interactions older, [`Sandbox::interaction_response`] reads an
//!   answer), application commands. Every answer carries `X-RateLimit-*` headers (the scope only
//!   on a 429, as Discord). Unknown routes answer 404 naming the route (and
//!   are recorded).
//! - **Records** (transcript lines, requests, identifies, ...) keep the
//!   newest [`record_limit`](SandboxBuilder::record_limit) of each kind and
//!   count what was dropped, so a sandbox that runs for days keeps flat
//!   memory.
//! - **Payloads** are twilight-model 0.18 values serialised with serde, so
//!   their shape is twilight's own; where Discord sends something twilight
//!   has no field for and clients read (a reaction's `type`, an
//!   interaction's `version`), it is added, with a comment at the place.

mod control;
mod core;
mod error;
mod features;
mod files;
mod sandbox;

pub use crate::{
    core::{
        actor::Actor,
        admin::Admin,
        faults::{Fault, RestFault},
        inject::{Faults, ShardHandle},
        observe::Records,
        records::{
            ClientClose, ConnectionInfo, HeartbeatRecord, IdentifyRecord, IdentifyThrottle,
            PresenceRecord, RecordedRequest, ResumeRecord, StoredMessage,
        },
        world::World,
    },
    error::SandboxError,
    features::interactions::{OptionValue, SentInteraction},
    sandbox::{Sandbox, SandboxBuilder},
};
pub use files::{
    ExpectMatch, FileError, Scene, SceneError, SceneReport, scene_from_file, scene_from_toml,
    world_from_file, world_from_toml,
};
