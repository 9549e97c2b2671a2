//! The sandbox handle: start it, point twilight at it, look up the world,
//! act, observe, inject faults.

use std::{
    net::SocketAddr,
    sync::Arc,
    time::{Duration, Instant},
};

use serde_json::Value;
use tokio::{net::TcpListener, task::JoinHandle};
use twilight_model::{
    gateway::Intents,
    id::{
        Id,
        marker::{
            ApplicationMarker, ChannelMarker, EmojiMarker, GuildMarker, MessageMarker, RoleMarker,
            UserMarker,
        },
    },
};

use crate::{
    actors::Actor,
    error::SandboxError,
    faults::{Fault, RestFault, RestFaultRule, RouteMatcher, ShardHandle, validate_close_code},
    intents::PRIVILEGED,
    record::{
        ClientClose, ConnectionInfo, HeartbeatRecord, IdentifyRecord, PresenceRecord,
        RecordedRequest, ResumeRecord, StoredMessage,
    },
    state::{Config, SESSION_START_PERIOD, Shared, State},
    transcript,
    world::{MessageRec, World},
};

/// Discord's usual heartbeat interval.
const DEFAULT_HEARTBEAT: Duration = Duration::from_millis(41_250);

/// Configures a [`Sandbox`] before starting it.
#[derive(Debug)]
#[must_use = "a builder does nothing until `.start().await`"]
pub struct SandboxBuilder {
    heartbeat_interval: Duration,
    token: String,
    allowed_privileged: Intents,
    world: Option<World>,
    recommended_shards: u32,
    max_concurrency: u32,
    identify_window: Duration,
    enforce_concurrency: bool,
    max_guilds_per_shard: usize,
    session_start_total: u32,
    session_start_remaining: u32,
    session_start_reset_after: Duration,
    resume_buffer: usize,
    message_history: usize,
    print_transcript: bool,
}

impl Default for SandboxBuilder {
    fn default() -> Self {
        Self {
            heartbeat_interval: DEFAULT_HEARTBEAT,
            token: Sandbox::DEFAULT_TOKEN.to_owned(),
            allowed_privileged: PRIVILEGED,
            world: None,
            recommended_shards: 1,
            max_concurrency: 1,
            identify_window: Sandbox::DEFAULT_IDENTIFY_WINDOW,
            enforce_concurrency: false,
            max_guilds_per_shard: Sandbox::DEFAULT_MAX_GUILDS_PER_SHARD,
            session_start_total: Sandbox::DEFAULT_SESSION_START_LIMIT,
            session_start_remaining: Sandbox::DEFAULT_SESSION_START_LIMIT,
            session_start_reset_after: SESSION_START_PERIOD,
            resume_buffer: Sandbox::DEFAULT_RETENTION,
            message_history: Sandbox::DEFAULT_RETENTION,
            print_transcript: false,
        }
    }
}

impl SandboxBuilder {
    /// The heartbeat interval sent in HELLO (default 41.25 s, like Discord).
    /// Zombie tests use 100-500 ms: twilight notices a silent connection
    /// about two intervals after it went quiet.
    pub fn heartbeat_interval(mut self, interval: Duration) -> Self {
        self.heartbeat_interval = interval.max(Duration::from_millis(1));
        self
    }

