//! The listener table: event type → listeners, an immutable value swapped as a whole when
//! listeners are added or removed (read-copy-update), so dispatch reads it without a lock.

use std::any::{Any, TypeId};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rustc_hash::FxHashMap;
use twilight_model::gateway::Intents;

use super::lane::{Lane, Load};
use crate::error::BoxError;
use crate::event::Event;
use crate::intents::ListenerIntents;

/// What the router knows of a listener besides its function.
#[derive(Clone, Debug)]
pub(crate) struct ListenerMeta {
    pub(crate) name: Arc<str>,
    pub(crate) event: TypeId,
    pub(crate) event_name: &'static str,
    pub(crate) intents: Intents,
    /// Whether its event carries message content (MESSAGE_CONTENT decides whether it arrives).
    pub(crate) reads_content: bool,
    pub(crate) once: bool,
    pub(crate) sequential: bool,
}

impl ListenerMeta {
    /// What the intent check needs of it.
    pub(crate) fn intents(&self) -> ListenerIntents {
        ListenerIntents {
            name: Arc::clone(&self.name),
            event: self.event_name,
            intents: self.intents,
            reads_content: self.reads_content,
        }
    }
}

/// A boxed listener future.
pub(crate) type ListenerFuture = Pin<Box<dyn Future<Output = Result<(), BoxError>> + Send>>;

/// A listener function with its event type fixed, callable with a shared event and the handle
/// `C` the router gives listeners (the bot's `Context`).
#[doc(hidden)]
pub trait CallHandler<E, C>: Send + Sync + 'static {
    fn call(&self, ctx: C, event: Arc<E>) -> ListenerFuture;
}

/// Event type → its listeners.
pub(crate) struct Table<C> {
    slots: FxHashMap<TypeId, Arc<dyn AnySlot>>,
    _host: std::marker::PhantomData<fn(C)>,
}

impl<C> Clone for Table<C> {
    fn clone(&self) -> Self {
        Table {
            slots: self.slots.clone(),
            _host: std::marker::PhantomData,
        }
    }
}

impl<C> Default for Table<C> {
    fn default() -> Self {
        Table {
            slots: FxHashMap::default(),
            _host: std::marker::PhantomData,
        }
    }
}

impl<C: 'static> Table<C> {
    /// The listeners of `E`, if any.
    #[inline]
    pub(crate) fn get<E: Event>(&self) -> Option<&[Arc<Entry<E, C>>]> {
        let slot = self.slots.get(&TypeId::of::<E>())?;
        let slot = slot.as_any().downcast_ref::<Slot<E, C>>()?;
        Some(&slot.entries)
    }

    /// Whether any listener of type `type_id` exists.
    pub(crate) fn has(&self, type_id: TypeId) -> bool {
        self.slots.contains_key(&type_id)
    }

    pub(crate) fn insert<E: Event>(&mut self, entry: Arc<Entry<E, C>>) {
        let mut entries = self.get::<E>().map(<[_]>::to_vec).unwrap_or_default();
        entries.push(entry);
        self.slots
            .insert(TypeId::of::<E>(), Arc::new(Slot { entries }));
    }

    /// Removes listener `id` of type `event`; whether it was there.
    pub(crate) fn remove(&mut self, event: TypeId, id: u64) -> bool {
        let Some(slot) = self.slots.get(&event) else {
            return false;
        };
        match slot.without(id) {
            None => false,
            Some(Some(rest)) => {
                self.slots.insert(event, rest);
                true
            }
            Some(None) => {
                self.slots.remove(&event);
                true
            }
        }
    }

    /// The event types that have listeners.
    pub(crate) fn types(&self) -> Vec<TypeId> {
        self.slots.keys().copied().collect()
    }

    /// Every listener's id, description and load, in registration order.
    pub(crate) fn metas(&self) -> Vec<(u64, ListenerMeta, Arc<Load>)> {
        let mut metas: Vec<_> = self.slots.values().flat_map(|slot| slot.metas()).collect();
        metas.sort_unstable_by_key(|(id, _, _)| *id);
        metas
    }

    pub(crate) fn len(&self) -> usize {
        self.slots.values().map(|slot| slot.len()).sum()
    }
}

/// The listeners of one event type, behind a type-erased [`AnySlot`].
struct Slot<E, C> {
    entries: Vec<Arc<Entry<E, C>>>,
}

trait AnySlot: Send + Sync {
    fn as_any(&self) -> &dyn Any;
    /// `None`: `id` is not here; `Some(None)`: removing it empties the slot.
    fn without(&self, id: u64) -> Option<Option<Arc<dyn AnySlot>>>;
    fn metas(&self) -> Vec<(u64, ListenerMeta, Arc<Load>)>;
    fn len(&self) -> usize;
}

impl<E: Event, C: 'static> AnySlot for Slot<E, C> {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn without(&self, id: u64) -> Option<Option<Arc<dyn AnySlot>>> {
        let index = self.entries.iter().position(|e| e.id == id)?;
        if self.entries.len() == 1 {
            return Some(None);
        }
        let mut entries = self.entries.clone();
        entries.remove(index);
        Some(Some(Arc::new(Slot { entries })))
    }

    fn metas(&self) -> Vec<(u64, ListenerMeta, Arc<Load>)> {
        self.entries
            .iter()
            .map(|e| (e.id, e.meta.clone(), Arc::clone(&e.lane.load)))
            .collect()
    }

    fn len(&self) -> usize {
        self.entries.len()
    }
}

/// One registered listener of `E`.
pub(crate) struct Entry<E, C> {
    pub(crate) id: u64,
    pub(crate) meta: ListenerMeta,
    pub(crate) handler: Arc<dyn CallHandler<E, C>>,
    /// For `once` listeners: set by the first event that claims it.
    pub(crate) fired: AtomicBool,
    /// Its calls running and waiting.
    pub(crate) lane: Lane<E>,
    /// Its metrics' handles, made at its first call.
    metrics: std::sync::OnceLock<crate::metrics::ListenerMetrics>,
}

impl<E, C> Entry<E, C> {
    pub(crate) fn new(id: u64, meta: ListenerMeta, handler: Arc<dyn CallHandler<E, C>>) -> Self {
        Entry {
            id,
            meta,
            handler,
            fired: AtomicBool::new(false),
            lane: Lane::default(),
            metrics: std::sync::OnceLock::new(),
        }
    }

    /// Its metrics' handles.
    pub(crate) fn metrics(&self) -> &crate::metrics::ListenerMetrics {
        self.metrics.get_or_init(|| {
            crate::metrics::ListenerMetrics::new(&self.meta.name, self.meta.event_name)
        })
    }

    /// For a `once` listener, whether this call is the one that fires it.
    pub(crate) fn claim(&self) -> bool {
        !self.meta.once || !self.fired.swap(true, Ordering::AcqRel)
    }
}
