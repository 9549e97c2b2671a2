//! The router: dispatches each event to its listeners and waiters.
//!
//! - Listeners live in an immutable [`Table`] behind an `ArcSwap`: dispatch loads it without a lock;
//!   adding or removing a listener at run time builds a new table and swaps it in.
//! - Each listener call is its own tokio task (concurrent, like disnake's), except `sequential`
//!   listeners, which get one worker task each and see their events one at a time, in order.
//! - Errors and panics are caught per call and become a [`ListenerError`] event.
//! - Waiters are indexed by (event type, key) in [`Waiters`].
//!
//! `docs/architecture.md` explains the model and its guarantees.

mod in_flight;
pub(crate) mod table;
pub(crate) mod waiters;

use std::any::{Any, TypeId};
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use futures_util::FutureExt;
pub(crate) use in_flight::InFlight;
use table::{Entry, Table};
use tokio::sync::mpsc;
pub(crate) use waiters::Waiters;

use crate::context::Context;
use crate::error::BoxError;
use crate::event::interaction::{ApplicationCommand, ApplicationCommandError};
use crate::event::{Event, ListenerError, Panicked};
use crate::listener::handler::CallHandler;
use crate::listener::{Listener, ListenerId, ListenerMeta};

pub(crate) struct Router {
    table: ArcSwap<Table>,
    /// Serialises writers of `table`; readers never take it.
    write: Mutex<()>,
    next_id: AtomicU64,
    /// Bumped when listeners or waiters of another event type may have appeared.
    generation: Arc<AtomicU64>,
    pub(crate) waiters: Waiters,
    pub(crate) in_flight: InFlight,
}

impl Router {
    pub(crate) fn new(max_in_flight: usize) -> Self {
        let generation = Arc::new(AtomicU64::new(0));
        Router {
            table: ArcSwap::from_pointee(Table::default()),
            write: Mutex::new(()),
            next_id: AtomicU64::new(1),
            waiters: Waiters::new(Arc::clone(&generation)),
            generation,
            in_flight: InFlight::new(max_in_flight),
        }
    }

    /// Adds a listener; its id removes it again.
    pub(crate) fn add(&self, listener: Listener) -> ListenerId {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let event = listener.meta.event;
        let _writer = self
            .write
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        let mut table = Table::clone(&self.table.load());
        (listener.install)(id, listener.meta, &mut table);
        self.table.store(Arc::new(table));
        self.generation.fetch_add(1, Ordering::AcqRel);
        ListenerId { id, event }
    }

    /// Removes a listener; whether it was registered.
    pub(crate) fn remove(&self, id: ListenerId) -> bool {
        let _writer = self
            .write
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        let mut table = Table::clone(&self.table.load());
        let removed = table.remove(id.event, id.id);
        if removed {
            self.table.store(Arc::new(table));
        }
        removed
    }

    /// Changes when listeners or waiters of a new event type may have appeared.
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// The event types with listeners or waiters.
    pub(crate) fn event_types(&self) -> Vec<TypeId> {
        let mut types = self.table.load().types();
        types.extend(self.waiters.types());
        types
    }

    pub(crate) fn listeners(&self) -> Vec<ListenerMeta> {
        self.table.load().metas()
    }

    pub(crate) fn listener_count(&self) -> usize {
        self.table.load().len()
    }

    /// Whether any listener of `E` is registered.
    pub(crate) fn has_listeners<E: Event>(&self) -> bool {
        self.table.load().has(TypeId::of::<E>())
    }

    /// Whether any listener or waiter of `E` exists: events nobody wants are not built.
    pub(crate) fn wants<E: Event>(&self) -> bool {
        let id = TypeId::of::<E>();
        self.table.load().has(id) || self.waiters.has(id)
    }

    /// Offers `event` to its waiters, then starts its listeners. Never blocks.
    pub(crate) fn dispatch<E: Event>(&self, ctx: &Context, event: Arc<E>) {
        self.waiters.offer(&event);
        let table = self.table.load();
        let Some(entries) = table.get::<E>() else {
            return;
        };
        for entry in entries {
            if !entry.claim() {
                continue;
            }
            if entry.meta.once {
                self.remove(ListenerId {
                    id: entry.id,
                    event: TypeId::of::<E>(),
                });
            }
            if entry.meta.sequential {
                enqueue(entry, ctx, &event);
            } else {
                start(entry, ctx, &event);
            }
        }
    }
}

