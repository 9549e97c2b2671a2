//! Each listener's lane: how many of its calls run at once, and the calls waiting for room.
//!
//! A listener runs at most `limit` calls at once (1 for `sequential` listeners, the bot's
//! `max_running_listeners` for the others); further calls wait in its FIFO queue, in dispatch
//! order, and start as its calls finish. At most `capacity` calls wait; past that a call is
//! dropped (and reported). Lanes are per listener, so a listener whose calls never finish fills
//! only its own lane: the gateway never waits, and other listeners and waiters are served.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// What happens to a call offered to a lane.
pub(crate) enum Admit {
    /// Run it now: it has a slot.
    Run,
    /// It waits for a slot; `warn`: the lane just started to back up.
    Wait { warn: bool },
    /// The queue is full: the call is dropped.
    Full,
}

/// A listener's counters, readable without its lane's lock.
#[derive(Debug, Default)]
pub(crate) struct Load {
    pub(crate) running: AtomicUsize,
    pub(crate) waiting: AtomicUsize,
    pub(crate) dropped: AtomicU64,
}

pub(crate) struct Lane<E> {
    state: Mutex<State<E>>,
    pub(crate) load: Arc<Load>,
}

struct State<E> {
    running: usize,
    waiting: VecDeque<Arc<E>>,
    /// Whether the lane warned since it last drained.
    warned: bool,
}

impl<E> Default for Lane<E> {
    fn default() -> Self {
        Lane {
            state: Mutex::new(State {
                running: 0,
                waiting: VecDeque::new(),
                warned: false,
            }),
            load: Arc::default(),
        }
    }
}

impl<E> Lane<E> {
    fn state(&self) -> std::sync::MutexGuard<'_, State<E>> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn mirror(&self, state: &State<E>) {
        self.load.running.store(state.running, Ordering::Relaxed);
        self.load
            .waiting
            .store(state.waiting.len(), Ordering::Relaxed);
    }

    /// Offers a call of `event`: run it, queue it, or drop it.
    /// `queued` runs before a call is queued, under the lane's lock: a worker that takes the
    /// queued call and ends it does so after `queued` ran (the in-flight count must see a call's
    /// start before its end).
    pub(crate) fn admit(
        &self,
        event: &Arc<E>,
        limit: usize,
        capacity: usize,
        queued: impl FnOnce(),
    ) -> Admit {
        let mut state = self.state();
        let admit = if state.running < limit && state.waiting.is_empty() {
            state.running += 1;
            Admit::Run
        } else if state.waiting.len() < capacity {
            queued();
            state.waiting.push_back(Arc::clone(event));
            crate::metrics::waiting(1.0);
            // A concurrent listener at its bound is worth a warning at once; a sequential one
            // queues by design, so it warns when half its queue is taken.
            let backed_up = if limit > 1 {
                true
            } else {
                state.waiting.len() >= capacity.div_ceil(2)
            };
            let warn = backed_up && !std::mem::replace(&mut state.warned, true);
            Admit::Wait { warn }
        } else {
            self.load.dropped.fetch_add(1, Ordering::Relaxed);
            Admit::Full
        };
        self.mirror(&state);
        admit
    }

    /// A call ended: the next waiting event, which takes over its slot, or `None` (the slot is
    /// free).
    pub(crate) fn next(&self) -> Option<Arc<E>> {
        let mut state = self.state();
        let next = state.waiting.pop_front();
        if next.is_none() {
            state.running -= 1;
            state.warned = false;
        } else {
            crate::metrics::waiting(-1.0);
        }
        self.mirror(&state);
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_wait_in_order_past_the_limit_and_drop_past_the_capacity() {
        let lane = Lane::<u32>::default();
        let event = |n| Arc::new(n);
        assert!(matches!(lane.admit(&event(1), 2, 2, || {}), Admit::Run));
        assert!(matches!(lane.admit(&event(2), 2, 2, || {}), Admit::Run));
        assert!(matches!(
            lane.admit(&event(3), 2, 2, || {}),
            Admit::Wait { warn: true }
        ));
        assert!(matches!(
            lane.admit(&event(4), 2, 2, || {}),
            Admit::Wait { warn: false }
        ));
        assert!(matches!(lane.admit(&event(5), 2, 2, || {}), Admit::Full));
        assert_eq!(lane.load.dropped.load(Ordering::Relaxed), 1);
        assert_eq!(lane.next().as_deref(), Some(&3));
        assert_eq!(lane.next().as_deref(), Some(&4));
        assert_eq!(lane.next(), None);
        assert_eq!(lane.load.running.load(Ordering::Relaxed), 1);
        assert_eq!(lane.next(), None);
        assert_eq!(lane.load.running.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn a_waiting_call_keeps_its_place_ahead_of_new_ones() {
        let lane = Lane::<u32>::default();
        assert!(matches!(lane.admit(&Arc::new(1), 1, 10, || {}), Admit::Run));
        assert!(matches!(
            lane.admit(&Arc::new(2), 1, 10, || {}),
            Admit::Wait { .. }
        ));
        // The running call ends and hands its slot to 2; a new call must queue behind it.
        assert_eq!(lane.next().as_deref(), Some(&2));
        assert!(matches!(
            lane.admit(&Arc::new(3), 1, 10, || {}),
            Admit::Wait { .. }
        ));
        assert_eq!(lane.next().as_deref(), Some(&3));
    }
}
