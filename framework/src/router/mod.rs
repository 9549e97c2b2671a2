//! The router: dispatches each event to its listeners and waiters.
//!
//! - Listeners live in an immutable [`Table`] behind an `ArcSwap`: dispatch loads it without a lock;
//!   adding or removing a listener at run time builds a new table and swaps it in.
//! - Each listener call is polled once where it is dispatched and becomes its own tokio task only
//!   if it has to wait. Each listener has a [lane](lane): a bound on its calls running at once
//!   (1 for `sequential` listeners), a queue of calls waiting for room, and a cap on that queue.
//!   Dispatch never waits.
//! - Errors and panics are caught per call ([`isolate`](crate::isolate)) and become a
//!   [`ListenerError`] event, or a line on stderr when nobody handles them. An event type may
//!   have an error route instead (given at build: the bot routes failed commands to
//!   `application_command_error`); the router itself knows no event but `ListenerError`.
//! - Waiters are indexed by (event type, key) in [`Waiters`].
//! - The router is generic over the handle it gives listeners (`C`, the bot's `Context`, which
//!   holds the router): the router layer does not depend on the context layer above it.
//!
//! `docs/architecture.md` explains the model and its guarantees.

mod in_flight;
pub(crate) mod lane;
pub(crate) mod table;
pub(crate) mod waiters;

use std::any::{Any, TypeId};
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use arc_swap::ArcSwap;
pub(crate) use in_flight::InFlight;
use lane::{Admit, Load};
use rustc_hash::FxHashMap;
use table::Entry;
pub(crate) use table::{ListenerMeta, Table};
use tokio::sync::watch;
pub(crate) use waiters::Waiters;

use crate::error::BoxError;
use crate::event::{Event, ListenerError};
use crate::isolate::{self, Culprit};
use crate::report::{Throttles, suppressed_note, tell};

/// What the router needs of the handle it gives listeners: a way back to itself.
pub(crate) trait Host: Clone + Send + Sync + 'static {
    fn router(&self) -> &Router<Self>;
}

/// A type-erased event, as error routes get it.
pub(crate) type AnyEvent = Arc<dyn Any + Send + Sync>;

/// Where a failure of a listener of one event type goes instead of `error`: `Ok` when it was
/// delivered, `Err(error)` (handed back) when it was not (nobody listens there).
pub(crate) type ErrorRoute<C> =
    Box<dyn Fn(&C, AnyEvent, &Arc<str>, BoxError) -> Result<(), BoxError> + Send + Sync>;

/// A registration for the table: installs itself under an id.
pub(crate) type Installer<C> = Box<dyn FnOnce(u64, ListenerMeta, &mut Table<C>) + Send>;

/// A listener's id in the router, and its event type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Registered {
    pub(crate) id: u64,
    pub(crate) event: TypeId,
}

/// How many calls of one listener may run, and wait, at once.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Calls of one (concurrent) listener running at once.
    pub(crate) running: usize,
    /// Calls of one listener waiting for room.
    pub(crate) waiting: usize,
}

pub(crate) struct Router<C> {
    table: ArcSwap<Table<C>>,
    /// Serialises writers of `table`; readers never take it.
    write: Mutex<()>,
    next_id: AtomicU64,
    /// Bumped when listeners or waiters of another event type may have appeared.
    generation: Arc<AtomicU64>,
    pub(crate) waiters: Waiters,
    pub(crate) in_flight: InFlight,
    limits: Limits,
    /// Set at the end of shutdown: listener tasks still running stop.
    abandon: watch::Sender<bool>,
    /// Unhandled errors, per listener.
    error_lines: Throttles<Arc<str>>,
    /// Backed-up and dropped calls, per listener.
    load_lines: Throttles<(u64, bool)>,
    /// Error routes, by event type.
    error_routes: FxHashMap<TypeId, ErrorRoute<C>>,
}

impl<C: Host> Router<C> {
    pub(crate) fn new(limits: Limits, error_routes: FxHashMap<TypeId, ErrorRoute<C>>) -> Self {
        let generation = Arc::new(AtomicU64::new(0));
        Router {
            table: ArcSwap::from_pointee(Table::default()),
            write: Mutex::new(()),
            next_id: AtomicU64::new(1),
            waiters: Waiters::new(Arc::clone(&generation)),
            generation,
            in_flight: InFlight::new(),
            limits: Limits {
                running: limits.running.max(1),
                waiting: limits.waiting,
            },
            abandon: watch::Sender::new(false),
            error_lines: Throttles::new(Duration::from_secs(10), 5),
            load_lines: Throttles::new(Duration::from_secs(10), 1),
            error_routes,
        }
    }

