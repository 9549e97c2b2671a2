//! The sandbox handle: start it, point twilight at it, look up the world,
//! and reach its views: [`Actor`]s, [`Admin`], [`Records`], [`Faults`].

use std::{net::SocketAddr, sync::Arc, time::Duration};

use tokio::{net::TcpListener, task::JoinHandle};
use twilight_model::{
    gateway::Intents,
    id::{
        Id,
        marker::{
            ApplicationMarker, ChannelMarker, EmojiMarker, GuildMarker, RoleMarker, UserMarker,
        },
    },
};

use crate::{
    core::{
        actor::Actor,
        admin::Admin,
        dispatch::PRIVILEGED,
        inject::{Faults, ShardHandle},
        observe::Records,
        state::{Config, SESSION_START_PERIOD, Shared},
        world::World,
    },
    error::SandboxError,
    features,
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
    address: SocketAddr,
    record_limit: usize,
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
            address: SocketAddr::from(([127, 0, 0, 1], 0)),
            record_limit: Sandbox::DEFAULT_RETENTION,
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
    /// [`IdentifyRecord::throttled`](crate::IdentifyRecord::throttled) set; the client
    /// identifies again later.
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

    /// How many records of each kind the sandbox keeps: transcript lines,
    /// REST requests, identifies, resumes, presence updates, client closes
    /// (default [`Sandbox::DEFAULT_RETENTION`]). The newest are kept and the
    /// older dropped and counted ([`Sandbox::transcript_dropped`],
    /// [`Records::dropped_requests`]), so a sandbox that runs for days keeps
    /// flat memory.
    pub fn record_limit(mut self, records: usize) -> Self {
        self.record_limit = records.max(1);
        self
    }

    /// The address to listen on (default `127.0.0.1:0`: a free port on
    /// loopback). REST, the gateway and the control API share the port.
    pub fn address(mut self, address: SocketAddr) -> Self {
        self.address = address;
        self
    }

    /// Binds the port ([`address`](Self::address), a free one on
    /// 127.0.0.1 by default) and starts serving REST and the gateway on it.
    /// Must run inside a Tokio runtime.
    ///
    /// # Errors
    ///
    /// [`SandboxError::Io`] if the port cannot be bound.
    pub async fn start(self) -> Result<Sandbox, SandboxError> {
        let listener =
            TcpListener::bind(self.address)
                .await
                .map_err(|source| SandboxError::Io {
                    context: format!("binding {}", self.address),
                    source,
                })?;
        let http_addr = listener.local_addr().map_err(|source| SandboxError::Io {
            context: format!("reading the address bound for {}", self.address),
            source,
        })?;
        let config = Config {
            token: self.token,
            heartbeat_interval: self.heartbeat_interval,
            allowed_privileged: self.allowed_privileged,
            gateway_url: format!("ws://{http_addr}"),
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
            record_limit: self.record_limit,
        };
        let mut world = self.world.unwrap_or_else(World::demo);
        world.message_history = self.message_history;
        let shared = Arc::new(Shared::new(config, world));
        let tasks = vec![tokio::spawn(crate::core::rest::serve(
            listener,
            Arc::clone(&shared),
            features::ROUTES,
            features::GATEWAY_HOOKS,
            crate::core::rest::Extra {
                prefix: crate::control::PREFIX,
                handle: crate::control::handle,
            },
        ))];
        tracing::debug!(address = %http_addr, "sandbox started");
        Ok(Sandbox {
            _servers: Some(Arc::new(Servers {
                shared: Arc::clone(&shared),
                tasks,
            })),
            shared,
        })
    }
}

/// A local Discord on loopback.
///
/// The handle connects clients ([`gateway_url`](Self::gateway_url),
/// [`http_proxy`](Self::http_proxy), [`token`](Self::token)), looks up the
/// world by name ([`channel`](Self::channel), [`user`](Self::user), ...),
/// plays users ([`actor`](Self::actor)), reaches shards
/// ([`shard`](Self::shard)) and the [`transcript`](Self::transcript), and
/// hands out three views: [`admin`](Self::admin) (world changes as Discord
/// or a guild admin makes them), [`records`](Self::records) (what the
/// sandbox saw) and [`faults`](Self::faults) (REST faults and faults at a
/// sequence number).
///
/// A cheap handle: cloning it shares the same servers and world (two
/// `Arc`s), and it is `Send + Sync + 'static`, so tests can hand clones to
/// spawned tasks. Dropping the last clone stops the server and closes
/// every connection (views, [`Actor`]s and [`ShardHandle`]s do not keep them
/// running).
///
/// See the [crate documentation](crate) for an example.
#[derive(Clone, Debug)]
pub struct Sandbox {
    pub(crate) shared: Arc<Shared>,
    /// `None` in a view the servers use for themselves (the control API),
    /// which must not keep them running.
    _servers: Option<Arc<Servers>>,
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
    /// A handle on `shared` that does not keep the servers running.
    pub(crate) fn view(shared: Arc<Shared>) -> Self {
        Self {
            shared,
            _servers: None,
        }
    }

