//! The waiter registry: pending `wait_for` and `stream` subscriptions, indexed by event type and
//! key so that matching an event costs the same however many waiters wait on other keys or other
//! event types.

use std::any::{Any, TypeId};
use std::panic::Location;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use rustc_hash::FxHashMap;
use tokio::sync::{mpsc, oneshot};

use super::Host;
use crate::event::{Event, Key, Keys, ListenerError, Panicked};
use crate::isolate::{self, Culprit};

/// A waiter's filter, and where it was given (`.check(..)`'s caller).
pub(crate) struct Check<E> {
    pub(crate) filter: Box<dyn Fn(&E) -> bool + Send + Sync>,
    pub(crate) at: &'static Location<'static>,
}

/// What a `wait_for` receives: the event, or the panic of its check.
pub(crate) type Delivery<E> = Result<Arc<E>, Panicked>;

/// Where a matched event goes.
pub(crate) enum Sink<E> {
    /// A `wait_for`: the first match takes it, then the waiter is done.
    Once(Mutex<Option<oneshot::Sender<Delivery<E>>>>),
    /// A stream: every match, until the receiver is dropped.
    Stream(mpsc::UnboundedSender<Arc<E>>),
}

pub(crate) struct Pending<E> {
    pub(crate) check: Option<Check<E>>,
    /// The whole `custom_id` a `.custom_id(..)` waiter wants (its key is the id's hash).
    pub(crate) custom_id: Option<Arc<str>>,
    pub(crate) sink: Sink<E>,
}

impl<E: Event> Pending<E> {
    /// Runs the check (user code: its panic is caught, and `Err` carries it).
    fn matches(&self, event: &E) -> Result<bool, Panicked> {
        if let Some(wanted) = &self.custom_id
            && event.custom_id() != Some(&**wanted)
        {
            return Ok(false);
        }
        let Some(check) = &self.check else {
            return Ok(true);
        };
        let culprit = || Culprit::Check {
            event: E::NAME,
            at: check.at,
        };
        isolate::section(culprit, || isolate::catch(|| (check.filter)(event)))
    }

    /// The name a panic of its check is reported under.
    fn name(&self) -> String {
        let kind = match self.sink {
            Sink::Once(_) => "wait_for",
            Sink::Stream(_) => "stream",
        };
        match &self.check {
            Some(check) => format!("check of {kind}::<{}> at {}", E::NAME, check.at),
            None => format!("{kind}::<{}>", E::NAME),
        }
    }
}

type AnyWaiter = Arc<dyn Any + Send + Sync>;

/// Waiters of one event type.
#[derive(Default)]
struct TypeWaiters {
    unkeyed: FxHashMap<u64, AnyWaiter>,
    keyed: FxHashMap<Key, FxHashMap<u64, AnyWaiter>>,
    /// Keyed waiters per kind of key (guild, channel, message, user, custom id): an event's keys of a kind
    /// nobody waits on are not looked up.
    per_kind: [usize; 5],
}

impl TypeWaiters {
    fn is_empty(&self) -> bool {
        self.unkeyed.is_empty() && self.keyed.is_empty()
    }
}

/// The index of a key's kind in `TypeWaiters::per_kind`.
fn kind(key: Key) -> usize {
    match key {
        Key::Guild(_) => 0,
        Key::Channel(_) => 1,
        Key::Message(_) => 2,
        Key::User(_) => 3,
        Key::CustomId(_) => 4,
    }
}

/// Where a waiter is registered, to remove it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Slot {
    event: TypeId,
    key: Option<Key>,
    id: u64,
}

pub(crate) struct Waiters {
    /// Waiters registered: lets dispatch skip the lock when there are none.
    len: AtomicUsize,
    /// Set at shutdown: waiters registered from then on end at once.
    closed: AtomicBool,
    /// The router's generation, bumped when waiters of a new event type register.
    generation: Arc<AtomicU64>,
    /// Notified whenever a waiter registers.
    pub(crate) registered: tokio::sync::Notify,
    next_id: AtomicU64,
    by_type: Mutex<FxHashMap<TypeId, TypeWaiters>>,
}

