//! Members on demand: `ctx.request_members` through the gateway's member request (op 8), in
//! Discord's chunks of 1000, by query, by ids (with those not found) and with presences; the
//! chunks fill the cache, so member events know members who were there before the bot started.

#[path = "common/bot.rs"]
mod bot;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use herald::model::gateway::payload::incoming::MemberChunk;
use herald::model::id::Id;
use herald::prelude::*;
use herald::sandbox::{Sandbox, World};
use herald::testing::ContextExt as _;

const MEMBERS: usize = 2_500;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guild_is_chunked_on_demand_and_member_events_then_know_the_members() {
    let mut world = World::new("herald-bot");
    let guild = world.add_guild("Big");
    world.add_text_channel(guild, "general");
    let bot_id = world.bot_user_id();
    world.add_member(guild, bot_id, &[]);
    let users: Vec<_> = (0..MEMBERS)
        .map(|n| {
            let user = world.add_user(&format!("user-{n}"));
            world.add_member(guild, user, &[]);
            user
        })
        .collect();
    let sb = Sandbox::builder().world(world).start().await.unwrap();
    for &user in &users[..2] {
        sb.admin().set_user_presence(user, "online");
    }

    let chunks = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&chunks);
    let befores = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = Arc::clone(&befores);
    // GUILD_MEMBERS without GUILD_PRESENCES: GUILD_CREATE carries the bot only.
    let running = bot::start(
        &sb,
        Bot::builder()
            .add_intents(Intents::GUILD_MEMBERS)
            .listener(Listener::new(move |_: &MemberChunk| {
                counted.fetch_add(1, Ordering::Relaxed);
                async {}
            }))
            .listener(Listener::new(move |update: &MemberUpdate| {
                seen.lock()
                    .unwrap()
                    .push(update.before.as_ref().map(|m| m.nick().map(str::to_owned)));
                async {}
            })),
    )
    .await;
    let ctx = running.context().clone();
    ctx.settled().await;
    let cached = || ctx.cache().guild_members(guild).map_or(0, |m| m.len());
    assert_eq!(cached(), 1, "GUILD_CREATE carried the bot only");

    // Everyone: three chunks (1000, 1000, 501), all cached.
    let all = ctx.request_members(guild).await.unwrap();
    assert_eq!(all.members.len(), MEMBERS + 1);
    assert_eq!(cached(), MEMBERS + 1);
    ctx.settled().await;
    assert_eq!(chunks.load(Ordering::Relaxed), 3);

    // By name, with a limit.
    let some = ctx.request_members(guild).query("user-1", 5).await.unwrap();
    assert_eq!(some.members.len(), 5);
    assert!(
        some.members
            .iter()
            .all(|m| m.user.name.starts_with("user-1"))
    );

    // By ids, with presences: the stranger is not found; the two online users have presences.
    let stranger = Id::new(42);
    let by_id = ctx
        .request_members(guild)
        .user_ids([users[0], users[1], users[2], stranger])
        .presences(true)
        .await
        .unwrap();
    assert_eq!(by_id.members.len(), 3);
    assert_eq!(by_id.not_found, [stranger]);
    assert_eq!(by_id.presences.len(), 2);

    // A member who was there before the bot: its update now has a `before`.
    let member = sb.user_actor("user-7");
    member.set_nick(guild, Some("seven"));
    member.set_nick(guild, Some("siete"));
    ctx.settled().await;
    assert_eq!(
        *befores.lock().unwrap(),
        [Some(None), Some(Some("seven".to_owned()))],
        "the first update's before is the chunked member (no nick yet), not None"
    );
    running.shutdown().await.unwrap();
}

/// disnake's `chunk_guilds_at_startup`: every member of each available guild is asked for and
/// cached, without a line of the bot's own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chunk_guilds_at_startup_caches_every_member() {
    use futures_util::StreamExt as _;
    let mut world = World::new("herald-bot");
    let guild = world.add_guild("Big");
    let bot_id = world.bot_user_id();
    world.add_member(guild, bot_id, &[]);
    for n in 0..MEMBERS {
        let user = world.add_user(&format!("user-{n}"));
        world.add_member(guild, user, &[]);
    }
    let sb = Sandbox::builder().world(world).start().await.unwrap();
    let bot = Bot::builder()
        .chunk_guilds_at_startup(true)
        .sandbox(&sb)
        .build()
        .unwrap();
    let mut chunks = bot
        .context()
        .stream::<MemberChunk>()
        .on(guild)
        .limit(3)
        .register();
    let running = bot.start().await.unwrap();
    let mut got = 0;
    while let Some(chunk) = tokio::time::timeout(bot::WAIT, chunks.next())
        .await
        .unwrap()
    {
        got += chunk.members.len();
    }
    assert_eq!(got, MEMBERS + 1);
    let ctx = running.context();
    assert_eq!(
        ctx.cache().guild_members(guild).map_or(0, |m| m.len()),
        MEMBERS + 1
    );
    // The request asked for everyone, under the GUILD_MEMBERS intent it added.
    let identify = &sb.records().identifies()[0];
    assert!(identify.intents.contains(Intents::GUILD_MEMBERS));
    running.shutdown().await.unwrap();
}
