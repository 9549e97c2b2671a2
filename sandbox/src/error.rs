//! The sandbox's error type.

use std::time::Duration;

/// What can go wrong when starting, observing or faulting a sandbox.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// Binding or serving a loopback socket failed.
    #[error("sandbox I/O error while {context}: {source}")]
    Io {
        /// What the sandbox was doing.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A `wait_for_*` call timed out.
    #[error("timed out after {waited:?} waiting for {what}")]
    Timeout {
        /// How long the call waited.
        waited: Duration,
        /// What it waited for, and what the sandbox saw instead.
        what: String,
    },
    /// A fault was aimed at a shard that has no live gateway connection.
    #[error(
        "shard {shard} has no live gateway connection (none identified or resumed, or it \
         disconnected); start the shard and await \
         `sandbox.records().wait_for_connection({shard}, ..)` before injecting a fault, or use \
         `sandbox.faults().at_seq(..)`"
    )]
    NotConnected {
        /// The shard id.
        shard: u32,
    },
    /// A close code that cannot be sent in a WebSocket close frame.
    #[error(
        "close code {code} cannot be sent over WebSocket (valid: 1000-1003, 1007-1014, \
         3000-4999; Discord's codes are 4000-4014)"
    )]
    InvalidCloseCode {
        /// The rejected code.
        code: u16,
    },
}
