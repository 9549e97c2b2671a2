//! The [`Bot`] and its builder: registration, validation, connection and shutdown.

mod commands;
mod intents;
mod run;

pub use commands::CommandSync;

use std::any::{Any, TypeId};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

pub use run::RunningBot;
use twilight_cache_inmemory::ResourceType;
use twilight_model::application::command::Command;
use twilight_model::gateway::Intents;
use twilight_model::gateway::payload::outgoing::update_presence::UpdatePresencePayload;
use twilight_model::id::Id;
use twilight_model::id::marker::{GuildMarker, UserMarker};

use crate::cache::Cache;
use crate::context::Router;
use crate::context::{Context, Shared};
use crate::error::{BoxError, Error};
use crate::event::Event;
use crate::event::interaction::{ApplicationCommand, ApplicationCommandError};
use crate::gateway::{Queue, Shards};
use crate::intents::{IntentCheck, IntentReport};
use crate::listener::{IntoListener, Listener};
use crate::router::ErrorRoute;

/// The default bound on the calls of one listener running at once; see
/// [`BotBuilder::max_running_listeners`].
pub const DEFAULT_MAX_RUNNING_LISTENERS: usize = 4096;

/// The default bound on the calls of one listener waiting for room; see
/// [`BotBuilder::max_waiting_calls`].
pub const DEFAULT_MAX_WAITING_CALLS: usize = 16_384;

/// How long user code may hold a shard's task before herald warns; see
/// [`BotBuilder::blocking_threshold`].
pub const DEFAULT_BLOCKING_THRESHOLD: Duration = Duration::from_millis(100);

/// How long shutdown waits for running listener calls; see [`BotBuilder::shutdown_timeout`].
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a shard waits for the guilds READY listed before it is ready anyway (disnake's
/// `guild_ready_timeout`).
pub const DEFAULT_GUILD_READY_TIMEOUT: Duration = Duration::from_secs(2);

/// How many messages the cache keeps by default, in total (disnake's `max_messages`).
pub const DEFAULT_MAX_MESSAGES: usize = 1000;

/// A bot: its listeners, its configuration, and the [`Context`] they share.
///
/// Configure it with [`Bot::builder`], then [`run`](Bot::run) it (until Ctrl-C, a fatal close, or
/// the end of its sandbox scene) or [`start`](Bot::start) it (tests).
///
/// ```no_run
/// use herald_framework::prelude::*;
/// use herald_framework::event::gateway::MessageCreate;
///
/// async fn ping(ctx: Context, msg: &MessageCreate) -> herald_framework::Result {
///     if msg.content == "!ping" {
///         ctx.http().create_message(msg.channel_id).content("pong").await?;
///     }
///     Ok(())
/// }
///
/// # async fn f() -> Result<(), Error> {
/// Bot::builder()
///     .token_from_env("DISCORD_TOKEN") // the embedded sandbox when unset
///     .add_intents(Intents::MESSAGE_CONTENT)
///     .listener(ping)
///     .run()
///     .await
/// # }
/// ```
pub struct Bot {
    ctx: Context,
    config: Config,
}

impl fmt::Debug for Bot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bot")
            .field("ctx", &self.ctx)
            .field("config", &self.config)
            .finish()
    }
}

/// A scene played on the embedded sandbox: acts as users, then returns (and the bot stops).
type Scene =
    Box<dyn FnOnce(Context) -> Pin<Box<dyn Future<Output = Result<(), BoxError>> + Send>> + Send>;

