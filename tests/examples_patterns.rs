//! The pattern examples (`examples/{level_up,confirm,error_reporting,throttle,reconnect,sharded}.rs`):
//! each scene, run on a sandbox, produces the expected conversation. Conversations may interleave,
//! so each causal chain is checked on its own.

#[path = "common/scene.rs"]
mod scene;

#[path = "../examples/level_up.rs"]
#[allow(dead_code)]
mod level_up;

#[path = "../examples/confirm.rs"]
#[allow(dead_code)]
mod confirm;

#[path = "../examples/error_reporting.rs"]
#[allow(dead_code)]
mod error_reporting;

#[path = "../examples/throttle.rs"]
#[allow(dead_code)]
mod throttle;

#[path = "../examples/reconnect.rs"]
#[allow(dead_code)]
mod reconnect;

#[path = "../examples/sharded.rs"]
#[allow(dead_code)]
mod sharded;

use std::time::Duration;

use herald::Error;
use herald::gateway::FatalClose;
use herald::prelude::Intents;
use herald::sandbox::{RestFault, Sandbox};
use scene::{assert_absent, assert_in_order, play, play_on};

/// Bounds the runs that do not go through `play` (which has its own bound).
const WAIT: Duration = Duration::from_secs(30);

fn count(transcript: &[String], needle: &str) -> usize {
    transcript
        .iter()
        .filter(|line| line.contains(needle))
        .count()
}

#[tokio::test]
async fn level_up_scene() {
    let transcript = play(level_up::bot()).await;
    // 10 XP a message; level 1 at 25 XP (3rd message), level 2 at 100 XP (10th).
    assert_in_order(
        &transcript,
        &[
            "alice in #general: message 3",
            "herald-bot in #general: 🎉 alice reached level 1 (from 0)!",
        ],
    );
    assert_in_order(
        &transcript,
        &[
            "alice in #general: message 10",
            "herald-bot in #general: 🎉 alice reached level 2 (from 1)!",
        ],
    );
    assert_eq!(count(&transcript, "reached level"), 2, "{transcript:#?}");
    assert_absent(&transcript, "bob reached");
}

#[tokio::test]
async fn confirm_scene() {
    let transcript = play(confirm::bot()).await;
    // Confirmed: the three messages before the command are deleted.
    assert_in_order(
        &transcript,
        &[
            "mod in #general: !purge 3",
            "herald-bot in #general: mod, delete the last 3 messages here? React ✅ to confirm",
            "mod reacted ✅",
            "herald-bot deleted 3 messages in #general",
            "herald-bot in #general: Deleted 3 messages.",
        ],
    );
    // Cancelled.
    assert_in_order(
        &transcript,
        &[
            "mod in #general: !purge 5",
            "herald-bot in #general: mod, delete the last 5 messages here?",
            "mod reacted ❌",
            "herald-bot in #general: Cancelled: nothing deleted.",
        ],
    );
    // Someone else's ✅ is ignored: the question times out.
    assert_in_order(
        &transcript,
        &[
            "mod in #general: !purge 2",
            "herald-bot in #general: mod, delete the last 2 messages here?",
            "alice reacted ✅",
            "herald-bot in #general: No answer within 2s: timed out, nothing deleted.",
        ],
    );
    assert_eq!(count(&transcript, "Deleted"), 1, "{transcript:#?}");
    assert_eq!(
        count(&transcript, "herald-bot deleted"),
        1,
        "{transcript:#?}"
    );
}

