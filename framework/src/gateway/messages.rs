//! The bound on cached messages: at most `max_messages` in total across all channels (disnake's
//! `max_messages`), oldest evicted first. twilight's cache bounds each channel only, so herald
//! keeps the global order and evicts through the cache's own delete path.

use std::collections::VecDeque;
use std::sync::Mutex;

use rustc_hash::FxHashSet;
use twilight_cache_inmemory::InMemoryCache;
use twilight_model::channel::Message;
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
    tracked: Mutex<Tracked>,
}

/// The messages the cache took in, oldest first, and the same ids as a set.
#[derive(Default)]
struct Tracked {
    order: VecDeque<Cached>,
    ids: FxHashSet<Id<MessageMarker>>,
}

impl MessageBound {
    pub(crate) fn new(max: usize) -> Self {
        MessageBound {
            max,
            tracked: Mutex::default(),
        }
    }

    /// After the cache applied `event`: records a message the cache took in (a new message, or
    /// the edit of one it did not hold, which twilight caches as the newest) and evicts the
    /// oldest beyond the bound. Messages deleted meanwhile stay in the order until their turn
    /// (their eviction is then a no-op), so the cache holds at most `max` messages.
    pub(crate) fn track(&self, cache: &InMemoryCache, event: &Frame) {
        match event {
            Frame::MessageCreate(message) => self.took(cache, message),
            Frame::MessageUpdate(message) => self.took(cache, message),
            _ => {}
        }
    }

    /// After the cache applied a new or edited `message`: as [`track`](Self::track).
    pub(crate) fn took(&self, cache: &InMemoryCache, message: &Message) {
        let evicted = {
            let mut tracked = self.tracked.lock().unwrap_or_else(|p| p.into_inner());
            if !tracked.ids.insert(message.id) {
                return; // an edit of a message it holds already
            }
            tracked
                .order
                .push_back((message.id, message.channel_id, message.guild_id));
            if tracked.order.len() > self.max {
                let oldest = tracked.order.pop_front();
                if let Some((id, ..)) = oldest {
                    tracked.ids.remove(&id);
                }
                oldest
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
