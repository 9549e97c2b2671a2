//! The listener table: event type → listeners, an immutable value swapped as a whole when
//! listeners are added or removed (read-copy-update), so dispatch reads it without a lock.

use std::any::{Any, TypeId};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rustc_hash::FxHashMap;

use super::lane::{Lane, Load};
use crate::event::Event;
use crate::listener::ListenerMeta;
use crate::listener::handler::CallHandler;

/// Event type → its listeners.
#[derive(Clone, Default)]
pub(crate) struct Table {
    slots: FxHashMap<TypeId, Arc<dyn AnySlot>>,
}

impl Table {
    /// The listeners of `E`, if any.
    #[inline]
    pub(crate) fn get<E: Event>(&self) -> Option<&[Arc<Entry<E>>]> {
        let slot = self.slots.get(&TypeId::of::<E>())?;
        let slot = slot.as_any().downcast_ref::<Slot<E>>()?;
        Some(&slot.entries)
    }

    /// Whether any listener of type `type_id` exists.
    pub(crate) fn has(&self, type_id: TypeId) -> bool {
        self.slots.contains_key(&type_id)
    }

    pub(crate) fn insert<E: Event>(&mut self, entry: Arc<Entry<E>>) {
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
struct Slot<E> {
    entries: Vec<Arc<Entry<E>>>,
}

trait AnySlot: Send + Sync {
    fn as_any(&self) -> &dyn Any;
    /// `None`: `id` is not here; `Some(None)`: removing it empties the slot.
    fn without(&self, id: u64) -> Option<Option<Arc<dyn AnySlot>>>;
    fn metas(&self) -> Vec<(u64, ListenerMeta, Arc<Load>)>;
    fn len(&self) -> usize;
}

impl<E: Event> AnySlot for Slot<E> {
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
pub(crate) struct Entry<E> {
    pub(crate) id: u64,
    pub(crate) meta: ListenerMeta,
    pub(crate) handler: Arc<dyn CallHandler<E>>,
    /// For `once` listeners: set by the first event that claims it.
    pub(crate) fired: AtomicBool,
    /// Its calls running and waiting.
    pub(crate) lane: Lane<E>,
}

impl<E> Entry<E> {
    pub(crate) fn new(id: u64, meta: ListenerMeta, handler: Arc<dyn CallHandler<E>>) -> Self {
        Entry {
            id,
            meta,
            handler,
            fired: AtomicBool::new(false),
            lane: Lane::default(),
        }
    }

    /// For a `once` listener, whether this call is the one that fires it.
    pub(crate) fn claim(&self) -> bool {
        !self.meta.once || !self.fired.swap(true, Ordering::AcqRel)
    }
}
