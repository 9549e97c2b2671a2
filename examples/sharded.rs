//! A sharded bot: as many shards as Discord recommends (`Shards::Auto`), a log line for each
//! shard's connect, ready, disconnect and resume, and `!latency` answering with every shard's
//! heartbeat latency (disnake's `AutoShardedBot` with `on_shard_*` and `bot.get_shard(id).latency`).
//!
//! Each shard is one gateway connection carrying the events of its slice of the guilds: guild `g`
//! is on shard `(g >> 22) % shard_count`. A shard that loses its connection reconnects and resumes
//! by itself, without touching the others. See `docs/sharding.md`.
//!
//! Without `DISCORD_TOKEN` the example starts its own sandbox: four guilds, a recommendation of two
//! shards, and heartbeats every 250 ms (Discord's are 41 s) so that latencies are measured within
//! the scene.
//!
//! Intents: `GUILD_MESSAGES` and the privileged `MESSAGE_CONTENT` for `!latency`, and `GUILDS`.
//! Shard events need none.
//!
//! ```sh
//! cargo run --example sharded                       # on a 4-guild sandbox, with a scene
//! DISCORD_TOKEN=... cargo run --example sharded     # on Discord
//! ```

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use herald::BotBuilder;
use herald::gateway::{ShardState, Shards};
use herald::prelude::*;
use herald::sandbox::{Sandbox, SandboxBuilder, World};
use herald::testing::ContextExt as _;

/// Resumes counted per shard by `on_shard_resumed`: the bot's state (`.data(Resumes::default())`,
/// read with `ctx.data::<Resumes>()`).
#[derive(Default)]
struct Resumes(Mutex<BTreeMap<u32, u32>>);

impl Resumes {
    fn count(&self, shard: u32) {
        *self
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(shard)
            .or_default() += 1;
    }

    fn of(&self, shard: u32) -> u32 {
        let resumes = self.0.lock().unwrap_or_else(|p| p.into_inner());
        resumes.get(&shard).copied().unwrap_or(0)
    }
}

/// `1.3 ms`, or `not measured yet` before the shard's first heartbeat was acknowledged.
fn show(latency: Option<Duration>) -> String {
    latency.map_or("not measured yet".to_owned(), |l| {
        format!("{:.1} ms", l.as_secs_f64() * 1000.0)
    })
}

#[event]
async fn on_shard_connect(connect: &ShardConnect) {
    println!("shard {} connected", connect.shard_id);
}

#[event]
async fn on_shard_ready(ctx: Context, ready: &ShardReady) {
    let latency = ctx.shard(ready.shard_id).and_then(|shard| shard.latency());
    println!(
        "shard {} ready: {} guild(s) in {:?}, latency {}",
        ready.shard_id,
        ready.guilds,
        ready.took,
        show(latency)
    );
}

#[event]
async fn on_shard_disconnect(disconnect: &ShardDisconnect) {
    let why = match disconnect.reason {
        DisconnectReason::Reconnect => "Discord asked it to reconnect".to_owned(),
        DisconnectReason::InvalidSession { resumable } => {
            format!("session invalidated, resumable: {resumable}")
        }
        DisconnectReason::Lost => "connection lost".to_owned(),
        DisconnectReason::Shutdown => "shutting down".to_owned(),
        // Closed, and reasons later versions may add.
        _ => match disconnect.code {
            Some(code) => format!("close code {code}"),
            None => "closed".to_owned(),
        },
    };
    println!("shard {} disconnected: {why}", disconnect.shard_id);
}

#[event]
async fn on_shard_resumed(ctx: Context, resumed: &ShardResumed) {
    ctx.data::<Resumes>().count(resumed.shard_id);
    println!(
        "shard {} resumed its session: no event lost",
        resumed.shard_id
    );
}

/// Every shard is ready.
#[event]
async fn on_ready(ctx: Context, ready: &Ready) {
    println!(
        "ready: {} shard(s), {} guild(s)",
        ctx.shards().len(),
        ready.guilds
    );
}

