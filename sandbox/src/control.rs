//! The control API: the sandbox driven over HTTP, on the same port as REST
//! and the gateway, under `/_sandbox/` (a path Discord's API never uses), so
//! that tests in any language can play users, inject faults, read what
//! happened and wait for the bot. Every body is JSON; names are the world's
//! (`"alice"`, `"general"`, `"Herald Test"`). See `docs/local-discord.md`.
//!
//! | method and path | body / query | answer |
//! |---|---|---|
//! | `GET /_sandbox` | | URLs, token, bot, guilds with channels, users |
//! | `POST /_sandbox/say` | `{user, channel, text}` | `{message_id}` |
//! | `POST /_sandbox/react` | `{user, channel, emoji, message_id?}` (default: the newest message) | `{}` |
//! | `POST /_sandbox/join`, `/leave` | `{user, guild}` | `{}` |
//! | `POST /_sandbox/ban` | `{user, guild, target, reason?}` | `{}` |
//! | `POST /_sandbox/command` | `{user, channel, name, options?}` (`name` may be `"tag add"`; users, channels and roles by name) | `{interaction_id, token}` |
//! | `POST /_sandbox/autocomplete` | `{user, channel, name, options?, focused, text}` | `{interaction_id, token}` |
//! | `GET /_sandbox/interaction?token=T` | | `{response}`: the bot's callback body, or `null` |
//! | `POST /_sandbox/fault` | `{shard?, kind: reconnect\|invalid_session\|zombie\|drop\|close, code?, resumable?}` | `{}` |
//! | `POST /_sandbox/rest_fault` | `{method, path, status, times?, retry_after_ms?}` | `{}` |
//! | `GET /_sandbox/transcript?since=N` | | `{lines, next, dropped}` |
//! | `GET /_sandbox/requests?since=N` | | `{requests, next, dropped}` |
//! | `GET /_sandbox/messages?channel=NAME` | | `{messages}` |
//! | `GET /_sandbox/gateway` | | `{identifies, connections, closes}` |
//! | `POST /_sandbox/wait/message` | `{channel, contains, after?, timeout_ms?}` | `{message}`, or 408 |
//! | `POST /_sandbox/wait/connected` | `{shards?, timeout_ms?}` | `{connections}`, or 408 |
//! | `POST /_sandbox/wait/idle` | `{idle_ms?, timeout_ms?}` | `{requests}`, or 408 |
//! | `POST /_sandbox/scene` | a scene file's TOML | `{steps_run, expectations, report}`, or 400 (the file) / 422 (a step failed) |
//! | `POST /_sandbox/reset` | | `{}` |
//!
//! Errors answer `{"error": "..."}` with 400 (a bad body or an unknown
//! name, the message naming what exists), 404 (an unknown path) or 408 (a
//! wait that timed out, saying what was seen).

use std::{
    panic::AssertUnwindSafe,
    sync::Arc,
    time::{Duration, Instant},
};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response, StatusCode, body::Incoming, header};
use serde_json::{Value, json};
use twilight_model::id::{Id, marker::ChannelMarker};

use crate::{
    OptionValue, Sandbox,
    core::{
        faults::RestFault, observe, records::strip_api_prefix, rest::HttpAnswer, state::Shared,
    },
    features::interactions::option_refs,
    files::scene,
};

/// The prefix of the control API's paths.
pub(crate) const PREFIX: &str = "/_sandbox";

/// Where a scene is posted.
const SCENE: &str = "/_sandbox/scene";

/// How long a wait waits when the body does not say (`timeout_ms`).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// A control API answer.
type Answer = Result<Value, (StatusCode, String)>;

/// Answers a control API request (the REST server hands every path under
/// [`PREFIX`] here).
pub(crate) fn handle(shared: Arc<Shared>, request: Request<Incoming>) -> HttpAnswer {
    Box::pin(async move {
        let (parts, body) = request.into_parts();
        let bytes = body
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        let path = parts.uri.path().trim_end_matches('/');
        let sb = Sandbox::view(shared);
        // A scene comes as its TOML text.
        if parts.method == hyper::Method::POST && path == SCENE {
            let text = String::from_utf8_lossy(&bytes);
            return Ok(reply(scene(&sb, &text).await));
        }
        let body: Value = if bytes.is_empty() {
            Value::Null
        } else {
            match serde_json::from_slice(&bytes) {
                Ok(body) => body,
                Err(error) => {
                    return Ok(reply(Err((
                        StatusCode::BAD_REQUEST,
                        format!("the body is not JSON: {error}"),
                    ))));
                }
            }
        };
        let query = parts.uri.query().unwrap_or_default();
        let answer = route(&sb, parts.method.as_str(), path, query, &body).await;
        Ok(reply(answer))
    })
}

