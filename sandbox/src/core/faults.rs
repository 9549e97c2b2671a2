//! Fault injection: gateway faults on a shard's live connection
//! ([`ShardHandle`]), and the [`Faults`] view: REST faults on matching routes
//! and gateway faults scheduled at a sequence number.

use std::{fmt, sync::Arc, time::Duration};

use crate::{
    core::{
        records::path_matches,
        state::{Outgoing, Shared},
        transcript,
    },
    error::SandboxError,
};

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

/// A REST fault for matching requests (see [`Faults::rest`]). Faulted requests
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

/// Fault injection on one shard's live gateway connection, from
/// [`Sandbox::shard`](crate::Sandbox::shard).
///
/// Every method targets the newest live, authenticated connection of the
/// shard and fails with [`SandboxError::NotConnected`] when there is none.
#[derive(Clone, Debug)]
pub struct ShardHandle {
    pub(crate) shared: Arc<Shared>,
    pub(crate) shard: u32,
}

impl ShardHandle {
    /// Injects `fault` after everything already queued to the connection.
    ///
    /// # Errors
    ///
    /// [`SandboxError::NotConnected`] if the shard has no live connection,
    /// [`SandboxError::InvalidCloseCode`] for an unsendable close code.
    pub fn inject(&self, fault: Fault) -> Result<(), SandboxError> {
        if let Fault::Close(code) = fault {
            validate_close_code(code)?;
        }
        self.shared.with(|state| {
            let (conn, _) = state
                .live_conn_of_shard(self.shard)
                .ok_or(SandboxError::NotConnected { shard: self.shard })?;
            let entry = state
                .conns
                .get(&conn)
                .ok_or(SandboxError::NotConnected { shard: self.shard })?;
            let line = transcript::fault(self.shard, &fault, None);
            entry
                .tx
                .send(Outgoing::Fault(fault))
                .map_err(|_| SandboxError::NotConnected { shard: self.shard })?;
            state.note(line);
            Ok(())
        })
    }

    /// Sends a close frame with `code` (see [`Fault::Close`]).
    ///
    /// # Errors
    ///
    /// See [`inject`](Self::inject).
    pub fn close(&self, code: u16) -> Result<(), SandboxError> {
        self.inject(Fault::Close(code))
    }

    /// Sends op 7 RECONNECT.
    ///
    /// # Errors
    ///
    /// See [`inject`](Self::inject).
    pub fn reconnect(&self) -> Result<(), SandboxError> {
        self.inject(Fault::Reconnect)
    }

    /// Sends op 9 INVALID_SESSION with `d: resumable`.
    ///
    /// # Errors
    ///
    /// See [`inject`](Self::inject).
    pub fn invalid_session(&self, resumable: bool) -> Result<(), SandboxError> {
        self.inject(Fault::InvalidSession { resumable })
    }

    /// Silences the connection (see [`Fault::Zombie`]).
    ///
    /// # Errors
    ///
    /// See [`inject`](Self::inject).
    pub fn zombie(&self) -> Result<(), SandboxError> {
        self.inject(Fault::Zombie)
    }

    /// Drops TCP without a close frame.
    ///
    /// # Errors
    ///
    /// See [`inject`](Self::inject).
    pub fn drop_tcp(&self) -> Result<(), SandboxError> {
        self.inject(Fault::DropTcp)
    }

    /// Sends a text frame that is not JSON.
    ///
    /// # Errors
    ///
    /// See [`inject`](Self::inject).
    pub fn malformed_frame(&self) -> Result<(), SandboxError> {
        self.inject(Fault::MalformedFrame)
    }

    /// Sends op 1, asking for an immediate heartbeat.
    ///
    /// # Errors
    ///
    /// See [`inject`](Self::inject).
    pub fn request_heartbeat(&self) -> Result<(), SandboxError> {
        self.inject(Fault::RequestHeartbeat)
    }

    /// Whether the shard has a live, authenticated connection.
    pub fn is_connected(&self) -> bool {
        self.shared.lock().live_conn_of_shard(self.shard).is_some()
    }

    /// The session id of the shard's live connection.
    pub fn session_id(&self) -> Option<String> {
        self.shared
            .lock()
            .live_conn_of_shard(self.shard)
            .map(|(_, s)| s.id.clone())
    }

