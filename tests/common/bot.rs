//! Helpers for tests that run a bot on the sandbox.
#![allow(dead_code, unreachable_pub)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use herald::prelude::*;
use herald::sandbox::Sandbox;

/// Generous bound for awaited conditions: a failing test fails after it instead of hanging.
pub const WAIT: Duration = Duration::from_secs(20);

/// Starts `builder` on `sandbox` and waits until it is ready.
pub async fn start(sandbox: &Sandbox, builder: herald::BotBuilder) -> RunningBot {
    let bot = builder.sandbox(sandbox).build().expect("a valid bot");
    let ready = bot.context().wait_for::<Ready>().timeout(WAIT).register();
    let running = bot.start().await.expect("the bot starts");
    ready.await.expect("the bot gets ready");
    running
}

/// The names of events of the given types, in the order the router dispatched them: recorded by
/// waiters' checks, which run synchronously at dispatch.
#[derive(Clone, Default)]
pub struct Order(pub Arc<Mutex<Vec<&'static str>>>);

impl Order {
    /// Records every dispatched `E` (the returned streams must be kept alive).
    pub fn record<E: Event>(&self, ctx: &Context) -> herald::context::EventStream<E> {
        let log = Arc::clone(&self.0);
        ctx.stream::<E>()
            .check(move |_| {
                log.lock().unwrap().push(E::NAME);
                false
            })
            .register()
    }

    pub fn take(&self) -> Vec<&'static str> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}