    /// Adds a listener; its id removes it again.
    pub(crate) fn add(&self, meta: ListenerMeta, install: Installer<C>) -> Registered {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let event = meta.event;
        let _writer = self
            .write
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        let mut table = Table::clone(&self.table.load());
        install(id, meta, &mut table);
        self.table.store(Arc::new(table));
        self.generation.fetch_add(1, Ordering::AcqRel);
        Registered { id, event }
    }

    /// Removes a listener; whether it was registered.
    pub(crate) fn remove(&self, id: Registered) -> bool {
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
        self.loads().into_iter().map(|(_, meta, _)| meta).collect()
    }

    /// Every listener with its id and load, in registration order.
    pub(crate) fn loads(&self) -> Vec<(u64, ListenerMeta, Arc<Load>)> {
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

    /// Offers `event` to its waiters, then starts (or queues) its listeners' calls. Never waits.
    pub(crate) fn dispatch<E: Event>(&self, ctx: &C, event: Arc<E>) {
        self.waiters.offer(ctx, &event);
        let table = self.table.load();
        let Some(entries) = table.get::<E>() else {
            return;
        };
        // The event's span: each call's span is a child of it (the gateway's shard span above
        // says which shard and sequence), so a listener's log lines say what it was serving.
        let span = tracing::info_span!("event", name = E::NAME, guild = tracing::field::Empty);
        if !span.is_disabled()
            && let Some(guild) = event.keys().guild
        {
            span.record("guild", guild.get());
        }
        let _entered = span.enter();
        for entry in entries {
            if !entry.claim() {
                continue;
            }
            if entry.meta.once {
                self.remove(Registered {
                    id: entry.id,
                    event: TypeId::of::<E>(),
                });
            }
            let limit = if entry.meta.sequential {
                1
            } else {
                self.limits.running
            };
            let queued = || self.in_flight.enter();
            match entry.lane.admit(&event, limit, self.limits.waiting, queued) {
                Admit::Run => start(entry, ctx, Arc::clone(&event)),
                Admit::Wait { warn } => {
                    if warn {
                        self.backed_up(entry, limit);
                    }
                }
                Admit::Full => self.dropped(entry, limit),
            }
        }
    }

    /// Ends listener calls still running (the end of shutdown).
    pub(crate) fn abandon_calls(&self) {
        self.abandon.send_replace(true);
    }

    fn backed_up<E>(&self, entry: &Entry<E, C>, limit: usize) {
        let Some(suppressed) = self.load_lines.allow((entry.id, false)) else {
            return;
        };
        let (name, event) = (&*entry.meta.name, entry.meta.event_name);
        let waiting = self.limits.waiting;
        let text = if limit == 1 {
            format!(
                "sequential listener `{name}` (on `{event}`) is falling behind: half of its queue \
                 of {waiting} calls is taken, and calls past that are dropped; make it faster, or \
                 drop `sequential` if order does not matter{}",
                suppressed_note(suppressed)
            )
        } else {
            format!(
                "listener `{name}` (on `{event}`) has {limit} calls running, its bound \
                 (`max_running_listeners`): further calls wait, up to {waiting}, then are dropped. \
                 Are its calls stuck? Give waits a timeout; other listeners are not held up{}",
                suppressed_note(suppressed)
            )
        };
        tell!(WARN, { listener = name, event = event, }, text);
    }

    fn dropped<E>(&self, entry: &Entry<E, C>, limit: usize) {
        crate::metrics::dropped(&entry.meta.name, entry.meta.event_name);
        let Some(suppressed) = self.load_lines.allow((entry.id, true)) else {
            return;
        };
        let (name, event) = (&*entry.meta.name, entry.meta.event_name);
        let waiting = self.limits.waiting;
        let text = format!(
            "listener `{name}` (on `{event}`): a call was dropped, {limit} running and {waiting} \
             waiting already (`max_running_listeners`, `max_waiting_calls`); its calls are not \
             finishing{}",
            suppressed_note(suppressed)
        );
        tell!(ERROR, { listener = name, event = event, }, text);
    }

    /// Reports an error nobody handles: on stderr, or through `tracing` when a subscriber records
    /// herald's errors; at most 5 per listener per 10 s.
    fn unhandled(&self, error: &ListenerError, from_error_listener: bool) {
        let Some(suppressed) = self.error_lines.allow(Arc::clone(&error.listener)) else {
            return;
        };
        let mut text = error.report();
        text.push_str(&suppressed_note(suppressed));
        if !from_error_listener {
            static HINT: std::sync::Once = std::sync::Once::new();
            HINT.call_once(|| {
                text.push_str(
                    "\n(herald prints errors no one handles; handle them with \
                     `#[event] async fn on_error(err: &ListenerError)`)",
                );
            });
        }
        let location = error
            .panic()
            .and_then(|p| p.location.as_ref())
            .map(ToString::to_string);
        tell!(
            ERROR,
            {
                event = error.event,
                listener = &*error.listener,
                error = %error.chain_text(),
                location = location.as_deref(),
            },
            text
        );
    }

    /// Delivers an error: as a [`ListenerError`] event when someone listens to it, else reported
    /// by herald. Errors of error listeners are never dispatched again.
    pub(crate) fn report(&self, ctx: &C, error: ListenerError) {
        let from_error_listener = error.event == ListenerError::NAME;
        if from_error_listener || !self.has_listeners::<ListenerError>() {
            self.unhandled(&error, from_error_listener);
            return;
        }
        self.dispatch(ctx, Arc::new(error));
    }
}

/// One listener call: the handler's future, its error or panic caught and reported.
type Call = std::pin::Pin<Box<dyn Future<Output = ()> + Send>>;

/// One call of `entry` with `event`, run in a span naming the listener (and the event, for calls
/// that waited in the lane and start outside the event's span).
fn call<E: Event, C: Host>(entry: &Arc<Entry<E, C>>, ctx: &C, event: Arc<E>) -> Call {
    let span = tracing::info_span!("listener", name = &*entry.meta.name, event = E::NAME);
    let (entry, ctx) = (Arc::clone(entry), ctx.clone());
    let call = async move {
        let handler = Arc::clone(&entry.handler);
        let (call_ctx, call_event) = (ctx.clone(), Arc::clone(&event));
        // The handler is called inside the catching future: a closure listener runs code before
        // its future exists.
        let started = crate::metrics::start();
        let outcome =
            isolate::catch_unwind(async move { handler.call(call_ctx, call_event).await }).await;
        let metrics = entry.metrics();
        metrics.finished(started);
        let error: BoxError = match outcome {
            Ok(Ok(())) => return,
            Ok(Err(error)) => {
                metrics.failed(false);
                error
            }
            Err(panic) => {
                metrics.failed(true);
                Box::new(panic)
            }
        };
        failed(&ctx, &entry.meta, event, error);
    };
    Box::pin(tracing::Instrument::instrument(call, span))
}

/// Starts a call that has a slot in its listener's lane: polled once right here, and spawned as
/// its own task only if it has to wait. Most calls of most listeners (a `!ping` handler seeing
/// every other message) finish in that first poll, and cost no task and no cross-thread wake-up.
///
/// The first poll uses a no-op waker; the spawned task polls the future again at once, with its
/// own waker, so whatever the future waits on is registered with the task (the `Future` contract:
/// only the waker of the latest poll is woken).
fn start<E: Event, C: Host>(entry: &Arc<Entry<E, C>>, ctx: &C, event: Arc<E>) {
    let mut call = call(entry, ctx, event);
    let mut first_poll = std::task::Context::from_waker(std::task::Waker::noop());
    let culprit = || Culprit::Listener {
        listener: Arc::clone(&entry.meta.name),
        event: E::NAME,
    };
    if isolate::section(culprit, || call.as_mut().poll(&mut first_poll)).is_ready() {
        // Its slot is free again, or goes to the first call waiting for it.
        if let Some(next) = entry.lane.next() {
            let next = self::call(entry, ctx, next);
            spawn_worker(entry, ctx, next);
        }
        return;
    }
    ctx.router().in_flight.enter();
    spawn_worker(entry, ctx, call);
}

/// Runs `first` (a call counted in flight), then the calls waiting in the lane, one after the
/// other, in the slot `first` holds.
fn spawn_worker<E: Event, C: Host>(entry: &Arc<Entry<E, C>>, ctx: &C, first: Call) {
    let (entry, ctx) = (Arc::clone(entry), ctx.clone());
    let mut abandon = ctx.router().abandon.subscribe();
    tokio::spawn(async move {
        let mut current = first;
        loop {
            let _leave = in_flight::Leave(ctx.clone());
            tokio::select! {
                biased;
                () = &mut current => {}
                _ = abandon.wait_for(|abandon| *abandon) => return,
            }
            match entry.lane.next() {
                Some(event) => current = call(&entry, &ctx, event),
                None => return,
            }
        }
    });
}

/// A call failed: its error goes to the event type's error route, if it has one and it takes it,
/// else to `error`.
fn failed<E: Event, C: Host>(ctx: &C, meta: &ListenerMeta, event: Arc<E>, error: BoxError) {
    let router = ctx.router();
    let event: AnyEvent = event;
    let error = match router.error_routes.get(&TypeId::of::<E>()) {
        Some(route) => match route(ctx, Arc::clone(&event), &meta.name, error) {
            Ok(()) => return,
            Err(error) => error,
        },
        None => error,
    };
    let error = ListenerError::new(E::NAME, Arc::clone(&meta.name), error, Some(event));
    router.report(ctx, error);
}
