//! Gateway throughput on realistic frames: a mock Discord gateway sends the same prebuilt
//! MESSAGE_CREATEs (~1.2 KB each: a guild text channel, the author with an avatar, a member
//! object, ~260 characters of content; after a 1000-member GUILD_CREATE) over a real WebSocket to
//!
//! - a plain twilight-gateway loop that deserialises each event (`next_event`), the baseline;
//! - the same loop feeding twilight-cache-inmemory (all resources);
//! - a herald bot with defaults (full cache, 1000 messages) and one `MessageCreate` listener;
//! - the same bot with `.cache_resources(GUILD | CHANNEL)`.
//!
//! Each round runs all four (the order alternates), each on a fresh connection; the figures are
//! medians of the rounds, and the ratios medians of the per-round ratios to the plain loop.
//! Allocations and CPU time per event count the whole process (the mock gateway's share is in
//! the plain loop's figures too). herald decodes a busy shard's frames on all the runtime's
//! workers: the rate says how fast a shard goes, the CPU time what it costs.
//!
//! `cargo bench --bench gateway` (HERALD_BENCH_EVENTS and HERALD_BENCH_ROUNDS change the number
//! of messages and rounds, defaults 100,000 and 5; MAX_MESSAGES herald's message cache bound,
//! default 1000; HERALD_BENCH_ONLY=plain|plain-cache|herald|herald-lean runs one, to profile it).

mod support;

use std::alloc::System;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use herald::cache::ResourceType;
use herald::prelude::*;
use herald::sandbox::Sandbox;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use support::{MockConn, MockGateway};
use tokio::sync::Notify;
use twilight_cache_inmemory::DefaultInMemoryCache;
use twilight_gateway::queue::InMemoryQueue;
use twilight_gateway::{
    ConfigBuilder, Event as TwilightEvent, EventTypeFlags, Shard, ShardId, StreamExt as _,
};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const INTENTS: Intents = Intents::GUILDS
    .union(Intents::GUILD_MESSAGES)
    .union(Intents::MESSAGE_CONTENT);
const MEMBERS: u64 = 1000;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What one contender did in one round.
struct Run {
    elapsed: Duration,
    allocations: usize,
    /// CPU time of the whole process (the mock gateway's sending included, the same for all).
    cpu: Duration,
}

/// CPU time this process has used so far (user + system, from `/proc/self/stat`, in clock ticks
/// of 10 ms): rounds last long enough for that to be a fair measure.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command's closing parenthesis; utime and stime are the 12th and 13th.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(Vec::new(), |(_, rest)| rest.split_whitespace().collect());
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i)?.parse::<u64>().ok())
        .sum();
    Duration::from_millis(ticks * 10)
}

#[derive(Clone, Copy, PartialEq)]
enum Contender {
    Plain,
    PlainCache,
    Herald,
    HeraldLean,
}

impl Contender {
    const ALL: [Contender; 4] = [
        Contender::Plain,
        Contender::PlainCache,
        Contender::Herald,
        Contender::HeraldLean,
    ];

    fn key(self) -> &'static str {
        match self {
            Contender::Plain => "plain",
            Contender::PlainCache => "plain-cache",
            Contender::Herald => "herald",
            Contender::HeraldLean => "herald-lean",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Contender::Plain => "plain twilight-gateway loop",
            Contender::PlainCache => "twilight loop + cache-inmemory",
            Contender::Herald => "herald, defaults",
            Contender::HeraldLean => "herald, guild+channel cache",
        }
    }
}

/// Times `frames` from the first byte sent until the client counted them all.
async fn timed(conn: &MockConn, frames: &Arc<Vec<Bytes>>, done: &Notify) -> Run {
    let region = Region::new(GLOBAL);
    let (start, cpu) = (Instant::now(), cpu_time());
    conn.start_sending(Arc::clone(frames));
    done.notified().await;
    let elapsed = start.elapsed();
    let change = region.change();
    Run {
        elapsed,
        allocations: change.allocations + change.reallocations,
        cpu: cpu_time().saturating_sub(cpu),
    }
}

/// A plain twilight loop on its own task: `next_event` deserialising every event, and, with
/// `cache`, twilight's in-memory cache updated from each.
async fn plain(mock: &mut MockGateway, frames: &Arc<Vec<Bytes>>, cache: bool) -> Run {
    mock.forget();
    let config = ConfigBuilder::new("bench-token".to_owned(), INTENTS)
        .proxy_url(mock.url.clone())
        .queue(InMemoryQueue::new(0, 0, Duration::ZERO, 0))
        .build();
    let mut shard = Shard::with_config(ShardId::ONE, config);
    let n = frames.len();
    let done = Arc::new(Notify::new());
    let finished = Arc::clone(&done);
    let task = tokio::spawn(async move {
        let cache = cache.then(|| {
            DefaultInMemoryCache::builder()
                .message_cache_size(herald::bot::DEFAULT_MAX_MESSAGES)
                .build()
        });
        let mut seen = 0;
        while let Some(event) = shard.next_event(EventTypeFlags::all()).await {
            let Ok(event) = event else { continue };
            if let Some(cache) = &cache {
                cache.update(&event);
            }
            if let TwilightEvent::MessageCreate(message) = event {
                std::hint::black_box(&message);
                seen += 1;
                if seen == n {
                    finished.notify_one();
                    break;
                }
            }
        }
    });
    let conn = mock.identified().await;
    let run = timed(&conn, frames, &done).await;
    task.abort();
    run
}

