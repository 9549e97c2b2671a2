//! Sharded bots against the sandbox: identify concurrency, the session start
//! limit, 4011, per-shard routing with two clients, presences. Every test
//! uses real twilight-gateway 0.18 shards with their identify queue
//! disabled, so the sandbox's enforcement is what they meet.

mod common;

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    time::{Duration, Instant},
};

use common::{WAIT, http, init};
use herald_sandbox::{IdentifyThrottle, Sandbox, World};
use tokio::{sync::mpsc, task::JoinSet};
use twilight_gateway::{
    Config, ConfigBuilder, Event, EventTypeFlags, Intents, Shard, ShardId, StreamExt as _,
    queue::InMemoryQueue,
};
use twilight_model::{
    gateway::{
        payload::{
            incoming::GuildCreate,
            outgoing::{UpdatePresence, update_presence::UpdatePresencePayload},
        },
        presence::{ActivityType, MinimalActivity, Status},
    },
    id::{Id, marker::GuildMarker},
};

const INTENTS: Intents = Intents::GUILDS
    .union(Intents::GUILD_MESSAGES)
    .union(Intents::MESSAGE_CONTENT);

/// One client (one "process"): its own config and (disabled) queue.
fn client_config(sb: &Sandbox) -> Config<InMemoryQueue> {
    init();
    ConfigBuilder::new(sb.token(), INTENTS)
        .proxy_url(sb.gateway_url())
        .queue(InMemoryQueue::new(0, 0, Duration::ZERO, 0))
        .build()
}

fn shards_of(
    config: &Config<InMemoryQueue>,
    ids: impl IntoIterator<Item = u32>,
    total: u32,
) -> Vec<Shard> {
    ids.into_iter()
        .map(|id| Shard::with_config(ShardId::new(id, total), config.clone()))
        .collect()
}

/// Events of running shards, tagged with the shard id; `None` when a shard's
/// stream ended.
struct Running {
    rx: mpsc::UnboundedReceiver<(u32, Option<Event>)>,
    tx: mpsc::UnboundedSender<(u32, Option<Event>)>,
    tasks: JoinSet<()>,
    senders: HashMap<u32, twilight_gateway::MessageSender>,
}

impl Running {
    fn new() -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        Self {
            rx,
            tx,
            tasks: JoinSet::new(),
            senders: HashMap::new(),
        }
    }

    /// Polls each shard in its own task (shards of different clients may be
    /// mixed).
    fn spawn(&mut self, shards: Vec<Shard>) {
        for mut shard in shards {
            let id = shard.id().number();
            self.senders.insert(id, shard.sender());
            let tx = self.tx.clone();
            self.tasks.spawn(async move {
                loop {
                    match shard.next_event(EventTypeFlags::all()).await {
                        Some(Ok(event)) => {
                            let _ = tx.send((id, Some(event)));
                        }
                        // Reconnect errors and the like: the shard goes on.
                        Some(Err(_)) => {}
                        None => {
                            let _ = tx.send((id, None));
                            return;
                        }
                    }
                }
            });
        }
    }

    /// Feeds events to `f` until it returns `Some`; panics after `WAIT`.
    async fn until<T>(
        &mut self,
        what: &str,
        mut f: impl FnMut(u32, Option<Event>) -> Option<T>,
    ) -> T {
        let fut = async {
            loop {
                let (id, event) = self.rx.recv().await.expect("the sender lives in self");
                if let Some(out) = f(id, event) {
                    return out;
                }
            }
        };
        tokio::time::timeout(WAIT, fut)
            .await
            .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
    }
}

/// The shard a guild belongs to.
fn shard_of(guild: Id<GuildMarker>, total: u32) -> u32 {
    u32::try_from((guild.get() >> 22) % u64::from(total)).unwrap()
}

