//! Waiters: `ctx.wait_for::<E>()` (one event) and `ctx.stream::<E>()` (many).

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll, ready};
use std::time::Duration;

use futures_util::Stream;
use tokio::sync::{mpsc, oneshot};
use tokio::time::{Instant, Sleep};
use twilight_model::gateway::Intents;

use super::Context;
use crate::error::Error;
use crate::event::{Event, Key};
use crate::listener::short_type_name;
use crate::router::waiters::{Check, Delivery, Pending, Sink, Slot};

/// The intents `E` needs when the running bot has none of them: such a waiter could never resolve.
fn missing_intents<E: Event>(ctx: &Context) -> Option<Intents> {
    let have = ctx.connection()?.intents;
    (!E::INTENTS.is_empty() && !have.intersects(E::INTENTS)).then_some(E::INTENTS)
}

/// A registered waiter; removes itself from the registry when dropped.
struct Registration {
    ctx: Context,
    slot: Option<Slot>,
}

impl Registration {
    fn new<E: Event>(ctx: Context, key: Option<Key>, waiter: Pending<E>) -> Self {
        let slot = ctx.router().waiters.insert(key, waiter);
        Registration {
            ctx,
            slot: Some(slot),
        }
    }

    fn cancel(&mut self) {
        if let Some(slot) = self.slot.take() {
            self.ctx.router().waiters.remove(slot);
        }
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.cancel();
    }
}

/// What `wait_for` and `stream` have in common: the context, the key and the check, and their
/// registration.
struct Filter<E: Event> {
    ctx: Context,
    key: Option<Key>,
    custom_id: Option<Arc<str>>,
    check: Option<Check<E>>,
}

impl<E: Event> Filter<E> {
    fn new(ctx: Context) -> Self {
        Filter {
            ctx,
            key: None,
            custom_id: None,
            check: None,
        }
    }

    /// Registers the filter with its sink; also the intents `E` needs when the bot has none of
    /// them (such a waiter can never match).
    fn register(self, sink: Sink<E>) -> (Registration, Option<Intents>) {
        let missing = missing_intents::<E>(&self.ctx);
        // A custom id is the key unless another was given (then it is only compared).
        let key = self
            .key
            .or_else(|| self.custom_id.as_deref().map(Key::custom_id));
        let pending = Pending {
            check: self.check,
            custom_id: self.custom_id,
            sink,
        };
        (Registration::new(self.ctx, key, pending), missing)
    }
}

/// Builds a waiter for one `E`; `.await` it. Made by [`Context::wait_for`].
///
/// ```no_run
/// # use herald_framework::prelude::*;
/// # use herald_framework::event::gateway::MessageCreate;
/// # use herald_framework::event::message::ReactionAdd;
/// # use std::time::Duration;
/// # async fn f(ctx: Context, asked: &MessageCreate) -> herald_framework::Result {
/// let author = asked.author.id;
/// let reaction = ctx
///     .wait_for::<ReactionAdd>()
///     .on(asked.id) // only reactions on this message: a constant-time lookup
///     .check(move |r| r.user_id == author)
///     .timeout(Duration::from_secs(30))
///     .await?;
/// # Ok(()) }
/// ```
#[must_use = "a waiter does nothing until it is awaited or registered"]
pub struct WaitFor<E: Event> {
    filter: Filter<E>,
    timeout: Option<Duration>,
}

impl<E: Event> WaitFor<E> {
    pub(super) fn new(ctx: Context) -> Self {
        WaitFor {
            filter: Filter::new(ctx),
            timeout: None,
        }
    }

    /// Matches only events about this id (a guild, channel, message or user id), looked up in
    /// constant time rather than checked against every event.
    pub fn on(mut self, key: impl Into<Key>) -> Self {
        self.filter.key = Some(key.into());
        self
    }

    /// Matches only the component or modal whose `custom_id` is `custom_id` (button clicks,
    /// select menus, modal submits), looked up in constant time among any number of waiters.
    pub fn custom_id(mut self, custom_id: impl Into<Arc<str>>) -> Self {
        self.filter.custom_id = Some(custom_id.into());
        self
    }

