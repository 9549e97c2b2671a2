//! Intents, end to end: explicit intents that leave a listener deaf are refused at start-up with
//! the listener named; the sandbox, like Discord, withholds events the bot's intents do not cover
//! and blanks message content without MESSAGE_CONTENT.

#[path = "common/bot.rs"]
mod bot;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bot::WAIT;
use herald::prelude::*;
use herald::sandbox::Sandbox;
use herald::testing::ContextExt as _;

#[listener]
async fn welcome(_join: &MemberAdd) {}

#[listener]
async fn log_messages(_msg: &MessageCreate) {}

#[event]
async fn on_reaction_add(_reaction: &ReactionAdd) {}

#[test]
fn explicit_intents_that_leave_a_listener_deaf_fail_the_build_naming_it() {
    let error = Bot::builder()
        .intents(Intents::GUILDS | Intents::GUILD_MESSAGES)
        .listener(welcome)
        .listener(log_messages)
        .event(on_reaction_add)
        .build()
        .expect_err("welcome can never fire");
    let Error::ListenersMissingIntents { missing, intents } = &error else {
        panic!("unexpected error: {error}");
    };
    assert_eq!(*intents, Intents::GUILDS | Intents::GUILD_MESSAGES);
    let found: Vec<(&str, &str, Intents)> = missing
        .iter()
        .map(|m| (&*m.listener, m.event, m.needs))
        .collect();
    assert_eq!(
        found,
        [
            ("welcome", "member_join", Intents::GUILD_MEMBERS),
            (
                "on_reaction_add",
                "reaction_add",
                Intents::GUILD_MESSAGE_REACTIONS | Intents::DIRECT_MESSAGE_REACTIONS
            ),
        ]
    );
    let message = error.to_string();
    for expected in [
        "listener `welcome` handles `member_join`, which Discord sends only with GUILD_MEMBERS",
        "\"Server Members Intent\" in the Developer Portal",
        "listener `on_reaction_add` handles `reaction_add`, which Discord sends only with one of \
         GUILD_MESSAGE_REACTIONS | DIRECT_MESSAGE_REACTIONS",
        "IntentCheck::Warn",
    ] {
        assert!(
            message.contains(expected),
            "{expected:?} missing from:\n{message}"
        );
    }
    assert!(!message.contains("log_messages"), "{message}");
}

#[test]
fn computed_intents_cover_every_listener_and_note_missing_message_content() {
    let bot = Bot::builder()
        .listener(welcome)
        .listener(log_messages)
        .build()
        .unwrap();
    let report = bot.intent_report();
    assert_eq!(
        report.intents,
        Intents::GUILDS
            | Intents::GUILD_MEMBERS
            | Intents::GUILD_MESSAGES
            | Intents::DIRECT_MESSAGES
    );
    assert!(report.missing.is_empty());
    assert_eq!(report.notes.len(), 1, "{:?}", report.notes);
    assert!(report.notes[0].starts_with("`log_messages` read messages"));
    assert!(report.notes[0].contains("MESSAGE_CONTENT"));

    let with_content = Bot::builder()
        .listener(log_messages)
        .add_intents(Intents::MESSAGE_CONTENT)
        .build()
        .unwrap();
    assert!(with_content.intent_report().notes.is_empty());
}

#[test]
fn intent_sets() {
    assert_eq!(
        Intents::PRIVILEGED,
        Intents::GUILD_MEMBERS | Intents::GUILD_PRESENCES | Intents::MESSAGE_CONTENT
    );
    assert_eq!(
        <Intents as IntentsExt>::default() | Intents::PRIVILEGED,
        Intents::all()
    );
    assert!(!<Intents as IntentsExt>::default().intersects(Intents::PRIVILEGED));
    assert_eq!(Intents::none(), Intents::empty());
    assert_eq!(
        (Intents::GUILDS | Intents::MESSAGE_CONTENT).privileged(),
        Intents::MESSAGE_CONTENT
    );
}

