//! The readable transcript: exact lines for short scenes played by actors
//! and a real twilight-http client + twilight-gateway shard.

mod common;

use std::time::Duration;

use common::{WAIT, all_intents, http, ready, shard, until};
use herald_sandbox::{RestFault, Sandbox, World};
use twilight_gateway::Event;
use twilight_http::request::{AuditLogReason as _, channel::reaction::RequestReactionType};
use twilight_model::{
    channel::message::{
        Component, Embed, MessageFlags,
        component::{ActionRow, Button, ButtonStyle},
    },
    http::interaction::{InteractionResponse, InteractionResponseData, InteractionResponseType},
    util::Timestamp,
};

fn embed(title: &str, description: &str) -> Embed {
    Embed {
        author: None,
        color: None,
        description: Some(description.to_owned()),
        fields: Vec::new(),
        flags: None,
        footer: None,
        image: None,
        kind: "rich".to_owned(),
        provider: None,
        thumbnail: None,
        timestamp: None,
        title: Some(title.to_owned()),
        url: None,
        video: None,
    }
}

fn button(custom_id: &str, label: &str) -> Component {
    Component::Button(Button {
        custom_id: Some(custom_id.to_owned()),
        disabled: false,
        emoji: None,
        id: None,
        label: Some(label.to_owned()),
        sku_id: None,
        style: ButtonStyle::Primary,
        url: None,
    })
}

fn respond(kind: InteractionResponseType, content: &str) -> InteractionResponse {
    InteractionResponse {
        kind,
        data: Some(InteractionResponseData {
            content: Some(content.to_owned()),
            flags: Some(MessageFlags::empty()),
            ..Default::default()
        }),
    }
}

