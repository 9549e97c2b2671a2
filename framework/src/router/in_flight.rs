//! Counts listener calls that have started and not finished: the back-pressure signal for the
//! gateway (it stops reading while the count is at the limit) and `Context::idle`.

use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::Notify;

use crate::context::Context;

pub(crate) struct InFlight {
    count: AtomicUsize,
    limit: usize,
    changed: Notify,
}

impl InFlight {
    pub(crate) fn new(limit: usize) -> Self {
        InFlight {
            count: AtomicUsize::new(0),
            limit: limit.max(1),
            changed: Notify::new(),
        }
    }

    pub(crate) fn enter(&self) {
        self.count.fetch_add(1, Ordering::AcqRel);
    }

    pub(crate) fn leave(&self) {
        let before = self.count.fetch_sub(1, Ordering::AcqRel);
        if before == 1 || before == self.limit {
            self.changed.notify_waiters();
        }
    }

    pub(crate) fn count(&self) -> usize {
        self.count.load(Ordering::Acquire)
    }

    /// Resolves when no listener call is running.
    pub(crate) async fn idle(&self) {
        self.until(|n| n == 0).await;
    }

    /// Resolves when fewer calls than the limit are running.
    pub(crate) async fn room(&self) {
        let limit = self.limit;
        if self.count() < limit {
            return;
        }
        self.until(|n| n < limit).await;
    }

    async fn until(&self, done: impl Fn(usize) -> bool) {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            // Registered before the check, so a `leave` between check and await is not missed.
            changed.as_mut().enable();
            if done(self.count()) {
                return;
            }
            changed.await;
        }
    }
}

/// Leaves the count when dropped, also when the listener's task is cancelled.
pub(crate) struct Leave(pub(crate) Context);

impl Drop for Leave {
    fn drop(&mut self) {
        self.0.router().in_flight.leave();
    }
}
