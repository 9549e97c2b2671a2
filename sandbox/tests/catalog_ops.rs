//! The world-change operations behind the rest of the gateway event
//! catalogue: each one reaches a real twilight-gateway 0.18 shard as the
//! event Discord sends, twilight deserialises it, intents withhold it, and
//! the world (GUILD_CREATE after a reconnect) reflects it. The last cases
//! cover invites, webhooks, integrations, audit log entries, voice servers,
//! poll votes and entitlements.

mod common;

use std::time::Duration;

use common::{WAIT, all_intents, http, init};
use futures_util::StreamExt as _;
use herald_sandbox::{Sandbox, World};
use serde_json::Value;
use twilight_gateway::{
    ConfigBuilder, Event, EventTypeFlags, Intents, Message, Shard, ShardId, queue::InMemoryQueue,
};
use twilight_http::request::{
    application::monetization::CreateTestEntitlementOwner, channel::reaction::RequestReactionType,
};
use twilight_model::{
    application::monetization::EntitlementType,
    channel::{ChannelType, message::sticker::StickerType},
    gateway::{
        event::{GatewayEvent, GatewayEventDeserializer},
        payload::{
            incoming::{EntitlementDelete, EntitlementUpdate, GuildCreate, GuildStickersUpdate},
            outgoing::UpdateVoiceState,
        },
        presence::Status,
    },
    guild::{
        Guild, GuildIntegrationType,
        audit_log::{AuditLogEntry, AuditLogEventType},
    },
    id::{Id, marker::SkuMarker},
};

/// One dispatch as the shard received it.
struct Dispatch {
    name: String,
    /// What twilight made of it (`None`: an event twilight does not know,
    /// GUILD_STICKERS_UPDATE).
    event: Option<Event>,
    raw: String,
}

fn shard_for(sb: &Sandbox, intents: Intents) -> Shard<InMemoryQueue> {
    init();
    let config = ConfigBuilder::new(sb.token(), intents)
        .proxy_url(sb.gateway_url())
        .queue(InMemoryQueue::new(0, 0, Duration::ZERO, 0))
        .build();
    Shard::with_config(ShardId::ONE, config)
}

/// The next dispatch on the shard, parsed with `twilight_gateway::parse`
/// (all event types wanted); panics if twilight cannot deserialise it.
async fn next_dispatch(shard: &mut Shard<InMemoryQueue>) -> Dispatch {
    let fut = async {
        loop {
            let text = match shard.next().await {
                Some(Ok(Message::Text(text))) => text,
                Some(Ok(Message::Close(frame))) => panic!("the shard closed: {frame:?}"),
                Some(Err(error)) => panic!("shard error: {error:?}"),
                None => panic!("the shard ended"),
            };
            let envelope: Value = serde_json::from_str(&text).expect("JSON frame");
            if envelope["op"] != 0 {
                continue;
            }
            let name = envelope["t"].as_str().expect("t").to_owned();
            let event = match twilight_gateway::parse(text.clone(), EventTypeFlags::all()) {
                Ok(Some(GatewayEvent::Dispatch(_, event))) => Some(Event::from(event)),
                Ok(None) => None,
                Ok(Some(other)) => panic!("{name} parsed as {other:?}"),
                Err(error) => panic!("twilight cannot deserialise {name}: {error:?}\n{text}"),
            };
            return Dispatch {
                name,
                event,
                raw: text,
            };
        }
    };
    tokio::time::timeout(WAIT, fut)
        .await
        .expect("timed out waiting for a dispatch")
}

/// The next dispatch, which must be `name`.
async fn expect(shard: &mut Shard<InMemoryQueue>, name: &str) -> Dispatch {
    let d = next_dispatch(shard).await;
    assert_eq!(d.name, name, "expected {name}, got {}", d.raw);
    d
}

/// Like [`expect`], returning twilight's event.
async fn event(shard: &mut Shard<InMemoryQueue>, name: &str) -> Event {
    let d = expect(shard, name).await;
    d.event
        .unwrap_or_else(|| panic!("twilight does not know {name}"))
}

/// Connects: READY, then one GUILD_CREATE per guild of the bot (`guilds`).
async fn connect(sb: &Sandbox, intents: Intents, guilds: usize) -> Shard<InMemoryQueue> {
    let mut shard = shard_for(sb, intents);
    expect(&mut shard, "READY").await;
    if intents.contains(Intents::GUILDS) {
        for _ in 0..guilds {
            expect(&mut shard, "GUILD_CREATE").await;
        }
    }
    shard
}

/// A new connection's GUILD_CREATE of the first guild.
async fn fresh_guild(sb: &Sandbox) -> Guild {
    let mut shard = shard_for(sb, all_intents());
    expect(&mut shard, "READY").await;
    match event(&mut shard, "GUILD_CREATE").await {
        Event::GuildCreate(g) => match *g {
            GuildCreate::Available(g) => g,
            GuildCreate::Unavailable(g) => panic!("unavailable {g:?}"),
        },
        other => panic!("{other:?}"),
    }
}

/// Asserts the next dispatch is the MESSAGE_CREATE of a sentinel message:
/// everything triggered before it was withheld.
async fn only_sentinel_arrives(sb: &Sandbox, shard: &mut Shard<InMemoryQueue>) {
    let before = sb.shard(0).sequence().expect("a session");
    let id = sb.actor("carol").say(sb.channel("general"), "sentinel");
    let Some(Event::MessageCreate(m)) = expect(shard, "MESSAGE_CREATE").await.event else {
        unreachable!()
    };
    assert_eq!(m.id, id);
    assert_eq!(sb.shard(0).sequence(), Some(before + 1));
}

#[tokio::test]
async fn guild_join_update_outage_and_remove() {
    let sb = Sandbox::start().await.unwrap();
    let mut shard = connect(&sb, all_intents(), 1).await;

    let guild = sb.admin().add_bot_to_guild("Second Home");
    let Event::GuildCreate(g) = event(&mut shard, "GUILD_CREATE").await else {
        unreachable!()
    };
    let GuildCreate::Available(g) = *g else {
        panic!("unavailable")
    };
    assert_eq!((g.id, g.name.as_str()), (guild, "Second Home"));
    assert!(
        g.channels
            .iter()
            .any(|c| c.name.as_deref() == Some("general"))
    );
    assert!(g.members.iter().any(|m| m.user.id == sb.bot_user_id()));

    sb.admin().update_guild(guild, "Third Home");
    let Event::GuildUpdate(u) = event(&mut shard, "GUILD_UPDATE").await else {
        unreachable!()
    };
    assert_eq!((u.id, u.name.as_str()), (guild, "Third Home"));
    assert_eq!(sb.guild("Third Home"), guild);

    sb.admin().guild_outage(guild);
    let Event::GuildDelete(d) = event(&mut shard, "GUILD_DELETE").await else {
        unreachable!()
    };
    assert_eq!((d.id, d.unavailable), (guild, Some(true)));
    // A new session: READY lists the guild, but only the other one gets a
    // GUILD_CREATE while the outage lasts.
    let mut second = shard_for(&sb, all_intents());
    let Event::Ready(ready) = event(&mut second, "READY").await else {
        unreachable!()
    };
    assert_eq!(ready.guilds.len(), 2);
    let Event::GuildCreate(g) = event(&mut second, "GUILD_CREATE").await else {
        unreachable!()
    };
    assert_eq!(g.id(), sb.guild("Herald Test"));

    sb.admin().guild_restored(guild);
    for s in [&mut shard, &mut second] {
        let Event::GuildCreate(g) = event(s, "GUILD_CREATE").await else {
            unreachable!()
        };
        let GuildCreate::Available(g) = *g else {
            panic!("unavailable")
        };
        assert_eq!((g.id, g.unavailable), (guild, Some(false)));
        assert_eq!(g.name, "Third Home");
    }

    sb.admin().remove_bot_from_guild(guild);
    let Event::GuildDelete(d) = event(&mut shard, "GUILD_DELETE").await else {
        unreachable!()
    };
    assert_eq!((d.id, d.unavailable), (guild, None));
    let mut third = shard_for(&sb, all_intents());
    let Event::Ready(ready) = event(&mut third, "READY").await else {
        unreachable!()
    };
    assert_eq!(ready.guilds.len(), 1, "the bot left the guild");

    let transcript = sb.transcript();
    for line in [
        "[admin] added herald-bot to Second Home",
        "[admin] renamed guild Second Home to Third Home",
        "[discord] Third Home is unavailable (outage)",
        "[discord] Third Home is available again",
        "[admin] removed herald-bot from Third Home",
    ] {
        assert!(
            transcript.iter().any(|l| l == line),
            "{line:?} in {transcript:#?}"
        );
    }
}

