//! Errors: what a listener returns, and what herald itself reports.

mod close;
pub mod command;
mod panic;

pub use close::FatalClose;
pub use panic::{PanicLocation, Panicked};

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

/// Any error a listener may return: `?` works on every error type (twilight-http's, `std::io`'s,
/// `anyhow`'s, your own).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The result of a listener: `herald::Result` is `Result<(), BoxError>`.
pub type Result<T = (), E = BoxError> = std::result::Result<T, E>;

/// What herald reports: configuration mistakes found at start-up, waiters that ended without
/// their event, gateway failures.
///
/// Its `Debug` is its message too (with the causes it does not already say), so that
/// `fn main() -> Result<(), herald::Error>` prints what went wrong and what to do.
#[derive(thiserror::Error)]
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
    /// The bot shut down while a waiter was pending (or it was made after shutdown began).
    #[error("the bot shut down while waiting for `{0}`")]
    Closed(&'static str),
    /// The check of a `wait_for` panicked; the panic was also reported to `on_error`.
    #[error("the check of a waiter for `{event}` {panic}")]
    CheckPanicked {
        /// The event waited for.
        event: &'static str,
        /// The panic: message, location, backtrace.
        panic: Panicked,
    },
    /// A waiter for an event the bot cannot receive: it identified without any of the intents
    /// the event is sent under.
    #[error("{}", missing_intents(.event, .type_name, *.needed))]
    MissingIntents {
        /// The event waited for.
        event: &'static str,
        /// Its Rust type (`ReactionAdd`), for the builder call that fixes it.
        type_name: &'static str,
        /// The intents it is sent under (any of them).
        needed: twilight_model::gateway::Intents,
    },
    /// The bot's explicit intents leave listeners unable to fire (the start-up intent check; see
    /// [`IntentCheck`](crate::intents::IntentCheck)).
    #[error("{}", crate::intents::missing_message(.missing, .intents))]
    ListenersMissingIntents {
        /// The listeners, their events and the intents those need.
        missing: Vec<crate::intents::MissingIntent>,
        /// The intents the bot requests.
        intents: twilight_model::gateway::Intents,
    },
    /// A listener takes [`Data<T>`](crate::listener::Data), and the bot was given no `T`.
    #[error(
        "listener `{listener}` takes `Data<{type_name}>`, but the bot was given no `{type_name}`: \
         give it to the builder with `.data(..)`"
    )]
    MissingData {
        /// The listener.
        listener: std::sync::Arc<str>,
        /// The state's type.
        type_name: &'static str,
    },
    /// There is no token to connect with.
    #[error("{}", missing_token(.var.as_deref()))]
    MissingToken {
        /// The environment variable that was read, if any.
        var: Option<String>,
    },
    /// Discord answered HTTP 401 to the token: it is wrong, reset or revoked.
    #[error(
        "Discord rejected the bot token (HTTP 401 on {request}). Use the token from the Developer \
         Portal (your application → Bot → Reset Token), without a `Bot ` prefix; a token that \
         leaked is revoked by Discord and must be reset"
    )]
    TokenRejected {
        /// The request that was refused (`GET /gateway/bot`).
        request: &'static str,
    },
    /// A shard was closed for good by Discord.
    #[error("shard {shard}: {source}")]
    Gateway {
        /// The shard.
        shard: u32,
        /// Why, and what to do.
        source: FatalClose,
    },
    /// The configuration is invalid.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// Too few sessions may still start today for the shards to run.
    #[error(
        "Discord allows only {remaining} more session starts before the limit resets in {reset_after:?}, \
         and {needed} shards need one each; wait for the reset or run fewer shards"
    )]
    SessionStartLimit {
        /// Identifies needed.
        needed: u64,
        /// Session starts left.
        remaining: u64,
        /// When the limit resets.
        reset_after: Duration,
    },
    /// The sandbox scene returned an error or panicked (the bot was stopped after it).
    #[error("the sandbox scene failed: {0}")]
    Scene(BoxError),
    /// The setup hook failed.
    #[error("the setup hook failed: {0}")]
    Setup(BoxError),
    /// An HTTP request the runtime made (`GET /gateway/bot` at start-up) failed.
    /// [`is_transient`](Error::is_transient) says whether trying again may help.
    #[error("{message}")]
    Http {
        /// What failed, and why.
        message: String,
        /// The HTTP status Discord answered with; `None` when there was no answer (connection
        /// refused, reset, timed out) or it could not be read.
        status: Option<u16>,
    },
    /// The cache lacks what an answer needs (`Context::permissions_for`).
    #[error(
        "the cache lacks {0}: cache its resource (GUILD, CHANNEL, MEMBER and ROLE are cached by \
         default), and for members who have not spoken since the bot started, the GUILD_MEMBERS \
         intent or a member request"
    )]
    NotCached(String),
    /// A command was sent to a shard that has shut down.
    #[error("shard {0} has shut down")]
    ShardClosed(u32),
    /// The embedded sandbox could not start.
    #[cfg(feature = "sandbox")]
    #[error("the embedded sandbox could not start: {0}")]
    Sandbox(#[from] herald_sandbox::SandboxError),
    /// A bug in herald: please report it with this message.
    #[error("herald bug: {0}")]
    Internal(String),
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = self.to_string();
        f.write_str(&message)?;
        let mut said = message;
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            let text = cause.to_string();
            if !said.contains(&text) {
                write!(f, "\n\nCaused by: {text}")?;
                said.push_str(&text);
            }
            source = cause.source();
        }
        Ok(())
    }
}

