//! Lifecycle events: the bot's and each shard's connection, readiness and resumption.
//!
//! | event | when |
//! |---|---|
//! | [`ShardConnect`] | a shard's WebSocket connected (it got HELLO); every (re)connection |
//! | [`Connect`] | the bot went from no connected shard to one |
//! | [`ShardReady`] | a shard's new session is ready: READY arrived and then every guild it listed arrived, or `guild_ready_timeout` passed without one |
//! | [`Ready`] | every shard is ready; again after a shard had to start a new session (op 9 not resumable) |
//! | [`ShardResumed`], [`Resumed`] | a shard resumed its session: the events missed meanwhile were replayed first |
//! | [`ShardDisconnect`] | a shard's connection closed or dropped (it reconnects by itself unless the close was fatal) |
//! | [`Disconnect`] | the bot went from one connected shard to none |

use std::time::Duration;

use super::Event;

/// The bot went from no connected shard to one (disnake's `on_connect`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Connect;

/// The bot went from one connected shard to none (disnake's `on_disconnect`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Disconnect;

/// Every shard is ready (disnake's `on_ready`): the guilds of READY have arrived, so the cache
/// holds them. Fires once per session start, not on resumes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Ready {
    /// How many guilds the bot is in, across its shards.
    pub guilds: usize,
}

/// A shard resumed its session (disnake's `on_resumed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Resumed {
    /// The shard that resumed.
    pub shard_id: u32,
}

/// A shard connected to the gateway (disnake's `on_shard_connect`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ShardConnect {
    /// The shard.
    pub shard_id: u32,
}

/// A shard's connection closed or dropped (disnake's `on_shard_disconnect`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ShardDisconnect {
    /// The shard.
    pub shard_id: u32,
    /// The close code, when there was one (1006: the connection dropped).
    pub code: Option<u16>,
    /// Why: a close frame, a lost connection, Discord's op 7 or op 9, or shutdown.
    pub reason: DisconnectReason,
}

/// Why a shard's connection ended ([`ShardDisconnect::reason`]). Except for fatal close codes
/// (which end `run()` with an error) and shutdown, the shard reconnects by itself, resuming its
/// session when it can.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DisconnectReason {
    /// A close frame, with its code in [`ShardDisconnect::code`].
    Closed,
    /// The connection ended without a close frame: dropped TCP, or a zombie connection whose
    /// heartbeats went unacknowledged.
    Lost,
    /// Discord asked the shard to reconnect (op 7 RECONNECT); it resumes.
    Reconnect,
    /// Discord invalidated the session (op 9); `resumable: false` means a new session (and a new
    /// `ready`).
    InvalidSession {
        /// Whether the shard may resume the session.
        resumable: bool,
    },
    /// The bot is shutting down.
    Shutdown,
}

/// A shard's session is ready (disnake's `on_shard_ready`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ShardReady {
    /// The shard.
    pub shard_id: u32,
    /// The guilds of this shard.
    pub guilds: usize,
    /// Guilds READY listed that did not arrive before `guild_ready_timeout` (they arrive later as
    /// `guild_available`, or stay unavailable).
    pub missing_guilds: usize,
    /// How long it took from READY.
    pub took: Duration,
}

/// A shard resumed its session (disnake's `on_shard_resumed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ShardResumed {
    /// The shard.
    pub shard_id: u32,
}

macro_rules! lifecycle {
    ($($ty:ty => $name:literal),* $(,)?) => {$(
        impl Event for $ty {
            const NAME: &'static str = $name;
        }
    )*};
}

lifecycle! {
    Connect => "connect",
    Disconnect => "disconnect",
    Ready => "ready",
    Resumed => "resumed",
    ShardConnect => "shard_connect",
    ShardDisconnect => "shard_disconnect",
    ShardReady => "shard_ready",
    ShardResumed => "shard_resumed",
}