#[tokio::test]
async fn channels_pins_and_roles() {
    let sb = Sandbox::start().await.unwrap();
    let mut shard = connect(&sb, all_intents(), 1).await;
    let guild = sb.guild("Herald Test");

    let plans = sb.admin().create_channel(guild, "plans");
    let Event::ChannelCreate(c) = event(&mut shard, "CHANNEL_CREATE").await else {
        unreachable!()
    };
    assert_eq!((c.id, c.name.as_deref()), (plans, Some("plans")));
    assert_eq!(c.guild_id, Some(guild));
    sb.admin().rename_channel(plans, "roadmap");
    let Event::ChannelUpdate(c) = event(&mut shard, "CHANNEL_UPDATE").await else {
        unreachable!()
    };
    assert_eq!(c.name.as_deref(), Some("roadmap"));
    assert_eq!(sb.channel("roadmap"), plans);

    let msg = sb.actor("alice").say(plans, "pin me");
    expect(&mut shard, "MESSAGE_CREATE").await;
    sb.admin().pin(plans, msg);
    let Event::ChannelPinsUpdate(p) = event(&mut shard, "CHANNEL_PINS_UPDATE").await else {
        unreachable!()
    };
    assert_eq!((p.channel_id, p.guild_id), (plans, Some(guild)));
    assert!(p.last_pin_timestamp.is_some());
    sb.admin().unpin(plans, msg);
    let Event::ChannelPinsUpdate(p) = event(&mut shard, "CHANNEL_PINS_UPDATE").await else {
        unreachable!()
    };
    assert_eq!(p.last_pin_timestamp, None);

    let voice = sb.admin().create_voice_channel(guild, "Lounge");
    let Event::ChannelCreate(c) = event(&mut shard, "CHANNEL_CREATE").await else {
        unreachable!()
    };
    assert_eq!((c.id, c.kind), (voice, ChannelType::GuildVoice));
    sb.admin().delete_channel(voice);
    let Event::ChannelDelete(c) = event(&mut shard, "CHANNEL_DELETE").await else {
        unreachable!()
    };
    assert_eq!(c.id, voice);

    let helper = sb.admin().create_role(guild, "Helper");
    let Event::RoleCreate(r) = event(&mut shard, "GUILD_ROLE_CREATE").await else {
        unreachable!()
    };
    assert_eq!(
        (r.guild_id, r.role.id, r.role.name.as_str()),
        (guild, helper, "Helper")
    );
    sb.admin().rename_role(helper, "Helpers");
    let Event::RoleUpdate(r) = event(&mut shard, "GUILD_ROLE_UPDATE").await else {
        unreachable!()
    };
    assert_eq!(r.role.name, "Helpers");
    let gone = sb.admin().create_role(guild, "Temp");
    expect(&mut shard, "GUILD_ROLE_CREATE").await;
    sb.admin().delete_role(guild, gone);
    let Event::RoleDelete(r) = event(&mut shard, "GUILD_ROLE_DELETE").await else {
        unreachable!()
    };
    assert_eq!((r.guild_id, r.role_id), (guild, gone));

    // The world remembers: a new connection's GUILD_CREATE reflects it all.
    let g = fresh_guild(&sb).await;
    assert!(
        g.channels
            .iter()
            .any(|c| c.id == plans && c.name.as_deref() == Some("roadmap"))
    );
    assert!(!g.channels.iter().any(|c| c.id == voice));
    assert!(
        g.roles
            .iter()
            .any(|r| r.id == helper && r.name == "Helpers")
    );
    assert!(!g.roles.iter().any(|r| r.id == gone));

    sb.admin().delete_channel(plans);
    let Event::ChannelDelete(c) = event(&mut shard, "CHANNEL_DELETE").await else {
        unreachable!()
    };
    assert_eq!(c.id, plans);
    assert!(sb.records().messages(plans).is_empty());
    let transcript = sb.transcript();
    for line in [
        "[admin] created channel #plans in Herald Test",
        "[admin] renamed channel #plans to #roadmap",
        "[admin] pinned a message in #roadmap",
        "[admin] created voice channel Lounge in Herald Test",
        "[admin] renamed role Helper to Helpers",
        "[admin] deleted channel #roadmap",
    ] {
        assert!(
            transcript.iter().any(|l| l == line),
            "{line:?} in {transcript:#?}"
        );
    }
}

#[tokio::test]
async fn emojis_and_stickers() {
    let mut world = World::demo();
    let guild = world.guild_id("Herald Test").unwrap();
    let old_sticker = world.add_sticker(guild, "wave");
    let sb = Sandbox::builder().world(world).start().await.unwrap();
    let mut shard = connect(&sb, all_intents(), 1).await;
    let herald = sb.emoji_id("herald");

    let ids = sb.admin().set_emojis(guild, &["herald", "cool"]);
    assert_eq!(ids[0], herald, "a kept name keeps its id");
    let Event::GuildEmojisUpdate(e) = event(&mut shard, "GUILD_EMOJIS_UPDATE").await else {
        unreachable!()
    };
    assert_eq!(e.guild_id, guild);
    let names: Vec<&str> = e.emojis.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["herald", "cool"]);
    assert_eq!(e.emojis[1].id, ids[1]);

    let stickers = sb.admin().set_stickers(guild, &["wave", "cat"]);
    assert_eq!(stickers[0], old_sticker);
    // twilight 0.18 does not know GUILD_STICKERS_UPDATE: decode `d` directly.
    let d = expect(&mut shard, "GUILD_STICKERS_UPDATE").await;
    assert!(d.event.is_none());
    let envelope: Value = serde_json::from_str(&d.raw).unwrap();
    let update: GuildStickersUpdate = serde_json::from_value(envelope["d"].clone()).unwrap();
    assert_eq!(update.guild_id, guild);
    let cat = &update.stickers[1];
    assert_eq!((cat.id, cat.name.as_str()), (stickers[1], "cat"));
    assert_eq!(cat.kind, StickerType::Guild);
    assert_eq!(cat.guild_id, Some(guild));
    assert!(cat.available);

    let g = fresh_guild(&sb).await;
    assert_eq!(g.emojis.len(), 2);
    let sticker_names: Vec<&str> = g.stickers.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(sticker_names, ["wave", "cat"]);
    assert!(
        sb.transcript()
            .iter()
            .any(|l| l == "[admin] set the emojis of Herald Test to :herald:, :cool:")
    );
}

