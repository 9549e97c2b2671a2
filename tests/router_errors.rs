//! Listener errors and panics: caught per listener, delivered as `ListenerError` to `on_error` and
//! error listeners, logged when nobody listens, never recursed.

mod common;

use std::sync::{Arc, Mutex};

use herald::prelude::*;

static REPORTED: Mutex<Vec<String>> = Mutex::new(Vec::new());

#[listener]
async fn fails(msg: &MessageCreate) -> herald::Result {
    Err(format!("cannot handle {}", msg.content).into())
}

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
            "error in fails on message: cannot handle boom",
            "fine ran",
            "panic in panicky on message: panicked at tests/router_errors.rs:20:9: listener \
             exploded on 5",
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
