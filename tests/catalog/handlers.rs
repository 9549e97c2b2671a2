//! Generated from herald::event::catalog() by `HERALD_BLESS=1 cargo test --test catalog`: do not edit.

#![allow(unreachable_pub, dead_code)]

use herald::BotBuilder;

/// One `#[event]` handler per catalog name.
pub mod handlers {
    use herald::event::gateway::*;
    use herald::prelude::*;

    #[event]
    pub async fn on_connect(_event: &Connect) {}

    #[event]
    pub async fn on_disconnect(_event: &Disconnect) {}

    #[event]
    pub async fn on_ready(_event: &Ready) {}

    #[event]
    pub async fn on_resumed(_event: &Resumed) {}

    #[event]
    pub async fn on_shard_connect(_event: &ShardConnect) {}

    #[event]
    pub async fn on_shard_disconnect(_event: &ShardDisconnect) {}

    #[event]
    pub async fn on_shard_ready(_event: &ShardReady) {}

    #[event]
    pub async fn on_shard_resumed(_event: &ShardResumed) {}

    #[event]
    pub async fn on_error(_event: &ListenerError) {}

    #[event]
    pub async fn on_message(_event: &MessageCreate) {}

    #[event]
    pub async fn on_message_edit(_event: &MessageEdit) {}

    #[event]
    pub async fn on_message_delete(_event: &MessageDelete) {}

    #[event]
    pub async fn on_bulk_message_delete(_event: &BulkMessageDelete) {}

    #[event]
    pub async fn on_raw_message_edit(_event: &RawMessageEdit) {}

    #[event]
    pub async fn on_raw_message_delete(_event: &RawMessageDelete) {}

    #[event]
    pub async fn on_raw_bulk_message_delete(_event: &RawBulkMessageDelete) {}

    #[event]
    pub async fn on_typing(_event: &TypingStart) {}

    #[event]
    pub async fn on_poll_vote_add(_event: &MessagePollVoteAdd) {}

    #[event]
    pub async fn on_poll_vote_remove(_event: &MessagePollVoteRemove) {}

    #[event]
    pub async fn on_reaction_add(_event: &ReactionAdd) {}

    #[event]
    pub async fn on_reaction_remove(_event: &ReactionRemove) {}

    #[event]
    pub async fn on_reaction_clear(_event: &ReactionClear) {}

    #[event]
    pub async fn on_reaction_clear_emoji(_event: &ReactionClearEmoji) {}

    #[event]
    pub async fn on_raw_reaction_add(_event: &RawReactionAdd) {}

    #[event]
    pub async fn on_raw_reaction_remove(_event: &RawReactionRemove) {}

    #[event]
    pub async fn on_raw_reaction_clear(_event: &RawReactionClear) {}

    #[event]
    pub async fn on_raw_reaction_clear_emoji(_event: &RawReactionClearEmoji) {}

    #[event]
    pub async fn on_member_join(_event: &MemberAdd) {}

    #[event]
    pub async fn on_member_remove(_event: &MemberRemove) {}

    #[event]
    pub async fn on_member_update(_event: &MemberUpdate) {}

    #[event]
    pub async fn on_user_update(_event: &UserUpdate) {}

    #[event]
    pub async fn on_member_ban(_event: &BanAdd) {}

    #[event]
    pub async fn on_member_unban(_event: &BanRemove) {}

    #[event]
    pub async fn on_member_chunk(_event: &MemberChunk) {}

    #[event]
    pub async fn on_presence_update(_event: &PresenceUpdate) {}

    #[event]
    pub async fn on_guild_join(_event: &GuildJoin) {}

    #[event]
    pub async fn on_guild_remove(_event: &GuildRemove) {}

    #[event]
    pub async fn on_guild_update(_event: &GuildUpdate) {}

    #[event]
    pub async fn on_guild_available(_event: &GuildAvailable) {}

    #[event]
    pub async fn on_guild_unavailable(_event: &GuildUnavailable) {}

    #[event]
    pub async fn on_guild_channel_create(_event: &ChannelCreate) {}

    #[event]
    pub async fn on_guild_channel_delete(_event: &ChannelDelete) {}

    #[event]
    pub async fn on_guild_channel_update(_event: &ChannelUpdate) {}

    #[event]
    pub async fn on_guild_channel_pins_update(_event: &ChannelPinsUpdate) {}

    #[event]
    pub async fn on_guild_role_create(_event: &RoleCreate) {}

    #[event]
    pub async fn on_guild_role_delete(_event: &RoleDelete) {}

    #[event]
    pub async fn on_guild_role_update(_event: &RoleUpdate) {}

    #[event]
    pub async fn on_guild_emojis_update(_event: &GuildEmojisUpdate) {}

    #[event]
    pub async fn on_guild_stickers_update(_event: &GuildStickersUpdate) {}

    #[event]
    pub async fn on_audit_log_entry_create(_event: &GuildAuditLogEntryCreate) {}

    #[event]
    pub async fn on_voice_state_update(_event: &VoiceStateUpdate) {}

