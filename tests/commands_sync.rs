//! Application command sync at start: the first start creates the commands, a second start with
//! the same commands writes nothing (one GET), a changed set is written once with what was
//! created, changed and removed; guild-scoped commands stay apart from global ones.

#[path = "common/bot.rs"]
mod bot;

use herald::CommandSync;
use herald::model::application::command::{Command, CommandType};
use herald::prelude::*;
use herald::sandbox::Sandbox;
use herald::util::builder::command::{CommandBuilder, IntegerBuilder, StringBuilder};

fn commands(warn_description: &str) -> Vec<Command> {
    vec![
        CommandBuilder::new("ping", "Replies pong", CommandType::ChatInput).build(),
        CommandBuilder::new("warn", warn_description, CommandType::ChatInput)
            .option(StringBuilder::new("reason", "Why").required(true))
            .option(IntegerBuilder::new("days", "For how long").min_value(1))
            .build(),
    ]
}

fn writes(sb: &Sandbox) -> usize {
    sb.records()
        .requests()
        .iter()
        .filter(|r| r.method == "PUT" && r.path.ends_with("/commands"))
        .count()
}

async fn start(sb: &Sandbox, builder: herald::BotBuilder) -> CommandSync {
    let running = bot::start(sb, builder).await;
    let sync = running
        .command_sync()
        .cloned()
        .expect("the bot declared commands");
    running.shutdown().await.unwrap();
    sync
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_start_with_the_same_commands_writes_nothing() {
    let sb = Sandbox::start().await.unwrap();

    let first = start(&sb, Bot::builder().commands(commands("Warns a member"))).await;
    assert!(first.written);
    assert_eq!(first.created, ["ping", "warn"]);
    assert_eq!(writes(&sb), 1);
    assert!(
        sb.transcript()
            .iter()
            .any(|l| l == "herald-bot registered commands /ping, /warn")
    );

    let second = start(&sb, Bot::builder().commands(commands("Warns a member"))).await;
    assert!(!second.written, "{second}");
    assert_eq!(
        second.to_string(),
        "application commands up to date (nothing written)"
    );
    assert_eq!(writes(&sb), 1, "nothing written the second time");

    // One changed, one removed, one created: one write.
    let mut changed = commands("Warns a member, with a reason");
    changed.remove(0);
    changed.push(CommandBuilder::new("kick", "Kicks a member", CommandType::ChatInput).build());
    let third = start(&sb, Bot::builder().commands(changed)).await;
    assert_eq!(
        (
            third.created.clone(),
            third.changed.clone(),
            third.removed.clone()
        ),
        (
            vec!["kick".to_owned()],
            vec!["warn".to_owned()],
            vec!["ping".to_owned()]
        )
    );
    assert_eq!(
        third.to_string(),
        "application commands written: created /kick; changed /warn; removed /ping"
    );
    assert_eq!(writes(&sb), 2);

    // A guild's commands are their own scope: the global ones are untouched.
    let guild = sb.guild("Herald Test");
    let scoped = start(
        &sb,
        Bot::builder()
            .commands(commands("Warns a member"))
            .commands_in_guild(guild),
    )
    .await;
    assert_eq!(scoped.created, ["ping", "warn"]);
    let again = start(
        &sb,
        Bot::builder()
            .commands(commands("Warns a member"))
            .commands_in_guild(guild),
    )
    .await;
    assert!(!again.written);
    assert_eq!(writes(&sb), 3);
}