/// With `IntentCheck::Warn` the bot starts; the sandbox never sends it the member join, as
/// Discord would not, while events its intents cover still arrive.
#[tokio::test]
async fn the_sandbox_withholds_events_the_intents_do_not_cover() {
    let sb = Sandbox::start().await.unwrap();
    let joins = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&joins);
    let builder = Bot::builder()
        .intents(Intents::GUILDS | Intents::GUILD_MESSAGES | Intents::MESSAGE_CONTENT)
        .intent_check(IntentCheck::Warn)
        .listener(move |_: &MemberAdd| {
            counter.fetch_add(1, Ordering::SeqCst);
            async {}
        });
    let running = bot::start(&sb, builder).await;
    let ctx = running.context().clone();
    let guild = sb.guild("Herald Test");
    let general = sb.channel("general");

    let after = ctx
        .wait_for::<MessageCreate>()
        .check(|m| m.content == "after the join")
        .timeout(WAIT)
        .register();
    sb.actor("dave").join(guild);
    sb.actor("alice").say(general, "after the join");
    after.await.expect("GUILD_MESSAGES events still arrive");
    // The gateway is ordered: had the join been sent, it would have been dispatched first.
    assert!(
        sb.member_roles(guild, sb.user("dave")).is_some(),
        "dave joined"
    );
    assert_eq!(
        joins.load(Ordering::SeqCst),
        0,
        "GUILD_MEMBER_ADD was withheld"
    );
    running.shutdown().await.unwrap();

    // The same listener with computed intents hears the next join.
    let sb = Sandbox::start().await.unwrap();
    let heard = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&heard);
    let running = bot::start(
        &sb,
        Bot::builder().listener(move |_: &MemberAdd| {
            counter.fetch_add(1, Ordering::SeqCst);
            async {}
        }),
    )
    .await;
    let join = running
        .context()
        .wait_for::<MemberAdd>()
        .timeout(WAIT)
        .register();
    sb.actor("dave").join(sb.guild("Herald Test"));
    join.await.unwrap();
    running.context().settled().await;
    assert_eq!(heard.load(Ordering::SeqCst), 1);
    running.shutdown().await.unwrap();
}

/// Without MESSAGE_CONTENT, guild messages arrive with empty content, except those that mention
/// the bot; DMs keep theirs. With it, content arrives.
#[tokio::test]
async fn message_content_is_blank_without_the_intent() {
    for with_content in [false, true] {
        let sb = Sandbox::start().await.unwrap();
        let mut builder = Bot::builder().listener(log_messages);
        if with_content {
            builder = builder.add_intents(Intents::MESSAGE_CONTENT);
        }
        let running = bot::start(&sb, builder).await;
        let ctx = running.context().clone();
        let general = sb.channel("general");
        let alice = sb.actor("alice");

        let plain = ctx
            .wait_for::<MessageCreate>()
            .check(move |m| m.channel_id == general && m.mentions.is_empty())
            .timeout(WAIT)
            .register();
        alice.say(general, "hello everyone");
        let plain = plain.await.unwrap();

        let mention = ctx
            .wait_for::<MessageCreate>()
            .check(|m| !m.mentions.is_empty())
            .timeout(WAIT)
            .register();
        alice.say(general, &format!("<@{}> hello bot", sb.bot_user_id()));
        let mention = mention.await.unwrap();

        let dm = ctx
            .wait_for::<MessageCreate>()
            .check(|m| m.guild_id.is_none())
            .timeout(WAIT)
            .register();
        let (_, dm_id) = alice.dm_bot("hello in private");
        let dm = dm.await.unwrap();
        assert_eq!(dm.id, dm_id);

        let expected_plain = if with_content { "hello everyone" } else { "" };
        assert_eq!(
            plain.content, expected_plain,
            "with_content = {with_content}"
        );
        assert!(
            mention.content.ends_with("hello bot"),
            "mentions keep content"
        );
        assert_eq!(dm.content, "hello in private", "DMs keep content");
        running.shutdown().await.unwrap();
    }
}

#[tokio::test]
async fn a_waiter_the_bot_has_no_intents_for_says_to_declare_it_with_waits_for() {
    let sb = herald::sandbox::Sandbox::start().await.unwrap();
    let running = bot::start(&sb, Bot::builder().intents(Intents::GUILDS)).await;
    let error = running
        .context()
        .wait_for::<ReactionAdd>()
        .await
        .expect_err("it can never arrive");
    assert!(matches!(
        error,
        Error::MissingIntents {
            event: "reaction_add",
            ..
        }
    ));
    assert_eq!(
        error.to_string(),
        "cannot wait for `reaction_add`: Discord sends it only with one of \
         GUILD_MESSAGE_REACTIONS or DIRECT_MESSAGE_REACTIONS, which the bot did not request; \
         declare the wait on the builder with `.waits_for::<ReactionAdd>()`, which adds them"
    );
    running.shutdown().await.unwrap();
}
