//! Auto-moderation: keyword rules (AUTO_MODERATION_RULE_CREATE, _UPDATE,
//! _DELETE) and the messages they block (AUTO_MODERATION_ACTION_EXECUTION
//! instead of MESSAGE_CREATE), with Discord's keyword syntax.

use std::fmt::Write as _;

use twilight_model::{
    gateway::{Intents, payload::incoming::AutoModerationActionExecution},
    guild::{
        Permissions,
        auto_moderation::{
            AutoModerationAction, AutoModerationActionMetadata, AutoModerationActionType,
            AutoModerationEventType, AutoModerationRule, AutoModerationTriggerMetadata,
            AutoModerationTriggerType,
        },
    },
    id::{
        Id,
        marker::{AutoModerationRuleMarker, GuildMarker},
    },
};

use crate::core::{
    admin::Admin,
    dispatch::{Dispatch, EventKind, to_json},
    ops::OpError,
    state::State,
    transcript::{MAX_TITLE, clip, guild, place, user},
    world::{AutomodRuleRec, World},
};

pub(crate) const AUTO_MODERATION_RULE_CREATE: EventKind = EventKind::needs(
    "AUTO_MODERATION_RULE_CREATE",
    Intents::AUTO_MODERATION_CONFIGURATION,
);
pub(crate) const AUTO_MODERATION_RULE_UPDATE: EventKind = EventKind::needs(
    "AUTO_MODERATION_RULE_UPDATE",
    Intents::AUTO_MODERATION_CONFIGURATION,
);
pub(crate) const AUTO_MODERATION_RULE_DELETE: EventKind = EventKind::needs(
    "AUTO_MODERATION_RULE_DELETE",
    Intents::AUTO_MODERATION_CONFIGURATION,
);
pub(crate) const AUTO_MODERATION_ACTION_EXECUTION: EventKind = EventKind::needs(
    "AUTO_MODERATION_ACTION_EXECUTION",
    Intents::AUTO_MODERATION_EXECUTION,
);

pub(crate) const EVENTS: &[EventKind] = &[
    AUTO_MODERATION_RULE_CREATE,
    AUTO_MODERATION_RULE_UPDATE,
    AUTO_MODERATION_RULE_DELETE,
    AUTO_MODERATION_ACTION_EXECUTION,
];

/// The BLOCK_MESSAGE action (type 1).
fn block_action() -> AutoModerationAction {
    AutoModerationAction {
        kind: AutoModerationActionType::BlockMessage,
        metadata: Some(AutoModerationActionMetadata {
            channel_id: None,
            custom_message: None,
            duration_seconds: None,
        }),
    }
}

/// A keyword rule that blocks the message.
fn rule(guild: u64, r: &AutomodRuleRec) -> AutoModerationRule {
    AutoModerationRule {
        actions: vec![block_action()],
        creator_id: Id::new(r.creator_id),
        enabled: true,
        event_type: AutoModerationEventType::MessageSend,
        exempt_channels: Vec::new(),
        exempt_roles: Vec::new(),
        guild_id: Id::new(guild),
        id: Id::new(r.id),
        name: r.name.clone(),
        trigger_metadata: AutoModerationTriggerMetadata {
            allow_list: Some(Vec::new()),
            keyword_filter: Some(vec![r.keyword.clone()]),
            presets: None,
            mention_raid_protection_enabled: None,
            mention_total_limit: None,
            regex_patterns: Some(Vec::new()),
        },
        trigger_type: AutoModerationTriggerType::Keyword,
    }
}

fn rule_mut(state: &mut State, rule: u64) -> Result<(u64, &mut AutomodRuleRec), OpError> {
    state
        .world
        .guilds
        .iter_mut()
        .find_map(|g| {
            let id = g.id;
            g.automod_rules
                .iter_mut()
                .find(|r| r.id == rule)
                .map(|r| (id, r))
        })
        .ok_or(OpError::UnknownAutomodRule(rule))
}

/// A keyword rule that blocks messages: AUTO_MODERATION_RULE_CREATE.
fn create_automod_rule(
    state: &mut State,
    guild: u64,
    name: &str,
    keyword: &str,
) -> Result<u64, OpError> {
    state.guild_rec(guild)?;
    let r = AutomodRuleRec {
        id: state.world.next_id(),
        name: name.to_owned(),
        keyword: keyword.to_owned(),
        creator_id: state.guild_actor(guild),
    };
    let d = rule(guild, &r);
    let id = r.id;
    state.guild_rec_mut(guild)?.automod_rules.push(r);
    state.send(&AUTO_MODERATION_RULE_CREATE, Some(guild), &d);
    Ok(id)
}