    /// The bot token the sandbox accepts (default
    /// [`Sandbox::DEFAULT_TOKEN`]); with or without a `Bot ` prefix. Another
    /// token gets close 4004 on the gateway and 401 on REST.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = token.into();
        self
    }

    /// Which privileged intents (GUILD_MEMBERS, GUILD_PRESENCES,
    /// MESSAGE_CONTENT) the bot is approved for (default: all). Asking for
    /// another gets close 4014.
    pub fn allowed_privileged_intents(mut self, intents: Intents) -> Self {
        self.allowed_privileged = intents & PRIVILEGED;
        self
    }

    /// The world to simulate (default [`World::demo`]).
    pub fn world(mut self, world: World) -> Self {
        self.world = Some(world);
        self
    }

    /// The shard count `GET /gateway/bot` recommends (default 1).
    pub fn recommended_shards(mut self, shards: u32) -> Self {
        self.recommended_shards = shards.max(1);
        self
    }

    /// How many IDENTIFYs Discord lets the bot start per identify window
    /// (default 1), reported as `session_start_limit.max_concurrency` by
    /// `GET /gateway/bot`, and **enforced**: shards fall into buckets
    /// `shard_id % max_concurrency`, and each bucket gets at most one
    /// accepted IDENTIFY per [window](Self::identify_window). An IDENTIFY
    /// over that is answered with op 9 `d:false` and recorded with
    /// [`IdentifyRecord::throttled`] set; the client identifies again later.
    ///
    /// Enforcement is on once this or [`identify_window`](Self::identify_window)
    /// is called; a sandbox configured with neither accepts every IDENTIFY
    /// (clients pointed at it usually disable their identify queue, and
    /// twilight re-identifies at once after op 9, so a 5 s limit would
    /// turn every re-identify into 5 s of retries).
    pub fn max_concurrency(mut self, max_concurrency: u32) -> Self {
        self.max_concurrency = max_concurrency.max(1);
        self.enforce_concurrency = true;
        self
    }

    /// The identify window of [`max_concurrency`](Self::max_concurrency)
    /// (default [`Sandbox::DEFAULT_IDENTIFY_WINDOW`], Discord's 5 s). Tests
    /// scale it down, e.g. to 200 ms. Turns enforcement on.
    pub fn identify_window(mut self, window: Duration) -> Self {
        self.identify_window = window;
        self.enforce_concurrency = true;
        self
    }

    /// The session start limit `GET /gateway/bot` reports (default
    /// [`Sandbox::DEFAULT_SESSION_START_LIMIT`] of each): every accepted
    /// IDENTIFY takes one from `remaining` (RESUMEs do not); with
    /// `remaining == 0` an IDENTIFY is answered with op 9 `d:false` and
    /// recorded as
    /// [`IdentifyThrottle::SessionStartLimit`](crate::IdentifyThrottle::SessionStartLimit). (Discord would
    /// also reset the bot's token; the sandbox does not.) `remaining` is
    /// capped at `total`, and goes back to `total` after
    /// [`session_start_reset_after`](Self::session_start_reset_after).
    pub fn session_start_limit(mut self, total: u32, remaining: u32) -> Self {
        self.session_start_total = total;
        self.session_start_remaining = remaining.min(total);
        self
    }

    /// When the session start limit resets to its total, counted from the
    /// start of the sandbox (default 24 h, as on Discord). `GET /gateway/bot`
    /// reports the time left as `reset_after` (milliseconds).
    pub fn session_start_reset_after(mut self, reset_after: Duration) -> Self {
        self.session_start_reset_after = reset_after;
        self
    }

    /// How many guilds one shard may hold (default
    /// [`Sandbox::DEFAULT_MAX_GUILDS_PER_SHARD`], Discord's 2,500). An
    /// IDENTIFY whose shard count gives any shard (`(guild_id >> 22) %
    /// shard_count`) more of the bot's guilds than that is closed with 4011
    /// (Sharding required), which twilight treats as fatal.
    pub fn max_guilds_per_shard(mut self, guilds: usize) -> Self {
        self.max_guilds_per_shard = guilds.max(1);
        self
    }

    /// How many dispatches each session keeps for RESUME (default
    /// [`Sandbox::DEFAULT_RETENTION`]). A client resuming from further back
    /// gets op 9 `false`, as on Discord when its buffer is exceeded. Raise it
    /// for fault tests in bursts larger than that.
    pub fn resume_buffer(mut self, dispatches: usize) -> Self {
        self.resume_buffer = dispatches.max(1);
        self
    }

    /// How many messages each channel keeps (default
    /// [`Sandbox::DEFAULT_RETENTION`]); older ones are forgotten. Bounds
    /// memory in long benchmarks.
    pub fn message_history(mut self, messages: usize) -> Self {
        self.message_history = messages.max(1);
        self
    }

    /// Whether to print each [transcript](Sandbox::transcript) line to
    /// stdout as it happens (default `false`). Bot examples turn it on to
    /// show who said what and what the bot answered. Lines go straight to
    /// stdout (under `cargo test` they are not captured; tests read
    /// [`transcript`](Sandbox::transcript) instead).
    pub fn print_transcript(mut self, print: bool) -> Self {
        self.print_transcript = print;
        self
    }

    /// Binds two random free ports on 127.0.0.1 (gateway and REST) and
    /// starts serving. Must run inside a Tokio runtime.
    ///
    /// # Errors
    ///
    /// [`SandboxError::Io`] if a port cannot be bound.
    pub async fn start(self) -> Result<Sandbox, SandboxError> {
        let bind = |what: &'static str| async move {
            TcpListener::bind("127.0.0.1:0")
                .await
                .and_then(|l| l.local_addr().map(|a| (l, a)))
                .map_err(|source| SandboxError::Io {
                    context: format!("binding the {what} port on 127.0.0.1"),
                    source,
                })
        };
        let (gateway, gateway_addr): (TcpListener, SocketAddr) = bind("gateway").await?;
        let (rest, http_addr) = bind("REST").await?;
        let config = Config {
            token: self.token,
            heartbeat_interval: self.heartbeat_interval,
            allowed_privileged: self.allowed_privileged,
            gateway_url: format!("ws://{gateway_addr}"),
            http_addr,
            recommended_shards: self.recommended_shards,
            max_concurrency: self.max_concurrency,
            identify_window: self.identify_window,
            enforce_concurrency: self.enforce_concurrency,
            max_guilds_per_shard: self.max_guilds_per_shard,
            session_start_total: self.session_start_total,
            session_start_remaining: self.session_start_remaining,
            session_start_reset_after: self.session_start_reset_after,
            resume_buffer: self.resume_buffer,
            print_transcript: self.print_transcript,
        };
        let mut world = self.world.unwrap_or_else(World::demo);
        world.message_history = self.message_history;
        let shared = Arc::new(Shared::new(config, world));
        let tasks = vec![
            tokio::spawn(crate::gateway::serve(gateway, Arc::clone(&shared))),
            tokio::spawn(crate::rest::serve(rest, Arc::clone(&shared))),
        ];
        tracing::debug!(
            gateway = %shared.config.gateway_url,
            rest = %http_addr,
            "sandbox started"
        );
        Ok(Sandbox {
            _servers: Arc::new(Servers {
                shared: Arc::clone(&shared),
                tasks,
            }),
            shared,
        })
    }
}

