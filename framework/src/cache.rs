//! The cache listeners read with [`ctx.cache()`](crate::Context::cache): twilight-cache-inmemory
//! (everything of twilight-cache-inmemory is re-exported here) for every resource but messages,
//! which herald keeps itself.
//!
//! [`Cache`] dereferences to twilight's [`InMemoryCache`], so `ctx.cache().guild(id)`,
//! `.member(..)`, `.permissions()` and the rest are twilight's. Its own [`message`](Cache::message)
//! and [`channel_messages`](Cache::channel_messages) answer as twilight's do, from herald's store.
//!
//! Why herald keeps messages: a new message is already in the `Arc` its listeners share, and the
//! store keeps that `Arc`. twilight's cache would clone the whole message into its own model (about
//! ten allocations per message), and bounding the total (disnake's `max_messages`, oldest evicted
//! first) through its per-channel lists costs a scan of the channel's list per message. Here
//! caching a message costs a reference count, and the bound is a queue (`docs/architecture.md`,
//! "The message store").

use std::collections::VecDeque;
use std::ops::Deref;
use std::sync::{Arc, Mutex, MutexGuard};

use rustc_hash::FxHashMap;
use twilight_model::channel::message::{EmojiReactionType, Reaction, ReactionCountDetails};
use twilight_model::gateway::event::Event as Frame;
use twilight_model::gateway::payload::incoming::MessageCreate;
use twilight_model::id::Id;
use twilight_model::id::marker::{ChannelMarker, MessageMarker};

pub use twilight_cache_inmemory::*;

use self::model::CachedMessage;

/// The bot's cache: twilight's [`InMemoryCache`] (through `Deref`), and herald's message store.
///
/// Messages are kept by herald (see the [module](self)): read them with [`message`](Self::message),
/// [`full_message`](Self::full_message) and [`channel_messages`](Self::channel_messages). twilight's
/// `iter().messages()` and `stats()` do not count them.
#[derive(Debug)]
pub struct Cache {
    twilight: InMemoryCache,
    /// `None` when messages are not cached (`ResourceType::MESSAGE` left out, or a bound of 0).
    messages: Option<Messages>,
}

/// A value copied out of the cache, with the key it was found under: what twilight's
/// [`Reference`] gives (`key()`, `value()`, `Deref`), without holding a lock.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot<K, V> {
    key: K,
    value: V,
}

impl<K, V> Snapshot<K, V> {
    /// The key the value was found under.
    pub const fn key(&self) -> &K {
        &self.key
    }

    /// The value.
    pub const fn value(&self) -> &V {
        &self.value
    }

    /// The value, owned.
    pub fn into_value(self) -> V {
        self.value
    }
}

impl<K, V> Deref for Snapshot<K, V> {
    type Target = V;

    fn deref(&self) -> &V {
        &self.value
    }
}

impl Deref for Cache {
    type Target = InMemoryCache;

    fn deref(&self) -> &InMemoryCache {
        &self.twilight
    }
}

impl Cache {
    /// A cache of `resources`, holding at most `max_messages` messages in total, oldest evicted
    /// first.
    pub(crate) fn new(resources: ResourceType, max_messages: usize) -> Self {
        let messages =
            (resources.contains(ResourceType::MESSAGE) && max_messages > 0).then(|| Messages {
                max: max_messages,
                reactions: resources.contains(ResourceType::REACTION),
                store: Mutex::default(),
            });
        let twilight = InMemoryCache::builder()
            .resource_types(resources - ResourceType::MESSAGE)
            .build();
        Cache { twilight, messages }
    }

    /// The cached message `id`, as twilight's cache gives it ([`CachedMessage`]: the author as an
    /// id, the reactions as they are now). `None` when it is not cached: older than the
    /// `max_messages` newest, deleted, or sent before the bot connected.
    pub fn message(
        &self,
        id: Id<MessageMarker>,
    ) -> Option<Snapshot<Id<MessageMarker>, CachedMessage>> {
        let message = self.full_message(id)?;
        let message = Arc::unwrap_or_clone(message).message;
        Some(Snapshot {
            key: id,
            value: CachedMessage::from(message),
        })
    }

    /// The cached message `id` as its `message_create` listeners were handed it (the author's
    /// `User`, the member), with its reactions and edits applied: the very `Arc`, without a copy.
    pub fn full_message(&self, id: Id<MessageMarker>) -> Option<Arc<MessageCreate>> {
        let store = self.messages.as_ref()?.lock();
        store.by_id.get(&id).map(|(_, message)| Arc::clone(message))
    }

