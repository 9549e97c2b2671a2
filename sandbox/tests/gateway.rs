//! A real twilight-gateway 0.18 shard against the sandbox gateway.

mod common;

use std::time::Duration;

use common::{WAIT, all_intents, ready, shard, shard_with, until};
use futures_util::StreamExt as _;
use herald_sandbox::{Sandbox, World};
use serde_json::json;
use twilight_gateway::{Event, EventTypeFlags, Intents, Message, StreamExt as _};
use twilight_model::{
    application::interaction::{InteractionData, InteractionType},
    gateway::payload::incoming::GuildCreate,
    guild::Permissions,
};

#[tokio::test]
async fn connect_ready_then_guild_create() {
    let sb = Sandbox::start().await.unwrap();
    let mut shard = shard(&sb, all_intents());
    let ready = until(&mut shard, "READY", |e| match e {
        Event::Ready(r) => Some(r),
        _ => None,
    })
    .await;
    assert_eq!(ready.user.id, sb.bot_user_id());
    assert_eq!(ready.user.name, "herald-bot");
    assert_eq!(ready.application.id, sb.application_id());
    assert_eq!(ready.guilds.len(), 1);
    assert_eq!(ready.guilds[0].id, sb.guild("Herald Test"));
    assert_eq!(ready.resume_gateway_url, sb.gateway_url());
    assert_eq!(shard.resume_url(), Some(sb.gateway_url().as_str()));

    let guild = until(&mut shard, "GUILD_CREATE", |e| match e {
        Event::GuildCreate(g) => match *g {
            GuildCreate::Available(g) => Some(g),
            GuildCreate::Unavailable(_) => None,
        },
        _ => None,
    })
    .await;
    assert_eq!(guild.name, "Herald Test");
    assert_eq!(guild.channels.len(), 7);
    assert!(guild.roles.iter().any(|r| r.name == "Moderator"));
    assert_eq!(guild.emojis.len(), 2);
    // GUILD_PRESENCES asked: every member is sent.
    assert_eq!(guild.members.len(), 5);
    assert_eq!(guild.member_count, Some(5));

    let conn = sb.records().wait_for_connection(0, WAIT).await.unwrap();
    assert_eq!(conn.shard, [0, 1]);
    assert_eq!(conn.seq, 2);
    let identifies = sb.records().identifies();
    assert_eq!(identifies.len(), 1);
    assert_eq!(identifies[0].intents, all_intents());
    assert_eq!(identifies[0].rejected_with, None);
}

#[tokio::test]
async fn actor_say_arrives_as_message_create() {
    let sb = Sandbox::start().await.unwrap();
    let mut shard = shard(&sb, all_intents());
    ready(&mut shard).await;
    let general = sb.channel("general");
    let id = sb.actor("alice").say(general, "hello bot");
    let msg = until(&mut shard, "MESSAGE_CREATE", |e| match e {
        Event::MessageCreate(m) => Some(m),
        _ => None,
    })
    .await;
    assert_eq!(msg.id, id);
    assert_eq!(msg.content, "hello bot");
    assert_eq!(msg.channel_id, general);
    assert_eq!(msg.guild_id, Some(sb.guild("Herald Test")));
    assert_eq!(msg.author.id, sb.user("alice"));
    let member = msg.member.as_ref().expect("guild messages carry a member");
    assert_eq!(member.roles, vec![sb.role("Member")]);
    assert_eq!(sb.records().messages(general)[0].content, "hello bot");
}

