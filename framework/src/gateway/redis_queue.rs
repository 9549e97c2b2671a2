//! [`RedisQueue`]: identify pacing shared by every process of a bot, through Redis (feature
//! `redis`).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use redis::aio::ConnectionManager;
use tokio::sync::oneshot;

use super::queue::{IDENTIFY_WINDOW, Queue, margin};
use crate::report::tell;

/// Paces identifies across every process of a bot: at most one IDENTIFY per `max_concurrency`
/// bucket (`shard_id % max_concurrency`) per window, whichever process runs the shard.
///
/// Each identify takes its bucket's slot in Redis (`SET herald:<bot>:identify:<bucket> NX PX
/// <window>`) and waits while another process holds it. A slot is a lease that expires with the
/// window: a process that crashes after taking one never holds it longer. When Redis cannot be
/// reached, identifies wait and retry (a warning says so) rather than risk Discord's limit.
///
/// ```no_run
/// # #[cfg(feature = "redis")]
/// # async fn f() -> Result<(), Box<dyn std::error::Error>> {
/// use herald_framework::gateway::{RedisQueue, Shards};
/// use herald_framework::prelude::*;
///
/// // Process 1 of 3 of a 24-shard bot whose max_concurrency (GET /gateway/bot) is 4.
/// let queue = RedisQueue::connect("redis://redis:6379", "my-bot", 4).await?;
/// Bot::builder()
///     .token_from_env("DISCORD_TOKEN")
///     .shards(Shards::Range { range: 0..8, total: 24 })
///     .identify_queue(queue)
///     .run()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisQueue {
    redis: ConnectionManager,
    /// `herald:<bot>:identify:`, each bucket's number after it.
    prefix: Arc<str>,
    buckets: u32,
    window: Duration,
}

impl RedisQueue {
    /// Connects to Redis at `url` (`redis://host:6379`). `bot` names the bot in Redis' keys,
    /// the same in each of its processes; `max_concurrency` is Discord's
    /// (`session_start_limit.max_concurrency` of `GET /gateway/bot`: 1 for most bots), the same
    /// in each process too.
    ///
    /// # Errors
    /// When Redis cannot be reached or the URL is invalid.
    pub async fn connect(
        url: &str,
        bot: &str,
        max_concurrency: u32,
    ) -> Result<Self, redis::RedisError> {
        let client = redis::Client::open(url)?;
        let redis = ConnectionManager::new(client).await?;
        Ok(RedisQueue {
            redis,
            prefix: format!("herald:{bot}:identify:").into(),
            buckets: max_concurrency.max(1),
            window: IDENTIFY_WINDOW,
        })
    }

    /// The identify window (default: Discord's 5 s; a test against the sandbox scales it down).
    #[must_use]
    pub fn window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// Waits for `shard`'s bucket slot, then takes it for one window.
    async fn take_slot(mut self, shard: u32) {
        let key = format!("{}{}", self.prefix, shard % self.buckets);
        let lease = self.window + margin(self.window);
        let lease_ms = u64::try_from(lease.as_millis()).unwrap_or(u64::MAX);
        let mut failures = 0u32;
        loop {
            let taken: redis::RedisResult<Option<String>> = redis::cmd("SET")
                .arg(&key)
                .arg(shard)
                .arg("NX")
                .arg("PX")
                .arg(lease_ms)
                .query_async(&mut self.redis)
                .await;
            let wait = match taken {
                Ok(Some(_)) => return,
                // Held by another identify: wait out what is left of its lease.
                Ok(None) => {
                    failures = 0;
                    let left: redis::RedisResult<i64> = redis::cmd("PTTL")
                        .arg(&key)
                        .query_async(&mut self.redis)
                        .await;
                    let left = left.ok().and_then(|ms| u64::try_from(ms).ok()).unwrap_or(0);
                    Duration::from_millis(left.max(1))
                }
                Err(error) => {
                    failures += 1;
                    if failures.is_power_of_two() {
                        let text = format!(
                            "the identify queue cannot reach Redis ({error}); shard {shard} waits \
                             to identify until it can"
                        );
                        tell!(WARN, { shard = shard, }, text);
                    }
                    Duration::from_millis(250)
                }
            };
            tokio::time::sleep(wait).await;
        }
    }
}

impl Queue for RedisQueue {
    fn enqueue(&self, shard: u32) -> oneshot::Receiver<()> {
        let (release, released) = oneshot::channel();
        let queue = self.clone();
        tokio::spawn(async move {
            queue.take_slot(shard).await;
            let _ = release.send(());
        });
        released
    }
}

impl fmt::Debug for RedisQueue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisQueue")
            .field("prefix", &self.prefix)
            .field("buckets", &self.buckets)
            .field("window", &self.window)
            .finish_non_exhaustive()
    }
}
