//! `ctx.stream::<E>()`: collecting many events with a limit, an idle timeout, keys and checks.

mod common;

use std::time::Duration;

use futures_util::StreamExt;
use herald::prelude::*;
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