#[tokio::test]
async fn error_reporting_scene() {
    let transcript = play(error_reporting::bot()).await;
    // The commands work when nothing goes wrong.
    assert_in_order(
        &transcript,
        &[
            "alice in #general: !double 21",
            "herald-bot in #general: 42",
        ],
    );
    assert_in_order(
        &transcript,
        &[
            "alice in #general: !average 1 2 6",
            "herald-bot in #general: The average is 3.",
        ],
    );
    // An explicit error.
    assert_in_order(
        &transcript,
        &[
            "alice in #general: !double twenty",
            "herald-bot in #errors: ⚠️ `double` failed on `message`: `twenty` is not a whole number",
        ],
    );
    // A panic.
    assert_in_order(
        &transcript,
        &[
            "alice in #general: !average",
            "herald-bot in #errors: 💥 `average` panicked on `message`: attempt to divide by zero",
        ],
    );
    // `?` on a failing call: the second `!ping` cannot be answered.
    assert_in_order(
        &transcript,
        &[
            "alice in #general: !ping",
            "herald-bot in #general: pong",
            "alice in #general: !ping",
            "herald-bot: POST /channels/#general/messages failed: 403 Missing Permissions",
            "herald-bot in #errors: ⚠️ `ping` failed on `message`: response error: status code 403",
        ],
    );
    assert_eq!(
        count(&transcript, "herald-bot in #errors"),
        3,
        "{transcript:#?}"
    );
}

#[tokio::test]
async fn throttle_scene() {
    let transcript = play(throttle::bot()).await;
    // Of the 12 messages, the first 5 are copied; the others are dropped.
    for n in 0..5 {
        assert_in_order(
            &transcript,
            &[
                "alice sent 12 messages in #general (burst)",
                &format!("herald-bot in #member-logs: alice: burst {n}"),
            ],
        );
    }
    assert_eq!(
        count(&transcript, "herald-bot in #member-logs: alice:"),
        5,
        "{transcript:#?}"
    );
    for n in 5..12 {
        assert_absent(&transcript, &format!("alice: burst {n}"));
    }
    // Reactions have their own window: all three are copied.
    for name in ["bob", "carol", "mod"] {
        assert_in_order(
            &transcript,
            &[
                &format!("{name} reacted 👀 to a message in #general"),
                &format!("herald-bot in #member-logs: {name} reacted 👀"),
            ],
        );
    }

    // The limiter itself, without waiting a minute: time is a parameter.
    let limiter = throttle::Throttle::per_minute(2);
    let start = tokio::time::Instant::now();
    let at = |secs: u64| start + Duration::from_secs(secs);
    assert!(limiter.admit_at("message", at(0)));
    assert!(limiter.admit_at("message", at(10)));
    assert!(
        !limiter.admit_at("message", at(20)),
        "a third within the minute"
    );
    assert!(
        limiter.admit_at("reaction_add", at(20)),
        "another event has its own window"
    );
    assert!(!limiter.admit_at("message", at(59)));
    assert!(
        limiter.admit_at("message", at(60)),
        "the first left the window"
    );
    assert!(
        !limiter.admit_at("message", at(61)),
        "the second (at 10 s) is still in it"
    );
    assert!(limiter.admit_at("message", at(70)));
}