/// Where the bot connects.
pub(crate) enum Target {
    /// Nothing configured: only the router works (tests of listeners).
    None,
    /// A token given in code.
    Token(Token),
    /// A token read from this environment variable at start; the embedded sandbox when unset.
    Env(Cow<'static, str>),
    /// An existing sandbox, with the token to present (the sandbox's own unless overridden).
    #[cfg(feature = "sandbox")]
    Sandbox(herald_sandbox::Sandbox, Option<Token>),
}

/// A bot token; never shown in `Debug` output or logs.
#[derive(Clone)]
pub(crate) struct Token(pub(crate) String);

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

pub(crate) struct Config {
    pub(crate) target: Target,
    pub(crate) intents: Option<Intents>,
    pub(crate) extra_intents: Intents,
    pub(crate) shards: Shards,
    pub(crate) identify_queue: Option<Arc<dyn Queue + Send + Sync>>,
    pub(crate) setup: Option<Scene>,
    pub(crate) shutdown_timeout: Duration,
    pub(crate) blocking_threshold: Duration,
    pub(crate) guild_ready_timeout: Duration,
    pub(crate) cache_resources: ResourceType,
    pub(crate) max_messages: usize,
    pub(crate) intent_check: IntentCheck,
    pub(crate) presence: Option<UpdatePresencePayload>,
    /// The gateway to connect to instead of the target's (a gateway proxy).
    pub(crate) gateway_url: Option<String>,
    /// Where REST requests go instead of the target's (a REST proxy): host, and whether plain HTTP.
    pub(crate) rest_proxy: Option<(String, bool)>,
    /// Whether twilight-http's rate limiter waits out Discord's buckets.
    pub(crate) rest_ratelimiter: bool,
    /// Sessions to resume instead of identifying.
    pub(crate) resume: Vec<crate::gateway::ShardSession>,
    /// Where sessions are read at start and written at a signalled shutdown.
    pub(crate) sessions_file: Option<std::path::PathBuf>,
    pub(crate) scene: Option<Scene>,
    /// Application commands to sync at start.
    pub(crate) commands: Option<commands::Declared>,
    /// The sandbox to run on when the token variable is unset; `None`: that is an error.
    #[cfg(feature = "sandbox")]
    pub(crate) embedded: Option<herald_sandbox::SandboxBuilder>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let target = match &self.target {
            Target::None => "none".to_owned(),
            Target::Token(token) => format!("{token:?}"),
            Target::Env(var) => format!("env {var}"),
            #[cfg(feature = "sandbox")]
            Target::Sandbox(sandbox, _) => format!("sandbox {}", sandbox.gateway_url()),
        };
        f.debug_struct("Config")
            .field("target", &target)
            .field("intents", &self.intents)
            .field("shards", &self.shards)
            .field("guild_ready_timeout", &self.guild_ready_timeout)
            .finish_non_exhaustive()
    }
}

impl Bot {
    /// The intents the bot identifies with and what they leave out: listeners that cannot fire,
    /// and notes such as message content arriving empty. Start-up logs it.
    pub fn intent_report(&self) -> IntentReport {
        let listeners = self.ctx.router().listeners();
        let intents = self
            .config
            .intents
            .unwrap_or_else(|| intents::needed(&listeners, self.config.extra_intents));
        let listeners: Vec<_> = listeners.iter().map(|l| l.intents()).collect();
        IntentReport::new(&listeners, intents)
    }

    /// The start-up intent check: the report, or the error [`IntentCheck::Error`] makes of it.
    fn check_intents(&self) -> Result<IntentReport, Error> {
        let report = self.intent_report();
        if !report.missing.is_empty() && self.config.intent_check == IntentCheck::Error {
            return Err(Error::ListenersMissingIntents {
                missing: report.missing,
                intents: report.intents,
            });
        }
        Ok(report)
    }

    /// Starts configuring a bot.
    pub fn builder() -> BotBuilder {
        BotBuilder::default()
    }

    /// The bot's context: dispatch events, wait for them, add listeners.
    pub fn context(&self) -> &Context {
        &self.ctx
    }
}

/// Configures a [`Bot`]:
/// `Bot::builder().token_from_env("DISCORD_TOKEN").listener(a).event(on_message).run().await`.
#[must_use = "a builder does nothing until `.build()` or `.run()`"]
pub struct BotBuilder {
    listeners: Vec<Listener>,
    /// `#[event]` handlers by event name: the first registered handler's name.
    events: HashMap<&'static str, Cow<'static, str>>,
    errors: Vec<Error>,
    max_running_listeners: usize,
    max_waiting_calls: usize,
    data: HashMap<TypeId, Arc<dyn Any + Send + Sync>>,
    /// Defer a declared command that has not answered after this long.
    auto_defer: Option<Duration>,
    /// The owners for `owner_only` commands, when not the application's.
    owners: Option<Vec<Id<UserMarker>>>,
    config: Config,
}

