//! Starting, running and stopping a bot.

use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinSet;
use twilight_cache_inmemory::ResourceType;
use twilight_gateway::{ConfigBuilder, Shard, ShardId};
use twilight_model::gateway::connection_info::BotConnectionInfo;

use super::{Bot, Target, Token};
use crate::context::Context;
use crate::error::Error;
use crate::event::Panicked;
use crate::event::lifecycle::Ready;
use crate::gateway::queue::SharedQueue;
use crate::gateway::{
    self, FatalClose, Gateway, GatewayParams, IDENTIFY_WINDOW, IdentifyQueue, SessionStartLimit,
    ShardHandle, flags,
};

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
}

impl RunningBot {
    /// The bot's context.
    pub fn context(&self) -> &Context {
        &self.ctx
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
        let endpoint = self.resolve().await?;
        let ctx = self.ctx.clone();
        let shared = ctx.shared();

        let mut http = twilight_http::Client::builder().token(endpoint.token.0.clone());
        if let Some((_, proxy)) = &endpoint.local {
            http = http.proxy(proxy.clone(), true);
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
            setup(ctx.clone()).await.map_err(Error::Setup)?;
        }

        // Again after the setup hook, which may have added listeners.
        let report = self.check_intents()?;
        report.log(self.config.intents.is_some());
        let intents = report.intents;
        let config = &self.config;
        let mut shards = Vec::new();
        let mut handles = Vec::new();
        for number in range {
            let builder =
                ConfigBuilder::new(endpoint.token.0.clone(), intents).queue(queue.clone());
            let builder = match &endpoint.local {
                Some((gateway_url, _)) => builder.proxy_url(gateway_url.clone()),
                None => builder,
            };
            let builder = match &config.presence {
                Some(presence) => builder.presence(presence.clone()),
                None => builder,
            };
            let shard = Shard::with_config(ShardId::new(number, total), builder.build());
            handles.push(Arc::new(ShardHandle::new(shard.id(), shard.sender())));
            shards.push(shard);
        }
        let cache_flags = flags::for_cache(config.cache_resources);
        let gateway = Gateway::new(
            handles.clone(),
            params,
            intents,
            config.guild_ready_timeout,
            cache_flags,
            config
                .cache_resources
                .contains(ResourceType::MESSAGE)
                .then_some(config.max_messages),
        );
        if shared.gateway.set(gateway).is_err() {
            return Err(Error::Internal("this bot was started twice".into()));
        }
        tracing::info!(shards = handles.len(), total, ?intents, "starting");

        let mut tasks = JoinSet::new();
        for (shard, handle) in shards.into_iter().zip(handles) {
            let (ctx, cache) = (ctx.clone(), Arc::clone(&shared.cache));
            tasks.spawn(async move {
                let number = handle.id().number();
                gateway::run_shard(shard, handle, ctx, cache)
                    .await
                    .map_err(|source| (number, source))
            });
        }
        let supervisor_ctx = ctx.clone();
        let shutdown_timeout = config.shutdown_timeout;
        let task = tokio::spawn(async move {
            let mut first_error = None;
            while let Some(joined) = tasks.join_next().await {
                let error = match joined {
                    Ok(Ok(())) => continue,
                    Ok(Err((shard, source))) => Error::Gateway { shard, source },
                    Err(join) => Error::Internal(format!("a shard task failed: {join}")),
                };
                // One shard closed for good: stop the others too.
                supervisor_ctx.shutdown();
                first_error.get_or_insert(error);
            }
            // Let running listener calls finish, within the deadline.
            if tokio::time::timeout(shutdown_timeout, supervisor_ctx.idle())
                .await
                .is_err()
            {
                tracing::warn!(
                    running = supervisor_ctx.running_listeners(),
                    "listener calls still running after the shutdown timeout of {shutdown_timeout:?}"
                );
            }
            supervisor_ctx.close_waiters();
            first_error.map_or(Ok(()), Err)
        });
        Ok(RunningBot { ctx, task })
    }

    /// Connects and runs until the bot shuts down: [`Context::shutdown`], Ctrl-C, the end of the
    /// sandbox scene, or a fatal close.
    ///
    /// # Errors
    /// As [`start`](Self::start), then [`Error::Gateway`] when a shard was closed fatally, with
    /// what to do about it, and [`Error::Scene`] when the sandbox scene failed or panicked.
    pub async fn run(mut self) -> Result<(), Error> {
        let scene = self.config.scene.take();
        // Registered before connecting, so that the scene cannot miss the first `ready`.
        let ready = self.ctx.wait_for::<Ready>().register();
        let running = self.start().await?;
        let ctx = running.context().clone();
        let scene = scene.filter(|_| is_sandboxed(&ctx)).map(|scene| {
            let ctx = ctx.clone();
            tokio::spawn(async move {
                let mut outcome = Ok(());
                if ready.await.is_ok() {
                    // Its own task, so that a panicking scene (a refused sandbox action panics)
                    // still stops the bot, and `run` reports it.
                    outcome = match tokio::spawn(scene(ctx.clone())).await {
                        Ok(result) => result,
                        Err(join) => Err(match join.try_into_panic() {
                            Ok(payload) => Box::new(Panicked::from_payload(payload)),
                            Err(join) => join.to_string().into(),
                        }),
                    };
                    if let Err(error) = &outcome {
                        tracing::error!(%error, "the sandbox scene failed");
                    }
                    // Let the bot finish what the scene caused before stopping.
                    settle(&ctx).await;
                }
                ctx.shutdown();
                outcome
            })
        });
        let stopping = ctx.clone();
        tokio::select! {
            result = tokio::signal::ctrl_c() => {
                if result.is_ok() {
                    tracing::info!("Ctrl-C: shutting down");
                }
                stopping.shutdown();
            }
            () = stopped(&stopping) => {}
        }
        let result = running.wait().await;
        let scene = match scene {
            Some(task) => match task.await {
                Ok(outcome) => outcome.map_err(Error::Scene),
                Err(join) => Err(Error::Internal(format!("the scene task failed: {join}"))),
            },
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

    #[cfg(feature = "sandbox")]
    async fn embedded_sandbox(&mut self, var: &str) -> Result<Endpoint, Error> {
        use std::io::Write as _;
        let sandbox = self
            .config
            .embedded
            .take()
            .unwrap_or_else(herald_sandbox::Sandbox::builder)
            .print_transcript(true)
            .start()
            .await?;
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
    let rejected = || Error::Gateway {
        shard: 0,
        source: FatalClose::AuthenticationFailed,
    };
    let response = http
        .gateway()
        .authed()
        .await
        .map_err(|error| match error.kind() {
            ErrorType::Unauthorized => rejected(),
            ErrorType::Response { status, .. } if status.get() == 401 => rejected(),
            ErrorType::Response { status, .. } => Error::Http {
                message: format!("GET /gateway/bot failed: {error}"),
                status: Some(status.get()),
            },
            _ => Error::Http {
                message: format!("GET /gateway/bot failed: {error}"),
                status: None,
            },
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

/// Resolves when shutdown was asked for.
async fn stopped(ctx: &Context) {
    if let Some(gateway) = ctx.gateway() {
        let mut shutdown = gateway.shutdown.subscribe();
        let _ = shutdown.wait_for(|stop| *stop).await;
    }
}