    /// Matches only events for which `check` returns `true`. It runs on the dispatching task for
    /// every event of this type (and key, with [`on`](Self::on)): keep it quick. If it panics,
    /// the waiter ends with [`Error::CheckPanicked`] and the panic is reported like a listener's
    /// (to `on_error`), naming where the check was given.
    #[track_caller]
    pub fn check(mut self, check: impl Fn(&E) -> bool + Send + Sync + 'static) -> Self {
        self.filter.check = Some(Check {
            filter: Box::new(check),
            at: std::panic::Location::caller(),
        });
        self
    }

    /// Gives up after `timeout` with [`Error::Timeout`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Registers the waiter now, so events dispatched from here on match it, even before it is
    /// awaited. Use it to start waiting before the action that causes the event.
    pub fn register(self) -> Waiter<E> {
        let (sender, receiver) = oneshot::channel();
        let (registration, missing) = self.filter.register(Sink::Once(Mutex::new(Some(sender))));
        Waiter {
            receiver,
            deadline: self.timeout.map(|t| (t, Box::pin(tokio::time::sleep(t)))),
            missing,
            _registration: registration,
        }
    }
}

impl<E: Event> IntoFuture for WaitFor<E> {
    type Output = Result<Arc<E>, Error>;
    type IntoFuture = Waiter<E>;

    fn into_future(self) -> Waiter<E> {
        self.register()
    }
}

impl<E: Event> fmt::Debug for WaitFor<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitFor")
            .field("event", &E::NAME)
            .field("key", &self.filter.key)
            .field("check", &self.filter.check.is_some())
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// A registered waiter for one `E`: resolves to the event, [`Error::Timeout`] or
/// [`Error::Closed`]. Dropping it removes it from the registry at once.
#[must_use = "a waiter does nothing unless awaited"]
pub struct Waiter<E: Event> {
    receiver: oneshot::Receiver<Delivery<E>>,
    deadline: Option<(Duration, Pin<Box<Sleep>>)>,
    /// Set when the bot lacks every intent `E` is sent under: it can never arrive.
    missing: Option<Intents>,
    _registration: Registration,
}

impl<E: Event> Future for Waiter<E> {
    type Output = Result<Arc<E>, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        if let Some(needed) = self.missing {
            return Poll::Ready(Err(Error::MissingIntents {
                event: E::NAME,
                type_name: short_type_name::<E>(),
                needed,
            }));
        }
        if let Poll::Ready(result) = Pin::new(&mut self.receiver).poll(cx) {
            return Poll::Ready(match result {
                Ok(Ok(event)) => Ok(event),
                Ok(Err(panic)) => Err(Error::CheckPanicked {
                    event: E::NAME,
                    panic,
                }),
                Err(_) => Err(Error::Closed(E::NAME)),
            });
        }
        if let Some((timeout, sleep)) = &mut self.deadline {
            ready!(sleep.as_mut().poll(cx));
            return Poll::Ready(Err(Error::Timeout(*timeout, E::NAME)));
        }
        Poll::Pending
    }
}

impl<E: Event> fmt::Debug for Waiter<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Waiter")
            .field("event", &E::NAME)
            .finish_non_exhaustive()
    }
}

/// Builds a stream of matching `E`s; [`register`](Self::register) starts it. Made by
/// [`Context::stream`].
///
/// ```no_run
/// # use herald_framework::prelude::*;
/// # use herald_framework::event::message::ReactionAdd;
/// # use futures_util::StreamExt;
/// # use std::time::Duration;
/// # async fn f(ctx: Context, poll: twilight_model::id::Id<twilight_model::id::marker::MessageMarker>) {
/// // Collect up to 10 reactions on a poll, stopping after 60 s without one.
/// let votes: Vec<_> = ctx
///     .stream::<ReactionAdd>()
///     .on(poll)
///     .limit(10)
///     .idle_timeout(Duration::from_secs(60))
///     .register()
///     .collect()
///     .await;
/// # }
/// ```
#[must_use = "a stream builder does nothing until registered"]
pub struct StreamBuilder<E: Event> {
    filter: Filter<E>,
    limit: Option<usize>,
    idle_timeout: Option<Duration>,
}

