//! Starting, running and stopping a bot.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinSet;
use twilight_gateway::{ConfigBuilder, Session, Shard, ShardId};
use twilight_model::gateway::connection_info::BotConnectionInfo;

use super::{Bot, Target, Token};
use crate::context::{Connection, Context};
use crate::error::{BoxError, Error};
use crate::event::lifecycle::Ready;
use crate::gateway::ShardSession;
use crate::gateway::queue::SharedQueue;
use crate::gateway::{
    self, Gateway, GatewayParams, IDENTIFY_WINDOW, IdentifyQueue, Reader, SessionStartLimit,
    ShardHandle, flags,
};
use crate::isolate::{Watch, catch_unwind};
use crate::report::tell;
use crate::testing::ContextExt as _;

/// Where to connect, resolved at start.
struct Endpoint {
    token: Token,
    /// The sandbox's gateway URL and REST proxy address; `None` for Discord.
    local: Option<(String, String)>,
    /// The identify window to pace with; `None`: no pacing (a sandbox that does not enforce it).
    window: Option<Duration>,
}

/// A started bot: its [`Context`], and the task running its shards.
#[derive(Debug)]
pub struct RunningBot {
    ctx: Context,
    task: tokio::task::JoinHandle<Result<(), Error>>,
    command_sync: Option<super::CommandSync>,
    /// The declared commands, for [`sync_commands`](Self::sync_commands).
    commands: Option<super::commands::Declared>,
}

impl RunningBot {
    /// The bot's context.
    pub fn context(&self) -> &Context {
        &self.ctx
    }

    /// What the start-up sync of the bot's
    /// [`commands`](crate::BotBuilder::commands) found and wrote (`None` without commands).
    pub fn command_sync(&self) -> Option<&super::CommandSync> {
        self.command_sync.as_ref()
    }

    /// Syncs the declared commands again, now: fetches what Discord has and writes only a
    /// difference, as at start (after a deploy that changed them, or when another process may
    /// have written others).
    ///
    /// # Errors
    ///
    /// [`Error::Http`] when Discord refuses a request; [`Error::Config`] when the bot declared
    /// no commands.
    pub async fn sync_commands(&mut self) -> Result<super::CommandSync, Error> {
        let declared = self.commands.as_ref().ok_or_else(|| {
            Error::Config("the bot declared no commands to sync: see BotBuilder::command".into())
        })?;
        let report = super::commands::sync(self.ctx.http(), declared).await?;
        tracing::info!("{report}");
        self.command_sync = Some(report.clone());
        Ok(report)
    }

    /// Waits until the bot has stopped: every shard closed after [`Context::shutdown`], or one
    /// closed fatally.
    ///
    /// # Errors
    /// [`Error::Gateway`] when a shard was closed fatally (bad token, disallowed intents, ...).
    pub async fn wait(self) -> Result<(), Error> {
        match self.task.await {
            Ok(result) => result,
            Err(join) => Err(Error::Internal(format!(
                "the shard supervisor failed: {join}"
            ))),
        }
    }

    /// Shuts the bot down and waits until it has stopped.
    ///
    /// # Errors
    /// As [`wait`](Self::wait).
    pub async fn shutdown(self) -> Result<(), Error> {
        self.ctx.shutdown();
        self.wait().await
    }

    /// Shuts the bot down keeping its gateway sessions ([`Context::handover`]), waits until it
    /// has stopped, and returns the sessions, for a new process to
    /// [`resume`](crate::BotBuilder::resume).
    ///
    /// # Errors
    /// As [`wait`](Self::wait).
    pub async fn handover(self) -> Result<Vec<ShardSession>, Error> {
        self.ctx.handover();
        let ctx = self.ctx.clone();
        self.wait().await?;
        Ok(ctx.sessions())
    }
}