#[tokio::test]
async fn bulk_delete_and_reaction_clears_from_the_sandbox_and_rest() {
    let sb = Sandbox::start().await.unwrap();
    let mut shard = connect(&sb, all_intents(), 1).await;
    let general = sb.channel("general");
    let guild = sb.guild("Herald Test");
    let alice = sb.actor("alice");
    let ids: Vec<_> = (0..4)
        .map(|i| alice.say(general, &format!("m{i}")))
        .collect();
    for _ in 0..4 {
        expect(&mut shard, "MESSAGE_CREATE").await;
    }

    sb.admin().bulk_delete(general, &ids[..2]);
    let Event::MessageDeleteBulk(b) = event(&mut shard, "MESSAGE_DELETE_BULK").await else {
        unreachable!()
    };
    assert_eq!((b.channel_id, b.guild_id), (general, Some(guild)));
    assert_eq!(b.ids, ids[..2]);
    assert_eq!(sb.records().messages(general).len(), 2);

    let http = http(&sb);
    http.delete_messages(general, &ids[2..]).await.unwrap();
    let Event::MessageDeleteBulk(b) = event(&mut shard, "MESSAGE_DELETE_BULK").await else {
        unreachable!()
    };
    assert_eq!(b.ids, ids[2..]);
    assert!(sb.records().messages(general).is_empty());

    let msg = alice.say(general, "react here");
    expect(&mut shard, "MESSAGE_CREATE").await;
    let party = sb.emoji("party");
    for emoji in ["✅", "👍", party.as_str()] {
        alice.react(general, msg, emoji);
        expect(&mut shard, "MESSAGE_REACTION_ADD").await;
    }
    sb.admin().clear_reaction_emoji(general, msg, "✅");
    let Event::ReactionRemoveEmoji(r) = event(&mut shard, "MESSAGE_REACTION_REMOVE_EMOJI").await
    else {
        unreachable!()
    };
    assert_eq!(
        (r.channel_id, r.message_id, r.guild_id),
        (general, msg, guild)
    );
    assert_eq!(sb.records().messages(general)[0].reactions.len(), 2);

    let (name, id) = party.split_once(':').unwrap();
    let custom = RequestReactionType::Custom {
        id: id.parse().unwrap(),
        name: Some(name),
    };
    http.delete_all_reaction(general, msg, &custom)
        .await
        .unwrap();
    let Event::ReactionRemoveEmoji(r) = event(&mut shard, "MESSAGE_REACTION_REMOVE_EMOJI").await
    else {
        unreachable!()
    };
    assert_eq!(r.message_id, msg);
    assert_eq!(sb.records().messages(general)[0].reactions.len(), 1);

    http.delete_all_reactions(general, msg).await.unwrap();
    let Event::ReactionRemoveAll(r) = event(&mut shard, "MESSAGE_REACTION_REMOVE_ALL").await else {
        unreachable!()
    };
    assert_eq!(
        (r.channel_id, r.message_id, r.guild_id),
        (general, msg, Some(guild))
    );
    assert!(sb.records().messages(general)[0].reactions.is_empty());
    alice.react(general, msg, "✅");
    expect(&mut shard, "MESSAGE_REACTION_ADD").await;
    sb.admin().clear_reactions(general, msg);
    event(&mut shard, "MESSAGE_REACTION_REMOVE_ALL").await;

    alice.react(general, msg, "✅");
    expect(&mut shard, "MESSAGE_REACTION_ADD").await;
    http.delete_reaction(
        general,
        msg,
        &RequestReactionType::Unicode { name: "✅" },
        alice.id(),
    )
    .await
    .unwrap();
    let Event::ReactionRemove(r) = event(&mut shard, "MESSAGE_REACTION_REMOVE").await else {
        unreachable!()
    };
    assert_eq!(r.user_id, alice.id());

    http.create_pin(general, msg).await.unwrap();
    let Event::ChannelPinsUpdate(p) = event(&mut shard, "CHANNEL_PINS_UPDATE").await else {
        unreachable!()
    };
    assert!(p.last_pin_timestamp.is_some());

    let transcript = sb.transcript();
    for line in [
        "[admin] deleted 2 messages in #general",
        "herald-bot deleted 2 messages in #general",
        "[admin] removed the ✅ reactions from a message in #general",
        "herald-bot removed the :party: reactions from a message in #general",
        "herald-bot removed all reactions from a message in #general",
        "herald-bot removed alice's ✅ reaction from a message in #general",
        "herald-bot pinned a message in #general",
    ] {
        assert!(
            transcript.iter().any(|l| l == line),
            "{line:?} in {transcript:#?}"
        );
    }
}

#[tokio::test]
async fn usernames_and_presences() {
    let sb = Sandbox::start().await.unwrap();
    let mut shard = connect(&sb, all_intents(), 1).await;
    let guild = sb.guild("Herald Test");
    let alice = sb.user("alice");

    sb.admin().rename_user(alice, "alicia");
    let Event::MemberUpdate(m) = event(&mut shard, "GUILD_MEMBER_UPDATE").await else {
        unreachable!()
    };
    assert_eq!(
        (m.guild_id, m.user.id, m.user.name.as_str()),
        (guild, alice, "alicia")
    );
    assert_eq!(sb.user("alicia"), alice);

    sb.admin().set_user_presence(alice, "idle");
    let Event::PresenceUpdate(p) = event(&mut shard, "PRESENCE_UPDATE").await else {
        unreachable!()
    };
    assert_eq!(
        (p.guild_id, p.status, p.user.id()),
        (guild, Status::Idle, alice)
    );
    sb.actor("bob").set_status("dnd");
    let Event::PresenceUpdate(p) = event(&mut shard, "PRESENCE_UPDATE").await else {
        unreachable!()
    };
    assert_eq!(p.status, Status::DoNotDisturb);
    sb.actor("bob").set_status("invisible");
    let Event::PresenceUpdate(p) = event(&mut shard, "PRESENCE_UPDATE").await else {
        unreachable!()
    };
    assert_eq!(p.status, Status::Offline);

    let g = fresh_guild(&sb).await;
    assert_eq!(g.presences.len(), 1, "bob is offline: {:?}", g.presences);
    assert_eq!(g.presences[0].status, Status::Idle);
    assert!(g.members.iter().any(|m| m.user.name == "alicia"));

    // The bot's own rename is a USER_UPDATE too.
    sb.admin().rename_user(sb.bot_user_id(), "herald");
    let Event::UserUpdate(u) = event(&mut shard, "USER_UPDATE").await else {
        unreachable!()
    };
    assert_eq!(u.name, "herald");
    let Event::MemberUpdate(m) = event(&mut shard, "GUILD_MEMBER_UPDATE").await else {
        unreachable!()
    };
    assert_eq!(m.user.id, sb.bot_user_id());
    let transcript = sb.transcript();
    for line in [
        "alice changed their username to alicia",
        "alicia is now idle",
        "bob is now do not disturb",
        "bob went offline",
    ] {
        assert!(
            transcript.iter().any(|l| l == line),
            "{line:?} in {transcript:#?}"
        );
    }
}

