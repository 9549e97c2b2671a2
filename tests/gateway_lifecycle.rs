//! A bot on the sandbox, end to end through real sockets: listeners reply over REST, lifecycle
//! events arrive in order, waiters resolve on users' actions, shutdown is clean.

#[path = "common/bot.rs"]
mod bot;

use std::sync::Arc;
use std::time::Duration;

use bot::{Order, WAIT};
use herald::prelude::*;
use herald::sandbox::{Sandbox, World};
use herald::testing::ContextExt as _;

#[tokio::test]
async fn a_listener_replies_and_the_rest_call_is_recorded() {
    let sb = Sandbox::start().await.unwrap();
    let running = bot::start(
        &sb,
        Bot::builder()
            .listener(bot::ping)
            .add_intents(Intents::MESSAGE_CONTENT),
    )
    .await;
    let general = sb.channel("general");

    sb.actor("alice").say(general, "!ping");
    let post = sb
        .records()
        .wait_for_request(|r| r.is("POST", "/channels/"), WAIT)
        .await
        .unwrap();
    assert_eq!(post.path, format!("/api/v10/channels/{general}/messages"));
    assert_eq!(post.body.unwrap()["content"], "pong");
    running.context().settled().await;
    let said: Vec<_> = sb
        .records()
        .messages(general)
        .into_iter()
        .map(|m| m.content)
        .collect();
    assert_eq!(said, ["!ping", "pong"]);
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn lifecycle_events_arrive_in_order() {
    let sb = Sandbox::start().await.unwrap();
    let bot = Bot::builder().sandbox(&sb).build().unwrap();
    let ctx = bot.context().clone();
    let order = Order::default();
    let _streams = (
        order.record::<ShardConnect>(&ctx),
        order.record::<Connect>(&ctx),
        order.record::<ShardReady>(&ctx),
        order.record::<Ready>(&ctx),
        order.record::<ShardResumed>(&ctx),
        order.record::<Resumed>(&ctx),
        order.record::<ShardDisconnect>(&ctx),
        order.record::<Disconnect>(&ctx),
    );
    let ready = ctx.wait_for::<Ready>().timeout(WAIT).register();
    let running = bot.start().await.unwrap();
    let ready = ready.await.unwrap();
    assert_eq!(ready.guilds, 1);
    assert_eq!(
        order.take(),
        ["shard_connect", "connect", "shard_ready", "ready"]
    );
    assert_eq!(ctx.current_user().unwrap().id, sb.bot_user_id());
    assert!(
        ctx.cache().guild(sb.guild("Herald Test")).is_some(),
        "READY's guild is cached before `ready`"
    );

    let resumed = ctx.wait_for::<Resumed>().timeout(WAIT).register();
    sb.shard(0).reconnect().unwrap();
    assert_eq!(resumed.await.unwrap().shard_id, 0);
    assert_eq!(
        order.take(),
        [
            "shard_disconnect",
            "disconnect",
            "shard_connect",
            "connect",
            "shard_resumed",
            "resumed"
        ]
    );

    // At shutdown waiters and streams end first; listeners still see the last disconnects.
    let (log, disconnect_log) = (Arc::clone(&order.0), Arc::clone(&order.0));
    ctx.add_listener(Listener::new(move |d: &ShardDisconnect| {
        log.lock().unwrap().push(match d.reason {
            DisconnectReason::Shutdown => "shard_disconnect (shutdown)",
            _ => "shard_disconnect (another reason)",
        });
        async {}
    }));
    ctx.add_listener(Listener::new(move |_: &Disconnect| {
        disconnect_log.lock().unwrap().push("disconnect");
        async {}
    }));
    running.shutdown().await.unwrap();
    assert_eq!(order.take(), ["shard_disconnect (shutdown)", "disconnect"]);
    assert_eq!(
        ctx.shard(0).unwrap().status().state,
        herald::gateway::ShardState::Closed
    );
}

/// The disnake confirmation example: ask, then wait for the author's ✅ or ❌ on the question.
#[listener]
async fn confirm(ctx: Context, msg: &MessageCreate) -> herald::Result {
    if msg.content != "!delete" {
        return Ok(());
    }
    let asked = ctx
        .http()
        .create_message(msg.channel_id)
        .content("sure? react ✅ or ❌")
        .await?
        .model()
        .await?;
    let author = msg.author.id;
    let answer = ctx
        .wait_for::<ReactionAdd>()
        .on(asked.id)
        .check(move |r| r.user_id == author)
        .timeout(Duration::from_secs(30))
        .await?;
    let yes = matches!(&answer.emoji, herald::model::channel::message::EmojiReactionType::Unicode { name } if name == "✅");
    ctx.http()
        .create_message(msg.channel_id)
        .content(if yes { "deleted" } else { "kept" })
        .await?;
    Ok(())
}

#[tokio::test]
async fn a_waiter_resolves_on_a_users_reaction() {
    let sb = Sandbox::start().await.unwrap();
    let running = bot::start(
        &sb,
        Bot::builder()
            .listener(confirm)
            .add_intents(Intents::MESSAGE_CONTENT | Intents::GUILD_MESSAGE_REACTIONS),
    )
    .await;
    let general = sb.channel("general");
    sb.actor("alice").say(general, "!delete");
    let question = sb
        .records()
        .wait_for_message(general, |m| m.content.starts_with("sure?"), WAIT)
        .await
        .unwrap();
    // The listener registers its waiter once the REST answer is back: react after that.
    tokio::time::timeout(WAIT, running.context().until_waiting_for::<ReactionAdd>())
        .await
        .unwrap();
    sb.actor("bob").react(general, question.id, "✅"); // not the author: ignored
    sb.actor("alice").react(general, question.id, "✅");
    sb.records()
        .wait_for_message(general, |m| m.content == "deleted", WAIT)
        .await
        .unwrap();
    running.context().settled().await;
    assert_eq!(running.context().pending_waiters(), 0);
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn only_needed_intents_are_requested() {
    let sb = Sandbox::start().await.unwrap();
    let running = bot::start(&sb, Bot::builder().listener(bot::ping)).await;
    let identify = sb.records().identifies().pop().unwrap();
    assert_eq!(
        identify.intents,
        Intents::GUILDS | Intents::GUILD_MESSAGES | Intents::DIRECT_MESSAGES
    );
    running.shutdown().await.unwrap();
}

/// `BotBuilder::presence` is sent with the IDENTIFY: the bot shows it from the first moment.
#[tokio::test]
async fn the_builder_presence_is_sent_with_the_identify() {
    use herald::gateway::presence;
    use herald::model::gateway::presence::{ActivityType, Status};

    let sb = Sandbox::start().await.unwrap();
    let running = bot::start(
        &sb,
        Bot::builder().presence(presence(Status::Idle, ActivityType::Watching, "the logs")),
    )
    .await;
    let presences = sb.records().presences();
    assert_eq!(presences.len(), 1, "{presences:?}");
    let sent = &presences[0];
    assert!(sent.from_identify);
    assert_eq!(sent.status, "idle");
    assert_eq!(sent.activities[0]["name"], "the logs");
    assert_eq!(sent.activities[0]["type"], 3);
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn gateway_url_connects_the_shards_there_while_rest_stays() {
    // REST on sandbox `rest`, the gateway on sandbox `gateway` (standing in for a gateway proxy).
    let (rest, gateway) = (
        Sandbox::start().await.unwrap(),
        Sandbox::start().await.unwrap(),
    );
    let bot = Bot::builder()
        .sandbox(&rest)
        .gateway_url(gateway.gateway_url())
        .listener(bot::ping)
        .add_intents(Intents::MESSAGE_CONTENT)
        .build()
        .unwrap();
    let ready = bot.context().wait_for::<Ready>().register();
    let running = bot.start().await.unwrap();
    ready.await.unwrap();
    assert!(gateway.shard(0).is_connected());
    assert!(!rest.shard(0).is_connected());

    let general = gateway.channel("general");
    gateway.actor("alice").say(general, "!ping");
    let post = rest
        .records()
        .wait_for_request(|r| r.is("POST", "/channels/"), WAIT)
        .await
        .unwrap();
    assert_eq!(post.path, format!("/api/v10/channels/{general}/messages"));
    running.shutdown().await.unwrap();
}

/// A guild bigger than the chunks herald hands the cache at once: every member is cached, with
/// roles and user, whether or not someone is handed the guild; when someone is, the guild still
/// holds every member.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_big_guilds_members_are_all_cached_and_handed_to_its_listeners() {
    const MEMBERS: usize = 2_500;
    let mut world = World::new("herald-bot");
    let guild = world.add_guild("Big");
    let role = world.add_role(guild, "Member", herald::model::guild::Permissions::empty());
    world.add_member(guild, world.bot_user_id(), &[]);
    let users: Vec<_> = (0..MEMBERS)
        .map(|n| {
            let user = world.add_user(&format!("user-{n}"));
            world.add_member(guild, user, &[role]);
            user
        })
        .collect();
    let sb = Sandbox::builder().world(world).start().await.unwrap();
    // A large guild's GUILD_CREATE carries its members who are not offline (with
    // GUILD_PRESENCES): all of them here.
    for &user in &users {
        sb.admin().set_user_presence(user, "online");
    }
    for listening in [false, true] {
        let handed = Arc::new(std::sync::Mutex::new(None));
        // Discord sends every member in GUILD_CREATE only with GUILD_PRESENCES.
        let mut builder =
            Bot::builder().add_intents(Intents::GUILD_MEMBERS | Intents::GUILD_PRESENCES);
        if listening {
            let handed = Arc::clone(&handed);
            builder = builder.listener(Listener::new(move |event: &GuildAvailable| {
                *handed.lock().unwrap() = Some(event.guild.members.len());
                async {}
            }));
        }
        let running = bot::start(&sb, builder).await;
        running.context().settled().await;
        let cache = running.context().cache();
        let cached = cache.guild_members(guild).map_or(0, |m| m.len());
        assert_eq!(cached, MEMBERS + 1, "listening: {listening}");
        for &user in [users[0], users[MEMBERS / 2], users[MEMBERS - 1]].iter() {
            let member = cache.member(guild, user).expect("the member is cached");
            assert_eq!(member.roles(), [role]);
            let name = cache.user(user).expect("the user is cached").name.clone();
            assert!(name.starts_with("user-"), "{name}");
        }
        let handed = *handed.lock().unwrap();
        assert_eq!(handed, listening.then_some(MEMBERS + 1));
        running.shutdown().await.unwrap();
    }
}

#[tokio::test]
async fn rest_proxy_sends_rest_there_while_the_gateway_stays() {
    // The gateway on sandbox `discord`, REST through sandbox `proxy` (standing in for
    // twilight-http-proxy or nirn-proxy).
    let (discord, proxy) = (
        Sandbox::start().await.unwrap(),
        Sandbox::start().await.unwrap(),
    );
    let running = bot::start(
        &discord,
        Bot::builder()
            .rest_proxy(format!("http://{}", proxy.http_proxy()))
            .listener(bot::ping)
            .add_intents(Intents::MESSAGE_CONTENT),
    )
    .await;
    assert!(discord.shard(0).is_connected());
    assert!(!proxy.shard(0).is_connected());

    discord
        .actor("alice")
        .say(discord.channel("general"), "!ping");
    let post = proxy
        .records()
        .wait_for_request(|r| r.is("POST", "/channels/"), WAIT)
        .await
        .unwrap();
    assert_eq!(post.body.unwrap()["content"], "pong");
    let direct = discord.records().requests();
    assert!(
        direct.is_empty(),
        "no REST call went around the proxy: {direct:?}"
    );
    running.shutdown().await.unwrap();
}