async fn route(sb: &Sandbox, method: &str, path: &str, query: &str, body: &Value) -> Answer {
    let Some(rest) = path.strip_prefix(PREFIX) else {
        return not_found(method, path);
    };
    match (method, rest) {
        ("GET", "") => Ok(info(sb)),
        ("POST", "/say") => act(|| {
            let (user, channel) = (user(sb, body)?, channel(sb, body, "channel")?);
            let text = string(body, "text")?;
            let id = sb.actor(&user).say(channel, text);
            Ok(json!({ "message_id": id.to_string() }))
        }),
        ("POST", "/react") => act(|| {
            let (user, channel) = (user(sb, body)?, channel(sb, body, "channel")?);
            let emoji = string(body, "emoji")?;
            let message = match body.get("message_id") {
                Some(id) => id_of(id).ok_or_else(|| bad("message_id is not an id"))?,
                None => sb
                    .records()
                    .messages(channel)
                    .last()
                    .map(|m| m.id)
                    .ok_or_else(|| bad("the channel has no message to react to"))?,
            };
            sb.actor(&user).react(channel, message, emoji);
            Ok(json!({}))
        }),
        ("POST", "/join") => act(|| {
            let (user, guild) = (user(sb, body)?, guild(sb, body)?);
            sb.actor(&user).join(guild);
            Ok(json!({}))
        }),
        ("POST", "/leave") => act(|| {
            let (user, guild) = (user(sb, body)?, guild(sb, body)?);
            sb.actor(&user).leave(guild);
            Ok(json!({}))
        }),
        ("POST", "/ban") => act(|| {
            let (user, guild) = (user(sb, body)?, guild(sb, body)?);
            let target = string(body, "target")?;
            let target = lookup_user(sb, target)?;
            let reason = body.get("reason").and_then(Value::as_str).unwrap_or("");
            sb.actor(&user).ban(guild, target, reason);
            Ok(json!({}))
        }),
        ("POST", "/command") => act(|| {
            let (user, channel) = (user(sb, body)?, channel(sb, body, "channel")?);
            let (name, options) = (string(body, "name")?, options(body)?);
            let options = option_refs(&options);
            let sent = sb.actor(&user).slash_command(channel, name, &options);
            Ok(json!({ "interaction_id": sent.id.to_string(), "token": sent.token }))
        }),
        ("POST", "/autocomplete") => act(|| {
            let (user, channel) = (user(sb, body)?, channel(sb, body, "channel")?);
            let (name, options) = (string(body, "name")?, options(body)?);
            let (focused, text) = (string(body, "focused")?, string(body, "text")?);
            let options = option_refs(&options);
            let sent = sb
                .actor(&user)
                .autocomplete(channel, name, &options, (focused, text));
            Ok(json!({ "interaction_id": sent.id.to_string(), "token": sent.token }))
        }),
        ("GET", "/interaction") => {
            let token = param(query, "token").ok_or_else(|| bad("?token=T is missing"))?;
            Ok(json!({ "response": sb.interaction_response_by_token(&token) }))
        }
        ("POST", "/fault") => fault(sb, body),
        ("POST", "/rest_fault") => rest_fault(sb, body),
        ("GET", "/transcript") => Ok(transcript(sb, query)),
        ("GET", "/requests") => Ok(requests(sb, query)),
        ("GET", "/messages") => {
            let name = param(query, "channel").ok_or_else(|| bad("?channel=NAME is missing"))?;
            let channel = lookup_channel(sb, &name)?;
            let messages: Vec<Value> = sb
                .records()
                .messages(channel)
                .iter()
                .map(|m| {
                    json!({
                        "id": m.id.to_string(),
                        "author_id": m.author_id.to_string(),
                        "content": m.content,
                        "embeds": m.embeds,
                        "edited": m.edited,
                    })
                })
                .collect();
            Ok(json!({ "messages": messages }))
        }
        ("GET", "/gateway") => Ok(gateway(sb)),
        ("POST", "/wait/message") => {
            let channel = channel(sb, body, "channel")?;
            let contains = string(body, "contains")?.to_owned();
            // Only messages newer than `after` (a message id, e.g. what /say answered).
            let after = match body.get("after") {
                Some(id) => id_of::<twilight_model::id::marker::MessageMarker>(id)
                    .ok_or_else(|| bad("after is not a message id"))?
                    .get(),
                None => 0,
            };
            let bot = sb.bot_user_id();
            let message = sb
                .records()
                .wait_for_message(
                    channel,
                    |m| m.author_id == bot && m.id.get() > after && m.content.contains(&contains),
                    timeout(body),
                )
                .await
                .map_err(|error| (StatusCode::REQUEST_TIMEOUT, error.to_string()))?;
            Ok(json!({ "message": {
                "id": message.id.to_string(),
                "content": message.content,
            }}))
        }
        ("POST", "/wait/connected") => {
            let shards = body.get("shards").and_then(Value::as_u64).unwrap_or(1);
            let shards = usize::try_from(shards).unwrap_or(usize::MAX);
            let connected = sb
                .shared
                .wait_until(
                    timeout(body),
                    |state| {
                        format!(
                            "{shards} shards connected and identified; {} are",
                            observe::connections(state).len()
                        )
                    },
                    |state| {
                        let connections = observe::connections(state);
                        (connections.len() >= shards).then_some(connections)
                    },
                )
                .await
                .map_err(|error| (StatusCode::REQUEST_TIMEOUT, error.to_string()))?;
            let connected: Vec<Value> = connected
                .iter()
                .map(|c| json!({ "shard": c.shard, "session_id": c.session_id }))
                .collect();
            Ok(json!({ "connections": connected }))
        }
        ("POST", "/wait/idle") => idle(sb, body).await,
        ("POST", "/reset") => {
            sb.reset();
            Ok(json!({}))
        }
        _ => not_found(method, path),
    }
}