#[tokio::test]
async fn threads() {
    let sb = Sandbox::start().await.unwrap();
    let mut shard = connect(&sb, all_intents(), 1).await;
    let guild = sb.guild("Herald Test");
    let general = sb.channel("general");
    let alice = sb.actor("alice");

    let plans = alice.create_thread(general, "plans");
    let Event::ThreadCreate(t) = event(&mut shard, "THREAD_CREATE").await else {
        unreachable!()
    };
    assert_eq!((t.id, t.kind), (plans, ChannelType::PublicThread));
    assert_eq!((t.parent_id, t.owner_id), (Some(general), Some(alice.id())));
    assert!(t.thread_metadata.is_some());
    assert_eq!(t.newly_created, Some(true));
    assert_eq!(sb.channel("plans"), plans);

    // Messages go in threads like in channels.
    alice.say(plans, "in the thread");
    let Event::MessageCreate(m) = event(&mut shard, "MESSAGE_CREATE").await else {
        unreachable!()
    };
    assert_eq!(m.channel_id, plans);

    sb.admin().rename_thread(plans, "roadmap");
    let Event::ThreadUpdate(t) = event(&mut shard, "THREAD_UPDATE").await else {
        unreachable!()
    };
    assert_eq!(t.name.as_deref(), Some("roadmap"));

    let bob = sb.user("bob");
    sb.admin().thread_add_member(plans, bob);
    let Event::ThreadMembersUpdate(u) = event(&mut shard, "THREAD_MEMBERS_UPDATE").await else {
        unreachable!()
    };
    assert_eq!((u.id, u.guild_id, u.member_count), (plans, guild, 2));
    assert_eq!(u.added_members.len(), 1);
    assert_eq!(u.added_members[0].user_id, Some(bob));
    assert!(u.added_members[0].member.is_some());
    sb.admin().thread_remove_member(plans, bob);
    let Event::ThreadMembersUpdate(u) = event(&mut shard, "THREAD_MEMBERS_UPDATE").await else {
        unreachable!()
    };
    assert_eq!(
        (u.member_count, u.removed_member_ids.as_slice()),
        (1, &[bob][..])
    );

    let g = fresh_guild(&sb).await;
    assert_eq!(g.threads.len(), 1);
    assert_eq!(g.threads[0].name.as_deref(), Some("roadmap"));

    sb.admin().delete_thread(plans);
    let Event::ThreadDelete(d) = event(&mut shard, "THREAD_DELETE").await else {
        unreachable!()
    };
    assert_eq!((d.id, d.guild_id, d.parent_id), (plans, guild, general));
    assert_eq!(d.kind, ChannelType::PublicThread);

    let by_admin = sb.admin().create_thread(general, "notes");
    let Event::ThreadCreate(t) = event(&mut shard, "THREAD_CREATE").await else {
        unreachable!()
    };
    assert_eq!(t.id, by_admin);
    assert_eq!(t.owner_id, Some(sb.user("mod")));
    let transcript = sb.transcript();
    for line in [
        "alice created thread #plans in #general",
        "alice in #plans: in the thread",
        "[admin] renamed thread #plans to #roadmap",
        "[admin] added bob to thread #roadmap",
        "[admin] removed bob from thread #roadmap",
        "[admin] deleted thread #roadmap",
        "[admin] created thread #notes in #general",
    ] {
        assert!(
            transcript.iter().any(|l| l == line),
            "{line:?} in {transcript:#?}"
        );
    }
}

#[tokio::test]
async fn stage_instances() {
    let mut world = World::demo();
    let guild = world.guild_id("Herald Test").unwrap();
    let stage_channel = world.add_stage_channel(guild, "Town Hall");
    let sb = Sandbox::builder().world(world).start().await.unwrap();
    let mut shard = connect(&sb, all_intents(), 1).await;

    let stage = sb.admin().start_stage(stage_channel, "Roadmap Q&A");
    let Event::StageInstanceCreate(s) = event(&mut shard, "STAGE_INSTANCE_CREATE").await else {
        unreachable!()
    };
    assert_eq!(
        (s.id, s.channel_id, s.guild_id),
        (stage, stage_channel, guild)
    );
    assert_eq!(s.topic, "Roadmap Q&A");
    let g = fresh_guild(&sb).await;
    assert_eq!(g.stage_instances.len(), 1);
    assert!(
        g.channels
            .iter()
            .any(|c| c.id == stage_channel && c.kind == ChannelType::GuildStageVoice)
    );

    sb.admin().update_stage(stage, "Open mic");
    let Event::StageInstanceUpdate(s) = event(&mut shard, "STAGE_INSTANCE_UPDATE").await else {
        unreachable!()
    };
    assert_eq!(s.topic, "Open mic");
    sb.admin().end_stage(stage);
    let Event::StageInstanceDelete(s) = event(&mut shard, "STAGE_INSTANCE_DELETE").await else {
        unreachable!()
    };
    assert_eq!(s.id, stage);

    // A stage channel made at runtime works the same.
    let other = sb.admin().create_stage_channel(guild, "Podium");
    expect(&mut shard, "CHANNEL_CREATE").await;
    sb.admin().start_stage(other, "Live");
    expect(&mut shard, "STAGE_INSTANCE_CREATE").await;
    assert!(
        sb.transcript()
            .iter()
            .any(|l| l == "[admin] started a stage in Town Hall: Roadmap Q&A")
    );
}

#[tokio::test]
async fn scheduled_events_and_interest() {
    let sb = Sandbox::start().await.unwrap();
    let mut shard = connect(&sb, all_intents(), 1).await;
    let guild = sb.guild("Herald Test");

    let game = sb.admin().create_scheduled_event(guild, "Game night");
    let Event::GuildScheduledEventCreate(e) =
        event(&mut shard, "GUILD_SCHEDULED_EVENT_CREATE").await
    else {
        unreachable!()
    };
    assert_eq!(
        (e.id, e.guild_id, e.name.as_str()),
        (game, guild, "Game night")
    );
    assert_eq!(e.creator_id, Some(sb.user("mod")));

    let alice = sb.actor("alice");
    alice.interested(game);
    let Event::GuildScheduledEventUserAdd(a) =
        event(&mut shard, "GUILD_SCHEDULED_EVENT_USER_ADD").await
    else {
        unreachable!()
    };
    assert_eq!(
        (a.guild_scheduled_event_id, a.user_id, a.guild_id),
        (game, alice.id(), guild)
    );
    let g = fresh_guild(&sb).await;
    assert_eq!(g.guild_scheduled_events[0].user_count, Some(1));
    alice.not_interested(game);
    let Event::GuildScheduledEventUserRemove(r) =
        event(&mut shard, "GUILD_SCHEDULED_EVENT_USER_REMOVE").await
    else {
        unreachable!()
    };
    assert_eq!(r.user_id, alice.id());

    sb.admin().update_scheduled_event(game, "Movie night");
    let Event::GuildScheduledEventUpdate(e) =
        event(&mut shard, "GUILD_SCHEDULED_EVENT_UPDATE").await
    else {
        unreachable!()
    };
    assert_eq!(e.name, "Movie night");
    sb.admin().delete_scheduled_event(game);
    let Event::GuildScheduledEventDelete(e) =
        event(&mut shard, "GUILD_SCHEDULED_EVENT_DELETE").await
    else {
        unreachable!()
    };
    assert_eq!(e.id, game);
    let transcript = sb.transcript();
    for line in [
        "[admin] scheduled event \"Game night\" in Herald Test",
        "alice is interested in event \"Game night\"",
        "alice is no longer interested in event \"Game night\"",
        "[admin] renamed event \"Game night\" to \"Movie night\"",
        "[admin] deleted event \"Movie night\"",
    ] {
        assert!(
            transcript.iter().any(|l| l == line),
            "{line:?} in {transcript:#?}"
        );
    }
}

