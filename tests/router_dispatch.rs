//! Dispatch through the router: many listeners per event, shared events, `once`, `sequential`,
//! listeners added and removed at run time, registration without macros.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use herald::prelude::*;
use herald::testing::ContextExt as _;

type Log = Arc<Mutex<Vec<(String, u64, usize)>>>;

/// A closure listener that records (its tag, the message id, the event's address).
fn recorder(log: &Log, tag: &'static str) -> Listener {
    let log = Arc::clone(log);
    Listener::new(move |_ctx: Context, msg: &MessageCreate| {
        let entry = (
            tag.to_owned(),
            msg.id.get(),
            msg as *const MessageCreate as usize,
        );
        log.lock().unwrap().push(entry);
        async {}
    })
    .name(tag)
}

#[tokio::test]
async fn every_listener_of_an_event_gets_the_same_shared_event() {
    let log = Log::default();
    let bot = Bot::builder()
        .listener(recorder(&log, "a"))
        .listener(recorder(&log, "b"))
        .listener(recorder(&log, "c"))
        .build()
        .unwrap();
    let ctx = bot.context();
    ctx.dispatch(common::message(7, 200, 1, "hello"));
    ctx.idle().await;

    let log = log.lock().unwrap();
    let mut tags: Vec<_> = log.iter().map(|(tag, id, _)| (tag.as_str(), *id)).collect();
    tags.sort();
    assert_eq!(tags, [("a", 7), ("b", 7), ("c", 7)]);
    // One event, shared by reference: every listener saw the same address, no clone.
    assert!(
        log.iter().all(|(_, _, addr)| *addr == log[0].2),
        "event was cloned: {log:?}"
    );
}

#[tokio::test]
async fn listeners_only_get_their_event_type() {
    let messages = Arc::new(AtomicUsize::new(0));
    let reactions = Arc::new(AtomicUsize::new(0));
    let (m, r) = (Arc::clone(&messages), Arc::clone(&reactions));
    let bot = Bot::builder()
        .listener(move |_: &MessageCreate| {
            m.fetch_add(1, Ordering::SeqCst);
            async {}
        })
        .listener(move |_: &RawReactionAdd| {
            r.fetch_add(1, Ordering::SeqCst);
            async {}
        })
        .build()
        .unwrap();
    let ctx = bot.context();
    for i in 1..=5 {
        ctx.dispatch(common::message(i, 200, 1, "x"));
    }
    ctx.dispatch(common::reaction(1, 2, "✅"));
    ctx.idle().await;
    assert_eq!(messages.load(Ordering::SeqCst), 5);
    assert_eq!(reactions.load(Ordering::SeqCst), 1);
}

static ONCE_SEEN: Mutex<Vec<u64>> = Mutex::new(Vec::new());

#[listener(once)]
async fn first_message_only(msg: &MessageCreate) {
    ONCE_SEEN.lock().unwrap().push(msg.id.get());
}

#[tokio::test]
async fn once_listeners_fire_once_then_unregister() {
    let bot = Bot::builder().listener(first_message_only).build().unwrap();
    let ctx = bot.context();
    assert_eq!(ctx.listener_count(), 1);
    for i in 1..=20 {
        ctx.dispatch(common::message(i, 200, 1, "x"));
    }
    ctx.idle().await;
    assert_eq!(*ONCE_SEEN.lock().unwrap(), [1]);
    assert_eq!(ctx.listener_count(), 0);
}

#[tokio::test]
async fn once_fires_exactly_once_under_concurrent_dispatch() {
    let fired = Arc::new(AtomicUsize::new(0));
    let f = Arc::clone(&fired);
    let listener = Listener::new(move |_: &MessageCreate| {
        f.fetch_add(1, Ordering::SeqCst);
        async {}
    })
    .once();
    let bot = Bot::builder().listener(listener).build().unwrap();
    let ctx = bot.context().clone();
    let tasks: Vec<_> = (0..8)
        .map(|t| {
            let ctx = ctx.clone();
            tokio::spawn(async move {
                for i in 0..100 {
                    ctx.dispatch(common::message(t * 1000 + i + 1, 200, 1, "x"));
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    ctx.idle().await;
    assert_eq!(fired.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sequential_listeners_see_events_in_dispatch_order() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = Arc::clone(&seen);
    let listener = Listener::new(move |msg: &MessageCreate| {
        let (s, id) = (Arc::clone(&s), msg.id.get());
        async move {
            // Yield so that a concurrent listener would interleave.
            tokio::task::yield_now().await;
            s.lock().unwrap().push(id);
        }
    })
    .sequential();
    let bot = Bot::builder().listener(listener).build().unwrap();
    let ctx = bot.context();
    for i in 1..=2000 {
        ctx.dispatch(common::message(i, 200, 1, "x"));
    }
    ctx.idle().await;
    assert_eq!(*seen.lock().unwrap(), (1..=2000).collect::<Vec<_>>());
}

#[tokio::test]
async fn listeners_added_and_removed_at_run_time() {
    let log = Log::default();
    let bot = Bot::builder()
        .listener(recorder(&log, "static"))
        .build()
        .unwrap();
    let ctx = bot.context();

    ctx.dispatch(common::message(1, 200, 1, "x"));
    ctx.idle().await;
    let id = ctx.add_listener(recorder(&log, "dynamic"));
    assert_eq!(ctx.listener_count(), 2);
    ctx.dispatch(common::message(2, 200, 1, "x"));
    ctx.idle().await;
    assert!(ctx.remove_listener(id));
    assert!(
        !ctx.remove_listener(id),
        "removing twice reports it is gone"
    );
    ctx.dispatch(common::message(3, 200, 1, "x"));
    ctx.idle().await;

    let mut seen: Vec<_> = log
        .lock()
        .unwrap()
        .iter()
        .map(|(t, id, _)| format!("{t}:{id}"))
        .collect();
    seen.sort();
    assert_eq!(seen, ["dynamic:2", "static:1", "static:2", "static:3"]);
}

#[tokio::test]
async fn a_listener_can_add_a_listener() {
    let log = Log::default();
    let l = Arc::clone(&log);
    let adder = Listener::new(move |ctx: Context, _: &RawReactionAdd| {
        ctx.add_listener(recorder(&l, "added"));
        async {}
    })
    .once();
    let bot = Bot::builder().listener(adder).build().unwrap();
    let ctx = bot.context();
    ctx.dispatch(common::reaction(1, 2, "✅"));
    ctx.idle().await;
    ctx.dispatch(common::message(9, 200, 1, "x"));
    ctx.idle().await;
    assert_eq!(
        log.lock().unwrap().iter().map(|e| e.1).collect::<Vec<_>>(),
        [9]
    );
    let names: Vec<_> = ctx
        .listeners()
        .into_iter()
        .map(|l| (l.name.to_string(), l.event))
        .collect();
    assert_eq!(names, [("added".to_owned(), "message")]);
}

/// A plain `async fn`, registered without any macro.
async fn plain(_ctx: Context, msg: &MessageCreate) -> herald::Result {
    PLAIN_SEEN.lock().unwrap().push(msg.content.clone());
    Ok(())
}
static PLAIN_SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());

#[tokio::test]
async fn plain_async_fns_register_without_macros() {
    let bot = Bot::builder().listener(plain).build().unwrap();
    assert_eq!(bot.context().listeners()[0].name.as_ref(), "plain");
    bot.context()
        .dispatch(common::message(1, 200, 1, "no macro"));
    bot.context().idle().await;
    assert_eq!(*PLAIN_SEEN.lock().unwrap(), ["no macro"]);
}
