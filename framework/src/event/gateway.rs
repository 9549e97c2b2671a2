//! twilight-model's gateway payloads that herald dispatches as they are.
//!
//! Each implements [`Event`](super::Event) with its herald name, the intents Discord sends it under, and its
//! waiter keys. Events that herald enriches from the cache (before/after, the deleted object)
//! are herald's own types in [`message`](super::message) and [`guild`](super::guild); the
//! payloads behind them are the `raw_*` events, re-exported as `Raw*` in [`raw`](super::raw).

use twilight_model::gateway::Intents;
pub use twilight_model::gateway::payload::incoming::{
    AutoModerationActionExecution, AutoModerationRuleCreate, AutoModerationRuleDelete,
    AutoModerationRuleUpdate, BanAdd, BanRemove, ChannelCreate, ChannelDelete, ChannelPinsUpdate,
    GuildScheduledEventCreate, GuildScheduledEventDelete, GuildScheduledEventUserAdd,
    GuildScheduledEventUserRemove, InteractionCreate, MemberAdd, MessageCreate, RoleCreate,
    StageInstanceCreate, StageInstanceDelete, ThreadCreate, TypingStart,
};

use super::Keys;
use super::intents::{AUTOMOD_CONFIGURATION, AUTOMOD_EXECUTION, MESSAGES, PINS, TYPING};

impl_event!(MessageCreate, "message", MESSAGES, |e| Keys {
    guild: e.guild_id,
    channel: Some(e.channel_id),
    message: Some(e.id),
    user: Some(e.author.id),
});
impl_event!(TypingStart, "typing", TYPING, |e| Keys {
    guild: e.guild_id,
    channel: Some(e.channel_id),
    message: None,
    user: Some(e.user_id),
});
impl_event!(MemberAdd, "member_join", Intents::GUILD_MEMBERS, |e| Keys {
    guild: Some(e.guild_id),
    user: Some(e.user.id),
    ..Keys::NONE
});
impl_event!(BanAdd, "member_ban", Intents::GUILD_MODERATION, |e| Keys {
    guild: Some(e.guild_id),
    user: Some(e.user.id),
    ..Keys::NONE
});
impl_event!(BanRemove, "member_unban", Intents::GUILD_MODERATION, |e| {
    Keys {
        guild: Some(e.guild_id),
        user: Some(e.user.id),
        ..Keys::NONE
    }
});
impl_event!(RoleCreate, "guild_role_create", Intents::GUILDS, |e| Keys {
    guild: Some(e.guild_id),
    ..Keys::NONE
});
impl_event!(
    ChannelCreate,
    "guild_channel_create",
    Intents::GUILDS,
    |e| Keys {
        guild: e.guild_id,
        channel: Some(e.id),
        ..Keys::NONE
    }
);
impl_event!(
    ChannelDelete,
    "guild_channel_delete",
    Intents::GUILDS,
    |e| Keys {
        guild: e.guild_id,
        channel: Some(e.id),
        ..Keys::NONE
    }
);
impl_event!(ChannelPinsUpdate, "guild_channel_pins_update", PINS, |e| {
    Keys {
        guild: e.guild_id,
        channel: Some(e.channel_id),
        ..Keys::NONE
    }
});
impl_event!(ThreadCreate, "thread_create", Intents::GUILDS, |e| Keys {
    guild: e.guild_id,
    channel: Some(e.id),
    ..Keys::NONE
});
impl_event!(
    StageInstanceCreate,
    "stage_instance_create",
    Intents::GUILDS,
    |e| Keys {
        guild: Some(e.guild_id),
        channel: Some(e.channel_id),
        ..Keys::NONE
    }
);
impl_event!(
    StageInstanceDelete,
    "stage_instance_delete",
    Intents::GUILDS,
    |e| Keys {
        guild: Some(e.guild_id),
        channel: Some(e.channel_id),
        ..Keys::NONE
    }
);
impl_event!(
    GuildScheduledEventCreate,
    "scheduled_event_create",
    Intents::GUILD_SCHEDULED_EVENTS,
    |e| Keys {
        guild: Some(e.guild_id),
        channel: e.channel_id,
        ..Keys::NONE
    }
);
impl_event!(
    GuildScheduledEventDelete,
    "scheduled_event_delete",
    Intents::GUILD_SCHEDULED_EVENTS,
    |e| Keys {
        guild: Some(e.guild_id),
        channel: e.channel_id,
        ..Keys::NONE
    }
);
impl_event!(
    GuildScheduledEventUserAdd,
    "scheduled_event_user_add",
    Intents::GUILD_SCHEDULED_EVENTS,
    |e| Keys {
        guild: Some(e.guild_id),
        user: Some(e.user_id),
        ..Keys::NONE
    }
);
impl_event!(
    GuildScheduledEventUserRemove,
    "scheduled_event_user_remove",
    Intents::GUILD_SCHEDULED_EVENTS,
    |e| Keys {
        guild: Some(e.guild_id),
        user: Some(e.user_id),
        ..Keys::NONE
    }
);
impl_event!(
    AutoModerationRuleCreate,
    "automod_rule_create",
    AUTOMOD_CONFIGURATION,
    |e| Keys {
        guild: Some(e.guild_id),
        ..Keys::NONE
    }
);
impl_event!(
    AutoModerationRuleUpdate,
    "automod_rule_update",
    AUTOMOD_CONFIGURATION,
    |e| Keys {
        guild: Some(e.guild_id),
        ..Keys::NONE
    }
);
impl_event!(
    AutoModerationRuleDelete,
    "automod_rule_delete",
    AUTOMOD_CONFIGURATION,
    |e| Keys {
        guild: Some(e.guild_id),
        ..Keys::NONE
    }
);
impl_event!(
    AutoModerationActionExecution,
    "automod_action_execution",
    AUTOMOD_EXECUTION,
    |e| Keys {
        guild: Some(e.guild_id),
        channel: e.channel_id,
        message: e.message_id,
        user: Some(e.user_id),
    }
);
impl_event!(InteractionCreate, "interaction", Intents::empty(), |e| {
    super::interaction::interaction_keys(e)
});
