//! Runs an example's bot with its scene on a fresh sandbox and checks the transcript.
#![allow(dead_code, unreachable_pub)]

use herald::BotBuilder;
use herald::sandbox::Sandbox;

/// Runs `bot` (an example's `bot()`) on `sandbox` until its scene ends and the bot stops; returns
/// the sandbox's transcript.
pub async fn play_on(sandbox: &Sandbox, bot: BotBuilder) -> Vec<String> {
    tokio::time::timeout(
        std::time::Duration::from_secs(60),
        bot.sandbox(sandbox).run(),
    )
    .await
    .expect("the scene ends and the bot stops within a minute")
    .expect("the bot runs its scene without error");
    sandbox.transcript()
}

/// Runs `bot` on a fresh sandbox with the demo world (what `cargo run --example` uses).
pub async fn play(bot: BotBuilder) -> Vec<String> {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    play_on(&sandbox, bot).await
}

/// Asserts that `transcript` contains lines containing each of `expected`, in this order (other
/// lines may come between).
#[track_caller]
pub fn assert_in_order(transcript: &[String], expected: &[&str]) {
    let mut lines = transcript.iter();
    for want in expected {
        if !lines.any(|line| line.contains(want)) {
            panic!(
                "no line containing {want:?} (after the previous expected line) in the transcript:\n{}",
                transcript.join("\n")
            );
        }
    }
}

/// Asserts that no line of `transcript` contains `unwanted`.
#[track_caller]
pub fn assert_absent(transcript: &[String], unwanted: &str) {
    if let Some(line) = transcript.iter().find(|line| line.contains(unwanted)) {
        panic!(
            "unexpected line {line:?} in the transcript:\n{}",
            transcript.join("\n")
        );
    }
}