    /// Puts the sandbox back as it started: the world it started with,
    /// no records, an empty transcript (but for a line saying so), no
    /// pending faults. Every session ends (op 9, not resumable), so
    /// connected bots identify again and get the world afresh.
    pub fn reset(&self) {
        self.shared.with(|state| state.reset(&self.shared.initial));
    }

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

    /// `user`'s permissions in `channel` now, as Discord computes them (see
    /// [`World::permissions_in`]): what the bot's REST calls are checked
    /// against.
    pub fn permissions_in(
        &self,
        user: Id<UserMarker>,
        channel: Id<ChannelMarker>,
    ) -> twilight_model::guild::Permissions {
        self.shared.lock().world.permissions_in(user, channel)
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

    // ---- acting ----------------------------------------------------------------

    /// An actor playing the user named `name`.
    ///
    /// # Panics
    ///
    /// If there is no such user; the message lists the world's users.
    #[track_caller]
    pub fn actor(&self, name: &str) -> Actor {
        let user = self.user(name);
        Actor::new(Arc::clone(&self.shared), user.get(), name)
    }

    /// Alias of [`actor`](Self::actor).
    #[track_caller]
    pub fn user_actor(&self, name: &str) -> Actor {
        self.actor(name)
    }

    // ---- views ------------------------------------------------------------------

    /// World changes as Discord or a guild admin makes them:
    /// `sb.admin().create_channel(guild, "plans")`.
    pub fn admin(&self) -> Admin {
        Admin::new(Arc::clone(&self.shared))
    }

    /// What the bot did and what the sandbox saw: messages, REST requests,
    /// identifies, resumes, presences, heartbeats, close frames,
    /// connections, and waits on each: `sb.records().identifies()`.
    pub fn records(&self) -> Records {
        Records::new(Arc::clone(&self.shared))
    }

    /// REST faults and gateway faults scheduled at a sequence number:
    /// `sb.faults().rest("POST", "/channels/", fault)`. Faults on a shard's
    /// live connection right now: [`shard`](Self::shard).
    pub fn faults(&self) -> Faults {
        Faults::new(Arc::clone(&self.shared))
    }

    // ---- gateway ------------------------------------------------------------------

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

    /// Fault injection on the live connection of `shard`.
    pub fn shard(&self, shard: u32) -> ShardHandle {
        ShardHandle {
            shared: Arc::clone(&self.shared),
            shard,
        }
    }

    // ---- the transcript -----------------------------------------------------------

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
    /// cut. A [`burst`](Actor::burst) is one line. See
    /// [`SandboxBuilder::print_transcript`] to print lines as they happen.
    pub fn transcript(&self) -> Vec<String> {
        self.shared.lock().transcript.lines().to_vec()
    }

    /// The callback the bot answered `interaction` with: the body of its
    /// accepted `POST /interactions/{id}/{token}/callback` (`{"type": 8,
    /// "data": {"choices": [...]}}` for an autocomplete), whatever its type;
    /// `None` before an accepted answer.
    pub fn interaction_response(
        &self,
        interaction: &crate::SentInteraction,
    ) -> Option<serde_json::Value> {
        self.interaction_response_by_token(&interaction.token)
    }

    /// [`interaction_response`](Self::interaction_response) by the
    /// interaction's token (the control API's `GET /_sandbox/interaction`).
    pub(crate) fn interaction_response_by_token(&self, token: &str) -> Option<serde_json::Value> {
        crate::features::interactions::response(&mut self.shared.lock(), token)
    }

    /// Makes every interaction started so far `by` older, as if that much
    /// time had passed since it was created, so that tests check Discord's
    /// clock without waiting: a callback more than 3 s after its
    /// interaction is refused (404, code 10062 Unknown interaction); the
    /// token's followups, reads, edits and deletes more than 15 minutes
    /// after it are refused (401, code 50027 Invalid Webhook Token).
    /// Interactions started later are not affected. Writes a transcript
    /// line (`[sandbox] interactions aged by 4.0 s`).
    pub fn age_interactions(&self, by: Duration) {
        self.shared
            .with(|state| crate::features::interactions::age(state, by));
    }

    /// How many transcript lines were dropped to stay within
    /// [`SandboxBuilder::record_limit`] (the oldest go first).
    pub fn transcript_dropped(&self) -> u64 {
        self.shared.lock().transcript.lines().dropped()
    }
}
