//! `examples/metrics.rs`: herald's metrics, exported for Prometheus over HTTP, move as the bot
//! works. The exporter is this test binary's global recorder, on a free port.

#[path = "common/bot.rs"]
mod bot;

#[path = "../examples/metrics.rs"]
#[allow(dead_code)]
mod metrics_example;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};

use bot::WAIT;
use herald::sandbox::Sandbox;
use herald::testing::ContextExt as _;
use metrics_exporter_prometheus::PrometheusBuilder;

/// `GET /metrics` over plain HTTP, as Prometheus scrapes.
fn scrape(addr: SocketAddr) -> String {
    let mut stream = TcpStream::connect(addr).expect("the exporter listens");
    write!(
        stream,
        "GET /metrics HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    response
}

/// The value of the sample whose line starts with `series` (name and labels), if exported.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_metrics_are_scraped_over_http_and_move() {
    let addr = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap();
    PrometheusBuilder::new()
        .with_http_listener(addr)
        .install()
        .expect("the exporter starts");
    let sb = Sandbox::start().await.unwrap();
    let running = bot::start(&sb, metrics_example::bot()).await;
    let ctx = running.context().clone();
    let (alice, general) = (sb.actor("alice"), sb.channel("general"));

    let events = r#"herald_gateway_events_total{shard="0",type="MESSAGE_CREATE"}"#;
    let pings = r#"herald_listener_duration_seconds_count{listener="ping",event="message"}"#;
    let failures = r#"herald_listener_errors_total{listener="fail",event="message",kind="error"}"#;
    let mut before = None;
    for round in 1..=2 {
        for _ in 0..3 {
            alice.say(general, "!ping");
        }
        alice.say(general, "!fail");
        tokio::time::timeout(WAIT, ctx.settled()).await.unwrap();
        let text = scrape(addr);
        // The sandbox's own pongs come back as messages too: 3 pings, 1 failure, 3 pongs.
        let now = (
            sample(&text, events).unwrap_or_else(|| panic!("no {events} in:\n{text}")),
            sample(&text, pings).unwrap_or_else(|| panic!("no {pings} in:\n{text}")),
            sample(&text, failures).unwrap_or_else(|| panic!("no {failures} in:\n{text}")),
        );
        assert_eq!(
            now,
            (
                7.0 * f64::from(round),
                7.0 * f64::from(round),
                f64::from(round)
            )
        );
        assert_eq!(
            sample(&text, r#"herald_shard_state{shard="0"}"#),
            Some(2.0),
            "ready"
        );
        assert_eq!(
            sample(&text, r#"herald_gateway_identifies_total{shard="0"}"#),
            Some(1.0)
        );
        assert_eq!(sample(&text, "herald_listener_calls_in_flight"), Some(0.0));
        if let Some(before) = before {
            assert!(now > before, "{now:?} after {before:?}");
        }
        before = Some(now);
    }
    running.shutdown().await.unwrap();
}