impl Bot {
    /// Connects and returns at once; the shards run in the background. Use it in tests (then
    /// [`RunningBot::shutdown`]); bots use [`run`](Self::run).
    ///
    /// # Errors
    /// [`Error::MissingToken`] when there is nothing to connect to, [`Error::Sandbox`] when the
    /// embedded sandbox cannot start.
    pub async fn start(mut self) -> Result<RunningBot, Error> {
        // twilight-gateway's TLS setup needs a process-wide crypto provider, even for ws://.
        let _ = rustls::crypto::ring::default_provider().install_default();
        if let Some(path) = &self.config.sessions_file {
            self.config.resume.extend(sessions::take(path));
        }
        let endpoint = self.resolve().await?;
        let ctx = self.ctx.clone();
        let shared = ctx.shared();

        let mut http = twilight_http::Client::builder().token(endpoint.token.0.clone());
        let proxy = match &self.config.rest_proxy {
            Some(proxy) => Some(proxy.clone()),
            None => endpoint
                .local
                .as_ref()
                .map(|(_, proxy)| (proxy.clone(), true)),
        };
        if let Some((host, use_http)) = proxy {
            http = http.proxy(host, use_http);
        }
        if !self.config.rest_ratelimiter {
            http = http.ratelimiter(None);
        }
        if let Some((host, _)) = &self.config.rest_proxy {
            let limits = if self.config.rest_ratelimiter {
                "herald's rate limiter on"
            } else {
                "rate limits left to the proxy"
            };
            tracing::info!("REST through the proxy at {host} ({limits})");
        }
        if shared.http.set(Arc::new(http.build())).is_err() {
            return Err(Error::Internal("this bot was started twice".into()));
        }

        let info = fetch_gateway_info(ctx.http()).await?;
        let (range, total) = self
            .config
            .shards
            .resolve(info.shards)
            .map_err(Error::Config)?;
        let limit = &info.session_start_limit;
        let needed = range.len() as u64;
        if u64::from(limit.remaining) < needed {
            return Err(Error::SessionStartLimit {
                needed,
                remaining: u64::from(limit.remaining),
                reset_after: Duration::from_millis(limit.reset_after),
            });
        }
        let params = GatewayParams {
            url: info.url.clone(),
            recommended_shards: u64::from(info.shards),
            shard_count: total,
            shards: range.clone(),
            session_start_limit: SessionStartLimit {
                total: u64::from(limit.total),
                remaining: u64::from(limit.remaining),
                reset_after: Duration::from_millis(limit.reset_after),
                max_concurrency: u64::from(limit.max_concurrency),
            },
        };
        let queue = SharedQueue(match self.config.identify_queue.take() {
            Some(queue) => queue,
            None => Arc::new(match endpoint.window {
                Some(window) => IdentifyQueue::new(u32::from(limit.max_concurrency), window),
                None => IdentifyQueue::new(1, Duration::ZERO),
            }),
        });
        if let Some(setup) = self.config.setup.take() {
            match catch_unwind(setup(ctx.clone())).await {
                Ok(result) => result.map_err(Error::Setup)?,
                Err(panic) => return Err(Error::Setup(Box::new(panic))),
            }
        }

        let command_sync = match &self.config.commands {
            Some(declared) => {
                let report = super::commands::sync(ctx.http(), declared).await?;
                tracing::info!("{report}");
                Some(report)
            }
            None => None,
        };

        // Again after the setup hook, which may have added listeners.
        let report = self.check_intents()?;
        report.log(self.config.intents.is_some());
        let intents = report.intents;
        let config = &self.config;
        let mut readers = Vec::new();
        let mut handles = Vec::new();
        let mut tasks = Vec::new();
        for number in range {
            let builder =
                ConfigBuilder::new(endpoint.token.0.clone(), intents).queue(queue.clone());
            let gateway_url = config
                .gateway_url
                .as_ref()
                .or(endpoint.local.as_ref().map(|(url, _)| url));
            let builder = match gateway_url {
                Some(url) => builder.proxy_url(url.clone()),
                None => builder,
            };
            let builder = match &config.presence {
                Some(presence) => builder.presence(presence.clone()),
                None => builder,
            };
            let resumed = config
                .resume
                .iter()
                .find(|s| (s.shard, s.shards) == (number, total));
            let builder = match resumed {
                Some(session) => {
                    let builder =
                        builder.session(Session::new(session.sequence, session.session_id.clone()));
                    match &session.resume_url {
                        Some(url) => builder.resume_url(url.clone()),
                        None => builder,
                    }
                }
                None => builder,
            };
            let shard = Shard::with_config(ShardId::new(number, total), builder.build());
            let handle = Arc::new(ShardHandle::new(shard.id(), shard.sender()));
            if let Some(session) = resumed {
                handle.set_session(
                    session.session_id.clone(),
                    session.resume_url.clone(),
                    session.sequence,
                );
            }
            let (frames, received) = mpsc::channel(gateway::reader::READ_AHEAD);
            let watch = Arc::new(Watch::default());
            readers.push(Reader {
                shard,
                handle: Arc::clone(&handle),
                frames,
                watch: Arc::clone(&watch),
            });
            tasks.push((received, Arc::clone(&handle), watch));
            handles.push(handle);
        }
        let cache_flags = flags::for_cache(config.cache_resources);
        let gateway = Arc::new(Gateway::new(config.guild_ready_timeout, cache_flags));
        let connection = Connection::new(handles.clone(), params, intents);
        let shutdown = connection.shutdown.subscribe();
        if shared.connection.set(connection).is_err() {
            return Err(Error::Internal("this bot was started twice".into()));
        }
        tracing::info!(shards = handles.len(), total, ?intents, "starting");

        let mut shard_tasks = JoinSet::new();
        for (received, handle, watch) in tasks {
            let (ctx, cache, gateway) =
                (ctx.clone(), Arc::clone(&shared.cache), Arc::clone(&gateway));
            shard_tasks.spawn(async move {
                let number = handle.id().number();
                gateway::run_shard(received, handle, ctx, gateway, cache, watch)
                    .await
                    .map_err(|source| (number, source))
            });
        }
        gateway::reader::spawn(readers, shutdown, config.blocking_threshold).map_err(|error| {
            Error::Internal(format!("cannot start the gateway thread: {error}"))
        })?;
        let task = tokio::spawn(supervise(ctx.clone(), shard_tasks, config.shutdown_timeout));
        Ok(RunningBot {
            ctx,
            task,
            command_sync,
            commands: self.config.commands.clone(),
        })
    }