/// A local Discord on loopback.
///
/// A cheap handle: cloning it shares the same servers and world (two
/// `Arc`s), and it is `Send + Sync + 'static`, so tests can hand clones to
/// spawned tasks. Dropping the last clone stops both servers and closes
/// every connection ([`Actor`]s and [`ShardHandle`]s do not keep them
/// running).
///
/// See the [crate documentation](crate) for an example.
#[derive(Clone, Debug)]
pub struct Sandbox {
    pub(crate) shared: Arc<Shared>,
    _servers: Arc<Servers>,
}

/// The server tasks, stopped when the last [`Sandbox`] clone goes.
#[derive(Debug)]
struct Servers {
    shared: Arc<Shared>,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Servers {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
        self.shared.with(|state| state.conns.clear());
    }
}

// `Sandbox` is a cheap, shareable handle.
const _: () = {
    const fn assert_handle<T: Clone + Send + Sync + 'static>() {}
    assert_handle::<Sandbox>();
};

impl Sandbox {
    /// The token a default sandbox accepts.
    pub const DEFAULT_TOKEN: &'static str = "sandbox-token";

    /// Default of [`SandboxBuilder::resume_buffer`] and
    /// [`SandboxBuilder::message_history`].
    pub const DEFAULT_RETENTION: usize = 100_000;

    /// Default of [`SandboxBuilder::identify_window`]: Discord's 5 s.
    pub const DEFAULT_IDENTIFY_WINDOW: Duration = Duration::from_secs(5);

    /// Default of [`SandboxBuilder::max_guilds_per_shard`]: Discord's 2,500.
    pub const DEFAULT_MAX_GUILDS_PER_SHARD: usize = 2500;

    /// Default `total` and `remaining` of
    /// [`SandboxBuilder::session_start_limit`]: Discord's usual 1,000.
    pub const DEFAULT_SESSION_START_LIMIT: u32 = 1000;

    /// Starts a sandbox with the [demo world](World::demo) and defaults.
    ///
    /// # Errors
    ///
    /// [`SandboxError::Io`] if a port cannot be bound.
    pub async fn start() -> Result<Self, SandboxError> {
        Self::builder().start().await
    }

    /// A builder to configure the sandbox.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }

    // ---- how clients connect ---------------------------------------------

    /// The gateway URL, `ws://127.0.0.1:PORT` (no trailing slash): pass it
    /// to twilight-gateway's `ConfigBuilder::proxy_url`. READY's
    /// `resume_gateway_url` and `GET /gateway/bot` hold the same.
    pub fn gateway_url(&self) -> String {
        self.shared.config.gateway_url.clone()
    }

    /// `127.0.0.1:PORT` of the REST API, for twilight-http's
    /// `ClientBuilder::proxy(sandbox.http_proxy(), true)`.
    pub fn http_proxy(&self) -> String {
        self.shared.config.http_addr.to_string()
    }

    /// `http://127.0.0.1:PORT/api/v10`, for other HTTP clients.
    pub fn http_base_url(&self) -> String {
        format!("http://{}/api/v10", self.shared.config.http_addr)
    }

    /// The token the sandbox accepts.
    pub fn token(&self) -> String {
        self.shared.config.token.clone()
    }

    /// The bot's user id.
    pub fn bot_user_id(&self) -> Id<UserMarker> {
        Id::new(self.shared.lock().world.bot_id)
    }

    /// The bot's application id (equal to its user id).
    pub fn application_id(&self) -> Id<ApplicationMarker> {
        Id::new(self.shared.lock().world.application_id)
    }

    // ---- world lookups -----------------------------------------------------

    /// The guild named `name`.
    ///
    /// # Panics
    ///
    /// If there is none; the message lists the world's guilds.
    #[track_caller]
    pub fn guild(&self, name: &str) -> Id<GuildMarker> {
        let state = self.shared.lock();
        state.world.guild_id(name).unwrap_or_else(|| {
            panic!(
                "sandbox: no guild named {name:?}; the world has {:?}",
                state.world.guild_names()
            )
        })
    }