/// Starts one listener call: polled once right here, and spawned as its own task only if it has
/// to wait. Most calls of most listeners (a `!ping` handler seeing every other message) finish in
/// that first poll, and cost no task, no cross-thread wake-up and no in-flight accounting.
///
/// The first poll uses a no-op waker; the spawned task polls the future again at once, with its
/// own waker, so whatever the future waits on is registered with the task (the `Future` contract:
/// only the waker of the latest poll is woken).
fn start<E: Event>(entry: &Arc<Entry<E>>, ctx: &Context, event: &Arc<E>) {
    let (entry, task_ctx, event) = (Arc::clone(entry), ctx.clone(), Arc::clone(event));
    let mut call =
        Box::pin(async move { run(&entry.meta, &*entry.handler, task_ctx, event).await });
    let mut first_poll = std::task::Context::from_waker(std::task::Waker::noop());
    if call.as_mut().poll(&mut first_poll).is_ready() {
        return;
    }
    ctx.router().in_flight.enter();
    let leave = in_flight::Leave(ctx.clone());
    tokio::spawn(async move {
        let _leave = leave;
        call.await;
    });
}

/// Hands `event` to a sequential listener's worker, starting the worker on first use.
fn enqueue<E: Event>(entry: &Arc<Entry<E>>, ctx: &Context, event: &Arc<E>) {
    let queue = entry.queue.get_or_init(|| {
        let (tx, mut rx) = mpsc::unbounded_channel::<Arc<E>>();
        // The worker owns the handler, not the entry: removing the listener drops the entry and
        // its sender, and the worker ends once it has drained what was queued.
        let (meta, handler, ctx) = (entry.meta.clone(), Arc::clone(&entry.handler), ctx.clone());
        tokio::spawn(async move {
            while let Some(event) = rx.recv().await {
                let _leave = in_flight::Leave(ctx.clone());
                run(&meta, &*handler, ctx.clone(), event).await;
            }
        });
        tx
    });
    ctx.router().in_flight.enter();
    if queue.send(Arc::clone(event)).is_err() {
        ctx.router().in_flight.leave();
    }
}

/// Runs one listener call, catching its error or panic and reporting it.
async fn run<E: Event>(
    meta: &ListenerMeta,
    handler: &dyn CallHandler<E>,
    ctx: Context,
    event: Arc<E>,
) {
    // A failing command's error goes to `application_command_error` with the command.
    let command = (TypeId::of::<E>() == TypeId::of::<ApplicationCommand>())
        .then(|| Arc::clone(&event) as Arc<dyn Any + Send + Sync>);
    let call = async { handler.call(ctx.clone(), event).await };
    let error: BoxError = match AssertUnwindSafe(call).catch_unwind().await {
        Ok(Ok(())) => return,
        Ok(Err(error)) => error,
        Err(payload) => Box::new(Panicked::from_payload(payload)),
    };
    if let Some(command) = command.and_then(|c| c.downcast::<ApplicationCommand>().ok())
        && ctx.router().has_listeners::<ApplicationCommandError>()
    {
        let error = ApplicationCommandError {
            command,
            listener: Arc::clone(&meta.name),
            error: Arc::new(error),
        };
        ctx.router().dispatch(&ctx, Arc::new(error));
        return;
    }
    let from_error_listener = TypeId::of::<E>() == TypeId::of::<ListenerError>();
    report(&ctx, E::NAME, &meta.name, error, from_error_listener);
}

/// Delivers a listener's error: as a [`ListenerError`] event when someone listens to it, else
/// to the log. Errors of error listeners are only logged.
fn report(
    ctx: &Context,
    event: &'static str,
    listener: &Arc<str>,
    error: BoxError,
    from_error_listener: bool,
) {
    let router = ctx.router();
    if from_error_listener || !router.has_listeners::<ListenerError>() {
        tracing::error!(event, listener = &**listener, error = %error, "listener failed");
        return;
    }
    let error = ListenerError {
        event,
        listener: Arc::clone(listener),
        error: Arc::new(error),
    };
    router.dispatch(ctx, Arc::new(error));
}
