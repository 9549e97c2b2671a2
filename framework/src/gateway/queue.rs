//! Identify pacing: Discord lets `max_concurrency` shards identify per 5-second window, one per
//! bucket (`shard_id % max_concurrency`). [`IdentifyQueue`] paces herald's shards so; any
//! twilight [`Queue`] can replace it, e.g. one shared across processes.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::time::Instant;
pub use twilight_gateway::queue::Queue;

/// Discord's identify window.
pub const IDENTIFY_WINDOW: Duration = Duration::from_secs(5);

/// Paces identifies: at most one per bucket per window, buckets released in parallel.
///
/// Unlike twilight's `InMemoryQueue` its window is configurable (for the sandbox, whose window a
/// test scales down), and it is shared by cloning. To pace shards of several processes together,
/// implement twilight's [`Queue`] over a shared store and pass it to
/// [`BotBuilder::identify_queue`](crate::BotBuilder::identify_queue).
#[derive(Clone)]
pub struct IdentifyQueue {
    inner: Arc<Inner>,
}

struct Inner {
    window: Duration,
    /// When each bucket may identify next.
    buckets: Mutex<Vec<Option<Instant>>>,
}

impl IdentifyQueue {
    /// A queue for `max_concurrency` buckets (at least 1) and this window.
    pub fn new(max_concurrency: u32, window: Duration) -> Self {
        let buckets = vec![None; max_concurrency.max(1) as usize];
        IdentifyQueue {
            inner: Arc::new(Inner {
                window,
                buckets: Mutex::new(buckets),
            }),
        }
    }

    /// The bucket of a shard.
    pub fn bucket(&self, shard: u32) -> usize {
        let buckets = self
            .inner
            .buckets
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .len();
        shard as usize % buckets
    }
}

impl Queue for IdentifyQueue {
    fn enqueue(&self, shard: u32) -> oneshot::Receiver<()> {
        let (release, released) = oneshot::channel();
        let now = Instant::now();
        let at = {
            let mut buckets = self.inner.buckets.lock().unwrap_or_else(|p| p.into_inner());
            let count = buckets.len();
            let next = &mut buckets[shard as usize % count];
            let at = next.map_or(now, |next| next.max(now));
            *next = Some(at + self.inner.window + margin(self.inner.window));
            at
        };
        if at <= now {
            let _ = release.send(());
        } else {
            tokio::spawn(async move {
                tokio::time::sleep_until(at).await;
                let _ = release.send(());
            });
        }
        released
    }
}

impl fmt::Debug for IdentifyQueue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdentifyQueue")
            .field("window", &self.inner.window)
            .finish_non_exhaustive()
    }
}

/// Added to each window: the gateway times identifies when they arrive, after the released shard
/// was scheduled and sent its IDENTIFY (milliseconds on a busy machine), so an exact window could
/// land a hair short and be refused. 2% plus 25 ms: 125 ms on Discord's 5 s.
pub(crate) fn margin(window: Duration) -> Duration {
    window / 50 + Duration::from_millis(25)
}

/// The queue every shard of a bot uses: herald's or the one given to the builder.
#[derive(Clone)]
pub(crate) struct SharedQueue(pub(crate) Arc<dyn Queue + Send + Sync>);

impl Queue for SharedQueue {
    fn enqueue(&self, shard: u32) -> oneshot::Receiver<()> {
        self.0.enqueue(shard)
    }
}

impl fmt::Debug for SharedQueue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SharedQueue")
    }
}