    /// The first guild channel named `name`.
    ///
    /// # Panics
    ///
    /// If there is none; the message lists the world's channels.
    #[track_caller]
    pub fn channel(&self, name: &str) -> Id<ChannelMarker> {
        let state = self.shared.lock();
        state.world.channel_id(name).unwrap_or_else(|| {
            panic!(
                "sandbox: no channel named {name:?}; the world has {:?}",
                state.world.channel_names()
            )
        })
    }

    /// The channel named `name` in `guild`.
    ///
    /// # Panics
    ///
    /// If there is none.
    #[track_caller]
    pub fn guild_channel(&self, guild: Id<GuildMarker>, name: &str) -> Id<ChannelMarker> {
        let state = self.shared.lock();
        let g = state.world.guild(guild.get());
        g.and_then(|g| g.channels.iter().chain(&g.threads).find(|c| c.name == name))
            .map(|c| Id::new(c.id))
            .unwrap_or_else(|| {
                panic!(
                    "sandbox: no channel named {name:?} in guild {guild}; it has {:?}",
                    g.map(|g| g
                        .channels
                        .iter()
                        .map(|c| c.name.clone())
                        .collect::<Vec<_>>())
                        .unwrap_or_default()
                )
            })
    }

    /// The first role named `name`.
    ///
    /// # Panics
    ///
    /// If there is none; the message lists the world's roles.
    #[track_caller]
    pub fn role(&self, name: &str) -> Id<RoleMarker> {
        let state = self.shared.lock();
        state.world.role_id(name).unwrap_or_else(|| {
            panic!(
                "sandbox: no role named {name:?}; the world has {:?}",
                state.world.role_names()
            )
        })
    }

    /// The user named `name` (the bot included).
    ///
    /// # Panics
    ///
    /// If there is none; the message lists the world's users.
    #[track_caller]
    pub fn user(&self, name: &str) -> Id<UserMarker> {
        let state = self.shared.lock();
        state.world.user_id(name).unwrap_or_else(|| {
            panic!(
                "sandbox: no user named {name:?}; the world has {:?}",
                state.world.user_names()
            )
        })
    }

    /// The custom emoji named `name`, as `"name:id"` (what
    /// [`Actor::react`] and the reaction routes take).
    ///
    /// # Panics
    ///
    /// If there is none; the message lists the world's emojis.
    #[track_caller]
    pub fn emoji(&self, name: &str) -> String {
        format!("{name}:{}", self.emoji_id(name))
    }

    /// The id of the custom emoji named `name`.
    ///
    /// # Panics
    ///
    /// If there is none; the message lists the world's emojis.
    #[track_caller]
    pub fn emoji_id(&self, name: &str) -> Id<EmojiMarker> {
        let state = self.shared.lock();
        state.world.emoji_id(name).unwrap_or_else(|| {
            panic!(
                "sandbox: no emoji named {name:?}; the world has {:?}",
                state.world.emoji_names()
            )
        })
    }

    /// The DM channel between the bot and `user` (created on first use).
    pub fn dm_channel(&self, user: Id<UserMarker>) -> Id<ChannelMarker> {
        Id::new(self.shared.with(|s| s.world.dm_channel_with(user.get())))
    }

    /// The roles of a member, or `None` if `user` is not a member.
    pub fn member_roles(
        &self,
        guild: Id<GuildMarker>,
        user: Id<UserMarker>,
    ) -> Option<Vec<Id<RoleMarker>>> {
        let state = self.shared.lock();
        let member = state.world.member(guild.get(), user.get())?;
        Some(member.roles.iter().map(|r| Id::new(*r)).collect())
    }

    /// The nickname of a member (`None` if none or not a member).
    pub fn member_nick(&self, guild: Id<GuildMarker>, user: Id<UserMarker>) -> Option<String> {
        let state = self.shared.lock();
        state.world.member(guild.get(), user.get())?.nick.clone()
    }

    /// Whether `user` is banned from `guild`.
    pub fn is_banned(&self, guild: Id<GuildMarker>, user: Id<UserMarker>) -> bool {
        let state = self.shared.lock();
        state
            .world
            .guild(guild.get())
            .is_some_and(|g| g.bans.iter().any(|b| b.user_id == user.get()))
    }

    // ---- acting --------------------------------------------------------------

    /// An actor playing the user named `name`.
    ///
    /// # Panics
    ///
    /// If there is no such user; the message lists the world's users.
    #[track_caller]
    pub fn actor(&self, name: &str) -> Actor {
        let user = self.user(name);
        Actor {
            shared: Arc::clone(&self.shared),
            user: user.get(),
            name: name.to_owned(),
        }
    }

    /// Alias of [`actor`](Self::actor).
    #[track_caller]
    pub fn user_actor(&self, name: &str) -> Actor {
        self.actor(name)
    }

