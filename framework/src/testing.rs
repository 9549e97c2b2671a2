//! What tests and sandbox scenes use on a bot's [`Context`], and a bot's listeners do not: waiting
//! without sleeping until the bot has handled what it was sent ([`settled`], [`idle`]) or until it
//! waits for something ([`until_waiting_for`]), counting what is pending, and the sandbox the bot
//! runs on (scenes act as users through it).
//!
//! They are an extension trait, not methods of `Context`, so that the handle a listener gets
//! shows what a bot needs; bring them into scope where you test:
//!
//! ```
//! use herald_framework::prelude::*;
//! use herald_framework::testing::ContextExt as _;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let bot = Bot::builder().build().unwrap();
//! bot.context().idle().await; // nothing running yet
//! assert_eq!(bot.context().running_listeners(), 0);
//! # }
//! ```
//!
//! [`settled`]: ContextExt::settled
//! [`idle`]: ContextExt::idle
//! [`until_waiting_for`]: ContextExt::until_waiting_for

use std::future::Future;

use crate::context::Context;
use crate::event::Event;

mod sealed {
    pub trait Sealed {}
    impl Sealed for crate::context::Context {}
}

/// Test and scene helpers on [`Context`]; see the [module](self).
pub trait ContextExt: sealed::Sealed {
    /// Resolves when no listener call is running or waiting: everything dispatched so far has
    /// been handled, including error events it caused.
    fn idle(&self) -> impl Future<Output = ()> + Send;

    /// How many listener calls are running or waiting.
    fn running_listeners(&self) -> usize;

    /// How many waiters for `E` are pending.
    fn pending_waiters_for<E: Event>(&self) -> usize;

    /// Resolves once a waiter for `E` is pending: in tests and sandbox scenes, "the bot is now
    /// waiting for a reaction", so the user reacts after the bot asked, not before.
    fn until_waiting_for<E: Event>(&self) -> impl Future<Output = ()> + Send;

    /// Ends every pending waiter with [`Error::Closed`](crate::Error::Closed) and every stream, and
    /// every one made later, as shutdown does first.
    fn close_waiters(&self);

    /// The sandbox the bot runs on, when it does: scenes use it to act as users.
    #[cfg(feature = "sandbox")]
    fn sandbox(&self) -> Option<&herald_sandbox::Sandbox>;

    /// Resolves when the bot has handled everything the sandbox sent it so far: every shard has
    /// handed the router each dispatch the sandbox queued for it, and no listener call is
    /// running. Tests wait with it instead of sleeping.
    ///
    /// Listener calls may cause more events (a reply comes back as MESSAGE_CREATE); this waits
    /// for those too, until nothing more is in flight. Off the sandbox, it is [`idle`](Self::idle).
    #[cfg(feature = "sandbox")]
    fn settled(&self) -> impl Future<Output = ()> + Send;
}

impl ContextExt for Context {
    fn idle(&self) -> impl Future<Output = ()> + Send {
        self.router().in_flight.idle()
    }

    fn running_listeners(&self) -> usize {
        self.router().in_flight.count()
    }

    fn pending_waiters_for<E: Event>(&self) -> usize {
        self.router().waiters.count_of(std::any::TypeId::of::<E>())
    }

    async fn until_waiting_for<E: Event>(&self) {
        let waiters = &self.router().waiters;
        loop {
            let registered = waiters.registered.notified();
            tokio::pin!(registered);
            registered.as_mut().enable();
            if self.pending_waiters_for::<E>() > 0 {
                return;
            }
            registered.await;
        }
    }

    fn close_waiters(&self) {
        Context::close_waiters(self);
    }

    #[cfg(feature = "sandbox")]
    fn sandbox(&self) -> Option<&herald_sandbox::Sandbox> {
        self.sandbox_handle()
    }

    #[cfg(feature = "sandbox")]
    async fn settled(&self) {
        let Some(sandbox) = self.sandbox_handle() else {
            return self.idle().await;
        };
        loop {
            let mut changed = false;
            for shard in self.shards() {
                if let Some(sequence) = sandbox.shard(shard.id().number()).sequence()
                    && shard.processed_sequence() < sequence
                {
                    changed = true;
                    shard.processed_up_to(sequence).await;
                }
            }
            self.idle().await;
            let caught_up = self.shards().iter().all(|shard| {
                sandbox
                    .shard(shard.id().number())
                    .sequence()
                    .is_none_or(|seq| shard.processed_sequence() >= seq)
            });
            if caught_up && !changed {
                return;
            }
        }
    }
}
