//! The REST subset on `http://127.0.0.1:PORT/api/v10/...`: the routes a bot
//! uses, with Discord's rate-limit headers on every answer, JSON error
//! codes, REST fault injection, and a record of every request.

use std::{
    collections::hash_map::DefaultHasher,
    convert::Infallible,
    hash::{Hash, Hasher},
    sync::Arc,
    time::{Duration, Instant},
};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response, StatusCode, body::Incoming, header, service::service_fn};
use hyper_util::rt::TokioIo;
use percent_encoding::percent_decode_str;
use serde_json::{Value, json};
use tokio::{net::TcpListener, task::JoinSet};

use crate::{
    faults::RestFault,
    gateway::bare_token,
    ops::{AUDIT_MEMBER_ROLE_UPDATE, AUDIT_MEMBER_UPDATE, NewMessage, OpError},
    payloads::{channel_json, role_json},
    record::{RecordedRequest, strip_api_prefix},
    state::{Config, Shared, State},
    transcript::RestLine,
    util::unix_now_f64,
};

/// Accepts HTTP connections until the task is aborted.
pub(crate) async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let mut tasks = JoinSet::new();
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let _ = stream.set_nodelay(true);
                let shared = Arc::clone(&shared);
                tasks.spawn(async move {
                    let service = service_fn(move |req| handle(Arc::clone(&shared), req));
                    if let Err(error) = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await
                    {
                        tracing::debug!(%error, "sandbox REST: connection error");
                    }
                });
            }
            Err(error) => {
                tracing::warn!(%error, "sandbox REST: accept failed");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
        while tasks.try_join_next().is_some() {}
    }
}

/// A parsed request.
struct Req {
    method: String,
    path: String,
    query: Option<String>,
    authorization: Option<String>,
    reason: Option<String>,
    body: Option<Value>,
}

impl Req {
    fn query_param(&self, name: &str) -> Option<&str> {
        self.query.as_deref()?.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (k == name).then_some(v)
        })
    }

    fn body_str(&self, key: &str) -> Option<String> {
        self.body.as_ref()?.get(key)?.as_str().map(str::to_owned)
    }

    fn body_array(&self, key: &str) -> Option<Vec<Value>> {
        match self.body.as_ref()?.get(key)? {
            Value::Array(a) => Some(a.clone()),
            _ => None,
        }
    }
}

/// An answer.
struct Reply {
    status: u16,
    body: Option<Value>,
    /// `Some(retry_after)` for a 429.
    retry_after: Option<Duration>,
}

impl Reply {
    fn json(body: Value) -> Self {
        Self {
            status: 200,
            body: Some(body),
            retry_after: None,
        }
    }

    fn no_content() -> Self {
        Self {
            status: 204,
            body: None,
            retry_after: None,
        }
    }

    fn error(status: u16, code: u32, message: impl Into<String>) -> Self {
        Self {
            status,
            body: Some(json!({"code": code, "message": message.into()})),
            retry_after: None,
        }
    }

    fn op(error: &OpError) -> Self {
        let (status, code, message) = error.discord();
        Self::error(status, code, message)
    }
}

impl From<OpError> for Reply {
    fn from(error: OpError) -> Self {
        Self::op(&error)
    }
}

async fn handle(
    shared: Arc<Shared>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = request.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let header_str = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let content_type = header_str("content-type").unwrap_or_default();
    let req = Req {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        authorization: header_str("authorization"),
        reason: header_str("x-audit-log-reason")
            .map(|r| percent_decode_str(&r).decode_utf8_lossy().into_owned()),
        body: parse_body(&content_type, &bytes),
    };
    let at = Instant::now();
    let reply = shared.with(|state| {
        let line = RestLine::before(
            state,
            &req.method,
            &req.path,
            req.body.as_ref(),
            req.reason.as_deref(),
        );
        let reply = state.answer(&shared.config, &req);
        if let Some(line) = line.and_then(|l| l.finish(reply.status, reply.body.as_ref())) {
            state.note(line);
        }
        state.requests.push(RecordedRequest {
            method: req.method.clone(),
            path: req.path.clone(),
            query: req.query.clone(),
            body: req.body.clone(),
            audit_log_reason: req.reason.clone(),
            status: reply.status,
            response: reply.body.clone(),
            at,
        });
        reply
    });
    Ok(response(&req, reply))
}

