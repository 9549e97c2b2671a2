//! twilight-model's gateway payloads that herald dispatches as they are.
//!
//! Each implements [`Event`](super::Event) with its herald name, the intents Discord sends it
//! under, and its waiter keys, from its row in the [catalog](mod@super::catalog)'s table. Events that herald enriches from the cache (before/after, the deleted object)
//! are herald's own types in [`message`](super::message) and [`guild`](super::guild); the
//! payloads behind them are the `raw_*` events, re-exported as `Raw*` in [`raw`](super::raw).

pub use twilight_model::gateway::payload::incoming::{
    AutoModerationActionExecution, AutoModerationRuleCreate, AutoModerationRuleDelete,
    AutoModerationRuleUpdate, BanAdd, BanRemove, ChannelCreate, ChannelDelete, ChannelPinsUpdate,
    EntitlementCreate, EntitlementDelete, EntitlementUpdate, GuildAuditLogEntryCreate,
    GuildScheduledEventCreate, GuildScheduledEventDelete, GuildScheduledEventUserAdd,
    GuildScheduledEventUserRemove, IntegrationCreate, IntegrationDelete, IntegrationUpdate,
    InteractionCreate, InviteCreate, InviteDelete, MemberAdd, MemberChunk, MessageCreate,
    MessagePollVoteAdd, MessagePollVoteRemove, RoleCreate, StageInstanceCreate,
    StageInstanceDelete, ThreadCreate, TypingStart, VoiceServerUpdate, WebhooksUpdate,
};