/// Changes a rule's name and keyword: AUTO_MODERATION_RULE_UPDATE.
fn update_automod_rule(
    state: &mut State,
    id: u64,
    name: &str,
    keyword: &str,
) -> Result<(), OpError> {
    let (guild, r) = rule_mut(state, id)?;
    name.clone_into(&mut r.name);
    keyword.clone_into(&mut r.keyword);
    let d = rule(guild, r);
    state.send(&AUTO_MODERATION_RULE_UPDATE, Some(guild), &d);
    Ok(())
}

/// Deletes a rule: AUTO_MODERATION_RULE_DELETE.
fn delete_automod_rule(state: &mut State, id: u64) -> Result<(), OpError> {
    let (guild, r) = rule_mut(state, id)?;
    let d = rule(guild, r);
    state
        .guild_rec_mut(guild)?
        .automod_rules
        .retain(|r| r.id != id);
    state.send(&AUTO_MODERATION_RULE_DELETE, Some(guild), &d);
    Ok(())
}

/// Whether a rule of the channel's guild blocks `content` from `user`;
/// if so, AUTO_MODERATION_ACTION_EXECUTION (content and matched_content
/// blank without MESSAGE_CONTENT) and the `[automod]` line. The bot, the
/// owner and members with Manage Server are exempt, as on Discord.
pub(crate) fn automod_block(state: &mut State, channel: u64, user: u64, content: &str) -> bool {
    let Ok((guild, _)) = state.guild_channel(channel) else {
        return false;
    };
    if user == state.world.bot_id
        || state
            .world
            .member_permissions(guild, user)
            .contains(Permissions::MANAGE_GUILD)
    {
        return false;
    }
    let Some((rule_id, rule_name, keyword, matched)) = state.world.guild(guild).and_then(|g| {
        g.automod_rules.iter().find_map(|r| {
            keyword_match(content, &r.keyword)
                .map(|matched| (r.id, r.name.clone(), r.keyword.clone(), matched))
        })
    }) else {
        return false;
    };
    let render = |content: &str, matched: &str| {
        to_json(&AutoModerationActionExecution {
            action: block_action(),
            alert_system_message_id: None,
            channel_id: Some(Id::new(channel)),
            content: content.to_owned(),
            guild_id: Id::new(guild),
            matched_content: Some(matched.to_owned()),
            matched_keyword: Some(keyword.clone()),
            message_id: None,
            rule_id: Id::new(rule_id),
            rule_trigger_type: AutoModerationTriggerType::Keyword,
            user_id: Id::new(user),
        })
    };
    let full = render(content, &matched);
    let redacted = state
        .any_without_content(Some(guild))
        .then(|| render("", ""));
    let mut dispatch = Dispatch::new(&AUTO_MODERATION_ACTION_EXECUTION, Some(guild), &full);
    dispatch.d_redacted = redacted.as_deref();
    state.dispatch(&dispatch);
    let line = blocked(&state.world, user, channel, &rule_name, &keyword);
    state.note(line);
    true
}

/// Whether `content` matches a keyword filter, Discord-style: whole words,
/// case-insensitive; a `*` at either end also matches inside words
/// (`cat*` matches `catch`). Returns the matched text (whole word for
/// wildcards).
fn keyword_match(content: &str, keyword: &str) -> Option<String> {
    let keyword = keyword.trim();
    let (prefix_wild, suffix_wild) = (keyword.starts_with('*'), keyword.ends_with('*'));
    let core = keyword.trim_matches('*').to_lowercase();
    if core.is_empty() {
        return None;
    }
    let lower = content.to_lowercase();
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut from = 0;
    while let Some(pos) = lower[from..].find(&core) {
        let at = from + pos;
        let end = at + core.len();
        let before = lower[..at].chars().next_back();
        let after = lower[end..].chars().next();
        if (prefix_wild || !before.is_some_and(is_word))
            && (suffix_wild || !after.is_some_and(is_word))
        {
            let start = lower[..at]
                .char_indices()
                .rev()
                .find(|(_, c)| !is_word(*c))
                .map_or(0, |(i, c)| i + c.len_utf8());
            let stop = lower[end..]
                .char_indices()
                .find(|(_, c)| !is_word(*c))
                .map_or(lower.len(), |(i, _)| end + i);
            let text = if lower.len() == content.len()
                && content.is_char_boundary(start)
                && content.is_char_boundary(stop)
            {
                &content[start..stop]
            } else {
                &lower[start..stop]
            };
            return Some(text.to_owned());
        }
        from = at + core.chars().next().map_or(1, char::len_utf8);
    }
    None
}