/// How long a declared command may take before herald defers its answer: Discord drops an
/// interaction not answered within 3 s, and a request takes time to get there.
pub const DEFAULT_AUTO_DEFER: Duration = Duration::from_millis(2_000);

impl Default for BotBuilder {
    fn default() -> Self {
        BotBuilder {
            listeners: Vec::new(),
            events: HashMap::new(),
            errors: Vec::new(),
            max_running_listeners: DEFAULT_MAX_RUNNING_LISTENERS,
            max_waiting_calls: DEFAULT_MAX_WAITING_CALLS,
            data: HashMap::new(),
            auto_defer: Some(DEFAULT_AUTO_DEFER),
            owners: None,
            config: Config {
                target: Target::None,
                intents: None,
                extra_intents: Intents::empty(),
                shards: Shards::One,
                identify_queue: None,
                setup: None,
                shutdown_timeout: DEFAULT_SHUTDOWN_TIMEOUT,
                blocking_threshold: DEFAULT_BLOCKING_THRESHOLD,
                guild_ready_timeout: DEFAULT_GUILD_READY_TIMEOUT,
                cache_resources: ResourceType::all(),
                max_messages: DEFAULT_MAX_MESSAGES,
                intent_check: IntentCheck::Error,
                presence: None,
                gateway_url: None,
                rest_proxy: None,
                rest_ratelimiter: true,
                resume: Vec::new(),
                sessions_file: None,
                scene: None,
                commands: None,
                #[cfg(feature = "sandbox")]
                embedded: None,
            },
        }
    }
}

impl BotBuilder {
    /// Registers a listener: one of many for its event (disnake's `@bot.listen`).
    pub fn listener<M>(mut self, listener: impl IntoListener<M>) -> Self {
        self.listeners.push(listener.into_listener());
        self
    }

