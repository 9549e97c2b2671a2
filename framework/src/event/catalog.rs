//! The event catalog: every event herald dispatches, with its name, type, disnake counterpart,
//! gateway source, intents and cache needs.
//!
//! `docs/events.md` is this table, rendered, and a test keeps the two equal. The gateway layer
//! reads it too: an event type's gateway sources are the frames herald deserialises once a
//! listener or waiter of that type exists.

use std::any::TypeId;
use std::collections::HashMap;
use std::sync::LazyLock;

use twilight_cache_inmemory::ResourceType;
use twilight_gateway::EventTypeFlags;
use twilight_model::gateway::Intents;

use std::sync::Arc;

use twilight_model::gateway::event::Event as Frame;

use super::ListenerError;
use super::gateway::*;
use super::guild::*;
use super::intents::{AUTOMOD_CONFIGURATION, AUTOMOD_EXECUTION, MESSAGES, PINS, POLLS, TYPING};
use super::interaction::*;
use super::lifecycle::*;
use super::message::*;
use super::raw::*;
use super::{Event, Keys};

/// One event of the catalog.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CatalogEntry {
    /// The section of `docs/events.md` it is listed in.
    pub group: &'static str,
    /// herald's name: `#[event] async fn on_<name>`.
    pub name: &'static str,
    /// The Rust type a listener takes (`&Type`).
    pub type_name: &'static str,
    /// disnake's handler for the same event.
    pub disnake: &'static str,
    /// What the event carries.
    pub params: &'static str,
    /// The gateway dispatches it is made from; empty for events herald makes itself.
    pub gateway: EventTypeFlags,
    /// Where it comes from when not from one gateway dispatch (lifecycle, derived events).
    pub origin: &'static str,
    /// The intents it is sent under: a listener can fire when the bot has any of them.
    pub intents: Intents,
    /// The cache resources its cached fields (`before`, the deleted object, ...) come from.
    pub cache: ResourceType,
    /// The event type's id.
    pub type_id: TypeId,
}

/// Every event herald dispatches, grouped as in `docs/events.md`.
pub fn catalog() -> &'static [CatalogEntry] {
    &CATALOG
}

/// The catalog entry of event type `id`.
pub(crate) fn entry_of(id: TypeId) -> Option<&'static CatalogEntry> {
    static BY_TYPE: LazyLock<HashMap<TypeId, usize>> = LazyLock::new(|| {
        CATALOG
            .iter()
            .enumerate()
            .map(|(i, e)| (e.type_id, i))
            .collect()
    });
    BY_TYPE.get(&id).map(|&i| &CATALOG[i])
}

fn entry<E: Event>(
    group: &'static str,
    type_name: &'static str,
    disnake: &'static str,
    params: &'static str,
    gateway: EventTypeFlags,
    origin: &'static str,
    cache: ResourceType,
) -> CatalogEntry {
    CatalogEntry {
        group,
        name: E::NAME,
        type_name,
        disnake,
        params,
        gateway,
        origin,
        intents: E::INTENTS,
        cache,
        type_id: TypeId::of::<E>(),
    }
}

/// The table of events: one row per event, in `docs/events.md`'s sections,
///
/// `Type (name, INTENTS, |e| keys)?, "disnake", "params", [GATEWAY_FLAG | ..], "origin", [CACHE | ..];`
///
/// A row with `(name, intents, |e| keys)` is a *pass-through* event, a twilight-model payload
/// herald dispatches as it is: the row implements `Event` for it and the gateway layer dispatches
/// its frame ([`pass_through`]), so adding one is this row (and its re-export). Other rows are
/// herald's own events, whose types implement `Event` where they are defined. From the table come
/// the runtime catalog ([`catalog`]), the gateway flags each event type needs, `docs/events.md`
/// and the names `#[event]` knows (`macros/src/catalog.rs`, both generated from the catalog by
/// `HERALD_BLESS=1 cargo test --test catalog`, and checked by it).
macro_rules! events {
    ($($group:literal: [$(
        $ty:ident $(($name:literal, $intents:expr, |$ev:ident| $keys:expr))?,
        $disnake:literal, $params:literal, [$($flag:ident)|*], $origin:literal, [$($cache:ident)|*];
    )*])*) => {
        $($($(
            impl Event for $ty {
                const NAME: &'static str = $name;
                const INTENTS: Intents = $intents;
                fn keys(&self) -> Keys {
                    let $ev = self;
                    $keys
                }
            }
        )?)*)*

        fn rows() -> Vec<CatalogEntry> {
            vec![$($(
                entry::<$ty>(
                    $group,
                    stringify!($ty),
                    $disnake,
                    $params,
                    EventTypeFlags::empty() $(.union(EventTypeFlags::$flag))*,
                    $origin,
                    ResourceType::empty() $(.union(ResourceType::$cache))*,
                ),
            )*)*]
        }

        /// Dispatches a frame that carries a pass-through event to `to`; gives any other frame
        /// back.
        pub(crate) fn pass_through(frame: Frame, to: &impl Dispatch) -> Option<Frame> {
            match frame {
                $($($(
                    Frame::$ty(event) => {
                        // Names the row's pass-through part, so that only those rows make an arm.
                        let _name: &str = $name;
                        to.dispatch(Arc::<$ty>::from(event));
                        None
                    }
                )?)*)*
                other => Some(other),
            }
        }
    };
}