/// A welcome, a ping, a slash command, a moderation button, a forbidden
/// post, a gateway fault and a burst: both sides, in order.
#[tokio::test]
async fn a_short_scene_reads_like_a_chat_log() {
    let mut world = World::demo();
    world.refuse_dms(world.user_id("dave").unwrap());
    let sb = Sandbox::builder()
        .world(world)
        .print_transcript(true)
        .start()
        .await
        .unwrap();
    let mut shard = shard(&sb, all_intents());
    ready(&mut shard).await;
    let http = http(&sb);
    let interactions = http.interaction(sb.application_id());
    let guild = sb.guild("Herald Test");
    let general = sb.channel("general");
    let dave = sb.user("dave");
    let alice = sb.actor("alice");

    // dave joins: the bot welcomes him, logs it, gives a role, fails to DM.
    sb.actor("dave").join(guild);
    let joined = until(&mut shard, "MEMBER_ADD", |e| match e {
        Event::MemberAdd(m) => Some(m),
        _ => None,
    })
    .await;
    http.create_message(sb.channel("welcome"))
        .content(&format!("Welcome, {}!", joined.user.name))
        .await
        .unwrap();
    http.create_message(sb.channel("member-logs"))
        .embeds(&[embed("Member joined", "dave joined the server")])
        .await
        .unwrap();
    http.add_guild_member_role(guild, dave, sb.role("Member"))
        .await
        .unwrap();
    let dm = http
        .create_private_channel(dave)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    http.create_message(dm.id)
        .content("Read the rules!")
        .await
        .unwrap_err();

    // alice pings; the bot answers and reacts; alice edits, then deletes.
    let ping = alice.say(general, "!ping");
    let got = until(&mut shard, "!ping", |e| match e {
        Event::MessageCreate(m) if m.content == "!ping" => Some(m),
        _ => None,
    })
    .await;
    http.create_message(general)
        .content("pong")
        .reply(got.id)
        .await
        .unwrap();
    http.create_reaction(
        general,
        got.id,
        &RequestReactionType::Unicode { name: "✅" },
    )
    .await
    .unwrap();
    alice.edit(general, ping, "!ping?");
    alice.delete(general, ping);

    // A post the bot may not make.
    sb.faults().rest(
        "POST",
        &format!("/channels/{}/messages", sb.channel("errors")),
        RestFault::ApiError {
            status: 403,
            code: 50013,
            message: "Missing Permissions".into(),
            times: 1,
        },
    );
    http.create_message(sb.channel("errors"))
        .content("boom")
        .await
        .unwrap_err();

    // A slash command, answered.
    let level = alice.slash_command(general, "level", &[]);
    interactions
        .create_response(
            level.id,
            &level.token,
            &respond(
                InteractionResponseType::ChannelMessageWithSource,
                "You are level 3",
            ),
        )
        .await
        .unwrap();

    // A moderation button.
    let question = http
        .create_message(general)
        .content("Ban dave?")
        .components(&[Component::ActionRow(ActionRow {
            components: vec![button("confirm", "Confirm"), button("cancel", "Cancel")],
            id: None,
        })])
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    let click = sb.actor("mod").click_button(question.id, "confirm");
    interactions
        .create_response(
            click.id,
            &click.token,
            &respond(InteractionResponseType::UpdateMessage, "Banned."),
        )
        .await
        .unwrap();
    http.create_ban(guild, dave).reason("spam").await.unwrap();

    // A read is not a line.
    http.guild(guild).await.unwrap();

    // A gateway fault: twilight resumes.
    sb.shard(0).reconnect().unwrap();
    until(&mut shard, "RESUMED", |e| {
        matches!(e, Event::Resumed).then_some(())
    })
    .await;

    // A burst is one line.
    alice.burst(general, 1_000);

    assert_eq!(
        sb.transcript(),
        [
            "[gateway] shard 0 identified",
            "dave joined Herald Test",
            "herald-bot in #welcome: Welcome, dave!",
            "herald-bot in #member-logs: [embed] Member joined — dave joined the server",
            "herald-bot gave dave the role Member",
            "herald-bot could not DM dave (DMs closed)",
            "alice in #general: !ping",
            "herald-bot in #general: pong",
            "herald-bot reacted ✅ to a message in #general",
            "alice edited a message in #general: !ping?",
            "alice deleted a message in #general",
            "herald-bot: POST /channels/#errors/messages failed: 403 Missing Permissions",
            "alice used /level",
            "herald-bot answered an interaction: You are level 3",
            "herald-bot in #general: Ban dave? [buttons: Confirm, Cancel]",
            "mod clicked button confirm",
            "herald-bot answered an interaction by editing the message: Banned.",
            "herald-bot banned dave from Herald Test (reason: spam)",
            "[fault] shard 0: op 7 RECONNECT",
            "[gateway] shard 0 disconnected",
            "[gateway] shard 0 resumed",
            "alice sent 1000 messages in #general (burst)",
        ]
    );
}

