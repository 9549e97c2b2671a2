//! Dispatches that do not decode are skipped with one short line each: shard, sequence, event
//! type and the parse error, never the frame (megabytes, message content); the shard goes on.

#[path = "common/bot.rs"]
mod bot;
#[path = "common/logs.rs"]
mod logs;

use bot::WAIT;
use herald::prelude::*;
use herald::sandbox::Sandbox;
use herald::testing::ContextExt as _;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_dispatches_are_one_short_line_each_and_the_shard_goes_on() {
    let logs = logs::logs();
    let sb = Sandbox::start().await.unwrap();
    let running = bot::start(
        &sb,
        Bot::builder()
            .add_intents(Intents::MESSAGE_CONTENT)
            .listener(bot::ping),
    )
    .await;
    let ctx = running.context().clone();
    let (guild, general) = (sb.guild("Herald Test"), sb.channel("general"));
    let message = |id: u64| {
        json!({
            "id": id.to_string(),
            "channel_id": general.to_string(),
            "guild_id": guild.to_string(),
            "timestamp": "2024-01-01T00:00:00.000000+00:00",
            "tts": false,
            "mention_everyone": false,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "pinned": false,
            "type": 0
        })
    };

    // 8 MiB of message content, and no author.
    let mut huge = message(1);
    huge["content"] = json!("SECRET words ".repeat(8 * 1024 * 1024 / 13));
    huge["embeds"] = json!([]);
    sb.admin().dispatch_raw("MESSAGE_CREATE", huge);
    // An author, but `content` is a number.
    let mut wrong = message(2);
    wrong["author"] = json!({"id": "7", "username": "alice", "discriminator": "0"});
    wrong["content"] = json!(5);
    wrong["embeds"] = json!([{"description": "SECRET embed"}]);
    sb.admin().dispatch_raw("MESSAGE_CREATE", wrong);

    // The next message is delivered.
    sb.actor("alice").say(general, "!ping");
    sb.records()
        .wait_for_message(general, |m| m.content == "pong", WAIT)
        .await
        .expect("the shard goes on");
    ctx.settled().await;

    let lines = logs.lines_with("skipped a MESSAGE_CREATE");
    assert_eq!(lines.len(), 2, "{lines:#?}");
    let (missing, wrong) = (&lines[0], &lines[1]);
    assert!(
        missing.contains("shard 0: skipped a MESSAGE_CREATE (seq ")
            && missing.contains(" bytes) that could not be decoded: missing field `author`"),
        "{missing}"
    );
    assert!(
        wrong.contains("invalid type: integer `5`, expected a string at line 1 column"),
        "{wrong}"
    );
    for line in &lines {
        assert!(line.len() < 300, "{} characters: {line}", line.len());
        assert!(!line.contains("SECRET"), "{line}");
    }
    running.shutdown().await.unwrap();
}
