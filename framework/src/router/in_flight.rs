//! Counts listener calls that have started (or are waiting to) and not finished: what
//! `ContextExt::idle` and shutdown wait on. Calls that finish within their first poll are not
//! counted: they never outlive their dispatch.

use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::Notify;

use super::Host;

pub(crate) struct InFlight {
    count: AtomicUsize,
    changed: Notify,
}

impl InFlight {
    pub(crate) fn new() -> Self {
        InFlight {
            count: AtomicUsize::new(0),
            changed: Notify::new(),
        }
    }

    pub(crate) fn enter(&self) {
        let count = self.count.fetch_add(1, Ordering::AcqRel) + 1;
        crate::metrics::in_flight(count);
    }

    pub(crate) fn leave(&self) {
        let count = self.count.fetch_sub(1, Ordering::AcqRel) - 1;
        crate::metrics::in_flight(count);
        if count == 0 {
            self.changed.notify_waiters();
        }
    }

    pub(crate) fn count(&self) -> usize {
        self.count.load(Ordering::Acquire)
    }

    /// Resolves when no listener call is running or waiting.
    pub(crate) async fn idle(&self) {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            // Registered before the check, so a `leave` between check and await is not missed.
            changed.as_mut().enable();
            if self.count() == 0 {
                return;
            }
            changed.await;
        }
    }
}

/// Leaves the count when dropped, also when the listener's task is cancelled.
pub(crate) struct Leave<C: Host>(pub(crate) C);

impl<C: Host> Drop for Leave<C> {
    fn drop(&mut self) {
        self.0.router().in_flight.leave();
    }
}