/// One line per actor method (no bot needed: actors act on the world).
#[tokio::test]
async fn every_actor_method_has_a_line() {
    let sb = Sandbox::start().await.unwrap();
    let guild = sb.guild("Herald Test");
    let general = sb.channel("general");
    let voice = sb.channel("Voice");
    let alice = sb.actor("alice");
    let moderator = sb.actor("mod");
    let dave = sb.actor("dave");
    let party = sb.emoji("party");

    dave.join(guild);
    let hi = alice.say(general, "hi\nall");
    alice.react(general, hi, "✅");
    alice.react(general, hi, &party);
    alice.unreact(general, hi, "✅");
    alice.typing(general);
    alice.dm_bot("psst");
    alice.set_nick(guild, Some("Al"));
    alice.set_nick(guild, None);
    alice.add_role(guild, sb.role("Moderator"));
    alice.remove_role(guild, sb.role("Moderator"));
    alice.voice_join(voice);
    alice.set_self_mute(true);
    alice.set_self_deaf(false);
    alice.voice_leave();
    let menu = alice.post(
        general,
        "",
        vec![serde_json::json!({"title": "Roles"})],
        vec![serde_json::json!({"type": 1, "components": [
            {"type": 3, "custom_id": "roles", "placeholder": "Pick roles", "options": []}
        ]})],
    );
    alice.select(menu, "roles", &["red", "blue"]);
    alice.submit_modal(
        general,
        "report",
        &[("reason", "rude"), ("details", "very")],
    );
    alice.slash_command(
        general,
        "warn",
        &[
            ("user", sb.user("bob").into()),
            ("reason", "spam".into()),
            ("days", 3_i64.into()),
            ("role", sb.role("Member").into()),
            ("where", general.into()),
        ],
    );
    moderator.kick(guild, sb.user("carol"), "");
    moderator.ban(guild, sb.user("dave"), "spam");
    moderator.unban(guild, sb.user("dave"));
    sb.actor("bob").leave(guild);
    alice.delete(general, hi);
    sb.admin()
        .dispatch_raw("GUILD_STICKERS_UPDATE", serde_json::json!({"stickers": []}));

    assert_eq!(
        sb.transcript(),
        [
            "dave joined Herald Test",
            "alice in #general: hi ⏎ all",
            "alice reacted ✅ to a message in #general",
            "alice reacted :party: to a message in #general",
            "alice removed the reaction ✅ from a message in #general",
            "alice is typing in #general",
            "alice sent a DM to herald-bot: psst",
            "alice set their nickname to \"Al\"",
            "alice removed their nickname",
            "alice got the role Moderator",
            "alice lost the role Moderator",
            "alice joined voice Voice",
            "alice self-muted in Voice",
            "alice undeafened in Voice",
            "alice left voice Voice",
            "alice in #general: [embed] Roles [menu: Pick roles]",
            "alice selected red, blue in menu roles",
            "alice submitted modal report: reason=rude, details=very",
            "alice used /warn user:bob reason:spam days:3 role:Member where:#general",
            "mod kicked carol from Herald Test",
            "mod banned dave from Herald Test (reason: spam)",
            "mod unbanned dave from Herald Test",
            "bob left Herald Test",
            "alice deleted a message in #general",
            "[gateway] raw dispatch GUILD_STICKERS_UPDATE",
        ]
    );
}

/// More of the bot's writes: DMs, edits, deletes, members, interactions,
/// commands; rate limits and unknown routes as failures; reads left out.
#[tokio::test]
async fn bot_writes_and_failures() {
    let sb = Sandbox::start().await.unwrap();
    let http = http(&sb);
    let interactions = http.interaction(sb.application_id());
    let guild = sb.guild("Herald Test");
    let general = sb.channel("general");
    let alice = sb.user("alice");
    let bob = sb.user("bob");

    interactions
        .create_global_command()
        .chat_input("level", "Shows your level")
        .await
        .unwrap();
    let dm = http
        .create_private_channel(alice)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    http.create_message(dm.id).content("hello").await.unwrap();
    http.create_typing_trigger(general).await.unwrap();
    let mine = http
        .create_message(general)
        .content("v1")
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    http.update_message(general, mine.id)
        .content(Some("v2"))
        .await
        .unwrap();
    http.delete_message(general, mine.id).await.unwrap();
    let theirs = sb.actor("bob").say(general, "spam spam");
    http.delete_message(general, theirs).await.unwrap();
    http.update_guild_member(guild, alice)
        .nick(Some("Ally"))
        .await
        .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let until_ts = Timestamp::from_secs(i64::try_from(now).unwrap() + 3_600).unwrap();
    http.update_guild_member(guild, bob)
        .communication_disabled_until(Some(until_ts))
        .reason("calm down")
        .await
        .unwrap();
    http.remove_guild_member_role(guild, alice, sb.role("Member"))
        .await
        .unwrap();
    http.remove_guild_member(guild, sb.user("carol"))
        .await
        .unwrap();

    // Deferred, then completed by editing the original; a followup; an edit.
    let sent = sb.actor("alice").slash_command(general, "level", &[]);
    interactions
        .create_response(
            sent.id,
            &sent.token,
            &InteractionResponse {
                kind: InteractionResponseType::DeferredChannelMessageWithSource,
                data: None,
            },
        )
        .await
        .unwrap();
    interactions
        .update_response(&sent.token)
        .content(Some("Level 3"))
        .await
        .unwrap();
    interactions
        .create_followup(&sent.token)
        .content("Keep going!")
        .await
        .unwrap();
    interactions
        .update_response(&sent.token)
        .content(Some("Level 4"))
        .await
        .unwrap();

    // A rate limit twilight retries, then an unknown route.
    sb.faults().rest(
        "POST",
        "/channels/",
        RestFault::RateLimited {
            times: 1,
            retry_after: Duration::from_millis(20),
        },
    );
    tokio::time::timeout(WAIT, http.create_message(general).content("again"))
        .await
        .unwrap()
        .unwrap();
    http.create_guild_prune(guild).await.unwrap_err();

    // Reads: none of these are lines.
    http.guild_members(guild).limit(10).await.unwrap();
    http.channel_messages(general).await.unwrap();

    let unknown_route = format!(
        "herald-bot: POST /guilds/Herald Test/prune failed: 404 Not Found (the sandbox does not \
         implement POST /api/v10/guilds/{guild}/prune; see herald_sandbox's rest module for the \
         supported routes, or open an issue)"
    );
    let timed_out = format!(
        "herald-bot timed out bob until {} (reason: calm down)",
        until_ts.iso_8601()
    );
    assert_eq!(
        sb.transcript(),
        [
            "herald-bot registered command /level",
            "herald-bot sent a DM to alice: hello",
            "herald-bot is typing in #general",
            "herald-bot in #general: v1",
            "herald-bot edited a message in #general: v2",
            "herald-bot deleted a message in #general",
            "bob in #general: spam spam",
            "herald-bot deleted bob's message in #general",
            "herald-bot set alice's nickname to \"Ally\"",
            &timed_out,
            "herald-bot took the role Member from alice",
            "herald-bot kicked carol from Herald Test",
            "alice used /level",
            "herald-bot deferred its answer to an interaction",
            "herald-bot answered an interaction: Level 3",
            "herald-bot followed up an interaction: Keep going!",
            "herald-bot edited an interaction answer: Level 4",
            "herald-bot: POST /channels/#general/messages failed: 429 You are being rate limited.",
            "herald-bot in #general: again",
            &unknown_route,
        ]
    );
}

