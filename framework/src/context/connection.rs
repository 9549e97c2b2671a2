//! What a started bot knows of its connection to Discord, for the [`Context`](super::Context):
//! its shards, the gateway parameters, the intents it identified with, its own user, and the
//! shutdown signal. The gateway layer fills it in and drives it.

use std::sync::{Arc, Mutex};

use tokio::sync::watch;
use twilight_model::gateway::Intents;
use twilight_model::user::CurrentUser;

use super::params::GatewayParams;
use super::shard::ShardHandle;

pub(crate) struct Connection {
    pub(crate) shards: Vec<Arc<ShardHandle>>,
    pub(crate) params: GatewayParams,
    pub(crate) intents: Intents,
    /// The bot's own user, from READY and USER_UPDATE.
    pub(crate) current_user: Mutex<Option<CurrentUser>>,
    /// Set to `true` to shut the bot down.
    pub(crate) shutdown: watch::Sender<bool>,
}

impl Connection {
    pub(crate) fn new(
        shards: Vec<Arc<ShardHandle>>,
        params: GatewayParams,
        intents: Intents,
    ) -> Self {
        Connection {
            shards,
            params,
            intents,
            current_user: Mutex::new(None),
            shutdown: watch::Sender::new(false),
        }
    }

    pub(crate) fn set_current_user(&self, user: CurrentUser) {
        *self.current_user.lock().unwrap_or_else(|p| p.into_inner()) = Some(user);
    }
}
