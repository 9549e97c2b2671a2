//! Message and reaction events that carry what the cache knew: the message before an edit, the
//! deleted message, the message a reaction is on.
//!
//! Unlike disnake's, these fire for **every** edit, delete and reaction, cached or not: what the
//! cache could not supply is `None` (or missing from a list). Their `raw_*` twins in
//! [`raw`](super::raw) fire too and carry only the payload. Messages are cached when the bot's
//! cache keeps [`ResourceType::MESSAGE`](twilight_cache_inmemory::ResourceType::MESSAGE) (the
//! default), up to `BotBuilder::max_messages` in total (1000 by default), oldest evicted first.

use twilight_cache_inmemory::model::CachedMessage;
use twilight_model::channel::Message;
use twilight_model::user::User;

use super::Keys;
use super::intents::{MESSAGES, REACTIONS};
use super::raw::{
    RawBulkMessageDelete, RawMessageDelete, RawReactionAdd, RawReactionClear,
    RawReactionClearEmoji, RawReactionRemove, reaction_keys,
};

/// A message was edited (`message_edit`): the cached message from before the edit, and the
/// message as it is now.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct MessageEdit {
    /// The message before the edit; `None` when it was not cached.
    pub before: Option<CachedMessage>,
    /// The message after the edit.
    pub after: Message,
}

impl_event!(MessageEdit, "message_edit", MESSAGES, |e| Keys {
    guild: e.after.guild_id,
    channel: Some(e.after.channel_id),
    message: Some(e.after.id),
    user: Some(e.after.author.id),
});

/// A message was deleted (`message_delete`): the ids, and the message if it was cached.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct MessageDelete {
    /// The gateway payload: `id`, `channel_id`, `guild_id` (also reachable through `Deref`).
    pub raw: RawMessageDelete,
    /// The deleted message; `None` when it was not cached.
    pub message: Option<CachedMessage>,
}

impl_event!(MessageDelete, "message_delete", MESSAGES, |e| Keys {
    guild: e.raw.guild_id,
    channel: Some(e.raw.channel_id),
    message: Some(e.raw.id),
    user: e.message.as_ref().map(|m| m.author()),
});

/// Messages were deleted in bulk (`bulk_message_delete`): the ids, and those of the messages that
/// were cached.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct BulkMessageDelete {
    /// The gateway payload: `ids`, `channel_id`, `guild_id`.
    pub raw: RawBulkMessageDelete,
    /// The deleted messages that were cached, in the order of `raw.ids`.
    pub messages: Vec<CachedMessage>,
}

impl_event!(BulkMessageDelete, "bulk_message_delete", MESSAGES, |e| {
    Keys {
        guild: e.raw.guild_id,
        channel: Some(e.raw.channel_id),
        ..Keys::NONE
    }
});

/// A user added a reaction (`reaction_add`): the reaction, who reacted, and the message.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ReactionAdd {
    /// The gateway payload: `emoji`, `user_id`, `message_id`, `channel_id`, `guild_id`, `member`
    /// (also reachable through `Deref`: `reaction.emoji`).
    pub raw: RawReactionAdd,
    /// The user who reacted: from the payload's member in guilds, else from the cache.
    pub user: Option<User>,
    /// The message reacted to, with the reaction counted; `None` when it is not cached.
    pub message: Option<CachedMessage>,
}

impl_event!(ReactionAdd, "reaction_add", REACTIONS, |e| reaction_keys(
    &e.raw
));

/// A user removed their reaction (`reaction_remove`).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ReactionRemove {
    /// The gateway payload: `emoji`, `user_id`, `message_id`, `channel_id`, `guild_id`.
    pub raw: RawReactionRemove,
    /// The user whose reaction was removed, when cached.
    pub user: Option<User>,
    /// The message, without the reaction; `None` when it is not cached.
    pub message: Option<CachedMessage>,
}

impl_event!(ReactionRemove, "reaction_remove", REACTIONS, |e| {
    reaction_keys(&e.raw)
});

/// Every reaction was removed from a message (`reaction_clear`).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ReactionClear {
    /// The gateway payload: `message_id`, `channel_id`, `guild_id`.
    pub raw: RawReactionClear,
    /// The message before the clear, with the reactions it had
    /// ([`reactions()`](CachedMessage::reactions)); `None` when it was not cached.
    pub message: Option<CachedMessage>,
}

impl_event!(ReactionClear, "reaction_clear", REACTIONS, |e| Keys {
    guild: e.raw.guild_id,
    channel: Some(e.raw.channel_id),
    message: Some(e.raw.message_id),
    user: None,
});

/// Every reaction of one emoji was removed from a message (`reaction_clear_emoji`).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ReactionClearEmoji {
    /// The gateway payload: `emoji`, `message_id`, `channel_id`, `guild_id`.
    pub raw: RawReactionClearEmoji,
    /// The message before the clear; `None` when it was not cached.
    pub message: Option<CachedMessage>,
}

impl_event!(ReactionClearEmoji, "reaction_clear_emoji", REACTIONS, |e| {
    Keys {
        guild: Some(e.raw.guild_id),
        channel: Some(e.raw.channel_id),
        message: Some(e.raw.message_id),
        user: None,
    }
});

/// `Deref` to the `raw` payload, so `event.message_id` reads the payload's field.
macro_rules! deref_raw {
    ($($ty:ty => $raw:ty),* $(,)?) => {$(
        impl ::std::ops::Deref for $ty {
            type Target = $raw;
            fn deref(&self) -> &$raw {
                &self.raw
            }
        }
    )*};
}
pub(crate) use deref_raw;

deref_raw!(
    MessageDelete => RawMessageDelete,
    BulkMessageDelete => RawBulkMessageDelete,
    ReactionAdd => RawReactionAdd,
    ReactionRemove => RawReactionRemove,
    ReactionClear => RawReactionClear,
    ReactionClearEmoji => RawReactionClearEmoji,
);
