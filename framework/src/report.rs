//! How herald tells people about problems: log lines rate-limited per cause (a repeated problem
//! is told a few times per window, then once more with how many times it happened meanwhile), and
//! errors that reach stderr when no `tracing` subscriber records them.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One rate-limited line (or one per key, with [`Throttles`]).
#[derive(Debug)]
struct Window {
    start: Instant,
    shown: u32,
    suppressed: u64,
}

impl Window {
    fn allow(&mut self, now: Instant, period: Duration, burst: u32) -> Option<u64> {
        if now.duration_since(self.start) >= period {
            self.start = now;
            self.shown = 0;
        }
        if self.shown < burst {
            self.shown += 1;
            Some(std::mem::take(&mut self.suppressed))
        } else {
            self.suppressed += 1;
            None
        }
    }
}

/// At most `burst` lines per `period`, per key.
#[derive(Debug)]
pub(crate) struct Throttles<K> {
    period: Duration,
    burst: u32,
    windows: Mutex<HashMap<K, Window>>,
}

impl<K: Hash + Eq> Throttles<K> {
    pub(crate) fn new(period: Duration, burst: u32) -> Self {
        Throttles {
            period,
            burst,
            windows: Mutex::default(),
        }
    }

    /// Whether to log `key`'s line now: `Some(n)` with the `n` lines suppressed since the last
    /// one logged, or `None` to stay quiet.
    pub(crate) fn allow(&self, key: K) -> Option<u64> {
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        windows
            .entry(key)
            .or_insert(Window {
                start: now,
                shown: 0,
                suppressed: 0,
            })
            .allow(now, self.period, self.burst)
    }
}

/// Tells people about a problem at `$level` (`ERROR`, `WARN`): through `tracing` when a
/// subscriber records it, else on stderr, so that it is never silent.
macro_rules! tell {
    ($level:ident, { $($fields:tt)* }, $text:expr) => {{
        let text: &str = &$text;
        if ::tracing::enabled!(::tracing::Level::$level) {
            ::tracing::event!(::tracing::Level::$level, $($fields)* "{}", text);
        } else {
            use ::std::io::Write as _;
            let level = if ::tracing::Level::$level == ::tracing::Level::ERROR {
                "error"
            } else {
                "warning"
            };
            // Not `eprintln!`, which panics when stderr is closed.
            let _ = writeln!(::std::io::stderr(), "herald {level}: {text}");
        }
    }};
}
pub(crate) use tell;

/// "(and 12 more since)" for a line that follows suppressed ones.
pub(crate) fn suppressed_note(suppressed: u64) -> String {
    match suppressed {
        0 => String::new(),
        1 => " (1 more like it was not logged)".to_owned(),
        n => format!(" ({n} more like it were not logged)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_silence_then_the_count() {
        let period = Duration::from_secs(10);
        let t0 = Instant::now();
        let mut window = Window {
            start: t0,
            shown: 0,
            suppressed: 0,
        };
        assert_eq!(window.allow(t0, period, 2), Some(0));
        assert_eq!(window.allow(t0, period, 2), Some(0));
        assert_eq!(window.allow(t0, period, 2), None);
        assert_eq!(window.allow(t0 + period / 2, period, 2), None);
        assert_eq!(window.allow(t0 + period, period, 2), Some(2));
    }

    #[test]
    fn keys_are_apart() {
        let throttles = Throttles::new(Duration::from_secs(60), 1);
        assert_eq!(throttles.allow("a"), Some(0));
        assert_eq!(throttles.allow("a"), None);
        assert_eq!(throttles.allow("b"), Some(0));
    }
}