#[tokio::test]
async fn identify_concurrency_one_per_bucket_per_window() {
    let window = Duration::from_millis(200);
    let sb = Sandbox::builder()
        .world(World::with_guilds(32))
        .max_concurrency(4)
        .identify_window(window)
        .recommended_shards(16)
        .start()
        .await
        .unwrap();

    // What an auto-sharding bot reads first.
    let info = http(&sb)
        .gateway()
        .authed()
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(info.shards, 16);
    assert_eq!(info.session_start_limit.max_concurrency, 4);
    assert_eq!(info.url, sb.gateway_url());

    let started = Instant::now();
    let mut running = Running::new();
    running.spawn(shards_of(&client_config(&sb), 0..16, 16));
    let mut invalid_sessions: BTreeMap<u32, usize> = BTreeMap::new();
    let mut ready = HashSet::new();
    running
        .until("16 READYs", |id, event| {
            match event {
                Some(Event::GatewayInvalidateSession(resumable)) => {
                    assert!(!resumable, "a throttled identify gets op 9 false");
                    *invalid_sessions.entry(id).or_default() += 1;
                }
                Some(Event::Ready(r)) => {
                    assert_eq!(r.shard, Some(ShardId::new(id, 16)));
                    ready.insert(id);
                }
                None => panic!("shard {id} ended"),
                _ => {}
            }
            (ready.len() == 16).then_some(())
        })
        .await;
    let elapsed = started.elapsed();

    let accepted = sb.records().accepted_identifies();
    assert_eq!(accepted.len(), 16);
    // Per bucket, accepted identifies are at least one window apart.
    for bucket in 0..4 {
        let times: Vec<Instant> = accepted
            .iter()
            .filter(|i| i.bucket(4) == bucket)
            .map(|i| i.at)
            .collect();
        assert_eq!(times.len(), 4, "four shards per bucket");
        for pair in times.windows(2) {
            assert!(
                pair[1] - pair[0] >= window,
                "bucket {bucket}: two identifies {:?} apart",
                pair[1] - pair[0]
            );
        }
    }
    // Four shards per bucket: the last one waited three windows at least.
    assert!(elapsed >= window * 3, "all 16 ready after {elapsed:?}");

    // Every throttled identify was answered with op 9 and retried; each
    // shard got exactly as many op 9s as it had throttled identifies.
    let all = sb.records().identifies();
    let mut throttled: BTreeMap<u32, usize> = BTreeMap::new();
    for record in &all {
        match record.throttled {
            Some(IdentifyThrottle::MaxConcurrency { bucket }) => {
                assert_eq!(bucket, record.shard[0] % 4);
                assert!(!record.accepted());
                assert_eq!(record.rejected_with, None);
                *throttled.entry(record.shard[0]).or_default() += 1;
            }
            Some(other) => panic!("unexpected throttle {other:?}"),
            None => assert!(record.accepted()),
        }
    }
    assert_eq!(throttled, invalid_sessions);
    // In each bucket, three of the four shards had to wait.
    assert!(throttled.len() >= 12, "throttled shards: {throttled:?}");
    // One transcript line per throttled streak, not per retry.
    let transcript = sb.transcript();
    let throttle_lines = transcript
        .iter()
        .filter(|l| l.contains("identify throttled"))
        .count();
    assert_eq!(throttle_lines, throttled.len(), "{transcript:#?}");
    println!(
        "16 shards, max_concurrency 4, window {window:?}: ready after {elapsed:?}, {} identifies \
         ({} throttled)",
        all.len(),
        all.len() - 16
    );
}

#[tokio::test]
async fn throttled_identify_gets_op_9_and_later_succeeds() {
    let window = Duration::from_millis(300);
    let sb = Sandbox::builder()
        .world(World::with_guilds(2))
        .max_concurrency(1)
        .identify_window(window)
        .start()
        .await
        .unwrap();
    let config = client_config(&sb);
    let mut running = Running::new();
    running.spawn(shards_of(&config, [0], 2));
    sb.records().wait_for_connection(0, WAIT).await.unwrap();
    // Same bucket (max_concurrency 1): must wait for the window.
    running.spawn(shards_of(&config, [1], 2));
    let mut op9 = 0;
    running
        .until("READY of shard 1", |id, event| match event {
            Some(Event::GatewayInvalidateSession(false)) if id == 1 => {
                op9 += 1;
                None
            }
            Some(Event::Ready(_)) if id == 1 => Some(()),
            _ => None,
        })
        .await;
    assert!(op9 >= 1);

    let accepted = sb.records().accepted_identifies();
    assert_eq!(accepted.len(), 2);
    assert!(accepted[1].at - accepted[0].at >= window);
    let throttled: Vec<_> = sb
        .records()
        .identifies()
        .into_iter()
        .filter(|i| i.throttled.is_some())
        .collect();
    assert_eq!(throttled.len(), op9);
    assert!(throttled.iter().all(|i| i.shard == [1, 2]
        && i.throttled == Some(IdentifyThrottle::MaxConcurrency { bucket: 0 })
        && i.session_id.is_none()));
    let transcript = sb.transcript();
    let expected = if op9 == 1 {
        "[gateway] shard 1 identified (after 1 throttled identify)".to_owned()
    } else {
        format!("[gateway] shard 1 identified (after {op9} throttled identifies)")
    };
    assert!(transcript.contains(&expected), "{transcript:#?}");
    assert!(
        transcript
            .iter()
            .any(|l| l.starts_with("[gateway] shard 1 identify throttled: bucket 0")),
        "{transcript:#?}"
    );
}

