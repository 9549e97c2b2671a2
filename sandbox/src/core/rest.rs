//! The REST server on `http://127.0.0.1:PORT/api/v10/...`: HTTP handling,
//! the one route table (each feature contributes its [`Route`]s: method, path
//! pattern, handler), Discord's rate-limit headers on every answer, JSON
//! error bodies, REST fault injection, authentication, and the record and
//! transcript line of every request.
//!
//! A handler answers the request and, on success, sets the request's
//! transcript line ([`Call::line`]); a failed request gets the generic
//! failure line of the transcript module, unless the handler wrote one that
//! says better what went wrong ([`Call::failure_line`]: an interaction
//! answered too late). No other code matches routes.

use std::{
    collections::hash_map::DefaultHasher,
    convert::Infallible,
    future::Future,
    hash::{Hash, Hasher},
    pin::Pin,
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

use base64::Engine as _;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{
    Request, Response, StatusCode, body::Incoming, header, service::service_fn, upgrade::OnUpgrade,
};
use hyper_util::rt::TokioIo;
use percent_encoding::percent_decode_str;
use serde::Serialize;
use serde_json::Value;
use tokio::{
    net::{TcpListener, TcpStream},
    task::JoinSet,
};

use crate::core::{
    faults::RestFault,
    gateway::{self, Hooks},
    ids::unix_now_f64,
    ops::OpError,
    records::{RecordedRequest, strip_api_prefix},
    state::{Config, Shared, State},
    transcript::FailureLine,
};

/// A route handler: answers the request (`Err` for an error answer, so
/// that `?` works on [`OpError`]s) and sets the success line.
pub(crate) type Handler = fn(&mut State, &mut Call<'_>) -> Answer;

/// What a handler returns.
pub(crate) type Answer = Result<Reply, Reply>;

/// One row of the route table.
#[derive(Clone, Copy)]
pub(crate) struct Route {
    method: &'static str,
    /// The path after `/api/v10`, with `{name}` for a parameter segment:
    /// `/channels/{channel}/messages/{message}`.
    path: &'static str,
    handler: Handler,
    /// Whether the bot's token is required (interaction callbacks and
    /// webhook-token routes go without).
    auth: bool,
}

impl Route {
    /// `method` on `path` (see [`Route::path`]), answered by `handler`.
    pub(crate) const fn new(method: &'static str, path: &'static str, handler: Handler) -> Self {
        Self {
            method,
            path,
            handler,
            auth: true,
        }
    }

    /// A route Discord serves without the bot token.
    pub(crate) const fn without_token(mut self) -> Self {
        self.auth = false;
        self
    }

    /// The parameters of `segs` if this route matches `method` on them, and
    /// how many literal segments matched (the most specific route wins:
    /// `/users/@me` over `/users/{user}`).
    fn matches(&self, method: &str, segs: &[&str]) -> Option<(usize, Vec<(&'static str, String)>)> {
        let pattern: Vec<&'static str> = self.path.trim_start_matches('/').split('/').collect();
        if self.method != method || pattern.len() != segs.len() {
            return None;
        }
        let mut literal = 0;
        let mut params = Vec::new();
        for (want, seg) in pattern.into_iter().zip(segs) {
            match want.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                Some(name) => params.push((name, decode(seg))),
                None if want == *seg => literal += 1,
                None => return None,
            }
        }
        Some((literal, params))
    }
}

fn decode(seg: &str) -> String {
    percent_decode_str(seg).decode_utf8_lossy().into_owned()
}

/// Every route, feature by feature (the table the features hand the
/// server, so that the core never names a feature).
pub(crate) type Routes = &'static [&'static [Route]];

/// An HTTP answer.
pub(crate) type HttpAnswer =
    Pin<Box<dyn Future<Output = Result<Response<Full<Bytes>>, Infallible>> + Send>>;

/// What the servers answer besides Discord's API: the control API's paths
/// and how to answer them (handed to the server like the route table).
#[derive(Clone, Copy)]
pub(crate) struct Extra {
    pub(crate) prefix: &'static str,
    pub(crate) handle: fn(Arc<Shared>, Request<Incoming>) -> HttpAnswer,
}

/// Accepts connections until the task is aborted (which aborts every
/// connection task too): REST requests, and gateway connections, which
/// are HTTP upgrades to WebSocket on the same port (`GET /gateway/bot`
/// points at it). One port, as one base URL is all some libraries take.
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    routes: Routes,
    hooks: Hooks,
    extra: Extra,
) {
    let mut tasks = JoinSet::new();
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let _ = stream.set_nodelay(true);
                tasks.spawn(connection(
                    Arc::clone(&shared),
                    routes,
                    hooks,
                    extra,
                    stream,
                ));
            }
            Err(error) => {
                tracing::warn!(%error, "sandbox: accept failed");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
        while tasks.try_join_next().is_some() {}
    }
}