/// `Sandbox` is a cheap `Clone + Send + Sync + 'static` handle: a clone
/// keeps the servers running after the original is dropped.
#[tokio::test]
async fn sandbox_is_a_shareable_handle() {
    fn assert_handle<T: Clone + Send + Sync + 'static>() {}
    assert_handle::<Sandbox>();

    let sb = Sandbox::start().await.unwrap();
    let clone = sb.clone();
    drop(sb);
    let from_task = tokio::spawn({
        let sb = clone.clone();
        async move {
            sb.actor("alice").say(sb.channel("general"), "from a task");
            sb.transcript()
        }
    })
    .await
    .unwrap();
    assert_eq!(from_task, ["alice in #general: from a task"]);
    let http = http(&clone);
    http.create_message(clone.channel("general"))
        .content("still up")
        .await
        .unwrap();
    assert_eq!(
        clone.transcript().last().map(String::as_str),
        Some("herald-bot in #general: still up")
    );
}

/// A sandbox that runs for days keeps flat memory: each kind of record keeps the newest
/// `record_limit` and counts the rest.
#[tokio::test]
async fn records_keep_the_newest_within_the_limit_and_count_the_rest() {
    let sb = Sandbox::builder().record_limit(50).start().await.unwrap();
    let http = http(&sb);
    let general = sb.channel("general");
    for n in 0..120 {
        sb.actor("alice").say(general, &format!("line {n}"));
    }
    let transcript = sb.transcript();
    assert_eq!(transcript.len(), 50);
    assert_eq!(transcript.first().unwrap(), "alice in #general: line 70");
    assert_eq!(transcript.last().unwrap(), "alice in #general: line 119");
    assert_eq!(sb.transcript_dropped(), 70);

    for n in 0..60 {
        http.create_message(general)
            .content(&format!("reply {n}"))
            .await
            .unwrap();
    }
    let requests = sb.records().requests();
    assert_eq!(requests.len(), 50);
    assert_eq!(sb.records().dropped_requests(), 10);
    assert_eq!(
        requests.last().unwrap().body.as_ref().unwrap()["content"],
        "reply 59"
    );
    // The transcript went on too: the bot's replies are its newest lines.
    assert_eq!(sb.transcript_dropped(), 130);
    assert_eq!(
        sb.transcript().last().unwrap(),
        "herald-bot in #general: reply 59"
    );
}