    #[event]
    pub async fn on_voice_server_update(_event: &VoiceServerUpdate) {}

    #[event]
    pub async fn on_stage_instance_create(_event: &StageInstanceCreate) {}

    #[event]
    pub async fn on_stage_instance_delete(_event: &StageInstanceDelete) {}

    #[event]
    pub async fn on_stage_instance_update(_event: &StageInstanceUpdate) {}

    #[event]
    pub async fn on_interaction(_event: &InteractionCreate) {}

    #[event]
    pub async fn on_application_command(_event: &ApplicationCommand) {}

    #[event]
    pub async fn on_application_command_autocomplete(_event: &Autocomplete) {}

    #[event]
    pub async fn on_message_interaction(_event: &MessageInteraction) {}

    #[event]
    pub async fn on_button_click(_event: &ButtonClick) {}

    #[event]
    pub async fn on_dropdown(_event: &Dropdown) {}

    #[event]
    pub async fn on_modal_submit(_event: &ModalSubmit) {}

    #[event]
    pub async fn on_application_command_error(_event: &ApplicationCommandError) {}

    #[event]
    pub async fn on_thread_create(_event: &ThreadCreate) {}

    #[event]
    pub async fn on_thread_update(_event: &ThreadUpdate) {}

    #[event]
    pub async fn on_thread_delete(_event: &ThreadDelete) {}

    #[event]
    pub async fn on_raw_thread_update(_event: &RawThreadUpdate) {}

    #[event]
    pub async fn on_raw_thread_delete(_event: &RawThreadDelete) {}

    #[event]
    pub async fn on_thread_member_join(_event: &ThreadMemberJoin) {}

    #[event]
    pub async fn on_thread_member_remove(_event: &ThreadMemberRemove) {}

    #[event]
    pub async fn on_scheduled_event_create(_event: &GuildScheduledEventCreate) {}

    #[event]
    pub async fn on_scheduled_event_update(_event: &ScheduledEventUpdate) {}

    #[event]
    pub async fn on_scheduled_event_delete(_event: &GuildScheduledEventDelete) {}

    #[event]
    pub async fn on_scheduled_event_user_add(_event: &GuildScheduledEventUserAdd) {}

    #[event]
    pub async fn on_scheduled_event_user_remove(_event: &GuildScheduledEventUserRemove) {}

    #[event]
    pub async fn on_invite_create(_event: &InviteCreate) {}

    #[event]
    pub async fn on_invite_delete(_event: &InviteDelete) {}

    #[event]
    pub async fn on_webhooks_update(_event: &WebhooksUpdate) {}

    #[event]
    pub async fn on_integration_create(_event: &IntegrationCreate) {}

    #[event]
    pub async fn on_integration_update(_event: &IntegrationUpdate) {}

    #[event]
    pub async fn on_integration_delete(_event: &IntegrationDelete) {}

    #[event]
    pub async fn on_entitlement_create(_event: &EntitlementCreate) {}

    #[event]
    pub async fn on_entitlement_update(_event: &EntitlementUpdate) {}

    #[event]
    pub async fn on_entitlement_delete(_event: &EntitlementDelete) {}

    #[event]
    pub async fn on_gateway_dispatch(_event: &GatewayDispatch) {}

    #[event]
    pub async fn on_automod_rule_create(_event: &AutoModerationRuleCreate) {}

    #[event]
    pub async fn on_automod_rule_update(_event: &AutoModerationRuleUpdate) {}

    #[event]
    pub async fn on_automod_rule_delete(_event: &AutoModerationRuleDelete) {}

    #[event]
    pub async fn on_automod_action_execution(_event: &AutoModerationActionExecution) {}
}

/// The names the handlers cover, in catalog order.
pub const HANDLED: &[&str] = &[
    "connect",
    "disconnect",
    "ready",
    "resumed",
    "shard_connect",
    "shard_disconnect",
    "shard_ready",
    "shard_resumed",
    "error",
    "message",
    "message_edit",
    "message_delete",
    "bulk_message_delete",
    "raw_message_edit",
    "raw_message_delete",
    "raw_bulk_message_delete",
    "typing",
    "poll_vote_add",
    "poll_vote_remove",
    "reaction_add",
    "reaction_remove",
    "reaction_clear",
    "reaction_clear_emoji",
    "raw_reaction_add",
    "raw_reaction_remove",
    "raw_reaction_clear",
    "raw_reaction_clear_emoji",
    "member_join",
    "member_remove",
    "member_update",
    "user_update",
    "member_ban",
    "member_unban",
    "member_chunk",
    "presence_update",
    "guild_join",
    "guild_remove",
    "guild_update",
    "guild_available",
    "guild_unavailable",
    "guild_channel_create",
    "guild_channel_delete",
    "guild_channel_update",
    "guild_channel_pins_update",
    "guild_role_create",
    "guild_role_delete",
    "guild_role_update",
    "guild_emojis_update",
    "guild_stickers_update",
    "audit_log_entry_create",
    "voice_state_update",
    "voice_server_update",
    "stage_instance_create",
    "stage_instance_delete",
    "stage_instance_update",
    "interaction",
    "application_command",
    "application_command_autocomplete",
    "message_interaction",
    "button_click",
    "dropdown",
    "modal_submit",
    "application_command_error",
    "thread_create",
    "thread_update",
    "thread_delete",
    "raw_thread_update",
    "raw_thread_delete",
    "thread_member_join",
    "thread_member_remove",
    "scheduled_event_create",
    "scheduled_event_update",
    "scheduled_event_delete",
    "scheduled_event_user_add",
    "scheduled_event_user_remove",
    "invite_create",
    "invite_delete",
    "webhooks_update",
    "integration_create",
    "integration_update",
    "integration_delete",
    "entitlement_create",
    "entitlement_update",
    "entitlement_delete",
    "gateway_dispatch",
    "automod_rule_create",
    "automod_rule_update",
    "automod_rule_delete",
    "automod_action_execution",
];