    /// Queues `n` MESSAGE_CREATEs from `user` in `channel`, contents
    /// `"burst 0"` .. `"burst {n-1}"`, as fast as possible (payloads come
    /// from a pre-rendered template). The messages are stored like any
    /// other (see [`SandboxBuilder::message_history`] and
    /// [`SandboxBuilder::resume_buffer`] for bursts over 100,000). The
    /// [transcript](Self::transcript) gets one line for the whole burst.
    /// Returns their ids in order.
    ///
    /// # Panics
    ///
    /// If the channel is unknown or a voice channel.
    #[track_caller]
    pub fn burst(
        &self,
        channel: Id<ChannelMarker>,
        user: Id<UserMarker>,
        n: usize,
    ) -> Vec<Id<MessageMarker>> {
        let burst = |state: &mut State| {
            let ids = state.burst(channel.get(), user.get(), n)?;
            let line = transcript::burst(&state.world, user.get(), channel.get(), n);
            state.note(line);
            Ok::<_, crate::ops::OpError>(ids)
        };
        match self.shared.with(burst) {
            Ok(ids) => ids.into_iter().map(Id::new).collect(),
            Err(error) => panic!("sandbox: cannot burst into channel {channel}: {error}"),
        }
    }

    /// Sends any dispatch to every session that should get it: routed by
    /// `d.guild_id` when present (else shard 0), filtered by the intent
    /// table (events it does not know go to every session). The escape
    /// hatch for events neither actors nor the world-change methods (such
    /// as [`set_stickers`](Self::set_stickers)) cover, e.g.
    /// `INTEGRATION_CREATE`; the world does not change.
    pub fn dispatch_raw(&self, event: &str, d: Value) {
        let guild = d.get("guild_id").and_then(|g| {
            g.as_str()
                .and_then(|s| s.parse().ok())
                .or_else(|| g.as_u64())
        });
        self.shared.with(|state| {
            state.dispatch_value(event, guild, &d);
            state.note(transcript::raw_dispatch(event));
        });
    }

    // ---- observing: the transcript -----------------------------------------------

    /// Every transcript line so far, in the order the sandbox saw them: one
    /// readable line per actor action, per REST write of the bot (reads are
    /// left out), per world change made through the sandbox, per injected
    /// fault and per gateway milestone.
    ///
    /// ```text
    /// [gateway] shard 0 identified
    /// dave joined Herald Test
    /// herald-bot in #welcome: Welcome, dave!
    /// herald-bot gave dave the role Member
    /// alice in #general: !ping
    /// herald-bot in #general: pong
    /// herald-bot reacted ✅ to a message in #general
    /// herald-bot could not DM dave (DMs closed)
    /// herald-bot: POST /channels/#errors/messages failed: 403 Missing Permissions
    /// alice used /level
    /// herald-bot answered an interaction: You are level 3
    /// [fault] shard 0: op 7 RECONNECT
    /// [gateway] shard 0 disconnected
    /// [gateway] shard 0 resumed
    /// alice sent 100000 messages in #general (burst)
    /// [admin] created channel #plans in Herald Test
    /// alice created thread #ideas in #plans
    /// [automod] blocked bob's message in #general (rule "No spam", keyword spam)
    /// [discord] Herald Test is unavailable (outage)
    /// ```
    ///
    /// Channels appear as `#name`, users by name; long texts and embeds are
    /// cut. A [`burst`](Self::burst) is one line. See
    /// [`SandboxBuilder::print_transcript`] to print lines as they happen.
    pub fn transcript(&self) -> Vec<String> {
        self.shared.lock().transcript.lines().to_vec()
    }

    // ---- observing: REST -------------------------------------------------------

