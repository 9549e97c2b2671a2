//! The `raw_*` events: gateway payloads exactly as Discord sent them, whether or not the message
//! or thread they are about is cached.
//!
//! Each has a cache-backed twin ([`MessageEdit`](super::message::MessageEdit) for
//! [`RawMessageEdit`], ...) that adds what the cache knew before the change. Both fire for every
//! change: listen to the raw event when you only need the ids, to skip the cache lookups.

pub use twilight_model::gateway::payload::incoming::{
    MessageDelete as RawMessageDelete, MessageDeleteBulk as RawBulkMessageDelete,
    MessageUpdate as RawMessageEdit, ReactionAdd as RawReactionAdd,
    ReactionRemove as RawReactionRemove, ReactionRemoveAll as RawReactionClear,
    ReactionRemoveEmoji as RawReactionClearEmoji, ThreadDelete as RawThreadDelete,
    ThreadUpdate as RawThreadUpdate,
};
use twilight_model::gateway::{GatewayReaction, Intents};

use super::Keys;
use super::intents::{MESSAGES, REACTIONS};

impl_event!(RawMessageEdit, "raw_message_edit", MESSAGES, |e| Keys {
    guild: e.guild_id,
    channel: Some(e.channel_id),
    message: Some(e.id),
    user: Some(e.author.id),
});
impl_event!(RawMessageDelete, "raw_message_delete", MESSAGES, |e| Keys {
    guild: e.guild_id,
    channel: Some(e.channel_id),
    message: Some(e.id),
    user: None,
});
impl_event!(
    RawBulkMessageDelete,
    "raw_bulk_message_delete",
    MESSAGES,
    |e| Keys {
        guild: e.guild_id,
        channel: Some(e.channel_id),
        ..Keys::NONE
    }
);
impl_event!(RawReactionAdd, "raw_reaction_add", REACTIONS, |e| {
    reaction_keys(e)
});
impl_event!(RawReactionRemove, "raw_reaction_remove", REACTIONS, |e| {
    reaction_keys(e)
});
impl_event!(RawReactionClear, "raw_reaction_clear", REACTIONS, |e| {
    Keys {
        guild: e.guild_id,
        channel: Some(e.channel_id),
        message: Some(e.message_id),
        user: None,
    }
});
impl_event!(
    RawReactionClearEmoji,
    "raw_reaction_clear_emoji",
    REACTIONS,
    |e| Keys {
        guild: Some(e.guild_id),
        channel: Some(e.channel_id),
        message: Some(e.message_id),
        user: None,
    }
);
impl_event!(RawThreadUpdate, "raw_thread_update", Intents::GUILDS, |e| {
    Keys {
        guild: e.guild_id,
        channel: Some(e.id),
        ..Keys::NONE
    }
});
impl_event!(RawThreadDelete, "raw_thread_delete", Intents::GUILDS, |e| {
    Keys {
        guild: Some(e.guild_id),
        channel: Some(e.id),
        ..Keys::NONE
    }
});

/// The keys of a reaction added or removed: where, on which message, by whom.
pub(crate) fn reaction_keys(reaction: &GatewayReaction) -> Keys {
    Keys {
        guild: reaction.guild_id,
        channel: Some(reaction.channel_id),
        message: Some(reaction.message_id),
        user: Some(reaction.user_id),
    }
}

/// Every gateway dispatch, as JSON, before herald parses it (`gateway_dispatch`; disnake's
/// `on_socket_raw_receive` and `on_socket_event_type`).
///
/// The escape hatch for dispatches herald has no type for (INVITE_CREATE, WEBHOOKS_UPDATE,
/// INTEGRATION_CREATE, VOICE_SERVER_UPDATE, ...), and for logging what Discord sends. herald
/// parses each frame into JSON for it only while someone listens to or waits for it; Discord
/// still sends only what the bot's intents cover.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct GatewayDispatch {
    /// The shard that received it.
    pub shard_id: u32,
    /// The dispatch's name: `"MESSAGE_CREATE"`, `"INVITE_CREATE"`, ...
    pub kind: String,
    /// Its sequence number on the shard's session.
    pub sequence: u64,
    /// Its `d` payload.
    pub data: serde_json::Value,
}

impl_event!(GatewayDispatch, "gateway_dispatch", Intents::empty(), |e| {
    Keys {
        guild: e
            .data
            .get("guild_id")
            .and_then(serde_json::Value::as_str)
            .and_then(|id| id.parse().ok()),
        ..Keys::NONE
    }
});

impl GatewayDispatch {
    /// The dispatch in `frame`, a gateway frame's text; `None` for other opcodes.
    pub(crate) fn parse(shard_id: u32, frame: &str) -> Option<Self> {
        #[derive(serde::Deserialize)]
        struct Envelope {
            op: u8,
            s: Option<u64>,
            t: Option<String>,
            #[serde(default)]
            d: serde_json::Value,
        }
        let envelope: Envelope = serde_json::from_str(frame).ok()?;
        (envelope.op == 0).then_some(())?;
        Some(GatewayDispatch {
            shard_id,
            kind: envelope.t?,
            sequence: envelope.s?,
            data: envelope.d,
        })
    }
}
