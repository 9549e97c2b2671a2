//! The [`Context`]: the cheap-to-clone handle every listener gets.

pub(crate) mod answers;
mod components;
mod connection;
mod members;
pub(crate) mod params;
mod permissions;
pub use members::{Members, RequestMembers};
pub(crate) mod shard;
mod wait;

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use twilight_model::id::Id;
use twilight_model::id::marker::{ChannelMarker, GuildMarker, RoleMarker};
use twilight_model::user::CurrentUser;
pub use wait::{EventStream, StreamBuilder, WaitFor, Waiter};

use crate::cache::Cache;
use crate::event::Event;
use crate::intents::IntentReport;
use crate::listener::{IntoListener, ListenerId};
use crate::router::Host;
pub(crate) use connection::Connection;
use params::GatewayParams;
use shard::ShardHandle;

/// The router, handing listeners a [`Context`].
pub(crate) type Router = crate::router::Router<Context>;

/// The handle a listener gets: dispatch custom events, wait for events, add and remove listeners.
///
/// Cloning is an `Arc` increment; every clone talks to the same bot.
#[derive(Clone)]
pub struct Context {
    shared: Arc<Shared>,
}

/// What every clone of a [`Context`] shares.
pub(crate) struct Shared {
    pub(crate) router: Router,
    pub(crate) cache: Arc<Cache>,
    /// Set when the bot starts (the target, Discord or a sandbox, is known then).
    pub(crate) http: OnceLock<Arc<twilight_http::Client>>,
    pub(crate) connection: OnceLock<Connection>,
    #[cfg(feature = "sandbox")]
    pub(crate) sandbox: OnceLock<herald_sandbox::Sandbox>,
    /// The bot's own state, by type (`BotBuilder::data`).
    pub(crate) data: HashMap<TypeId, Arc<dyn Any + Send + Sync>>,
    /// Declared commands' answers (auto-defer) and the bot's owners.
    pub(crate) answers: answers::Answers,
}

impl Context {
    pub(crate) fn new(shared: Shared) -> Self {
        Context {
            shared: Arc::new(shared),
        }
    }

    pub(crate) fn router(&self) -> &Router {
        &self.shared.router
    }

    pub(crate) fn shared(&self) -> &Shared {
        &self.shared
    }

    /// The connection, once the bot has started.
    pub(crate) fn connection(&self) -> Option<&Connection> {
        self.shared.connection.get()
    }

    /// The bot's state of type `T`, given to the builder with
    /// [`BotBuilder::data`](crate::BotBuilder::data): a database pool, settings, counters
    /// (serenity's `ctx.data`, typed).
    ///
    /// ```
    /// use herald_framework::prelude::*;
    /// use std::sync::atomic::{AtomicU64, Ordering};
    ///
    /// #[derive(Default)]
    /// struct Stats { messages: AtomicU64 }
    ///
    /// async fn count(ctx: Context, _msg: &herald_framework::event::gateway::MessageCreate) {
    ///     ctx.data::<Stats>().messages.fetch_add(1, Ordering::Relaxed);
    /// }
    ///
    /// let bot = Bot::builder().data(Stats::default()).listener(count).build().unwrap();
    /// assert_eq!(bot.context().data::<Stats>().messages.load(Ordering::Relaxed), 0);
    /// ```
    ///
    /// # Panics
    /// When no `T` was given to the builder; [`try_data`](Self::try_data) returns `None` instead.
    #[track_caller]
    pub fn data<T: Any + Send + Sync>(&self) -> &T {
        self.try_data().unwrap_or_else(|| {
            panic!(
                "no `{}` in the bot's data: give it to the builder with `.data(..)`",
                std::any::type_name::<T>()
            )
        })
    }

    /// The bot's state of type `T`, shared, if the builder was given one.
    pub(crate) fn data_arc<T: Any + Send + Sync>(&self) -> Option<Arc<T>> {
        let value = Arc::clone(self.shared.data.get(&TypeId::of::<T>())?);
        value.downcast().ok()
    }

    /// The bot's state of type `T`, if the builder was given one
    /// ([`BotBuilder::data`](crate::BotBuilder::data)).
    pub fn try_data<T: Any + Send + Sync>(&self) -> Option<&T> {
        self.shared
            .data
            .get(&TypeId::of::<T>())
            .and_then(|value| value.downcast_ref())
    }

    /// The guild's channel named `name`, from the cache: disnake's
    /// `disnake.utils.get(guild.channels, name=...)`. `None` when the guild or such a channel is
    /// not cached (the cache keeps channels by default, from the `GUILDS` intent).
    pub fn channel_named(&self, guild: Id<GuildMarker>, name: &str) -> Option<Id<ChannelMarker>> {
        let cache = self.cache();
        cache.guild_channels(guild)?.iter().copied().find(|id| {
            cache
                .channel(*id)
                .is_some_and(|channel| channel.name.as_deref() == Some(name))
        })
    }