impl Waiters {
    pub(crate) fn new(generation: Arc<AtomicU64>) -> Self {
        Waiters {
            len: AtomicUsize::new(0),
            closed: AtomicBool::new(false),
            generation,
            registered: tokio::sync::Notify::new(),
            next_id: AtomicU64::new(0),
            by_type: Mutex::default(),
        }
    }

    /// The event types with waiters.
    pub(crate) fn types(&self) -> Vec<TypeId> {
        self.lock().keys().copied().collect()
    }

    fn lock(&self) -> MutexGuard<'_, FxHashMap<TypeId, TypeWaiters>> {
        self.by_type
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    pub(crate) fn len(&self) -> usize {
        self.len.load(Ordering::Acquire)
    }

    /// Registers a waiter. After [`close_all`](Self::close_all) it is dropped instead (a
    /// `wait_for` ends with `Error::Closed`, a stream ends), and the slot is not registered.
    pub(crate) fn insert<E: Event>(&self, key: Option<Key>, waiter: Pending<E>) -> Slot {
        let slot = Slot {
            event: TypeId::of::<E>(),
            key,
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
        };
        let waiter: AnyWaiter = Arc::new(waiter);
        let mut by_type = self.lock();
        // Checked under the lock that `close_all` drains under: no waiter slips in between.
        if self.closed.load(Ordering::Acquire) {
            return slot;
        }
        let waiters = by_type.entry(slot.event).or_insert_with(|| {
            self.generation.fetch_add(1, Ordering::AcqRel);
            TypeWaiters::default()
        });
        match key {
            None => waiters.unkeyed.insert(slot.id, waiter),
            Some(key) => {
                waiters.per_kind[kind(key)] += 1;
                waiters
                    .keyed
                    .entry(key)
                    .or_default()
                    .insert(slot.id, waiter)
            }
        };
        crate::metrics::waiters(self.len.fetch_add(1, Ordering::AcqRel) + 1);
        drop(by_type);
        self.registered.notify_waiters();
        slot
    }

    /// Whether any waiter of type `event` is pending: one lookup (a type's entry goes when its
    /// last waiter does).
    pub(crate) fn has(&self, event: TypeId) -> bool {
        self.len() > 0 && self.lock().contains_key(&event)
    }

    /// How many waiters of type `event` are pending.
    pub(crate) fn count_of(&self, event: TypeId) -> usize {
        self.lock().get(&event).map_or(0, |w| {
            w.unkeyed.len() + w.keyed.values().map(|set| set.len()).sum::<usize>()
        })
    }

    /// Removes a waiter (a no-op when it is gone already).
    pub(crate) fn remove(&self, slot: Slot) {
        let mut by_type = self.lock();
        let Some(waiters) = by_type.get_mut(&slot.event) else {
            return;
        };
        let removed = match slot.key {
            None => waiters.unkeyed.remove(&slot.id),
            Some(key) => match waiters.keyed.get_mut(&key) {
                None => None,
                Some(set) => {
                    let removed = set.remove(&slot.id);
                    if removed.is_some() {
                        waiters.per_kind[kind(key)] -= 1;
                    }
                    if set.is_empty() {
                        waiters.keyed.remove(&key);
                    }
                    removed
                }
            },
        };
        if waiters.is_empty() {
            by_type.remove(&slot.event);
        }
        drop(by_type);
        if removed.is_some() {
            crate::metrics::waiters(self.len.fetch_sub(1, Ordering::AcqRel) - 1);
        }
    }

    /// Drops every waiter, and every one registered later: pending `wait_for`s end with
    /// `Error::Closed`, streams end.
    pub(crate) fn close_all(&self) {
        let mut by_type = self.lock();
        self.closed.store(true, Ordering::Release);
        let drained = std::mem::take(&mut *by_type);
        drop(by_type);
        let count: usize = drained
            .values()
            .map(|w| w.unkeyed.len() + w.keyed.values().map(|s| s.len()).sum::<usize>())
            .sum();
        crate::metrics::waiters(self.len.fetch_sub(count, Ordering::AcqRel) - count);
    }