/// `[admin] created automod rule "No spam" (keyword spam) in Herald Test`,
/// `[admin] updated automod rule ...`, `[admin] deleted automod rule ...`.
fn rule_line(
    world: &World,
    verb: &str,
    guild_id: u64,
    name: &str,
    keyword: Option<&str>,
) -> String {
    let mut line = format!("[admin] {verb} automod rule \"{}\"", clip(name, MAX_TITLE));
    if let Some(keyword) = keyword {
        let _ = write!(line, " (keyword {})", clip(keyword, MAX_TITLE));
    }
    let _ = write!(line, " in {}", guild(world, guild_id));
    line
}

/// `[automod] blocked alice's message in #general (rule "No spam", keyword
/// spam)`.
fn blocked(world: &World, who: u64, channel: u64, rule: &str, keyword: &str) -> String {
    format!(
        "[automod] blocked {}'s message {} (rule \"{}\", keyword {})",
        user(world, who),
        place(world, who, channel),
        clip(rule, MAX_TITLE),
        clip(keyword, MAX_TITLE)
    )
}

fn rule_guild(state: &State, rule: u64) -> u64 {
    state
        .world
        .guilds
        .iter()
        .find(|g| g.automod_rules.iter().any(|r| r.id == rule))
        .map_or(0, |g| g.id)
}

impl Admin {
    /// Creates a keyword rule that blocks messages:
    /// AUTO_MODERATION_RULE_CREATE (intent AUTO_MODERATION_CONFIGURATION).
    ///
    /// The keyword follows Discord's syntax: whole words, any case; `*` at
    /// either end also matches inside words (`spam*`). When an
    /// [`Actor`](crate::Actor) then says a matching message in the guild,
    /// the message is not posted and AUTO_MODERATION_ACTION_EXECUTION is
    /// sent instead (intent AUTO_MODERATION_EXECUTION) with the rule id,
    /// the block action, `user_id`, `channel_id`, `content`,
    /// `matched_keyword` and `matched_content` (both contents blank without
    /// MESSAGE_CONTENT). The bot, the guild owner and members with Manage
    /// Server are exempt, as on Discord.
    ///
    /// # Panics
    ///
    /// If the guild is unknown.
    #[track_caller]
    pub fn create_automod_rule(
        &self,
        guild: Id<GuildMarker>,
        name: &str,
        keyword: &str,
    ) -> Id<AutoModerationRuleMarker> {
        self.run("create an automod rule", |state| {
            let rule = create_automod_rule(state, guild.get(), name, keyword)?;
            let line = rule_line(&state.world, "created", guild.get(), name, Some(keyword));
            state.note(line);
            Ok(Id::new(rule))
        })
    }

    /// Changes a rule's name and keyword: AUTO_MODERATION_RULE_UPDATE
    /// (intent AUTO_MODERATION_CONFIGURATION).
    ///
    /// # Panics
    ///
    /// If the rule is unknown.
    #[track_caller]
    pub fn update_automod_rule(
        &self,
        rule: Id<AutoModerationRuleMarker>,
        name: &str,
        keyword: &str,
    ) {
        self.run("update an automod rule", |state| {
            update_automod_rule(state, rule.get(), name, keyword)?;
            let guild = rule_guild(state, rule.get());
            let line = rule_line(&state.world, "updated", guild, name, Some(keyword));
            state.note(line);
            Ok(())
        });
    }

    /// Deletes a rule: AUTO_MODERATION_RULE_DELETE (intent
    /// AUTO_MODERATION_CONFIGURATION).
    ///
    /// # Panics
    ///
    /// If the rule is unknown.
    #[track_caller]
    pub fn delete_automod_rule(&self, rule: Id<AutoModerationRuleMarker>) {
        self.run("delete an automod rule", |state| {
            let guild = rule_guild(state, rule.get());
            let name = state
                .world
                .guild(guild)
                .and_then(|g| g.automod_rules.iter().find(|r| r.id == rule.get()))
                .map(|r| r.name.clone())
                .unwrap_or_default();
            delete_automod_rule(state, rule.get())?;
            let line = rule_line(&state.world, "deleted", guild, &name, None);
            state.note(line);
            Ok(())
        });
    }
}

#[cfg(test)]
mod tests {
    use super::keyword_match;

    #[test]
    fn keywords() {
        assert_eq!(
            keyword_match("buy SPAM now", "spam").as_deref(),
            Some("SPAM")
        );
        assert_eq!(keyword_match("spammer", "spam"), None);
        assert_eq!(
            keyword_match("spammer here", "spam*").as_deref(),
            Some("spammer")
        );
        assert_eq!(
            keyword_match("antispam", "*spam").as_deref(),
            Some("antispam")
        );
        assert_eq!(
            keyword_match("a scam, spam!", "spam").as_deref(),
            Some("spam")
        );
        assert_eq!(keyword_match("xspamx", "*spam*").as_deref(), Some("xspamx"));
        assert_eq!(keyword_match("nothing", "*"), None);
    }
}
