//! Members on demand: disnake's `await guild.chunk()` and `guild.query_members(..)`, through the
//! gateway's member request (op 8) and its GUILD_MEMBERS_CHUNKs.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::StreamExt as _;
use twilight_model::gateway::payload::incoming::MemberChunk;
use twilight_model::gateway::payload::outgoing::RequestGuildMembers;
use twilight_model::gateway::presence::Presence;
use twilight_model::guild::Member;
use twilight_model::id::Id;
use twilight_model::id::marker::{GuildMarker, UserMarker};

use super::Context;
use crate::Error;

/// How long a member request waits for its last chunk by default.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Nonces of member requests, unique in the process.
static NONCE: AtomicU64 = AtomicU64::new(0);

impl Context {
    /// Asks Discord for a guild's members (gateway op 8, on the guild's shard) and resolves
    /// when every chunk of the answer arrived: all of them by default (disnake's
    /// `await guild.chunk()`; needs the GUILD_MEMBERS intent), or those whose name starts with a
    /// [`query`](RequestMembers::query), or [`by id`](RequestMembers::user_ids). The chunks fill
    /// the cache as they arrive (member events' `before` then knows members who were there
    /// before the bot started), and reach [`MemberChunk`] listeners.
    ///
    /// ```no_run
    /// # use herald_framework::prelude::*;
    /// # async fn f(ctx: Context, guild: herald_framework::model::id::Id<herald_framework::model::id::marker::GuildMarker>) -> Result<(), herald_framework::Error> {
    /// let members = ctx.request_members(guild).await?;
    /// let alices = ctx.request_members(guild).query("ali", 10).await?;
    /// # Ok(()) }
    /// ```
    pub fn request_members(&self, guild: Id<GuildMarker>) -> RequestMembers {
        RequestMembers {
            ctx: self.clone(),
            guild,
            query: None,
            user_ids: Vec::new(),
            presences: false,
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

/// A member request: [`Context::request_members`]. Await it.
#[must_use = "a member request does nothing until it is awaited"]
pub struct RequestMembers {
    ctx: Context,
    guild: Id<GuildMarker>,
    query: Option<(String, u64)>,
    user_ids: Vec<Id<UserMarker>>,
    presences: bool,
    timeout: Duration,
}

/// What a member request got.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Members {
    /// The members, in the order the chunks brought them.
    pub members: Vec<Member>,
    /// Their presences, when asked for with [`presences`](RequestMembers::presences).
    pub presences: Vec<Presence>,
    /// Ids asked for with [`user_ids`](RequestMembers::user_ids) that are not members.
    pub not_found: Vec<Id<UserMarker>>,
}

impl RequestMembers {
    /// Only members whose username starts with `prefix`, at most `limit` (0: no limit; an empty
    /// prefix with no limit asks for everyone, which needs the GUILD_MEMBERS intent).
    pub fn query(mut self, prefix: impl Into<String>, limit: u64) -> Self {
        self.query = Some((prefix.into(), limit));
        self
    }

    /// Only these users (up to 100), without the GUILD_MEMBERS intent; the ones that are not
    /// members are in [`Members::not_found`].
    pub fn user_ids(mut self, ids: impl IntoIterator<Item = Id<UserMarker>>) -> Self {
        self.user_ids = ids.into_iter().collect();
        self
    }

    /// With their presences too (needs the GUILD_PRESENCES intent).
    pub fn presences(mut self, presences: bool) -> Self {
        self.presences = presences;
        self
    }

    /// Gives up after `timeout` (default 30 s) with [`Error::Timeout`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    async fn run(self) -> Result<Members, Error> {
        let nonce = format!("herald-{}", NONCE.fetch_add(1, Ordering::Relaxed));
        // The guild's shard, as Discord routes it.
        let shard = self
            .ctx
            .shard_id_of(self.guild)
            .and_then(|id| self.ctx.shard(id))
            .ok_or(Error::Closed("MemberChunk"))?;
        // Subscribed before the request goes out: no chunk can be missed.
        let wanted = nonce.clone();
        let mut chunks = self
            .ctx
            .stream::<MemberChunk>()
            .on(self.guild)
            .check(move |chunk| chunk.nonce.as_deref() == Some(wanted.as_str()))
            .register();
        let request = RequestGuildMembers::builder(self.guild)
            .nonce(nonce)
            .presences(self.presences);
        let request = if self.user_ids.is_empty() {
            let (query, limit) = self.query.unwrap_or_default();
            request.query(query, Some(limit))
        } else {
            request
                .user_ids(self.user_ids)
                .map_err(|error| Error::Config(format!("a member request by ids: {error}")))?
        };
        shard.command(&request)?;

        let mut got = Members::default();
        let mut received = 0;
        let collect = async {
            while let Some(chunk) = chunks.next().await {
                got.members.extend(chunk.members.iter().cloned());
                got.presences.extend(chunk.presences.iter().cloned());
                got.not_found.extend(chunk.not_found.iter().copied());
                received += 1;
                if received >= chunk.chunk_count {
                    return Ok(());
                }
            }
            Err(Error::Closed("MemberChunk"))
        };
        match tokio::time::timeout(self.timeout, collect).await {
            Ok(Ok(())) => Ok(got),
            Ok(Err(error)) => Err(error),
            Err(_) => Err(Error::Timeout(self.timeout, "MemberChunk")),
        }
    }
}

impl IntoFuture for RequestMembers {
    type Output = Result<Members, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<Members, Error>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}