/// JSON bodies, or the `payload_json` part of a multipart body.
fn parse_body(content_type: &str, bytes: &[u8]) -> Option<Value> {
    if bytes.is_empty() {
        return None;
    }
    if let Some(boundary) = content_type
        .strip_prefix("multipart/form-data")
        .and_then(|rest| rest.split("boundary=").nth(1))
    {
        let boundary = boundary.trim_matches('"');
        let text = String::from_utf8_lossy(bytes);
        return text.split(&format!("--{boundary}")).find_map(|part| {
            if !part.contains("name=\"payload_json\"") {
                return None;
            }
            let (_, body) = part.split_once("\r\n\r\n")?;
            serde_json::from_str(body.trim_end_matches("\r\n")).ok()
        });
    }
    serde_json::from_slice(bytes).ok()
}

fn response(req: &Req, reply: Reply) -> Response<Full<Bytes>> {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut hasher = DefaultHasher::new();
    route_template(&req.method, &req.path).hash(&mut hasher);
    let bucket = format!("{:016x}", hasher.finish());
    let (remaining, reset_after) = match reply.retry_after {
        Some(wait) => (0, wait.as_secs_f64()),
        None => (4, 1.0),
    };
    let mut builder = Response::builder()
        .status(status)
        .header("x-ratelimit-bucket", bucket)
        .header("x-ratelimit-limit", "5")
        .header("x-ratelimit-remaining", remaining.to_string())
        .header(
            "x-ratelimit-reset",
            format!("{:.3}", unix_now_f64() + reset_after),
        )
        .header("x-ratelimit-reset-after", format!("{reset_after:.3}"))
        .header("x-ratelimit-scope", "user");
    if let Some(wait) = reply.retry_after {
        builder = builder.header(header::RETRY_AFTER, wait.as_secs_f64().ceil().to_string());
    }
    let body = match reply.body {
        Some(body) => {
            builder = builder.header(header::CONTENT_TYPE, "application/json");
            Bytes::from(body.to_string())
        }
        None => Bytes::new(),
    };
    builder
        .body(Full::new(body))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

/// The route with ids replaced, for the bucket header.
fn route_template(method: &str, path: &str) -> String {
    let mut out = String::from(method);
    out.push(' ');
    for seg in strip_api_prefix(path).split('/') {
        if seg.bytes().all(|b| b.is_ascii_digit()) && !seg.is_empty() {
            out.push_str("{id}/");
        } else {
            out.push_str(seg);
            out.push('/');
        }
    }
    out
}

fn id(seg: &str) -> Option<u64> {
    seg.parse().ok().filter(|id| *id != 0)
}

fn value_id(v: Option<&Value>) -> Option<u64> {
    let v = v?;
    v.as_str()
        .and_then(|s| s.parse().ok())
        .or_else(|| v.as_u64())
}

impl State {
    fn answer(&mut self, config: &Config, req: &Req) -> Reply {
        // Faults first: a faulted request changes nothing.
        if let Some(index) = self
            .rest_faults
            .iter()
            .position(|r| r.remaining > 0 && r.matcher.matches(&req.method, &req.path))
        {
            let rule = &mut self.rest_faults[index];
            rule.remaining -= 1;
            let fault = rule.fault.clone();
            if rule.remaining == 0 {
                self.rest_faults.remove(index);
            }
            return match fault {
                RestFault::RateLimited { retry_after, .. } => Reply {
                    status: 429,
                    body: Some(json!({
                        "message": "You are being rate limited.",
                        "retry_after": retry_after.as_secs_f64(),
                        "global": false,
                    })),
                    retry_after: Some(retry_after),
                },
                RestFault::ServerError { status, .. } => {
                    Reply::error(status, 0, format!("{status}: sandbox server error"))
                }
                RestFault::ApiError {
                    status,
                    code,
                    message,
                    ..
                } => Reply::error(status, code, message),
            };
        }

        let Some(route) = req.path.strip_prefix("/api/v10") else {
            return Reply::error(
                404,
                0,
                format!(
                    "404: Not Found (the sandbox serves /api/v10/...; got {} {})",
                    req.method, req.path
                ),
            );
        };
        let segs: Vec<&str> = route.trim_start_matches('/').split('/').collect();
        let unauthenticated = matches!(segs.first(), Some(&"interactions" | &"webhooks"));
        if !unauthenticated
            && req
                .authorization
                .as_deref()
                .is_none_or(|a| bare_token(a) != config.token)
        {
            return Reply::error(401, 0, "401: Unauthorized");
        }
        self.route(config, req, &segs)
    }

    #[allow(clippy::too_many_lines)]
    fn route(&mut self, config: &Config, req: &Req, segs: &[&str]) -> Reply {
        let bot = self.world.bot_id;
        match (req.method.as_str(), segs) {
            ("GET", ["gateway", "bot"]) => {
                let (remaining, reset_after) = self.session_start_limit(config);
                Reply::json(json!({
                    "url": config.gateway_url,
                    "shards": config.recommended_shards,
                    "session_start_limit": {
                        "total": config.session_start_total,
                        "remaining": remaining,
                        "reset_after": u64::try_from(reset_after.as_millis()).unwrap_or(u64::MAX),
                        "max_concurrency": config.max_concurrency,
                    },
                }))
            }
            ("GET", ["gateway"]) => Reply::json(json!({"url": config.gateway_url})),
            ("GET", ["users", "@me"]) => Reply::json(self.world.current_user_json()),
            ("GET", ["users", user]) => match id(user).filter(|u| self.world.user_rec(*u).is_some())
            {
                Some(user) => Reply::json(self.world.user_json(user)),
                None => OpError::UnknownUser(id(user).unwrap_or(0)).into(),
            },
            ("POST", ["users", "@me", "channels"]) => {
                match value_id(req.body.as_ref().and_then(|b| b.get("recipient_id")))
                    .filter(|u| self.world.user_rec(*u).is_some())
                {
                    Some(user) => {
                        let channel = self.world.dm_channel_with(user);
                        match self.world.channel(channel) {
                            Some(c) => Reply::json(self.world.any_channel_json(c)),
                            None => OpError::UnknownChannel(channel).into(),
                        }
                    }
                    None => Reply::error(400, 50035, "Invalid Form Body: unknown recipient_id"),
                }
            }
            ("GET", ["applications", "@me"] | ["oauth2", "applications", "@me"]) => {
                Reply::json(self.application_json())
            }
            ("GET", ["channels", c]) => match id(c).and_then(|c| self.world.channel(c)) {
                Some(channel) => Reply::json(self.world.any_channel_json(channel)),
                None => OpError::UnknownChannel(id(c).unwrap_or(0)).into(),
            },
            ("GET", ["channels", c, "messages"]) => {
                let Some(channel) = id(c).filter(|c| self.world.channel(*c).is_some()) else {
                    return OpError::UnknownChannel(id(c).unwrap_or(0)).into();
                };
                let limit = req
                    .query_param("limit")
                    .and_then(|l| l.parse::<usize>().ok())
                    .unwrap_or(50)
                    .clamp(1, 100);
                let list: Vec<Value> = self
                    .world
                    .messages
                    .get(&channel)
                    .map(|msgs| {
                        msgs.iter()
                            .rev()
                            .take(limit)
                            .map(|m| self.world.message_json(m, false, false))
                            .collect()
                    })
                    .unwrap_or_default();
                Reply::json(Value::Array(list))
            }
            ("POST", ["channels", c, "messages"]) => {
                let Some(channel) = id(c) else {
                    return OpError::UnknownChannel(0).into();
                };
                let new = NewMessage {
                    content: req.body_str("content").unwrap_or_default(),
                    embeds: req.body_array("embeds").unwrap_or_default(),
                    components: req.body_array("components").unwrap_or_default(),
                    kind: if req.body.as_ref().and_then(|b| b.get("message_reference")).is_some() {
                        19
                    } else {
                        0
                    },
                    flags: req
                        .body
                        .as_ref()
                        .and_then(|b| b.get("flags"))
                        .and_then(Value::as_u64)
                        .unwrap_or(0),
                };
                match self.post_message(channel, bot, new) {
                    Ok(m) => Reply::json(self.world.message_json(&m, false, false)),
                    Err(e) => e.into(),
                }
            }
            ("GET", ["channels", c, "messages", m]) => {
                let (Some(channel), Some(message)) = (id(c), id(m)) else {
                    return OpError::UnknownMessage(0).into();
                };
                if self.world.channel(channel).is_none() {
                    return OpError::UnknownChannel(channel).into();
                }
                match self.world.message(channel, message) {
                    Some(m) => Reply::json(self.world.message_json(m, false, false)),
                    None => OpError::UnknownMessage(message).into(),
                }
            }
            ("PATCH", ["channels", c, "messages", m]) => {
                let (Some(channel), Some(message)) = (id(c), id(m)) else {
                    return OpError::UnknownMessage(0).into();
                };
                let content = req
                    .body
                    .as_ref()
                    .and_then(|b| b.get("content"))
                    .map(|c| c.as_str().unwrap_or("").to_owned());
                match self.edit_message(
                    channel,
                    message,
                    content,
                    req.body_array("embeds"),
                    req.body_array("components"),
                ) {
                    Ok(m) => Reply::json(self.world.message_json(&m, false, false)),
                    Err(e) => e.into(),
                }
            }
            ("DELETE", ["channels", c, "messages", m]) => {
                let (Some(channel), Some(message)) = (id(c), id(m)) else {
                    return OpError::UnknownMessage(0).into();
                };
                match self.delete_message(channel, message) {
                    Ok(()) => Reply::no_content(),
                    Err(e) => e.into(),
                }
            }
            (method @ ("PUT" | "DELETE"), ["channels", c, "messages", m, "reactions", emoji, "@me"]) => {
                let (Some(channel), Some(message)) = (id(c), id(m)) else {
                    return OpError::UnknownMessage(0).into();
                };
                let emoji = percent_decode_str(emoji).decode_utf8_lossy().into_owned();
                match self.react(channel, message, bot, &emoji, method == "PUT") {
                    Ok(()) => Reply::no_content(),
                    Err(e) => e.into(),
                }
            }
            ("POST", ["channels", c, "messages", "bulk-delete"]) => {
                let Some(channel) = id(c) else {
                    return OpError::UnknownChannel(0).into();
                };
                let ids: Vec<u64> = req
                    .body
                    .as_ref()
                    .and_then(|b| b.get("messages"))
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(|v| value_id(Some(v))).collect())
                    .unwrap_or_default();
                if !(2..=100).contains(&ids.len()) {
                    return Reply::error(
                        400,
                        50035,
                        "Invalid Form Body: messages must hold 2 to 100 message ids",
                    );
                }
                match self.bulk_delete(channel, &ids) {
                    Ok(_) => Reply::no_content(),
                    Err(e) => e.into(),
                }
            }
            ("DELETE", ["channels", c, "messages", m, "reactions"]) => {
                let (Some(channel), Some(message)) = (id(c), id(m)) else {
                    return OpError::UnknownMessage(0).into();
                };
                match self.clear_reactions(channel, message, None) {
                    Ok(()) => Reply::no_content(),
                    Err(e) => e.into(),
                }
            }
            ("DELETE", ["channels", c, "messages", m, "reactions", emoji]) => {
                let (Some(channel), Some(message)) = (id(c), id(m)) else {
                    return OpError::UnknownMessage(0).into();
                };
                let emoji = percent_decode_str(emoji).decode_utf8_lossy().into_owned();
                match self.clear_reactions(channel, message, Some(&emoji)) {
                    Ok(()) => Reply::no_content(),
                    Err(e) => e.into(),
                }
            }
            ("DELETE", ["channels", c, "messages", m, "reactions", emoji, u]) => {
                let (Some(channel), Some(message)) = (id(c), id(m)) else {
                    return OpError::UnknownMessage(0).into();
                };
                let Some(user) = id(u).filter(|u| self.world.user_rec(*u).is_some()) else {
                    return OpError::UnknownUser(id(u).unwrap_or(0)).into();
                };
                let emoji = percent_decode_str(emoji).decode_utf8_lossy().into_owned();
                match self.react(channel, message, user, &emoji, false) {
                    Ok(()) => Reply::no_content(),
                    Err(e) => e.into(),
                }
            }
            (
                method @ ("PUT" | "DELETE"),
                ["channels", c, "messages", "pins", m] | ["channels", c, "pins", m],
            ) => {
                let (Some(channel), Some(message)) = (id(c), id(m)) else {
                    return OpError::UnknownMessage(0).into();
                };
                match self.pin(channel, message, method == "PUT") {
                    Ok(()) => Reply::no_content(),
                    Err(e) => e.into(),
                }
            }
            ("POST", ["channels", c, "typing"]) => match id(c).map(|c| self.typing(c, bot)) {
                Some(Ok(())) => Reply::no_content(),
                Some(Err(e)) => e.into(),
                None => OpError::UnknownChannel(0).into(),
            },
            ("GET", ["guilds", g]) => match id(g).and_then(|g| self.world.guild(g)) {
                Some(guild) => {
                    let mut v = self.world.guild_json(guild, false);
                    if let Value::Object(map) = &mut v {
                        for key in ["channels", "members", "presences", "voice_states", "threads"] {
                            map.remove(key);
                        }
                    }
                    Reply::json(v)
                }
                None => OpError::UnknownGuild(id(g).unwrap_or(0)).into(),
            },
            ("GET", ["guilds", g, "channels"]) => match id(g).and_then(|g| self.world.guild(g)) {
                Some(guild) => Reply::json(Value::Array(
                    guild.channels.iter().map(|c| channel_json(c, &[])).collect(),
                )),
                None => OpError::UnknownGuild(id(g).unwrap_or(0)).into(),
            },
            ("GET", ["guilds", g, "roles"]) => match id(g).and_then(|g| self.world.guild(g)) {
                Some(guild) => Reply::json(Value::Array(guild.roles.iter().map(role_json).collect())),
                None => OpError::UnknownGuild(id(g).unwrap_or(0)).into(),
            },
            ("GET", ["guilds", g, "members"]) => match id(g).and_then(|g| self.world.guild(g)) {
                Some(guild) => {
                    let limit = req
                        .query_param("limit")
                        .and_then(|l| l.parse::<usize>().ok())
                        .unwrap_or(1);
                    Reply::json(Value::Array(
                        guild
                            .members
                            .iter()
                            .take(limit)
                            .map(|m| self.world.member_json(m, true))
                            .collect(),
                    ))
                }
                None => OpError::UnknownGuild(id(g).unwrap_or(0)).into(),
            },
            ("GET", ["guilds", g, "members", u]) => {
                let (Some(guild), Some(user)) = (id(g), id(u)) else {
                    return OpError::UnknownMember(0).into();
                };
                if self.world.guild(guild).is_none() {
                    return OpError::UnknownGuild(guild).into();
                }
                match self.world.member(guild, user) {
                    Some(m) => Reply::json(self.world.member_json(m, true)),
                    None => OpError::UnknownMember(user).into(),
                }
            }
            ("PATCH", ["guilds", g, "members", u]) => {
                let (Some(guild), Some(user)) = (id(g), id(u)) else {
                    return OpError::UnknownMember(0).into();
                };
                let body = req.body.clone().unwrap_or(Value::Null);
                let roles: Option<Vec<u64>> = body
                    .get("roles")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(|r| value_id(Some(r))).collect());
                let result = self.member_update(guild, user, |m| {
                    if let Some(nick) = body.get("nick") {
                        m.nick = nick.as_str().map(str::to_owned);
                    }
                    if let Some(roles) = roles {
                        m.roles = roles;
                    }
                    if let Some(until) = body.get("communication_disabled_until") {
                        m.communication_disabled_until = until.as_str().map(str::to_owned);
                    }
                });
                match result {
                    Ok(member) => {
                        self.audit(guild, AUDIT_MEMBER_UPDATE, bot, Some(user), req.reason.clone());
                        Reply::json(self.world.member_with_guild_json(guild, &member))
                    }
                    Err(e) => e.into(),
                }
            }
            ("DELETE", ["guilds", g, "members", u]) => {
                let (Some(guild), Some(user)) = (id(g), id(u)) else {
                    return OpError::UnknownMember(0).into();
                };
                match self.kick(guild, bot, user, req.reason.clone()) {
                    Ok(()) => Reply::no_content(),
                    Err(e) => e.into(),
                }
            }
            (method @ ("PUT" | "DELETE"), ["guilds", g, "members", u, "roles", r]) => {
                let (Some(guild), Some(user), Some(role)) = (id(g), id(u), id(r)) else {
                    return OpError::UnknownRole(0).into();
                };
                match self.member_role(guild, user, role, method == "PUT") {
                    Ok(()) => {
                        self.audit(
                            guild,
                            AUDIT_MEMBER_ROLE_UPDATE,
                            bot,
                            Some(user),
                            req.reason.clone(),
                        );
                        Reply::no_content()
                    }
                    Err(e) => e.into(),
                }
            }
            ("GET", ["guilds", g, "bans"]) => match id(g).and_then(|g| self.world.guild(g)) {
                Some(guild) => Reply::json(Value::Array(
                    guild
                        .bans
                        .iter()
                        .map(|b| json!({"reason": b.reason, "user": self.world.user_json(b.user_id)}))
                        .collect(),
                )),
                None => OpError::UnknownGuild(id(g).unwrap_or(0)).into(),
            },
            ("GET", ["guilds", g, "bans", u]) => {
                let (Some(guild), Some(user)) = (id(g), id(u)) else {
                    return OpError::UnknownBan(0).into();
                };
                match self
                    .world
                    .guild(guild)
                    .and_then(|g| g.bans.iter().find(|b| b.user_id == user))
                {
                    Some(b) => Reply::json(json!({"reason": b.reason, "user": self.world.user_json(user)})),
                    None => OpError::UnknownBan(user).into(),
                }
            }
            ("PUT", ["guilds", g, "bans", u]) => {
                let (Some(guild), Some(user)) = (id(g), id(u)) else {
                    return OpError::UnknownUser(0).into();
                };
                match self.ban(guild, bot, user, req.reason.clone()) {
                    Ok(()) => Reply::no_content(),
                    Err(e) => e.into(),
                }
            }
            ("DELETE", ["guilds", g, "bans", u]) => {
                let (Some(guild), Some(user)) = (id(g), id(u)) else {
                    return OpError::UnknownBan(0).into();
                };
                match self.unban(guild, bot, user, req.reason.clone()) {
                    Ok(()) => Reply::no_content(),
                    Err(e) => e.into(),
                }
            }
            ("GET", ["guilds", g, "audit-logs"]) => self.audit_log(req, id(g).unwrap_or(0)),
            ("POST", ["interactions", i, token, "callback"]) => self.interaction_callback(req, i, token),
            ("POST", ["webhooks", _app, token]) => self.followup(req, token),
            (method, ["webhooks", _app, token, "messages", m]) => self.webhook_message(req, method, token, m),
            ("GET", ["applications", _app, "commands"])
            | ("GET", ["applications", _app, "guilds", _, "commands"]) => {
                Reply::json(Value::Array(self.commands.clone()))
            }
            ("PUT", ["applications", _app, "commands"])
            | ("PUT", ["applications", _app, "guilds", _, "commands"]) => {
                let guild = segs.get(3).and_then(|g| id(g));
                let list = match req.body.clone() {
                    Some(Value::Array(list)) => list,
                    _ => Vec::new(),
                };
                let commands: Vec<Value> = list.into_iter().map(|c| self.command_json(c, guild)).collect();
                self.commands = commands.clone();
                Reply::json(Value::Array(commands))
            }
            ("POST", ["applications", _app, "commands"])
            | ("POST", ["applications", _app, "guilds", _, "commands"]) => {
                let guild = segs.get(3).and_then(|g| id(g));
                let command = self.command_json(req.body.clone().unwrap_or(Value::Null), guild);
                self.commands.push(command.clone());
                Reply::json(command)
            }
            _ => Reply::error(
                404,
                0,
                format!(
                    "404: Not Found (the sandbox does not implement {} {}; see \
                     herald_sandbox's rest module for the supported routes, or open an issue)",
                    req.method, req.path
                ),
            ),
        }
    }

    fn application_json(&self) -> Value {
        let id = self.world.application_id.to_string();
        json!({
            "id": id,
            "name": self.world.user_rec(self.world.bot_id).map_or("bot", |u| u.name.as_str()),
            "icon": null,
            "description": "",
            "bot_public": true,
            "bot_require_code_grant": false,
            "verify_key": "0000",
            "flags": 0,
            "team": null,
            "owner": self.world.user_json(self.world.bot_id),
            "summary": "",
            "rpc_origins": [],
        })
    }

    fn command_json(&mut self, mut command: Value, guild: Option<u64>) -> Value {
        let id = self.world.next_id();
        if let Value::Object(map) = &mut command {
            map.insert("id".into(), json!(id.to_string()));
            map.insert(
                "application_id".into(),
                json!(self.world.application_id.to_string()),
            );
            map.insert("version".into(), json!(id.to_string()));
            // Clients may send explicit nulls; Discord answers defaults.
            map.retain(|_, v| !v.is_null());
            map.entry("type").or_insert(json!(1));
            map.entry("description").or_insert(json!(""));
            map.entry("options").or_insert(json!([]));
            map.entry("default_member_permissions")
                .or_insert(Value::Null);
            if let Some(g) = guild {
                map.insert("guild_id".into(), json!(g.to_string()));
            }
        }
        command
    }

    fn audit_log(&self, req: &Req, guild: u64) -> Reply {
        let Some(g) = self.world.guild(guild) else {
            return OpError::UnknownGuild(guild).into();
        };
        let action = req
            .query_param("action_type")
            .and_then(|a| a.parse::<u16>().ok());
        let user = req.query_param("user_id").and_then(id);
        let limit = req
            .query_param("limit")
            .and_then(|l| l.parse::<usize>().ok())
            .unwrap_or(50)
            .clamp(1, 100);
        let entries: Vec<_> = g
            .audit_log
            .iter()
            .rev()
            .filter(|e| action.is_none_or(|a| a == e.action_type))
            .filter(|e| user.is_none_or(|u| u == e.user_id))
            .take(limit)
            .collect();
        let mut users: Vec<u64> = Vec::new();
        for e in &entries {
            for u in std::iter::once(e.user_id).chain(e.target_id) {
                if !users.contains(&u) && self.world.user_rec(u).is_some() {
                    users.push(u);
                }
            }
        }
        Reply::json(json!({
            "application_commands": [],
            "audit_log_entries": entries
                .iter()
                .map(|e| self.world.audit_entry_json(e))
                .collect::<Vec<_>>(),
            "auto_moderation_rules": [],
            "guild_scheduled_events": [],
            "integrations": [],
            "threads": [],
            "users": users.iter().map(|u| self.world.user_json(*u)).collect::<Vec<_>>(),
            "webhooks": [],
        }))
    }

    /// POST /interactions/{id}/{token}/callback.
    fn interaction_callback(&mut self, req: &Req, interaction: &str, token: &str) -> Reply {
        let Some(rec) = self.interactions.get(token).cloned() else {
            return Reply::error(404, 10062, "Unknown interaction");
        };
        if id(interaction) != Some(rec.id) {
            return Reply::error(404, 10062, "Unknown interaction");
        }
        if rec.acknowledged {
            return Reply::error(400, 40060, "Interaction has already been acknowledged.");
        }
        let kind = req
            .body
            .as_ref()
            .and_then(|b| b.get("type"))
            .and_then(Value::as_u64)
            .unwrap_or(0);
        let data = req.body.as_ref().and_then(|b| b.get("data")).cloned();
        let data_str = |key: &str| {
            data.as_ref()
                .and_then(|d| d.get(key))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let data_array = |key: &str| match data.as_ref().and_then(|d| d.get(key)) {
            Some(Value::Array(a)) => Some(a.clone()),
            _ => None,
        };
        let bot = self.world.bot_id;
        let mut message = None;
        match kind {
            // CHANNEL_MESSAGE_WITH_SOURCE: the response is a message.
            4 => {
                let new = NewMessage {
                    content: data_str("content").unwrap_or_default(),
                    embeds: data_array("embeds").unwrap_or_default(),
                    components: data_array("components").unwrap_or_default(),
                    kind: 20,
                    flags: data
                        .as_ref()
                        .and_then(|d| d.get("flags"))
                        .and_then(Value::as_u64)
                        .unwrap_or(0),
                };
                match self.post_message(rec.channel_id, bot, new) {
                    Ok(m) => message = Some(m),
                    Err(e) => return e.into(),
                }
            }
            // UPDATE_MESSAGE: edits the component's message.
            7 => {
                if let Some(mid) = rec.message_id {
                    match self.edit_message(
                        rec.channel_id,
                        mid,
                        data_str("content"),
                        data_array("embeds"),
                        data_array("components"),
                    ) {
                        Ok(m) => message = Some(m),
                        Err(e) => return e.into(),
                    }
                }
            }
            1 | 5 | 6 | 8 | 9 | 10 | 12 => {}
            other => {
                return Reply::error(
                    400,
                    50035,
                    format!("Invalid Form Body: unknown interaction callback type {other}"),
                );
            }
        }
        if let Some(entry) = self.interactions.get_mut(token) {
            entry.acknowledged = true;
            if let Some(m) = &message {
                entry.response_message = Some(m.id);
            }
        }
        if req.query_param("with_response") == Some("true") {
            let mut body = json!({
                "interaction": {
                    "id": rec.id.to_string(),
                    "type": 2,
                    "response_message_id": message.as_ref().map(|m| m.id.to_string()),
                    "response_message_loading": kind == 5,
                    "response_message_ephemeral": false,
                },
            });
            if let Value::Object(map) = &mut body {
                let mut resource = json!({"type": kind});
                if let (Some(m), Value::Object(r)) = (&message, &mut resource) {
                    r.insert("message".into(), self.world.message_json(m, false, false));
                }
                map.insert("resource".into(), resource);
            }
            return Reply::json(body);
        }
        Reply::no_content()
    }

    /// POST /webhooks/{app}/{token}: a followup message.
    fn followup(&mut self, req: &Req, token: &str) -> Reply {
        let Some(rec) = self.interactions.get(token).cloned() else {
            return Reply::error(404, 10015, "Unknown Webhook");
        };
        let new = NewMessage {
            content: req.body_str("content").unwrap_or_default(),
            embeds: req.body_array("embeds").unwrap_or_default(),
            components: req.body_array("components").unwrap_or_default(),
            kind: 0,
            flags: 0,
        };
        match self.post_message(rec.channel_id, self.world.bot_id, new) {
            Ok(m) => Reply::json(self.world.message_json(&m, false, false)),
            Err(e) => e.into(),
        }
    }

    /// GET/PATCH/DELETE /webhooks/{app}/{token}/messages/{@original|id}.
    fn webhook_message(&mut self, req: &Req, method: &str, token: &str, which: &str) -> Reply {
        let Some(rec) = self.interactions.get(token).cloned() else {
            return Reply::error(404, 10015, "Unknown Webhook");
        };
        let target = if which == "@original" {
            rec.response_message
        } else {
            id(which)
        };
        match (method, target) {
            ("GET", Some(m)) => match self.world.message(rec.channel_id, m) {
                Some(m) => Reply::json(self.world.message_json(m, false, false)),
                None => OpError::UnknownMessage(m).into(),
            },
            ("PATCH", Some(m)) => {
                let content = req
                    .body
                    .as_ref()
                    .and_then(|b| b.get("content"))
                    .map(|c| c.as_str().unwrap_or("").to_owned());
                match self.edit_message(
                    rec.channel_id,
                    m,
                    content,
                    req.body_array("embeds"),
                    req.body_array("components"),
                ) {
                    Ok(m) => Reply::json(self.world.message_json(&m, false, false)),
                    Err(e) => e.into(),
                }
            }
            // Editing @original after a deferral posts the response.
            ("PATCH", None) if which == "@original" => {
                let new = NewMessage {
                    content: req.body_str("content").unwrap_or_default(),
                    embeds: req.body_array("embeds").unwrap_or_default(),
                    components: req.body_array("components").unwrap_or_default(),
                    kind: 20,
                    flags: 0,
                };
                match self.post_message(rec.channel_id, self.world.bot_id, new) {
                    Ok(m) => {
                        if let Some(entry) = self.interactions.get_mut(token) {
                            entry.response_message = Some(m.id);
                        }
                        Reply::json(self.world.message_json(&m, false, false))
                    }
                    Err(e) => e.into(),
                }
            }
            ("DELETE", Some(m)) => match self.delete_message(rec.channel_id, m) {
                Ok(()) => Reply::no_content(),
                Err(e) => e.into(),
            },
            _ => OpError::UnknownMessage(target.unwrap_or(0)).into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_payload_json() {
        let body = b"--abc\r\nContent-Disposition: form-data; name=\"payload_json\"\r\n\r\n{\"content\":\"hi\"}\r\n--abc--\r\n";
        let v = parse_body("multipart/form-data; boundary=abc", body);
        assert_eq!(v, Some(json!({"content": "hi"})));
    }

    #[test]
    fn templates() {
        assert_eq!(
            route_template("POST", "/api/v10/channels/123/messages"),
            "POST /channels/{id}/messages/"
        );
    }
}
