//! `ctx.stream::<E>()`: collecting many events with a limit, an idle timeout, keys and checks.

mod common;

use std::time::Duration;

use futures_util::StreamExt;
use herald::prelude::*;
use herald::testing::ContextExt as _;
use twilight_model::id::Id;
use twilight_model::id::marker::MessageMarker;

#[tokio::test]
async fn collects_up_to_its_limit_then_unsubscribes() {
    let bot = Bot::builder().build().unwrap();
    let ctx = bot.context();
    let stream = ctx
        .stream::<RawReactionAdd>()
        .on(Id::<MessageMarker>::new(9))
        .limit(3)
        .register();
    for user in 1..=5 {
        ctx.dispatch(common::reaction(9, user, "✅"));
        ctx.dispatch(common::reaction(8, user, "✅")); // another message: not collected
    }
    let users: Vec<u64> = stream.map(|r| r.user_id.get()).collect().await;
    assert_eq!(users, [1, 2, 3]);
    assert_eq!(ctx.pending_waiters(), 0);
}

#[tokio::test]
async fn a_slow_reader_loses_nothing() {
    let bot = Bot::builder().build().unwrap();
    let ctx = bot.context();
    let stream = ctx
        .stream::<MessageCreate>()
        .check(|m| m.content == "vote")
        .limit(1000)
        .register();
    for id in 1..=2000 {
        ctx.dispatch(common::message(
            id,
            200,
            1,
            if id % 2 == 0 { "vote" } else { "chat" },
        ));
    }
    let ids: Vec<u64> = stream.map(|m| m.id.get()).collect().await;
    assert_eq!(ids, (1..=2000).filter(|i| i % 2 == 0).collect::<Vec<_>>());
}

#[tokio::test(start_paused = true)]
async fn ends_after_its_idle_timeout() {
    let bot = Bot::builder().build().unwrap();
    let ctx = bot.context().clone();
    let mut stream = ctx
        .stream::<MessageCreate>()
        .idle_timeout(Duration::from_secs(60))
        .register();
    ctx.dispatch(common::message(1, 200, 1, "a"));
    assert_eq!(stream.next().await.unwrap().id.get(), 1);
    tokio::time::advance(Duration::from_secs(59)).await;
    ctx.dispatch(common::message(2, 200, 1, "b"));
    assert_eq!(
        stream.next().await.unwrap().id.get(),
        2,
        "each event restarts the idle timer"
    );
    let started = tokio::time::Instant::now();
    assert!(stream.next().await.is_none());
    assert_eq!(started.elapsed(), Duration::from_secs(60));
    assert_eq!(ctx.pending_waiters(), 0);
}

#[tokio::test]
async fn dropping_a_stream_unsubscribes_it() {
    let bot = Bot::builder().build().unwrap();
    let ctx = bot.context();
    let streams: Vec<_> = (0..1000)
        .map(|_| ctx.stream::<MessageCreate>().register())
        .collect();
    assert_eq!(ctx.pending_waiters(), 1000);
    drop(streams);
    assert_eq!(ctx.pending_waiters(), 0);
}

#[tokio::test]
async fn streams_end_when_the_bot_shuts_down() {
    let bot = Bot::builder().build().unwrap();
    let ctx = bot.context();
    let stream = ctx.stream::<MessageCreate>().register();
    ctx.dispatch(common::message(1, 200, 1, "before"));
    ctx.close_waiters();
    let seen: Vec<_> = stream.map(|m| m.content.clone()).collect().await;
    assert_eq!(seen, ["before"]);
}

#[tokio::test]
async fn a_stream_whose_check_panics_ends_and_the_panic_is_reported() {
    let reported = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = std::sync::Arc::clone(&reported);
    let bot = Bot::builder()
        .listener(Listener::new(move |err: &ListenerError| {
            log.lock().unwrap().push(err.to_string());
            async {}
        }))
        .build()
        .unwrap();
    let ctx = bot.context();
    let broken = ctx
        .stream::<MessageCreate>()
        .check(|m| m.content.parse::<u32>().expect("a number") > 0)
        .register();
    let fine = ctx.stream::<MessageCreate>().limit(2).register();
    ctx.dispatch(common::message(1, 200, 1, "7"));
    ctx.dispatch(common::message(2, 200, 1, "not a number"));
    ctx.idle().await;
    let collected: Vec<u64> = broken.map(|m| m.id.get()).collect().await;
    assert_eq!(collected, [1], "it ended at the panic");
    let others: Vec<u64> = fine.map(|m| m.id.get()).collect().await;
    assert_eq!(others, [1, 2], "other waiters are served");
    let reported = reported.lock().unwrap().clone();
    assert_eq!(reported.len(), 1, "{reported:?}");
    assert!(
        reported[0].starts_with("listener `check of stream::<message> at tests/waiters_stream.rs:")
            && reported[0].contains("failed on `message`: panicked at tests/waiters_stream.rs:")
            && reported[0].ends_with("a number: ParseIntError { kind: InvalidDigit }"),
        "{}",
        reported[0]
    );
}

/// A custom event whose `keys()` panics (written by hand, without the derive).
#[derive(Debug)]
struct Broken(u64);

impl Event for Broken {
    const NAME: &'static str = "broken";
    fn keys(&self) -> Keys {
        panic!("no keys for {}", self.0)
    }
}

#[tokio::test]
async fn an_event_whose_keys_panic_still_reaches_unkeyed_waiters_and_listeners() {
    let reported = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let (log, heard) = (
        std::sync::Arc::clone(&reported),
        std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0)),
    );
    let listener_heard = std::sync::Arc::clone(&heard);
    let bot = Bot::builder()
        .listener(Listener::new(move |err: &ListenerError| {
            log.lock().unwrap().push(err.to_string());
            async {}
        }))
        .listener(Listener::new(move |b: &Broken| {
            listener_heard.store(b.0, std::sync::atomic::Ordering::SeqCst);
            async {}
        }))
        .build()
        .unwrap();
    let ctx = bot.context();
    let keyed = ctx
        .wait_for::<Broken>()
        .on(Id::<MessageMarker>::new(5))
        .register();
    let unkeyed = ctx.wait_for::<Broken>().register();
    ctx.dispatch(Broken(5));
    assert_eq!(unkeyed.await.unwrap().0, 5);
    ctx.idle().await;
    assert_eq!(heard.load(std::sync::atomic::Ordering::SeqCst), 5);
    drop(keyed);
    let reported = reported.lock().unwrap().clone();
    assert_eq!(reported.len(), 1, "{reported:?}");
    assert!(
        reported[0].contains("keys() of waiters_stream::Broken` failed on `broken`: panicked at")
            && reported[0].ends_with("no keys for 5"),
        "{}",
        reported[0]
    );
}