/// Every actor action produces the event twilight expects, and each one
/// deserialises (the helper panics on any shard error).
#[tokio::test]
async fn every_actor_event_deserialises() {
    let sb = Sandbox::start().await.unwrap();
    let mut shard = shard(&sb, all_intents());
    ready(&mut shard).await;
    let guild = sb.guild("Herald Test");
    let general = sb.channel("general");
    let voice = sb.channel("Voice");
    let alice = sb.actor("alice");
    let moderator = sb.actor("mod");

    macro_rules! expect {
        ($what:literal, $pat:pat => $body:expr) => {
            until(&mut shard, $what, |e| match e {
                $pat => Some($body),
                _ => None,
            })
            .await
        };
    }

    let msg = alice.say(general, "one");
    expect!("MESSAGE_CREATE", Event::MessageCreate(m) => assert_eq!(m.id, msg));
    alice.edit(general, msg, "two");
    expect!("MESSAGE_UPDATE", Event::MessageUpdate(m) => {
        assert_eq!(m.content, "two");
        assert!(m.edited_timestamp.is_some());
    });
    alice.react(general, msg, "✅");
    expect!("REACTION_ADD", Event::ReactionAdd(r) => {
        assert_eq!(r.user_id, sb.user("alice"));
        assert!(r.member.is_some());
    });
    let custom = sb.emoji("herald");
    alice.react(general, msg, &custom);
    expect!("REACTION_ADD custom", Event::ReactionAdd(r) => assert_eq!(r.message_id, msg));
    alice.unreact(general, msg, "✅");
    expect!("REACTION_REMOVE", Event::ReactionRemove(r) => assert_eq!(r.message_id, msg));
    alice.typing(general);
    expect!("TYPING_START", Event::TypingStart(t) => assert_eq!(t.channel_id, general));
    alice.delete(general, msg);
    expect!("MESSAGE_DELETE", Event::MessageDelete(d) => assert_eq!(d.id, msg));

    let dave = sb.actor("dave");
    dave.join(guild);
    expect!("MEMBER_ADD", Event::MemberAdd(m) => assert_eq!(m.user.id, dave.id()));
    dave.set_nick(guild, Some("D"));
    expect!("MEMBER_UPDATE", Event::MemberUpdate(m) => assert_eq!(m.nick.as_deref(), Some("D")));
    dave.add_role(guild, sb.role("Member"));
    expect!("MEMBER_UPDATE roles", Event::MemberUpdate(m) => assert_eq!(m.roles, vec![sb.role("Member")]));
    dave.leave(guild);
    expect!("MEMBER_REMOVE", Event::MemberRemove(m) => assert_eq!(m.user.id, dave.id()));

    moderator.ban(guild, sb.user("bob"), "spam");
    expect!("BAN_ADD", Event::BanAdd(b) => assert_eq!(b.user.id, sb.user("bob")));
    expect!("MEMBER_REMOVE after ban", Event::MemberRemove(m) => assert_eq!(m.user.id, sb.user("bob")));
    expect!("AUDIT_LOG_ENTRY", Event::GuildAuditLogEntryCreate(e) => {
        assert_eq!(e.reason.as_deref(), Some("spam"));
        assert_eq!(e.user_id, Some(sb.user("mod")));
    });
    moderator.unban(guild, sb.user("bob"));
    expect!("BAN_REMOVE", Event::BanRemove(b) => assert_eq!(b.user.id, sb.user("bob")));

    alice.voice_join(voice);
    expect!("VOICE_STATE join", Event::VoiceStateUpdate(v) => assert_eq!(v.channel_id, Some(voice)));
    alice.set_self_mute(true);
    expect!("VOICE_STATE mute", Event::VoiceStateUpdate(v) => assert!(v.self_mute));
    alice.voice_leave();
    expect!("VOICE_STATE leave", Event::VoiceStateUpdate(v) => assert_eq!(v.channel_id, None));

    let (dm, _) = alice.dm_bot("psst");
    expect!("DM MESSAGE_CREATE", Event::MessageCreate(m) => {
        assert_eq!(m.channel_id, dm);
        assert_eq!(m.guild_id, None);
        assert_eq!(m.content, "psst");
    });

    let with_button = alice.post(
        general,
        "pick",
        Vec::new(),
        vec![json!({"type": 1, "components": [
            {"type": 2, "style": 1, "label": "OK", "custom_id": "ok"}
        ]})],
    );
    expect!("MESSAGE_CREATE with components", Event::MessageCreate(m) => assert_eq!(m.components.len(), 1));
    let sent = alice.click_button(with_button, "ok");
    expect!("button INTERACTION_CREATE", Event::InteractionCreate(i) => {
        assert_eq!(i.id, sent.id);
        assert_eq!(i.token, sent.token);
        assert_eq!(i.kind, InteractionType::MessageComponent);
        assert_eq!(i.message.as_ref().map(|m| m.id), Some(with_button));
        let Some(InteractionData::MessageComponent(data)) = &i.data else { panic!("{:?}", i.data) };
        assert_eq!(data.custom_id, "ok");
        assert!(i.member.as_ref().unwrap().permissions.is_some());
    });
    alice.select(with_button, "menu", &["a", "b"]);
    expect!("select INTERACTION_CREATE", Event::InteractionCreate(i) => {
        let Some(InteractionData::MessageComponent(data)) = &i.data else { panic!("{:?}", i.data) };
        assert_eq!(data.values, vec!["a".to_owned(), "b".to_owned()]);
    });
    alice.submit_modal(
        general,
        "report",
        &[("reason", "rude"), ("details", "very")],
    );
    expect!("modal INTERACTION_CREATE", Event::InteractionCreate(i) => {
        assert_eq!(i.kind, InteractionType::ModalSubmit);
        let Some(InteractionData::ModalSubmit(data)) = &i.data else { panic!("{:?}", i.data) };
        assert_eq!(data.custom_id, "report");
        assert_eq!(data.components.len(), 2);
    });
    // bob was banned above: resolve carol, still a member.
    let carol = sb.user("carol");
    moderator.slash_command(
        general,
        "warn",
        &[
            ("user", carol.into()),
            ("reason", "spam".into()),
            ("days", 3_i64.into()),
            ("role", sb.role("Member").into()),
            ("where", general.into()),
            ("silent", true.into()),
        ],
    );
    expect!("slash INTERACTION_CREATE", Event::InteractionCreate(i) => {
        assert_eq!(i.kind, InteractionType::ApplicationCommand);
        let Some(InteractionData::ApplicationCommand(data)) = &i.data else { panic!("{:?}", i.data) };
        assert_eq!(data.name, "warn");
        assert_eq!(data.options.len(), 6);
        let resolved = data.resolved.as_ref().expect("resolved data");
        assert!(resolved.users.contains_key(&carol));
        assert!(resolved.members.contains_key(&carol));
        assert_eq!(resolved.roles.len(), 1);
        assert_eq!(resolved.channels.len(), 1);
        let perms = i.member.as_ref().unwrap().permissions.unwrap();
        assert!(perms.contains(Permissions::BAN_MEMBERS));
    });
}

