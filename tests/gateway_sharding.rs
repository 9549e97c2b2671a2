//! Sharding on the sandbox: identify pacing by `max_concurrency`, shard ranges split across
//! bots, per-shard presence, latency and restart.

#[path = "common/bot.rs"]
mod bot;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bot::WAIT;
use herald::gateway::Shards;
use herald::model::gateway::payload::outgoing::update_presence::UpdatePresencePayload;
use herald::model::gateway::presence::{ActivityType, MinimalActivity, Status};
use herald::prelude::*;
use herald::sandbox::{Sandbox, World};
use herald::testing::ContextExt as _;

const WINDOW: Duration = Duration::from_millis(500);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixteen_shards_at_max_concurrency_4_identify_in_4_rounds() {
    let sb = Sandbox::builder()
        .world(World::with_guilds(16))
        .recommended_shards(16)
        .max_concurrency(4)
        .identify_window(WINDOW)
        .start()
        .await
        .unwrap();
    let running = bot::start(&sb, Bot::builder().shards(Shards::Auto)).await;
    let params = running.context().gateway_params().unwrap().clone();
    assert_eq!((params.shard_count, params.shards.clone()), (16, 0..16));
    assert_eq!(params.session_start_limit.max_concurrency, 4);

    let by_bucket = bot::identifies_by_bucket(&sb, 16, 4);
    for (bucket, times) in &by_bucket {
        assert_eq!(times.len(), 4, "bucket {bucket}");
        for pair in times.windows(2) {
            assert!(
                pair[1] - pair[0] >= WINDOW,
                "bucket {bucket}: two identifies within one window"
            );
        }
    }
    // Four rounds: the last identify is three windows after the first, not fifteen.
    let identifies = sb.records().identifies();
    let first = identifies.iter().map(|i| i.at).min().unwrap();
    let last = identifies.iter().map(|i| i.at).max().unwrap();
    assert!(
        last - first >= 3 * WINDOW && last - first < 5 * WINDOW,
        "{:?}",
        last - first
    );
    running.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_bots_on_shard_ranges_receive_every_guild_exactly_once() {
    let sb = Sandbox::builder()
        .world(World::with_guilds(32))
        .recommended_shards(16)
        .start()
        .await
        .unwrap();
    let seen: Arc<Mutex<Vec<(usize, u64)>>> = Arc::default();
    let bot_for = |which: usize, range: std::ops::Range<u32>| {
        let log = Arc::clone(&seen);
        Bot::builder()
            .shards(Shards::Range { range, total: 16 })
            .listener(move |msg: &MessageCreate| {
                log.lock()
                    .unwrap()
                    .push((which, msg.guild_id.unwrap().get()));
                async {}
            })
    };
    let first = bot::start(&sb, bot_for(0, 0..8)).await;
    let second = bot::start(&sb, bot_for(1, 8..16)).await;
    assert_eq!(first.context().shards().len(), 8);

    let guilds: Vec<_> = (0..32).map(|i| sb.guild(&format!("Guild {i}"))).collect();
    for guild in &guilds {
        sb.actor("alice")
            .say(sb.guild_channel(*guild, "general"), "hi");
    }
    first.context().settled().await;
    second.context().settled().await;

    let seen = seen.lock().unwrap().clone();
    let mut guild_ids: Vec<u64> = seen.iter().map(|(_, g)| *g).collect();
    guild_ids.sort();
    let mut expected: Vec<u64> = guilds.iter().map(|g| g.get()).collect();
    expected.sort();
    assert_eq!(guild_ids, expected, "every guild's message exactly once");
    for (which, guild) in seen {
        let shard = ((guild >> 22) % 16) as usize;
        assert_eq!(
            which,
            usize::from(shard >= 8),
            "guild {guild} belongs to shard {shard}"
        );
    }
    first.shutdown().await.unwrap();
    second.shutdown().await.unwrap();
}

#[tokio::test]
async fn presence_set_on_one_shard_reaches_that_shard_only() {
    let sb = Sandbox::builder()
        .world(World::with_guilds(4))
        .start()
        .await
        .unwrap();
    let running = bot::start(&sb, Bot::builder().shards(4)).await;
    let playing = MinimalActivity {
        kind: ActivityType::Playing,
        name: "chess".into(),
        url: None,
    };
    let presence =
        UpdatePresencePayload::new(vec![playing.into()], false, None, Status::Idle).unwrap();
    running
        .context()
        .shard(2)
        .unwrap()
        .set_presence(presence)
        .unwrap();
    let record = sb
        .records()
        .wait_for_presence(|p| !p.from_identify, WAIT)
        .await
        .unwrap();
    assert_eq!((record.shard, record.status.as_str()), ([2, 4], "idle"));
    assert_eq!(record.activity_names(), ["chess"]);
    running.context().settled().await;
    assert_eq!(
        sb.records()
            .presences()
            .iter()
            .filter(|p| !p.from_identify)
            .count(),
        1
    );
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn per_shard_latency_is_reported() {
    let sb = Sandbox::builder()
        .world(World::with_guilds(2))
        .heartbeat_interval(Duration::from_millis(100))
        .start()
        .await
        .unwrap();
    let running = bot::start(&sb, Bot::builder().shards(2)).await;
    let ctx = running.context();
    for shard in ctx.shards() {
        let latency = tokio::time::timeout(WAIT, shard.measured_latency())
            .await
            .unwrap();
        assert!(latency < WAIT, "shard {}: {latency:?}", shard.id().number());
    }
    assert!(ctx.latency().is_some());
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn restarting_one_shard_resumes_it_without_touching_the_others() {
    let sb = Sandbox::builder()
        .world(World::with_guilds(4))
        .start()
        .await
        .unwrap();
    let running = bot::start(&sb, Bot::builder().shards(4)).await;
    let ctx = running.context();
    let sessions: Vec<_> = (0..4).map(|i| sb.shard(i).session_id()).collect();
    let resumed = ctx.wait_for::<ShardResumed>().timeout(WAIT).register();
    ctx.shard(1).unwrap().restart().unwrap();
    assert_eq!(resumed.await.unwrap().shard_id, 1);
    let resumes = sb.records().resumes();
    assert_eq!(resumes.len(), 1);
    assert_eq!(resumes[0].shard, Some([1, 4]));
    assert_eq!(
        sb.records().identifies().len(),
        4,
        "no shard identified again"
    );
    let after: Vec<_> = (0..4).map(|i| sb.shard(i).session_id()).collect();
    assert_eq!(sessions, after, "every shard kept its session");
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn too_few_session_starts_left_refuses_to_start() {
    let sb = Sandbox::builder()
        .world(World::with_guilds(4))
        .session_start_limit(1000, 3)
        .start()
        .await
        .unwrap();
    let error = Bot::builder()
        .sandbox(&sb)
        .shards(4)
        .run()
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::SessionStartLimit {
                needed: 4,
                remaining: 3,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("run fewer shards"), "{error}");
    assert!(sb.records().identifies().is_empty());
}

#[tokio::test]
async fn the_setup_hook_runs_before_the_first_connection() {
    let sb = Sandbox::start().await.unwrap();
    let connected_during_setup = Arc::new(Mutex::new(None));
    let seen = Arc::clone(&connected_during_setup);
    let sandbox = sb.clone();
    let builder = Bot::builder().setup(move |ctx: Context| async move {
        let me = ctx.http().current_user().await?.model().await?;
        *seen.lock().unwrap() = Some((me.id, sandbox.records().identifies().len()));
        Ok(())
    });
    let running = bot::start(&sb, builder).await;
    assert_eq!(
        *connected_during_setup.lock().unwrap(),
        Some((sb.bot_user_id(), 0))
    );
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn shutdown_lets_running_listeners_finish() {
    let sb = Sandbox::start().await.unwrap();
    let finished = Arc::new(Mutex::new(false));
    let f = Arc::clone(&finished);
    let running = bot::start(
        &sb,
        Bot::builder().listener(move |ctx: Context, _: &MessageCreate| {
            let f = Arc::clone(&f);
            async move {
                // Still running when shutdown begins: waits for the bot to be asked to stop.
                let _ = ctx.wait_for::<Disconnect>().await;
                *f.lock().unwrap() = true;
            }
        }),
    )
    .await;
    sb.actor("alice").say(sb.channel("general"), "hi");
    tokio::time::timeout(WAIT, running.context().until_waiting_for::<Disconnect>())
        .await
        .unwrap();
    running.shutdown().await.unwrap();
    assert!(
        *finished.lock().unwrap(),
        "shutdown waited for the listener"
    );
}

#[tokio::test]
async fn a_panicking_setup_hook_stops_the_start_with_where_it_panicked() {
    let sb = Sandbox::start().await.unwrap();
    let error = Bot::builder()
        .sandbox(&sb)
        .setup(|_ctx: Context| async move {
            let settings = std::env::var("HERALD_TEST_SETTINGS_NEVER_SET").ok();
            settings.expect("settings loaded");
            Ok(())
        })
        .run()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Setup(_)), "{error:?}");
    let text = error.to_string();
    assert!(
        text.starts_with("the setup hook failed: panicked at tests/gateway_sharding.rs:")
            && text.ends_with(": settings loaded"),
        "{text}"
    );
    assert!(sb.records().identifies().is_empty(), "no shard connected");
}
