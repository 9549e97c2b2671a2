//! Running user code: listener bodies, waiter and stream checks, custom events' keys, the setup
//! hook and scenes all run through this module.
//!
//! - [`catch`] and [`catch_unwind`] catch a panic and turn it into a [`Panicked`] with its message,
//!   location and (when `RUST_BACKTRACE` asks for one) backtrace. herald's panic hook records
//!   those for panics inside such a section instead of printing them, so a listener's panic is
//!   reported once, by herald, with the listener and event; panics anywhere else go to the hook
//!   that was installed before.
//! - [`section`] tells the gateway's watchdog what user code a shard's task is running, so that
//!   code that blocks the task is named in a warning ([`Watch`]).

use std::any::Any;
use std::backtrace::{Backtrace, BacktraceStatus};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::panic::{AssertUnwindSafe, Location};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::task::Poll;

use crate::error::{PanicLocation, Panicked};

/// What the hook records of a panic: where, and the backtrace when one was asked for.
type Recorded = (Option<PanicLocation>, Option<Arc<Backtrace>>);

thread_local! {
    /// How many catching sections are open on this thread: the hook records instead of printing.
    static CATCHING: Cell<u32> = const { Cell::new(0) };
    /// What the hook recorded of the last panic in a catching section.
    static CAUGHT: RefCell<Option<Recorded>> = const { RefCell::new(None) };
    /// The watch of the shard task running on this thread, while it processes a frame.
    static WATCHED: RefCell<Option<Arc<Watch>>> = const { RefCell::new(None) };
}

/// Installs herald's panic hook once per process, in front of the hook installed before it.
pub(crate) fn install_panic_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if CATCHING.with(Cell::get) == 0 {
                return previous(info);
            }
            let location = info.location().map(|l| PanicLocation {
                file: l.file().to_owned(),
                line: l.line(),
                column: l.column(),
            });
            let backtrace = Backtrace::capture();
            let backtrace =
                (backtrace.status() == BacktraceStatus::Captured).then(|| Arc::new(backtrace));
            CAUGHT.with(|caught| *caught.borrow_mut() = Some((location, backtrace)));
        }));
    });
}

/// Marks this thread as running user code whose panics herald reports itself.
struct Catching;

impl Catching {
    fn enter() -> Self {
        CATCHING.with(|c| c.set(c.get() + 1));
        Catching
    }
}

impl Drop for Catching {
    fn drop(&mut self) {
        CATCHING.with(|c| c.set(c.get() - 1));
    }
}

/// The panic of a catching section, with what the hook recorded of it.
fn panicked(payload: Box<dyn Any + Send>) -> Panicked {
    let (location, backtrace) = CAUGHT.with(|c| c.borrow_mut().take()).unwrap_or_default();
    Panicked::new(payload, location, backtrace)
}

/// Runs `f`, catching a panic.
pub(crate) fn catch<R>(f: impl FnOnce() -> R) -> Result<R, Panicked> {
    let _catching = Catching::enter();
    std::panic::catch_unwind(AssertUnwindSafe(f)).map_err(panicked)
}

/// Runs `inner`, catching a panic in any of its polls.
pub(crate) async fn catch_unwind<F: Future>(inner: F) -> Result<F::Output, Panicked> {
    let mut inner = std::pin::pin!(inner);
    std::future::poll_fn(move |cx| match catch(|| inner.as_mut().poll(cx)) {
        Ok(Poll::Pending) => Poll::Pending,
        Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
        Err(panic) => Poll::Ready(Err(panic)),
    })
    .await
}

/// What user code a shard's task runs, for the warning when it blocks the task.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Culprit {
    /// A listener's body, up to its first `.await`.
    Listener {
        listener: Arc<str>,
        event: &'static str,
    },
    /// A waiter's or stream's check.
    Check {
        event: &'static str,
        at: &'static Location<'static>,
    },
    /// A custom event's `keys()`.
    Keys { event: &'static str },
}