impl<E: Event> StreamBuilder<E> {
    pub(super) fn new(ctx: Context) -> Self {
        StreamBuilder {
            filter: Filter::new(ctx),
            limit: None,
            idle_timeout: None,
        }
    }

    /// Matches only events about this id; see [`WaitFor::on`].
    pub fn on(mut self, key: impl Into<Key>) -> Self {
        self.filter.key = Some(key.into());
        self
    }

    /// Only the component or modal whose `custom_id` is `custom_id`, looked up in constant
    /// time (see [`WaitFor::custom_id`]).
    pub fn custom_id(mut self, custom_id: impl Into<Arc<str>>) -> Self {
        self.filter.custom_id = Some(custom_id.into());
        self
    }

    /// Matches only events for which `check` returns `true`. If it panics, the stream ends and
    /// the panic is reported like a listener's (to `on_error`).
    #[track_caller]
    pub fn check(mut self, check: impl Fn(&E) -> bool + Send + Sync + 'static) -> Self {
        self.filter.check = Some(Check {
            filter: Box::new(check),
            at: std::panic::Location::caller(),
        });
        self
    }

    /// Ends the stream after `limit` events.
    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Ends the stream when no event matched for `idle` (measured from the start, then from each
    /// event).
    pub fn idle_timeout(mut self, idle: Duration) -> Self {
        self.idle_timeout = Some(idle);
        self
    }

    /// Registers the subscription and returns the stream. Events are buffered until read, so none
    /// is lost to a slow reader.
    pub fn register(self) -> EventStream<E> {
        let (sender, receiver) = mpsc::unbounded_channel();
        let (mut registration, missing) = self.filter.register(Sink::Stream(sender));
        if let Some(needed) = missing {
            let error = Error::MissingIntents {
                event: E::NAME,
                type_name: short_type_name::<E>(),
                needed,
            };
            tracing::error!(event = E::NAME, "the stream ends at once: {error}");
        }
        if self.limit == Some(0) || missing.is_some() {
            registration.cancel();
        }
        EventStream {
            receiver,
            remaining: if missing.is_some() {
                Some(0)
            } else {
                self.limit
            },
            idle: self
                .idle_timeout
                .map(|t| (t, Box::pin(tokio::time::sleep(t)))),
            registration,
        }
    }
}

/// A stream of matching `E`s, ending at its limit, after its idle timeout, or when the bot shuts
/// down. Dropping it removes the subscription at once.
#[must_use = "streams do nothing unless polled"]
pub struct EventStream<E: Event> {
    receiver: mpsc::UnboundedReceiver<Arc<E>>,
    remaining: Option<usize>,
    idle: Option<(Duration, Pin<Box<Sleep>>)>,
    registration: Registration,
}

impl<E: Event> Stream for EventStream<E> {
    type Item = Arc<E>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Arc<E>>> {
        let this = &mut *self;
        if this.remaining == Some(0) {
            return Poll::Ready(None);
        }
        match this.receiver.poll_recv(cx) {
            Poll::Ready(Some(event)) => {
                if let Some(remaining) = &mut this.remaining {
                    *remaining -= 1;
                    if *remaining == 0 {
                        this.registration.cancel();
                    }
                }
                if let Some((idle, sleep)) = &mut this.idle {
                    sleep.as_mut().reset(Instant::now() + *idle);
                }
                Poll::Ready(Some(event))
            }
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => match &mut this.idle {
                Some((_, sleep)) => {
                    ready!(sleep.as_mut().poll(cx));
                    this.registration.cancel();
                    this.remaining = Some(0);
                    Poll::Ready(None)
                }
                None => Poll::Pending,
            },
        }
    }
}

impl<E: Event> fmt::Debug for EventStream<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStream")
            .field("event", &E::NAME)
            .field("remaining", &self.remaining)
            .finish_non_exhaustive()
    }
}
