//! herald's metrics, through the [`metrics`](https://docs.rs/metrics) facade (feature `metrics`):
//! whatever exporter the bot installs (Prometheus, StatsD, ...) gets them. Without the feature,
//! every function here is empty and compiles away.
//!
//! | metric | kind | labels |
//! |---|---|---|
//! | `herald_gateway_events_total` | counter | `shard`, `type` (the dispatch's name, `MESSAGE_CREATE`) |
//! | `herald_gateway_identifies_total`, `herald_gateway_resumes_total` | counter | `shard` |
//! | `herald_shard_state` | gauge: 0 connecting, 1 connected, 2 ready, 3 closed | `shard` |
//! | `herald_shard_latency_seconds` | gauge: the last heartbeat round trip | `shard` |
//! | `herald_listener_duration_seconds` | histogram: each call, start to end | `listener`, `event` |
//! | `herald_listener_errors_total` | counter | `listener`, `event`, `kind` (`error`, `panic`) |
//! | `herald_listener_calls_in_flight` | gauge: calls past their first poll, running or waiting | |
//! | `herald_listener_calls_waiting` | gauge: calls waiting for a slot (`max_running_listeners`, sequential) | |
//! | `herald_listener_calls_dropped_total` | counter: calls dropped, their listener's queue full | `listener`, `event` |
//! | `herald_waiters_pending` | gauge: `wait_for`s and streams pending | |
//!
//! Handles are made when a shard or a listener first needs them, so install the exporter before
//! starting the bot.

#[cfg(feature = "metrics")]
mod imp {
    use std::time::Duration;

    use metrics::{Counter, Histogram, counter, gauge, histogram};

    /// When a listener call started.
    pub(crate) type Started = std::time::Instant;

    pub(crate) fn start() -> Started {
        std::time::Instant::now()
    }

    /// A shard's event counters, by dispatch name.
    #[derive(Default)]
    pub(crate) struct EventCounters {
        shard: String,
        by_type: Vec<(&'static str, Counter)>,
    }

    impl EventCounters {
        pub(crate) fn new(shard: u32) -> Self {
            EventCounters {
                shard: shard.to_string(),
                by_type: Vec::new(),
            }
        }

        pub(crate) fn count(&mut self, kind: &'static str) {
            let counter = match self.by_type.iter().position(|(k, _)| *k == kind) {
                Some(at) => &self.by_type[at].1,
                None => {
                    let counter = counter!(
                        "herald_gateway_events_total",
                        "shard" => self.shard.clone(),
                        "type" => kind
                    );
                    self.by_type.push((kind, counter));
                    &self.by_type[self.by_type.len() - 1].1
                }
            };
            counter.increment(1);
        }
    }

    /// One listener's handles.
    pub(crate) struct ListenerMetrics {
        duration: Histogram,
        errors: Counter,
        panics: Counter,
    }

    impl ListenerMetrics {
        pub(crate) fn new(listener: &str, event: &'static str) -> Self {
            let label = |kind: &'static str| {
                counter!(
                    "herald_listener_errors_total",
                    "listener" => listener.to_owned(),
                    "event" => event,
                    "kind" => kind
                )
            };
            ListenerMetrics {
                duration: histogram!(
                    "herald_listener_duration_seconds",
                    "listener" => listener.to_owned(),
                    "event" => event
                ),
                errors: label("error"),
                panics: label("panic"),
            }
        }

        pub(crate) fn finished(&self, started: Started) {
            self.duration.record(started.elapsed().as_secs_f64());
        }

        pub(crate) fn failed(&self, panicked: bool) {
            if panicked {
                self.panics.increment(1);
            } else {
                self.errors.increment(1);
            }
        }
    }

    pub(crate) fn dropped(listener: &str, event: &'static str) {
        counter!(
            "herald_listener_calls_dropped_total",
            "listener" => listener.to_owned(),
            "event" => event
        )
        .increment(1);
    }

    pub(crate) fn in_flight(count: usize) {
        gauge!("herald_listener_calls_in_flight").set(count as f64);
    }

    pub(crate) fn waiting(change: f64) {
        gauge!("herald_listener_calls_waiting").increment(change);
    }

    pub(crate) fn waiters(count: usize) {
        gauge!("herald_waiters_pending").set(count as f64);
    }

    pub(crate) fn shard_state(shard: u32, state: u8) {
        gauge!("herald_shard_state", "shard" => shard.to_string()).set(f64::from(state));
    }

    pub(crate) fn latency(shard: u32, latency: Duration) {
        gauge!("herald_shard_latency_seconds", "shard" => shard.to_string())
            .set(latency.as_secs_f64());
    }

    pub(crate) fn identified(shard: u32) {
        counter!("herald_gateway_identifies_total", "shard" => shard.to_string()).increment(1);
    }

    pub(crate) fn resumed(shard: u32) {
        counter!("herald_gateway_resumes_total", "shard" => shard.to_string()).increment(1);
    }
}

#[cfg(not(feature = "metrics"))]
mod imp {
    use std::time::Duration;

    /// Nothing: calls are not timed without the feature.
    pub(crate) struct Started;

    pub(crate) fn start() -> Started {
        Started
    }

    #[derive(Default)]
    pub(crate) struct EventCounters;

    impl EventCounters {
        pub(crate) fn new(_shard: u32) -> Self {
            EventCounters
        }
        pub(crate) fn count(&mut self, _kind: &'static str) {}
    }

    pub(crate) struct ListenerMetrics;

    impl ListenerMetrics {
        pub(crate) fn new(_listener: &str, _event: &'static str) -> Self {
            ListenerMetrics
        }
        pub(crate) fn finished(&self, _started: Started) {}
        pub(crate) fn failed(&self, _panicked: bool) {}
    }

    pub(crate) fn dropped(_listener: &str, _event: &'static str) {}
    pub(crate) fn in_flight(_count: usize) {}
    pub(crate) fn waiting(_change: f64) {}
    pub(crate) fn waiters(_count: usize) {}
    pub(crate) fn shard_state(_shard: u32, _state: u8) {}
    pub(crate) fn latency(_shard: u32, _latency: Duration) {}
    pub(crate) fn identified(_shard: u32) {}
    pub(crate) fn resumed(_shard: u32) {}
}

pub(crate) use imp::*;