#[tokio::test]
async fn without_message_content_text_is_blanked_unless_mentioned() {
    let sb = Sandbox::start().await.unwrap();
    let intents = Intents::GUILDS | Intents::GUILD_MESSAGES | Intents::DIRECT_MESSAGES;
    let mut shard = shard(&sb, intents);
    ready(&mut shard).await;
    let general = sb.channel("general");
    let alice = sb.actor("alice");
    alice.say(general, "secret");
    let m = until(&mut shard, "MESSAGE_CREATE", |e| match e {
        Event::MessageCreate(m) => Some(m),
        _ => None,
    })
    .await;
    assert_eq!(m.content, "");
    alice.say(general, &format!("<@{}> hi", sb.bot_user_id()));
    let m = until(&mut shard, "MESSAGE_CREATE", |e| match e {
        Event::MessageCreate(m) => Some(m),
        _ => None,
    })
    .await;
    assert_eq!(m.content, format!("<@{}> hi", sb.bot_user_id()));
    assert_eq!(m.mentions.len(), 1);
    alice.dm_bot("dm text");
    let m = until(&mut shard, "DM", |e| match e {
        Event::MessageCreate(m) => Some(m),
        _ => None,
    })
    .await;
    assert_eq!(m.content, "dm text");
    // The store keeps the real content.
    assert_eq!(sb.records().messages(general)[0].content, "secret");
}

#[tokio::test]
async fn intents_filter_events() {
    let sb = Sandbox::start().await.unwrap();
    // No GUILD_MESSAGE_TYPING, no GUILD_MEMBERS, no GUILD_PRESENCES.
    let intents = Intents::GUILDS | Intents::GUILD_MESSAGES | Intents::MESSAGE_CONTENT;
    let mut shard = shard(&sb, intents);
    let guild = until(&mut shard, "GUILD_CREATE", |e| match e {
        Event::GuildCreate(g) => match *g {
            GuildCreate::Available(g) => Some(g),
            GuildCreate::Unavailable(_) => None,
        },
        _ => None,
    })
    .await;
    // Without GUILD_PRESENCES only the bot (and voice users) are sent.
    assert_eq!(guild.members.len(), 1);
    assert_eq!(guild.members[0].user.id, sb.bot_user_id());

    let general = sb.channel("general");
    let alice = sb.actor("alice");
    alice.typing(general);
    sb.actor("dave").join(sb.guild("Herald Test"));
    alice.say(general, "after");
    let first = until(&mut shard, "next dispatch", |e| match e {
        Event::TypingStart(_) | Event::MemberAdd(_) | Event::MessageCreate(_) => Some(e),
        _ => None,
    })
    .await;
    let Event::MessageCreate(m) = first else {
        panic!("an event the intents exclude arrived: {first:?}")
    };
    assert_eq!(m.content, "after");
}

