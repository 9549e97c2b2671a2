//! The error event: what a failed or panicking listener (or waiter check) becomes.

use std::any::Any;
use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

use super::Event;
use crate::error::{BoxError, Panicked};

/// A listener returned an error or panicked (or a waiter's check panicked).
///
/// herald catches both per listener and dispatches this event (name `error`) to
/// `#[event] async fn on_error(ctx: Context, err: &ListenerError)` and to listeners of
/// `ListenerError`. With none registered, herald prints it to stderr (or logs it through
/// `tracing` at `ERROR`, with the fields `event`, `listener` and `error`, when a subscriber
/// records herald's errors), rate-limited per listener. An error or panic inside an error listener
/// is reported so too, never dispatched again.
///
/// Its `Display` is one line with the error chain and, for a panic, where it happened:
/// ``listener `ping` failed on `message`: panicked at src/main.rs:12:9: index out of bounds``.
///
/// ```
/// use herald_framework::prelude::*;
/// use herald_framework::event::gateway::MessageCreate;
///
/// async fn on_error(err: &ListenerError) {
///     // disnake's `on_error(event, *args)`: the event the listener failed on, typed.
///     if let Some(msg) = err.event::<MessageCreate>() {
///         eprintln!("failed on message {} in {}", msg.id, msg.channel_id);
///     }
///     if let Some(panic) = err.panic() {
///         eprintln!("panicked at {:?}: {}", panic.location, panic.message);
///     }
///     eprintln!("{err}");
/// }
/// # let _ = Listener::new(on_error);
/// ```
#[derive(Clone)]
pub struct ListenerError {
    /// The name of the event the listener was handling (`"message"`, `"level_up"`, ...).
    pub event: &'static str,
    /// The listener's name (the function name unless `#[listener(name = "..")]` set another); for
    /// a waiter's check, `check of wait_for::<reaction_add> at src/main.rs:40:10`.
    pub listener: Arc<str>,
    /// What went wrong: the listener's error, or a [`Panicked`] for a panic.
    pub error: Arc<BoxError>,
    /// The event itself, for [`event`](Self::event).
    payload: Option<Arc<dyn Any + Send + Sync>>,
}

impl ListenerError {
    pub(crate) fn new(
        event: &'static str,
        listener: Arc<str>,
        error: BoxError,
        payload: Option<Arc<dyn Any + Send + Sync>>,
    ) -> Self {
        ListenerError {
            event,
            listener,
            error: Arc::new(error),
            payload,
        }
    }

    /// The event the listener failed on, if it is an `E` (disnake's `*args` of `on_error`):
    /// `err.event::<MessageCreate>()`. `None` for another event type.
    pub fn event<E: Event>(&self) -> Option<&E> {
        self.payload.as_deref()?.downcast_ref()
    }

    /// Whether the listener panicked rather than returning an error.
    pub fn is_panic(&self) -> bool {
        self.error.is::<Panicked>()
    }

    /// The panic, when the listener panicked: its message, location and backtrace.
    pub fn panic(&self) -> Option<&Panicked> {
        self.error.downcast_ref()
    }

    /// The panic's message, when the listener panicked.
    pub fn panic_message(&self) -> Option<&str> {
        self.panic().map(|panic| panic.message.as_str())
    }

    /// The error, then its sources (`Error::source`), outermost first.
    pub fn chain(&self) -> impl Iterator<Item = &(dyn StdError + 'static)> {
        let first: &(dyn StdError + 'static) = &**self.error;
        std::iter::successors(Some(first), |&error| error.source())
    }

    /// What herald prints when no error listener handles this: the one line of `Display`, then
    /// the backtrace when one was captured (`RUST_BACKTRACE=1`).
    pub(crate) fn report(&self) -> String {
        let mut report = self.to_string();
        if let Some(backtrace) = self.panic().and_then(Panicked::short_backtrace) {
            report.push_str("\nstack backtrace:\n");
            report.push_str(&backtrace);
        }
        report
    }

    /// The error chain on one line, each source after `: ` (a source whose text the previous one
    /// already holds is left out: many errors repeat their source in their message).
    pub(crate) fn chain_text(&self) -> String {
        let mut text = String::new();
        for error in self.chain() {
            let part = error.to_string();
            if !text.is_empty() {
                if text.contains(&part) {
                    continue;
                }
                text.push_str(": ");
            }
            text.push_str(&part);
        }
        if self.chain().any(is_missing_permissions) {
            text.push_str(MISSING_PERMISSIONS_HINT);
        }
        text
    }
}

/// What a listener's "Missing Permissions" failure adds: what it means and what tells more.
const MISSING_PERMISSIONS_HINT: &str = " (Discord's Missing Permissions: the bot lacks a \
    permission this call needs, from its roles or the channel's overwrites; \
    `ctx.permissions_for(bot, channel)` says which it has)";

/// Whether `error` is Discord's 403 "Missing Permissions" (code 50013) to a REST call.
fn is_missing_permissions(error: &(dyn StdError + 'static)) -> bool {
    use twilight_http::api_error::ApiError;
    use twilight_http::error::ErrorType;
    let Some(error) = error.downcast_ref::<twilight_http::Error>() else {
        return false;
    };
    matches!(
        error.kind(),
        ErrorType::Response { error: ApiError::General(general), .. } if general.code == 50013
    )
}

impl fmt::Debug for ListenerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ListenerError")
            .field("event", &self.event)
            .field("listener", &self.listener)
            .field("error", &format_args!("{}", self.chain_text()))
            .finish_non_exhaustive()
    }
}

impl fmt::Display for ListenerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "listener `{}` failed on `{}`: {}",
            self.listener,
            self.event,
            self.chain_text()
        )
    }
}

impl Event for ListenerError {
    const NAME: &'static str = "error";
}
