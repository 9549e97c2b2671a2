//! Which gateway events to deserialise: herald asks twilight to parse only the event types that
//! some listener, waiter or the cache needs (`EventTypeFlags`); the rest are skipped after a text
//! search for their name.

use std::any::TypeId;

use twilight_cache_inmemory::ResourceType;
use twilight_gateway::EventTypeFlags;

use crate::event::raw::GatewayDispatch;

/// Always parsed: what the runtime itself acts on (lifecycle, readiness, guild tracking).
pub(crate) const RUNTIME: EventTypeFlags = EventTypeFlags::READY
    .union(EventTypeFlags::RESUMED)
    .union(EventTypeFlags::GATEWAY_HELLO)
    .union(EventTypeFlags::GATEWAY_RECONNECT)
    .union(EventTypeFlags::GATEWAY_INVALIDATE_SESSION)
    .union(EventTypeFlags::GUILD_CREATE)
    .union(EventTypeFlags::GUILD_DELETE)
    .union(EventTypeFlags::USER_UPDATE);

/// The gateway events an event type is made from (its catalog entry); empty for events that do
/// not come from the gateway (custom and lifecycle events).
pub(crate) fn of(event: TypeId) -> EventTypeFlags {
    crate::event::catalog::entry_of(event).map_or(EventTypeFlags::empty(), |entry| entry.gateway)
}

/// The gateway events that keep the given cache resources up to date.
pub(crate) fn for_cache(resources: ResourceType) -> EventTypeFlags {
    let table = [
        (
            ResourceType::GUILD,
            EventTypeFlags::GUILD_CREATE
                | EventTypeFlags::GUILD_UPDATE
                | EventTypeFlags::GUILD_DELETE
                | EventTypeFlags::UNAVAILABLE_GUILD,
        ),
        (
            ResourceType::CHANNEL,
            EventTypeFlags::CHANNEL_CREATE
                | EventTypeFlags::CHANNEL_UPDATE
                | EventTypeFlags::CHANNEL_DELETE
                | EventTypeFlags::CHANNEL_PINS_UPDATE
                | EventTypeFlags::THREAD_CREATE
                | EventTypeFlags::THREAD_UPDATE
                | EventTypeFlags::THREAD_DELETE
                | EventTypeFlags::THREAD_LIST_SYNC,
        ),
        (
            ResourceType::ROLE,
            EventTypeFlags::ROLE_CREATE | EventTypeFlags::ROLE_UPDATE | EventTypeFlags::ROLE_DELETE,
        ),
        (
            ResourceType::MEMBER,
            EventTypeFlags::MEMBER_ADD
                | EventTypeFlags::MEMBER_UPDATE
                | EventTypeFlags::MEMBER_REMOVE
                | EventTypeFlags::MEMBER_CHUNK,
        ),
        (
            ResourceType::MESSAGE,
            EventTypeFlags::MESSAGE_CREATE
                | EventTypeFlags::MESSAGE_UPDATE
                | EventTypeFlags::MESSAGE_DELETE
                | EventTypeFlags::MESSAGE_DELETE_BULK,
        ),
        (
            ResourceType::REACTION,
            EventTypeFlags::REACTION_ADD
                | EventTypeFlags::REACTION_REMOVE
                | EventTypeFlags::REACTION_REMOVE_ALL
                | EventTypeFlags::REACTION_REMOVE_EMOJI,
        ),
        (ResourceType::EMOJI, EventTypeFlags::GUILD_EMOJIS_UPDATE),
        (ResourceType::STICKER, EventTypeFlags::GUILD_STICKERS_UPDATE),
        (ResourceType::PRESENCE, EventTypeFlags::PRESENCE_UPDATE),
        (
            ResourceType::VOICE_STATE,
            EventTypeFlags::VOICE_STATE_UPDATE,
        ),
        (
            ResourceType::STAGE_INSTANCE,
            EventTypeFlags::STAGE_INSTANCE_CREATE
                | EventTypeFlags::STAGE_INSTANCE_UPDATE
                | EventTypeFlags::STAGE_INSTANCE_DELETE,
        ),
        (
            ResourceType::INTEGRATION,
            EventTypeFlags::INTEGRATION_CREATE
                | EventTypeFlags::INTEGRATION_UPDATE
                | EventTypeFlags::INTEGRATION_DELETE,
        ),
        (
            ResourceType::GUILD_SCHEDULED_EVENT,
            EventTypeFlags::GUILD_SCHEDULED_EVENT_CREATE
                | EventTypeFlags::GUILD_SCHEDULED_EVENT_UPDATE
                | EventTypeFlags::GUILD_SCHEDULED_EVENT_DELETE
                | EventTypeFlags::GUILD_SCHEDULED_EVENT_USER_ADD
                | EventTypeFlags::GUILD_SCHEDULED_EVENT_USER_REMOVE,
        ),
        (
            ResourceType::USER | ResourceType::USER_CURRENT,
            EventTypeFlags::USER_UPDATE,
        ),
    ];
    table
        .into_iter()
        .filter(|(resource, _)| resources.intersects(*resource))
        .fold(EventTypeFlags::empty(), |all, (_, flags)| all | flags)
}

/// The flags a shard parses with, recomputed when listeners or waiters of a new event type appear.
pub(crate) struct Wanted {
    base: EventTypeFlags,
    generation: u64,
    flags: EventTypeFlags,
    /// Whether someone wants every dispatch as JSON (`GatewayDispatch`).
    raw: bool,
}

impl Wanted {
    pub(crate) fn new(cache: EventTypeFlags) -> Self {
        let base = RUNTIME | cache;
        Wanted {
            base,
            generation: u64::MAX,
            flags: base,
            raw: false,
        }
    }

    /// The flags for the router's current listeners and waiters (one atomic load when unchanged).
    pub(crate) fn current(&mut self, router: &crate::context::Router) -> EventTypeFlags {
        let generation = router.generation();
        if generation != self.generation {
            self.generation = generation;
            let types = router.event_types();
            self.raw = types.contains(&TypeId::of::<GatewayDispatch>());
            self.flags = types.into_iter().fold(self.base, |all, t| all | of(t));
        }
        self.flags
    }

    /// Whether to build [`GatewayDispatch`]es, as of the last [`current`](Self::current).
    pub(crate) fn raw(&self) -> bool {
        self.raw
    }
}
