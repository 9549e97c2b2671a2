//! Small helpers: snowflake ids and Discord-style timestamps.

use std::time::{SystemTime, UNIX_EPOCH};

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

/// The current time as Discord formats it: `2024-01-01T00:00:00.000000+00:00`
/// (twilight rejects a `Z` suffix).
pub(crate) fn timestamp_now() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    format_timestamp(now.as_secs(), now.subsec_micros())
}

/// Unix seconds of now (for TYPING_START's integer timestamp).
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

/// Unix seconds (fractional) of now, for `X-RateLimit-Reset`.
pub(crate) fn unix_now_f64() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64()
}

pub(crate) fn format_timestamp(unix_secs: u64, micros: u32) -> String {
    let days = unix_secs / 86_400;
    let rem = unix_secs % 86_400;
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{micros:06}+00:00",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Howard Hinnant's days-to-civil algorithm.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Escape a string as a JSON string literal (with quotes).
pub(crate) fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| String::from("\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_look_like_discord() {
        assert_eq!(
            format_timestamp(1_704_067_200, 0),
            "2024-01-01T00:00:00.000000+00:00"
        );
        assert_eq!(
            format_timestamp(951_825_722, 123),
            "2000-02-29T12:02:02.000123+00:00"
        );
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
