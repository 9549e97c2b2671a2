//! `examples/quickstart.rs`: its scene, run on a sandbox, produces the expected conversation.

#[path = "common/scene.rs"]
mod scene;

#[path = "../examples/quickstart.rs"]
#[allow(dead_code)]
mod quickstart;

use scene::{assert_in_order, play};

#[tokio::test]
async fn quickstart_scene() {
    let transcript = play(quickstart::bot()).await;
    // Three conversations, each in its causal order (they may interleave).
    assert_in_order(
        &transcript,
        &["alice in #general: !ping", "herald-bot in #general: pong ("],
    );
    assert_in_order(
        &transcript,
        &[
            "dave joined Herald Test",
            "herald-bot in #welcome: Welcome, dave!",
        ],
    );
    assert_in_order(
        &transcript,
        &[
            "alice in #general: !clear",
            "herald-bot in #general: Clear the channel? React ✅ or ❌.",
            "alice reacted ✅",
            "herald-bot in #general: Cleared.",
        ],
    );
}