/// A gateway upgrade the service answered: the upgrade to await once the
/// HTTP side is done, and the gateway URL's query.
type Upgrade = (OnUpgrade, String);

/// One TCP connection: HTTP/1.1 requests until it closes or is upgraded to
/// a gateway connection, which then runs in this task.
async fn connection(
    shared: Arc<Shared>,
    routes: Routes,
    hooks: Hooks,
    extra: Extra,
    stream: TcpStream,
) {
    let upgrade: Arc<Mutex<Option<Upgrade>>> = Arc::default();
    let service = {
        let (shared, upgrade) = (Arc::clone(&shared), Arc::clone(&upgrade));
        service_fn(move |mut request: Request<Incoming>| {
            let shared = Arc::clone(&shared);
            let accepted = websocket_accept(&request).inspect(|_| {
                let query = request.uri().query().unwrap_or_default().to_owned();
                let on_upgrade = hyper::upgrade::on(&mut request);
                *upgrade.lock().unwrap_or_else(PoisonError::into_inner) = Some((on_upgrade, query));
            });
            async move {
                match accepted {
                    Some(accept) => Ok(switching_protocols(&accept)),
                    None if request.uri().path().starts_with(extra.prefix) => {
                        (extra.handle)(shared, request).await
                    }
                    None => handle(shared, routes, request).await,
                }
            }
        })
    };
    let served = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .with_upgrades()
        .await;
    if let Err(error) = served {
        tracing::debug!(%error, "sandbox: HTTP connection error");
        return;
    }
    let upgrade = upgrade
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take();
    if let Some((on_upgrade, query)) = upgrade {
        match on_upgrade.await {
            Ok(upgraded) => {
                gateway::connection(shared, hooks, TokioIo::new(upgraded), &query).await;
            }
            Err(error) => tracing::debug!(%error, "sandbox gateway: upgrade failed"),
        }
    }
}

/// `Sec-WebSocket-Accept` for a WebSocket upgrade request (RFC 6455 §4.2).
fn websocket_accept(request: &Request<Incoming>) -> Option<String> {
    let headers = request.headers();
    let upgrade = headers.get(header::UPGRADE)?.to_str().ok()?;
    if request.method() != hyper::Method::GET || !upgrade.eq_ignore_ascii_case("websocket") {
        return None;
    }
    let key = headers.get(header::SEC_WEBSOCKET_KEY)?.to_str().ok()?;
    let mut sha1 = sha1_smol::Sha1::new();
    sha1.update(key.trim().as_bytes());
    sha1.update(b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    Some(base64::engine::general_purpose::STANDARD.encode(sha1.digest().bytes()))
}

fn switching_protocols(accept: &str) -> Response<Full<Bytes>> {
    Response::builder()
        .status(StatusCode::SWITCHING_PROTOCOLS)
        .header(header::CONNECTION, "upgrade")
        .header(header::UPGRADE, "websocket")
        .header(header::SEC_WEBSOCKET_ACCEPT, accept)
        .body(Full::new(Bytes::new()))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

/// A parsed request.
pub(crate) struct Req {
    method: String,
    path: String,
    query: Option<String>,
    authorization: Option<String>,
    reason: Option<String>,
    body: Option<Value>,
}

/// The request a handler answers: its path parameters, query, body and
/// audit log reason, and the transcript line it sets on success.
pub(crate) struct Call<'a> {
    pub(crate) method: &'a str,
    pub(crate) config: &'a Config,
    params: Vec<(&'static str, String)>,
    req: &'a Req,
    line: Option<String>,
    failure_line: Option<String>,
}

impl Call<'_> {
    /// The path parameter `name` (percent-decoded).
    pub(crate) fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The path parameter `name` as an id (`None` unless a non-zero number).
    pub(crate) fn id(&self, name: &str) -> Option<u64> {
        self.param(name).parse().ok().filter(|id| *id != 0)
    }

    /// The JSON body (for multipart requests: the `payload_json` part).
    pub(crate) fn body(&self) -> Option<&Value> {
        self.req.body.as_ref()
    }

    /// A field of the body.
    pub(crate) fn field(&self, key: &str) -> Option<&Value> {
        self.body()?.get(key)
    }

    /// An array field of the body.
    pub(crate) fn body_array(&self, key: &str) -> Option<Vec<Value>> {
        self.field(key)?.as_array().cloned()
    }

    /// A query parameter.
    pub(crate) fn query(&self, name: &str) -> Option<&str> {
        query_param(self.req.query.as_deref()?, name)
    }

    /// The `X-Audit-Log-Reason` header, percent-decoded.
    pub(crate) fn reason(&self) -> Option<&str> {
        self.req.reason.as_deref()
    }

    /// Sets the transcript line of this request, shown if it succeeds.
    pub(crate) fn line(&mut self, line: String) {
        self.line = Some(line);
    }

    /// Sets the transcript line of this request if it fails, in place of
    /// the generic `herald-bot: POST /... failed: ...` line.
    pub(crate) fn failure_line(&mut self, line: String) {
        self.failure_line = Some(line);
    }
}

/// An answer.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Option<Value>,
    /// `Some(retry_after)` for a 429.
    retry_after: Option<Duration>,
}