    /// The ids of the cached messages of `channel`, newest first (as twilight's
    /// `channel_messages`). `None` when none of its messages is cached.
    pub fn channel_messages(
        &self,
        channel: Id<ChannelMarker>,
    ) -> Option<Snapshot<Id<ChannelMarker>, VecDeque<Id<MessageMarker>>>> {
        let store = self.messages.as_ref()?.lock();
        let ids: VecDeque<_> = store
            .order
            .iter()
            .rev()
            .filter(|&&(number, id)| {
                store
                    .by_id
                    .get(&id)
                    .is_some_and(|(n, message)| *n == number && message.channel_id == channel)
            })
            .map(|&(_, id)| id)
            .collect();
        (!ids.is_empty()).then_some(Snapshot {
            key: channel,
            value: ids,
        })
    }

    /// Empties the cache, messages included.
    pub fn clear(&self) {
        self.twilight.clear();
        if let Some(messages) = &self.messages {
            let old = std::mem::take(&mut *messages.lock());
            drop(old);
        }
    }

    /// Caches a new message (its author and member in twilight's cache, the message itself in
    /// the store), evicting the oldest beyond the bound.
    pub(crate) fn took(&self, message: &Arc<MessageCreate>) {
        self.twilight.update(&**message);
        if let Some(messages) = &self.messages {
            let evicted = messages.insert(Arc::clone(message), false);
            drop(evicted); // outside the lock: it may free a whole message
        }
    }

    /// What `event` changes in the message store, after twilight's cache applied it: new
    /// messages, edits (an edit of a message not cached caches it as the newest, as twilight
    /// does), deletions and reactions.
    pub(crate) fn apply(&self, event: &Frame) {
        let Some(messages) = &self.messages else {
            return;
        };
        let me = || self.twilight.current_user().map(|user| user.id);
        // Removed messages are dropped outside the lock.
        let _removed: Vec<Arc<MessageCreate>> = match event {
            // New messages come decoded into their `Arc` (`took`); one that came as a frame is
            // cached the same way.
            Frame::MessageCreate(message) => messages
                .insert(Arc::new((**message).clone()), false)
                .into_iter()
                .collect(),
            Frame::MessageUpdate(update) => {
                let message = Arc::new(MessageCreate {
                    channel_type: None,
                    message: update.0.clone(),
                });
                messages.insert(message, true).into_iter().collect()
            }
            Frame::MessageDelete(delete) => messages.remove(&[delete.id]),
            Frame::MessageDeleteBulk(delete) => messages.remove(&delete.ids),
            Frame::ReactionAdd(reaction) if messages.reactions => {
                let me = me() == Some(reaction.user_id);
                messages.edit(reaction.message_id, |message| {
                    add_reaction(&mut message.reactions, &reaction.emoji, me);
                });
                Vec::new()
            }
            Frame::ReactionRemove(reaction) if messages.reactions => {
                let me = me() == Some(reaction.user_id);
                messages.edit(reaction.message_id, |message| {
                    remove_reaction(&mut message.reactions, &reaction.emoji, me);
                });
                Vec::new()
            }
            Frame::ReactionRemoveAll(clear) if messages.reactions => {
                messages.edit(clear.message_id, |message| message.reactions.clear());
                Vec::new()
            }
            Frame::ReactionRemoveEmoji(clear) if messages.reactions => {
                messages.edit(clear.message_id, |message| {
                    message
                        .reactions
                        .retain(|r| !same_emoji(&r.emoji, &clear.emoji));
                });
                Vec::new()
            }
            _ => Vec::new(),
        };
    }
}

/// The message store: the messages by id, and the order they were cached in.
#[derive(Debug)]
struct Messages {
    max: usize,
    /// Whether reactions are cached (`ResourceType::REACTION`).
    reactions: bool,
    store: Mutex<Store>,
}

#[derive(Debug, Default)]
struct Store {
    /// The cached messages, each with the number of its entry in `order`.
    by_id: FxHashMap<Id<MessageMarker>, (u64, Arc<MessageCreate>)>,
    /// Entries `(number, id)`, oldest first. An entry whose number is not its message's (the
    /// message was deleted since, and maybe cached again) is stale: skipped, and swept out when
    /// stale entries outnumber the live ones.
    order: VecDeque<(u64, Id<MessageMarker>)>,
    /// The number of the next entry.
    next: u64,
}