    /// Every REST request so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.clone()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        self.shared.with(|state| state.requests.clear());
    }

    /// Waits for a request matching `predicate` (already recorded ones
    /// count: the first match is returned).
    ///
    /// ```no_run
    /// # async fn f(sb: herald_sandbox::Sandbox) -> Result<(), herald_sandbox::SandboxError> {
    /// use std::time::Duration;
    /// let post = sb
    ///     .wait_for_request(|r| r.is("POST", "/channels/"), Duration::from_secs(2))
    ///     .await?;
    /// assert_eq!(post.body.unwrap()["content"], "Welcome!");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`SandboxError::Timeout`] listing the requests seen.
    pub async fn wait_for_request(
        &self,
        predicate: impl Fn(&RecordedRequest) -> bool,
        timeout: Duration,
    ) -> Result<RecordedRequest, SandboxError> {
        self.shared
            .wait_until(
                timeout,
                |state| describe_requests("a REST request matching the predicate", state),
                |state| state.requests.iter().find(|r| predicate(r)).cloned(),
            )
            .await
    }

    /// Waits until `n` requests match `predicate`; returns the first `n`.
    ///
    /// # Errors
    ///
    /// [`SandboxError::Timeout`] listing the requests seen.
    pub async fn wait_for_requests(
        &self,
        predicate: impl Fn(&RecordedRequest) -> bool,
        n: usize,
        timeout: Duration,
    ) -> Result<Vec<RecordedRequest>, SandboxError> {
        self.shared
            .wait_until(
                timeout,
                |state| {
                    describe_requests(&format!("{n} REST requests matching the predicate"), state)
                },
                |state| {
                    let found: Vec<_> = state
                        .requests
                        .iter()
                        .filter(|r| predicate(r))
                        .take(n)
                        .cloned()
                        .collect();
                    (found.len() == n).then_some(found)
                },
            )
            .await
    }

    /// Makes the next matching REST requests fail with `fault`.
    /// `method` is `"GET"`, `"POST"`, ... or `"*"`; `path_prefix` may
    /// include `/api/v10` or not: `("POST", "/channels/")`.
    pub fn rest_fault(&self, method: &str, path_prefix: &str, fault: RestFault) {
        self.add_rest_fault(
            RouteMatcher::Prefix {
                method: method.to_owned(),
                prefix: path_prefix.to_owned(),
            },
            fault,
        );
    }

    /// Like [`rest_fault`](Self::rest_fault) with a predicate on
    /// `(method, path)` (the path includes `/api/v10`).
    pub fn rest_fault_matching(
        &self,
        predicate: impl Fn(&str, &str) -> bool + Send + Sync + 'static,
        fault: RestFault,
    ) {
        self.add_rest_fault(RouteMatcher::Predicate(Arc::new(predicate)), fault);
    }

    fn add_rest_fault(&self, matcher: RouteMatcher, fault: RestFault) {
        let remaining = fault.times();
        if remaining == 0 {
            return;
        }
        self.shared.with(|state| {
            state.rest_faults.push(RestFaultRule {
                matcher,
                fault,
                remaining,
            });
        });
    }

    /// Removes every pending REST fault.
    pub fn clear_rest_faults(&self) {
        self.shared.with(|state| state.rest_faults.clear());
    }

    // ---- observing: messages -----------------------------------------------------

    /// The messages currently in `channel` (oldest first), the bot's
    /// included.
    pub fn messages(&self, channel: Id<ChannelMarker>) -> Vec<StoredMessage> {
        let state = self.shared.lock();
        state
            .world
            .messages
            .get(&channel.get())
            .map(|list| list.iter().map(stored).collect())
            .unwrap_or_default()
    }

    /// Waits for a message in `channel` matching `predicate` (existing ones
    /// count).
    ///
    /// # Errors
    ///
    /// [`SandboxError::Timeout`] listing the channel's last messages.
    pub async fn wait_for_message(
        &self,
        channel: Id<ChannelMarker>,
        predicate: impl Fn(&StoredMessage) -> bool,
        timeout: Duration,
    ) -> Result<StoredMessage, SandboxError> {
        let c = channel.get();
        self.shared
            .wait_until(
                timeout,
                |state| {
                    let last: Vec<String> = state
                        .world
                        .messages
                        .get(&c)
                        .map(|l| {
                            l.iter()
                                .rev()
                                .take(5)
                                .map(|m| format!("{:?} by {}", m.content, m.author_id))
                                .collect()
                        })
                        .unwrap_or_default();
                    format!(
                        "a message matching the predicate in channel {c}; last messages there \
                         (newest first): {last:?}"
                    )
                },
                |state| {
                    state
                        .world
                        .messages
                        .get(&c)?
                        .iter()
                        .map(stored)
                        .find(|m| predicate(m))
                },
            )
            .await
    }

    // ---- observing: gateway --------------------------------------------------------

    /// Every IDENTIFY so far (rejected and throttled ones included; see
    /// [`accepted_identifies`](Self::accepted_identifies)).
    pub fn identifies(&self) -> Vec<IdentifyRecord> {
        self.shared.lock().identifies.clone()
    }

    /// The IDENTIFYs that started a session (READY sent), in arrival
    /// order: neither rejected with a close code nor throttled. Their `at`
    /// is when each arrived, for identify pacing checks and benchmarks.
    pub fn accepted_identifies(&self) -> Vec<IdentifyRecord> {
        let state = self.shared.lock();
        state
            .identifies
            .iter()
            .filter(|i| i.accepted())
            .cloned()
            .collect()
    }

    /// `session_start_limit.remaining`: what `GET /gateway/bot` reports now
    /// (see [`SandboxBuilder::session_start_limit`]).
    pub fn session_start_remaining(&self) -> u32 {
        let config = &self.shared.config;
        self.shared
            .with(|state| state.session_start_limit(config).0)
    }

    /// The configured [`max_concurrency`](SandboxBuilder::max_concurrency).
    pub fn max_concurrency(&self) -> u32 {
        self.shared.config.max_concurrency
    }

    /// The configured [identify window](SandboxBuilder::identify_window).
    pub fn identify_window(&self) -> Duration {
        self.shared.config.identify_window
    }

    /// Whether identify concurrency is enforced (after
    /// [`max_concurrency`](SandboxBuilder::max_concurrency) or
    /// [`identify_window`](SandboxBuilder::identify_window)): clients must then pace their
    /// identifies, one per bucket per window.
    pub fn enforces_identify_concurrency(&self) -> bool {
        self.shared.config.enforce_concurrency
    }

    /// Every presence the bot set so far, per shard, in arrival order: each
    /// op 3 PRESENCE_UPDATE, and the `presence` of each accepted IDENTIFY
    /// that had one ([`PresenceRecord::from_identify`]).
    pub fn presences(&self) -> Vec<PresenceRecord> {
        self.shared.lock().presences.clone()
    }

    /// Waits for a presence matching `predicate` (already recorded ones
    /// count: the first match is returned).
    ///
    /// ```no_run
    /// # async fn f(sb: herald_sandbox::Sandbox) -> Result<(), herald_sandbox::SandboxError> {
    /// use std::time::Duration;
    /// let p = sb
    ///     .wait_for_presence(|p| p.shard == [2, 4], Duration::from_secs(2))
    ///     .await?;
    /// assert_eq!(p.activity_names(), ["with shards"]);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`SandboxError::Timeout`] listing the presences seen.
    pub async fn wait_for_presence(
        &self,
        predicate: impl Fn(&PresenceRecord) -> bool,
        timeout: Duration,
    ) -> Result<PresenceRecord, SandboxError> {
        self.shared
            .wait_until(
                timeout,
                |state| {
                    let seen: Vec<String> = state
                        .presences
                        .iter()
                        .map(|p| {
                            format!("shard {:?}: {} {:?}", p.shard, p.status, p.activity_names())
                        })
                        .collect();
                    format!("a presence matching the predicate; presences seen: {seen:?}")
                },
                |state| state.presences.iter().find(|p| predicate(p)).cloned(),
            )
            .await
    }

    /// Every RESUME so far (refused ones included).
    pub fn resumes(&self) -> Vec<ResumeRecord> {
        self.shared.lock().resumes.clone()
    }

    /// The heartbeats (op 1) clients sent, oldest first: the last 10,000.
    pub fn heartbeats(&self) -> Vec<HeartbeatRecord> {
        self.shared.lock().heartbeats.iter().cloned().collect()
    }

    /// Waits until shard `shard` has sent `n` heartbeats after `since`, and
    /// returns them: how a test checks that a bot keeps heartbeating.
    ///
    /// # Errors
    ///
    /// [`SandboxError::Timeout`] with the heartbeats seen.
    pub async fn wait_for_heartbeats(
        &self,
        shard: u32,
        n: usize,
        since: Instant,
        timeout: Duration,
    ) -> Result<Vec<HeartbeatRecord>, SandboxError> {
        let of_shard = move |state: &State| -> Vec<HeartbeatRecord> {
            state
                .heartbeats
                .iter()
                .filter(|h| h.at >= since && h.shard.is_some_and(|s| s[0] == shard))
                .cloned()
                .collect()
        };
        self.shared
            .wait_until(
                timeout,
                |state| {
                    format!(
                        "{n} heartbeats of shard {shard}; got {}",
                        of_shard(state).len()
                    )
                },
                |state| {
                    let beats = of_shard(state);
                    (beats.len() >= n).then_some(beats)
                },
            )
            .await
    }

    /// The close frames clients sent, in order: a bot that shuts down
    /// cleanly closes with 1000.
    pub fn client_closes(&self) -> Vec<ClientClose> {
        self.shared.lock().client_closes.clone()
    }

    /// Waits until shard `shard` sent a close frame, and returns it.
    ///
    /// # Errors
    ///
    /// [`SandboxError::Timeout`] with the close frames seen.
    pub async fn wait_for_client_close(
        &self,
        shard: u32,
        timeout: Duration,
    ) -> Result<ClientClose, SandboxError> {
        self.shared
            .wait_until(
                timeout,
                |state| {
                    format!(
                        "a close frame from shard {shard}; got {:?}",
                        state.client_closes
                    )
                },
                |state| {
                    state
                        .client_closes
                        .iter()
                        .find(|c| c.shard.is_some_and(|s| s[0] == shard))
                        .cloned()
                },
            )
            .await
    }

    /// The live, authenticated connections.
    pub fn connections(&self) -> Vec<ConnectionInfo> {
        connections(&self.shared.lock())
    }

    /// Waits until `shard` has a live, authenticated connection (READY or
    /// RESUMED written).
    ///
    /// # Errors
    ///
    /// [`SandboxError::Timeout`] describing the connections and identifies
    /// seen.
    pub async fn wait_for_connection(
        &self,
        shard: u32,
        timeout: Duration,
    ) -> Result<ConnectionInfo, SandboxError> {
        self.shared
            .wait_until(
                timeout,
                |state| {
                    format!(
                        "a live connection of shard {shard}; connections: {:?}; identifies \
                         (shard, rejected with, throttled): {:?}",
                        connections(state),
                        state
                            .identifies
                            .iter()
                            .rev()
                            .take(20)
                            .map(|i| (i.shard, i.rejected_with, i.throttled))
                            .collect::<Vec<_>>()
                    )
                },
                |state| {
                    connections(state)
                        .into_iter()
                        .rev()
                        .find(|c| c.shard[0] == shard)
                },
            )
            .await
    }

    /// Waits until `shard` has no live, authenticated connection (after a
    /// fault, before the client reconnects).
    ///
    /// # Errors
    ///
    /// [`SandboxError::Timeout`].
    pub async fn wait_for_disconnect(
        &self,
        shard: u32,
        timeout: Duration,
    ) -> Result<(), SandboxError> {
        self.shared
            .wait_until(
                timeout,
                |state| {
                    format!(
                        "shard {shard} to disconnect; connections: {:?}",
                        connections(state)
                    )
                },
                |state| (!connections(state).iter().any(|c| c.shard[0] == shard)).then_some(()),
            )
            .await
    }

    /// Waits until at least `n` IDENTIFYs arrived (rejected and throttled
    /// ones count).
    ///
    /// # Errors
    ///
    /// [`SandboxError::Timeout`].
    pub async fn wait_for_identifies(
        &self,
        n: usize,
        timeout: Duration,
    ) -> Result<Vec<IdentifyRecord>, SandboxError> {
        self.shared
            .wait_until(
                timeout,
                |state| format!("{n} identifies; got {}", state.identifies.len()),
                |state| (state.identifies.len() >= n).then(|| state.identifies.clone()),
            )
            .await
    }

    /// Waits until at least `n` RESUMEs arrived (refused ones count).
    ///
    /// # Errors
    ///
    /// [`SandboxError::Timeout`].
    pub async fn wait_for_resumes(
        &self,
        n: usize,
        timeout: Duration,
    ) -> Result<Vec<ResumeRecord>, SandboxError> {
        self.shared
            .wait_until(
                timeout,
                |state| format!("{n} resumes; got {:?}", state.resumes),
                |state| (state.resumes.len() >= n).then(|| state.resumes.clone()),
            )
            .await
    }

    // ---- faults -------------------------------------------------------------------

    /// Fault injection on the live connection of `shard`.
    pub fn shard(&self, shard: u32) -> ShardHandle {
        ShardHandle {
            shared: Arc::clone(&self.shared),
            shard,
        }
    }

    /// Injects `fault` right after dispatch number `seq` of `shard`'s
    /// session is written (READY is 1, each GUILD_CREATE one more).
    /// Deterministic: "drop TCP after the 5,000th message of a burst".
    /// Applies once, to the first session of that shard reaching `seq`.
    ///
    /// # Errors
    ///
    /// [`SandboxError::InvalidCloseCode`] for an unsendable close code.
    pub fn schedule_fault_at_seq(
        &self,
        shard: u32,
        seq: u64,
        fault: Fault,
    ) -> Result<(), SandboxError> {
        if let Fault::Close(code) = fault {
            validate_close_code(code)?;
        }
        self.shared
            .with(|state| state.scheduled.push((shard, seq, fault)));
        Ok(())
    }
}