    /// Connects and runs until the bot shuts down: [`Context::shutdown`], Ctrl-C, the end of the
    /// sandbox scene, or a fatal close.
    ///
    /// # Errors
    /// As [`start`](Self::start), then [`Error::Gateway`] when a shard was closed fatally, with
    /// what to do about it, and [`Error::Scene`] when the sandbox scene failed or panicked.
    pub async fn run(mut self) -> Result<(), Error> {
        let scene = self.config.scene.take();
        let sessions_file = self.config.sessions_file.clone();
        // Registered before connecting, so that the scene cannot miss the first `ready`.
        let ready = self.ctx.wait_for::<Ready>().register();
        let running = self.start().await?;
        let ctx = running.context().clone();
        // The scene's outcome, stored before it asks the bot to stop; `None` after the bot
        // stopped means something else stopped it (a signal) and the scene was cut short.
        let outcome: Arc<Mutex<Option<Result<(), BoxError>>>> = Arc::default();
        let scene = scene.filter(|_| is_sandboxed(&ctx)).map(|scene| {
            let (ctx, outcome) = (ctx.clone(), Arc::clone(&outcome));
            tokio::spawn(async move {
                if ready.await.is_err() {
                    return;
                }
                // Its own task, so that a scene that panics (a refused sandbox action panics)
                // or blocks still leaves the bot running, and `run` reports it.
                let scene = tokio::spawn(catch_unwind(scene(ctx.clone())));
                let _cut_short = AbortOnDrop(scene.abort_handle());
                let result = match scene.await {
                    Ok(Ok(result)) => result,
                    Ok(Err(panic)) => Err(Box::new(panic) as BoxError),
                    Err(join) => Err(join.to_string().into()),
                };
                if let Err(error) = &result {
                    tracing::error!(%error, "the sandbox scene failed");
                }
                // Let the bot finish what the scene caused before stopping.
                settle(&ctx).await;
                *outcome.lock().unwrap_or_else(|p| p.into_inner()) = Some(result);
                ctx.shutdown();
            })
        });
        let stopping = ctx.clone();
        let handover = sessions_file.is_some();
        let result = tokio::select! {
            // A first signal shuts down gracefully; a second one exits at once.
            () = signals::stop_on_signals(&stopping, handover) => unreachable!("it never returns"),
            result = running.wait() => result,
        };
        if let Some(path) = &sessions_file
            && ctx.shards().iter().any(|shard| shard.keeps_session())
        {
            sessions::save(path, &ctx.sessions());
        }
        if let Some(task) = scene {
            task.abort();
            let _ = task.await;
        }
        let scene = match outcome.lock().unwrap_or_else(|p| p.into_inner()).take() {
            Some(outcome) => outcome.map_err(Error::Scene),
            None => Ok(()),
        };
        result.and(scene)
    }

