//! Helpers shared by the integration tests: a real twilight-gateway shard
//! and twilight-http client pointed at a sandbox.

#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

use herald_sandbox::Sandbox;
use twilight_gateway::{
    ConfigBuilder, Event, EventTypeFlags, Intents, Shard, ShardId, StreamExt as _,
    queue::InMemoryQueue,
};

/// Upper bound for any single wait in the tests.
pub const WAIT: Duration = Duration::from_secs(10);

pub fn init() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Intents of a typical bot, privileged ones included.
pub fn all_intents() -> Intents {
    Intents::all()
}

/// A shard for `[id, total]` with the disabled identify queue.
pub fn shard_with(
    sb: &Sandbox,
    id: u32,
    total: u32,
    token: String,
    intents: Intents,
) -> Shard<InMemoryQueue> {
    init();
    let config = ConfigBuilder::new(token, intents)
        .proxy_url(sb.gateway_url())
        .queue(InMemoryQueue::new(0, 0, Duration::ZERO, 0))
        .build();
    Shard::with_config(ShardId::new(id, total), config)
}

pub fn shard(sb: &Sandbox, intents: Intents) -> Shard<InMemoryQueue> {
    shard_with(sb, 0, 1, sb.token(), intents)
}

pub fn http(sb: &Sandbox) -> twilight_http::Client {
    init();
    twilight_http::Client::builder()
        .token(sb.token())
        .proxy(sb.http_proxy(), true)
        .timeout(Duration::from_secs(5))
        .build()
}

/// Polls the shard until `f` maps an event to `Some`; panics on a
/// deserialisation error, on the shard ending, or after `WAIT`.
pub async fn until<T>(
    shard: &mut Shard<InMemoryQueue>,
    what: &str,
    mut f: impl FnMut(Event) -> Option<T>,
) -> T {
    let fut = async {
        loop {
            match shard.next_event(EventTypeFlags::all()).await {
                Some(Ok(event)) => {
                    if let Some(out) = f(event) {
                        return out;
                    }
                }
                Some(Err(error)) => panic!("while waiting for {what}: shard error: {error:?}"),
                None => panic!("while waiting for {what}: the shard ended"),
            }
        }
    };
    tokio::time::timeout(WAIT, fut)
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

/// Polls until the first GUILD_CREATE (the shard is connected and ready).
pub async fn ready(shard: &mut Shard<InMemoryQueue>) {
    until(shard, "GUILD_CREATE", |e| {
        matches!(e, Event::GuildCreate(_)).then_some(())
    })
    .await;
}

/// Status and Discord error code of a failed twilight-http request.
pub fn api_code(error: &twilight_http::Error) -> (u16, u64) {
    use twilight_http::{api_error::ApiError, error::ErrorType};
    match error.kind() {
        ErrorType::Response { error, status, .. } => {
            let code = match error {
                ApiError::General(general) => general.code,
                other => panic!("unexpected API error {other:?}"),
            };
            (status.get(), code)
        }
        other => panic!("not a response error: {other:?}"),
    }
}
