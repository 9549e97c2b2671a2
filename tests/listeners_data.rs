//! State a listener takes as a parameter (`Data<T>`): handed to each call, and checked when the
//! bot is built — a listener that takes state the bot was never given is a `build()` error naming
//! both, not a panic at run time.

mod common;

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use herald::prelude::*;
use herald::testing::ContextExt as _;

#[derive(Default)]
struct Stats {
    messages: AtomicU64,
}

struct Settings {
    prefix: &'static str,
}

/// Counts every message, with the bot's `Stats`.
#[listener]
async fn count(_msg: &MessageCreate, stats: Data<Stats>) {
    stats.messages.fetch_add(1, Ordering::Relaxed);
}

static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Two pieces of state, after the context and the event.
#[listener]
async fn commands(
    _ctx: Context,
    msg: &MessageCreate,
    settings: Data<Settings>,
    stats: Data<Stats>,
) -> herald::Result {
    if let Some(command) = msg.content.strip_prefix(settings.prefix) {
        let seen = stats.messages.load(Ordering::Relaxed);
        SEEN.lock().unwrap().push(format!("{command} after {seen}"));
    }
    Ok(())
}

#[tokio::test]
async fn listeners_get_the_state_they_take() {
    let bot = Bot::builder()
        .data(Stats::default())
        .data(Settings { prefix: "!" })
        .listener(count)
        .listener(commands)
        .build()
        .expect("every listener's state was given");
    let ctx = bot.context();
    ctx.dispatch(common::message(1, 200, 1, "hello"));
    ctx.dispatch(common::message(2, 200, 1, "!ping"));
    ctx.idle().await;
    assert_eq!(ctx.data::<Stats>().messages.load(Ordering::Relaxed), 2);
    assert_eq!(*SEEN.lock().unwrap(), ["ping after 2"]);
}

#[test]
fn a_listener_taking_state_the_bot_was_not_given_fails_the_build_naming_both() {
    let error = Bot::builder()
        .data(Stats::default())
        .listener(count)
        .listener(commands)
        .build()
        .expect_err("no Settings");
    assert!(
        matches!(&error, Error::MissingData { listener, type_name }
            if &**listener == "commands" && type_name.ends_with("Settings")),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "listener `commands` takes `Data<listeners_data::Settings>`, but the bot was given no \
         `listeners_data::Settings`: give it to the builder with `.data(..)`"
    );
}

#[tokio::test]
async fn a_listener_added_at_run_time_without_its_state_fails_its_calls_loudly() {
    let reported = std::sync::Arc::new(Mutex::new(Vec::new()));
    let log = std::sync::Arc::clone(&reported);
    let bot = Bot::builder()
        .listener(Listener::new(move |err: &ListenerError| {
            log.lock().unwrap().push(err.to_string());
            async {}
        }))
        .build()
        .unwrap();
    let ctx = bot.context();
    ctx.add_listener(count);
    ctx.dispatch(common::message(1, 200, 1, "hello"));
    ctx.idle().await;
    assert_eq!(
        *reported.lock().unwrap(),
        [
            "listener `count` failed on `message`: no `listeners_data::Stats` in the bot's data: \
          give it to the builder with `.data(..)`"
        ]
    );
}
