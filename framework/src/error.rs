//! Errors: what a listener returns, and what herald itself reports.

use std::borrow::Cow;
use std::time::Duration;

/// Any error a listener may return: `?` works on every error type (twilight-http's, `std::io`'s,
/// `anyhow`'s, your own).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The result of a listener: `herald::Result` is `Result<(), BoxError>`.
pub type Result<T = (), E = BoxError> = std::result::Result<T, E>;

/// What herald reports: configuration mistakes found at start-up, waiters that ended without
/// their event, gateway failures.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Two `#[event]` handlers were registered for one event name; disnake silently keeps the last
    /// one, herald refuses to start.
    #[error(
        "two #[event] handlers for `on_{event}`: `{first} and `{second}; keep one, or register \
         the other with `.listener(..)` (many listeners may share an event)"
    )]
    DuplicateEventHandler {
        /// The event name, without `on_`.
        event: &'static str,
        /// The handler registered first, with where it was registered.
        first: Cow<'static, str>,
        /// The handler registered second, with where it was registered.
        second: Cow<'static, str>,
    },
    /// A waiter's timeout passed before a matching event arrived.
    #[error("waited {0:?} for `{1}` without a matching event")]
    Timeout(Duration, &'static str),
    /// The bot shut down while a waiter was pending.
    #[error("the bot shut down while waiting for `{0}`")]
    Closed(&'static str),
}
