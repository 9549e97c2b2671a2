//! Metrics for Prometheus: herald's counters, gauges and histograms (feature `metrics`) exposed
//! at `/metrics` by metrics-exporter-prometheus, while a bot answers `!ping` and fails on
//! `!fail`, so that the listener and error metrics move.
//!
//! herald records through the [`metrics`](https://docs.rs/metrics) facade; any exporter works.
//! Install it before starting the bot. `docs/production.md` lists every metric.
//!
//! ```sh
//! cargo run --example metrics                    # on the embedded sandbox: alice keeps chatting
//! curl -s localhost:9000/metrics | grep herald_  # in another terminal
//! DISCORD_TOKEN=... cargo run --example metrics  # on Discord
//! ```
//!
//! `METRICS_ADDR` changes the address (default `127.0.0.1:9000`). In a bot's own `Cargo.toml`:
//! `herald = { version = "...", features = ["metrics"] }` and `metrics-exporter-prometheus`.

use std::net::SocketAddr;
use std::time::Duration;

use herald::BotBuilder;
use herald::prelude::*;
use herald::sandbox::Sandbox;
use herald::testing::ContextExt as _;
use metrics_exporter_prometheus::PrometheusBuilder;

/// `!ping` → `pong`.
#[listener]
async fn ping(ctx: Context, msg: &MessageCreate) -> herald::Result {
    if msg.content == "!ping" {
        ctx.http()
            .create_message(msg.channel_id)
            .content("pong")
            .await?;
    }
    Ok(())
}

/// `!fail` fails: `herald_listener_errors_total` counts it.
#[listener]
async fn fail(msg: &MessageCreate) -> herald::Result {
    if msg.content == "!fail" {
        return Err("asked to fail".into());
    }
    Ok(())
}

/// Handled errors are not printed again: this bot only counts them.
#[event]
async fn on_error(_err: &ListenerError) {}

/// The bot: its listeners, without a token or sandbox (`main` and the test add those).
pub(crate) fn bot() -> BotBuilder {
    Bot::builder()
        .add_intents(Intents::MESSAGE_CONTENT)
        .listener(ping)
        .listener(fail)
        .event(on_error)
}

/// On the sandbox: alice pings every second and asks for a failure every fifth, until Ctrl-C.
async fn chatter(ctx: Context) -> herald::Result {
    let sandbox = ctx.sandbox().expect("scenes run on the sandbox");
    let (alice, general) = (sandbox.actor("alice"), sandbox.channel("general"));
    for n in 0u64.. {
        alice.say(general, if n % 5 == 4 { "!fail" } else { "!ping" });
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing_subscriber::fmt().with_env_filter("warn").init();
    let addr: SocketAddr = std::env::var("METRICS_ADDR")
        .ok()
        .and_then(|a| a.parse().ok())
        .unwrap_or(([127, 0, 0, 1], 9000).into());
    PrometheusBuilder::new()
        .with_http_listener(addr)
        .install()
        .map_err(|error| Error::Config(format!("cannot serve metrics at {addr}: {error}")))?;
    println!("metrics at http://{addr}/metrics");
    bot()
        .token_from_env("DISCORD_TOKEN")
        // Without DISCORD_TOKEN: run offline on herald's sandbox and play the scene.
        .embedded_sandbox(Sandbox::builder())
        .scene(chatter)
        .run()
        .await
}
