//! `examples/moderation.rs`: its scene, run on a sandbox, produces the transcript the example
//! promises: suggestions, typed options, refusals told to the user, context menus,
//! subcommands, a cooldown.

#[path = "common/scene.rs"]
mod scene;

#[path = "../examples/moderation.rs"]
#[allow(dead_code)]
mod moderation;

use scene::{assert_absent, assert_in_order, play};

#[tokio::test]
async fn moderation_scene() {
    let transcript = play(moderation::bot()).await;
    assert_in_order(
        &transcript,
        &[
            "herald-bot registered commands /warn, /timeout, /warnings, /appeal, app \"Warn \
             user\", app \"Report message\"",
            "mod typed /warn member:bob reason:r (autocomplete)",
            "herald-bot suggested: rudeness, raiding",
            "mod used /warn member:bob reason:spam severity:high",
            "herald-bot in #moderation-logs: mod warned bob: spam (High, warning 1)",
            "herald-bot answered an interaction (only the user sees it): Warned bob (1 so far).",
            "alice used /warn member:bob reason:I do not like him",
            "herald-bot answered an interaction (only the user sees it): you need the moderate \
             members permission to use this command",
            "mod used app \"Warn user\" on carol",
            "herald-bot in #moderation-logs: mod warned carol from the member list (warning 1)",
            "alice used app \"Report message\" on a message by bob",
            "herald-bot in #moderation-logs: alice reported a message by bob: cheap followers at \
             example.invalid",
            "mod used /warnings list member:bob",
            "herald-bot answered an interaction (only the user sees it): bob: spam (High)",
            "mod used /timeout member:bob minutes:10",
            "herald-bot in #moderation-logs: mod timed bob out for 10 minutes",
            "bob used /appeal text:it was a joke",
            "herald-bot in #moderation-logs: bob appeals: it was a joke",
            "bob used /appeal text:it was a joke",
            "herald-bot answered an interaction (only the user sees it): this command is on \
             cooldown: try again in 60 minutes",
            "mod used /warnings clear member:bob",
            "herald-bot in #moderation-logs: mod cleared 1 warnings of bob",
        ],
    );
    assert_absent(&transcript, "failed");
    assert_absent(&transcript, "alice warned");
}
