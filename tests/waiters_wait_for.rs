//! `ctx.wait_for::<E>()`: check, timeout, keyed matching, registration before the event, removal
//! on drop, and shutdown.

mod common;

use std::time::Duration;

use herald::prelude::*;
use herald::testing::ContextExt as _;
use twilight_model::id::Id;

fn bot() -> Bot {
    Bot::builder().build().unwrap()
}

#[tokio::test]
async fn resolves_with_the_first_matching_event() {
    let bot = bot();
    let ctx = bot.context();
    let waiter = ctx
        .wait_for::<MessageCreate>()
        .check(|m| m.content.starts_with('!'))
        .register();
    ctx.dispatch(common::message(1, 200, 1, "not a command"));
    ctx.dispatch(common::message(2, 200, 1, "!ping"));
    ctx.dispatch(common::message(3, 200, 1, "!later"));
    let got = waiter.await.unwrap();
    assert_eq!((got.id.get(), got.content.as_str()), (2, "!ping"));
    assert_eq!(
        ctx.pending_waiters(),
        0,
        "a resolved waiter leaves the registry"
    );
}

#[tokio::test]
async fn keyed_waiters_match_only_their_key() {
    let bot = bot();
    let ctx = bot.context();
    let on_10 = ctx
        .wait_for::<RawReactionAdd>()
        .on(Id::<twilight_model::id::marker::MessageMarker>::new(10))
        .register();
    let by_user_7 = ctx
        .wait_for::<RawReactionAdd>()
        .on(Id::<twilight_model::id::marker::UserMarker>::new(7))
        .register();
    ctx.dispatch(common::reaction(11, 3, "👍"));
    ctx.dispatch(common::reaction(10, 3, "✅"));
    ctx.dispatch(common::reaction(12, 7, "❌"));
    let on_10 = on_10.await.unwrap();
    assert_eq!((on_10.message_id.get(), on_10.user_id.get()), (10, 3));
    let by_user_7 = by_user_7.await.unwrap();
    assert_eq!(
        (by_user_7.message_id.get(), by_user_7.user_id.get()),
        (12, 7)
    );
}

#[tokio::test]
async fn keyed_and_checked_like_a_confirmation_prompt() {
    let bot = bot();
    let ctx = bot.context();
    let confirm = ctx
        .wait_for::<RawReactionAdd>()
        .on(Id::<twilight_model::id::marker::MessageMarker>::new(50))
        .check(|r| matches!(&r.emoji, twilight_model::channel::message::EmojiReactionType::Unicode { name } if name == "✅" || name == "❌"))
        .timeout(Duration::from_secs(30))
        .register();
    ctx.dispatch(common::reaction(50, 4, "🎉"));
    ctx.dispatch(common::reaction(50, 4, "❌"));
    let reaction = confirm.await.unwrap();
    assert!(
        matches!(&reaction.emoji, twilight_model::channel::message::EmojiReactionType::Unicode { name } if name == "❌")
    );
}

#[tokio::test(start_paused = true)]
async fn times_out_and_is_removed() {
    let bot = bot();
    let ctx = bot.context();
    let waiter = ctx
        .wait_for::<MessageCreate>()
        .timeout(Duration::from_secs(30))
        .register();
    assert_eq!(ctx.pending_waiters(), 1);
    // The clock is paused: tokio advances it to the deadline as soon as everything is idle.
    let error = waiter.await.unwrap_err();
    assert!(
        matches!(error, Error::Timeout(d, "message") if d == Duration::from_secs(30)),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("waited 30s for `message`"),
        "{error}"
    );
    assert_eq!(ctx.pending_waiters(), 0);
}

#[tokio::test]
async fn awaiting_the_builder_registers_the_waiter() {
    let bot = bot();
    let ctx = bot.context().clone();
    let waiting = tokio::spawn({
        let ctx = ctx.clone();
        async move { ctx.wait_for::<MessageCreate>().await.map(|m| m.id.get()) }
    });
    // The waiter registers when the spawned task first polls it.
    while ctx.pending_waiters() == 0 {
        tokio::task::yield_now().await;
    }
    ctx.dispatch(common::message(42, 200, 1, "x"));
    assert_eq!(waiting.await.unwrap().unwrap(), 42);
}

#[tokio::test]
async fn dropping_waiters_removes_them_at_once() {
    let bot = bot();
    let ctx = bot.context();
    let mut waiters = Vec::new();
    for i in 1..=100_000u64 {
        let waiter = ctx.wait_for::<MessageCreate>();
        // A mix of keyed and unkeyed waiters, as real bots have.
        let waiter = if i % 2 == 0 {
            waiter.on(Id::<twilight_model::id::marker::MessageMarker>::new(i))
        } else {
            waiter
        };
        waiters.push(waiter.check(|_| true).register());
    }
    assert_eq!(ctx.pending_waiters(), 100_000);
    drop(waiters);
    assert_eq!(ctx.pending_waiters(), 0);
}

#[tokio::test]
async fn a_shut_down_bot_ends_pending_waiters() {
    let bot = bot();
    let ctx = bot.context();
    let waiter = ctx.wait_for::<MessageCreate>().register();
    ctx.close_waiters();
    assert!(matches!(waiter.await, Err(Error::Closed("message"))));
    assert_eq!(ctx.pending_waiters(), 0);
}

#[tokio::test]
async fn waiters_see_custom_events() {
    #[derive(Event, Debug)]
    struct Ping(u32);
    let bot = bot();
    let ctx = bot.context();
    let waiter = ctx.wait_for::<Ping>().check(|p| p.0 > 1).register();
    ctx.dispatch(Ping(1));
    ctx.dispatch(Ping(2));
    assert_eq!(waiter.await.unwrap().0, 2);
}