/// `!latency`: each shard's heartbeat latency and state, marking the one this server is on.
#[listener]
async fn latency(ctx: Context, msg: &MessageCreate) -> herald::Result {
    if msg.content != "!latency" {
        return Ok(());
    }
    let shards = ctx.shards();
    // The shard this server's events arrive on: `(guild_id >> 22) % shard_count`.
    let here = msg.guild_id.and_then(|guild| ctx.shard_id_of(guild));
    let mut report: Vec<String> = shards
        .iter()
        .map(|shard| {
            let number = shard.id().number();
            let status = shard.status();
            let mut line = format!("shard {number}");
            if here == Some(number) {
                line.push_str(" (this server)");
            }
            line.push_str(&format!(": {}", show(status.latency)));
            if status.state != ShardState::Ready {
                line.push_str(&format!(", {:?}", status.state));
            }
            match ctx.data::<Resumes>().of(number) {
                0 => {}
                1 => line.push_str(", resumed once"),
                n => line.push_str(&format!(", resumed {n} times")),
            }
            line
        })
        .collect();
    report.push(format!("average {}", show(ctx.latency())));
    ctx.http()
        .create_message(msg.channel_id)
        .content(&report.join(" · "))
        .await?;
    Ok(())
}

/// What happens on the sandbox: `!latency`, then shard 1 is told to reconnect (op 7) and resumes,
/// and `!latency` again from a server on shard 1.
async fn scene(ctx: Context) -> herald::Result {
    let sandbox = ctx.sandbox().expect("scenes run on the sandbox");
    let alice = sandbox.actor("alice");
    // The #general channel of a guild on shard `n`.
    let general_on = |n: u32| {
        (0..4)
            .map(|k| sandbox.guild(&format!("Guild {k}")))
            .find(|guild| ctx.shard_id_of(*guild) == Some(n))
            .map(|guild| sandbox.guild_channel(guild, "general"))
            .expect("the world has a guild on each shard")
    };

    // Latencies are measured from heartbeats: wait for each shard's first acknowledged one.
    for shard in ctx.shards() {
        shard.measured_latency().await;
    }
    alice.say(general_on(0), "!latency");
    ctx.settled().await;

    // A fault on one shard: op 7 RECONNECT. Shard 1 resumes; shard 0 is not touched.
    let resumed = ctx
        .wait_for::<ShardResumed>()
        .check(|resumed| resumed.shard_id == 1)
        .register();
    sandbox.shard(1).reconnect()?;
    resumed.await?;

    alice.say(general_on(1), "!latency");
    ctx.settled().await;
    Ok(())
}

/// The bot: its listeners, intents, shards and scene. `main` connects it;
/// `tests/examples_patterns.rs` runs it on [`sandbox`] and checks the transcript.
pub(crate) fn bot() -> BotBuilder {
    Bot::builder()
        .data(Resumes::default())
        .intents(Intents::GUILDS | Intents::GUILD_MESSAGES | Intents::MESSAGE_CONTENT)
        // As many shards as `GET /gateway/bot` recommends (one for bots in fewer than 2,500
        // guilds on Discord; two on the sandbox below).
        .shards(Shards::Auto)
        .listener(latency)
        .event(on_shard_connect)
        .event(on_shard_ready)
        .event(on_shard_disconnect)
        .event(on_shard_resumed)
        .event(on_ready)
        .scene(scene)
}

/// The sandbox to run on without a token: guilds `Guild 0` .. `Guild 3` (each with a #general,
/// alice a member of all), two recommended shards, fast heartbeats.
pub(crate) fn sandbox() -> SandboxBuilder {
    Sandbox::builder()
        .world(World::with_guilds(4))
        .recommended_shards(2)
        .heartbeat_interval(Duration::from_millis(250))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing_subscriber::fmt().with_env_filter("warn").init();
    bot()
        .token_from_env("DISCORD_TOKEN")
        // Without a token: a sandbox with 4 guilds that recommends 2 shards.
        .embedded_sandbox(sandbox())
        .run()
        .await
}
