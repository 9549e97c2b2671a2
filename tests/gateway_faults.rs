//! No event lost or duplicated across faults, fatal closes end `run()` with what to do, REST
//! rate limits are waited out. Everything goes through the sandbox's real sockets.

#[path = "common/bot.rs"]
mod bot;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bot::WAIT;
use futures_util::StreamExt;
use herald::prelude::*;
use herald::sandbox::{Fault, RestFault, Sandbox};
use herald::testing::ContextExt as _;

/// Runs a bot whose sequential listener records every message id, bursts `n` messages with
/// `fault` injected after dispatch `at` of the session, and checks the listener saw each message
/// exactly once, in order.
async fn burst_through(fault: Fault, n: usize) -> Sandbox {
    let sb = Sandbox::start().await.unwrap();
    let seen = Arc::new(Mutex::new(Vec::with_capacity(n)));
    let log = Arc::clone(&seen);
    let listener = Listener::new(move |msg: &MessageCreate| {
        log.lock().unwrap().push(msg.id);
        async {}
    })
    .sequential();
    let running = bot::start(&sb, Bot::builder().listener(listener)).await;
    let ctx = running.context().clone();

    let start = sb.shard(0).sequence().unwrap();
    sb.faults()
        .at_seq(0, start + (n as u64) / 2, fault)
        .unwrap();
    let sent = sb.actor("alice").burst(sb.channel("general"), n);
    tokio::time::timeout(Duration::from_secs(60), ctx.settled())
        .await
        .expect("the bot caught up");

    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), sent.len(), "every message exactly once");
    assert!(seen == sent, "in sequence order");
    // Every one of these faults ends in a resume; the messages may all have arrived before it
    // (twilight reads the old connection until its close handshake ends), so wait for it.
    sb.records()
        .wait_for_resumes(1, WAIT)
        .await
        .expect("the shard resumed");
    running.shutdown().await.unwrap();
    sb
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_connection_mid_burst_loses_nothing() {
    let sb = burst_through(Fault::DropTcp, 10_000).await;
    let resumes = sb.records().resumes();
    assert_eq!(resumes.len(), 1, "{resumes:?}");
    assert!(resumes[0].accepted);
    assert!(
        resumes[0].replayed > 0,
        "the resume replayed the rest of the burst"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn op_7_reconnect_mid_burst_loses_nothing() {
    let sb = burst_through(Fault::Reconnect, 5_000).await;
    assert_eq!(sb.records().resumes().len(), 1);
    assert_eq!(sb.records().identifies().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn op_9_resumable_mid_burst_loses_nothing() {
    let sb = burst_through(Fault::InvalidSession { resumable: true }, 5_000).await;
    assert_eq!(sb.records().resumes().len(), 1);
    assert_eq!(sb.records().identifies().len(), 1);
}

#[tokio::test]
async fn op_9_not_resumable_identifies_again_and_is_ready_again() {
    let sb = Sandbox::start().await.unwrap();
    let bot = Bot::builder().sandbox(&sb).build().unwrap();
    let ctx = bot.context().clone();
    let mut readies = ctx.stream::<Ready>().limit(2).idle_timeout(WAIT).register();
    let running = bot.start().await.unwrap();
    readies.next().await.expect("first ready");
    let disconnected = ctx.wait_for::<ShardDisconnect>().timeout(WAIT).register();
    sb.shard(0).invalid_session(false).unwrap();
    assert_eq!(
        disconnected.await.unwrap().reason,
        DisconnectReason::InvalidSession { resumable: false }
    );
    readies
        .next()
        .await
        .expect("ready again after a new session");
    assert_eq!(sb.records().identifies().len(), 2);
    assert!(sb.records().resumes().iter().all(|r| !r.accepted));
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_zombie_connection_is_detected_and_resumed() {
    let sb = Sandbox::builder()
        .heartbeat_interval(Duration::from_millis(200))
        .start()
        .await
        .unwrap();
    let running = bot::start(&sb, Bot::builder()).await;
    let ctx = running.context().clone();
    let disconnected = ctx.wait_for::<ShardDisconnect>().timeout(WAIT).register();
    let resumed = ctx.wait_for::<ShardResumed>().timeout(WAIT).register();
    sb.shard(0).zombie().unwrap();
    let disconnected = disconnected.await.unwrap();
    assert_eq!(
        disconnected.code,
        Some(1006),
        "twilight drops a silent connection"
    );
    assert_eq!(disconnected.reason, DisconnectReason::Lost);
    resumed.await.unwrap();
    assert_eq!(sb.records().resumes().len(), 1);
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_rejected_token_ends_run_with_what_to_do() {
    let sb = Sandbox::start().await.unwrap();
    let error = Bot::builder()
        .sandbox(&sb)
        .token("not-the-token")
        .run()
        .await
        .unwrap_err();
    // The sandbox refuses it on REST first, as Discord does: a 401, not a gateway close.
    assert!(
        matches!(
            error,
            Error::TokenRejected {
                request: "GET /gateway/bot"
            }
        ),
        "{error:?}"
    );
    let text = error.to_string();
    assert!(
        text.contains("HTTP 401") && !text.contains("4004") && text.contains("Reset Token"),
        "{text}"
    );
}

#[tokio::test]
async fn disallowed_privileged_intents_end_run_naming_them() {
    let sb = Sandbox::builder()
        .allowed_privileged_intents(Intents::empty())
        .start()
        .await
        .unwrap();
    // A member_join listener needs GUILD_MEMBERS, a privileged intent.
    let error = Bot::builder()
        .sandbox(&sb)
        .listener(|_: &MemberAdd| async {})
        .run()
        .await
        .unwrap_err();
    let text = error.to_string();
    assert!(text.contains("4014"), "{text}");
    assert!(
        text.contains("GUILD_MEMBERS") && text.contains("Server Members Intent"),
        "{text}"
    );
    assert!(
        !text.contains("MESSAGE_CONTENT"),
        "only the intents asked for: {text}"
    );
}

/// Intent closes after READY name the intents the bot requested, and what to do.
#[tokio::test]
async fn intent_closes_name_the_intents_requested_and_what_to_do() {
    for (code, expected) in [
        (
            4014,
            [
                "(close code 4014), but the bot requested no privileged intent (it requested \
                 GUILDS | GUILD_MESSAGES",
                "Developer Portal",
            ],
        ),
        (
            4013,
            [
                "(close code 4013): the bot requested GUILDS | GUILD_MESSAGES",
                "drop `.intents(..)`",
            ],
        ),
    ] {
        let sb = Sandbox::start().await.unwrap();
        let running = bot::start(&sb, Bot::builder().listener(|_: &MessageCreate| async {})).await;
        sb.shard(0).close(code).unwrap();
        let text = running.wait().await.unwrap_err().to_string();
        assert!(expected.iter().all(|e| text.contains(e)), "{text}");
    }
}

/// Runs a `!ping` bot (`builder` and `bot::ping`) on a sandbox whose `POST /channels/...`
/// answers 429 `times` times, asking to retry after `retry_after`; returns the statuses of those
/// POSTs once `pong` is posted (within [`WAIT`]).
async fn ping_through_429s(
    builder: herald::BotBuilder,
    times: u32,
    retry_after: Duration,
) -> Vec<u16> {
    let sb = Sandbox::start().await.unwrap();
    sb.faults().rest(
        "POST",
        "/channels/",
        RestFault::RateLimited { times, retry_after },
    );
    let builder = builder
        .listener(bot::ping)
        .add_intents(Intents::MESSAGE_CONTENT);
    let running = bot::start(&sb, builder).await;
    let general = sb.channel("general");
    sb.actor("alice").say(general, "!ping");
    sb.records()
        .wait_for_message(general, |m| m.content == "pong", WAIT)
        .await
        .expect("pong is posted in time");
    running.shutdown().await.unwrap();
    sb.records()
        .requests()
        .iter()
        .filter(|r| r.is("POST", "/channels/"))
        .map(|r| r.status)
        .collect()
}

#[tokio::test]
async fn a_rate_limited_route_is_retried_until_it_succeeds() {
    let statuses = ping_through_429s(Bot::builder(), 2, Duration::from_millis(50)).await;
    assert_eq!(statuses, [429, 429, 200]);
}

#[tokio::test]
async fn without_the_rate_limiter_a_429_is_left_to_the_proxy_and_retried_at_once() {
    // A retry-after longer than the wait for `pong`: herald's own limiter would sit it out.
    let builder = Bot::builder().rest_ratelimiter(false);
    let statuses = ping_through_429s(builder, 1, Duration::from_secs(60)).await;
    assert_eq!(statuses, [429, 200]);
}

/// A bot that records the id of every message it is handed, in order.
fn recording(seen: &Arc<Mutex<Vec<Id<MessageMarker>>>>) -> herald::BotBuilder {
    let log = Arc::clone(seen);
    Bot::builder().listener(
        Listener::new(move |msg: &MessageCreate| {
            log.lock().unwrap().push(msg.id);
            async {}
        })
        .sequential(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handover_mid_burst_resumes_in_the_next_bot_with_every_event_once() {
    const N: usize = 4_000;
    let sb = Sandbox::start().await.unwrap();
    let seen = Arc::new(Mutex::new(Vec::with_capacity(N)));
    let first = bot::start(&sb, recording(&seen)).await;
    let start = sb.shard(0).sequence().unwrap();
    // alice keeps talking while the first bot hands over and the second starts.
    let talker = sb.clone();
    let sending = tokio::spawn(async move {
        let (alice, general) = (talker.actor("alice"), talker.channel("general"));
        let mut sent = Vec::with_capacity(N);
        for n in 0..N {
            sent.push(alice.say(general, &format!("message {n}")));
            if n % 20 == 0 {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
        sent
    });
    // Hand over once the first bot is a quarter through.
    let quarter = start + (N / 4) as u64;
    tokio::time::timeout(
        WAIT,
        first.context().shard(0).unwrap().processed_up_to(quarter),
    )
    .await
    .expect("the first bot reads");
    let sessions = first.handover().await.unwrap();
    let handled_first = seen.lock().unwrap().len();
    assert!(
        handled_first < N,
        "handed over mid-burst ({handled_first} of {N})"
    );
    assert_eq!(sessions.len(), 1);
    assert_eq!(
        sb.records().client_closes().last().unwrap().code,
        Some(4000)
    );

    let second = bot::start(&sb, recording(&seen).resume(sessions.clone())).await;
    let ctx = second.context().clone();
    let sent = sending.await.unwrap();
    tokio::time::timeout(WAIT, ctx.settled())
        .await
        .expect("the second bot caught up");
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), N, "every message exactly once");
    assert!(seen == sent, "in order");
    assert_eq!(
        sb.records().identifies().len(),
        1,
        "the second bot did not identify"
    );
    let resumes = sb.records().resumes();
    assert_eq!(resumes.len(), 1, "{resumes:?}");
    assert!(resumes[0].accepted);
    assert_eq!(resumes[0].session_id, sessions[0].session_id);
    assert!(
        resumes[0].replayed > 0,
        "Discord replayed what the first bot missed"
    );
    second.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_discord_no_longer_knows_falls_back_to_identify() {
    let sb = Sandbox::start().await.unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let first = bot::start(&sb, recording(&seen)).await;
    let sessions = first.context().sessions();
    // A plain shutdown closes with 1000: Discord ends the session.
    first.shutdown().await.unwrap();

    let second = bot::start(&sb, recording(&seen).resume(sessions)).await;
    let resumes = sb.records().resumes();
    assert_eq!(resumes.len(), 1);
    assert!(!resumes[0].accepted, "the session is over");
    assert_eq!(sb.records().identifies().len(), 2, "identified anew");
    let general = sb.channel("general");
    let message = sb.actor("alice").say(general, "still here");
    tokio::time::timeout(WAIT, second.context().settled())
        .await
        .unwrap();
    assert_eq!(seen.lock().unwrap().last(), Some(&message));
    second.shutdown().await.unwrap();
}