/// Where [`pass_through`] hands events: the router, through the bot's context.
pub(crate) trait Dispatch {
    /// Dispatches one event.
    fn dispatch<E: Event>(&self, event: Arc<E>);
}

static CATALOG: LazyLock<Vec<CatalogEntry>> = LazyLock::new(rows);

events! {
    "Lifecycle and shards": [
        Connect, "on_connect()", "", [], "the first shard connects (HELLO)", [];
        Disconnect, "on_disconnect()", "", [], "the last connected shard loses its connection", [];
        Ready, "on_ready()", "guilds", [], "every shard is ready and its guilds arrived (or guild_ready_timeout passed)", [];
        Resumed, "on_resumed()", "shard_id", [], "a shard resumed its session (RESUMED)", [];
        ShardConnect, "on_shard_connect(shard_id)", "shard_id", [], "a shard connects (HELLO)", [];
        ShardDisconnect, "on_shard_disconnect(shard_id)", "shard_id, code, reason", [], "a shard's connection closes or is lost", [];
        ShardReady, "on_shard_ready(shard_id)", "shard_id, guilds", [], "a shard's READY and the guilds it listed arrived", [];
        ShardResumed, "on_shard_resumed(shard_id)", "shard_id", [], "a shard resumed its session (RESUMED)", [];
        ListenerError, "on_error(event, *args)", "event, listener, error", [], "a listener returned an error or panicked", [];
    ]
    "Messages": [
        MessageCreate ("message", MESSAGES, |e| Keys { guild: e.guild_id, channel: Some(e.channel_id), message: Some(e.id), user: Some(e.author.id) }),
            "on_message(message)", "the message", [MESSAGE_CREATE], "", [];
        MessageEdit, "on_message_edit(before, after)", "before: Option<CachedMessage>, after: Message", [MESSAGE_UPDATE], "", [MESSAGE];
        MessageDelete, "on_message_delete(message)", "raw, message: Option<CachedMessage>", [MESSAGE_DELETE], "", [MESSAGE];
        BulkMessageDelete, "on_bulk_message_delete(messages)", "raw, messages: Vec<CachedMessage>", [MESSAGE_DELETE_BULK], "", [MESSAGE];
        RawMessageEdit, "on_raw_message_edit(payload)", "the message after", [MESSAGE_UPDATE], "", [];
        RawMessageDelete, "on_raw_message_delete(payload)", "id, channel_id, guild_id", [MESSAGE_DELETE], "", [];
        RawBulkMessageDelete, "on_raw_bulk_message_delete(payload)", "ids, channel_id, guild_id", [MESSAGE_DELETE_BULK], "", [];
        TypingStart ("typing", TYPING, |e| Keys { guild: e.guild_id, channel: Some(e.channel_id), message: None, user: Some(e.user_id) }),
            "on_typing(channel, user, when)", "channel_id, user_id, member, timestamp", [TYPING_START], "", [];
        MessagePollVoteAdd ("poll_vote_add", POLLS, |e| Keys { guild: e.guild_id, channel: Some(e.channel_id), message: Some(e.message_id), user: Some(e.user_id) }),
            "on_raw_poll_vote_add(payload)", "user_id, channel_id, message_id, guild_id, answer_id", [MESSAGE_POLL_VOTE_ADD], "", [];
        MessagePollVoteRemove ("poll_vote_remove", POLLS, |e| Keys { guild: e.guild_id, channel: Some(e.channel_id), message: Some(e.message_id), user: Some(e.user_id) }),
            "on_raw_poll_vote_remove(payload)", "user_id, channel_id, message_id, guild_id, answer_id", [MESSAGE_POLL_VOTE_REMOVE], "", [];
    ]
    "Reactions": [
        ReactionAdd, "on_reaction_add(reaction, user)", "raw, user: Option<User>, message: Option<CachedMessage>", [REACTION_ADD], "", [MESSAGE | REACTION | USER];
        ReactionRemove, "on_reaction_remove(reaction, user)", "raw, user: Option<User>, message: Option<CachedMessage>", [REACTION_REMOVE], "", [MESSAGE | REACTION | USER];
        ReactionClear, "on_reaction_clear(message, reactions)", "raw, message (before): Option<CachedMessage>", [REACTION_REMOVE_ALL], "", [MESSAGE | REACTION];
        ReactionClearEmoji, "on_reaction_clear_emoji(reaction)", "raw (emoji), message (before): Option<CachedMessage>", [REACTION_REMOVE_EMOJI], "", [MESSAGE | REACTION];
        RawReactionAdd, "on_raw_reaction_add(payload)", "emoji, user_id, message_id, channel_id, guild_id, member", [REACTION_ADD], "", [];
        RawReactionRemove, "on_raw_reaction_remove(payload)", "emoji, user_id, message_id, channel_id, guild_id", [REACTION_REMOVE], "", [];
        RawReactionClear, "on_raw_reaction_clear(payload)", "message_id, channel_id, guild_id", [REACTION_REMOVE_ALL], "", [];
        RawReactionClearEmoji, "on_raw_reaction_clear_emoji(payload)", "emoji, message_id, channel_id, guild_id", [REACTION_REMOVE_EMOJI], "", [];
    ]
    "Members and users": [
        MemberAdd ("member_join", Intents::GUILD_MEMBERS, |e| Keys { guild: Some(e.guild_id), user: Some(e.user.id), ..Keys::NONE }),
            "on_member_join(member)", "the member, guild_id", [MEMBER_ADD], "", [];
        MemberRemove, "on_member_remove(member)", "raw (guild_id, user), member: Option<CachedMember>", [MEMBER_REMOVE], "", [MEMBER];
        MemberUpdate, "on_member_update(before, after)", "before: Option<CachedMember>, after", [MEMBER_UPDATE], "", [MEMBER];
        UserUpdate, "on_user_update(before, after)", "before: User, after: User", [MEMBER_UPDATE], "a member update whose user differs from the cached user", [USER];
        BanAdd ("member_ban", Intents::GUILD_MODERATION, |e| Keys { guild: Some(e.guild_id), user: Some(e.user.id), ..Keys::NONE }),
            "on_member_ban(guild, user)", "guild_id, user", [BAN_ADD], "", [];
        BanRemove ("member_unban", Intents::GUILD_MODERATION, |e| Keys { guild: Some(e.guild_id), user: Some(e.user.id), ..Keys::NONE }),
            "on_member_unban(guild, user)", "guild_id, user", [BAN_REMOVE], "", [];
        MemberChunk ("member_chunk", Intents::empty(), |e| Keys { guild: Some(e.guild_id), ..Keys::NONE }),
            "— (`await guild.chunk()`: `ctx.request_members(guild)`)", "guild_id, members, presences, chunk_index, chunk_count, not_found, nonce", [MEMBER_CHUNK], "after a member request (gateway op 8)", [];
        PresenceUpdate, "on_presence_update(before, after)", "before: Option<CachedPresence>, after: Presence", [PRESENCE_UPDATE], "", [PRESENCE];
    ]
    "Guilds": [
        GuildJoin, "on_guild_join(guild)", "guild: Guild", [GUILD_CREATE], "GUILD_CREATE of a guild READY did not list", [];
        GuildRemove, "on_guild_remove(guild)", "id, guild: Option<CachedGuild>", [GUILD_DELETE], "GUILD_DELETE without `unavailable`", [GUILD];
        GuildUpdate, "on_guild_update(before, after)", "before: Option<CachedGuild>, after: PartialGuild", [GUILD_UPDATE], "", [GUILD];
        GuildAvailable, "on_guild_available(guild)", "guild: Guild", [GUILD_CREATE], "GUILD_CREATE of a guild READY listed or that was unavailable", [];
        GuildUnavailable, "on_guild_unavailable(guild)", "id, guild: Option<CachedGuild>", [GUILD_DELETE], "GUILD_DELETE with `unavailable: true`", [GUILD];
        ChannelCreate ("guild_channel_create", Intents::GUILDS, |e| Keys { guild: e.guild_id, channel: Some(e.id), ..Keys::NONE }),
            "on_guild_channel_create(channel)", "the channel", [CHANNEL_CREATE], "", [];
        ChannelDelete ("guild_channel_delete", Intents::GUILDS, |e| Keys { guild: e.guild_id, channel: Some(e.id), ..Keys::NONE }),
            "on_guild_channel_delete(channel)", "the channel", [CHANNEL_DELETE], "", [];
        ChannelUpdate, "on_guild_channel_update(before, after)", "before: Option<Channel>, after: Channel", [CHANNEL_UPDATE], "", [CHANNEL];
        ChannelPinsUpdate ("guild_channel_pins_update", PINS, |e| Keys { guild: e.guild_id, channel: Some(e.channel_id), ..Keys::NONE }),
            "on_guild_channel_pins_update(channel, last_pin)", "channel_id, guild_id, last_pin_timestamp", [CHANNEL_PINS_UPDATE], "", [];
        RoleCreate ("guild_role_create", Intents::GUILDS, |e| Keys { guild: Some(e.guild_id), ..Keys::NONE }),
            "on_guild_role_create(role)", "guild_id, role", [ROLE_CREATE], "", [];
        RoleDelete, "on_guild_role_delete(role)", "guild_id, role_id, role: Option<Role>", [ROLE_DELETE], "", [ROLE];
        RoleUpdate, "on_guild_role_update(before, after)", "guild_id, before: Option<Role>, after: Role", [ROLE_UPDATE], "", [ROLE];
        GuildEmojisUpdate, "on_guild_emojis_update(guild, before, after)", "guild_id, before: Vec<CachedEmoji>, after: Vec<Emoji>", [GUILD_EMOJIS_UPDATE], "", [EMOJI];
        GuildStickersUpdate, "on_guild_stickers_update(guild, before, after)", "guild_id, before: Vec<CachedSticker>, after: Vec<Sticker>", [GUILD_STICKERS_UPDATE], "decoded by herald: twilight 0.18's shard skips it", [STICKER];
        GuildAuditLogEntryCreate ("audit_log_entry_create", Intents::GUILD_MODERATION, |e| Keys { guild: e.0.guild_id, user: e.0.user_id, ..Keys::NONE }),
            "on_audit_log_entry_create(entry)", "the audit log entry (guild_id, action_type, user_id, target_id, changes, reason)", [GUILD_AUDIT_LOG_ENTRY_CREATE], "", [];
    ]
    "Voice and stages": [
        VoiceStateUpdate, "on_voice_state_update(member, before, after)", "before: Option<CachedVoiceState>, after: VoiceState (member in after.member)", [VOICE_STATE_UPDATE], "", [VOICE_STATE];
        VoiceServerUpdate ("voice_server_update", Intents::empty(), |e| Keys { guild: Some(e.guild_id), ..Keys::NONE }),
            "on_voice_server_update(data)", "guild_id, token, endpoint", [VOICE_SERVER_UPDATE], "after the bot asks to join a voice channel", [];
        StageInstanceCreate ("stage_instance_create", Intents::GUILDS, |e| Keys { guild: Some(e.guild_id), channel: Some(e.channel_id), ..Keys::NONE }),
            "on_stage_instance_create(stage_instance)", "the stage instance", [STAGE_INSTANCE_CREATE], "", [];
        StageInstanceDelete ("stage_instance_delete", Intents::GUILDS, |e| Keys { guild: Some(e.guild_id), channel: Some(e.channel_id), ..Keys::NONE }),
            "on_stage_instance_delete(stage_instance)", "the stage instance", [STAGE_INSTANCE_DELETE], "", [];
        StageInstanceUpdate, "on_stage_instance_update(before, after)", "before: Option<StageInstance>, after: StageInstance", [STAGE_INSTANCE_UPDATE], "", [STAGE_INSTANCE];
    ]
    "Interactions": [
        InteractionCreate, "on_interaction(interaction)", "the interaction", [INTERACTION_CREATE], "", [];
        ApplicationCommand, "on_application_command(interaction)", "interaction, data: CommandData", [INTERACTION_CREATE], "an application command interaction", [];
        Autocomplete, "on_application_command_autocomplete(interaction)", "interaction, data: CommandData; focused()", [INTERACTION_CREATE], "an autocomplete interaction", [];
        MessageInteraction, "on_message_interaction(interaction)", "interaction, data: MessageComponentInteractionData", [INTERACTION_CREATE], "a message component interaction", [];
        ButtonClick, "on_button_click(interaction)", "interaction, data: MessageComponentInteractionData", [INTERACTION_CREATE], "a button's component interaction", [];
        Dropdown, "on_dropdown(interaction)", "interaction, data: MessageComponentInteractionData", [INTERACTION_CREATE], "a select menu's component interaction", [];
        ModalSubmit, "on_modal_submit(interaction)", "interaction, data: ModalInteractionData", [INTERACTION_CREATE], "a modal submit interaction", [];
        ApplicationCommandError, "on_application_command_error(interaction, error)", "command: Arc<ApplicationCommand>, listener, error", [], "an application_command listener failed", [];
    ]
    "Threads": [
        ThreadCreate ("thread_create", Intents::GUILDS, |e| Keys { guild: e.guild_id, channel: Some(e.id), ..Keys::NONE }),
            "on_thread_create(thread)", "the thread", [THREAD_CREATE], "", [];
        ThreadUpdate, "on_thread_update(before, after)", "before: Option<Channel>, after: Channel", [THREAD_UPDATE], "", [CHANNEL];
        ThreadDelete, "on_thread_delete(thread)", "raw, thread: Option<Channel>", [THREAD_DELETE], "", [CHANNEL];
        RawThreadUpdate, "on_raw_thread_update(after)", "the thread after", [THREAD_UPDATE], "", [];
        RawThreadDelete, "on_raw_thread_delete(payload)", "id, guild_id, parent_id, kind", [THREAD_DELETE], "", [];
        ThreadMemberJoin, "on_thread_member_join(member)", "guild_id, thread_id, member: ThreadMember", [THREAD_MEMBERS_UPDATE], "one per added member", [];
        ThreadMemberRemove, "on_thread_member_remove(member)", "guild_id, thread_id, user_id", [THREAD_MEMBERS_UPDATE], "one per removed member", [];
    ]
    "Scheduled events": [
        GuildScheduledEventCreate ("scheduled_event_create", Intents::GUILD_SCHEDULED_EVENTS, |e| Keys { guild: Some(e.guild_id), channel: e.channel_id, ..Keys::NONE }),
            "on_scheduled_event_create(event)", "the scheduled event", [GUILD_SCHEDULED_EVENT_CREATE], "", [];
        ScheduledEventUpdate, "on_scheduled_event_update(before, after)", "before: Option<GuildScheduledEvent>, after", [GUILD_SCHEDULED_EVENT_UPDATE], "", [GUILD_SCHEDULED_EVENT];
        GuildScheduledEventDelete ("scheduled_event_delete", Intents::GUILD_SCHEDULED_EVENTS, |e| Keys { guild: Some(e.guild_id), channel: e.channel_id, ..Keys::NONE }),
            "on_scheduled_event_delete(event)", "the scheduled event", [GUILD_SCHEDULED_EVENT_DELETE], "", [];
        GuildScheduledEventUserAdd ("scheduled_event_user_add", Intents::GUILD_SCHEDULED_EVENTS, |e| Keys { guild: Some(e.guild_id), user: Some(e.user_id), ..Keys::NONE }),
            "on_scheduled_event_user_add(event, user)", "guild_id, guild_scheduled_event_id, user_id", [GUILD_SCHEDULED_EVENT_USER_ADD], "", [];
        GuildScheduledEventUserRemove ("scheduled_event_user_remove", Intents::GUILD_SCHEDULED_EVENTS, |e| Keys { guild: Some(e.guild_id), user: Some(e.user_id), ..Keys::NONE }),
            "on_scheduled_event_user_remove(event, user)", "guild_id, guild_scheduled_event_id, user_id", [GUILD_SCHEDULED_EVENT_USER_REMOVE], "", [];
    ]
    "Invites, webhooks and integrations": [
        InviteCreate ("invite_create", Intents::GUILD_INVITES, |e| Keys { guild: Some(e.guild_id), channel: Some(e.channel_id), user: e.inviter.as_ref().map(|u| u.id), ..Keys::NONE }),
            "on_invite_create(invite)", "the invite: code, channel_id, guild_id, inviter, max_age, max_uses, temporary", [INVITE_CREATE], "", [];
        InviteDelete ("invite_delete", Intents::GUILD_INVITES, |e| Keys { guild: Some(e.guild_id), channel: Some(e.channel_id), ..Keys::NONE }),
            "on_invite_delete(invite)", "code, channel_id, guild_id", [INVITE_DELETE], "", [];
        WebhooksUpdate ("webhooks_update", Intents::GUILD_WEBHOOKS, |e| Keys { guild: Some(e.guild_id), channel: Some(e.channel_id), ..Keys::NONE }),
            "on_webhooks_update(channel)", "guild_id, channel_id", [WEBHOOKS_UPDATE], "", [];
        IntegrationCreate ("integration_create", Intents::GUILD_INTEGRATIONS, |e| Keys { guild: e.0.guild_id, user: e.0.user.as_ref().map(|u| u.id), ..Keys::NONE }),
            "on_integration_create(integration)", "the integration", [INTEGRATION_CREATE], "", [];
        IntegrationUpdate ("integration_update", Intents::GUILD_INTEGRATIONS, |e| Keys { guild: e.0.guild_id, user: e.0.user.as_ref().map(|u| u.id), ..Keys::NONE }),
            "on_integration_update(integration)", "the integration", [INTEGRATION_UPDATE], "", [];
        IntegrationDelete ("integration_delete", Intents::GUILD_INTEGRATIONS, |e| Keys { guild: Some(e.guild_id), ..Keys::NONE }),
            "on_raw_integration_delete(payload)", "id, guild_id, application_id", [INTEGRATION_DELETE], "", [];
    ]
    "Monetization": [
        EntitlementCreate ("entitlement_create", Intents::empty(), |e| Keys { guild: e.0.guild_id, user: e.0.user_id, ..Keys::NONE }),
            "on_entitlement_create(entitlement)", "the entitlement", [ENTITLEMENT_CREATE], "", [];
        EntitlementUpdate ("entitlement_update", Intents::empty(), |e| Keys { guild: e.0.guild_id, user: e.0.user_id, ..Keys::NONE }),
            "on_entitlement_update(entitlement)", "the entitlement", [ENTITLEMENT_UPDATE], "decoded by herald: twilight 0.18's shard skips it", [];
        EntitlementDelete ("entitlement_delete", Intents::empty(), |e| Keys { guild: e.0.guild_id, user: e.0.user_id, ..Keys::NONE }),
            "on_entitlement_delete(entitlement)", "the entitlement", [ENTITLEMENT_DELETE], "decoded by herald: twilight 0.18's shard skips it", [];
    ]
    "Raw gateway dispatches": [
        GatewayDispatch, "on_socket_raw_receive(msg)", "shard_id, kind, sequence, data (JSON)", [], "every gateway dispatch, before herald parses it", [];
    ]
    "Auto moderation": [
        AutoModerationRuleCreate ("automod_rule_create", AUTOMOD_CONFIGURATION, |e| Keys { guild: Some(e.guild_id), ..Keys::NONE }),
            "on_automod_rule_create(rule)", "the rule", [AUTO_MODERATION_RULE_CREATE], "", [];
        AutoModerationRuleUpdate ("automod_rule_update", AUTOMOD_CONFIGURATION, |e| Keys { guild: Some(e.guild_id), ..Keys::NONE }),
            "on_automod_rule_update(rule)", "the rule", [AUTO_MODERATION_RULE_UPDATE], "", [];
        AutoModerationRuleDelete ("automod_rule_delete", AUTOMOD_CONFIGURATION, |e| Keys { guild: Some(e.guild_id), ..Keys::NONE }),
            "on_automod_rule_delete(rule)", "the rule", [AUTO_MODERATION_RULE_DELETE], "", [];
        AutoModerationActionExecution ("automod_action_execution", AUTOMOD_EXECUTION, |e| Keys { guild: Some(e.guild_id), channel: e.channel_id, message: e.message_id, user: Some(e.user_id) }),
            "on_automod_action_execution(execution)", "guild_id, rule_id, action, user_id, channel_id, content, matched_keyword", [AUTO_MODERATION_ACTION_EXECUTION], "", [];
    ]
}
