//! The error event: what a failed or panicking listener becomes.

use std::fmt;
use std::sync::Arc;

use super::Event;
use crate::error::BoxError;

/// A listener returned an error or panicked.
///
/// herald catches both per listener and dispatches this event (name `error`) to
/// `#[event] async fn on_error(ctx: Context, err: &ListenerError)` and to listeners of
/// `ListenerError`. With none registered, it is logged through `tracing` at `ERROR` level with the
/// fields `event`, `listener` and `error`. An error or panic inside an error listener is logged,
/// never dispatched again.
#[derive(Clone)]
pub struct ListenerError {
    /// The name of the event the listener was handling (`"message"`, `"level_up"`, ...).
    pub event: &'static str,
    /// The listener's name (the function name unless `#[listener(name = "..")]` set another).
    pub listener: Arc<str>,
    /// What went wrong: the listener's error, or a [`Panicked`] for a panic.
    pub error: Arc<BoxError>,
}

impl ListenerError {
    /// Whether the listener panicked rather than returning an error.
    pub fn is_panic(&self) -> bool {
        self.error.is::<Panicked>()
    }

    /// The panic's message, when the listener panicked.
    pub fn panic_message(&self) -> Option<&str> {
        self.error
            .downcast_ref::<Panicked>()
            .map(|panic| panic.message.as_str())
    }
}

impl fmt::Debug for ListenerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ListenerError")
            .field("event", &self.event)
            .field("listener", &self.listener)
            .field("error", &format_args!("{}", self.error))
            .finish()
    }
}

impl fmt::Display for ListenerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "listener `{}` failed on `{}`: {}",
            self.listener, self.event, self.error
        )
    }
}

impl Event for ListenerError {
    const NAME: &'static str = "error";
}

/// The error a panicking listener is reported with; its message is the panic's message.
#[derive(Debug, Clone, thiserror::Error)]
#[error("panicked: {message}")]
pub struct Panicked {
    /// The panic message (`"<non-string panic payload>"` when it was not a string).
    pub message: String,
}

impl Panicked {
    pub(crate) fn from_payload(payload: Box<dyn std::any::Any + Send>) -> Self {
        let message = match payload.downcast::<String>() {
            Ok(s) => *s,
            Err(payload) => match payload.downcast::<&'static str>() {
                Ok(s) => (*s).to_owned(),
                Err(_) => "<non-string panic payload>".to_owned(),
            },
        };
        Panicked { message }
    }
}