    /// The sequence number of the last dispatch the sandbox has queued for
    /// the shard's current session (the newest session of the shard that
    /// has not ended, connected or waiting for a RESUME), or `None` when the
    /// shard has no session.
    ///
    /// Use it to know that a bot has received everything sent so far: actor
    /// methods, [`Actor::burst`](crate::Actor::burst) and the bot's own
    /// REST calls queue their dispatches before they return, so read
    /// `sequence()` after acting, then wait until the bot's twilight shard
    /// reports the same number (`shard.session().map(|s| s.sequence())`,
    /// updated as the shard reads each dispatch). READY is 1, each
    /// GUILD_CREATE one more, and RESUMED takes a number too, as on
    /// Discord. Only dispatches routed to this shard count (guild events go
    /// to `(guild_id >> 22) % shard_count`, others to shard 0), and events
    /// the session's intents exclude take no number.
    ///
    /// ```no_run
    /// # async fn f(sb: herald_sandbox::Sandbox) {
    /// sb.actor("alice").say(sb.channel("general"), "!ping");
    /// let target = sb.shard(0).sequence().expect("shard 0 has a session");
    /// // ... poll the bot's shard until `shard.session()` reaches `target`.
    /// # let _ = target;
    /// # }
    /// ```
    pub fn sequence(&self) -> Option<u64> {
        self.shared
            .lock()
            .sessions
            .iter()
            .rev()
            .find(|s| s.alive && s.shard[0] == self.shard)
            .map(|s| s.seq)
    }
}

/// Fault injection on REST and at a gateway sequence number, from
/// [`Sandbox::faults`](crate::Sandbox::faults). Faults on a shard's live
/// connection, right now, go through [`Sandbox::shard`](crate::Sandbox::shard).
///
/// ```no_run
/// # fn f(sb: herald_sandbox::Sandbox) -> Result<(), herald_sandbox::SandboxError> {
/// use herald_sandbox::{Fault, RestFault};
/// sb.faults().rest(
///     "POST",
///     "/channels/",
///     RestFault::ApiError { status: 403, code: 50013, message: "Missing Permissions".into(), times: 1 },
/// );
/// sb.faults().at_seq(0, 5_000, Fault::DropTcp)?;
/// # Ok(()) }
/// ```
///
/// A cheap handle (it shares the sandbox's state); it does not keep the
/// sandbox's servers running.
#[derive(Clone, Debug)]
pub struct Faults {
    shared: Arc<Shared>,
}

impl Faults {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        Self { shared }
    }

    /// Makes the next matching REST requests fail with `fault`.
    /// `method` is `"GET"`, `"POST"`, ... or `"*"`; `path_prefix` may
    /// include `/api/v10` or not: `("POST", "/channels/")`. A faulted
    /// request is recorded but changes nothing in the world.
    pub fn rest(&self, method: &str, path_prefix: &str, fault: RestFault) {
        self.add_rest(
            RouteMatcher::Prefix {
                method: method.to_owned(),
                prefix: path_prefix.to_owned(),
            },
            fault,
        );
    }

    /// Like [`rest`](Self::rest) with a predicate on `(method, path)` (the
    /// path includes `/api/v10`).
    pub fn rest_matching(
        &self,
        predicate: impl Fn(&str, &str) -> bool + Send + Sync + 'static,
        fault: RestFault,
    ) {
        self.add_rest(RouteMatcher::Predicate(Arc::new(predicate)), fault);
    }

    fn add_rest(&self, matcher: RouteMatcher, fault: RestFault) {
        let remaining = fault.times();
        if remaining == 0 {
            return;
        }
        self.shared.with(|state| {
            state.rest_faults.push(RestFaultRule {
                matcher,
                fault,
                remaining,
            });
        });
    }

    /// Removes every pending REST fault.
    pub fn clear_rest(&self) {
        self.shared.with(|state| state.rest_faults.clear());
    }

    /// Injects `fault` right after dispatch number `seq` of `shard`'s
    /// session is written (READY is 1, each GUILD_CREATE one more).
    /// Deterministic: "drop TCP after the 5,000th message of a burst".
    /// Applies once, to the first session of that shard reaching `seq`.
    ///
    /// # Errors
    ///
    /// [`SandboxError::InvalidCloseCode`] for an unsendable close code.
    pub fn at_seq(&self, shard: u32, seq: u64, fault: Fault) -> Result<(), SandboxError> {
        if let Fault::Close(code) = fault {
            validate_close_code(code)?;
        }
        self.shared
            .with(|state| state.scheduled.push((shard, seq, fault)));
        Ok(())
    }
}

pub(crate) fn validate_close_code(code: u16) -> Result<(), SandboxError> {
    match tokio_websockets::CloseCode::try_from(code) {
        Ok(c) if !c.is_reserved() => Ok(()),
        _ => Err(SandboxError::InvalidCloseCode { code }),
    }
}
