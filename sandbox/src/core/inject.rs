//! Injecting faults: [`ShardHandle`] on a shard's live gateway connection
//! now, and the [`Faults`] view: REST faults on matching routes and gateway
//! faults scheduled at a sequence number.

use std::sync::Arc;

use crate::{
    core::{
        faults::{Fault, RestFault, RestFaultRule, RouteMatcher, validate_close_code},
        state::{Outgoing, Shared},
        transcript,
    },
    error::SandboxError,
};

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