#[tokio::test]
async fn automod_rules_and_executions() {
    let sb = Sandbox::start().await.unwrap();
    let mut shard = connect(&sb, all_intents(), 1).await;
    let guild = sb.guild("Herald Test");
    let general = sb.channel("general");

    let rule = sb.admin().create_automod_rule(guild, "No spam", "spam");
    let Event::AutoModerationRuleCreate(r) = event(&mut shard, "AUTO_MODERATION_RULE_CREATE").await
    else {
        unreachable!()
    };
    assert_eq!(
        (r.id, r.guild_id, r.name.as_str()),
        (rule, guild, "No spam")
    );
    assert_eq!(
        r.trigger_metadata.keyword_filter.as_deref(),
        Some(&["spam".to_owned()][..])
    );

    let alice = sb.actor("alice");
    let blocked = alice.say(general, "buy SPAM today");
    let Event::AutoModerationActionExecution(x) =
        event(&mut shard, "AUTO_MODERATION_ACTION_EXECUTION").await
    else {
        unreachable!()
    };
    assert_eq!(
        (x.rule_id, x.guild_id, x.user_id),
        (rule, guild, alice.id())
    );
    assert_eq!(x.channel_id, Some(general));
    assert_eq!(x.content, "buy SPAM today");
    assert_eq!(x.matched_keyword.as_deref(), Some("spam"));
    assert_eq!(x.matched_content.as_deref(), Some("SPAM"));
    assert_eq!(x.message_id, None, "a blocked message is never created");
    assert!(
        sb.records()
            .messages(general)
            .iter()
            .all(|m| m.id != blocked)
    );
    // Words that only contain the keyword pass; the owner is exempt.
    alice.say(general, "spammer");
    expect(&mut shard, "MESSAGE_CREATE").await;
    sb.actor("mod").say(general, "spam");
    expect(&mut shard, "MESSAGE_CREATE").await;

    sb.admin().update_automod_rule(rule, "No scams", "scam*");
    let Event::AutoModerationRuleUpdate(r) = event(&mut shard, "AUTO_MODERATION_RULE_UPDATE").await
    else {
        unreachable!()
    };
    assert_eq!(r.name, "No scams");
    alice.say(general, "scammers everywhere");
    let Event::AutoModerationActionExecution(x) =
        event(&mut shard, "AUTO_MODERATION_ACTION_EXECUTION").await
    else {
        unreachable!()
    };
    assert_eq!(x.matched_content.as_deref(), Some("scammers"));
    sb.admin().delete_automod_rule(rule);
    let Event::AutoModerationRuleDelete(r) = event(&mut shard, "AUTO_MODERATION_RULE_DELETE").await
    else {
        unreachable!()
    };
    assert_eq!(r.id, rule);
    alice.say(general, "scammers everywhere");
    expect(&mut shard, "MESSAGE_CREATE").await;
    let transcript = sb.transcript();
    for line in [
        "[admin] created automod rule \"No spam\" (keyword spam) in Herald Test",
        "[automod] blocked alice's message in #general (rule \"No spam\", keyword spam)",
        "[admin] updated automod rule \"No scams\" (keyword scam*) in Herald Test",
        "[admin] deleted automod rule \"No scams\" in Herald Test",
    ] {
        assert!(
            transcript.iter().any(|l| l == line),
            "{line:?} in {transcript:#?}"
        );
    }
}

/// Without MESSAGE_CONTENT the execution's contents are blank, as on
/// Discord (the matched keyword is not).
#[tokio::test]
async fn automod_execution_without_message_content() {
    let sb = Sandbox::start().await.unwrap();
    let intents = all_intents() - Intents::MESSAGE_CONTENT;
    let mut shard = connect(&sb, intents, 1).await;
    let guild = sb.guild("Herald Test");
    sb.admin().create_automod_rule(guild, "No spam", "spam");
    expect(&mut shard, "AUTO_MODERATION_RULE_CREATE").await;
    sb.actor("alice").say(sb.channel("general"), "spam");
    let Event::AutoModerationActionExecution(x) =
        event(&mut shard, "AUTO_MODERATION_ACTION_EXECUTION").await
    else {
        unreachable!()
    };
    assert_eq!(x.content, "");
    assert_eq!(x.matched_content.as_deref(), Some(""));
    assert_eq!(x.matched_keyword.as_deref(), Some("spam"));
}

#[tokio::test]
async fn voice_switch_and_server_mute_deafen() {
    let sb = Sandbox::start().await.unwrap();
    let mut shard = connect(&sb, all_intents(), 1).await;
    let guild = sb.guild("Herald Test");
    let voice = sb.channel("Voice");
    let lounge = sb.admin().create_voice_channel(guild, "Lounge");
    expect(&mut shard, "CHANNEL_CREATE").await;
    let alice = sb.actor("alice");

    alice.voice_join(voice);
    let Event::VoiceStateUpdate(v) = event(&mut shard, "VOICE_STATE_UPDATE").await else {
        unreachable!()
    };
    assert_eq!(v.channel_id, Some(voice));
    let session = v.session_id.clone();
    alice.voice_join(lounge);
    let Event::VoiceStateUpdate(v) = event(&mut shard, "VOICE_STATE_UPDATE").await else {
        unreachable!()
    };
    assert_eq!(
        v.channel_id,
        Some(lounge),
        "a switch is one update with the new channel"
    );
    assert_eq!(v.session_id, session);

    sb.admin().server_mute(guild, alice.id(), true);
    let Event::VoiceStateUpdate(v) = event(&mut shard, "VOICE_STATE_UPDATE").await else {
        unreachable!()
    };
    assert!(v.mute && !v.deaf);
    sb.admin().server_deafen(guild, alice.id(), true);
    let Event::VoiceStateUpdate(v) = event(&mut shard, "VOICE_STATE_UPDATE").await else {
        unreachable!()
    };
    assert!(v.mute && v.deaf);
    assert_eq!(
        v.member.as_ref().map(|m| (m.mute, m.deaf)),
        Some((true, true))
    );
    let g = fresh_guild(&sb).await;
    assert!(
        g.voice_states
            .iter()
            .any(|v| v.user_id == alice.id() && v.mute && v.deaf)
    );

    // Deleting the channel disconnects its users.
    sb.admin().delete_channel(lounge);
    let Event::VoiceStateUpdate(v) = event(&mut shard, "VOICE_STATE_UPDATE").await else {
        unreachable!()
    };
    assert_eq!(v.channel_id, None);
    event(&mut shard, "CHANNEL_DELETE").await;
    assert!(
        sb.transcript()
            .iter()
            .any(|l| l == "[admin] server-muted alice in Lounge")
    );
}

/// Events needing intents other than GUILDS and GUILD_MESSAGES never reach
/// a session without them; THREAD_MEMBERS_UPDATE about other users needs
/// GUILD_MEMBERS, about the bot only GUILDS.
#[tokio::test]
async fn intents_withhold_the_new_events() {
    let sb = Sandbox::start().await.unwrap();
    let mut shard = connect(&sb, Intents::GUILDS | Intents::GUILD_MESSAGES, 1).await;
    let guild = sb.guild("Herald Test");
    let general = sb.channel("general");
    let alice = sb.actor("alice");
    let msg = alice.say(general, "hello");
    expect(&mut shard, "MESSAGE_CREATE").await;
    alice.react(general, msg, "✅");
    let thread = alice.create_thread(general, "plans");
    expect(&mut shard, "THREAD_CREATE").await;

    sb.admin().set_emojis(guild, &["new"]); // GUILD_EMOJIS_AND_STICKERS
    sb.admin().set_stickers(guild, &["new"]); // GUILD_EMOJIS_AND_STICKERS
    sb.admin().rename_user(sb.user("bob"), "robert"); // GUILD_MEMBERS
    sb.admin().set_user_presence(sb.user("carol"), "idle"); // GUILD_PRESENCES
    sb.admin().thread_add_member(thread, sb.user("carol")); // GUILD_MEMBERS (not the bot)
    let event_id = sb.admin().create_scheduled_event(guild, "Game night"); // GUILD_SCHEDULED_EVENTS
    alice.interested(event_id);
    sb.admin().create_automod_rule(guild, "No spam", "spam"); // AUTO_MODERATION_CONFIGURATION
    alice.say(general, "spam"); // AUTO_MODERATION_EXECUTION (blocked)
    sb.admin().clear_reaction_emoji(general, msg, "✅"); // GUILD_MESSAGE_REACTIONS
    sb.admin().clear_reactions(general, msg);
    alice.voice_join(sb.channel("Voice")); // GUILD_VOICE_STATES
    sb.admin().server_mute(guild, alice.id(), true);
    only_sentinel_arrives(&sb, &mut shard).await;

    sb.admin().thread_add_member(thread, sb.bot_user_id());
    let Event::ThreadMembersUpdate(u) = event(&mut shard, "THREAD_MEMBERS_UPDATE").await else {
        unreachable!()
    };
    assert_eq!(u.added_members[0].user_id, Some(sb.bot_user_id()));
}

