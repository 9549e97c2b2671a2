//! The bound on cached messages: at most `max_messages` in total across all channels (disnake's
//! `max_messages`), oldest evicted first. twilight's cache bounds each channel only, so herald
//! keeps the global order and evicts through the cache's own delete path.

use std::collections::VecDeque;
use std::sync::Mutex;

use twilight_cache_inmemory::InMemoryCache;
use twilight_model::gateway::event::Event as Frame;
use twilight_model::gateway::payload::incoming::MessageDelete;
use twilight_model::id::Id;
use twilight_model::id::marker::{ChannelMarker, GuildMarker, MessageMarker};

type Cached = (
    Id<MessageMarker>,
    Id<ChannelMarker>,
    Option<Id<GuildMarker>>,
);

pub(crate) struct MessageBound {
    max: usize,
    order: Mutex<VecDeque<Cached>>,
}

impl MessageBound {
    pub(crate) fn new(max: usize) -> Self {
        MessageBound {
            max,
            order: Mutex::new(VecDeque::with_capacity(max.min(4096) + 1)),
        }
    }

    /// After the cache applied `event`: records a newly cached message and evicts the oldest
    /// beyond the bound. Messages deleted meanwhile stay in the order until their turn (their
    /// eviction is then a no-op), so the cache holds at most `max` messages.
    pub(crate) fn track(&self, cache: &InMemoryCache, event: &Frame) {
        let Frame::MessageCreate(message) = event else {
            return;
        };
        let evicted = {
            let mut order = self.order.lock().unwrap_or_else(|p| p.into_inner());
            order.push_back((message.id, message.channel_id, message.guild_id));
            if order.len() > self.max {
                order.pop_front()
            } else {
                None
            }
        };
        // Skip messages already gone (deleted, or evicted by the per-channel bound): the cache's
        // delete scans the channel's list.
        if let Some((id, channel_id, guild_id)) = evicted
            && cache.message(id).is_some()
        {
            cache.update(&MessageDelete {
                id,
                channel_id,
                guild_id,
            });
        }
    }
}