impl std::fmt::Display for Culprit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Culprit::Listener { listener, event } => {
                write!(f, "listener `{listener}` (on `{event}`)")
            }
            Culprit::Check { event, at } => {
                write!(
                    f,
                    "the check of a waiter for `{event}` (registered at {at})"
                )
            }
            Culprit::Keys { event } => write!(f, "`keys()` of the event `{event}`"),
        }
    }
}

/// Watches one shard's task: which user code it runs, and since when (in [`section`]s). The
/// gateway's watchdog, on its own thread, samples it.
#[derive(Default)]
pub(crate) struct Watch {
    /// Bumped when a section starts: the watchdog sees whether the same section is still on.
    epoch: AtomicU64,
    active: AtomicBool,
    culprit: Mutex<Option<Culprit>>,
}

impl Watch {
    /// The running section: its epoch and culprit, if user code is running.
    pub(crate) fn sample(&self) -> Option<(u64, Culprit)> {
        if !self.active.load(Ordering::Acquire) {
            return None;
        }
        let epoch = self.epoch.load(Ordering::Acquire);
        let culprit = self
            .culprit
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()?;
        Some((epoch, culprit))
    }
}

/// Runs `f` (a shard task's handling of one frame) with `watch` as this thread's watch.
pub(crate) fn watched<R>(watch: &Arc<Watch>, f: impl FnOnce() -> R) -> R {
    struct Unset;
    impl Drop for Unset {
        fn drop(&mut self) {
            WATCHED.with(|w| *w.borrow_mut() = None);
        }
    }
    WATCHED.with(|w| *w.borrow_mut() = Some(Arc::clone(watch)));
    let _unset = Unset;
    f()
}

/// Runs user code `f`; on a watched shard task, the watchdog knows it as `culprit()` meanwhile.
/// Sections nest (a listener dispatching a custom event runs that event's listeners inside its
/// own): the outer one is watched again once the inner one ends.
pub(crate) fn section<R>(culprit: impl FnOnce() -> Culprit, f: impl FnOnce() -> R) -> R {
    let watch = WATCHED.with(|w| w.borrow().clone());
    let Some(watch) = watch else {
        return f();
    };
    struct End<'a> {
        watch: &'a Watch,
        outer: Option<Culprit>,
    }
    impl Drop for End<'_> {
        fn drop(&mut self) {
            match self.outer.take() {
                None => self.watch.active.store(false, Ordering::Release),
                Some(outer) => {
                    *self.watch.culprit.lock().unwrap_or_else(|p| p.into_inner()) = Some(outer);
                    self.watch.epoch.fetch_add(1, Ordering::AcqRel);
                }
            }
        }
    }
    let was_active = watch.active.load(Ordering::Acquire);
    let outer = watch
        .culprit
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .replace(culprit());
    watch.epoch.fetch_add(1, Ordering::AcqRel);
    watch.active.store(true, Ordering::Release);
    let _end = End {
        watch: &watch,
        outer: outer.filter(|_| was_active),
    };
    f()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caught_panic_has_its_message_and_location() {
        install_panic_hook();
        let line = line!() + 1;
        let panic = catch(|| panic!("boom {}", 7)).unwrap_err();
        assert_eq!(panic.message, "boom 7");
        let location = panic.location.expect("the hook recorded the location");
        assert!(location.file.ends_with("isolate.rs"), "{location}");
        assert_eq!(location.line, line);
    }

    #[test]
    fn nested_sections_hand_the_watch_back_to_the_outer_one() {
        let watch = Arc::new(Watch::default());
        let listener = |name: &str| Culprit::Listener {
            listener: Arc::from(name),
            event: "message",
        };
        watched(&watch, || {
            section(
                || listener("outer"),
                || {
                    section(
                        || listener("inner"),
                        || assert_eq!(watch.sample().unwrap().1, listener("inner")),
                    );
                    assert_eq!(watch.sample().unwrap().1, listener("outer"));
                },
            );
            assert!(watch.sample().is_none());
        });
    }

    #[test]
    fn a_panicking_future_ends_with_panicked() {
        install_panic_hook();
        let future = catch_unwind(async { panic!("in a future") });
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        let mut future = std::pin::pin!(future);
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(Err(panic)) => assert_eq!(panic.message, "in a future"),
            _ => panic!("expected the panic"),
        }
    }
}