#[tokio::test]
async fn session_start_limit_is_reported_spent_and_reset() {
    let sb = Sandbox::builder()
        .world(World::with_guilds(3))
        .session_start_limit(5, 2)
        .session_start_reset_after(Duration::from_millis(600))
        .start()
        .await
        .unwrap();
    let http = http(&sb);
    let limit = http
        .gateway()
        .authed()
        .await
        .unwrap()
        .model()
        .await
        .unwrap()
        .session_start_limit;
    assert_eq!(
        (limit.total, limit.remaining, limit.max_concurrency),
        (5, 2, 1)
    );
    assert!(
        limit.reset_after > 0 && limit.reset_after <= 600,
        "{limit:?}"
    );
    assert_eq!(sb.records().session_start_remaining(), 2);

    let config = client_config(&sb);
    let mut running = Running::new();
    running.spawn(shards_of(&config, 0..2, 3));
    sb.records().wait_for_connection(0, WAIT).await.unwrap();
    sb.records().wait_for_connection(1, WAIT).await.unwrap();
    assert_eq!(sb.records().session_start_remaining(), 0);

    // The third shard is refused with op 9 until the limit resets.
    running.spawn(shards_of(&config, [2], 3));
    running
        .until("op 9 for shard 2", |id, event| {
            (id == 2 && matches!(event, Some(Event::GatewayInvalidateSession(false)))).then_some(())
        })
        .await;
    let refused = sb
        .records()
        .identifies()
        .into_iter()
        .find(|i| i.shard == [2, 3])
        .unwrap();
    assert_eq!(refused.throttled, Some(IdentifyThrottle::SessionStartLimit));
    assert!(!refused.accepted());
    let before_reset = Instant::now();
    running
        .until("READY of shard 2", |id, event| {
            (id == 2 && matches!(event, Some(Event::Ready(_)))).then_some(())
        })
        .await;
    assert!(before_reset.elapsed() < WAIT);
    // Reset to 5, then shard 2 took one.
    assert_eq!(sb.records().session_start_remaining(), 4);
    assert_eq!(sb.records().accepted_identifies().len(), 3);
    // Resumes do not count.
    sb.shard(2).reconnect().unwrap();
    sb.records().wait_for_resumes(1, WAIT).await.unwrap();
    sb.records().wait_for_connection(2, WAIT).await.unwrap();
    assert_eq!(sb.records().session_start_remaining(), 4);
}

#[tokio::test]
async fn too_many_guilds_for_one_shard_closes_4011() {
    let sb = Sandbox::builder()
        .world(World::with_guilds(8))
        .max_guilds_per_shard(4)
        .start()
        .await
        .unwrap();
    let config = client_config(&sb);
    let mut running = Running::new();
    running.spawn(shards_of(&config, [0], 1));
    let mut code = None;
    running
        .until("the 1-shard bot to end", |_, event| match event {
            Some(Event::GatewayClose(frame)) => {
                code = frame.map(|f| f.code);
                None
            }
            Some(Event::Ready(_)) => panic!("a single shard must not get READY"),
            None => Some(()),
            _ => None,
        })
        .await;
    assert_eq!(code, Some(4011), "twilight treats 4011 as fatal");
    let identifies = sb.records().identifies();
    assert_eq!(identifies.len(), 1);
    assert_eq!(identifies[0].rejected_with, Some(4011));
    assert!(
        sb.transcript()
            .contains(&"[gateway] shard 0 identify rejected: 4011 Sharding required".to_owned())
    );

    // Two shards hold four guilds each: fine.
    running.spawn(shards_of(&config, 0..2, 2));
    let mut guilds: HashMap<u32, usize> = HashMap::new();
    running
        .until("two READYs", |id, event| {
            if let Some(Event::Ready(r)) = event {
                guilds.insert(id, r.guilds.len());
            }
            (guilds.len() == 2).then_some(())
        })
        .await;
    assert_eq!(guilds, HashMap::from([(0, 4), (1, 4)]));
}

#[tokio::test]
async fn presence_is_recorded_for_its_shard_only() {
    let sb = Sandbox::builder()
        .world(World::with_guilds(4))
        .start()
        .await
        .unwrap();
    init();
    let idle = UpdatePresencePayload::new(
        [MinimalActivity {
            kind: ActivityType::Watching,
            name: "the logs".to_owned(),
            url: None,
        }
        .into()],
        false,
        None,
        Status::Idle,
    )
    .unwrap();
    // Shard 1 sets a presence in its IDENTIFY; the others do not.
    let plain = client_config(&sb);
    let with_presence = ConfigBuilder::from(plain.clone()).presence(idle).build();
    let mut running = Running::new();
    running.spawn(shards_of(&plain, [0, 2, 3], 4));
    running.spawn(shards_of(&with_presence, [1], 4));
    for shard in 0..4 {
        sb.records().wait_for_connection(shard, WAIT).await.unwrap();
    }

    let playing = UpdatePresence::new(
        [MinimalActivity {
            kind: ActivityType::Playing,
            name: "with shards".to_owned(),
            url: None,
        }
        .into()],
        false,
        None,
        Status::Online,
    )
    .unwrap();
    running.senders[&2].command(&playing).unwrap();
    let p = sb
        .records()
        .wait_for_presence(|p| !p.from_identify, WAIT)
        .await
        .unwrap();
    assert_eq!(p.shard, [2, 4]);
    assert_eq!(p.status, "online");
    assert_eq!(p.activity_names(), ["with shards"]);
    assert_eq!(p.activities[0]["type"], 0);

    let all = sb.records().presences();
    assert_eq!(all.len(), 2, "{all:?}");
    assert_eq!(all[0].shard, [1, 4]);
    assert!(all[0].from_identify);
    assert_eq!(all[0].status, "idle");
    let transcript = sb.transcript();
    assert!(
        transcript
            .contains(&"[gateway] shard 2 set presence: online, playing with shards".to_owned()),
        "{transcript:#?}"
    );
    assert!(
        transcript.contains(&"[gateway] shard 1 set presence: idle, watching the logs".to_owned()),
        "{transcript:#?}"
    );
}