/// Discord's JSON error body.
#[derive(Serialize)]
struct ErrorBody<'a> {
    code: u32,
    message: &'a str,
}

/// Discord's 429 body.
#[derive(Serialize)]
struct RateLimitedBody {
    message: &'static str,
    retry_after: f64,
    global: bool,
}

impl Reply {
    /// 200 with `body` as JSON.
    pub(crate) fn json(body: &impl Serialize) -> Self {
        Self {
            status: 200,
            body: Some(serde_json::to_value(body).unwrap_or(Value::Null)),
            retry_after: None,
        }
    }

    /// 204.
    pub(crate) fn no_content() -> Self {
        Self {
            status: 204,
            body: None,
            retry_after: None,
        }
    }

    /// An error answer with Discord's `{code, message}` body.
    pub(crate) fn error(status: u16, code: u32, message: impl AsRef<str>) -> Self {
        Self {
            status,
            body: serde_json::to_value(ErrorBody {
                code,
                message: message.as_ref(),
            })
            .ok(),
            retry_after: None,
        }
    }

    fn rate_limited(retry_after: Duration) -> Self {
        Self {
            status: 429,
            body: serde_json::to_value(RateLimitedBody {
                message: "You are being rate limited.",
                retry_after: retry_after.as_secs_f64(),
                global: false,
            })
            .ok(),
            retry_after: Some(retry_after),
        }
    }
}

impl From<OpError> for Reply {
    fn from(error: OpError) -> Self {
        let (status, code, message) = error.discord();
        Self::error(status, code, message)
    }
}

async fn handle(
    shared: Arc<Shared>,
    routes: Routes,
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
        reason: header_str("x-audit-log-reason").map(|r| decode(&r)),
        body: parse_body(&content_type, &bytes),
    };
    let at = Instant::now();
    let reply = shared.with(|state| {
        let (reply, line) = state.answer(&shared.config, routes, &req);
        if let Some(line) = line {
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
        .header("x-ratelimit-reset-after", format!("{reset_after:.3}"));
    // As Discord: the scope only on a 429.
    if let Some(wait) = reply.retry_after {
        builder = builder
            .header(header::RETRY_AFTER, wait.as_secs_f64().ceil().to_string())
            .header("x-ratelimit-scope", "user");
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

/// The value of `name` in a URL's query (`a=1&b=2`), as written (not decoded).
pub(crate) fn query_param<'q>(query: &'q str, name: &str) -> Option<&'q str> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == name).then_some(v)
    })
}

/// An id in a JSON body: a string (Discord's way) or a number.
pub(crate) fn value_id(v: Option<&Value>) -> Option<u64> {
    let v = v?;
    v.as_str()
        .and_then(|s| s.parse().ok())
        .or_else(|| v.as_u64())
}