    /// Resolves the connection target.
    async fn resolve(&mut self) -> Result<Endpoint, Error> {
        match std::mem::replace(&mut self.config.target, Target::None) {
            Target::Token(token) => Ok(Endpoint {
                token,
                local: None,
                window: Some(IDENTIFY_WINDOW),
            }),
            Target::Env(var) => match std::env::var(var.as_ref()) {
                Ok(token) if !token.trim().is_empty() => Ok(Endpoint {
                    token: Token(token.trim().to_owned()),
                    local: None,
                    window: Some(IDENTIFY_WINDOW),
                }),
                _ => self.embedded_sandbox(var.as_ref()).await,
            },
            #[cfg(feature = "sandbox")]
            Target::Sandbox(sandbox, token) => Ok(self.use_sandbox(sandbox, token)),
            Target::None => Err(Error::MissingToken { var: None }),
        }
    }

    #[cfg(feature = "sandbox")]
    fn use_sandbox(&self, sandbox: herald_sandbox::Sandbox, token: Option<Token>) -> Endpoint {
        let endpoint = Endpoint {
            token: token.unwrap_or_else(|| Token(sandbox.token())),
            local: Some((sandbox.gateway_url(), sandbox.http_proxy())),
            window: sandbox
                .enforces_identify_concurrency()
                .then(|| sandbox.identify_window()),
        };
        let _ = self.ctx.shared().sandbox.set(sandbox);
        endpoint
    }

    /// The embedded sandbox, when the builder opted into it; else the missing token's error.
    #[cfg(feature = "sandbox")]
    async fn embedded_sandbox(&mut self, var: &str) -> Result<Endpoint, Error> {
        use std::io::Write as _;
        let Some(sandbox) = self.config.embedded.take() else {
            return Err(Error::MissingToken {
                var: Some(var.to_owned()),
            });
        };
        let sandbox = sandbox.print_transcript(true).start().await?;
        // Not `println!`, which panics when stdout is closed (`cargo run --example x | head`).
        let _ = writeln!(
            std::io::stdout(),
            "{var} is not set: running on the embedded sandbox, a local Discord (set {var} to connect to Discord)"
        );
        Ok(self.use_sandbox(sandbox, None))
    }