fn not_found(method: &str, path: &str) -> Answer {
    Err((
        StatusCode::NOT_FOUND,
        format!(
            "the control API has no {method} {path}; see GET {PREFIX} and docs/local-discord.md"
        ),
    ))
}

fn reply(answer: Answer) -> Response<Full<Bytes>> {
    let (status, body) = match answer {
        Ok(body) => (StatusCode::OK, body),
        Err((status, error)) => (status, json!({ "error": error })),
    };
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

fn bad(message: impl Into<String>) -> (StatusCode, String) {
    (StatusCode::BAD_REQUEST, message.into())
}

/// Runs an action that may panic (an actor's failed action panics with
/// what went wrong, as in a Rust test): the panic becomes a 400.
fn act(action: impl FnOnce() -> Answer) -> Answer {
    std::panic::catch_unwind(AssertUnwindSafe(action))
        .unwrap_or_else(|panic| Err(bad(scene::panic_message(&*panic))))
}

fn string<'a>(body: &'a Value, key: &str) -> Result<&'a str, (StatusCode, String)> {
    body.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| bad(format!("the body needs \"{key}\": a string")))
}

fn id_of<T>(value: &Value) -> Option<Id<T>> {
    Id::new_checked(crate::core::rest::value_id(Some(value))?)
}

/// A command's `options` object: strings (names of users, channels and roles
/// too), integers, numbers and booleans.
fn options(body: &Value) -> Result<Vec<(String, OptionValue)>, (StatusCode, String)> {
    let Some(options) = body.get("options") else {
        return Ok(Vec::new());
    };
    let options = options
        .as_object()
        .ok_or_else(|| bad("options is an object: {\"name\": value, ..}"))?;
    options
        .iter()
        .map(|(name, value)| {
            let value = match value {
                Value::String(s) => OptionValue::String(s.clone()),
                Value::Bool(b) => OptionValue::Boolean(*b),
                Value::Number(n) => match n.as_i64() {
                    Some(i) => OptionValue::Integer(i),
                    None => OptionValue::Number(n.as_f64().unwrap_or_default()),
                },
                _ => {
                    return Err(bad(format!(
                        "option {name:?}: options are strings, numbers or booleans"
                    )));
                }
            };
            Ok((name.clone(), value))
        })
        .collect()
}

fn timeout(body: &Value) -> Duration {
    body.get("timeout_ms")
        .and_then(Value::as_u64)
        .map_or(DEFAULT_TIMEOUT, Duration::from_millis)
}