fn stored(m: &MessageRec) -> StoredMessage {
    StoredMessage {
        id: Id::new(m.id),
        channel_id: Id::new(m.channel_id),
        guild_id: m.guild_id.map(Id::new),
        author_id: Id::new(m.author_id),
        content: m.content.clone(),
        embeds: m.embeds.clone(),
        components: m.components.clone(),
        edited: m.edited_timestamp.is_some(),
        reactions: m
            .reactions
            .iter()
            .map(|(e, users)| (e.clone(), users.iter().map(|u| Id::new(*u)).collect()))
            .collect(),
    }
}

fn connections(state: &State) -> Vec<ConnectionInfo> {
    state
        .sessions
        .iter()
        .filter(|s| s.alive && s.conn.is_some())
        .map(|s| ConnectionInfo {
            shard: s.shard,
            session_id: s.id.clone(),
            intents: s.intents,
            seq: s.seq,
        })
        .collect()
}

fn describe_requests(what: &str, state: &State) -> String {
    let seen: Vec<String> = state
        .requests
        .iter()
        .rev()
        .take(10)
        .map(|r| format!("{} {} -> {}", r.method, r.path, r.status))
        .collect();
    format!(
        "{what}; {} requests recorded, the last ones (newest first): {seen:?}",
        state.requests.len()
    )
}