    #[cfg(not(feature = "sandbox"))]
    async fn embedded_sandbox(&mut self, var: &str) -> Result<Endpoint, Error> {
        Err(Error::MissingToken {
            var: Some(var.to_owned()),
        })
    }
}

/// `GET /gateway/bot`: the recommended shard count and the session start limit.
async fn fetch_gateway_info(http: &twilight_http::Client) -> Result<BotConnectionInfo, Error> {
    use twilight_http::error::ErrorType;
    let rejected = || Error::TokenRejected {
        request: "GET /gateway/bot",
    };
    let response = http
        .gateway()
        .authed()
        .await
        .map_err(|error| match error.kind() {
            ErrorType::Unauthorized => rejected(),
            ErrorType::Response { status, .. } if status.get() == 401 => rejected(),
            _ => Error::http("GET /gateway/bot failed", &error),
        })?;
    response.model().await.map_err(|error| Error::Http {
        message: format!("GET /gateway/bot answered badly: {error}"),
        status: None,
    })
}

fn is_sandboxed(_ctx: &Context) -> bool {
    #[cfg(feature = "sandbox")]
    return _ctx.sandbox().is_some();
    #[cfg(not(feature = "sandbox"))]
    false
}

async fn settle(ctx: &Context) {
    #[cfg(feature = "sandbox")]
    ctx.settled().await;
    #[cfg(not(feature = "sandbox"))]
    ctx.idle().await;
}

