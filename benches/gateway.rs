//! Gateway throughput: N MESSAGE_CREATEs pushed through the sandbox into (a) a plain
//! twilight-gateway loop that deserialises each event, and (b) a herald bot with one listener,
//! measured side by side in alternating rounds. Prints events/s (median of the rounds) and the
//! ratio herald / plain.
//!
//! `cargo bench --bench gateway` (HERALD_BENCH_EVENTS and HERALD_BENCH_ROUNDS change N and the
//! number of rounds; defaults 50,000 and 5).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use herald::cache::ResourceType;
use herald::prelude::*;
use herald::sandbox::Sandbox;
use tokio::sync::Notify;
use twilight_gateway::queue::InMemoryQueue;
use twilight_gateway::{
    ConfigBuilder, Event as TwilightEvent, EventTypeFlags, Shard, ShardId, StreamExt as _,
};

const INTENTS: Intents = Intents::GUILDS
    .union(Intents::GUILD_MESSAGES)
    .union(Intents::MESSAGE_CONTENT);

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The plain loop: one shard, `next_event` deserialising every MESSAGE_CREATE, a counter.
async fn plain(n: usize) -> Duration {
    let sb = Sandbox::start().await.unwrap();
    let config = ConfigBuilder::new(sb.token(), INTENTS)
        .proxy_url(sb.gateway_url())
        .queue(InMemoryQueue::new(0, 0, Duration::ZERO, 0))
        .build();
    let mut shard = Shard::with_config(ShardId::ONE, config);
    let flags =
        EventTypeFlags::READY | EventTypeFlags::GUILD_CREATE | EventTypeFlags::MESSAGE_CREATE;
    while let Some(event) = shard.next_event(flags).await {
        if matches!(event, Ok(TwilightEvent::GuildCreate(_))) {
            break;
        }
    }
    let start = Instant::now();
    sb.actor("alice").burst(sb.channel("general"), n);
    let mut seen = 0;
    while let Some(event) = shard.next_event(flags).await {
        if let Ok(TwilightEvent::MessageCreate(message)) = event {
            std::hint::black_box(&message);
            seen += 1;
            if seen == n {
                break;
            }
        }
    }
    start.elapsed()
}

/// A herald bot with one listener counting messages.
async fn herald(n: usize, cache: ResourceType) -> Duration {
    let sb = Sandbox::start().await.unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(Notify::new());
    let (c, d) = (Arc::clone(&count), Arc::clone(&done));
    let listener = Listener::new(move |message: &MessageCreate| {
        std::hint::black_box(message);
        if c.fetch_add(1, Ordering::Relaxed) + 1 == n {
            d.notify_one();
        }
        async {}
    });
    let bot = Bot::builder()
        .sandbox(&sb)
        .intents(INTENTS)
        .cache_resources(cache)
        .max_messages(env("MAX_MESSAGES", herald::bot::DEFAULT_MAX_MESSAGES))
        .listener(listener)
        .build()
        .unwrap();
    let ready = bot.context().wait_for::<Ready>().register();
    let running = bot.start().await.unwrap();
    ready.await.unwrap();
    let start = Instant::now();
    sb.actor("alice").burst(sb.channel("general"), n);
    done.notified().await;
    let elapsed = start.elapsed();
    running.shutdown().await.unwrap();
    elapsed
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let n = env("HERALD_BENCH_EVENTS", 50_000);
    let rounds = env("HERALD_BENCH_ROUNDS", 5);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (mut plain_rates, mut default_rates, mut lean_rates) = (Vec::new(), Vec::new(), Vec::new());
    let (mut default_ratios, mut lean_ratios) = (Vec::new(), Vec::new());
    let rate = |d: Duration| n as f64 / d.as_secs_f64();
    runtime.block_on(async {
        for round in 0..rounds {
            // Alternate the order so neither side always runs on a warmer machine.
            let (p, h, l) = if round % 2 == 0 {
                let p = plain(n).await;
                (p, herald(n, ResourceType::all()).await, herald(n, ResourceType::GUILD | ResourceType::CHANNEL).await)
            } else {
                let l = herald(n, ResourceType::GUILD | ResourceType::CHANNEL).await;
                let h = herald(n, ResourceType::all()).await;
                (plain(n).await, h, l)
            };
            println!(
                "round {round}: plain {:>9.0} ev/s | herald (full cache) {:>9.0} ev/s | herald (guild+channel cache) {:>9.0} ev/s",
                rate(p),
                rate(h),
                rate(l)
            );
            default_ratios.push(rate(h) / rate(p));
            lean_ratios.push(rate(l) / rate(p));
            plain_rates.push(rate(p));
            default_rates.push(rate(h));
            lean_rates.push(rate(l));
        }
    });
    let (p, h, l) = (
        median(plain_rates),
        median(default_rates),
        median(lean_rates),
    );
    let (hr, lr) = (median(default_ratios), median(lean_ratios));
    println!("\n{n} MESSAGE_CREATEs through the sandbox, medians of {rounds} rounds");
    println!("(ratio: median of the per-round ratios herald / plain)");
    println!("  plain twilight-gateway loop          {p:>9.0} events/s");
    println!("  herald, 1 listener, full cache       {h:>9.0} events/s  ratio {hr:.2}");
    println!("  herald, 1 listener, guild+channel    {l:>9.0} events/s  ratio {lr:.2}");
}