/// Without GUILDS: guild, channel, role, thread, stage and pin events are
/// withheld, and a new guild sends no GUILD_CREATE.
#[tokio::test]
async fn intents_withhold_guild_structure_events() {
    let mut world = World::demo();
    let guild = world.guild_id("Herald Test").unwrap();
    let stage_channel = world.add_stage_channel(guild, "Town Hall");
    let sb = Sandbox::builder().world(world).start().await.unwrap();
    let intents = Intents::GUILD_MESSAGES | Intents::MESSAGE_CONTENT;
    let mut shard = connect(&sb, intents, 1).await;
    let general = sb.channel("general");
    let msg = sb.actor("alice").say(general, "hi");
    expect(&mut shard, "MESSAGE_CREATE").await;

    let new_guild = sb.admin().add_bot_to_guild("Elsewhere");
    sb.admin().update_guild(new_guild, "Still elsewhere");
    sb.admin().guild_outage(new_guild);
    sb.admin().guild_restored(new_guild);
    sb.admin().remove_bot_from_guild(new_guild);
    let channel = sb.admin().create_channel(guild, "plans");
    sb.admin().rename_channel(channel, "roadmap");
    sb.admin().delete_channel(channel);
    sb.admin().pin(general, msg);
    let role = sb.admin().create_role(guild, "Helper");
    sb.admin().rename_role(role, "Helpers");
    sb.admin().delete_role(guild, role);
    let thread = sb.admin().create_thread(general, "notes");
    sb.admin().rename_thread(thread, "notes 2");
    sb.admin().thread_add_member(thread, sb.bot_user_id());
    sb.admin().delete_thread(thread);
    let stage = sb.admin().start_stage(stage_channel, "Q&A");
    sb.admin().update_stage(stage, "Open mic");
    sb.admin().end_stage(stage);
    only_sentinel_arrives(&sb, &mut shard).await;

    // MESSAGE_DELETE_BULK needs GUILD_MESSAGES only.
    sb.admin().bulk_delete(general, &[msg]);
    event(&mut shard, "MESSAGE_DELETE_BULK").await;
}

// ---- the events herald types next -------------------------------------------------

/// The `d` of a raw dispatch frame, decoded into twilight's payload type
/// (for events twilight-gateway 0.18's `next_event` drops), after checking
/// the envelope the way twilight's fast path reads it.
fn decode_d<T: serde::de::DeserializeOwned>(d: &Dispatch, name: &str) -> T {
    let envelope = GatewayEventDeserializer::from_json(&d.raw).expect("an envelope");
    assert_eq!(envelope.event_type(), Some(name));
    assert_eq!(envelope.op(), 0);
    assert!(envelope.sequence().is_some());
    let value: Value = serde_json::from_str(&d.raw).unwrap();
    serde_json::from_value(value["d"].clone())
        .unwrap_or_else(|error| panic!("{name} does not decode: {error}\n{}", d.raw))
}

/// The audit log entry that follows a change, with its action.
async fn audit_entry(shard: &mut Shard<InMemoryQueue>, action: AuditLogEventType) -> AuditLogEntry {
    let Event::GuildAuditLogEntryCreate(e) = event(shard, "GUILD_AUDIT_LOG_ENTRY_CREATE").await
    else {
        unreachable!()
    };
    assert_eq!(e.action_type, action);
    e.0
}

#[tokio::test]
async fn invites_from_actors_admins_and_rest() {
    let sb = Sandbox::start().await.unwrap();
    let mut shard = connect(&sb, all_intents(), 1).await;
    let guild = sb.guild("Herald Test");
    let general = sb.channel("general");
    let alice = sb.actor("alice");

    let code = alice.create_invite(general);
    let Event::InviteCreate(i) = event(&mut shard, "INVITE_CREATE").await else {
        unreachable!()
    };
    assert_eq!(
        (i.code.as_str(), i.channel_id, i.guild_id),
        (code.as_str(), general, guild)
    );
    assert_eq!(i.inviter.as_ref().map(|u| u.id), Some(alice.id()));
    assert_eq!((i.max_age, i.max_uses, i.uses), (86_400, 0, 0));
    let entry = audit_entry(&mut shard, AuditLogEventType::InviteCreate).await;
    assert_eq!(entry.user_id, Some(alice.id()));

    sb.admin().delete_invite(&code);
    let Event::InviteDelete(d) = event(&mut shard, "INVITE_DELETE").await else {
        unreachable!()
    };
    assert_eq!(
        (d.code.as_str(), d.channel_id, d.guild_id),
        (code.as_str(), general, guild)
    );
    audit_entry(&mut shard, AuditLogEventType::InviteDelete).await;

    // The bot's REST calls do the same.
    let http = http(&sb);
    let made = http
        .create_invite(general)
        .max_age(3600)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(made.max_age, Some(3600));
    let Event::InviteCreate(i) = event(&mut shard, "INVITE_CREATE").await else {
        unreachable!()
    };
    assert_eq!((i.code.as_str(), i.max_age), (made.code.as_str(), 3600));
    assert_eq!(i.inviter.map(|u| u.id), Some(sb.bot_user_id()));
    audit_entry(&mut shard, AuditLogEventType::InviteCreate).await;
    let listed = http
        .channel_invites(general)
        .await
        .unwrap()
        .models()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    http.delete_invite(&made.code).await.unwrap();
    event(&mut shard, "INVITE_DELETE").await;

    let transcript = sb.transcript();
    for line in [
        format!("alice created invite {code} to #general"),
        format!("[admin] deleted invite {code} to #general"),
        format!("herald-bot created invite {} to #general", made.code),
        format!("herald-bot deleted invite {} to #general", made.code),
    ] {
        assert!(transcript.contains(&line), "{line:?} in {transcript:#?}");
    }
}

#[tokio::test]
async fn webhooks_and_integrations() {
    let sb = Sandbox::start().await.unwrap();
    let mut shard = connect(&sb, all_intents(), 1).await;
    let guild = sb.guild("Herald Test");
    let general = sb.channel("general");

    let hook = sb.admin().create_webhook(general, "Hooky");
    let Event::WebhooksUpdate(w) = event(&mut shard, "WEBHOOKS_UPDATE").await else {
        unreachable!()
    };
    assert_eq!((w.channel_id, w.guild_id), (general, guild));
    let entry = audit_entry(&mut shard, AuditLogEventType::WebhookCreate).await;
    assert_eq!(entry.target_id, Some(hook.cast()));
    assert_eq!(entry.user_id, Some(sb.user("mod")));
    sb.admin().rename_webhook(hook, "Hook");
    event(&mut shard, "WEBHOOKS_UPDATE").await;
    audit_entry(&mut shard, AuditLogEventType::WebhookUpdate).await;
    sb.admin().delete_webhook(hook);
    event(&mut shard, "WEBHOOKS_UPDATE").await;
    audit_entry(&mut shard, AuditLogEventType::WebhookDelete).await;

    let http = http(&sb);
    let made = http
        .create_webhook(general, "Bot hook")
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(made.name.as_deref(), Some("Bot hook"));
    let Event::WebhooksUpdate(w) = event(&mut shard, "WEBHOOKS_UPDATE").await else {
        unreachable!()
    };
    assert_eq!(w.channel_id, general);
    audit_entry(&mut shard, AuditLogEventType::WebhookCreate).await;
    http.delete_webhook(made.id).await.unwrap();
    event(&mut shard, "WEBHOOKS_UPDATE").await;
    audit_entry(&mut shard, AuditLogEventType::WebhookDelete).await;

    let streamer = sb.admin().add_integration(guild, "Streamer");
    let Event::IntegrationCreate(i) = event(&mut shard, "INTEGRATION_CREATE").await else {
        unreachable!()
    };
    assert_eq!(
        (i.id, i.guild_id, i.name.as_str()),
        (streamer, Some(guild), "Streamer")
    );
    assert_eq!(i.kind, GuildIntegrationType::Discord);
    let app = i
        .application
        .as_ref()
        .expect("a bot integration's application");
    assert!(app.bot.as_ref().is_some_and(|b| b.bot));
    audit_entry(&mut shard, AuditLogEventType::IntegrationCreate).await;
    sb.admin().rename_integration(streamer, "Streamer 2");
    let Event::IntegrationUpdate(i) = event(&mut shard, "INTEGRATION_UPDATE").await else {
        unreachable!()
    };
    assert_eq!(i.name, "Streamer 2");
    audit_entry(&mut shard, AuditLogEventType::IntegrationUpdate).await;
    let listed = http
        .guild_integrations(guild)
        .await
        .unwrap()
        .models()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    http.delete_guild_integration(guild, streamer)
        .await
        .unwrap();
    let Event::IntegrationDelete(d) = event(&mut shard, "INTEGRATION_DELETE").await else {
        unreachable!()
    };
    assert_eq!((d.id, d.guild_id), (streamer, guild));
    assert_eq!(d.application_id, Some(app.id));
    audit_entry(&mut shard, AuditLogEventType::IntegrationDelete).await;
    let other = sb.admin().add_integration(guild, "Other");
    event(&mut shard, "INTEGRATION_CREATE").await;
    audit_entry(&mut shard, AuditLogEventType::IntegrationCreate).await;
    sb.admin().remove_integration(other);
    event(&mut shard, "INTEGRATION_DELETE").await;

    let transcript = sb.transcript();
    for line in [
        "[admin] created webhook Hooky in #general",
        "[admin] renamed webhook Hooky to Hook",
        "[admin] deleted webhook Hook in #general",
        "herald-bot created webhook Bot hook in #general",
        "herald-bot deleted webhook Bot hook in #general",
        "[admin] added integration Streamer to Herald Test",
        "[admin] renamed integration Streamer to Streamer 2",
        "herald-bot removed integration Streamer 2 from Herald Test",
        "[admin] removed integration Other from Herald Test",
    ] {
        assert!(
            transcript.iter().any(|l| l == line),
            "{line:?} in {transcript:#?}"
        );
    }
}

