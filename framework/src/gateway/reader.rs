//! The gateway thread: every shard's connection of a bot is polled here — reading, heartbeats,
//! identifying, resuming, reconnecting, decompressing — on a thread of its own that runs no user
//! code, so no listener, check or hook can stop a shard from heartbeating or closing cleanly.
//! Frames go, in order, to each shard's task in the bot's runtime, which decodes and dispatches
//! them. A watchdog here warns when user code holds a shard's task (see [`isolate::Watch`]).

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{FutureExt as _, StreamExt as _};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;
use twilight_gateway::error::ReceiveMessageError;
use twilight_gateway::{Message, Shard};
use twilight_model::gateway::CloseFrame;

use super::ShardHandle;
use super::queue::SharedQueue;
use crate::isolate::{Culprit, Watch};
use crate::report::tell;

/// How long a shard waits for the gateway to answer its close frame at shutdown.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// How many frames a shard reads ahead of its decoder. Past that, frames wait in the socket (TCP
/// holds the gateway back, as it does a plain loop that reads only what it handled), not in memory.
pub(crate) const READ_AHEAD: usize = 256;

/// How long a shard whose decoder is full waits for room before it reads on anyway: short, so
/// that heartbeats are never late when a listener holds the shard's task (frames read meanwhile
/// wait in the shard's overflow, in order).
const FULL_PAUSE: Duration = Duration::from_millis(5);

/// What a shard's connection hands its task.
pub(crate) enum Received {
    /// A frame, with the session's sequence number once twilight processed it.
    Message {
        message: Message,
        sequence: Option<u64>,
    },
    /// Reading failed (e.g. a frame that does not decompress); twilight reconnects by itself.
    Error(ReceiveMessageError),
}

/// One shard's connection, and where its frames go.
pub(crate) struct Reader {
    pub(crate) shard: Shard<SharedQueue>,
    pub(crate) handle: Arc<ShardHandle>,
    pub(crate) frames: mpsc::Sender<Received>,
    pub(crate) watch: Arc<Watch>,
}

/// Starts the gateway thread for `readers`. It ends when every reader has: at shutdown (after
/// each shard closed with 1000), after fatal closes, or when the shard tasks are gone.
pub(crate) fn spawn(
    readers: Vec<Reader>,
    shutdown: watch::Receiver<bool>,
    blocking_threshold: Duration,
) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    std::thread::Builder::new()
        .name("herald-gateway".to_owned())
        .spawn(move || {
            runtime.block_on(async move {
                let watches: Vec<(u32, Arc<Watch>)> = readers
                    .iter()
                    .map(|r| (r.handle.id().number(), Arc::clone(&r.watch)))
                    .collect();
                let mut tasks = tokio::task::JoinSet::new();
                for reader in readers {
                    tasks.spawn(read(reader, shutdown.clone()));
                }
                tokio::select! {
                    () = async { while tasks.join_next().await.is_some() {} } => {}
                    () = watchdog(watches, blocking_threshold) => {}
                }
            });
        })?;
    Ok(())
}

