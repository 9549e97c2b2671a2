//! Listener errors and panics: caught per listener, delivered as `ListenerError` (with the event,
//! typed, and the panic's location) to `on_error` and error listeners, printed to stderr or logged
//! when nobody listens, never recursed.

#[path = "common/child.rs"]
mod child;
mod common;

use std::sync::{Arc, Mutex};

use herald::prelude::*;
use herald::testing::ContextExt as _;

static REPORTED: Mutex<Vec<String>> = Mutex::new(Vec::new());

#[listener]
async fn fails(msg: &MessageCreate) -> herald::Result {
    Err(format!("cannot handle {}", msg.content).into())
}

/// The line of `panics`' `panic!`.
const PANIC_LINE: u32 = line!() + 5;

#[listener(name = "panicky")]
async fn panics(msg: &MessageCreate) {
    if msg.content == "boom" {
        panic!("listener exploded on {}", msg.id);
    }
}

#[listener]
async fn fine(_msg: &MessageCreate) {
    REPORTED.lock().unwrap().push("fine ran".into());
}

#[event]
async fn on_error(err: &ListenerError) {
    let kind = if err.is_panic() { "panic" } else { "error" };
    REPORTED.lock().unwrap().push(format!(
        "{kind} in {} on {}: {}",
        err.listener, err.event, err.error
    ));
}

#[tokio::test]
async fn errors_and_panics_reach_on_error_with_event_and_listener_names() {
    let bot = Bot::builder()
        .listener(fails)
        .listener(panics)
        .listener(fine)
        .event(on_error)
        .build()
        .unwrap();
    let ctx = bot.context();
    ctx.dispatch(common::message(5, 200, 1, "boom"));
    ctx.idle().await;

    let mut reported = REPORTED.lock().unwrap().clone();
    reported.sort();
    assert_eq!(
        reported,
        [
            "error in fails on message: cannot handle boom".to_owned(),
            "fine ran".to_owned(),
            format!(
                "panic in panicky on message: panicked at tests/router_errors.rs:{PANIC_LINE}:9: \
                 listener exploded on 5"
            ),
        ]
    );
}

#[tokio::test]
async fn an_error_in_the_error_handler_is_not_recursed() {
    let calls = Arc::new(Mutex::new(0));
    let c = Arc::clone(&calls);
    let failing_handler = Listener::new(move |_: &ListenerError| {
        *c.lock().unwrap() += 1;
        async { Err::<(), _>("the error handler fails too") }
    });
    let panicking_handler = Listener::new(|err: &ListenerError| {
        let event = err.event;
        async move { assert_ne!(event, "message", "and this one panics") }
    });
    let bot = Bot::builder()
        .listener(Listener::new(|_: &MessageCreate| async {
            Err::<(), _>("first failure")
        }))
        .listener(failing_handler)
        .listener(panicking_handler)
        .build()
        .unwrap();
    let ctx = bot.context();
    ctx.dispatch(common::message(1, 200, 1, "x"));
    ctx.idle().await;
    // One error event, handled once: the handlers' own failures are logged, not dispatched.
    assert_eq!(*calls.lock().unwrap(), 1);
    assert_eq!(ctx.running_listeners(), 0);
}

/// Captures what herald logs, to check what happens with no error listener.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn without_error_listeners_failures_are_logged_with_their_fields() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    tracing::subscriber::with_default(subscriber, || {
        runtime.block_on(async {
            let bot = Bot::builder()
                .listener(
                    Listener::new(|_: &MessageCreate| async { Err::<(), _>("no database") })
                        .name("save"),
                )
                .build()
                .unwrap();
            bot.context().dispatch(common::message(1, 200, 1, "x"));
            bot.context().idle().await;
        });
    });
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("ERROR"), "{log}");
    assert!(
        log.contains("listener `save` failed on `message`: no database"),
        "{log}"
    );
    assert!(
        log.contains("event=\"message\"") || log.contains("event=message"),
        "{log}"
    );
    assert!(
        log.contains("listener=\"save\"") || log.contains("listener=save"),
        "{log}"
    );
    assert!(log.contains("error=no database"), "{log}");
}

#[event]
async fn on_message(_msg: &MessageCreate) {}

mod other {
    use herald::prelude::*;

    #[event]
    pub(super) async fn on_message(_ctx: Context, _msg: &MessageCreate) {}
}

#[test]
fn two_event_handlers_for_one_event_fail_the_build_naming_both() {
    let error = Bot::builder()
        .event(on_message)
        .event(other::on_message)
        .build()
        .unwrap_err();
    let text = error.to_string();
    assert!(
        matches!(
            error,
            Error::DuplicateEventHandler {
                event: "message",
                ..
            }
        ),
        "{error:?}"
    );
    // Both named, with where each was registered.
    assert_eq!(text.matches("on_message").count(), 3, "{text}");
    assert_eq!(text.matches("tests/router_errors.rs:").count(), 2, "{text}");
    assert!(text.contains("keep one"), "{text}");
    // Listeners, unlike #[event] handlers, may share an event.
    assert!(
        Bot::builder()
            .listener(on_message)
            .listener(other::on_message)
            .build()
            .is_ok()
    );
}

