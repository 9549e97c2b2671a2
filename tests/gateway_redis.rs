//! `RedisQueue`: three bot processes on shard ranges of one 24-shard bot, pacing their identifies
//! through a real Redis against a sandbox that enforces `max_concurrency` 4. Needs a Redis server:
//! `HERALD_REDIS_URL` (CI starts one and sets it, with `HERALD_REQUIRE_REDIS=1` so that the test
//! cannot skip there); without it, the test says so and skips.

#[path = "common/bot.rs"]
mod bot;
#[path = "common/child.rs"]
mod child;

use std::time::Duration;

use bot::WAIT;
use herald::gateway::{RedisQueue, Shards};
use herald::prelude::*;
use herald::sandbox::{Sandbox, World};

const SHARDS: u32 = 24;
const MAX_CONCURRENCY: u32 = 4;
const WINDOW: Duration = Duration::from_millis(400);

/// One bot process: shards `HERALD_TEST_RANGE` (`start..end`) of 24 on the parent's sandbox
/// (`child::remote_bot`),
/// identifies paced through Redis; prints `ready` once its shards are.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a child process of the Redis queue test"]
async fn child_redis_bot() {
    child::assert_child("child_redis_bot");
    let var = |name: &str| std::env::var(name).unwrap();
    let (start, end) = var("HERALD_TEST_RANGE")
        .split_once("..")
        .map(|(s, e)| (s.parse().unwrap(), e.parse().unwrap()))
        .unwrap();
    let queue = RedisQueue::connect(
        &var("HERALD_REDIS_URL"),
        &var("HERALD_TEST_BOT"),
        MAX_CONCURRENCY,
    )
    .await
    .expect("Redis is reachable")
    .window(WINDOW);
    child::remote_bot()
        .shards(Shards::Range {
            range: start..end,
            total: SHARDS,
        })
        .identify_queue(queue)
        .listener(|_: &Ready| {
            println!("ready");
            async {}
        })
        .run()
        .await
        .expect("the bot stops cleanly");
}

#[test]
fn three_processes_identify_one_per_bucket_per_window_through_redis() {
    let Ok(redis) = std::env::var("HERALD_REDIS_URL") else {
        assert!(
            std::env::var_os("HERALD_REQUIRE_REDIS").is_none(),
            "HERALD_REQUIRE_REDIS is set but HERALD_REDIS_URL is not"
        );
        eprintln!("skipped: set HERALD_REDIS_URL (redis://127.0.0.1:6379) to run it");
        return;
    };
    let server = bot::ThreadSandbox::start(
        Sandbox::builder()
            .world(World::with_guilds(SHARDS as usize))
            .recommended_shards(SHARDS)
            .max_concurrency(MAX_CONCURRENCY)
            .identify_window(WINDOW),
    );
    let sb = server.sandbox.clone();
    // Keys of this run only: a crashed earlier run's leases cannot slow it.
    let name = format!("test-{}", std::process::id());
    let mut common = child::remote_envs(&sb);
    common.extend([("HERALD_REDIS_URL", redis), ("HERALD_TEST_BOT", name)]);
    let mut bots: Vec<_> = ["0..8", "8..16", "16..24"]
        .iter()
        .map(|range| {
            let mut envs: Vec<(&str, &str)> =
                common.iter().map(|(k, v)| (*k, v.as_str())).collect();
            envs.push(("HERALD_TEST_RANGE", range));
            let mut bot = child::spawn("child_redis_bot", &envs);
            let lines = child::Lines::new(bot.stdout.take().unwrap());
            (bot, lines)
        })
        .collect();
    for (_, lines) in &mut bots {
        lines.until("ready", WAIT);
    }

    let by_bucket = bot::identifies_by_bucket(&sb, SHARDS as usize, MAX_CONCURRENCY);
    let mut gaps = Vec::new();
    for (bucket, mut times) in by_bucket {
        times.sort();
        assert_eq!(
            times.len(),
            (SHARDS / MAX_CONCURRENCY) as usize,
            "bucket {bucket}"
        );
        for pair in times.windows(2) {
            assert!(
                pair[1] - pair[0] >= WINDOW,
                "bucket {bucket}: two identifies within one window: {times:?}"
            );
            gaps.push(pair[1] - pair[0]);
        }
    }
    gaps.sort();
    eprintln!(
        "identifies per bucket: {}, gaps between a bucket's identifies: min {:?}, median {:?}",
        SHARDS / MAX_CONCURRENCY,
        gaps[0],
        gaps[gaps.len() / 2]
    );
    for (bot, lines) in &mut bots {
        child::signal(bot, "TERM");
        assert!(
            child::wait(bot, WAIT).success(),
            "{}",
            lines.seen.join("\n")
        );
    }
}

/// A slot taken by a process that then crashed (it never identifies, never releases): the lease
/// runs out with its window and the next identify of that bucket goes ahead.
#[tokio::test]
async fn a_crashed_processs_slot_expires_with_its_window() {
    let Ok(url) = std::env::var("HERALD_REDIS_URL") else {
        assert!(std::env::var_os("HERALD_REQUIRE_REDIS").is_none());
        eprintln!("skipped: set HERALD_REDIS_URL (redis://127.0.0.1:6379) to run it");
        return;
    };
    use herald::gateway::Queue as _;
    let bot = format!("test-crash-{}", std::process::id());
    let mut redis = redis::Client::open(url.as_str())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    // The crashed process's lease on bucket 1.
    let key = format!("herald:{bot}:identify:1");
    let _: () = redis::cmd("SET")
        .arg(&key)
        .arg("crashed")
        .arg("PX")
        .arg(1000)
        .query_async(&mut redis)
        .await
        .unwrap();
    let queue = RedisQueue::connect(&url, &bot, 4)
        .await
        .unwrap()
        .window(WINDOW);
    let taken_at = std::time::Instant::now();
    // Shard 5 is in bucket 1: it waits the lease out; shard 2 (bucket 2) goes at once.
    let (held, free) = (queue.enqueue(5), queue.enqueue(2));
    tokio::time::timeout(WAIT, free).await.unwrap().unwrap();
    let pttl_while_held: i64 = redis::cmd("PTTL")
        .arg(&key)
        .query_async(&mut redis)
        .await
        .unwrap();
    assert!(
        pttl_while_held > 0,
        "bucket 1 was still the crashed process's"
    );
    tokio::time::timeout(WAIT, held).await.unwrap().unwrap();
    let owner: String = redis::cmd("GET")
        .arg(&key)
        .query_async(&mut redis)
        .await
        .unwrap();
    assert_eq!(owner, "5", "shard 5 took bucket 1 once the lease ran out");
    eprintln!("bucket 1 freed after {:?} (lease 1 s)", taken_at.elapsed());
}
