//! Memory of a big guild: one GUILD_CREATE with 50,000 members (GUILDS | GUILD_MEMBERS, members
//! cached), then 1,000 MESSAGE_CREATEs, sent by a mock gateway to
//!
//! - a plain twilight-gateway loop feeding twilight-cache-inmemory (all resources);
//! - a herald bot with defaults (full cache).
//!
//! Each runs in a child process of its own, so that its peak RSS (`VmHWM`) is its own; the mock
//! gateway runs in this process. Printed per bot: RSS before the guild arrives, peak RSS, and the
//! live heap (counted by the allocator) per cached member and per cached message.
//!
//! `cargo bench --bench memory` (HERALD_BENCH_MEMBERS changes the number of members; default
//! 50,000).

mod support;

use std::alloc::System;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use herald::prelude::*;
use herald::sandbox::Sandbox;
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::sync::Notify;
use twilight_cache_inmemory::DefaultInMemoryCache;
use twilight_gateway::queue::InMemoryQueue;
use twilight_gateway::{
    ConfigBuilder, Event as TwilightEvent, EventTypeFlags, Shard, ShardId, StreamExt as _,
};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const INTENTS: Intents = Intents::GUILDS
    .union(Intents::GUILD_MEMBERS)
    .union(Intents::GUILD_MESSAGES)
    .union(Intents::MESSAGE_CONTENT);
const MESSAGES: usize = 1000;

fn members() -> u64 {
    std::env::var("HERALD_BENCH_MEMBERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50_000)
}

/// Bytes the allocator holds now.
fn live_heap() -> i64 {
    let stats = GLOBAL.stats();
    stats.bytes_allocated as i64 - stats.bytes_deallocated as i64 + stats.bytes_reallocated as i64
}

/// A field of `/proc/self/status`, in KiB.
fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.trim().strip_suffix("kB"))
        .and_then(|kib| kib.trim().parse().ok())
        .unwrap_or(0)
}

const MIB: f64 = 1024.0 * 1024.0;

/// The child's side: connects as `kind`, prints `guild` once the guild is cached, then `done
/// <rss before KiB> <peak KiB> <heap per member> <heap per message>` after the messages.
fn child(kind: &str, url: String) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let members = members();
        let guild_cached = Arc::new(Notify::new());
        let messages = Arc::new(AtomicUsize::new(0));
        let messages_cached = Arc::new(Notify::new());
        let before;
        let heap_before;
        let keep_alive: Box<dyn std::any::Any>;
        if kind == "herald" {
            let sb = Sandbox::start().await.unwrap();
            let (count, done) = (Arc::clone(&messages), Arc::clone(&messages_cached));
            let bot = Bot::builder()
                .sandbox(&sb)
                .gateway_url(url)
                .intents(INTENTS)
                .listener(Listener::new(move |_: &MessageCreate| {
                    if count.fetch_add(1, Ordering::Relaxed) + 1 == MESSAGES {
                        done.notify_one();
                    }
                    async {}
                }))
                .build()
                .unwrap();
            let ready = bot.context().wait_for::<Ready>().register();
            before = status_kib("VmRSS:");
            heap_before = live_heap();
            let running = bot.start().await.unwrap();
            ready.await.unwrap();
            keep_alive = Box::new((running, sb));
        } else {
            let config = ConfigBuilder::new("bench-token".to_owned(), INTENTS)
                .proxy_url(url)
                .queue(InMemoryQueue::new(0, 0, Duration::ZERO, 0))
                .build();
            let mut shard = Shard::with_config(ShardId::ONE, config);
            let (cached, count, done) = (
                Arc::clone(&guild_cached),
                Arc::clone(&messages),
                Arc::clone(&messages_cached),
            );
            before = status_kib("VmRSS:");
            heap_before = live_heap();
            let task = tokio::spawn(async move {
                let cache = DefaultInMemoryCache::builder()
                    .message_cache_size(herald::bot::DEFAULT_MAX_MESSAGES)
                    .build();
                while let Some(event) = shard.next_event(EventTypeFlags::all()).await {
                    let Ok(event) = event else { continue };
                    cache.update(&event);
                    let guild = matches!(event, TwilightEvent::GuildCreate(_));
                    let message = matches!(event, TwilightEvent::MessageCreate(_));
                    // Told once the event is dropped, as herald's is by then.
                    drop(event);
                    if guild {
                        cached.notify_one();
                    }
                    if message && count.fetch_add(1, Ordering::Relaxed) + 1 == MESSAGES {
                        done.notify_one();
                    }
                }
            });
            guild_cached.notified().await;
            keep_alive = Box::new(task);
        }
        let heap_guild = live_heap();
        println!("guild");
        messages_cached.notified().await;
        let heap_messages = live_heap();
        let peak = status_kib("VmHWM:");
        println!(
            "done {before} {peak} {:.0} {:.0}",
            (heap_guild - heap_before) as f64 / members as f64,
            (heap_messages - heap_guild) as f64 / MESSAGES as f64,
        );
        drop(keep_alive);
        std::process::exit(0);
    });
}

/// Runs `kind` in a child process against `mock`; its figures.
async fn measure(mock: &mut support::MockGateway, kind: &str) -> Vec<f64> {
    mock.forget();
    let mut child = tokio::process::Command::new(std::env::current_exe().unwrap())
        .args(["--child", kind, &mock.url])
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let conn = mock.identified().await;
    assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("guild"));
    // Sequences go on after READY (1) and GUILD_CREATE (2).
    let messages = support::messages(3, MESSAGES, members());
    conn.send(Arc::new(messages)).await;
    let line = lines.next_line().await.unwrap().unwrap();
    let _ = child.wait().await;
    line.strip_prefix("done ")
        .unwrap()
        .split(' ')
        .map(|x| x.parse().unwrap())
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--child") {
        return child(&args[at + 1], args[at + 2].clone());
    }
    let members = members();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let guild = support::guild_create(members);
        println!(
            "GUILD_CREATE of {members} members ({:.1} MB), then {MESSAGES} MESSAGE_CREATEs; each bot in a process of its own",
            guild.len() as f64 / 1e6
        );
        let mut mock = support::MockGateway::start(guild).await;
        println!(
            "\n  {:<32} {:>12} {:>10} {:>12} {:>13}",
            "", "RSS before", "peak RSS", "heap/member", "heap/message"
        );
        for (kind, name) in [
            ("plain", "twilight loop + cache-inmemory"),
            ("herald", "herald, defaults"),
        ] {
            let figures = measure(&mut mock, kind).await;
            println!(
                "  {name:<32} {:>8.1} MiB {:>6.1} MiB {:>8.0} B {:>9.0} B",
                figures[0] * 1024.0 / MIB,
                figures[1] * 1024.0 / MIB,
                figures[2],
                figures[3],
            );
        }
    });
}
