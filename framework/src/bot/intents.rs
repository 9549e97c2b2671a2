//! The intents a bot identifies with.

use twilight_model::gateway::Intents;

use crate::listener::ListenerMeta;

/// `GUILDS` (the cache and readiness need it), what every listener's event needs, and `extra`.
pub(super) fn needed(listeners: &[ListenerMeta], extra: Intents) -> Intents {
    listeners
        .iter()
        .fold(Intents::GUILDS | extra, |all, listener| {
            all | listener.intents
        })
}
