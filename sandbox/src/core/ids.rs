//! Snowflake ids and the clock: the sandbox's deterministic ids, and the
//! times it stamps on things, as twilight's [`Timestamp`] (which serialises
//! the way Discord writes times, `2024-01-01T00:00:00.000000+00:00`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use twilight_model::util::Timestamp;

/// Discord's epoch (2015-01-01T00:00:00Z) in unix milliseconds.
const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;

/// 2024-01-01T00:00:00Z relative to the Discord epoch, in milliseconds: the
/// timestamp part of the first id the sandbox hands out.
const FIRST_ID_MS: u64 = 1_704_067_200_000 - DISCORD_EPOCH_MS;

/// Deterministic snowflake generator.
///
/// Every id gets its own millisecond (`id >> 22` increases by one per id), so
/// guilds created one after the other land on different shards
/// (`(guild_id >> 22) % shard_count`), and runs are reproducible.
#[derive(Clone, Debug)]
pub(crate) struct IdGen {
    next: u64,
}

impl IdGen {
    pub(crate) fn new() -> Self {
        Self { next: 0 }
    }

    pub(crate) fn next_id(&mut self) -> u64 {
        let n = self.next;
        self.next += 1;
        ((FIRST_ID_MS + n) << 22) | (n & 0xfff)
    }
}

/// Time since the unix epoch.
fn since_epoch() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

/// Now, to the microsecond.
pub(crate) fn now() -> Timestamp {
    let micros = i64::try_from(since_epoch().as_micros()).unwrap_or(i64::MAX);
    Timestamp::from_micros(micros).unwrap_or_else(|_| epoch())
}

/// `secs` seconds from now, to the second (how Discord writes scheduled
/// times).
pub(crate) fn in_secs(secs: u64) -> Timestamp {
    let at = since_epoch().as_secs().saturating_add(secs);
    Timestamp::from_secs(i64::try_from(at).unwrap_or(i64::MAX)).unwrap_or_else(|_| epoch())
}

/// Unix seconds of now (TYPING_START's integer timestamp).
pub(crate) fn unix_now() -> u64 {
    since_epoch().as_secs()
}

/// Unix seconds (fractional) of now, for `X-RateLimit-Reset`.
pub(crate) fn unix_now_f64() -> f64 {
    since_epoch().as_secs_f64()
}

fn epoch() -> Timestamp {
    Timestamp::from_secs(0).expect("the unix epoch is a valid timestamp")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_look_like_discord() {
        let t = Timestamp::from_secs(1_704_067_200).unwrap();
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            "\"2024-01-01T00:00:00.000000+00:00\""
        );
        let t = Timestamp::from_micros(951_825_722_000_123).unwrap();
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            "\"2000-02-29T12:02:02.000123+00:00\""
        );
        assert!(now().as_secs() > 1_704_067_200);
    }

    #[test]
    fn ids_have_distinct_timestamps() {
        let mut ids = IdGen::new();
        let a = ids.next_id();
        let b = ids.next_id();
        assert_ne!(a >> 22, b >> 22);
        assert_eq!((a >> 22) + 1, b >> 22);
    }
}
