//! Helpers for tests that run a bot on the sandbox.
#![allow(dead_code, unreachable_pub)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use herald::prelude::*;
use herald::sandbox::Sandbox;

/// Generous bound for awaited conditions: a failing test fails after it instead of hanging.
pub const WAIT: Duration = Duration::from_secs(20);

/// Replies `pong` to `!ping`.
#[herald::prelude::listener]
pub async fn ping(ctx: Context, msg: &MessageCreate) -> herald::Result {
    if msg.content == "!ping" {
        ctx.http()
            .create_message(msg.channel_id)
            .content("pong")
            .await?;
    }
    Ok(())
}

/// The sandbox's identifies, each bucket's (`shard % max_concurrency`) times in order, after
/// checking that there are `count` and the sandbox accepted all of them (the pacing held).
pub fn identifies_by_bucket(
    sandbox: &Sandbox,
    count: usize,
    max_concurrency: u32,
) -> std::collections::BTreeMap<u32, Vec<std::time::Instant>> {
    let identifies = sandbox.records().identifies();
    let first = identifies.iter().map(|i| i.at).min();
    let summary: Vec<_> = identifies
        .iter()
        .map(|i| {
            (
                i.shard[0],
                i.accepted(),
                first.map(|f| (i.at - f).as_millis()),
            )
        })
        .collect();
    assert_eq!(identifies.len(), count, "{summary:?}");
    assert!(
        identifies.iter().all(|i| i.accepted()),
        "paced: none throttled {summary:?}"
    );
    let mut by_bucket = std::collections::BTreeMap::<u32, Vec<_>>::new();
    for identify in &identifies {
        by_bucket
            .entry(identify.bucket(max_concurrency))
            .or_default()
            .push(identify.at);
    }
    for times in by_bucket.values_mut() {
        times.sort();
    }
    by_bucket
}

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

/// A sandbox served from a thread and runtime of its own: it keeps answering while the test's
/// runtime is blocked (by a listener that blocks, on purpose). Stops when dropped.
pub struct ThreadSandbox {
    pub sandbox: Sandbox,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ThreadSandbox {
    pub fn start(builder: herald::sandbox::SandboxBuilder) -> Self {
        let (started, sandbox) = std::sync::mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let sandbox = builder.start().await.expect("the sandbox starts");
                started.send(sandbox).unwrap();
                let _ = stopped.await;
            });
        });
        ThreadSandbox {
            sandbox: sandbox.recv().expect("the sandbox thread started it"),
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for ThreadSandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