/// Polls one shard until shutdown, a fatal close, or its task is gone.
async fn read(reader: Reader, mut shutdown: watch::Receiver<bool>) {
    let Reader {
        mut shard,
        handle,
        frames,
        ..
    } = reader;
    // Whether a connection is up: a text frame came since the last close.
    let mut connected = false;
    let mut closing: Option<Instant> = None;
    let mut last_ack = None;
    // Frames read while the decoder was full, oldest first: they go before any newer frame.
    let mut overflow: VecDeque<Received> = VecDeque::new();
    'read: loop {
        if !flush(&frames, &mut overflow) {
            break;
        }
        if !overflow.is_empty() || frames.capacity() == 0 {
            // Let the decoder catch up, briefly.
            // Room for a quarter of the read-ahead at once: one wake-up per batch, not per frame.
            let room = tokio::time::timeout(FULL_PAUSE, frames.reserve_many(READ_AHEAD / 4));
            if let Ok(Ok(permits)) = room.await {
                drop(permits);
                if !flush(&frames, &mut overflow) {
                    break;
                }
            }
        }
        let close_timeout = async {
            match closing {
                Some(deadline) => tokio::time::sleep_until(deadline).await,
                None => std::future::pending().await,
            }
        };
        let received = tokio::select! {
            biased;
            _ = shutdown.wait_for(|stop| *stop), if closing.is_none() => {
                if !connected {
                    break;
                }
                // A handover closes so that Discord keeps the session for the next process.
                shard.close(if handle.keeps_session() {
                    CloseFrame::RESUME
                } else {
                    CloseFrame::NORMAL
                });
                closing = Some(Instant::now() + CLOSE_TIMEOUT);
                continue;
            }
            () = close_timeout => {
                tracing::warn!(
                    shard = handle.id().number(),
                    "the gateway did not answer the close frame within {CLOSE_TIMEOUT:?}; dropping \
                     the connection"
                );
                break;
            }
            () = frames.closed() => break,
            received = shard.next() => received,
        };
        let mut received = received;
        loop {
            let Some(item) = received else { break 'read };
            let (item, last) = match item {
                Ok(message) => {
                    let close = message.is_close();
                    connected = !close;
                    // A heartbeat was acknowledged (twilight starts afresh on each connection, so
                    // the handle keeps the last measure until the new connection's first).
                    let latency = shard.latency();
                    if latency.received().is_some() && latency.received() != last_ack {
                        last_ack = latency.received();
                        let (recent, average) =
                            (latency.recent().first().copied(), latency.average());
                        handle.update(|s| {
                            s.latency = recent;
                            s.average_latency = average;
                        });
                        if let Some(recent) = recent {
                            crate::metrics::latency(handle.id().number(), recent);
                        }
                    }
                    // A close carries no dispatch: its sequence would count frames twilight read
                    // but did not hand on while closing (a handover would then skip them).
                    let sequence = if close {
                        None
                    } else {
                        shard.session().map(|s| s.sequence())
                    };
                    let last = close && closing.is_some();
                    (Received::Message { message, sequence }, last)
                }
                Err(error) => (Received::Error(error), false),
            };
            overflow.push_back(item);
            if !flush(&frames, &mut overflow) {
                break 'read;
            }
            if last {
                // The close that answers ours: hand over what is left, then stop.
                while let Some(item) = overflow.pop_front() {
                    if frames.send(item).await.is_err() {
                        break;
                    }
                }
                break 'read;
            }
            // More frames twilight has read already are taken at once, without another round of
            // the select (whose futures cost more than handing a frame on), while the decoder has
            // room and no close or shutdown is under way.
            if closing.is_some()
                || !overflow.is_empty()
                || frames.capacity() == 0
                || *shutdown.borrow()
            {
                break;
            }
            match shard.next().now_or_never() {
                Some(next) => received = next,
                None => break,
            }
        }
    }
}

/// Moves the overflow into the decoder's channel, in order, while there is room; `false` once the
/// decoder is gone.
fn flush(frames: &mpsc::Sender<Received>, overflow: &mut VecDeque<Received>) -> bool {
    while let Some(received) = overflow.pop_front() {
        match frames.try_send(received) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(received)) => {
                overflow.push_front(received);
                return true;
            }
            Err(mpsc::error::TrySendError::Closed(_)) => return false,
        }
    }
    true
}

/// Warns, once per culprit, when user code holds a shard's task longer than `threshold`.
async fn watchdog(watches: Vec<(u32, Arc<Watch>)>, threshold: Duration) {
    let tick = (threshold / 8).max(Duration::from_millis(5));
    let mut interval = tokio::time::interval(tick);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut seen: Vec<Option<(u64, Instant)>> = vec![None; watches.len()];
    let warned: Mutex<HashSet<Culprit>> = Mutex::default();
    loop {
        interval.tick().await;
        let now = Instant::now();
        for ((shard, watch), seen) in watches.iter().zip(&mut seen) {
            let Some((epoch, culprit)) = watch.sample() else {
                *seen = None;
                continue;
            };
            match *seen {
                Some((seen_epoch, since)) if seen_epoch == epoch => {
                    let held = now.duration_since(since);
                    if held >= threshold
                        && warned
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .insert(culprit.clone())
                    {
                        let text = format!(
                            "{culprit} has held shard {shard}'s task for {} ms without reaching \
                             an `.await`: the shard's events wait meanwhile (its heartbeats go \
                             on). Run blocking work in `tokio::task::spawn_blocking`, and use async \
                             APIs (`tokio::time::sleep`, not `std::thread::sleep`). Told once; \
                             `BotBuilder::blocking_threshold` sets the threshold",
                            held.as_millis()
                        );
                        tell!(WARN, { shard = shard, }, text);
                    }
                }
                _ => *seen = Some((epoch, now)),
            }
        }
    }
}
