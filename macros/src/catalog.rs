//! The names `#[event]` knows without being told: every event of herald's catalog
//! (`herald::event::catalog()`), with the type each takes. A test (`tests/catalog.rs`) compiles
//! an `#[event]` handler for every runtime catalog entry, so the two lists cannot drift apart. `#[event]` checks every handler's parameter against its event's name at
//! compile time, so this table and the runtime's `Event::NAME`s cannot drift apart unnoticed.

/// (event name, the parameter type its handler takes).
pub(crate) const CATALOG: &[(&str, &str)] = &[
    ("connect", "&Connect"),
    ("disconnect", "&Disconnect"),
    ("ready", "&Ready"),
    ("resumed", "&Resumed"),
    ("shard_connect", "&ShardConnect"),
    ("shard_disconnect", "&ShardDisconnect"),
    ("shard_ready", "&ShardReady"),
    ("shard_resumed", "&ShardResumed"),
    ("error", "&ListenerError"),
    ("message", "&MessageCreate"),
    ("message_edit", "&MessageEdit"),
    ("message_delete", "&MessageDelete"),
    ("bulk_message_delete", "&BulkMessageDelete"),
    ("raw_message_edit", "&RawMessageEdit"),
    ("raw_message_delete", "&RawMessageDelete"),
    ("raw_bulk_message_delete", "&RawBulkMessageDelete"),
    ("typing", "&TypingStart"),
    ("reaction_add", "&ReactionAdd"),
    ("reaction_remove", "&ReactionRemove"),
    ("reaction_clear", "&ReactionClear"),
    ("reaction_clear_emoji", "&ReactionClearEmoji"),
    ("raw_reaction_add", "&RawReactionAdd"),
    ("raw_reaction_remove", "&RawReactionRemove"),
    ("raw_reaction_clear", "&RawReactionClear"),
    ("raw_reaction_clear_emoji", "&RawReactionClearEmoji"),
    ("member_join", "&MemberAdd"),
    ("member_remove", "&MemberRemove"),
    ("member_update", "&MemberUpdate"),
    ("user_update", "&UserUpdate"),
    ("member_ban", "&BanAdd"),
    ("member_unban", "&BanRemove"),
    ("presence_update", "&PresenceUpdate"),
    ("guild_join", "&GuildJoin"),
    ("guild_remove", "&GuildRemove"),
    ("guild_update", "&GuildUpdate"),
    ("guild_available", "&GuildAvailable"),
    ("guild_unavailable", "&GuildUnavailable"),
    ("guild_channel_create", "&ChannelCreate"),
    ("guild_channel_delete", "&ChannelDelete"),
    ("guild_channel_update", "&ChannelUpdate"),
    ("guild_channel_pins_update", "&ChannelPinsUpdate"),
    ("guild_role_create", "&RoleCreate"),
    ("guild_role_delete", "&RoleDelete"),
    ("guild_role_update", "&RoleUpdate"),
    ("guild_emojis_update", "&GuildEmojisUpdate"),
    ("guild_stickers_update", "&GuildStickersUpdate"),
    ("voice_state_update", "&VoiceStateUpdate"),
    ("stage_instance_create", "&StageInstanceCreate"),
    ("stage_instance_delete", "&StageInstanceDelete"),
    ("stage_instance_update", "&StageInstanceUpdate"),
    ("interaction", "&InteractionCreate"),
    ("application_command", "&ApplicationCommand"),
    ("message_interaction", "&MessageInteraction"),
    ("button_click", "&ButtonClick"),
    ("dropdown", "&Dropdown"),
    ("modal_submit", "&ModalSubmit"),
    ("application_command_error", "&ApplicationCommandError"),
    ("thread_create", "&ThreadCreate"),
    ("thread_update", "&ThreadUpdate"),
    ("thread_delete", "&ThreadDelete"),
    ("raw_thread_update", "&RawThreadUpdate"),
    ("raw_thread_delete", "&RawThreadDelete"),
    ("thread_member_join", "&ThreadMemberJoin"),
    ("thread_member_remove", "&ThreadMemberRemove"),
    ("scheduled_event_create", "&GuildScheduledEventCreate"),
    ("scheduled_event_update", "&ScheduledEventUpdate"),
    ("scheduled_event_delete", "&GuildScheduledEventDelete"),
    ("scheduled_event_user_add", "&GuildScheduledEventUserAdd"),
    (
        "scheduled_event_user_remove",
        "&GuildScheduledEventUserRemove",
    ),
    ("gateway_dispatch", "&GatewayDispatch"),
    ("automod_rule_create", "&AutoModerationRuleCreate"),
    ("automod_rule_update", "&AutoModerationRuleUpdate"),
    ("automod_rule_delete", "&AutoModerationRuleDelete"),
    ("automod_action_execution", "&AutoModerationActionExecution"),
];

/// The parameter type of a known event.
pub(crate) fn lookup(name: &str) -> Option<&'static str> {
    CATALOG.iter().find(|(n, _)| *n == name).map(|(_, ty)| *ty)
}

/// The known event closest to a misspelt `name`, if one is close enough to be a typo.
pub(crate) fn closest(name: &str) -> Option<&'static str> {
    let (best, distance) = CATALOG
        .iter()
        .map(|(known, _)| (*known, edit_distance(name, known)))
        .min_by_key(|(_, d)| *d)?;
    let allowed = if name.len() <= 4 {
        1
    } else {
        2.max(name.len() / 5)
    };
    (distance > 0 && distance <= allowed).then_some(best)
}

/// Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_typos_only() {
        assert_eq!(closest("mesage"), Some("message"));
        assert_eq!(closest("member_jion"), Some("member_join"));
        assert_eq!(closest("raw_reaction_ad"), Some("raw_reaction_add"));
        assert_eq!(closest("level_up"), None);
        assert_eq!(closest("message"), None);
    }
}