/// twilight 0.18 drops GUILD_STICKERS_UPDATE from `next_event` (known gap);
/// the raw frame still arrives.
#[tokio::test]
async fn dispatch_raw_reaches_the_shard() {
    let sb = Sandbox::start().await.unwrap();
    let mut shard = shard(&sb, all_intents());
    ready(&mut shard).await;
    let guild = sb.guild("Herald Test");
    sb.admin().dispatch_raw(
        "GUILD_STICKERS_UPDATE",
        json!({"guild_id": guild.to_string(), "stickers": []}),
    );
    let text = tokio::time::timeout(WAIT, async {
        loop {
            match shard.next().await {
                Some(Ok(Message::Text(text))) if text.contains("GUILD_STICKERS_UPDATE") => {
                    break text;
                }
                Some(Ok(_)) => {}
                other => panic!("unexpected {other:?}"),
            }
        }
    })
    .await
    .expect("raw frame");
    assert!(text.starts_with(r#"{"t":"GUILD_STICKERS_UPDATE","s":3,"op":0,"d":{"#));
}

#[tokio::test]
async fn two_shards_split_guilds() {
    // Guilds created one after the other get consecutive `id >> 22`, so
    // with two shards they land on different shards.
    let mut world = World::new("bot");
    let first = world.add_guild("First");
    let second = world.add_guild("Second");
    world.add_text_channel(first, "general");
    let lobby = world.add_text_channel(second, "lobby");
    let bot = world.bot_user_id();
    world.add_member(first, bot, &[]);
    world.add_member(second, bot, &[]);
    let zed = world.add_user("zed");
    world.add_member(second, zed, &[]);
    let sb = Sandbox::builder().world(world).start().await.unwrap();
    let first_shard = (first.get() >> 22) % 2;
    let second_shard = (second.get() >> 22) % 2;
    assert_ne!(first_shard, second_shard);

    let mut shards = [
        shard_with(&sb, 0, 2, sb.token(), all_intents()),
        shard_with(&sb, 1, 2, sb.token(), all_intents()),
    ];
    for (index, shard) in shards.iter_mut().enumerate() {
        let expected = if index as u64 == first_shard {
            first
        } else {
            second
        };
        let got = until(shard, "GUILD_CREATE", |e| match e {
            Event::GuildCreate(g) => Some(g.id()),
            _ => None,
        })
        .await;
        assert_eq!(got, expected, "shard {index}");
    }
    sb.actor("zed").say(lobby, "in second");
    let m = until(
        &mut shards[second_shard as usize],
        "MESSAGE_CREATE",
        |e| match e {
            Event::MessageCreate(m) => Some(m),
            _ => None,
        },
    )
    .await;
    assert_eq!(m.content, "in second");
    let conns = sb.records().connections();
    assert_eq!(conns.len(), 2);
    // The other shard's session got nothing after its GUILD_CREATE.
    let other = conns
        .iter()
        .find(|c| c.shard[0] == first_shard as u32)
        .unwrap();
    assert_eq!(other.seq, 2);
}

#[tokio::test]
async fn wrong_token_closes_4004_and_the_shard_stops() {
    let sb = Sandbox::start().await.unwrap();
    let mut shard = shard_with(&sb, 0, 1, "not-the-token".into(), all_intents());
    let frame = until(&mut shard, "GatewayClose", |e| match e {
        Event::GatewayClose(frame) => Some(frame),
        _ => None,
    })
    .await;
    assert_eq!(frame.map(|f| f.code), Some(4004));
    let end = tokio::time::timeout(WAIT, shard.next_event(EventTypeFlags::all()))
        .await
        .unwrap();
    assert!(
        end.is_none(),
        "the shard should end after 4004, got {end:?}"
    );
    assert_eq!(sb.records().identifies()[0].rejected_with, Some(4004));
}

#[tokio::test]
async fn disallowed_privileged_intent_closes_4014() {
    let sb = Sandbox::builder()
        .allowed_privileged_intents(Intents::GUILD_MEMBERS)
        .start()
        .await
        .unwrap();
    let mut shard = shard(&sb, Intents::GUILDS | Intents::MESSAGE_CONTENT);
    let frame = until(&mut shard, "GatewayClose", |e| match e {
        Event::GatewayClose(frame) => Some(frame),
        _ => None,
    })
    .await;
    assert_eq!(frame.map(|f| f.code), Some(4014));
    let end = tokio::time::timeout(WAIT, shard.next_event(EventTypeFlags::all()))
        .await
        .unwrap();
    assert!(end.is_none());
}

#[tokio::test]
async fn client_close_is_echoed() {
    let sb = Sandbox::start().await.unwrap();
    let mut shard = shard(&sb, all_intents());
    ready(&mut shard).await;
    shard.close(twilight_gateway::CloseFrame::NORMAL);
    let frame = until(&mut shard, "GatewayClose", |e| match e {
        Event::GatewayClose(frame) => Some(frame),
        _ => None,
    })
    .await;
    assert_eq!(frame.map(|f| f.code), Some(1000));
    sb.records()
        .wait_for_disconnect(0, Duration::from_secs(2))
        .await
        .unwrap();
}

/// Polls `shard` until twilight's session has seen sequence `target`.
async fn catch_up(
    shard: &mut twilight_gateway::Shard<twilight_gateway::queue::InMemoryQueue>,
    target: u64,
) {
    tokio::time::timeout(WAIT, async {
        while shard.session().map(|s| s.sequence()) < Some(target) {
            match shard.next_event(EventTypeFlags::all()).await {
                Some(Ok(_)) => {}
                other => panic!("shard error or end while catching up: {other:?}"),
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("the shard did not reach sequence {target}"));
}

#[tokio::test]
async fn sequence_is_the_last_dispatch_queued_for_the_session() {
    let sb = Sandbox::start().await.unwrap();
    let handle = sb.shard(0);
    assert_eq!(handle.sequence(), None, "no session before IDENTIFY");
    // No GUILD_MESSAGE_TYPING nor GUILD_MESSAGE_REACTIONS: typing and
    // reaction events take no sequence number.
    let intents = Intents::GUILDS | Intents::GUILD_MESSAGES | Intents::MESSAGE_CONTENT;
    let mut shard = shard(&sb, intents);
    ready(&mut shard).await;
    // READY is 1, GUILD_CREATE 2.
    assert_eq!(handle.sequence(), Some(2));
    assert_eq!(shard.session().map(|s| s.sequence()), Some(2));

    let general = sb.channel("general");
    let alice = sb.actor("alice");
    let hi = alice.say(general, "hi");
    alice.typing(general);
    alice.react(general, hi, "✅");
    alice.burst(general, 100);
    // Queued before the calls returned: the target is known at once.
    let target = handle.sequence().unwrap();
    assert_eq!(target, 2 + 1 + 100);
    catch_up(&mut shard, target).await;
    assert_eq!(shard.session().map(|s| s.sequence()), Some(target));

    // While disconnected the session lives on and keeps numbering; the
    // resume replays, and RESUMED takes a number too.
    handle.reconnect().unwrap();
    until(&mut shard, "GatewayClose", |e| {
        matches!(e, Event::GatewayClose(_)).then_some(())
    })
    .await;
    sb.records().wait_for_disconnect(0, WAIT).await.unwrap();
    alice.say(general, "missed");
    assert_eq!(handle.sequence(), Some(target + 1));
    until(&mut shard, "RESUMED", |e| {
        matches!(e, Event::Resumed).then_some(())
    })
    .await;
    assert_eq!(handle.sequence(), Some(target + 2));
    assert_eq!(shard.session().map(|s| s.sequence()), Some(target + 2));

    // A session that ends is gone; the new one starts over.
    let old = handle.session_id();
    handle.invalid_session(false).unwrap();
    until(&mut shard, "GUILD_CREATE", |e| {
        matches!(e, Event::GuildCreate(_)).then_some(())
    })
    .await;
    assert_ne!(handle.session_id(), old);
    assert_eq!(handle.sequence(), Some(2));
    assert_eq!(sb.shard(1).sequence(), None, "no shard 1");
}
