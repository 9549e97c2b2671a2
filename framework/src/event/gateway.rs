//! twilight-model's gateway payloads that herald dispatches as they are.
//!
//! Each implements [`Event`] with its herald name, the intents Discord sends it under, and its
//! waiter keys. The names follow disnake's `raw_*` events where herald's typed, cache-backed
//! variant (with before/after) is a separate event.

use twilight_model::gateway::Intents;
pub use twilight_model::gateway::payload::incoming::{
    BanAdd, BanRemove, ChannelCreate, GuildScheduledEventCreate, InteractionCreate, MemberAdd,
    MessageCreate, MessageDelete, MessageDeleteBulk, MessageUpdate, ReactionAdd, ReactionRemove,
    ReactionRemoveAll, ReactionRemoveEmoji, RoleCreate, StageInstanceCreate, ThreadCreate,
    TypingStart,
};

use super::{Event, Keys};

const MESSAGES: Intents = Intents::GUILD_MESSAGES.union(Intents::DIRECT_MESSAGES);
const REACTIONS: Intents =
    Intents::GUILD_MESSAGE_REACTIONS.union(Intents::DIRECT_MESSAGE_REACTIONS);
const TYPING: Intents = Intents::GUILD_MESSAGE_TYPING.union(Intents::DIRECT_MESSAGE_TYPING);

/// `impl Event` for a twilight payload: name, intents, and a `keys` body over `$ev`.
macro_rules! gateway_event {
    ($ty:ty, $name:literal, $intents:expr, |$ev:ident| $keys:expr) => {
        impl Event for $ty {
            const NAME: &'static str = $name;
            const INTENTS: Intents = $intents;
            fn keys(&self) -> Keys {
                let $ev = self;
                $keys
            }
        }
    };
}

gateway_event!(MessageCreate, "message", MESSAGES, |e| Keys {
    guild: e.guild_id,
    channel: Some(e.channel_id),
    message: Some(e.id),
    user: Some(e.author.id),
});
gateway_event!(MessageUpdate, "raw_message_edit", MESSAGES, |e| Keys {
    guild: e.guild_id,
    channel: Some(e.channel_id),
    message: Some(e.id),
    user: Some(e.author.id),
});
gateway_event!(MessageDelete, "raw_message_delete", MESSAGES, |e| Keys {
    guild: e.guild_id,
    channel: Some(e.channel_id),
    message: Some(e.id),
    user: None,
});
gateway_event!(
    MessageDeleteBulk,
    "raw_bulk_message_delete",
    MESSAGES,
    |e| Keys {
        guild: e.guild_id,
        channel: Some(e.channel_id),
        ..Keys::NONE
    }
);
gateway_event!(ReactionAdd, "raw_reaction_add", REACTIONS, |e| Keys {
    guild: e.guild_id,
    channel: Some(e.channel_id),
    message: Some(e.message_id),
    user: Some(e.user_id),
});
gateway_event!(ReactionRemove, "raw_reaction_remove", REACTIONS, |e| Keys {
    guild: e.guild_id,
    channel: Some(e.channel_id),
    message: Some(e.message_id),
    user: Some(e.user_id),
});
gateway_event!(ReactionRemoveAll, "raw_reaction_clear", REACTIONS, |e| {
    Keys {
        guild: e.guild_id,
        channel: Some(e.channel_id),
        message: Some(e.message_id),
        user: None,
    }
});
gateway_event!(
    ReactionRemoveEmoji,
    "raw_reaction_clear_emoji",
    REACTIONS,
    |e| Keys {
        guild: Some(e.guild_id),
        channel: Some(e.channel_id),
        message: Some(e.message_id),
        user: None,
    }
);
gateway_event!(TypingStart, "typing", TYPING, |e| Keys {
    guild: e.guild_id,
    channel: Some(e.channel_id),
    message: None,
    user: Some(e.user_id),
});
gateway_event!(MemberAdd, "member_join", Intents::GUILD_MEMBERS, |e| Keys {
    guild: Some(e.guild_id),
    user: Some(e.user.id),
    ..Keys::NONE
});
gateway_event!(BanAdd, "member_ban", Intents::GUILD_MODERATION, |e| Keys {
    guild: Some(e.guild_id),
    user: Some(e.user.id),
    ..Keys::NONE
});
gateway_event!(BanRemove, "member_unban", Intents::GUILD_MODERATION, |e| {
    Keys {
        guild: Some(e.guild_id),
        user: Some(e.user.id),
        ..Keys::NONE
    }
});
gateway_event!(RoleCreate, "guild_role_create", Intents::GUILDS, |e| Keys {
    guild: Some(e.guild_id),
    ..Keys::NONE
});
gateway_event!(
    ChannelCreate,
    "guild_channel_create",
    Intents::GUILDS,
    |e| Keys {
        guild: e.guild_id,
        channel: Some(e.id),
        ..Keys::NONE
    }
);
gateway_event!(ThreadCreate, "thread_create", Intents::GUILDS, |e| Keys {
    guild: e.guild_id,
    channel: Some(e.id),
    ..Keys::NONE
});
gateway_event!(
    StageInstanceCreate,
    "stage_instance_create",
    Intents::GUILDS,
    |e| Keys {
        guild: Some(e.guild_id),
        channel: Some(e.channel_id),
        ..Keys::NONE
    }
);
gateway_event!(
    GuildScheduledEventCreate,
    "scheduled_event_create",
    Intents::GUILD_SCHEDULED_EVENTS,
    |e| Keys {
        guild: Some(e.guild_id),
        channel: e.channel_id,
        ..Keys::NONE
    }
);
gateway_event!(InteractionCreate, "interaction", Intents::empty(), |e| {
    Keys {
        guild: e.guild_id,
        channel: e.channel.as_ref().map(|c| c.id),
        message: e.message.as_ref().map(|m| m.id),
        user: e.author_id(),
    }
});
