//! What Discord says about connecting (`GET /gateway/bot`), and which shards a bot runs.

use std::ops::Range;
use std::time::Duration;

/// Which shards this process runs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Shards {
    /// One shard (bots in fewer than 2,500 guilds).
    #[default]
    One,
    /// As many as Discord recommends (`GET /gateway/bot`).
    Auto,
    /// This many, all in this process.
    Count(u32),
    /// Shards `range` of `total`: several processes split one bot, each running a range.
    Range {
        /// The shard ids this process runs.
        range: Range<u32>,
        /// The bot's shard count across all processes.
        total: u32,
    },
}

impl From<u32> for Shards {
    fn from(count: u32) -> Self {
        Shards::Count(count)
    }
}

impl Shards {
    /// The ids to run and the total, given Discord's recommended count.
    pub(crate) fn resolve(&self, recommended: u32) -> Result<(Range<u32>, u32), String> {
        let (range, total) = match self {
            Shards::One => (0..1, 1),
            Shards::Auto => (0..recommended.max(1), recommended.max(1)),
            Shards::Count(count) => (0..(*count).max(1), (*count).max(1)),
            Shards::Range { range, total } => (range.clone(), *total),
        };
        if range.is_empty() || range.end > total {
            return Err(format!(
                "shard range {range:?} of {total} is invalid: it must be non-empty and end at most at the total"
            ));
        }
        Ok((range, total))
    }
}

/// How many sessions the bot may still start (Discord's `session_start_limit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SessionStartLimit {
    /// Sessions allowed per period (usually 1,000 a day).
    pub total: u64,
    /// Sessions left in this period.
    pub remaining: u64,
    /// When the period resets.
    pub reset_after: Duration,
    /// How many shards may identify per 5-second window.
    pub max_concurrency: u64,
}

/// Gateway connection parameters (disnake's `GatewayParams`), as `GET /gateway/bot` answered at
/// start-up.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GatewayParams {
    /// The gateway URL.
    pub url: String,
    /// The shard count Discord recommends.
    pub recommended_shards: u64,
    /// The bot's shard count (across all processes).
    pub shard_count: u32,
    /// The shards this process runs.
    pub shards: Range<u32>,
    /// The session start limit.
    pub session_start_limit: SessionStartLimit,
}
