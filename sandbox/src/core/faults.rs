//! What a fault is: a gateway [`Fault`] and a [`RestFault`], and the rules
//! that pick the REST requests a fault applies to. Injecting them is the
//! [`inject`](super::inject) module's.

use std::{fmt, sync::Arc, time::Duration};

use crate::{core::records::path_matches, error::SandboxError};

/// A gateway fault, applied to a shard's live connection after every frame
/// queued before it has been written.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Send a close frame with this code, wait for the client's close reply
    /// (at most 5 s), then close TCP. 4004, 4010-4014 are fatal for
    /// twilight; after 4007 and 4009 the session is gone, so twilight's
    /// RESUME gets op 9 `false` and it identifies again; after other codes
    /// it resumes.
    Close(u16),
    /// Send op 7 RECONNECT: twilight closes 4000 and resumes.
    Reconnect,
    /// Send op 9 INVALID_SESSION. `resumable: false` also ends the session,
    /// so the client must identify again.
    InvalidSession {
        /// The `d` field of op 9.
        resumable: bool,
    },
    /// Go silent: write nothing more to this connection (no heartbeat ACKs,
    /// no dispatches) but keep TCP open. Dispatches still enter the session
    /// log, so twilight's RESUME on a new connection replays them.
    Zombie,
    /// Close TCP without a close frame.
    DropTcp,
    /// Send a text frame that is not JSON.
    MalformedFrame,
    /// Send op 1: the client must heartbeat at once.
    RequestHeartbeat,
}

/// A REST fault for matching requests (see
/// [`Faults::rest`](crate::Faults::rest)). Faulted requests
/// are recorded but change nothing in the world.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum RestFault {
    /// Answer 429 with Discord's headers (`Retry-After`,
    /// `X-RateLimit-Remaining: 0`, `X-RateLimit-Reset-After`, scope `user`)
    /// and body `{"message", "retry_after", "global": false}`, `times` times.
    /// twilight-http waits `retry_after` and retries.
    RateLimited {
        /// How many requests get a 429.
        times: u32,
        /// The advertised wait.
        retry_after: Duration,
    },
    /// Answer `status` (5xx) with `{"code": 0, "message": ...}`, `times`
    /// times. twilight-http does not retry these.
    ServerError {
        /// The HTTP status, e.g. 500 or 502.
        status: u16,
        /// How many requests get it.
        times: u32,
    },
    /// Answer a Discord API error, e.g. 403 with code 50013 "Missing
    /// Permissions", `times` times.
    ApiError {
        /// The HTTP status.
        status: u16,
        /// Discord's JSON error code.
        code: u32,
        /// The error message.
        message: String,
        /// How many requests get it.
        times: u32,
    },
}

impl RestFault {
    pub(crate) fn times(&self) -> u32 {
        match self {
            Self::RateLimited { times, .. }
            | Self::ServerError { times, .. }
            | Self::ApiError { times, .. } => *times,
        }
    }
}

type Predicate = Arc<dyn Fn(&str, &str) -> bool + Send + Sync>;

/// Which requests a REST fault applies to.
#[derive(Clone)]
pub(crate) enum RouteMatcher {
    Prefix { method: String, prefix: String },
    Predicate(Predicate),
}

impl fmt::Debug for RouteMatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Prefix { method, prefix } => write!(f, "{method} {prefix}*"),
            Self::Predicate(_) => f.write_str("<predicate>"),
        }
    }
}

impl RouteMatcher {
    pub(crate) fn matches(&self, method: &str, path: &str) -> bool {
        match self {
            Self::Prefix { method: m, prefix } => {
                (m.is_empty() || m == "*" || m.eq_ignore_ascii_case(method))
                    && path_matches(path, prefix)
            }
            Self::Predicate(p) => p(method, path),
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct RestFaultRule {
    pub(crate) matcher: RouteMatcher,
    pub(crate) fault: RestFault,
    pub(crate) remaining: u32,
}

pub(crate) fn validate_close_code(code: u16) -> Result<(), SandboxError> {
    match tokio_websockets::CloseCode::try_from(code) {
        Ok(c) if !c.is_reserved() => Ok(()),
        _ => Err(SandboxError::InvalidCloseCode { code }),
    }
}