/// Aborts a task when dropped: a scene cut short by shutdown stops too.
struct AbortOnDrop(tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Watches a started bot: its shard tasks run until shutdown is asked (or one closes fatally,
/// which asks it); then, within `shutdown_timeout` of that moment, the shards close and the
/// running listener calls finish; calls still running then are cancelled.
async fn supervise(
    ctx: Context,
    mut shard_tasks: JoinSet<Result<(), (u32, gateway::FatalClose)>>,
    shutdown_timeout: Duration,
) -> Result<(), Error> {
    let mut first_error = None;
    let mut record = |joined: Result<Result<(), (u32, gateway::FatalClose)>, _>| {
        let error = match joined {
            Ok(Ok(())) => return,
            Ok(Err((shard, source))) => Error::Gateway { shard, source },
            Err(join) => Error::Internal(format!("a shard task failed: {join}")),
        };
        // One shard closed for good (or failed): stop the others too.
        ctx.shutdown();
        first_error.get_or_insert(error);
    };
    let mut shutdown = ctx
        .connection()
        .expect("supervised bots are connected")
        .shutdown
        .subscribe();
    loop {
        tokio::select! {
            joined = shard_tasks.join_next() => match joined {
                Some(joined) => record(joined),
                None => break,
            },
            _ = shutdown.wait_for(|stop| *stop) => break,
        }
    }
    let deadline = tokio::time::Instant::now() + shutdown_timeout;
    let closed = tokio::time::timeout_at(deadline, async {
        while let Some(joined) = shard_tasks.join_next().await {
            record(joined);
        }
    })
    .await;
    if closed.is_err() {
        tell!(
            WARN,
            {},
            format!(
                "{} shard task(s) did not stop within the shutdown timeout of {shutdown_timeout:?}: \
                 user code blocks them (see the warnings about blocking)",
                shard_tasks.len()
            )
        );
        shard_tasks.detach_all();
    }
    if tokio::time::timeout_at(deadline, ctx.idle()).await.is_err() {
        let running: Vec<String> = ctx
            .listeners()
            .into_iter()
            .filter(|l| l.running + l.waiting > 0)
            .map(|l| {
                format!(
                    "`{}` ({} running, {} waiting)",
                    l.name, l.running, l.waiting
                )
            })
            .collect();
        tell!(
            WARN,
            {},
            format!(
                "listener calls still running after the shutdown timeout of \
                 {shutdown_timeout:?} were cancelled: {}",
                running.join(", ")
            )
        );
        ctx.router().abandon_calls();
    }
    ctx.close_waiters();
    first_error.map_or(Ok(()), Err)
}

/// Signals that stop the bot: SIGINT (Ctrl-C) and, on Unix, SIGTERM (docker, systemd,
/// Kubernetes).
mod signals {
    use crate::context::Context;

    /// Shuts `ctx`'s bot down at the first signal (a handover, keeping the gateway sessions, when
    /// `handover`); exits the process at the second. Never returns: `run` stops polling it once
    /// the bot has stopped.
    pub(super) async fn stop_on_signals(ctx: &Context, handover: bool) {
        let Some(mut signals) = Signals::new() else {
            return std::future::pending().await;
        };
        let first = signals.next().await;
        tracing::info!("{}: shutting down (a second signal exits at once)", first.0);
        if handover {
            ctx.handover();
        } else {
            ctx.shutdown();
        }
        let second = signals.next().await;
        tracing::warn!("{} again: exiting at once", second.0);
        std::process::exit(128 + second.1);
    }

    /// A signal received: its name and number.
    struct Signal(&'static str, i32);

    #[cfg(unix)]
    struct Signals {
        interrupt: tokio::signal::unix::Signal,
        terminate: tokio::signal::unix::Signal,
    }

    #[cfg(unix)]
    impl Signals {
        /// Listens from now on; `None` when signals cannot be listened to.
        fn new() -> Option<Self> {
            use tokio::signal::unix::{SignalKind, signal};
            Some(Signals {
                interrupt: signal(SignalKind::interrupt()).ok()?,
                terminate: signal(SignalKind::terminate()).ok()?,
            })
        }

        async fn next(&mut self) -> Signal {
            tokio::select! {
                _ = self.interrupt.recv() => Signal("SIGINT", 2),
                _ = self.terminate.recv() => Signal("SIGTERM", 15),
            }
        }
    }

    #[cfg(not(unix))]
    struct Signals;

    #[cfg(not(unix))]
    impl Signals {
        fn new() -> Option<Self> {
            Some(Signals)
        }

        async fn next(&mut self) -> Signal {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
            Signal("Ctrl-C", 2)
        }
    }
}

/// The sessions file of [`BotBuilder::sessions_file`](crate::BotBuilder::sessions_file).
mod sessions {
    use std::path::Path;

    use crate::gateway::ShardSession;

    /// The sessions kept in `path`, which is removed: they are resumed once. None (and a warning)
    /// when it cannot be read.
    pub(super) fn take(path: &Path) -> Vec<ShardSession> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Vec::new(),
            Err(error) => {
                tracing::warn!(
                    "cannot read the sessions file {}: {error}; identifying instead",
                    path.display()
                );
                return Vec::new();
            }
        };
        let _ = std::fs::remove_file(path);
        match serde_json::from_str::<Vec<ShardSession>>(&text) {
            Ok(sessions) => {
                tracing::info!(
                    "resuming {} session(s) from {}",
                    sessions.len(),
                    path.display()
                );
                sessions
            }
            Err(error) => {
                tracing::warn!(
                    "the sessions file {} is not valid ({error}); identifying instead",
                    path.display()
                );
                Vec::new()
            }
        }
    }

    /// Writes `sessions` to `path` (through a temporary file, so that a reader never sees half).
    pub(super) fn save(path: &Path, sessions: &[ShardSession]) {
        let temporary = path.with_extension("tmp");
        let written = serde_json::to_vec_pretty(sessions)
            .map_err(std::io::Error::other)
            .and_then(|json| std::fs::write(&temporary, json))
            .and_then(|()| std::fs::rename(&temporary, path));
        match written {
            Ok(()) => tracing::info!(
                "kept {} session(s) in {} for the next start",
                sessions.len(),
                path.display()
            ),
            Err(error) => tracing::error!(
                "cannot write the sessions file {}: {error}; the next start identifies",
                path.display()
            ),
        }
    }
}
