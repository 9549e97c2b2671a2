//! Listeners: async functions registered for an event type.
//!
//! A listener is any `async fn(Context, &E)` or `async fn(&E)` (or closure) where `E: Event`,
//! returning `()` or a `Result<(), impl Into<BoxError>>`. [`Listener::new`] turns it into a
//! registration; [`IntoListener`] is what `Bot::builder().listener(..)` accepts: every such
//! function, and the `fn name() -> Listener` that `#[listener]` and `#[event]` generate.
//!
//! ```
//! use herald_framework::prelude::*;
//! use herald_framework::event::gateway::MessageCreate;
//!
//! async fn log(_ctx: Context, msg: &MessageCreate) -> herald_framework::Result {
//!     println!("{}", msg.content);
//!     Ok(())
//! }
//!
//! // What `#[listener(name = "logger", once)]` on `log` expands to, by hand:
//! let listener = Listener::new(log).name("logger").once();
//! assert_eq!(listener.event_name(), "message");
//! ```

mod extract;
pub(crate) mod handler;

use std::any::TypeId;
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

pub use extract::{Data, FromContext, Requirement};
pub use handler::{
    ListenerFn, ListenerFnNoContext, ListenerFnNoContextWith, ListenerFnWith, ListenerOutput,
};
use twilight_model::gateway::Intents;

use crate::context::Context;
use crate::event::Event;
use crate::event::gateway::MessageCreate;
use crate::event::message::MessageEdit;
use crate::event::raw::RawMessageEdit;
pub(crate) use crate::router::ListenerMeta;
use crate::router::table::{CallHandler, Entry, Table};
use crate::router::{Installer, Registered};

/// One registration: a handler for one event type, with its name and options.
///
/// Build it with [`Listener::new`], or let `#[listener]` / `#[event]` build it.
#[must_use = "a Listener does nothing until it is registered with `.listener(..)` or `ctx.add_listener(..)`"]
pub struct Listener {
    pub(crate) meta: ListenerMeta,
    /// What its parameters after the event need of the bot (checked by `build()`).
    pub(crate) requires: Vec<Requirement>,
    /// Puts the listener into the router's table under an id, with its event type known.
    pub(crate) install: Installer<Context>,
}

impl Listener {
    /// A listener for `f`'s event type. Its name is `f`'s type name until [`name`](Self::name) sets
    /// another (`#[listener]` sets the function's name).
    pub fn new<M, F: ListenerFunction<M>>(f: F) -> Self {
        let name = short_type_name::<F>();
        let event = TypeId::of::<F::Event>();
        let meta = ListenerMeta {
            name: Arc::from(name),
            event,
            event_name: F::Event::NAME,
            intents: F::Event::INTENTS,
            reads_content: [
                TypeId::of::<MessageCreate>(),
                TypeId::of::<MessageEdit>(),
                TypeId::of::<RawMessageEdit>(),
            ]
            .contains(&event),
            once: false,
            sequential: false,
        };
        let handler: Arc<dyn CallHandler<F::Event, Context>> = Arc::new(f.into_handler());
        let install: Installer<Context> = Box::new(move |id, meta, table: &mut Table<Context>| {
            table.insert(Arc::new(Entry::new(id, meta, handler)));
        });
        Listener {
            meta,
            requires: F::requirements(),
            install,
        }
    }

    /// Names the listener, for error events and logs.
    pub fn name(mut self, name: impl Into<Cow<'static, str>>) -> Self {
        self.meta.name = Arc::from(name.into().as_ref());
        self
    }

    /// Fires on the first event only, then unregisters itself (disnake's `once`).
    pub fn once(mut self) -> Self {
        self.meta.once = true;
        self
    }

    /// Runs one event at a time, in dispatch order, instead of concurrently. Use it when the
    /// listener's effects must follow the gateway's order (logs, counters, state machines).
    pub fn sequential(mut self) -> Self {
        self.meta.sequential = true;
        self
    }

    /// The listener's name.
    pub fn listener_name(&self) -> &str {
        &self.meta.name
    }

    /// The name of the event it listens to.
    pub fn event_name(&self) -> &'static str {
        self.meta.event_name
    }

    /// The intents under which its event is sent (any of them).
    pub fn intents(&self) -> Intents {
        self.meta.intents
    }
}

impl fmt::Debug for Listener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Listener")
            .field("name", &self.meta.name)
            .field("event", &self.meta.event_name)
            .field("once", &self.meta.once)
            .field("sequential", &self.meta.sequential)
            .finish()
    }
}

/// The last path segment of a type name, generics stripped (`my_bot::welcome` → `welcome`).
pub(crate) fn short_type_name<T>() -> &'static str {
    let full = std::any::type_name::<T>();
    let base = full.split('<').next().unwrap_or(full);
    base.rsplit("::").next().unwrap_or(base)
}

/// A function that can listen to an event: implemented for `async fn(Context, &E)`,
/// `async fn(&E)` and closures of those shapes. `M` is a marker that keeps the impls apart; you
/// never name it.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a herald listener function",
    label = "expected `async fn(Context, &E)` or `async fn(&E)` where `E: Event`",
    note = "the function must be `async`, take `Context` (optional) then `&E` for an event type `E`, \
            and return `()` or `Result<(), impl Into<BoxError>>`; its future must be `Send`"
)]
pub trait ListenerFunction<M>: Send + Sync + Sized + 'static {
    /// The event type it listens to.
    type Event: Event;
    #[doc(hidden)]
    type Handler: CallHandler<Self::Event, Context>;
    #[doc(hidden)]
    fn into_handler(self) -> Self::Handler;
    /// What its parameters after the event need of the bot.
    #[doc(hidden)]
    fn requirements() -> Vec<Requirement> {
        Vec::new()
    }
}

/// What `.listener(..)` accepts: a [`Listener`], a listener function, or a `#[listener]` item.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be registered as a listener",
    note = "pass an `async fn(Context, &E)`, a `#[listener]` or `#[event]` function, or a `Listener`"
)]
pub trait IntoListener<M> {
    /// The registration.
    fn into_listener(self) -> Listener;
}

impl IntoListener<Listener> for Listener {
    fn into_listener(self) -> Listener {
        self
    }
}

#[doc(hidden)]
pub struct FunctionMarker<M>(std::marker::PhantomData<M>);

#[doc(hidden)]
pub enum FactoryMarker {}

/// A function returning a registration: what `#[listener]` and `#[event]` generate.
impl<F: FnOnce() -> Listener> IntoListener<FactoryMarker> for F {
    fn into_listener(self) -> Listener {
        self()
    }
}

impl<M, F: ListenerFunction<M>> IntoListener<FunctionMarker<M>> for F {
    fn into_listener(self) -> Listener {
        Listener::new(self)
    }
}

/// A handle to a listener added while the bot runs, to remove it again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ListenerId(pub(crate) Registered);