impl Messages {
    fn lock(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Caches `message`: a message cached already is replaced where it is (an edit: `edit`), else
    /// it is the newest. Returns what it replaced or evicted.
    fn insert(&self, message: Arc<MessageCreate>, edit: bool) -> Option<Arc<MessageCreate>> {
        let id = message.id;
        let mut store = self.lock();
        if let Some((_, cached)) = store.by_id.get_mut(&id) {
            let mut message = message;
            if edit {
                // MESSAGE_UPDATE carries no channel type: keep the one the message came with.
                Arc::make_mut(&mut message).channel_type = cached.channel_type;
            }
            return Some(std::mem::replace(cached, message));
        }
        let number = store.next;
        store.next += 1;
        store.by_id.insert(id, (number, message));
        store.order.push_back((number, id));
        let mut evicted = None;
        while store.by_id.len() > self.max {
            let Some((number, id)) = store.order.pop_front() else {
                break;
            };
            if store.by_id.get(&id).is_some_and(|(n, _)| *n == number) {
                evicted = store.by_id.remove(&id).map(|(_, message)| message);
            }
        }
        store.sweep();
        evicted
    }

    /// Forgets the messages `ids`; returns them.
    fn remove(&self, ids: &[Id<MessageMarker>]) -> Vec<Arc<MessageCreate>> {
        let mut store = self.lock();
        let removed = ids
            .iter()
            .filter_map(|id| store.by_id.remove(id).map(|(_, message)| message))
            .collect();
        store.sweep();
        removed
    }

    /// Changes the cached message `id`, if it is cached (copying it first if a listener still
    /// holds it).
    fn edit(
        &self,
        id: Id<MessageMarker>,
        change: impl FnOnce(&mut twilight_model::channel::Message),
    ) {
        let mut store = self.lock();
        if let Some((_, message)) = store.by_id.get_mut(&id) {
            change(&mut Arc::make_mut(message).message);
        }
    }
}

impl Store {
    /// Drops the stale entries of `order` once they outnumber the live ones, so that a channel
    /// whose messages are deleted as fast as they come does not grow it.
    fn sweep(&mut self) {
        if self.order.len() <= 2 * self.by_id.len() + 64 {
            return;
        }
        let by_id = &self.by_id;
        self.order
            .retain(|(number, id)| by_id.get(id).is_some_and(|(n, _)| n == number));
    }
}

/// A reaction added to a message's `reactions` (as twilight's cache counts them): one more of
/// its emoji, `me` when the bot added it.
fn add_reaction(reactions: &mut Vec<Reaction>, emoji: &EmojiReactionType, me: bool) {
    if let Some(reaction) = reactions.iter_mut().find(|r| same_emoji(&r.emoji, emoji)) {
        reaction.me |= me;
        reaction.count += 1;
    } else {
        reactions.push(Reaction {
            burst_colors: Vec::new(),
            count: 1,
            count_details: ReactionCountDetails {
                burst: 0,
                normal: 1,
            },
            emoji: emoji.clone(),
            me,
            me_burst: false,
        });
    }
}

/// A reaction removed: one fewer of its emoji, and none left at a count of 0.
fn remove_reaction(reactions: &mut Vec<Reaction>, emoji: &EmojiReactionType, me: bool) {
    let Some(index) = reactions.iter().position(|r| same_emoji(&r.emoji, emoji)) else {
        return;
    };
    let reaction = &mut reactions[index];
    if me {
        reaction.me = false;
    }
    if reaction.count > 1 {
        reaction.count -= 1;
    } else {
        reactions.remove(index);
    }
}

/// Whether two reactions are of one emoji: custom emojis by id, unicode ones by name.
fn same_emoji(a: &EmojiReactionType, b: &EmojiReactionType) -> bool {
    match (a, b) {
        (EmojiReactionType::Custom { id: a, .. }, EmojiReactionType::Custom { id: b, .. }) => {
            a == b
        }
        (EmojiReactionType::Unicode { name: a }, EmojiReactionType::Unicode { name: b }) => a == b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use twilight_model::gateway::payload::incoming::{MessageDelete, MessageUpdate, ReactionAdd};

    use super::*;

    fn message(id: u64, channel: u64, content: &str) -> Arc<MessageCreate> {
        let json = format!(
            r#"{{"id":"{id}","channel_id":"{channel}","author":{{"id":"7","username":"a","discriminator":"0"}},"content":"{content}","timestamp":"2024-01-01T00:00:00.000000+00:00","tts":false,"mention_everyone":false,"mentions":[],"mention_roles":[],"attachments":[],"embeds":[],"pinned":false,"type":0}}"#
        );
        Arc::new(MessageCreate {
            channel_type: None,
            message: serde_json::from_str(&json).unwrap(),
        })
    }

    fn cached(cache: &Cache, ids: std::ops::RangeInclusive<u64>) -> Vec<u64> {
        ids.filter(|&id| cache.message(Id::new(id)).is_some())
            .collect()
    }

    #[test]
    fn the_total_is_bounded_oldest_first_and_a_deleted_message_frees_its_place() {
        let cache = Cache::new(ResourceType::all(), 3);
        for id in 1..=4 {
            cache.took(&message(id, 10 + id % 2, "hi"));
        }
        assert_eq!(cached(&cache, 1..=4), [2, 3, 4]);
        cache.apply(&Frame::MessageDelete(MessageDelete {
            channel_id: Id::new(11),
            id: Id::new(3),
            guild_id: None,
        }));
        cache.took(&message(5, 11, "hi"));
        assert_eq!(cached(&cache, 1..=5), [2, 4, 5], "nothing evicted");
        cache.took(&message(6, 10, "hi"));
        assert_eq!(cached(&cache, 1..=6), [4, 5, 6]);
        let ids: Vec<_> = cache
            .channel_messages(Id::new(11))
            .unwrap()
            .iter()
            .map(|id| id.get())
            .collect();
        assert_eq!(ids, [5], "newest first, the deleted 3 gone");
        assert!(cache.channel_messages(Id::new(99)).is_none());
    }

    #[test]
    fn an_edit_replaces_in_place_and_brings_back_an_evicted_message_as_the_newest() {
        let cache = Cache::new(ResourceType::all(), 2);
        let mut first = message(1, 10, "one");
        Arc::make_mut(&mut first).channel_type =
            Some(twilight_model::channel::ChannelType::GuildText);
        cache.took(&first);
        cache.took(&message(2, 10, "two"));
        let edit = |id, content| {
            let edited = Arc::unwrap_or_clone(message(id, 10, content)).message;
            cache.apply(&Frame::MessageUpdate(Box::new(MessageUpdate(edited))));
        };
        edit(1, "one, edited");
        let full = cache.full_message(Id::new(1)).unwrap();
        assert_eq!(full.content, "one, edited");
        assert_eq!(
            full.channel_type, first.channel_type,
            "kept from the create"
        );
        cache.took(&message(3, 10, "three"));
        assert_eq!(cached(&cache, 1..=3), [2, 3], "1 was still the oldest");
        edit(1, "one, again");
        assert_eq!(cached(&cache, 1..=3), [1, 3]);
    }

    #[test]
    fn deletions_do_not_grow_the_queue() {
        let cache = Cache::new(ResourceType::all(), 10);
        for id in 1..=10_000 {
            cache.took(&message(id, 10, "hi"));
            cache.apply(&Frame::MessageDelete(MessageDelete {
                channel_id: Id::new(10),
                id: Id::new(id),
                guild_id: None,
            }));
        }
        let store = cache.messages.as_ref().unwrap().lock();
        assert!(store.by_id.is_empty());
        assert!(store.order.len() <= 64 + 1, "{}", store.order.len());
    }

    #[test]
    fn reactions_are_counted_on_the_cached_message_and_a_listeners_copy_is_left_alone() {
        let cache = Cache::new(ResourceType::all(), 10);
        let held = message(1, 10, "hi");
        cache.took(&held);
        let react = |user: u64| {
            let json = format!(
                r#"{{"user_id":"{user}","message_id":"1","channel_id":"10","emoji":{{"name":"👍"}},"burst":false,"type":0}}"#
            );
            let reaction: ReactionAdd = serde_json::from_str(&json).unwrap();
            cache.apply(&Frame::ReactionAdd(Box::new(reaction)));
        };
        react(5);
        react(6);
        let cached = cache.message(Id::new(1)).unwrap();
        assert_eq!(cached.reactions().len(), 1);
        assert_eq!(cached.reactions()[0].count, 2);
        assert!(
            held.reactions.is_empty(),
            "the listener's Arc is not changed under it"
        );
    }

    #[test]
    fn a_message_that_came_as_a_frame_is_cached_too() {
        let cache = Cache::new(ResourceType::all(), 10);
        let message = Arc::unwrap_or_clone(message(1, 10, "hi"));
        cache.twilight.update(&message);
        cache.apply(&Frame::MessageCreate(Box::new(message)));
        assert_eq!(cache.full_message(Id::new(1)).unwrap().content, "hi");
    }

    #[test]
    fn no_store_without_the_message_resource_or_with_a_bound_of_zero() {
        for cache in [
            Cache::new(ResourceType::all() - ResourceType::MESSAGE, 10),
            Cache::new(ResourceType::all(), 0),
        ] {
            cache.took(&message(1, 10, "hi"));
            assert!(cache.message(Id::new(1)).is_none());
            assert!(
                cache.user(Id::new(7)).is_some(),
                "the author is still cached"
            );
        }
    }
}
