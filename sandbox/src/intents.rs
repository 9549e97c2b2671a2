//! Which gateway intent a dispatch needs: the one table to grow when the
//! sandbox learns new events.

use twilight_model::gateway::Intents;

/// One row: event name, intent needed in a guild, intent needed outside a
/// guild (DMs). `None` means the event is always delivered.
type Row = (&'static str, Option<Intents>, Option<Intents>);

const GUILDS: Option<Intents> = Some(Intents::GUILDS);
const MEMBERS: Option<Intents> = Some(Intents::GUILD_MEMBERS);

/// The intent table (from Discord's gateway documentation, see PROTOCOL.md).
const TABLE: &[Row] = &[
    ("GUILD_CREATE", GUILDS, GUILDS),
    ("GUILD_UPDATE", GUILDS, GUILDS),
    ("GUILD_DELETE", GUILDS, GUILDS),
    ("GUILD_ROLE_CREATE", GUILDS, GUILDS),
    ("GUILD_ROLE_UPDATE", GUILDS, GUILDS),
    ("GUILD_ROLE_DELETE", GUILDS, GUILDS),
    ("CHANNEL_CREATE", GUILDS, GUILDS),
    ("CHANNEL_UPDATE", GUILDS, GUILDS),
    ("CHANNEL_DELETE", GUILDS, GUILDS),
    (
        "CHANNEL_PINS_UPDATE",
        GUILDS,
        Some(Intents::DIRECT_MESSAGES),
    ),
    ("THREAD_CREATE", GUILDS, GUILDS),
    ("THREAD_UPDATE", GUILDS, GUILDS),
    ("THREAD_DELETE", GUILDS, GUILDS),
    ("THREAD_LIST_SYNC", GUILDS, GUILDS),
    ("THREAD_MEMBER_UPDATE", GUILDS, GUILDS),
    ("THREAD_MEMBERS_UPDATE", GUILDS, GUILDS),
    ("STAGE_INSTANCE_CREATE", GUILDS, GUILDS),
    ("STAGE_INSTANCE_UPDATE", GUILDS, GUILDS),
    ("STAGE_INSTANCE_DELETE", GUILDS, GUILDS),
    ("GUILD_MEMBER_ADD", MEMBERS, MEMBERS),
    ("GUILD_MEMBER_UPDATE", MEMBERS, MEMBERS),
    ("GUILD_MEMBER_REMOVE", MEMBERS, MEMBERS),
    (
        "GUILD_AUDIT_LOG_ENTRY_CREATE",
        Some(Intents::GUILD_MODERATION),
        Some(Intents::GUILD_MODERATION),
    ),
    (
        "GUILD_BAN_ADD",
        Some(Intents::GUILD_MODERATION),
        Some(Intents::GUILD_MODERATION),
    ),
    (
        "GUILD_BAN_REMOVE",
        Some(Intents::GUILD_MODERATION),
        Some(Intents::GUILD_MODERATION),
    ),
    (
        "GUILD_EMOJIS_UPDATE",
        Some(Intents::GUILD_EMOJIS_AND_STICKERS),
        Some(Intents::GUILD_EMOJIS_AND_STICKERS),
    ),
    (
        "GUILD_STICKERS_UPDATE",
        Some(Intents::GUILD_EMOJIS_AND_STICKERS),
        Some(Intents::GUILD_EMOJIS_AND_STICKERS),
    ),
    (
        "VOICE_STATE_UPDATE",
        Some(Intents::GUILD_VOICE_STATES),
        Some(Intents::GUILD_VOICE_STATES),
    ),
    (
        "PRESENCE_UPDATE",
        Some(Intents::GUILD_PRESENCES),
        Some(Intents::GUILD_PRESENCES),
    ),
    (
        "MESSAGE_CREATE",
        Some(Intents::GUILD_MESSAGES),
        Some(Intents::DIRECT_MESSAGES),
    ),
    (
        "MESSAGE_UPDATE",
        Some(Intents::GUILD_MESSAGES),
        Some(Intents::DIRECT_MESSAGES),
    ),
    (
        "MESSAGE_DELETE",
        Some(Intents::GUILD_MESSAGES),
        Some(Intents::DIRECT_MESSAGES),
    ),
    (
        "MESSAGE_DELETE_BULK",
        Some(Intents::GUILD_MESSAGES),
        Some(Intents::DIRECT_MESSAGES),
    ),
    (
        "MESSAGE_REACTION_ADD",
        Some(Intents::GUILD_MESSAGE_REACTIONS),
        Some(Intents::DIRECT_MESSAGE_REACTIONS),
    ),
    (
        "MESSAGE_REACTION_REMOVE",
        Some(Intents::GUILD_MESSAGE_REACTIONS),
        Some(Intents::DIRECT_MESSAGE_REACTIONS),
    ),
    (
        "MESSAGE_REACTION_REMOVE_ALL",
        Some(Intents::GUILD_MESSAGE_REACTIONS),
        Some(Intents::DIRECT_MESSAGE_REACTIONS),
    ),
    (
        "MESSAGE_REACTION_REMOVE_EMOJI",
        Some(Intents::GUILD_MESSAGE_REACTIONS),
        Some(Intents::DIRECT_MESSAGE_REACTIONS),
    ),
    (
        "TYPING_START",
        Some(Intents::GUILD_MESSAGE_TYPING),
        Some(Intents::DIRECT_MESSAGE_TYPING),
    ),
    (
        "GUILD_SCHEDULED_EVENT_CREATE",
        Some(Intents::GUILD_SCHEDULED_EVENTS),
        Some(Intents::GUILD_SCHEDULED_EVENTS),
    ),
    (
        "GUILD_SCHEDULED_EVENT_UPDATE",
        Some(Intents::GUILD_SCHEDULED_EVENTS),
        Some(Intents::GUILD_SCHEDULED_EVENTS),
    ),
    (
        "GUILD_SCHEDULED_EVENT_DELETE",
        Some(Intents::GUILD_SCHEDULED_EVENTS),
        Some(Intents::GUILD_SCHEDULED_EVENTS),
    ),
    (
        "GUILD_SCHEDULED_EVENT_USER_ADD",
        Some(Intents::GUILD_SCHEDULED_EVENTS),
        Some(Intents::GUILD_SCHEDULED_EVENTS),
    ),
    (
        "GUILD_SCHEDULED_EVENT_USER_REMOVE",
        Some(Intents::GUILD_SCHEDULED_EVENTS),
        Some(Intents::GUILD_SCHEDULED_EVENTS),
    ),
    (
        "AUTO_MODERATION_RULE_CREATE",
        Some(Intents::AUTO_MODERATION_CONFIGURATION),
        Some(Intents::AUTO_MODERATION_CONFIGURATION),
    ),
    (
        "AUTO_MODERATION_RULE_UPDATE",
        Some(Intents::AUTO_MODERATION_CONFIGURATION),
        Some(Intents::AUTO_MODERATION_CONFIGURATION),
    ),
    (
        "AUTO_MODERATION_RULE_DELETE",
        Some(Intents::AUTO_MODERATION_CONFIGURATION),
        Some(Intents::AUTO_MODERATION_CONFIGURATION),
    ),
    (
        "AUTO_MODERATION_ACTION_EXECUTION",
        Some(Intents::AUTO_MODERATION_EXECUTION),
        Some(Intents::AUTO_MODERATION_EXECUTION),
    ),
];

/// The intent a session needs to receive `event` (`in_guild`: the event
/// belongs to a guild). `None`: delivered regardless of intents
/// (INTERACTION_CREATE, USER_UPDATE, unknown events sent with
/// [`Sandbox::dispatch_raw`](crate::Sandbox::dispatch_raw), ...).
pub(crate) fn required_intent(event: &str, in_guild: bool) -> Option<Intents> {
    TABLE
        .iter()
        .find(|(name, _, _)| *name == event)
        .and_then(|(_, guild, dm)| if in_guild { *guild } else { *dm })
}

/// Privileged intents: a bot must be approved for them (else close 4014).
pub(crate) const PRIVILEGED: Intents = Intents::GUILD_MEMBERS
    .union(Intents::GUILD_PRESENCES)
    .union(Intents::MESSAGE_CONTENT);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_lookups() {
        assert_eq!(
            required_intent("MESSAGE_CREATE", true),
            Some(Intents::GUILD_MESSAGES)
        );
        assert_eq!(
            required_intent("MESSAGE_CREATE", false),
            Some(Intents::DIRECT_MESSAGES)
        );
        assert_eq!(required_intent("INTERACTION_CREATE", true), None);
        assert_eq!(required_intent("SOMETHING_NEW", true), None);
    }
}
