//! `examples/{poll,ticket}.rs`: each scene, run on a sandbox, produces the transcript lines the
//! example promises.

#[path = "common/scene.rs"]
mod scene;

#[path = "../examples/poll.rs"]
#[allow(dead_code)]
mod poll;

#[path = "../examples/ticket.rs"]
#[allow(dead_code)]
mod ticket;

use scene::{assert_absent, assert_in_order, play};

#[tokio::test]
async fn poll_scene() {
    let transcript = play(poll::bot()).await;
    assert_in_order(
        &transcript,
        &[
            "mod in #general: !poll Lunch? pizza sushi",
            "herald-bot in #general: Lunch? ⏎ pizza: 0 ⏎ sushi: 0 [buttons: pizza, sushi]",
            "alice clicked button poll:1",
            "herald-bot answered an interaction by editing the message: Lunch? ⏎ pizza: 0 ⏎ sushi: 1",
            "bob clicked button poll:0",
            "herald-bot answered an interaction by editing the message: Lunch? ⏎ pizza: 1 ⏎ sushi: 1",
            "carol clicked button poll:1",
            "herald-bot answered an interaction by editing the message: Lunch? ⏎ pizza: 1 ⏎ sushi: 2",
        ],
    );
    assert_absent(&transcript, "failed");
}

#[tokio::test]
async fn ticket_scene() {
    let transcript = play(ticket::bot()).await;
    assert_in_order(
        &transcript,
        &[
            "alice used /ticket",
            "herald-bot opened modal \"Open a ticket\"",
            "alice submitted modal ticket-form: reason=The bot ate my homework",
            "herald-bot in #errors: Ticket from alice: The bot ate my homework",
            "herald-bot answered an interaction (only the user sees it): Thanks, the staff will \
             get back to you.",
            "bob used /ticket",
            "herald-bot opened modal \"Open a ticket\"",
            "herald-bot in #errors: bob opened the ticket form but sent nothing.",
        ],
    );
    assert_absent(&transcript, "failed");
}
