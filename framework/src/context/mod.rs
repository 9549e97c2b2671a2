//! The [`Context`]: the cheap-to-clone handle every listener gets.

mod wait;

use std::fmt;
use std::sync::Arc;

pub use wait::{EventStream, StreamBuilder, WaitFor, Waiter};

use crate::event::Event;
use crate::listener::{IntoListener, ListenerId};
use crate::router::Router;

/// The handle a listener gets: dispatch custom events, wait for events, add and remove listeners.
///
/// Cloning is an `Arc` increment; every clone talks to the same bot.
#[derive(Clone)]
pub struct Context {
    shared: Arc<Shared>,
}

/// What every clone of a [`Context`] shares.
pub(crate) struct Shared {
    pub(crate) router: Router,
}

impl Context {
    pub(crate) fn new(shared: Shared) -> Self {
        Context {
            shared: Arc::new(shared),
        }
    }

    pub(crate) fn router(&self) -> &Router {
        &self.shared.router
    }

    /// Dispatches an event to its listeners and waiters, as if it came from the gateway: disnake's
    /// `bot.dispatch`. Returns at once; listeners run in their own tasks.
    ///
    /// Must be called inside the bot's tokio runtime.
    pub fn dispatch<E: Event>(&self, event: E) {
        self.dispatch_shared(Arc::new(event));
    }

    /// [`dispatch`](Self::dispatch) for an event already in an `Arc`.
    pub fn dispatch_shared<E: Event>(&self, event: Arc<E>) {
        self.shared.router.dispatch(self, event);
    }

    /// Waits for the next `E`: a future resolving to the event, `Error::Timeout` or
    /// `Error::Closed`. Narrow it with [`on`](WaitFor::on) (a key, matched in constant time) and
    /// [`check`](WaitFor::check); bound it with [`timeout`](WaitFor::timeout).
    ///
    /// The waiter is registered when the future is first polled (or by
    /// [`register`](WaitFor::register)) and removed as soon as it resolves, times out or is
    /// dropped.
    pub fn wait_for<E: Event>(&self) -> WaitFor<E> {
        WaitFor::new(self.clone())
    }

    /// A stream of every matching `E`, for collecting many: see [`StreamBuilder`].
    pub fn stream<E: Event>(&self) -> StreamBuilder<E> {
        StreamBuilder::new(self.clone())
    }

    /// Adds a listener while the bot runs (disnake's `add_listener`). Events dispatched after this
    /// returns reach it.
    pub fn add_listener<M>(&self, listener: impl IntoListener<M>) -> ListenerId {
        self.shared.router.add(listener.into_listener())
    }

    /// Removes a listener added by [`add_listener`](Self::add_listener) or at build time; whether
    /// it was registered. Calls already running finish.
    pub fn remove_listener(&self, id: ListenerId) -> bool {
        self.shared.router.remove(id)
    }

    /// The registered listeners: name and event of each.
    pub fn listeners(&self) -> Vec<ListenerInfo> {
        self.shared
            .router
            .listeners()
            .into_iter()
            .map(|meta| ListenerInfo {
                name: meta.name,
                event: meta.event_name,
            })
            .collect()
    }

    /// Ends every pending waiter with [`Error::Closed`](crate::Error::Closed) and every stream.
    /// Running the bot calls it when the bot shuts down.
    pub fn close_waiters(&self) {
        self.shared.router.waiters.close_all();
    }

    /// How many listeners are registered.
    pub fn listener_count(&self) -> usize {
        self.shared.router.listener_count()
    }

    /// How many waiters (`wait_for`s and streams) are pending.
    pub fn pending_waiters(&self) -> usize {
        self.shared.router.waiters.len()
    }

    /// How many listener calls are running or queued.
    pub fn running_listeners(&self) -> usize {
        self.shared.router.in_flight.count()
    }

    /// Resolves when no listener call is running or queued: everything dispatched so far has been
    /// handled, including error events it caused.
    pub async fn idle(&self) {
        self.shared.router.in_flight.idle().await;
    }
}

/// A registered listener, as [`Context::listeners`] lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListenerInfo {
    /// The listener's name.
    pub name: Arc<str>,
    /// The name of its event.
    pub event: &'static str,
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("listeners", &self.listener_count())
            .field("pending_waiters", &self.pending_waiters())
            .finish_non_exhaustive()
    }
}
