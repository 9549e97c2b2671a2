//! [`Actor`]: a world user acting out what a human does in Discord. The
//! type and how its methods run live here; the methods themselves live with
//! the feature they belong to (`say` with messages, `react` with reactions,
//! `join` with members, ...).
//!
//! Every method changes the world and emits the gateway events Discord would
//! send, to every connected session whose intents cover them, then adds a
//! transcript line. Methods are synchronous: the events are queued to the
//! gateway connections in order before the method returns. They panic, with
//! a message saying what to do, when used against the world in a way Discord
//! would not allow (an unknown channel, leaving a guild one is not in...).

use std::sync::Arc;

use twilight_model::id::{Id, marker::UserMarker};

use crate::core::{ops::OpError, state::Shared, state::State};

/// A world user that acts: posts, reacts, joins, bans, clicks buttons...
/// Get one with [`Sandbox::actor`](crate::Sandbox::actor).
///
/// A cheap handle (it shares the sandbox's state); it does not keep the
/// sandbox's servers running.
#[derive(Clone, Debug)]
pub struct Actor {
    pub(crate) shared: Arc<Shared>,
    pub(crate) user: u64,
    pub(crate) name: String,
}

/// Panics with a helpful message for a failed actor operation.
#[track_caller]
fn fail(actor: &str, action: &str, error: &OpError) -> ! {
    let hint = match error {
        OpError::UnknownMember(_) => " (the actor must be a member: use `actor.join(guild)` first)",
        OpError::UnknownChannel(_) => {
            " (use `sandbox.channel(name)` to get ids of the world's channels)"
        }
        OpError::UnknownMessage(_) => " (was it deleted, or posted in another channel?)",
        OpError::NotText(_) => " (this is a voice channel)",
        _ => "",
    };
    panic!("sandbox actor {actor:?} cannot {action}: {error}{hint}")
}

impl Actor {
    pub(crate) fn new(shared: Arc<Shared>, user: u64, name: &str) -> Self {
        Self {
            shared,
            user,
            name: name.to_owned(),
        }
    }

    /// The actor's user id.
    pub fn id(&self) -> Id<UserMarker> {
        Id::new(self.user)
    }

    /// The actor's user name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Runs an action of this actor under the state lock: `f` gets the state
    /// and the actor's user id. Panics with `action` and the reason if
    /// Discord would refuse it.
    #[track_caller]
    pub(crate) fn run<T>(
        &self,
        action: &str,
        f: impl FnOnce(&mut State, u64) -> Result<T, OpError>,
    ) -> T {
        let user = self.user;
        match self.shared.with(|state| f(state, user)) {
            Ok(out) => out,
            Err(error) => fail(&self.name, action, &error),
        }
    }
}