    /// Hands `event` to every waiter it matches. A panicking check ends its waiter (a
    /// `wait_for` with the panic, a stream) and is reported as a [`ListenerError`].
    pub(crate) fn offer<E: Event, C: Host>(&self, ctx: &C, event: &Arc<E>) {
        if self.len() == 0 {
            return;
        }
        let keyed = match self.lock().get(&TypeId::of::<E>()) {
            None => return,
            Some(waiters) => !waiters.keyed.is_empty(),
        };
        // The keys, outside the lock: a custom event's `keys()` is user code, which may panic (the
        // report is an event offered to waiters in turn) or register waiters itself.
        let (keys, custom_id) = match keyed.then(|| keys(ctx, event)) {
            Some((keys, custom_id)) => (Some(keys), custom_id),
            None => (None, None),
        };
        let mut candidates: Vec<(Slot, AnyWaiter)> = Vec::new();
        {
            let by_type = self.lock();
            let Some(waiters) = by_type.get(&TypeId::of::<E>()) else {
                return;
            };
            let slot = |key, id: &u64| Slot {
                event: TypeId::of::<E>(),
                key,
                id: *id,
            };
            if let Some(keys) = keys {
                for key in keys.iter().chain(custom_id) {
                    if waiters.per_kind[kind(key)] == 0 {
                        continue;
                    }
                    if let Some(set) = waiters.keyed.get(&key) {
                        candidates.extend(
                            set.iter()
                                .map(|(id, w)| (slot(Some(key), id), Arc::clone(w))),
                        );
                    }
                }
            }
            candidates.extend(
                waiters
                    .unkeyed
                    .iter()
                    .map(|(id, w)| (slot(None, id), Arc::clone(w))),
            );
        }
        // Checks run outside the lock: they are user code and may register waiters themselves.
        for (slot, waiter) in candidates {
            let Some(waiter) = waiter.downcast_ref::<Pending<E>>() else {
                continue;
            };
            let delivery = match waiter.matches(event) {
                Ok(false) => continue,
                Ok(true) => Ok(Arc::clone(event)),
                Err(panic) => {
                    let error = ListenerError::new(
                        E::NAME,
                        Arc::from(waiter.name()),
                        Box::new(panic.clone()),
                        Some(Arc::clone(event) as Arc<dyn Any + Send + Sync>),
                    );
                    ctx.router().report(ctx, error);
                    Err(panic)
                }
            };
            let done = match &waiter.sink {
                Sink::Once(sender) => {
                    let sender = sender
                        .lock()
                        .unwrap_or_else(|poison| poison.into_inner())
                        .take();
                    if let Some(sender) = sender {
                        let _ = sender.send(delivery);
                    }
                    true
                }
                Sink::Stream(sender) => match delivery {
                    Ok(event) => sender.send(event).is_err(),
                    Err(_) => true,
                },
            };
            if done {
                self.remove(slot);
            }
        }
    }
}

/// `event.keys()` and the key of `event.custom_id()`: user code for custom events, so a panic is
/// caught, reported, and the event treated as having no keys (it still reaches unkeyed waiters
/// and listeners).
fn keys<E: Event, C: Host>(ctx: &C, event: &Arc<E>) -> (Keys, Option<Key>) {
    let culprit = || Culprit::Keys { event: E::NAME };
    let both = || (event.keys(), event.custom_id().map(Key::custom_id));
    match isolate::section(culprit, || isolate::catch(both)) {
        Ok(keys) => keys,
        Err(panic) => {
            let error = ListenerError::new(
                E::NAME,
                Arc::from(format!("keys() of {}", std::any::type_name::<E>())),
                Box::new(panic),
                None,
            );
            ctx.router().report(ctx, error);
            (Keys::NONE, None)
        }
    }
}