/// What `record_typed` saw: the message's id and content, whether the event was also a
/// reaction, the panic's file and line.
type Seen = (u64, String, bool, Option<(String, u32)>);
static TYPED: Mutex<Vec<Seen>> = Mutex::new(Vec::new());

/// disnake's `on_error(event, *args)`: the event the listener failed on, typed.
async fn record_typed(err: &ListenerError) {
    let Some(msg) = err.event::<MessageCreate>() else {
        return;
    };
    let at = err
        .panic()
        .and_then(|p| p.location.as_ref())
        .map(|l| (l.file.clone(), l.line));
    TYPED.lock().unwrap().push((
        msg.id.get(),
        msg.content.clone(),
        err.event::<ReactionAdd>().is_some(),
        at,
    ));
}

#[tokio::test]
async fn on_error_gets_the_event_typed_and_the_panic_location() {
    let line = line!() + 4;
    let bot = Bot::builder()
        .listener(Listener::new(|msg: &MessageCreate| {
            let boom = msg.content == "boom";
            async move { assert!(!boom, "boom") }
        }))
        .listener(Listener::new(record_typed))
        .build()
        .unwrap();
    let ctx = bot.context();
    ctx.dispatch(common::message(42, 200, 1, "boom"));
    ctx.idle().await;
    assert_eq!(
        *TYPED.lock().unwrap(),
        [(
            42,
            "boom".to_owned(),
            false,
            Some(("tests/router_errors.rs".to_owned(), line))
        )]
    );
}

/// A cause with a source, as real errors have.
#[derive(Debug)]
struct CannotSave(std::io::Error);

impl std::fmt::Display for CannotSave {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("cannot save the level")
    }
}

impl std::error::Error for CannotSave {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

#[listener]
async fn save(msg: &MessageCreate) -> herald::Result {
    if msg.content == "save" {
        return Err(CannotSave(std::io::Error::other("disk full")).into());
    }
    Ok(())
}

#[listener]
async fn explode(msg: &MessageCreate) {
    if msg.content == "boom" {
        tokio::task::yield_now().await;
        panic!("boom");
    }
}

/// The README's first bot without `on_error`, and no tracing subscriber: what it prints.
#[tokio::test]
#[ignore = "a child process of unhandled_errors_are_printed_to_stderr_once_each"]
async fn child_bot_without_error_handling() {
    child::assert_child("child_bot_without_error_handling");
    Bot::builder()
        .token_from_env("HERALD_TEST_TOKEN_NEVER_SET")
        .embedded_sandbox(herald::sandbox::Sandbox::builder())
        .add_intents(Intents::MESSAGE_CONTENT)
        .listener(save)
        .listener(explode)
        .scene(|ctx: Context| async move {
            let sandbox = ctx.sandbox().unwrap();
            let alice = sandbox.actor("alice");
            alice.say(sandbox.channel("general"), "save");
            alice.say(sandbox.channel("general"), "boom");
            Ok(())
        })
        .run()
        .await
        .expect("the bot runs its scene");
}

#[test]
fn unhandled_errors_are_printed_to_stderr_once_each() {
    let bot = child::spawn(
        "child_bot_without_error_handling",
        &[("RUST_BACKTRACE", "1")],
    );
    let output = bot.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{}\n{stderr}", output.status);
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(
        lines.contains(
            &"herald error: listener `save` failed on `message`: cannot save the level: disk full"
        ),
        "{stderr}"
    );
    let panic = lines
        .iter()
        .find(|l| {
            l.starts_with("herald error: listener `explode` failed on `message`: panicked at ")
        })
        .unwrap_or_else(|| panic!("the panic is reported:\n{stderr}"));
    assert!(
        panic.contains("tests/router_errors.rs:") && panic.ends_with(": boom"),
        "{panic}"
    );
    // Once: herald's report, with its backtrace; the process panic hook printed nothing.
    assert_eq!(stderr.matches("stack backtrace:").count(), 1, "{stderr}");
    let backtrace = &stderr[stderr.find("stack backtrace:").unwrap()..];
    assert!(
        backtrace.contains("0: router_errors::explode::explode::{{closure}}"),
        "the backtrace starts at the panic: {backtrace}"
    );
    assert!(
        !backtrace.contains("tokio::runtime") && !backtrace.contains("install_panic_hook"),
        "short: {backtrace}"
    );
    assert!(!stderr.contains("thread '"), "{stderr}");
    assert_eq!(stderr.matches("handle them with").count(), 1, "{stderr}");
}
