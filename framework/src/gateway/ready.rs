//! When is a shard ready: after READY, once every guild it listed has arrived as GUILD_CREATE, or
//! when `guild_ready_timeout` passes without one (disnake waits the timeout out even when every
//! guild is there; herald does not).

use std::collections::HashSet;
use std::time::Duration;

use tokio::time::Instant;
use twilight_model::id::Id;
use twilight_model::id::marker::GuildMarker;

use crate::event::lifecycle::ShardReady;

#[derive(Default)]
pub(super) struct ReadyTracker {
    pending: Option<Pending>,
}

struct Pending {
    missing: HashSet<Id<GuildMarker>>,
    guilds: usize,
    started: Instant,
    deadline: Instant,
}

impl ReadyTracker {
    /// READY arrived listing `guilds`; the event at once when there are none.
    pub(super) fn start(
        &mut self,
        shard_id: u32,
        guilds: impl Iterator<Item = Id<GuildMarker>>,
        timeout: Duration,
    ) -> Option<ShardReady> {
        let missing: HashSet<_> = guilds.collect();
        let now = Instant::now();
        self.pending = Some(Pending {
            guilds: missing.len(),
            missing,
            started: now,
            deadline: now + timeout,
        });
        self.finish_if_complete(shard_id)
    }

    /// A GUILD_CREATE arrived; the event when it was the last one missing.
    pub(super) fn arrived(
        &mut self,
        shard_id: u32,
        guild: Id<GuildMarker>,
        timeout: Duration,
    ) -> Option<ShardReady> {
        let pending = self.pending.as_mut()?;
        pending.missing.remove(&guild);
        pending.deadline = Instant::now() + timeout;
        self.finish_if_complete(shard_id)
    }

    /// Resolves when the wait for guilds times out; never while nothing is pending.
    pub(super) async fn expired(&self) {
        match &self.pending {
            Some(pending) => tokio::time::sleep_until(pending.deadline).await,
            None => std::future::pending().await,
        }
    }

    /// The wait timed out: the shard is ready with the guilds it has.
    pub(super) fn time_out(&mut self, shard_id: u32) -> Option<ShardReady> {
        let pending = self.pending.take()?;
        Some(ShardReady {
            shard_id,
            guilds: pending.guilds,
            missing_guilds: pending.missing.len(),
            took: pending.started.elapsed(),
        })
    }

    fn finish_if_complete(&mut self, shard_id: u32) -> Option<ShardReady> {
        if self.pending.as_ref()?.missing.is_empty() {
            self.time_out(shard_id)
        } else {
            None
        }
    }
}
