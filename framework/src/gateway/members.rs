//! How a big guild's members reach the cache without holding the guild twice.
//!
//! twilight's cache clones a GUILD_CREATE whole, members included, before taking it apart: with
//! 50,000 members that is the parsed guild, its clone and the cache at once. herald gives the
//! cache the guild without its members, then the members a chunk at a time. When no one listens
//! to the guild's arrival (`GuildAvailable`, `GuildJoin`), each chunk is moved out of the event and
//! freed once cached, so the event shrinks while the cache grows.

use std::mem;

use twilight_cache_inmemory::{InMemoryCache, ResourceType};
use twilight_model::gateway::event::Event as Frame;
use twilight_model::gateway::payload::incoming::{GuildCreate, MemberChunk};
use twilight_model::guild::Member;
use twilight_model::id::Id;
use twilight_model::id::marker::GuildMarker;

use crate::context::Context;
use crate::event::guild::{GuildAvailable, GuildJoin};

/// Members handed to the cache at once.
const CHUNK: usize = 1000;

/// Updates the cache from `event`, a big GUILD_CREATE's members a chunk at a time. The event keeps
/// its members only when someone will be handed the guild.
pub(super) fn update_cache(ctx: &Context, cache: &InMemoryCache, event: &mut Frame) {
    let Frame::GuildCreate(create) = event else {
        return cache.update(event);
    };
    let GuildCreate::Available(guild) = &mut **create else {
        return cache.update(event);
    };
    if guild.members.len() <= CHUNK
        || !cache
            .config()
            .resource_types()
            .contains(ResourceType::MEMBER)
    {
        return cache.update(event);
    }
    let (id, members) = (guild.id, mem::take(&mut guild.members));
    cache.update(event);
    let router = ctx.router();
    if router.wants::<GuildAvailable>() || router.wants::<GuildJoin>() {
        for chunk in members.chunks(CHUNK) {
            cache.update(&chunk_of(id, chunk.to_vec()));
        }
        if let Frame::GuildCreate(create) = event
            && let GuildCreate::Available(guild) = &mut **create
        {
            guild.members = members;
        }
    } else {
        move_into(cache, id, members);
    }
}

/// Caches `members` from the end, freeing each chunk once cached and giving back the room the
/// cached ones took.
fn move_into(cache: &InMemoryCache, guild: Id<GuildMarker>, mut members: Vec<Member>) {
    while !members.is_empty() {
        let chunk = members.split_off(members.len().saturating_sub(CHUNK));
        cache.update(&chunk_of(guild, chunk));
        if members.capacity() >= 2 * members.len() + CHUNK {
            members.shrink_to_fit();
        }
    }
}

fn chunk_of(guild_id: Id<GuildMarker>, members: Vec<Member>) -> MemberChunk {
    MemberChunk {
        chunk_count: 1,
        chunk_index: 0,
        guild_id,
        members,
        nonce: None,
        not_found: Vec::new(),
        presences: Vec::new(),
    }
}