/// A query parameter, decoded (`+` and `%xx`).
fn param(query: &str, name: &str) -> Option<String> {
    let value = crate::core::rest::query_param(query, name)?;
    Some(
        percent_encoding::percent_decode_str(&value.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned(),
    )
}

fn since(query: &str) -> u64 {
    param(query, "since")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

// ---- names ---------------------------------------------------------------------

fn user(sb: &Sandbox, body: &Value) -> Result<String, (StatusCode, String)> {
    let name = string(body, "user")?;
    lookup_user(sb, name)?;
    Ok(name.to_owned())
}

fn lookup_user(
    sb: &Sandbox,
    name: &str,
) -> Result<Id<twilight_model::id::marker::UserMarker>, (StatusCode, String)> {
    scene::user_id(&sb.shared.lock().world, name).map_err(bad)
}

fn channel(
    sb: &Sandbox,
    body: &Value,
    key: &str,
) -> Result<Id<ChannelMarker>, (StatusCode, String)> {
    lookup_channel(sb, string(body, key)?)
}

fn lookup_channel(sb: &Sandbox, name: &str) -> Result<Id<ChannelMarker>, (StatusCode, String)> {
    let channel = scene::ChannelRef::new(name.to_owned(), None);
    scene::channel_id(&sb.shared.lock().world, &channel).map_err(bad)
}

fn guild(
    sb: &Sandbox,
    body: &Value,
) -> Result<Id<twilight_model::id::marker::GuildMarker>, (StatusCode, String)> {
    let name = string(body, "guild")?;
    scene::guild_id(&sb.shared.lock().world, name).map_err(bad)
}

// ---- reads ---------------------------------------------------------------------

fn info(sb: &Sandbox) -> Value {
    let state = sb.shared.lock();
    let world = &state.world;
    let guilds: Vec<Value> = world
        .guilds
        .iter()
        .map(|g| {
            let channels: Vec<Value> = g
                .channels
                .iter()
                .map(|c| json!({ "name": c.name, "id": c.id.to_string(), "type": c.kind }))
                .collect();
            json!({
                "name": g.name,
                "id": g.id.to_string(),
                "members": g.members.len(),
                "channels": channels,
            })
        })
        .collect();
    let users: Vec<Value> = world
        .users
        .iter()
        .map(|u| json!({ "name": u.name, "id": u.id.to_string() }))
        .collect();
    let base = format!("http://{}", sb.http_proxy());
    json!({
        "base_url": base,
        "api_url": sb.http_base_url(),
        "gateway_url": sb.gateway_url(),
        "token": sb.token(),
        "bot": { "id": world.bot_id.to_string(), "application_id": world.application_id.to_string() },
        "guilds": guilds,
        "users": users,
    })
}

fn transcript(sb: &Sandbox, query: &str) -> Value {
    let state = sb.shared.lock();
    let lines = state.transcript.lines();
    let (dropped, from) = (lines.dropped(), since(query));
    let skip = usize::try_from(from.saturating_sub(dropped)).unwrap_or(usize::MAX);
    let kept: Vec<&String> = lines.iter().skip(skip).collect();
    json!({
        "lines": kept,
        "next": dropped + lines.len() as u64,
        "dropped": dropped,
    })
}

fn requests(sb: &Sandbox, query: &str) -> Value {
    let state = sb.shared.lock();
    let requests = &state.requests;
    let (dropped, from) = (requests.dropped(), since(query));
    let skip = usize::try_from(from.saturating_sub(dropped)).unwrap_or(usize::MAX);
    let kept: Vec<Value> = requests
        .iter()
        .skip(skip)
        .map(|r| {
            json!({
                "method": r.method,
                "path": strip_api_prefix(&r.path),
                "query": r.query,
                "body": r.body,
                "status": r.status,
            })
        })
        .collect();
    json!({
        "requests": kept,
        "next": dropped + requests.len() as u64,
        "dropped": dropped,
    })
}

fn gateway(sb: &Sandbox) -> Value {
    let records = sb.records();
    let identifies: Vec<Value> = records
        .identifies()
        .iter()
        .map(|i| {
            json!({
                "shard": i.shard,
                "intents": i.intents.bits(),
                "accepted": i.accepted(),
                "rejected_with": i.rejected_with,
                "compression": i.compression,
                "large_threshold": i.large_threshold,
            })
        })
        .collect();
    let connections: Vec<Value> = records
        .connections()
        .iter()
        .map(|c| json!({ "shard": c.shard, "session_id": c.session_id, "seq": c.seq }))
        .collect();
    let closes: Vec<Value> = records
        .client_closes()
        .iter()
        .map(|c| json!({ "shard": c.shard, "code": c.code, "reason": c.reason }))
        .collect();
    json!({ "identifies": identifies, "connections": connections, "closes": closes })
}

// ---- faults and waits --------------------------------------------------------------

fn fault(sb: &Sandbox, body: &Value) -> Answer {
    let shard = body.get("shard").and_then(Value::as_u64).unwrap_or(0);
    let shard = sb.shard(u32::try_from(shard).map_err(|_| bad("shard is too large"))?);
    let kind = string(body, "kind")?;
    let done = match kind {
        "reconnect" => shard.reconnect(),
        "invalid_session" => shard.invalid_session(
            body.get("resumable")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        ),
        "zombie" => shard.zombie(),
        "drop" => shard.drop_tcp(),
        "close" => {
            let code = body
                .get("code")
                .and_then(Value::as_u64)
                .and_then(|c| u16::try_from(c).ok())
                .ok_or_else(|| bad("a close needs \"code\": a close code, e.g. 4000"))?;
            shard.close(code)
        }
        other => {
            return Err(bad(format!(
                "unknown fault kind {other:?}: reconnect, invalid_session, zombie, drop or close"
            )));
        }
    };
    done.map(|()| json!({}))
        .map_err(|error| bad(error.to_string()))
}

fn rest_fault(sb: &Sandbox, body: &Value) -> Answer {
    let method = body.get("method").and_then(Value::as_str).unwrap_or("*");
    let path = string(body, "path")?;
    let status = body.get("status").and_then(Value::as_u64).unwrap_or(500);
    let status = u16::try_from(status).map_err(|_| bad("status is not an HTTP status"))?;
    let times = body.get("times").and_then(Value::as_u64).unwrap_or(1);
    let times = u32::try_from(times).map_err(|_| bad("times is too large"))?;
    let fault = match status {
        429 => RestFault::RateLimited {
            times,
            retry_after: Duration::from_millis(
                body.get("retry_after_ms")
                    .and_then(Value::as_u64)
                    .unwrap_or(1000),
            ),
        },
        500..=599 => RestFault::ServerError { status, times },
        _ => RestFault::ApiError {
            status,
            code: body
                .get("code")
                .and_then(Value::as_u64)
                .and_then(|c| u32::try_from(c).ok())
                .unwrap_or(0),
            message: body
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("sandbox fault")
                .to_owned(),
            times,
        },
    };
    sb.faults().rest(method, path, fault);
    Ok(json!({}))
}

/// Runs a scene file's text to its end: the report, or why it stopped
/// (400 for a file that does not parse, 422 for a step that failed).
async fn scene(sb: &Sandbox, text: &str) -> Answer {
    let scene = crate::scene_from_toml(text).map_err(|error| bad(error.to_string()))?;
    let report = scene
        .run(sb)
        .await
        .map_err(|error| (StatusCode::UNPROCESSABLE_ENTITY, error.to_string()))?;
    let expectations: Vec<Value> = report
        .expectations
        .iter()
        .map(|m| {
            json!({
                "step": m.step,
                "line": m.line,
                "contains": m.contains,
                "message": { "id": m.message.id.to_string(), "content": m.message.content },
                "after_ms": u64::try_from(m.after.as_millis()).unwrap_or(u64::MAX),
            })
        })
        .collect();
    Ok(json!({
        "steps_run": report.steps_run,
        "expectations": expectations,
        "report": report.to_string(),
    }))
}

/// Waits until the bot made no REST request for `idle_ms` (default 500).
async fn idle(sb: &Sandbox, body: &Value) -> Answer {
    let idle = Duration::from_millis(body.get("idle_ms").and_then(Value::as_u64).unwrap_or(500));
    let started = Instant::now();
    let limit = timeout(body);
    let count = |sb: &Sandbox| {
        let state = sb.shared.lock();
        state.requests.dropped() + state.requests.len() as u64
    };
    let mut seen = count(sb);
    loop {
        tokio::time::sleep(idle).await;
        let now = count(sb);
        if now == seen {
            return Ok(json!({ "requests": now }));
        }
        if started.elapsed() >= limit {
            return Err((
                StatusCode::REQUEST_TIMEOUT,
                format!(
                    "the bot was not idle for {idle:?} within {limit:?}: {} requests meanwhile",
                    now - seen
                ),
            ));
        }
        seen = now;
    }
}
