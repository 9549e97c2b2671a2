//! Start-up time of a sharded bot: 64 shards at max_concurrency 16 on the sandbox, with the
//! identify window scaled down (HERALD_BENCH_WINDOW_MS, default 250 ms). The ideal is
//! ceil(64/16) = 4 rounds: the last identify starts 3 windows after the first. Prints the median
//! over HERALD_BENCH_ROUNDS runs (default 3) of the time from `start` to `ready`, and of the
//! first-to-last identify span, against those ideals.
//!
//! `cargo bench --bench sharding`

use std::time::{Duration, Instant};

use herald::gateway::Shards;
use herald::prelude::*;
use herald::sandbox::{Sandbox, World};

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

async fn start_up(window: Duration) -> (Duration, Duration) {
    let sb = Sandbox::builder()
        .world(World::with_guilds(64))
        .recommended_shards(64)
        .max_concurrency(16)
        .identify_window(window)
        .start()
        .await
        .unwrap();
    let bot = Bot::builder()
        .sandbox(&sb)
        .shards(Shards::Auto)
        .build()
        .unwrap();
    let ready = bot.context().wait_for::<Ready>().register();
    let started = Instant::now();
    let running = bot.start().await.unwrap();
    ready.await.unwrap();
    let elapsed = started.elapsed();
    let identifies = sb.records().identifies();
    assert!(
        identifies.iter().all(|i| i.accepted()),
        "every identify was paced correctly"
    );
    let first = identifies.iter().map(|i| i.at).min().unwrap();
    let last = identifies.iter().map(|i| i.at).max().unwrap();
    running.shutdown().await.unwrap();
    (elapsed, last - first)
}

fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let window = Duration::from_millis(env("HERALD_BENCH_WINDOW_MS", 250));
    let rounds = env("HERALD_BENCH_ROUNDS", 3);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (mut totals, mut spans) = (Vec::new(), Vec::new());
    runtime.block_on(async {
        for round in 0..rounds {
            let (total, span) = start_up(window).await;
            println!("round {round}: ready after {total:?}, identifies spanned {span:?}");
            totals.push(total);
            spans.push(span);
        }
    });
    let (total, span) = (median(totals), median(spans));
    let ideal_span = 3 * window;
    println!("\n64 shards, max_concurrency 16, window {window:?}, median of {rounds}:");
    println!(
        "  identifies spanned {span:?}; ideal {ideal_span:?} (4 rounds); ratio {:.2}",
        span.as_secs_f64() / ideal_span.as_secs_f64()
    );
    println!(
        "  start -> ready     {total:?}; ideal > {ideal_span:?} plus one round's connect and READY"
    );
}