/// A herald bot with one listener counting messages.
async fn herald(
    sb: &Sandbox,
    mock: &mut MockGateway,
    frames: &Arc<Vec<Bytes>>,
    cache: ResourceType,
) -> Run {
    mock.forget();
    let n = frames.len();
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
        .sandbox(sb)
        .gateway_url(mock.url.clone())
        .intents(INTENTS)
        .cache_resources(cache)
        .max_messages(env("MAX_MESSAGES", herald::bot::DEFAULT_MAX_MESSAGES))
        .listener(listener)
        .build()
        .unwrap();
    let ready = bot.context().wait_for::<Ready>().register();
    let running = bot.start().await.unwrap();
    let conn = mock.identified().await;
    ready.await.unwrap();
    let run = timed(&conn, frames, &done).await;
    running.shutdown().await.unwrap();
    run
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let n = env("HERALD_BENCH_EVENTS", 100_000);
    let rounds = env("HERALD_BENCH_ROUNDS", 5);
    // HERALD_BENCH_ONLY=plain|plain-cache|herald|herald-lean runs one contender (for profiling).
    let only = std::env::var("HERALD_BENCH_ONLY").ok();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let frames = Arc::new(support::messages(3, n, MEMBERS));
    let sizes: usize = frames.iter().map(Bytes::len).sum();
    println!(
        "{n} MESSAGE_CREATEs of {} bytes on average, after a {MEMBERS}-member GUILD_CREATE",
        sizes / n
    );
    // rates[contender][round], allocations[contender][round]
    let mut rates = vec![Vec::new(); Contender::ALL.len()];
    let mut allocations = vec![Vec::new(); Contender::ALL.len()];
    let mut cpu = vec![Vec::new(); Contender::ALL.len()];
    runtime.block_on(async {
        let sb = Sandbox::start().await.unwrap();
        let mut mock = MockGateway::start(support::guild_create(MEMBERS)).await;
        for round in 0..rounds {
            let mut order: Vec<Contender> = Contender::ALL
                .into_iter()
                .filter(|c| only.as_deref().is_none_or(|only| c.key() == only))
                .collect();
            if round % 2 == 1 {
                order.reverse();
            }
            let mut line = format!("round {round}:");
            for contender in order {
                let run = match contender {
                    Contender::Plain => plain(&mut mock, &frames, false).await,
                    Contender::PlainCache => plain(&mut mock, &frames, true).await,
                    Contender::Herald => herald(&sb, &mut mock, &frames, ResourceType::all()).await,
                    Contender::HeraldLean => {
                        let lean = ResourceType::GUILD | ResourceType::CHANNEL;
                        herald(&sb, &mut mock, &frames, lean).await
                    }
                };
                let rate = n as f64 / run.elapsed.as_secs_f64();
                let index = contender as usize;
                rates[index].push(rate);
                allocations[index].push(run.allocations as f64 / n as f64);
                cpu[index].push(run.cpu.as_secs_f64() * 1e6 / n as f64);
                let _ = std::fmt::Write::write_fmt(
                    &mut line,
                    format_args!(" {} {rate:.0}/s |", contender.name()),
                );
            }
            println!("{}", line.trim_end_matches(" |"));
        }
    });
    let plain = &rates[Contender::Plain as usize];
    println!(
        "\nmedians of {rounds} rounds (ratio: median of the per-round ratios to the plain loop; min: the lowest round)"
    );
    println!(
        "  {:<32} {:>10}  {:>6}  {:>6}  {:>12}  {:>12}",
        "", "events/s", "ratio", "min", "allocs/event", "CPU µs/event"
    );
    for contender in Contender::ALL {
        let index = contender as usize;
        if rates[index].is_empty() || plain.is_empty() {
            continue;
        }
        let ratios: Vec<f64> = rates[index]
            .iter()
            .zip(plain)
            .map(|(rate, plain)| rate / plain)
            .collect();
        let min = ratios.iter().copied().fold(f64::INFINITY, f64::min);
        println!(
            "  {:<32} {:>10.0}  {:>6.2}  {:>6.2}  {:>12.1}  {:>12.1}",
            contender.name(),
            median(rates[index].clone()),
            median(ratios),
            min,
            median(allocations[index].clone()),
            median(cpu[index].clone()),
        );
    }
}
