//! The runtime of [herald](https://docs.rs/herald): bot authors depend on the `herald` crate,
//! which re-exports this one with the macros.
//!
//! It is built in layers, bottom first; a module uses only modules of its own layer and of the
//! layers below (`tests/layers.rs` checks every `crate::` path against this table):
//!
//! | layer | modules | job |
//! |---|---|---|
//! | 1 | [`intents`] | intent sets, and the check that every listener can fire |
//! | 2 | [`error`] | [`Error`], [`BoxError`], [`Result`], fatal closes, panics |
//! | 3 | [`event`] | events as types: the [`Event`] trait, waiter [`Key`]s, the catalog, every event |
//! | 4 | [`cache`], `isolate`, `report`, `metrics` | the cache (twilight's, with herald's message store); running user code (panics caught, blocking watched); telling people (rate-limited lines, stderr when no subscriber records them); metrics through the `metrics` facade (feature `metrics`) |
//! | 5 | `router` | event type → listeners (lock-free reads), per-listener lanes, waiters by key, error routing; generic over the handle it gives listeners |
//! | 6 | [`context`], [`listener`], [`command`] | the [`Context`] a listener gets (dispatch, wait_for, stream, add/remove listeners, shards), the listener functions it registers ([`Listener`], [`IntoListener`]), and declared application commands |
//! | 7 | [`gateway`] | twilight-gateway shards: the gateway thread, frames → cache → events, readiness, fatal closes |
//! | 8 | [`bot`], [`testing`] | the [`Bot`] builder (registration, validation, start, run, shutdown); what tests and scenes use on a `Context` |
//!
//! A gateway frame travels up from layer 7 to the router (5), which hands the events to listeners
//! with a [`Context`] (6).

pub mod bot;
pub mod cache;
pub mod command;
pub mod context;
pub mod error;
pub mod event;
pub mod gateway;
pub mod intents;
mod isolate;
pub mod listener;
mod metrics;
mod report;
mod router;
pub mod testing;

pub use bot::{Bot, BotBuilder, CommandSync, RunningBot};
pub use command::{AppCommand, CommandError};
pub use context::Context;
pub use error::{BoxError, Error, Result};
pub use event::{Event, Key, Keys, ListenerError};
pub use intents::{IntentCheck, IntentsExt};
pub use listener::{IntoListener, Listener, ListenerId};

#[cfg(feature = "sandbox")]
pub use herald_sandbox as sandbox;
pub use twilight_http as http;
pub use twilight_model as model;
/// Builders for embeds, components and other models (twilight-util's `builder` feature):
/// `herald::util::builder::embed::EmbedBuilder`.
pub use twilight_util as util;

/// What a bot's source file needs: `use herald::prelude::*;`.
pub mod prelude {
    pub use crate::bot::{Bot, RunningBot};
    pub use crate::command::{AppCommand, CommandError, Invocation, Member, Mentionable};
    pub use crate::context::Context;
    pub use crate::error::{BoxError, Error};
    pub use crate::event::gateway::*;
    pub use crate::event::guild::*;
    pub use crate::event::interaction::*;
    pub use crate::event::lifecycle::*;
    pub use crate::event::message::*;
    pub use crate::event::raw::*;
    pub use crate::event::{Event, Key, Keys, ListenerError, PanicLocation, Panicked};
    pub use crate::intents::{IntentCheck, IntentsExt};
    pub use crate::listener::{Data, IntoListener, Listener, ListenerId};
    /// `stream.next().await` on [`EventStream`](crate::context::EventStream)s.
    pub use futures_util::StreamExt as _;
    pub use twilight_model::gateway::Intents;
    /// What command options and context menus name most.
    pub use twilight_model::guild::Role;
    pub use twilight_model::id::Id;
    /// The id markers bots name most; the others are in `herald::model::id::marker`.
    pub use twilight_model::id::marker::{
        ChannelMarker, GuildMarker, MessageMarker, RoleMarker, UserMarker,
    };
    pub use twilight_model::user::User;
}

#[doc(hidden)]
pub mod __private {
    //! What the macros' generated code names. Not a public API.
    pub use crate::event::{Event, Key, Keys};
    pub use crate::listener::{FromContext, IntoListener, Listener, ListenerOutput};

    /// Sets the key of `keys` that `key` is (`#[derive(Event)]`'s `#[event(key)]` fields).
    pub fn set_key(keys: &mut Keys, key: impl Into<Key>) {
        match key.into() {
            Key::Guild(id) => keys.guild = Some(id),
            Key::Channel(id) => keys.channel = Some(id),
            Key::Message(id) => keys.message = Some(id),
            Key::User(id) => keys.user = Some(id),
            // Ids only convert to the four above.
            Key::CustomId(_) => {}
        }
    }
    pub use twilight_model;

    /// Compile-time check that a listener's event parameter is an event.
    pub const fn assert_event<E: Event>() {}

    /// Compile-time check of a listener's first parameter.
    pub const fn assert_context<C: IsContext>() {}

    /// Compile-time check of a listener's return type.
    pub const fn assert_output<T: ListenerOutput>() {}

    /// What `#[command]` and `#[derive(Choice)]` name.
    pub mod command {
        pub use crate::command::string_choice;
        use crate::command::{CommandError, Invocation, MessageTarget, UserTarget};

        /// A user command's target (the bound says when it is not a user).
        pub fn user_target<T: UserTarget>(invocation: &Invocation) -> Result<T, CommandError> {
            invocation.target()
        }

        /// A message command's target (the bound says when it is not a message).
        pub fn message_target<T: MessageTarget>(
            invocation: &Invocation,
        ) -> Result<T, CommandError> {
            invocation.target()
        }
    }

    /// Compile-time check of a listener's parameters after the event.
    pub const fn assert_extracted<T: crate::listener::FromContext>() {}

    /// Implemented by [`Context`](crate::Context) only.
    #[diagnostic::on_unimplemented(
        message = "a listener's first parameter must be `Context`, not `{Self}`",
        label = "expected `Context`",
        note = "listeners are `async fn(ctx: Context, event: &E)` or `async fn(event: &E)`"
    )]
    pub trait IsContext {}
    impl IsContext for crate::Context {}

    /// `a == b` in a const context, for the macros' compile-time checks of event names.
    pub const fn str_eq(a: &str, b: &str) -> bool {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        if a.len() != b.len() {
            return false;
        }
        let mut i = 0;
        while i < a.len() {
            if a[i] != b[i] {
                return false;
            }
            i += 1;
        }
        true
    }
}
