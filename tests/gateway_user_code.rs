//! No user code can stop the gateway: listeners that never return, conversations that wait on
//! waiters at a small bound, checks that panic, and listeners that block before their first
//! `.await` leave each shard reading, heartbeating, feeding waiters and shutting down. Everything
//! goes through the sandbox's real sockets.

#[path = "common/bot.rs"]
mod bot;
#[path = "common/logs.rs"]
mod logs;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use bot::{ThreadSandbox, WAIT};
use herald::gateway::ShardState;
use herald::prelude::*;
use herald::sandbox::Sandbox;
use herald::testing::ContextExt as _;

const HEARTBEAT: Duration = Duration::from_millis(100);

/// Waits until the bot has handed the router every dispatch the sandbox queued for shard 0 (its
/// listeners may still run: `settled` would wait for those too, and some never finish here).
async fn dispatched(sb: &Sandbox, ctx: &Context) {
    let sequence = sb.shard(0).sequence().expect("shard 0 is connected");
    tokio::time::timeout(WAIT, ctx.shard(0).unwrap().processed_up_to(sequence))
        .await
        .expect("the shard keeps reading");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listeners_that_never_return_leave_the_gateway_running() {
    let logs = logs::logs();
    let sb = Sandbox::builder()
        .heartbeat_interval(HEARTBEAT)
        .start()
        .await
        .unwrap();
    let stuck = Listener::new(|msg: &MessageCreate| {
        let stuck = msg.content == "stuck";
        async move {
            if stuck {
                std::future::pending::<()>().await;
            }
        }
    })
    .name("never_returns");
    let shutdown_timeout = Duration::from_secs(2);
    let running = bot::start(
        &sb,
        Bot::builder()
            .add_intents(Intents::MESSAGE_CONTENT)
            .waits_for::<ReactionAdd>()
            .max_running_listeners(2)
            .max_waiting_calls(3)
            .shutdown_timeout(shutdown_timeout)
            .listener(stuck)
            .listener(bot::ping),
    )
    .await;
    let ctx = running.context().clone();
    let (general, alice) = (sb.channel("general"), sb.actor("alice"));

    // Six calls that never return: two run (the bound), three wait, one is dropped.
    for _ in 0..6 {
        alice.say(general, "stuck");
    }
    dispatched(&sb, &ctx).await;
    let load = ctx
        .listeners()
        .into_iter()
        .find(|l| &*l.name == "never_returns")
        .unwrap();
    assert_eq!((load.running, load.waiting, load.dropped), (2, 3, 1));
    logs.wait_for(
        "listener `never_returns` (on `message`) has 2 calls running",
        WAIT,
    )
    .await;
    logs.wait_for(
        "listener `never_returns` (on `message`): a call was dropped",
        WAIT,
    )
    .await;

    // The shard goes on heartbeating...
    sb.records()
        .wait_for_heartbeats(0, 3, Instant::now(), WAIT)
        .await
        .expect("heartbeats continue");
    // ...other listeners are served...
    alice.say(general, "!ping");
    sb.records()
        .wait_for_message(general, |m| m.content == "pong", WAIT)
        .await
        .expect("`ping` is served");
    // ...and so are waiters.
    let reaction = ctx.wait_for::<ReactionAdd>().timeout(WAIT).register();
    let message = sb.records().messages(general).pop().unwrap();
    alice.react(general, message.id, "👍");
    reaction.await.expect("the waiter is served");
    assert_eq!(ctx.shard(0).unwrap().status().state, ShardState::Ready);

    // It stops within the shutdown timeout, closing its connection normally; the calls that
    // never return are cancelled.
    tokio::time::timeout(
        shutdown_timeout + Duration::from_secs(1),
        running.shutdown(),
    )
    .await
    .expect("the bot stops within the shutdown timeout + 1 s")
    .unwrap();
    assert_eq!(
        sb.records().client_closes().last().unwrap().code,
        Some(1000)
    );
    logs.wait_for(
        "were cancelled: `never_returns` (2 running, 3 waiting)",
        WAIT,
    )
    .await;
}

/// `confirm` waits for the answer to question `.0`.
#[derive(Event, Debug)]
struct Waiting(String);

/// disnake's confirmation: ask, then wait for a reaction on the question.
#[listener]
async fn confirm(ctx: Context, msg: &MessageCreate) -> herald::Result {
    let Some(n) = msg.content.strip_prefix("!confirm ") else {
        return Ok(());
    };
    let asked = ctx
        .http()
        .create_message(msg.channel_id)
        .content(&format!("sure about {n}?"))
        .await?
        .model()
        .await?;
    let author = msg.author.id;
    let answer = ctx
        .wait_for::<ReactionAdd>()
        .on(asked.id)
        .check(move |r| r.user_id == author)
        .timeout(Duration::from_secs(30))
        .register();
    // Tells the test it may react now, as a person would once asked.
    ctx.dispatch(Waiting(n.to_owned()));
    let answer = answer.await;
    let reply = match answer {
        Ok(_) => format!("confirmed {n}"),
        Err(error) => format!("gave up on {n}: {error}"),
    };
    ctx.http()
        .create_message(msg.channel_id)
        .content(&reply)
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conversations_at_a_two_call_bound_all_complete() {
    let sb = Sandbox::start().await.unwrap();
    let running = bot::start(
        &sb,
        Bot::builder()
            .add_intents(Intents::MESSAGE_CONTENT)
            .waits_for::<ReactionAdd>()
            .max_running_listeners(2)
            .listener(confirm),
    )
    .await;
    let ctx = running.context().clone();
    let (general, alice) = (sb.channel("general"), sb.actor("alice"));

    // Three conversations at a bound of two: the third waits for a slot.
    let waiting: Vec<_> = (1..=3)
        .map(|n| {
            ctx.wait_for::<Waiting>()
                .check(move |w| w.0 == n.to_string())
                .timeout(WAIT)
                .register()
        })
        .collect();
    for n in 1..=3 {
        alice.say(general, &format!("!confirm {n}"));
    }
    for (n, waiting) in (1..=3).zip(waiting) {
        waiting
            .await
            .unwrap_or_else(|e| panic!("the bot asks about {n}: {e}"));
        let question = format!("sure about {n}?");
        let asked = sb
            .records()
            .messages(general)
            .into_iter()
            .find(|m| m.content == question)
            .unwrap();
        alice.react(general, asked.id, "✅");
        let answer = format!("confirmed {n}");
        sb.records()
            .wait_for_message(general, |m| m.content == answer, WAIT)
            .await
            .unwrap_or_else(|e| panic!("conversation {n} ends with the reaction: {e}"));
    }
    let transcript = sb.transcript();
    assert!(
        !transcript.iter().any(|line| line.contains("gave up")),
        "{transcript:#?}"
    );
    running.shutdown().await.unwrap();
}

/// What `on_error` saw: the listener, the panic's message, the reaction's message, the panic's
/// line.
type Reported = (String, String, Option<u64>, Option<u32>);
static ERRORS: Mutex<Vec<Reported>> = Mutex::new(Vec::new());

#[event]
async fn on_error(err: &ListenerError) {
    ERRORS.lock().unwrap().push((
        err.listener.to_string(),
        err.panic_message().unwrap_or_default().to_owned(),
        err.event::<ReactionAdd>().map(|r| r.message_id.get()),
        err.panic()
            .and_then(|p| p.location.as_ref())
            .map(|l| l.line),
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_check_reaches_on_error_and_the_shard_goes_on() {
    let sb = Sandbox::start().await.unwrap();
    let running = bot::start(
        &sb,
        Bot::builder()
            .add_intents(Intents::MESSAGE_CONTENT)
            .waits_for::<ReactionAdd>()
            .event(on_error)
            .listener(bot::ping),
    )
    .await;
    let ctx = running.context().clone();
    let (general, alice) = (sb.channel("general"), sb.actor("alice"));
    let line = line!() + 3;
    let waiter = ctx
        .wait_for::<ReactionAdd>()
        .check(|_| panic!("the check is broken"))
        .timeout(WAIT)
        .register();
    let hello = alice.say(general, "hello");
    alice.react(general, hello, "👍");

    let error = waiter.await.expect_err("the check panicked");
    assert!(
        matches!(&error, Error::CheckPanicked { event: "reaction_add", panic } if panic.message == "the check is broken"),
        "{error:?}"
    );
    ctx.idle().await;
    let errors = ERRORS.lock().unwrap().clone();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let (listener, panic, event, at) = &errors[0];
    assert!(
        listener.starts_with("check of wait_for::<reaction_add> at tests/gateway_user_code.rs:"),
        "{listener}"
    );
    assert_eq!(panic, "the check is broken");
    assert_eq!(*event, Some(hello.get()), "on_error gets the event");
    assert_eq!(*at, Some(line), "the panic's line");

    // The shard is alive and the next message is delivered.
    alice.say(general, "!ping");
    sb.records()
        .wait_for_message(general, |m| m.content == "pong", WAIT)
        .await
        .expect("the next message is delivered");
    assert_eq!(ctx.shard(0).unwrap().status().state, ShardState::Ready);
    running.shutdown().await.unwrap();
}

/// When `block` started and stopped blocking its shard's task.
static BLOCKED: Mutex<Option<(Instant, Instant)>> = Mutex::new(None);

/// Blocks the thread before its first `.await`: the mistake `blocking_threshold` warns about.
#[listener]
async fn block(msg: &MessageCreate) {
    if msg.content == "block" {
        let start = Instant::now();
        std::thread::sleep(Duration::from_millis(1500));
        *BLOCKED.lock().unwrap() = Some((start, Instant::now()));
    }
}

/// On a current-thread runtime, so the listener blocks the very thread the bot's tasks run on;
/// the sandbox has its own thread, to keep answering.
#[tokio::test]
async fn a_blocking_listener_is_named_and_heartbeats_go_on() {
    let logs = logs::logs();
    let sb = ThreadSandbox::start(Sandbox::builder().heartbeat_interval(HEARTBEAT));
    let sb = &sb.sandbox;
    let running = bot::start(
        sb,
        Bot::builder()
            .add_intents(Intents::MESSAGE_CONTENT)
            .listener(block)
            .listener(bot::ping),
    )
    .await;
    let ctx = running.context().clone();
    let (general, alice) = (sb.channel("general"), sb.actor("alice"));
    alice.say(general, "block");
    alice.say(general, "!ping");
    sb.records()
        .wait_for_message(general, |m| m.content == "pong", WAIT)
        .await
        .expect("the shard goes on once the listener returns");
    let (start, end) = BLOCKED.lock().unwrap().expect("`block` ran");

    // Heartbeats went on while the listener held the thread: ~15 at 100 ms, none before.
    let during: Vec<Instant> = sb
        .records()
        .heartbeats()
        .into_iter()
        .filter(|h| h.shard == Some([0, 1]) && start <= h.at && h.at <= end)
        .map(|h| h.at)
        .collect();
    assert!(during.len() >= 7, "{} heartbeats in 1.5 s", during.len());
    let warning = logs
        .wait_for(
            "listener `block` (on `message`) has held shard 0's task",
            WAIT,
        )
        .await;
    assert!(warning.contains("spawn_blocking"), "{warning}");
    // Once per listener.
    alice.say(general, "block");
    ctx.settled().await;
    assert_eq!(
        logs.lines_with("listener `block` (on `message`) has held")
            .len(),
        1
    );
    running.shutdown().await.unwrap();
}

/// Logs a line from inside a listener.
#[listener]
async fn narrate(msg: &MessageCreate) {
    if msg.content == "narrate" {
        tracing::warn!("narrating {}", msg.id);
    }
}

#[tokio::test]
async fn a_listeners_log_lines_say_which_event_it_was_serving() {
    let logs = logs::logs();
    let sb = Sandbox::start().await.unwrap();
    let running = bot::start(
        &sb,
        Bot::builder()
            .listener(narrate)
            .add_intents(Intents::MESSAGE_CONTENT),
    )
    .await;
    let message = sb.actor("alice").say(sb.channel("general"), "narrate");
    let line = logs.wait_for(&format!("narrating {message}"), WAIT).await;
    let sequence = sb.shard(0).sequence().unwrap();
    let guild = sb.guild("Herald Test");
    // The fmt subscriber prints the spans a line was logged in, outermost first.
    let spans = [
        format!("shard{{id=0 seq={sequence}}}"),
        format!("event{{name=\"message\" guild={guild}}}"),
        "listener{name=\"narrate\" event=\"message\"}".to_owned(),
    ];
    let at = spans
        .iter()
        .map(|span| line.find(span.as_str()))
        .collect::<Vec<_>>();
    assert!(
        at.iter().all(Option::is_some) && at.is_sorted(),
        "spans {spans:?} in order in {line:?}"
    );
    running.shutdown().await.unwrap();
}