#[tokio::test]
async fn reconnect_scene() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    reconnect::make_start_flaky(&sandbox);
    tokio::time::timeout(WAIT, reconnect::play_on(&sandbox))
        .await
        .expect("the bot starts, plays its scene and stops")
        .expect("the bot starts after retries");
    // Two failed attempts (503, 502), then a 429 that twilight-http waited out, then success.
    let statuses: Vec<u16> = sandbox
        .records()
        .requests()
        .iter()
        .filter(|r| r.is("GET", "/gateway/bot"))
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [503, 502, 429, 200]);
    assert_eq!(
        sandbox.records().identifies().len(),
        1,
        "only the last attempt connected"
    );

    let transcript = sandbox.transcript();
    assert_in_order(
        &transcript,
        &[
            "herald-bot: GET /gateway/bot failed: 503",
            "herald-bot: GET /gateway/bot failed: 502",
            "herald-bot: GET /gateway/bot failed: 429",
            "[gateway] shard 0 identified",
            "alice in #general: !ping",
            "herald-bot in #general: pong",
            "[fault] shard 0: TCP dropped",
            "[gateway] shard 0 resumed",
            "alice in #general: !ping",
            "herald-bot in #general: pong",
        ],
    );
    assert_eq!(count(&transcript, "pong"), 2, "{transcript:#?}");

    // A rejected token is fatal: one attempt, no retry.
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let error = tokio::time::timeout(
        WAIT,
        reconnect::run_with_retry(reconnect::Backoff::SANDBOX, || {
            reconnect::bot().sandbox(&sandbox).token("not-the-token")
        }),
    )
    .await
    .expect("it gives up at once")
    .unwrap_err();
    assert!(matches!(error, Error::TokenRejected { .. }), "{error:?}");
    assert_eq!(
        sandbox.records().requests().len(),
        1,
        "{:?}",
        sandbox.records().requests()
    );

    // Privileged intents the application may not use are fatal too.
    let sandbox = Sandbox::builder()
        .allowed_privileged_intents(Intents::empty())
        .start()
        .await
        .expect("the sandbox starts");
    let error = tokio::time::timeout(
        WAIT,
        reconnect::run_with_retry(reconnect::Backoff::SANDBOX, || {
            reconnect::bot().sandbox(&sandbox)
        }),
    )
    .await
    .expect("it gives up at once")
    .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Gateway {
                source: FatalClose::DisallowedIntents(_),
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(sandbox.records().identifies().len(), 1);

    // A server error that does not go away: every attempt is made, then it gives up.
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    sandbox.faults().rest(
        "GET",
        "/gateway/bot",
        RestFault::ServerError {
            status: 500,
            times: 100,
        },
    );
    let error = tokio::time::timeout(
        WAIT,
        reconnect::run_with_retry(reconnect::Backoff::SANDBOX, || {
            reconnect::bot().sandbox(&sandbox)
        }),
    )
    .await
    .expect("it gives up after its attempts")
    .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Http {
                status: Some(500),
                ..
            }
        ),
        "{error:?}"
    );
    let attempts = reconnect::Backoff::SANDBOX.attempts as usize;
    assert_eq!(sandbox.records().requests().len(), attempts);

    // The back-off doubles up to its cap, jittered within the upper half.
    let backoff = reconnect::Backoff::SANDBOX;
    for failures in 1..10 {
        let full = (backoff.first * 2u32.pow(failures - 1)).min(backoff.max);
        let delay = backoff.delay(failures);
        assert!(full / 2 <= delay && delay <= full, "{failures}: {delay:?}");
    }
}

#[tokio::test]
async fn sharded_scene() {
    let sandbox = sharded::sandbox()
        .start()
        .await
        .expect("the sandbox starts");
    let transcript = play_on(&sandbox, sharded::bot()).await;
    assert_in_order(&transcript, &["[gateway] shard 0 identified"]);
    assert_in_order(&transcript, &["[gateway] shard 1 identified"]);
    assert_in_order(
        &transcript,
        &[
            "alice in #general: !latency",
            "herald-bot in #general: shard 0 (this server): ",
            "[fault] shard 1: op 7 RECONNECT",
            "[gateway] shard 1 disconnected",
            "[gateway] shard 1 resumed",
            "alice in #general: !latency",
            "herald-bot in #general: shard 0: ",
        ],
    );
    // After the fault, the answer comes from shard 1's server and shows its resume; latencies
    // were measured before the first `!latency`.
    let last = transcript
        .iter()
        .rfind(|line| line.starts_with("herald-bot in #general: "))
        .expect("an answer");
    assert!(
        last.contains("shard 1 (this server): ") && last.contains(" ms, resumed once"),
        "{last}"
    );
    assert_absent(&transcript, "not measured yet");
    assert_absent(&transcript, "[gateway] shard 0 resumed");
    // Shard 1 resumed: no new session.
    assert_eq!(sandbox.records().identifies().len(), 2);
    assert_eq!(sandbox.records().resumes().len(), 1);
}