/// An audit log entry an admin writes reaches the gateway and the REST
/// audit log.
#[tokio::test]
async fn audit_log_entries() {
    let sb = Sandbox::start().await.unwrap();
    let mut shard = connect(&sb, all_intents(), 1).await;
    let guild = sb.guild("Herald Test");
    let moderator = sb.user("mod");

    let id = sb.admin().add_audit_log_entry(
        guild,
        moderator,
        AuditLogEventType::GuildUpdate,
        Some(guild.cast()),
        "new icon",
    );
    let e = audit_entry(&mut shard, AuditLogEventType::GuildUpdate).await;
    assert_eq!((e.id, e.guild_id), (id, Some(guild)));
    assert_eq!(e.user_id, Some(moderator));
    assert_eq!(e.target_id, Some(guild.cast()));
    assert_eq!(e.reason.as_deref(), Some("new icon"));

    let log = http(&sb)
        .audit_log(guild)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(log.entries[0].id, id);
    assert!(
        sb.transcript().iter().any(
            |l| l == "[admin] audit log of Herald Test: mod did GuildUpdate (reason: new icon)"
        )
    );
}

/// The bot's own voice state command (op 4) is answered as Discord does:
/// its VOICE_STATE_UPDATE, then VOICE_SERVER_UPDATE (intents or not).
#[tokio::test]
async fn voice_server_updates() {
    let sb = Sandbox::start().await.unwrap();
    let mut shard = connect(&sb, all_intents(), 1).await;
    let guild = sb.guild("Herald Test");
    let voice = sb.channel("Voice");
    let session = shard.session().expect("a session").id().to_owned();

    shard.command(&UpdateVoiceState::new(guild, Some(voice), false, true));
    let Event::VoiceStateUpdate(v) = event(&mut shard, "VOICE_STATE_UPDATE").await else {
        unreachable!()
    };
    assert_eq!(
        (v.user_id, v.channel_id, v.guild_id),
        (sb.bot_user_id(), Some(voice), Some(guild))
    );
    assert_eq!(
        v.session_id, session,
        "the bot's voice session is its gateway session"
    );
    assert!(v.self_mute && !v.self_deaf);
    let Event::VoiceServerUpdate(s) = event(&mut shard, "VOICE_SERVER_UPDATE").await else {
        unreachable!()
    };
    assert_eq!(s.guild_id, guild);
    assert!(!s.token.is_empty());
    let first = s.endpoint.expect("an endpoint");

    sb.admin().move_voice_server(guild);
    let Event::VoiceServerUpdate(s) = event(&mut shard, "VOICE_SERVER_UPDATE").await else {
        unreachable!()
    };
    assert_ne!(s.endpoint.as_deref(), Some(first.as_str()));

    shard.command(&UpdateVoiceState::new(guild, None, false, false));
    let Event::VoiceStateUpdate(v) = event(&mut shard, "VOICE_STATE_UPDATE").await else {
        unreachable!()
    };
    assert_eq!(v.channel_id, None);

    let transcript = sb.transcript();
    for line in [
        "herald-bot joined voice Voice",
        "herald-bot left voice Voice",
    ] {
        assert!(
            transcript.iter().any(|l| l == line),
            "{line:?} in {transcript:#?}"
        );
    }
    assert!(
        transcript
            .iter()
            .any(|l| l.starts_with("[discord] moved the voice server of Herald Test to ")),
        "{transcript:#?}"
    );
}

#[tokio::test]
async fn polls_and_votes() {
    let sb = Sandbox::start().await.unwrap();
    let mut shard = connect(&sb, all_intents(), 1).await;
    let guild = sb.guild("Herald Test");
    let general = sb.channel("general");
    let (alice, bob) = (sb.actor("alice"), sb.actor("bob"));

    let lunch = alice.post_poll(general, "Lunch?", &["Pizza", "Sushi"]);
    let Event::MessageCreate(m) = event(&mut shard, "MESSAGE_CREATE").await else {
        unreachable!()
    };
    assert_eq!(m.id, lunch);
    let poll = m.poll.as_ref().expect("the poll");
    assert_eq!(poll.question.text.as_deref(), Some("Lunch?"));
    let answers: Vec<_> = poll
        .answers
        .iter()
        .map(|a| (a.answer_id, a.poll_media.text.as_deref()))
        .collect();
    assert_eq!(answers, [(1, Some("Pizza")), (2, Some("Sushi"))]);

    bob.vote(general, lunch, 1);
    let Event::MessagePollVoteAdd(v) = event(&mut shard, "MESSAGE_POLL_VOTE_ADD").await else {
        unreachable!()
    };
    assert_eq!(
        (
            v.answer_id,
            v.channel_id,
            v.guild_id,
            v.message_id,
            v.user_id
        ),
        (1, general, Some(guild), lunch, bob.id())
    );
    // One answer per voter: a vote for the other takes the first back.
    bob.vote(general, lunch, 2);
    let Event::MessagePollVoteRemove(r) = event(&mut shard, "MESSAGE_POLL_VOTE_REMOVE").await
    else {
        unreachable!()
    };
    assert_eq!((r.answer_id, r.user_id), (1, bob.id()));
    let Event::MessagePollVoteAdd(v) = event(&mut shard, "MESSAGE_POLL_VOTE_ADD").await else {
        unreachable!()
    };
    assert_eq!(v.answer_id, 2);
    alice.vote(general, lunch, 2);
    event(&mut shard, "MESSAGE_POLL_VOTE_ADD").await;
    let voters = http(&sb)
        .get_answer_voters(general, lunch, 2)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    let ids: Vec<_> = voters.users.iter().map(|u| u.id).collect();
    assert_eq!(ids, [bob.id(), alice.id()]);
    bob.unvote(general, lunch, 2);
    let Event::MessagePollVoteRemove(r) = event(&mut shard, "MESSAGE_POLL_VOTE_REMOVE").await
    else {
        unreachable!()
    };
    assert_eq!((r.answer_id, r.user_id), (2, bob.id()));

    // The results ride on the message.
    let fetched = http(&sb)
        .message(general, lunch)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    let counts: Vec<_> = fetched
        .poll
        .and_then(|p| p.results)
        .map(|r| r.answer_counts.iter().map(|c| (c.id, c.count)).collect())
        .unwrap_or_default();
    assert_eq!(counts, [(1, 0), (2, 1)]);

    // In a DM with the bot (DIRECT_MESSAGE_POLLS), without `guild_id`.
    let dm = sb.dm_channel(alice.id());
    let question = alice.post_poll(dm, "Help?", &["Yes", "No"]);
    event(&mut shard, "MESSAGE_CREATE").await;
    alice.vote(dm, question, 1);
    let Event::MessagePollVoteAdd(v) = event(&mut shard, "MESSAGE_POLL_VOTE_ADD").await else {
        unreachable!()
    };
    assert_eq!((v.channel_id, v.guild_id), (dm, None));

    let transcript = sb.transcript();
    for line in [
        "alice in #general: [poll: Lunch? — Pizza / Sushi]",
        "bob voted \"Pizza\" in a poll in #general",
        "bob took back their vote \"Pizza\" in a poll in #general",
        "bob voted \"Sushi\" in a poll in #general",
        "bob took back their vote \"Sushi\" in a poll in #general",
        "alice sent a DM to herald-bot: [poll: Help? — Yes / No]",
        "alice voted \"Yes\" in a poll in a DM with herald-bot",
    ] {
        assert!(
            transcript.iter().any(|l| l == line),
            "{line:?} in {transcript:#?}"
        );
    }
}

