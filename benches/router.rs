//! Router costs: per dispatched event with 1 and 10 listeners, with 100,000 waiters pending on
//! other keys against none, and for custom events.
//!
//! `cargo bench --bench router`. Each iteration dispatches one event and the batch is timed until
//! every listener call has finished (`ctx.idle()`), so the figures include running the listeners
//! (and spawning a task for those that wait: `listeners/1_awaiting`), not only the table lookup.
//! A current-thread runtime keeps them steady.

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use herald::prelude::*;
use herald::testing::ContextExt as _;
use twilight_model::id::Id;
use twilight_model::id::marker::MessageMarker;

fn message() -> MessageCreate {
    serde_json::from_value(serde_json::json!({
        "id": "1", "channel_id": "200", "guild_id": "100",
        "author": {"id": "3", "username": "alice", "discriminator": "0"},
        "content": "hello", "timestamp": "2024-01-01T00:00:00.000000+00:00",
        "tts": false, "mention_everyone": false, "mentions": [], "mention_roles": [],
        "attachments": [], "embeds": [], "pinned": false, "type": 0
    }))
    .unwrap()
}

#[derive(Event)]
struct LevelUp {
    level: u32,
}

static COUNT: AtomicU64 = AtomicU64::new(0);

async fn count(_ctx: Context, _msg: &MessageCreate) {
    COUNT.fetch_add(1, Ordering::Relaxed);
}

/// A listener that has to wait once: its call becomes a task.
async fn count_after_yield(_ctx: Context, _msg: &MessageCreate) {
    tokio::task::yield_now().await;
    COUNT.fetch_add(1, Ordering::Relaxed);
}

async fn count_levels(up: &LevelUp) {
    COUNT.fetch_add(u64::from(up.level), Ordering::Relaxed);
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Times `iters` dispatches of `event` and the listener calls they start.
async fn dispatch_batch<E: Event>(ctx: &Context, event: &Arc<E>, iters: u64) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        ctx.dispatch_shared(Arc::clone(event));
    }
    ctx.idle().await;
    start.elapsed()
}

fn listeners(c: &mut Criterion) {
    let rt = runtime();
    let event = Arc::new(message());
    let mut group = c.benchmark_group("dispatch_message");
    for n in [1usize, 10] {
        let bot = rt.block_on(async {
            (0..n)
                .fold(Bot::builder(), |b, _| b.listener(count))
                .build()
                .unwrap()
        });
        group.bench_with_input(BenchmarkId::new("listeners", n), &n, |b, _| {
            b.to_async(&rt)
                .iter_custom(|iters| dispatch_batch(bot.context(), &event, iters));
        });
    }
    // Every call becomes a task: measured without the per-listener bound, which would make
    // calls past it wait (and, past `max_waiting_calls`, drop) instead.
    let bot = rt.block_on(async {
        Bot::builder()
            .max_running_listeners(usize::MAX)
            .listener(count_after_yield)
            .build()
            .unwrap()
    });
    group.bench_function("listeners/1_awaiting", |b| {
        b.to_async(&rt)
            .iter_custom(|iters| dispatch_batch(bot.context(), &event, iters));
    });
    group.finish();
}

fn waiters(c: &mut Criterion) {
    let rt = runtime();
    let event = Arc::new(message());
    let mut group = c.benchmark_group("dispatch_with_waiters");
    for (pending, listeners) in [
        (0usize, 1usize),
        (1, 1),
        (100_000, 1),
        (0, 0),
        (1, 0),
        (100_000, 0),
    ] {
        let bot = rt.block_on(async {
            (0..listeners)
                .fold(Bot::builder(), |b, _| b.listener(count))
                .build()
                .unwrap()
        });
        let ctx = bot.context().clone();
        // Waiters on other messages (keyed) of the same event type: none matches.
        let held: Vec<_> = rt.block_on(async {
            (0..pending as u64)
                .map(|i| {
                    ctx.wait_for::<MessageCreate>()
                        .on(Id::<MessageMarker>::new(1_000 + i))
                        .register()
                })
                .collect()
        });
        let id = format!("{pending}_waiters/{listeners}_listener");
        group.bench_function(id, |b| {
            b.to_async(&rt)
                .iter_custom(|iters| dispatch_batch(&ctx, &event, iters));
        });
        assert_eq!(ctx.pending_waiters(), pending);
        drop(held);
    }
    group.finish();
}

fn custom(c: &mut Criterion) {
    let rt = runtime();
    let bot = rt.block_on(async { Bot::builder().listener(count_levels).build().unwrap() });
    let event = Arc::new(LevelUp { level: 1 });
    c.bench_function("dispatch_custom/1_listener", |b| {
        b.to_async(&rt)
            .iter_custom(|iters| dispatch_batch(bot.context(), &event, iters));
    });
    black_box(COUNT.load(Ordering::Relaxed));
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = listeners, waiters, custom
}
criterion_main!(benches);