    /// The guild's role named `name`, from the cache (like [`channel_named`](Self::channel_named)).
    pub fn role_named(&self, guild: Id<GuildMarker>, name: &str) -> Option<Id<RoleMarker>> {
        let cache = self.cache();
        cache
            .guild_roles(guild)?
            .iter()
            .copied()
            .find(|id| cache.role(*id).is_some_and(|role| role.name == name))
    }

    /// The twilight-http client, authenticated as the bot, pointed at Discord (or at the
    /// sandbox).
    ///
    /// # Panics
    /// Before the bot has started ([`Bot::start`](crate::Bot::start) or
    /// [`Bot::run`](crate::Bot::run)): listeners only run after that, so in a listener it never
    /// panics.
    #[track_caller]
    pub fn http(&self) -> &twilight_http::Client {
        self.shared.http.get().expect(
            "ctx.http() is available once the bot has started (Bot::start or Bot::run); \
             listeners only run after that",
        )
    }

    /// The cache, updated from every gateway event before listeners see it: twilight-cache-inmemory
    /// (through `Deref`), with the messages in herald's own store ([`Cache`]).
    pub fn cache(&self) -> &Cache {
        &self.shared.cache
    }

    /// The bot's own user, once a shard's READY arrived.
    pub fn current_user(&self) -> Option<CurrentUser> {
        let gateway = self.connection()?;
        gateway
            .current_user
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The bot's shards (empty before it starts).
    pub fn shards(&self) -> &[Arc<ShardHandle>] {
        self.connection().map_or(&[], |g| &g.shards)
    }

    /// One shard, by number.
    pub fn shard(&self, id: u32) -> Option<&ShardHandle> {
        self.shards()
            .iter()
            .find(|s| s.id().number() == id)
            .map(|s| &**s)
    }

    /// Each shard's gateway session now (shards without one yet are left out): what a new process
    /// needs to resume them instead of identifying, with
    /// [`BotBuilder::resume`](crate::BotBuilder::resume). Taken after a
    /// [`handover`](Self::handover), they resume right after the last event this bot handled.
    pub fn sessions(&self) -> Vec<shard::ShardSession> {
        self.shards().iter().filter_map(|s| s.session()).collect()
    }

    /// Shuts the bot down like [`shutdown`](Self::shutdown), but every shard closes so that
    /// Discord keeps its session (close code 4000, not 1000): a new process started with
    /// [`sessions`](Self::sessions) resumes them, and Discord replays what was sent in between.
    /// For deploys; see [`BotBuilder::sessions_file`](crate::BotBuilder::sessions_file).
    pub fn handover(&self) {
        for shard in self.shards() {
            shard.keep_session();
        }
        self.shutdown();
    }

    /// The gateway parameters `GET /gateway/bot` answered at start-up, with the shards this
    /// process runs (disnake's `GatewayParams`).
    pub fn gateway_params(&self) -> Option<&GatewayParams> {
        self.connection().map(|g| &g.params)
    }

    /// The shard that receives `guild`'s events: `(guild_id >> 22) % shard_count` (disnake's
    /// `guild.shard_id`). `None` before the bot has started.
    pub fn shard_id_of(&self, guild: Id<GuildMarker>) -> Option<u32> {
        let total = u64::from(self.gateway_params()?.shard_count.max(1));
        u32::try_from((guild.get() >> 22) % total).ok()
    }

    /// Sets the presence of every shard of this process (disnake's `change_presence`); see
    /// [`ShardHandle::set_presence`] for one shard.
    ///
    /// # Errors
    /// When a shard has shut down.
    pub fn set_presence(
        &self,
        presence: twilight_model::gateway::payload::outgoing::update_presence::UpdatePresencePayload,
    ) -> Result<(), crate::Error> {
        self.shards()
            .iter()
            .try_for_each(|shard| shard.set_presence(presence.clone()))
    }

    /// The average heartbeat latency across shards (disnake's `bot.latency`), once measured.
    pub fn latency(&self) -> Option<Duration> {
        let latencies: Vec<Duration> = self
            .shards()
            .iter()
            .filter_map(|s| s.status().average_latency)
            .collect();
        let count = u32::try_from(latencies.len()).ok().filter(|n| *n > 0)?;
        Some(latencies.iter().sum::<Duration>() / count)
    }

    /// Asks the bot to shut down. Pending waiters and streams end first ([`Error::Closed`], also
    /// for those made from now on), so listeners waiting on them can finish; every shard closes
    /// its connection (close code 1000); running listener calls get up to the
    /// [shutdown timeout](crate::BotBuilder::shutdown_timeout) to finish; then `run()` returns.
    ///
    /// [`Error::Closed`]: crate::Error::Closed
    pub fn shutdown(&self) {
        self.close_waiters();
        if let Some(connection) = self.connection() {
            connection.shutdown.send_replace(true);
        }
    }

    /// Dispatches an event to its listeners and waiters, as if it came from the gateway: disnake's
    /// `bot.dispatch`. Returns at once; listeners run in their own tasks.
    ///
    /// Must be called inside the bot's tokio runtime.
    ///
    /// ```
    /// use herald_framework::prelude::*;
    ///
    /// struct LevelUp { level: u32 }
    /// impl Event for LevelUp { const NAME: &'static str = "level_up"; }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let bot = Bot::builder().build().unwrap();
    /// let ctx = bot.context().clone();
    /// let next = ctx.wait_for::<LevelUp>().register();
    /// ctx.dispatch(LevelUp { level: 2 });
    /// assert_eq!(next.await.unwrap().level, 2);
    /// # }
    /// ```
    pub fn dispatch<E: Event>(&self, event: E) {
        self.dispatch_shared(Arc::new(event));
    }

    /// [`dispatch`](Self::dispatch) for an event already in an `Arc`.
    pub fn dispatch_shared<E: Event>(&self, event: Arc<E>) {
        self.shared.router.dispatch(self, event);
    }

    /// Waits for the next `E`: a future resolving to the event, `Error::Timeout` or
    /// `Error::Closed`. Narrow it with [`on`](WaitFor::on) (a key, matched in constant time) and
    /// [`check`](WaitFor::check); bound it with [`timeout`](WaitFor::timeout).
    ///
    /// The waiter is registered when the future is first polled (or by
    /// [`register`](WaitFor::register)) and removed as soon as it resolves, times out or is
    /// dropped.
    pub fn wait_for<E: Event>(&self) -> WaitFor<E> {
        WaitFor::new(self.clone())
    }

    /// A stream of every matching `E`, for collecting many: see [`StreamBuilder`].
    pub fn stream<E: Event>(&self) -> StreamBuilder<E> {
        StreamBuilder::new(self.clone())
    }

    /// Adds a listener while the bot runs (disnake's `add_listener`). Events dispatched after this
    /// returns reach it.
    pub fn add_listener<M>(&self, listener: impl IntoListener<M>) -> ListenerId {
        let listener = listener.into_listener();
        for needed in &listener.requires {
            if !self.shared.data.contains_key(&needed.type_id) {
                tracing::error!(
                    "listener `{}` takes `Data<{}>`, but the bot was given no `{}`: each of its \
                     calls will fail",
                    listener.meta.name,
                    needed.type_name(),
                    needed.type_name()
                );
            }
        }
        if let Some(gateway) = self.connection() {
            let report = IntentReport::new(&[listener.meta.intents()], gateway.intents);
            for missing in report.missing {
                tracing::warn!(
                    "{missing}, and the running bot did not request it: it will never fire"
                );
            }
        }
        ListenerId(self.shared.router.add(listener.meta, listener.install))
    }

    /// Removes a listener added by [`add_listener`](Self::add_listener) or at build time; whether
    /// it was registered. Calls already running finish.
    pub fn remove_listener(&self, id: ListenerId) -> bool {
        self.shared.router.remove(id.0)
    }

    /// The registered listeners: name, event and load of each, in registration order. A
    /// listener whose calls pile up shows it here (`waiting`, `dropped`), and in a warning.
    pub fn listeners(&self) -> Vec<ListenerInfo> {
        use std::sync::atomic::Ordering::Relaxed;
        self.shared
            .router
            .loads()
            .into_iter()
            .map(|(_, meta, load)| ListenerInfo {
                name: meta.name,
                event: meta.event_name,
                running: load.running.load(Relaxed),
                waiting: load.waiting.load(Relaxed),
                dropped: load.dropped.load(Relaxed),
            })
            .collect()
    }

    /// How many listeners are registered.
    pub fn listener_count(&self) -> usize {
        self.shared.router.listener_count()
    }

    /// How many waiters (`wait_for`s and streams) are pending.
    pub fn pending_waiters(&self) -> usize {
        self.shared.router.waiters.len()
    }

    /// Ends every waiter and stream, and those made later (shutdown).
    pub(crate) fn close_waiters(&self) {
        self.shared.router.waiters.close_all();
    }

    /// The sandbox the bot runs on, if it does.
    #[cfg(feature = "sandbox")]
    pub(crate) fn sandbox_handle(&self) -> Option<&herald_sandbox::Sandbox> {
        self.shared.sandbox.get()
    }
}

impl Host for Context {
    fn router(&self) -> &Router {
        &self.shared.router
    }
}

/// A registered listener, as [`Context::listeners`] lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListenerInfo {
    /// The listener's name.
    pub name: Arc<str>,
    /// The name of its event.
    pub event: &'static str,
    /// Its calls running now. At most `max_running_listeners` (1 for a `sequential` listener).
    pub running: usize,
    /// Its calls waiting for one of those to finish.
    pub waiting: usize,
    /// Its calls dropped since the bot started, because `max_waiting_calls` were waiting
    /// already.
    pub dropped: u64,
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("listeners", &self.listener_count())
            .field("pending_waiters", &self.pending_waiters())
            .finish_non_exhaustive()
    }
}