/// ENTITLEMENT_UPDATE and ENTITLEMENT_DELETE are not in twilight 0.18's
/// `EventType`: `next_event` drops them, the raw frames decode as
/// twilight's payloads.
#[tokio::test]
async fn entitlements() {
    let sb = Sandbox::start().await.unwrap();
    // No intents needed: entitlement events come whatever they are.
    let mut shard = connect(&sb, Intents::GUILDS, 1).await;
    let alice = sb.actor("alice");
    let premium = Id::<SkuMarker>::new(1234);

    let sub = alice.subscribe(premium);
    let Event::EntitlementCreate(e) = event(&mut shard, "ENTITLEMENT_CREATE").await else {
        unreachable!()
    };
    assert_eq!(
        (e.id, e.sku_id, e.user_id, e.kind),
        (
            sub,
            premium,
            Some(alice.id()),
            EntitlementType::ApplicationSubscription
        )
    );
    assert_eq!(e.application_id, sb.application_id());
    let ends = e.ends_at.expect("a subscription ends");

    sb.admin().renew_entitlement(sub);
    let d = expect(&mut shard, "ENTITLEMENT_UPDATE").await;
    assert!(d.event.is_none(), "twilight 0.18 drops ENTITLEMENT_UPDATE");
    let update: EntitlementUpdate = decode_d(&d, "ENTITLEMENT_UPDATE");
    assert_eq!(update.id, sub);
    assert_eq!(
        update.ends_at.map(|t| t.as_secs() - ends.as_secs()),
        Some(30 * 24 * 60 * 60)
    );

    sb.admin().delete_entitlement(sub);
    let d = expect(&mut shard, "ENTITLEMENT_DELETE").await;
    assert!(d.event.is_none(), "twilight 0.18 drops ENTITLEMENT_DELETE");
    let delete: EntitlementDelete = decode_d(&d, "ENTITLEMENT_DELETE");
    assert_eq!((delete.id, delete.deleted), (sub, true));

    // The bot's test entitlements.
    let http = http(&sb);
    let test = http
        .create_test_entitlement(
            sb.application_id(),
            premium,
            CreateTestEntitlementOwner::User(sb.user("bob")),
        )
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(test.kind, EntitlementType::TestModePurchase);
    let Event::EntitlementCreate(e) = event(&mut shard, "ENTITLEMENT_CREATE").await else {
        unreachable!()
    };
    assert_eq!(e.id, test.id);
    let listed = http
        .entitlements(sb.application_id())
        .await
        .unwrap()
        .models()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    http.delete_test_entitlement(sb.application_id(), test.id)
        .await
        .unwrap();
    let d = expect(&mut shard, "ENTITLEMENT_DELETE").await;
    let delete: EntitlementDelete = decode_d(&d, "ENTITLEMENT_DELETE");
    assert_eq!(delete.id, test.id);

    let transcript = sb.transcript();
    for line in [
        "alice subscribed to SKU 1234",
        "[discord] renewed alice's entitlement to SKU 1234",
        "[discord] deleted alice's entitlement to SKU 1234 (refund)",
        "herald-bot gave bob a test entitlement to SKU 1234",
        "herald-bot deleted bob's entitlement to SKU 1234",
    ] {
        assert!(
            transcript.iter().any(|l| l == line),
            "{line:?} in {transcript:#?}"
        );
    }
}

/// Without their intents, invites (GUILD_INVITES), webhooks
/// (GUILD_WEBHOOKS), integrations (GUILD_INTEGRATIONS), audit log entries
/// (GUILD_MODERATION), guild poll votes (GUILD_MESSAGE_POLLS) and DM poll
/// votes (DIRECT_MESSAGE_POLLS) are withheld; VOICE_SERVER_UPDATE and
/// entitlements need none. Polls themselves are message content.
#[tokio::test]
async fn intents_withhold_the_newest_events() {
    let sb = Sandbox::start().await.unwrap();
    let intents = Intents::GUILDS | Intents::GUILD_MESSAGES | Intents::DIRECT_MESSAGES;
    let mut shard = connect(&sb, intents, 1).await;
    let guild = sb.guild("Herald Test");
    let general = sb.channel("general");
    let (alice, bob) = (sb.actor("alice"), sb.actor("bob"));

    let lunch = alice.post_poll(general, "Lunch?", &["Pizza", "Sushi"]);
    let Event::MessageCreate(m) = event(&mut shard, "MESSAGE_CREATE").await else {
        unreachable!()
    };
    assert!(
        m.poll.is_none(),
        "a poll is blanked without MESSAGE_CONTENT"
    );
    let dm = sb.dm_channel(alice.id());
    let question = alice.post_poll(dm, "Help?", &["Yes", "No"]);
    let Event::MessageCreate(m) = event(&mut shard, "MESSAGE_CREATE").await else {
        unreachable!()
    };
    assert!(m.poll.is_some(), "DMs keep their content");

    let code = alice.create_invite(general); // GUILD_INVITES (+ GUILD_MODERATION)
    sb.admin().delete_invite(&code);
    let hook = sb.admin().create_webhook(general, "Hooky"); // GUILD_WEBHOOKS
    sb.admin().delete_webhook(hook);
    let app = sb.admin().add_integration(guild, "Streamer"); // GUILD_INTEGRATIONS
    sb.admin().rename_integration(app, "Streamer 2");
    sb.admin().remove_integration(app);
    sb.admin().add_audit_log_entry(
        guild,
        sb.user("mod"),
        AuditLogEventType::GuildUpdate,
        None,
        "",
    ); // GUILD_MODERATION
    bob.vote(general, lunch, 1); // GUILD_MESSAGE_POLLS
    bob.unvote(general, lunch, 1);
    alice.vote(dm, question, 1); // DIRECT_MESSAGE_POLLS
    only_sentinel_arrives(&sb, &mut shard).await;

    // No intent needed.
    shard.command(&UpdateVoiceState::new(
        guild,
        Some(sb.channel("Voice")),
        false,
        false,
    ));
    event(&mut shard, "VOICE_SERVER_UPDATE").await; // (no VOICE_STATE_UPDATE before it)
    alice.subscribe(Id::new(1));
    event(&mut shard, "ENTITLEMENT_CREATE").await;
}