impl Error {
    /// A failed REST request: `what` and twilight-http's error, with Discord's status when it
    /// answered.
    pub(crate) fn http(what: &str, error: &twilight_http::Error) -> Self {
        let status = match error.kind() {
            twilight_http::error::ErrorType::Response { status, .. } => Some(status.get()),
            _ => None,
        };
        Error::Http {
            message: format!("{what}: {error}"),
            status,
        }
    }

    /// Whether the error may go away if the bot starts again: an HTTP request that got no answer
    /// or a 5xx or 429 one. Fatal gateway closes (bad token, disallowed intents), configuration
    /// mistakes and the session start limit are not transient: retrying gets the same answer.
    ///
    /// ```
    /// # use herald_framework::Error;
    /// let outage = Error::Http { message: "GET /gateway/bot: 503".into(), status: Some(503) };
    /// assert!(outage.is_transient());
    /// assert!(!Error::Config("shard 3 of 2".into()).is_transient());
    /// ```
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Http { status, .. } => {
                status.is_none_or(|status| status >= 500 || status == 429)
            }
            _ => false,
        }
    }
}

/// The message of [`Error::MissingIntents`]: the intents by name, and the builder call that adds
/// them.
fn missing_intents(
    event: &str,
    type_name: &str,
    needed: twilight_model::gateway::Intents,
) -> String {
    let names: Vec<&str> = needed.iter_names().map(|(name, _)| name).collect();
    format!(
        "cannot wait for `{event}`: Discord sends it only with {} {}, which the bot did not \
         request; declare the wait on the builder with `.waits_for::<{type_name}>()`, which adds \
         {}",
        if names.len() > 1 {
            "one of"
        } else {
            "the intent"
        },
        names.join(" or "),
        if names.len() > 1 { "them" } else { "it" },
    )
}

fn missing_token(var: Option<&str>) -> String {
    match var {
        Some(var) => format!(
            "{var} is not set: set it to the bot token (Developer Portal → your application → Bot \
             → Reset Token). To run offline on herald's sandbox when it is unset, call \
             `.embedded_sandbox(Sandbox::builder())` on the builder (feature `sandbox`)"
        ),
        None => {
            "no token: call `.token(..)` or `.token_from_env(\"DISCORD_TOKEN\")` on the builder, \
                 or `.sandbox(&sandbox)` in tests"
                .to_owned()
        }
    }
}