impl State {
    /// Answers a request: faults first, then authentication, then the route
    /// table. Returns the answer and its transcript line.
    fn answer(&mut self, config: &Config, routes: Routes, req: &Req) -> (Reply, Option<String>) {
        let decoded: Vec<String> = strip_api_prefix(&req.path)
            .trim_start_matches('/')
            .split('/')
            .map(decode)
            .collect();
        let decoded: Vec<&str> = decoded.iter().map(String::as_str).collect();
        let failure = FailureLine::new(&self.world, &req.method, &decoded);
        let (reply, success, failed) = self.route(config, routes, req);
        let line = if (200..300).contains(&reply.status) {
            success
        } else {
            Some(failed.unwrap_or_else(|| failure.finish(reply.status, reply.body.as_ref())))
        };
        (reply, line)
    }

    /// The answer, its success line and its own failure line (see
    /// [`Call::failure_line`]).
    fn route(
        &mut self,
        config: &Config,
        routes: Routes,
        req: &Req,
    ) -> (Reply, Option<String>, Option<String>) {
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
            let reply = match fault {
                RestFault::RateLimited { retry_after, .. } => Reply::rate_limited(retry_after),
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
            return (reply, None, None);
        }

        let Some(path) = req.path.strip_prefix("/api/v10") else {
            let reply = Reply::error(
                404,
                0,
                format!(
                    "404: Not Found (the sandbox serves /api/v10/...; got {} {})",
                    req.method, req.path
                ),
            );
            return (reply, None, None);
        };
        let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let found = routes
            .iter()
            .flat_map(|routes| routes.iter())
            .filter_map(|route| {
                route
                    .matches(&req.method, &segs)
                    .map(|(score, params)| (score, route, params))
            })
            .max_by_key(|(score, _, _)| *score);
        // Unknown routes under the token-less prefixes answer 404, not 401.
        let needs_token = match &found {
            Some((_, route, _)) => route.auth,
            None => !matches!(segs.first(), Some(&"interactions" | &"webhooks")),
        };
        if needs_token
            && req
                .authorization
                .as_deref()
                .is_none_or(|a| !config.accepts(a))
        {
            return (Reply::error(401, 0, "401: Unauthorized"), None, None);
        }
        let Some((_, route, params)) = found else {
            let reply = Reply::error(
                404,
                0,
                format!(
                    "404: Not Found (the sandbox does not implement {} {}; see \
                     herald_sandbox's rest module for the supported routes, or open an issue)",
                    req.method, req.path
                ),
            );
            return (reply, None, None);
        };
        let mut call = Call {
            method: &req.method,
            config,
            params,
            req,
            line: None,
            failure_line: None,
        };
        let reply = (route.handler)(self, &mut call).unwrap_or_else(|error| error);
        (reply, call.line, call.failure_line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nothing(_: &mut State, _: &mut Call<'_>) -> Answer {
        Ok(Reply::no_content())
    }

    #[test]
    fn multipart_payload_json() {
        let body = b"--abc\r\nContent-Disposition: form-data; name=\"payload_json\"\r\n\r\n{\"content\":\"hi\"}\r\n--abc--\r\n";
        let v = parse_body("multipart/form-data; boundary=abc", body);
        assert_eq!(v, Some(serde_json::json!({"content": "hi"})));
    }

    #[test]
    fn templates() {
        assert_eq!(
            route_template("POST", "/api/v10/channels/123/messages"),
            "POST /channels/{id}/messages/"
        );
    }

    #[test]
    fn route_patterns() {
        let me = Route::new("GET", "/users/@me", nothing);
        let user = Route::new("GET", "/users/{user}", nothing);
        assert_eq!(me.matches("GET", &["users", "@me"]).map(|m| m.0), Some(2));
        assert_eq!(user.matches("GET", &["users", "@me"]).map(|m| m.0), Some(1));
        assert!(user.matches("POST", &["users", "1"]).is_none());
        assert!(user.matches("GET", &["users", "1", "x"]).is_none());
        let emoji = Route::new("PUT", "/channels/{c}/reactions/{emoji}", nothing);
        let (_, params) = emoji
            .matches("PUT", &["channels", "1", "reactions", "%E2%9C%85"])
            .unwrap();
        assert_eq!(params[1], ("emoji", "✅".to_owned()));
    }
}