/// Registers every handler.
pub fn register_all(builder: BotBuilder) -> BotBuilder {
    builder
        .event(handlers::on_connect)
        .event(handlers::on_disconnect)
        .event(handlers::on_ready)
        .event(handlers::on_resumed)
        .event(handlers::on_shard_connect)
        .event(handlers::on_shard_disconnect)
        .event(handlers::on_shard_ready)
        .event(handlers::on_shard_resumed)
        .event(handlers::on_error)
        .event(handlers::on_message)
        .event(handlers::on_message_edit)
        .event(handlers::on_message_delete)
        .event(handlers::on_bulk_message_delete)
        .event(handlers::on_raw_message_edit)
        .event(handlers::on_raw_message_delete)
        .event(handlers::on_raw_bulk_message_delete)
        .event(handlers::on_typing)
        .event(handlers::on_poll_vote_add)
        .event(handlers::on_poll_vote_remove)
        .event(handlers::on_reaction_add)
        .event(handlers::on_reaction_remove)
        .event(handlers::on_reaction_clear)
        .event(handlers::on_reaction_clear_emoji)
        .event(handlers::on_raw_reaction_add)
        .event(handlers::on_raw_reaction_remove)
        .event(handlers::on_raw_reaction_clear)
        .event(handlers::on_raw_reaction_clear_emoji)
        .event(handlers::on_member_join)
        .event(handlers::on_member_remove)
        .event(handlers::on_member_update)
        .event(handlers::on_user_update)
        .event(handlers::on_member_ban)
        .event(handlers::on_member_unban)
        .event(handlers::on_member_chunk)
        .event(handlers::on_presence_update)
        .event(handlers::on_guild_join)
        .event(handlers::on_guild_remove)
        .event(handlers::on_guild_update)
        .event(handlers::on_guild_available)
        .event(handlers::on_guild_unavailable)
        .event(handlers::on_guild_channel_create)
        .event(handlers::on_guild_channel_delete)
        .event(handlers::on_guild_channel_update)
        .event(handlers::on_guild_channel_pins_update)
        .event(handlers::on_guild_role_create)
        .event(handlers::on_guild_role_delete)
        .event(handlers::on_guild_role_update)
        .event(handlers::on_guild_emojis_update)
        .event(handlers::on_guild_stickers_update)
        .event(handlers::on_audit_log_entry_create)
        .event(handlers::on_voice_state_update)
        .event(handlers::on_voice_server_update)
        .event(handlers::on_stage_instance_create)
        .event(handlers::on_stage_instance_delete)
        .event(handlers::on_stage_instance_update)
        .event(handlers::on_interaction)
        .event(handlers::on_application_command)
        .event(handlers::on_application_command_autocomplete)
        .event(handlers::on_message_interaction)
        .event(handlers::on_button_click)
        .event(handlers::on_dropdown)
        .event(handlers::on_modal_submit)
        .event(handlers::on_application_command_error)
        .event(handlers::on_thread_create)
        .event(handlers::on_thread_update)
        .event(handlers::on_thread_delete)
        .event(handlers::on_raw_thread_update)
        .event(handlers::on_raw_thread_delete)
        .event(handlers::on_thread_member_join)
        .event(handlers::on_thread_member_remove)
        .event(handlers::on_scheduled_event_create)
        .event(handlers::on_scheduled_event_update)
        .event(handlers::on_scheduled_event_delete)
        .event(handlers::on_scheduled_event_user_add)
        .event(handlers::on_scheduled_event_user_remove)
        .event(handlers::on_invite_create)
        .event(handlers::on_invite_delete)
        .event(handlers::on_webhooks_update)
        .event(handlers::on_integration_create)
        .event(handlers::on_integration_update)
        .event(handlers::on_integration_delete)
        .event(handlers::on_entitlement_create)
        .event(handlers::on_entitlement_update)
        .event(handlers::on_entitlement_delete)
        .event(handlers::on_gateway_dispatch)
        .event(handlers::on_automod_rule_create)
        .event(handlers::on_automod_rule_update)
        .event(handlers::on_automod_rule_delete)
        .event(handlers::on_automod_action_execution)
}
