//! The [`Bot`] and its builder: registration, validation, and (with a gateway) running.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::context::{Context, Shared};
use crate::error::Error;
use crate::listener::{IntoListener, Listener};
use crate::router::Router;

/// The default bound on listener calls running at once; see
/// [`BotBuilder::max_running_listeners`].
pub const DEFAULT_MAX_RUNNING_LISTENERS: usize = 4096;

/// A bot: its listeners, and the [`Context`] they share.
#[derive(Debug)]
pub struct Bot {
    ctx: Context,
}

impl Bot {
    /// Starts configuring a bot.
    pub fn builder() -> BotBuilder {
        BotBuilder::default()
    }

    /// The bot's context: dispatch events, wait for them, add listeners.
    pub fn context(&self) -> &Context {
        &self.ctx
    }
}

/// Configures a [`Bot`]: `Bot::builder().listener(a).event(on_message).build()`.
#[must_use = "a builder does nothing until `.build()` or `.run()`"]
pub struct BotBuilder {
    listeners: Vec<Listener>,
    /// `#[event]` handlers by event name: the first registered handler's name.
    events: HashMap<&'static str, Cow<'static, str>>,
    errors: Vec<Error>,
    max_running_listeners: usize,
}

impl Default for BotBuilder {
    fn default() -> Self {
        BotBuilder {
            listeners: Vec::new(),
            events: HashMap::new(),
            errors: Vec::new(),
            max_running_listeners: DEFAULT_MAX_RUNNING_LISTENERS,
        }
    }
}

impl BotBuilder {
    /// Registers a listener: one of many for its event (disnake's `@bot.listen`).
    pub fn listener<M>(mut self, listener: impl IntoListener<M>) -> Self {
        self.listeners.push(listener.into_listener());
        self
    }

    /// Registers the one `#[event]` handler of its event (disnake's `@bot.event`). A second
    /// handler for the same event makes [`build`](Self::build) fail with
    /// [`Error::DuplicateEventHandler`], naming both.
    #[track_caller]
    pub fn event<M>(mut self, handler: impl IntoListener<M>) -> Self {
        let handler = handler.into_listener();
        let at = std::panic::Location::caller();
        let name: Cow<'static, str> = Cow::Owned(format!(
            "{}` (registered at {}:{})",
            handler.listener_name(),
            at.file(),
            at.line()
        ));
        match self.events.get(handler.event_name()) {
            Some(first) => self.errors.push(Error::DuplicateEventHandler {
                event: handler.event_name(),
                first: first.clone(),
                second: name,
            }),
            None => {
                self.events.insert(handler.event_name(), name);
            }
        }
        self.listeners.push(handler);
        self
    }

    /// Bounds the listener calls running at once (default
    /// [`DEFAULT_MAX_RUNNING_LISTENERS`]). At the bound the gateway stops reading until calls
    /// finish, so a burst slows the bot down instead of growing its memory without limit; custom
    /// events dispatched with `ctx.dispatch` are never refused.
    pub fn max_running_listeners(mut self, max: usize) -> Self {
        self.max_running_listeners = max;
        self
    }

    /// Validates the configuration and builds the bot.
    ///
    /// # Errors
    /// The first configuration mistake found, e.g. [`Error::DuplicateEventHandler`].
    pub fn build(mut self) -> Result<Bot, Error> {
        if !self.errors.is_empty() {
            return Err(self.errors.remove(0));
        }
        let router = Router::new(self.max_running_listeners);
        for listener in self.listeners {
            router.add(listener);
        }
        Ok(Bot {
            ctx: Context::new(Shared { router }),
        })
    }
}