#[tokio::test]
async fn two_clients_split_16_shards_and_each_guild_message_arrives_once() {
    const TOTAL: u32 = 16;
    const GUILDS: usize = 32;
    let sb = Sandbox::builder()
        .world(World::with_guilds(GUILDS))
        .start()
        .await
        .unwrap();
    let guilds: Vec<Id<GuildMarker>> = (0..GUILDS)
        .map(|k| sb.guild(&format!("Guild {k}")))
        .collect();
    // The world spreads its guilds evenly: two per shard.
    for shard in 0..TOTAL {
        assert_eq!(
            guilds
                .iter()
                .filter(|g| shard_of(**g, TOTAL) == shard)
                .count(),
            2
        );
    }

    // Two "processes": separate configs and queues, shards 0..8 and 8..16.
    let mut running = Running::new();
    running.spawn(shards_of(&client_config(&sb), 0..8, TOTAL));
    running.spawn(shards_of(&client_config(&sb), 8..16, TOTAL));

    let mut ready_guilds: HashMap<u32, Vec<Id<GuildMarker>>> = HashMap::new();
    let mut created: HashMap<u32, Vec<Id<GuildMarker>>> = HashMap::new();
    running
        .until("READY and GUILD_CREATEs of 16 shards", |id, event| {
            match event {
                Some(Event::Ready(r)) => {
                    assert!(
                        ready_guilds
                            .insert(id, r.guilds.iter().map(|g| g.id).collect())
                            .is_none()
                    );
                }
                Some(Event::GuildCreate(g)) => {
                    let GuildCreate::Available(g) = *g else {
                        panic!("unavailable guild")
                    };
                    created.entry(id).or_default().push(g.id);
                }
                None => panic!("shard {id} ended"),
                _ => {}
            }
            (created.values().map(Vec::len).sum::<usize>() == GUILDS).then_some(())
        })
        .await;
    assert_eq!(ready_guilds.len(), 16);
    for shard in 0..TOTAL {
        let mut own: Vec<_> = guilds
            .iter()
            .copied()
            .filter(|g| shard_of(*g, TOTAL) == shard)
            .collect();
        own.sort();
        let mut in_ready = ready_guilds[&shard].clone();
        in_ready.sort();
        let mut in_creates = created[&shard].clone();
        in_creates.sort();
        assert_eq!(in_ready, own, "READY of shard {shard}");
        assert_eq!(in_creates, own, "GUILD_CREATEs of shard {shard}");
    }

    // alice speaks once in every guild.
    let alice = sb.actor("alice");
    let mut expected = HashMap::new();
    for (k, guild) in guilds.iter().enumerate() {
        let general = sb.guild_channel(*guild, "general");
        let id = alice.say(general, &format!("hello guild {k}"));
        expected.insert(id, (*guild, k));
    }
    let mut seen = HashMap::new();
    running
        .until("32 MESSAGE_CREATEs", |shard, event| {
            if let Some(Event::MessageCreate(m)) = event {
                let (guild, k) = expected[&m.id];
                assert_eq!(m.guild_id, Some(guild));
                assert_eq!(m.content, format!("hello guild {k}"));
                assert_eq!(
                    shard,
                    shard_of(guild, TOTAL),
                    "message of guild {k} on shard {shard}"
                );
                assert!(
                    seen.insert(m.id, shard).is_none(),
                    "message of guild {k} arrived twice"
                );
            }
            (seen.len() == GUILDS).then_some(())
        })
        .await;
    // The sandbox queued exactly one copy of each: every session's last
    // sequence is READY + its 2 GUILD_CREATEs + its 2 messages.
    let connections = sb.records().connections();
    assert_eq!(connections.len(), 16);
    for c in &connections {
        assert_eq!(c.seq, 5, "shard {:?}", c.shard);
    }
}