    /// Registers the one `#[event]` handler of its event (disnake's `@bot.event`). A second
    /// handler for the same event makes [`build`](Self::build) fail with
    /// [`Error::DuplicateEventHandler`], naming both and where they were registered.
    #[track_caller]
    pub fn event<M>(mut self, handler: impl IntoListener<M>) -> Self {
        let handler = handler.into_listener();
        let at = std::panic::Location::caller();
        let name: Cow<'static, str> = Cow::Owned(format!(
            "{}` (registered at {}:{})",
            handler.listener_name(),
            at.file(),
            at.line()
        ));
        match self.events.get(handler.event_name()) {
            Some(first) => self.errors.push(Error::DuplicateEventHandler {
                event: handler.event_name(),
                first: first.clone(),
                second: name,
            }),
            None => {
                self.events.insert(handler.event_name(), name);
            }
        }
        self.listeners.push(handler);
        self
    }

    /// Connects to Discord with this token. After [`sandbox`](Self::sandbox), it is the token
    /// presented to the sandbox instead of the one it accepts (to test a rejected token).
    pub fn token(mut self, token: impl Into<String>) -> Self {
        let token = Token(token.into());
        self.config.target = match std::mem::replace(&mut self.config.target, Target::None) {
            #[cfg(feature = "sandbox")]
            Target::Sandbox(sandbox, _) => Target::Sandbox(sandbox, Some(token)),
            _ => Target::Token(token),
        };
        self
    }

    /// Reads the token from the environment variable `var` when the bot starts. When it is not
    /// set (or empty), starting fails with [`Error::MissingToken`] naming the variable, unless
    /// [`embedded_sandbox`](Self::embedded_sandbox) opted into running offline.
    pub fn token_from_env(mut self, var: impl Into<Cow<'static, str>>) -> Self {
        self.config.target = Target::Env(var.into());
        self
    }

    /// Connects to this sandbox (tests).
    #[cfg(feature = "sandbox")]
    pub fn sandbox(mut self, sandbox: &herald_sandbox::Sandbox) -> Self {
        self.config.target = Target::Sandbox(sandbox.clone(), None);
        self
    }

    /// Opts into running offline: when [`token_from_env`](Self::token_from_env) finds no token,
    /// the bot runs on this sandbox, a local Discord started in-process, plays its
    /// [`scene`](Self::scene), and prints the transcript. `Sandbox::builder()` gives the demo
    /// world; build your own world, more guilds, several recommended shards, faster heartbeats.
    ///
    /// Without this call a missing token is an error, so a deployment whose secret is missing
    /// fails loudly instead of talking to a fake Discord. The sandbox is compiled in only with
    /// herald's `sandbox` feature: enable it for development (e.g. in a feature of your own), not
    /// in the build you deploy.
    ///
    /// ```no_run
    /// use herald_framework::prelude::*;
    /// use herald_framework::sandbox::{Sandbox, World};
    ///
    /// # async fn f() -> Result<(), Error> {
    /// Bot::builder()
    ///     .token_from_env("DISCORD_TOKEN")
    ///     .embedded_sandbox(Sandbox::builder().world(World::with_guilds(4)).recommended_shards(2))
    ///     .run()
    ///     .await
    /// # }
    /// ```
    #[cfg(feature = "sandbox")]
    pub fn embedded_sandbox(mut self, sandbox: herald_sandbox::SandboxBuilder) -> Self {
        self.config.embedded = Some(sandbox);
        self
    }

    /// A scene to play when the bot runs on the embedded sandbox (no token set): once the bot is
    /// ready, `scene` acts as users (through [`ContextExt::sandbox`](crate::testing::ContextExt::sandbox)); when it returns, the bot
    /// shuts down. Ignored when the bot connects to Discord.
    pub fn scene<F, Fut>(mut self, scene: F) -> Self
    where
        F: FnOnce(Context) -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), BoxError>> + Send + 'static,
    {
        self.config.scene = Some(Box::new(move |ctx| Box::pin(scene(ctx))));
        self
    }

    /// The gateway intents to identify with, exactly. By default herald requests `GUILDS` plus
    /// what its listeners' events need.
    pub fn intents(mut self, intents: Intents) -> Self {
        self.config.intents = Some(intents);
        self
    }

    /// What start-up does when explicit [`intents`](Self::intents) leave a listener unable to
    /// fire: refuse to start ([`IntentCheck::Error`], the default) or log a warning
    /// ([`IntentCheck::Warn`]).
    pub fn intent_check(mut self, check: IntentCheck) -> Self {
        self.config.intent_check = check;
        self
    }

    /// The presence every shard identifies with (disnake's `activity=` and `status=`): shown
    /// from the first moment, where `ctx.set_presence` in `on_ready` would come later. Build it
    /// with [`presence`](crate::gateway::presence).
    ///
    /// ```
    /// use herald_framework::prelude::*;
    /// use herald_framework::gateway::presence;
    /// use herald_framework::model::gateway::presence::{ActivityType, Status};
    ///
    /// let bot = Bot::builder()
    ///     .presence(presence(Status::Online, ActivityType::Watching, "the server"))
    ///     .build()
    ///     .unwrap();
    /// ```
    pub fn presence(mut self, presence: UpdatePresencePayload) -> Self {
        self.config.presence = Some(presence);
        self
    }

    /// Declares that listeners wait for `E` (`ctx.wait_for::<E>()`, `ctx.stream::<E>()`): adds the
    /// intents `E` is sent under to the computed ones, as a listener of `E` would. Waiters are
    /// created at run time, so herald cannot see them at start-up; without the intents, such a
    /// waiter fails at once with [`Error::MissingIntents`].
    ///
    /// ```
    /// use herald_framework::prelude::*;
    /// use herald_framework::event::message::ReactionAdd;
    ///
    /// let bot = Bot::builder().waits_for::<ReactionAdd>().build().unwrap();
    /// assert!(bot.intent_report().intents.contains(Intents::GUILD_MESSAGE_REACTIONS));
    /// ```
    pub fn waits_for<E: Event>(mut self) -> Self {
        self.config.extra_intents |= E::INTENTS;
        self
    }

    /// Intents to request besides those the listeners need (e.g. `MESSAGE_CONTENT`).
    pub fn add_intents(mut self, intents: Intents) -> Self {
        self.config.extra_intents |= intents;
        self
    }

    /// Which shards to run: [`Shards::One`] (the default), [`Shards::Auto`] (Discord's
    /// recommendation), a count, or a range of a total so several processes split one bot.
    pub fn shards(mut self, shards: impl Into<Shards>) -> Self {
        self.config.shards = shards.into();
        self
    }

    /// Connects every shard to the gateway at `url` (`ws://` or `wss://`, without query: herald
    /// adds the version and encoding) instead of Discord's, or the sandbox's: a gateway proxy, or
    /// a test server. REST still goes where the token or sandbox says.
    pub fn gateway_url(mut self, url: impl Into<String>) -> Self {
        self.config.gateway_url = Some(url.into());
        self
    }

    /// Sends REST requests to a proxy in front of Discord (twilight-http-proxy, nirn-proxy, ...)
    /// instead of Discord's API, or the sandbox's: `http://proxy:3000` or `https://...` (without a
    /// scheme: plain HTTP). herald adds `/api/v10/...`; the proxy forwards with the bot's token,
    /// which herald still sends. The gateway still goes where the token or sandbox says (see
    /// [`gateway_url`](Self::gateway_url)).
    pub fn rest_proxy(mut self, base: impl Into<String>) -> Self {
        let base: String = base.into();
        let (host, http) = match base.split_once("://") {
            Some(("https", host)) => (host, false),
            Some((_, host)) => (host, true),
            None => (base.as_str(), true),
        };
        self.config.rest_proxy = Some((host.trim_end_matches('/').to_owned(), http));
        self
    }

    /// Whether herald's REST client waits out Discord's rate limits itself (default: yes).
    /// Turn it off when a REST proxy does it for every process of the bot: the client then sends
    /// each request at once and leaves the buckets to the proxy (a 429 it passes on is retried
    /// at once by twilight-http).
    pub fn rest_ratelimiter(mut self, on: bool) -> Self {
        self.config.rest_ratelimiter = on;
        self
    }

    /// Resumes these gateway sessions (from [`Context::sessions`] or
    /// [`RunningBot::handover`] in the process before) instead of identifying: Discord replays
    /// what was sent since, and no session start is spent. A session for a shard this process
    /// does not run is ignored; one Discord no longer knows falls back to IDENTIFY.
    pub fn resume(
        mut self,
        sessions: impl IntoIterator<Item = crate::gateway::ShardSession>,
    ) -> Self {
        self.config.resume.extend(sessions);
        self
    }

    /// Keeps the bot's gateway sessions in `path` across restarts, for deploys: on SIGTERM or
    /// Ctrl-C, `run()` closes every shard so that Discord keeps its session and writes the
    /// sessions there (JSON); at start, it resumes the sessions it finds there, and removes the
    /// file. A process stopped any other way leaves no file, and the next one identifies.
    pub fn sessions_file(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.config.sessions_file = Some(path.into());
        self
    }

    /// Paces identifies with this queue instead of herald's [`IdentifyQueue`](crate::gateway::IdentifyQueue) (built from
    /// `session_start_limit.max_concurrency`): e.g. one shared by every process of a bot.
    pub fn identify_queue(mut self, queue: impl Queue + Send + Sync + 'static) -> Self {
        self.config.identify_queue = Some(Arc::new(queue));
        self
    }

    /// Runs `setup` once, after the HTTP client exists and before the first shard connects
    /// (disnake's `setup_hook`): load data, register commands. An error stops the start.
    pub fn setup<F, Fut>(mut self, setup: F) -> Self
    where
        F: FnOnce(Context) -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), BoxError>> + Send + 'static,
    {
        self.config.setup = Some(Box::new(move |ctx| Box::pin(setup(ctx))));
        self
    }

    /// How long shutdown waits, from the moment it is asked, for the shards to close and the
    /// running listener calls to finish (default [`DEFAULT_SHUTDOWN_TIMEOUT`]). Calls still
    /// running then are cancelled, and named in a warning.
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.config.shutdown_timeout = timeout;
        self
    }

    /// How long user code (a listener before its first `.await`, a waiter's check) may hold a
    /// shard's task before herald warns, naming it (default [`DEFAULT_BLOCKING_THRESHOLD`], as
    /// asyncio's `slow_callback_duration`). Heartbeats never wait for it: they run on the
    /// gateway's own thread.
    pub fn blocking_threshold(mut self, threshold: Duration) -> Self {
        self.config.blocking_threshold = threshold;
        self
    }

    /// Application commands (twilight's `Command`, built with
    /// `herald::util::builder::command::CommandBuilder`) to register at start, globally. The bot
    /// fetches the commands Discord has and writes only when they differ (one bulk overwrite:
    /// created, changed and removed commands), so a restart with the same commands writes
    /// nothing; the start-up log says what changed ([`CommandSync`]). Global commands take a
    /// while to show in clients: during development use
    /// [`commands_in_guild`](Self::commands_in_guild).
    pub fn commands(mut self, commands: impl IntoIterator<Item = Command>) -> Self {
        let declared = self.config.commands.get_or_insert_with(Default::default);
        declared.commands = commands.into_iter().collect();
        self
    }

    /// Registers the [`commands`](Self::commands) in one guild instead of globally: they show
    /// at once there (development).
    pub fn commands_in_guild(mut self, guild: Id<GuildMarker>) -> Self {
        self.config
            .commands
            .get_or_insert_with(Default::default)
            .guild = Some(guild);
        self
    }

    /// A declared application command: a slash command (with its subcommands) or a context
    /// menu, written with `#[command]` or built as an [`AppCommand`](crate::command::AppCommand).
    /// herald runs it when used (options parsed, checks and cooldowns applied, the answer
    /// deferred if it is slow: [`auto_defer`](Self::auto_defer)), and registers it with the
    /// start-up sync, with the [`commands`](Self::commands) (globally, or in the guild of
    /// [`commands_in_guild`](Self::commands_in_guild)). A definition Discord would refuse is an
    /// [`Error::Config`] from [`build`](Self::build), saying what to change.
    pub fn command(mut self, command: impl crate::command::IntoAppCommand) -> Self {
        let command = command.into_app_command();
        for problem in crate::command::validate(&command) {
            self.errors.push(Error::Config(problem));
        }
        let declared = self.config.commands.get_or_insert_with(Default::default);
        if declared
            .app
            .iter()
            .any(|c| c.name == command.name && c.kind == command.kind)
        {
            self.errors.push(Error::Config(format!(
                "two commands are named `{}`: Discord keeps one per name and kind",
                command.name
            )));
        }
        declared.app.push(command.definition());
        if let Some(listener) = crate::command::autocomplete_listener(&command) {
            self = self.listener(listener);
        }
        self.listener(crate::command::command_listener(command))
    }

    /// How long a declared command may run before herald defers its answer (the user sees
    /// "thinking..."; the command's [`reply`](Context::reply) then edits that answer, and an
    /// ephemeral reply becomes an ephemeral follow-up). Discord drops interactions not answered
    /// within 3 s. Default [`DEFAULT_AUTO_DEFER`]; `None` turns it off (a late answer then fails
    /// with an error that says so).
    pub fn auto_defer(mut self, after: Option<Duration>) -> Self {
        self.auto_defer = after;
        self
    }

    /// The owners `owner_only` commands accept, instead of the application's owner (or its
    /// team's members), which herald reads from Discord when first needed.
    pub fn owners(mut self, owners: impl IntoIterator<Item = Id<UserMarker>>) -> Self {
        self.owners = Some(owners.into_iter().collect());
        self
    }

    /// A persistent component handler: every `E` (a [`ButtonClick`](crate::event::interaction::ButtonClick),
    /// [`Dropdown`](crate::event::interaction::Dropdown) or
    /// [`ModalSubmit`](crate::event::interaction::ModalSubmit)) whose `custom_id` starts with
    /// `prefix` calls `handler` with the rest of the id parsed as `S` (any [`FromStr`](std::str::FromStr)):
    /// the state lives in the id, not in memory, so buttons keep working after the bot
    /// restarts, as disnake's persistent views. A rest that does not parse is the handler's
    /// error (reported like any listener's). Prefixes should not be prefixes of each other.
    ///
    /// ```no_run
    /// # use herald_framework::prelude::*;
    /// # async fn count(ctx: &Context, option: u8) {}
    /// // Buttons "vote:0", "vote:1", ... on any message, ever.
    /// let bot = Bot::builder().component("vote:", |ctx: Context, click: ButtonClick, option: u8| async move {
    ///     count(&ctx, option).await;
    ///     Ok(())
    /// });
    /// ```
    pub fn component<E, S, F, Fut>(self, prefix: impl Into<Arc<str>>, handler: F) -> Self
    where
        E: crate::event::Event + Clone,
        S: std::str::FromStr + Send + 'static,
        S::Err: std::fmt::Display,
        F: Fn(crate::Context, E, S) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = crate::Result> + Send + 'static,
    {
        let prefix: Arc<str> = prefix.into();
        let name = format!("component {prefix}*");
        let handler = Arc::new(handler);
        self.listener(
            Listener::new(move |ctx: crate::Context, event: &E| {
                let call = event
                    .custom_id()
                    .and_then(|id| id.strip_prefix(&*prefix))
                    .map(|rest| {
                        (
                            rest.parse::<S>().map_err(|e| e.to_string()),
                            rest.to_owned(),
                        )
                    });
                let (handler, prefix) = (Arc::clone(&handler), Arc::clone(&prefix));
                let event = call.is_some().then(|| event.clone());
                async move {
                    match (call, event) {
                        (Some((Ok(state), _)), Some(event)) => handler(ctx, event, state).await,
                        (Some((Err(error), rest)), _) => Err(format!(
                            "custom_id {prefix}{rest}: its state {rest:?} does not parse: {error}"
                        )
                        .into()),
                        _ => Ok(()),
                    }
                }
            })
            .name(name),
        )
    }

    /// Asks Discord for every member of each guild as it becomes available or the bot joins it
    /// (disnake's `chunk_guilds_at_startup`), so that the cache knows members who have not
    /// spoken since the bot started: member events then have their `before`, and
    /// [`Context::permissions_for`](crate::Context::permissions_for) knows everyone. Adds the
    /// GUILD_MEMBERS intent (privileged: turn it on in the Developer Portal). Off by default:
    /// big guilds cost memory and time; [`Context::request_members`](crate::Context::request_members)
    /// asks for one guild when needed.
    pub fn chunk_guilds_at_startup(self, chunk: bool) -> Self {
        if !chunk {
            return self;
        }
        fn request(
            ctx: &crate::Context,
            guild: twilight_model::id::Id<twilight_model::id::marker::GuildMarker>,
        ) {
            let request = ctx.request_members(guild);
            // In its own task: the request waits for every chunk, which come through the
            // gateway after this listener returns.
            tokio::spawn(async move {
                if let Err(error) = request.await {
                    let text = format!("chunking guild {guild} at start-up failed: {error}");
                    crate::report::tell!(WARN, { guild = guild.get(), }, text);
                }
            });
        }
        self.add_intents(Intents::GUILD_MEMBERS)
            .listener(
                Listener::new(
                    |ctx: crate::Context, event: &crate::event::guild::GuildAvailable| {
                        request(&ctx, event.guild.id);
                        async {}
                    },
                )
                .name("chunk_guilds_at_startup"),
            )
            .listener(
                Listener::new(
                    |ctx: crate::Context, event: &crate::event::guild::GuildJoin| {
                        request(&ctx, event.guild.id);
                        async {}
                    },
                )
                .name("chunk_guilds_at_startup"),
            )
    }

    /// How long a shard waits for the guilds READY listed before it is ready anyway (default
    /// [`DEFAULT_GUILD_READY_TIMEOUT`]).
    pub fn guild_ready_timeout(mut self, timeout: Duration) -> Self {
        self.config.guild_ready_timeout = timeout;
        self
    }

    /// What the cache keeps (default: everything). Fewer resources mean fewer events to
    /// deserialise.
    pub fn cache_resources(mut self, resources: ResourceType) -> Self {
        self.config.cache_resources = resources;
        self
    }

    /// How many messages the cache keeps, in total across channels (default
    /// [`DEFAULT_MAX_MESSAGES`]); the oldest is evicted first. `0` caches no messages, so
    /// `message_edit` has no `before` and `message_delete` no message (their `raw_*` twins are
    /// unaffected).
    pub fn max_messages(mut self, max: usize) -> Self {
        self.config.max_messages = max;
        self
    }

    /// Gives the bot a piece of state, which every listener reads with
    /// [`ctx.data::<T>()`](Context::data): a database pool, settings, counters. One value per
    /// type; giving a second `T` replaces the first. Use interior mutability (atomics, a
    /// `Mutex`, `tokio::sync::RwLock`) for state that changes.
    pub fn data<T: Any + Send + Sync>(mut self, value: T) -> Self {
        self.data.insert(TypeId::of::<T>(), Arc::new(value));
        self
    }

    /// Bounds the calls of **each** listener running at once (default
    /// [`DEFAULT_MAX_RUNNING_LISTENERS`]; a `sequential` listener runs one). Past the bound its
    /// calls wait, in order, for running ones to finish (see
    /// [`max_waiting_calls`](Self::max_waiting_calls)), and herald warns, naming the listener.
    /// The bound is per listener so that one whose calls never finish holds up only itself: the
    /// gateway keeps reading and heartbeating, waiters are fed, other listeners run.
    pub fn max_running_listeners(mut self, max: usize) -> Self {
        self.max_running_listeners = max;
        self
    }

    /// Bounds the calls of each listener waiting for room (default
    /// [`DEFAULT_MAX_WAITING_CALLS`]). A call past it is dropped and reported as an error (at a
    /// bounded rate); [`Context::listeners`] counts them. This bounds the memory a stuck
    /// listener can hold.
    pub fn max_waiting_calls(mut self, max: usize) -> Self {
        self.max_waiting_calls = max;
        self
    }

    /// Validates the configuration and builds the bot (without connecting).
    ///
    /// # Errors
    /// The first configuration mistake found, e.g. [`Error::DuplicateEventHandler`].
    pub fn build(mut self) -> Result<Bot, Error> {
        if !self.errors.is_empty() {
            return Err(self.errors.remove(0));
        }
        // Every listener's parameters after the event can be filled in.
        for listener in &self.listeners {
            if let Some(missing) = listener
                .requires
                .iter()
                .find(|needed| !self.data.contains_key(&needed.type_id))
            {
                return Err(Error::MissingData {
                    listener: Arc::clone(&listener.meta.name),
                    type_name: missing.type_name(),
                });
            }
        }
        crate::isolate::install_panic_hook();
        let router = Router::new(
            crate::router::Limits {
                running: self.max_running_listeners,
                waiting: self.max_waiting_calls,
            },
            error_routes(),
        );
        for listener in self.listeners {
            router.add(listener.meta, listener.install);
        }
        if self.config.max_messages == 0 {
            self.config.cache_resources.remove(ResourceType::MESSAGE);
        }
        let cache = Cache::new(self.config.cache_resources, self.config.max_messages);
        let shared = Shared {
            router,
            cache: Arc::new(cache),
            http: OnceLock::new(),
            connection: OnceLock::new(),
            #[cfg(feature = "sandbox")]
            sandbox: OnceLock::new(),
            data: self.data,
            answers: crate::context::answers::Answers::new(self.auto_defer, self.owners),
        };
        let bot = Bot {
            ctx: Context::new(shared),
            config: self.config,
        };
        bot.check_intents()?;
        Ok(bot)
    }

    /// Builds the bot and runs it until it shuts down; see [`Bot::run`].
    ///
    /// # Errors
    /// A configuration mistake, or what ended the bot (see [`Bot::run`]).
    pub async fn run(self) -> Result<(), Error> {
        self.build()?.run().await
    }
}

/// Where failures of some events' listeners go instead of `error`: a failed `application_command`
/// listener's error goes to `application_command_error`, with the command, when someone listens
/// there (disnake's `on_slash_command_error`), so the handler can answer the user.
fn error_routes() -> rustc_hash::FxHashMap<TypeId, ErrorRoute<Context>> {
    let command: ErrorRoute<Context> = Box::new(|ctx, event, listener, error| {
        let Ok(command) = event.downcast::<ApplicationCommand>() else {
            return Err(error);
        };
        if !ctx.router().has_listeners::<ApplicationCommandError>() {
            return Err(error);
        }
        ctx.dispatch(ApplicationCommandError {
            command,
            listener: Arc::clone(listener),
            error: Arc::new(error),
        });
        Ok(())
    });
    std::iter::once((TypeId::of::<ApplicationCommand>(), command)).collect()
}
