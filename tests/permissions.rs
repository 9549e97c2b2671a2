//! Permissions from the cache, as Discord computes them (roles, channel overwrites, owner,
//! ADMINISTRATOR), checked against the sandbox's own computation for every member and channel;
//! and the sandbox refusing the bot's post where it lacks SEND_MESSAGES, as Discord does.

#[path = "common/bot.rs"]
mod bot;

use std::sync::{Arc, Mutex};

use herald::model::guild::Permissions;
use herald::prelude::*;
use herald::sandbox::{Sandbox, world_from_toml};
use herald::testing::ContextExt as _;

const WORLD: &str = r#"
users = ["owner", "alice", "bob"]

[[guilds]]
name = "Shop"
owner = "owner"
channels = [
    { name = "general" },
    { name = "announcements", overwrites = [
        { role = "@everyone", deny = ["SEND_MESSAGES"] },
        { role = "Staff", allow = ["SEND_MESSAGES"] },
        { user = "bob", deny = ["VIEW_CHANNEL"] },
    ] },
]
roles = [
    { name = "Staff", permissions = ["MANAGE_MESSAGES"] },
    # The bot's role: no administrator, so the overwrites apply to it.
    { name = "Herald", permissions = ["VIEW_CHANNEL", "SEND_MESSAGES"] },
]
members = [
    { user = "owner" },
    { user = "alice", roles = ["Staff"] },
    { user = "bob" },
]
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn permissions_for_agrees_with_discords_rules_for_every_member_and_channel() {
    let sb = Sandbox::builder()
        .world(world_from_toml(WORLD).unwrap())
        .start()
        .await
        .unwrap();
    // Every member arrives in GUILD_CREATE (a small guild, with GUILD_PRESENCES).
    let running = bot::start(
        &sb,
        Bot::builder().add_intents(Intents::GUILD_MEMBERS | Intents::GUILD_PRESENCES),
    )
    .await;
    let ctx = running.context();
    ctx.settled().await;
    let guild = sb.guild("Shop");
    let announcements = sb.channel("announcements");
    // The sandbox computes them on its own (Discord's rules); twilight's calculator keeps only
    // what applies to the channel's type: compare what a text channel has.
    let text = Permissions::VIEW_CHANNEL
        | Permissions::SEND_MESSAGES
        | Permissions::MANAGE_MESSAGES
        | Permissions::READ_MESSAGE_HISTORY
        | Permissions::ADD_REACTIONS
        | Permissions::EMBED_LINKS
        | Permissions::ATTACH_FILES;
    let users = ["owner", "alice", "bob", "herald-bot"];
    for channel in [sb.channel("general"), announcements] {
        for name in users {
            let user = sb.user(name);
            assert_eq!(
                ctx.permissions_for(user, channel).unwrap() & text,
                sb.permissions_in(user, channel) & text,
                "{name} in {channel}"
            );
        }
    }
    let perms = |name: &str| ctx.permissions_for(sb.user(name), announcements).unwrap();
    assert_eq!(perms("owner"), Permissions::all());
    assert!(perms("alice").contains(Permissions::SEND_MESSAGES | Permissions::MANAGE_MESSAGES));
    assert!(!perms("bob").contains(Permissions::VIEW_CHANNEL));
    assert!(!perms("herald-bot").contains(Permissions::SEND_MESSAGES));
    assert!(perms("herald-bot").contains(Permissions::VIEW_CHANNEL));

    let staff = sb.role("Staff");
    assert!(
        ctx.role_permissions_for(staff, announcements)
            .unwrap()
            .contains(Permissions::SEND_MESSAGES)
    );
    assert!(
        !ctx.role_permissions_for(guild.cast(), announcements)
            .unwrap()
            .contains(Permissions::SEND_MESSAGES),
        "@everyone is denied"
    );
    assert!(
        ctx.guild_permissions_for(sb.user("bob"), guild)
            .unwrap()
            .contains(Permissions::SEND_MESSAGES),
        "without the channel's overwrites"
    );

    let stranger = herald::model::id::Id::new(42);
    let error = ctx.permissions_for(stranger, announcements).unwrap_err();
    assert!(
        error.to_string().starts_with(&format!(
            "the cache lacks member 42 of guild {guild}: cache its resource"
        )),
        "{error}"
    );
    running.shutdown().await.unwrap();
}

/// The bot's post where it lacks SEND_MESSAGES is refused as Discord refuses it (403, code
/// 50013), and the listener's error says so.
#[listener]
async fn announce(ctx: Context, msg: &MessageCreate) -> herald::Result {
    if msg.content == "!announce" {
        ctx.http()
            .create_message(msg.channel_id)
            .content("news")
            .await?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_without_send_messages_is_refused_and_reported() {
    let sb = Sandbox::builder()
        .world(world_from_toml(WORLD).unwrap())
        .start()
        .await
        .unwrap();
    let errors = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&errors);
    let running = bot::start(
        &sb,
        Bot::builder()
            .add_intents(Intents::MESSAGE_CONTENT)
            .listener(announce)
            .listener(Listener::new(move |error: &ListenerError| {
                seen.lock().unwrap().push(error.to_string());
                async {}
            })),
    )
    .await;
    let announcements = sb.channel("announcements");
    sb.actor("alice").say(announcements, "!announce");
    running.context().settled().await;
    let reported = errors.lock().unwrap().clone();
    assert_eq!(reported.len(), 1, "{reported:?}");
    assert!(
        reported[0].contains("403") && reported[0].contains("50013"),
        "{reported:?}"
    );
    assert!(
        reported[0].contains("Missing Permissions: the bot lacks a permission")
            && reported[0].contains("ctx.permissions_for(bot, channel)"),
        "the report says what it means: {reported:?}"
    );
    assert!(
        sb.transcript()
            .iter()
            .any(|l| l.contains("#announcements/messages failed: 403 Missing Permissions"))
    );
    running.shutdown().await.unwrap();
}
