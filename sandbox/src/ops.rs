//! World mutations shared by actors and the REST API: each one changes the
//! world and emits the dispatches Discord would send.

use std::fmt::Write as _;

use serde_json::{Value, json};
use twilight_model::gateway::Intents;

use crate::{
    payloads::emoji_ref_json,
    state::{Dispatch, State},
    util::{json_str, timestamp_now, unix_now},
    world::{
        AuditRec, BanRec, CHANNEL_DM, CHANNEL_STAGE, CHANNEL_VOICE, MemberRec, MessageRec, VoiceRec,
    },
};

/// Why a world operation failed; maps to Discord's JSON error codes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum OpError {
    UnknownChannel(u64),
    UnknownMessage(u64),
    UnknownGuild(u64),
    UnknownMember(u64),
    UnknownUser(u64),
    UnknownRole(u64),
    UnknownBan(u64),
    /// The channel is not a text channel or DM.
    NotText(u64),
    /// The recipient refuses DMs.
    CannotDm(u64),
    EmptyMessage,
    UnknownStage(u64),
    UnknownScheduledEvent(u64),
    UnknownAutomodRule(u64),
    /// The action needs a guild channel.
    DmChannel(u64),
    /// The channel is of the wrong type (not a thread, not a stage...).
    WrongChannelType(u64),
    /// The user is not in a voice channel.
    NotInVoice(u64),
    /// Anything else Discord refuses, with the reason.
    Invalid(String),
}

impl OpError {
    /// `(status, code, message)` as Discord answers.
    pub(crate) fn discord(&self) -> (u16, u32, &'static str) {
        match self {
            Self::UnknownChannel(_) => (404, 10003, "Unknown Channel"),
            Self::UnknownMessage(_) => (404, 10008, "Unknown Message"),
            Self::UnknownGuild(_) => (404, 10004, "Unknown Guild"),
            Self::UnknownMember(_) => (404, 10007, "Unknown Member"),
            Self::UnknownUser(_) => (404, 10013, "Unknown User"),
            Self::UnknownRole(_) => (404, 10011, "Unknown Role"),
            Self::UnknownBan(_) => (404, 10026, "Unknown Ban"),
            Self::NotText(_) => (400, 50008, "Cannot send messages in a non-text channel"),
            Self::CannotDm(_) => (403, 50007, "Cannot send messages to this user"),
            Self::EmptyMessage => (400, 50006, "Cannot send an empty message"),
            Self::UnknownStage(_) => (404, 10067, "Unknown Stage Instance"),
            Self::UnknownScheduledEvent(_) => (404, 10070, "Unknown Guild Scheduled Event"),
            Self::UnknownAutomodRule(_) => (404, 0, "Unknown Auto Moderation Rule"),
            Self::DmChannel(_) => (403, 50003, "Cannot execute action on a DM channel"),
            Self::WrongChannelType(_) => (400, 50024, "Cannot execute action on this channel type"),
            Self::NotInVoice(_) => (400, 40032, "Target user is not connected to voice."),
            Self::Invalid(_) => (400, 50035, "Invalid Form Body"),
        }
    }
}

impl std::fmt::Display for OpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::UnknownChannel(id) => write!(f, "unknown channel {id}"),
            Self::UnknownMessage(id) => write!(f, "unknown message {id}"),
            Self::UnknownGuild(id) => write!(f, "unknown guild {id}"),
            Self::UnknownMember(id) => write!(f, "user {id} is not a member of that guild"),
            Self::UnknownUser(id) => write!(f, "unknown user {id}"),
            Self::UnknownRole(id) => write!(f, "unknown role {id}"),
            Self::UnknownBan(id) => write!(f, "user {id} is not banned"),
            Self::NotText(id) => write!(f, "channel {id} is not a text channel"),
            Self::CannotDm(id) => write!(f, "user {id} refuses DMs"),
            Self::EmptyMessage => f.write_str("cannot send an empty message"),
            Self::UnknownStage(id) => write!(f, "unknown stage instance {id}"),
            Self::UnknownScheduledEvent(id) => write!(f, "unknown scheduled event {id}"),
            Self::UnknownAutomodRule(id) => write!(f, "unknown auto-moderation rule {id}"),
            Self::DmChannel(id) => write!(f, "channel {id} is a DM channel, not a guild channel"),
            Self::WrongChannelType(id) => {
                write!(f, "channel {id} is not of the type this action needs")
            }
            Self::NotInVoice(id) => write!(f, "user {id} is not in a voice channel"),
            Self::Invalid(why) => f.write_str(why),
        }
    }
}

/// Audit log action types used by the sandbox.
pub(crate) const AUDIT_MEMBER_KICK: u16 = 20;
pub(crate) const AUDIT_MEMBER_BAN_ADD: u16 = 22;
pub(crate) const AUDIT_MEMBER_BAN_REMOVE: u16 = 23;
pub(crate) const AUDIT_MEMBER_UPDATE: u16 = 24;
pub(crate) const AUDIT_MEMBER_ROLE_UPDATE: u16 = 25;

/// The content of a new message.
#[derive(Clone, Debug, Default)]
pub(crate) struct NewMessage {
    pub(crate) content: String,
    pub(crate) embeds: Vec<Value>,
    pub(crate) components: Vec<Value>,
    pub(crate) kind: u8,
    pub(crate) flags: u64,
}

/// `<@123>` and `<@!123>` mentions in `content`.
pub(crate) fn parse_mentions(content: &str) -> Vec<u64> {
    let mut out = Vec::new();
    let mut rest = content;
    while let Some(start) = rest.find("<@") {
        rest = &rest[start + 2..];
        let digits = rest.strip_prefix('!').unwrap_or(rest);
        let end = digits
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(digits.len());
        if end > 0
            && digits[end..].starts_with('>')
            && let Ok(id) = digits[..end].parse::<u64>()
            && !out.contains(&id)
        {
            out.push(id);
        }
    }
    out
}

impl State {
    /// The guild of a text channel (`None` for DMs), or why it cannot take
    /// messages.
    pub(crate) fn text_channel(&self, channel: u64) -> Result<Option<u64>, OpError> {
        let c = self
            .world
            .channel(channel)
            .ok_or(OpError::UnknownChannel(channel))?;
        if c.kind == CHANNEL_VOICE || c.kind == CHANNEL_STAGE {
            return Err(OpError::NotText(channel));
        }
        Ok(c.guild_id)
    }

    /// Dispatches a message event, with a redacted variant for sessions
    /// without MESSAGE_CONTENT when needed.
    fn dispatch_message(&mut self, name: &str, message: &MessageRec) {
        let full = self.world.message_json(message, true, false).to_string();
        let exempt = message.guild_id.is_none()
            || message.author_id == self.world.bot_id
            || message.mentions.contains(&self.world.bot_id);
        let redacted = (!exempt && self.any_without_content(message.guild_id))
            .then(|| self.world.message_json(message, true, true).to_string());
        self.dispatch(&Dispatch {
            name,
            guild: message.guild_id,
            d: &full,
            d_redacted: redacted.as_deref(),
            also_needs: Intents::empty(),
        });
    }

    /// Dispatches a JSON payload.
    pub(crate) fn dispatch_value(&mut self, name: &str, guild: Option<u64>, d: &Value) {
        let d = d.to_string();
        self.dispatch(&Dispatch {
            name,
            guild,
            d: &d,
            d_redacted: None,
            also_needs: Intents::empty(),
        });
    }

    /// Posts a message (MESSAGE_CREATE) and returns it.
    pub(crate) fn post_message(
        &mut self,
        channel: u64,
        author: u64,
        new: NewMessage,
    ) -> Result<MessageRec, OpError> {
        let guild = self.text_channel(channel)?;
        if new.content.is_empty() && new.embeds.is_empty() && new.components.is_empty() {
            return Err(OpError::EmptyMessage);
        }
        if let Some(c) = self.world.channel(channel)
            && c.kind == CHANNEL_DM
            && author == self.world.bot_id
            && let Some(recipient) = c.recipient
            && self
                .world
                .user_rec(recipient)
                .is_some_and(|u| u.refuses_dms)
        {
            return Err(OpError::CannotDm(recipient));
        }
        let message = MessageRec {
            id: self.world.next_id(),
            channel_id: channel,
            guild_id: guild,
            author_id: author,
            mentions: parse_mentions(&new.content),
            content: new.content,
            timestamp: timestamp_now(),
            edited_timestamp: None,
            embeds: new.embeds,
            components: new.components,
            reactions: Vec::new(),
            kind: new.kind,
            flags: new.flags,
            pinned_at: None,
        };
        self.world.store_message(message.clone());
        self.dispatch_message("MESSAGE_CREATE", &message);
        Ok(message)
    }

    /// Edits a message (MESSAGE_UPDATE). `None` fields stay as they are.
    pub(crate) fn edit_message(
        &mut self,
        channel: u64,
        id: u64,
        content: Option<String>,
        embeds: Option<Vec<Value>>,
        components: Option<Vec<Value>>,
    ) -> Result<MessageRec, OpError> {
        self.text_channel(channel)?;
        let message = self
            .world
            .message_mut(channel, id)
            .ok_or(OpError::UnknownMessage(id))?;
        if let Some(content) = content {
            message.mentions = parse_mentions(&content);
            message.content = content;
        }
        if let Some(embeds) = embeds {
            message.embeds = embeds;
        }
        if let Some(components) = components {
            message.components = components;
        }
        message.edited_timestamp = Some(timestamp_now());
        let message = message.clone();
        self.dispatch_message("MESSAGE_UPDATE", &message);
        Ok(message)
    }

    /// Deletes a message (MESSAGE_DELETE).
    pub(crate) fn delete_message(&mut self, channel: u64, id: u64) -> Result<(), OpError> {
        let guild = self.text_channel(channel)?;
        self.world
            .remove_message(channel, id)
            .ok_or(OpError::UnknownMessage(id))?;
        let mut d = json!({"id": id.to_string(), "channel_id": channel.to_string()});
        if let (Some(g), Value::Object(map)) = (guild, &mut d) {
            map.insert("guild_id".into(), json!(g.to_string()));
        }
        self.dispatch_value("MESSAGE_DELETE", guild, &d);
        Ok(())
    }

    /// Adds (or removes) a reaction (MESSAGE_REACTION_ADD / _REMOVE). Adding
    /// twice or removing an absent reaction changes nothing and sends
    /// nothing, as on Discord.
    pub(crate) fn react(
        &mut self,
        channel: u64,
        id: u64,
        user: u64,
        emoji: &str,
        add: bool,
    ) -> Result<(), OpError> {
        let guild = self.text_channel(channel)?;
        let message = self
            .world
            .message_mut(channel, id)
            .ok_or(OpError::UnknownMessage(id))?;
        let author = message.author_id;
        let changed = match message.reactions.iter_mut().find(|(e, _)| e == emoji) {
            Some((_, users)) if add => {
                if users.contains(&user) {
                    false
                } else {
                    users.push(user);
                    true
                }
            }
            Some((_, users)) => {
                let before = users.len();
                users.retain(|u| *u != user);
                before != users.len()
            }
            None if add => {
                message.reactions.push((emoji.to_owned(), vec![user]));
                true
            }
            None => false,
        };
        message.reactions.retain(|(_, users)| !users.is_empty());
        if !changed {
            return Ok(());
        }
        let mut d = json!({
            "user_id": user.to_string(),
            "channel_id": channel.to_string(),
            "message_id": id.to_string(),
            "emoji": emoji_ref_json(emoji),
            "burst": false,
            "burst_colors": [],
            "type": 0,
        });
        if let Value::Object(map) = &mut d {
            if let Some(g) = guild {
                map.insert("guild_id".into(), json!(g.to_string()));
                if add && let Some(m) = self.world.member(g, user) {
                    map.insert("member".into(), self.world.member_json(m, true));
                }
            }
            if add {
                map.insert("message_author_id".into(), json!(author.to_string()));
            }
        }
        let name = if add {
            "MESSAGE_REACTION_ADD"
        } else {
            "MESSAGE_REACTION_REMOVE"
        };
        self.dispatch_value(name, guild, &d);
        Ok(())
    }

    /// TYPING_START.
    pub(crate) fn typing(&mut self, channel: u64, user: u64) -> Result<(), OpError> {
        let guild = self.text_channel(channel)?;
        let mut d = json!({
            "channel_id": channel.to_string(),
            "user_id": user.to_string(),
            "timestamp": unix_now(),
        });
        if let (Some(g), Value::Object(map)) = (guild, &mut d) {
            map.insert("guild_id".into(), json!(g.to_string()));
            if let Some(m) = self.world.member(g, user) {
                map.insert("member".into(), self.world.member_json(m, true));
            }
        }
        self.dispatch_value("TYPING_START", guild, &d);
        Ok(())
    }

    fn user_exists(&self, user: u64) -> Result<(), OpError> {
        self.world
            .user_rec(user)
            .map(|_| ())
            .ok_or(OpError::UnknownUser(user))
    }

    /// GUILD_MEMBER_ADD (a no-op if already a member).
    pub(crate) fn member_join(&mut self, guild: u64, user: u64) -> Result<(), OpError> {
        self.user_exists(user)?;
        let g = self
            .world
            .guild_mut(guild)
            .ok_or(OpError::UnknownGuild(guild))?;
        if g.members.iter().any(|m| m.user_id == user) {
            return Ok(());
        }
        let member = MemberRec {
            user_id: user,
            roles: Vec::new(),
            nick: None,
            joined_at: timestamp_now(),
            communication_disabled_until: None,
            mute: false,
            deaf: false,
        };
        g.members.push(member.clone());
        let d = self.world.member_with_guild_json(guild, &member);
        self.dispatch_value("GUILD_MEMBER_ADD", Some(guild), &d);
        Ok(())
    }

    /// GUILD_MEMBER_REMOVE (leave or kick); also ends a voice session.
    pub(crate) fn member_remove(&mut self, guild: u64, user: u64) -> Result<(), OpError> {
        let g = self
            .world
            .guild_mut(guild)
            .ok_or(OpError::UnknownGuild(guild))?;
        let before = g.members.len();
        g.members.retain(|m| m.user_id != user);
        if before == g.members.len() {
            return Err(OpError::UnknownMember(user));
        }
        let in_voice = g.voice_states.iter().any(|v| v.user_id == user);
        if in_voice {
            self.voice_update(guild, user, None, false, false)?;
        }
        let d = json!({"guild_id": guild.to_string(), "user": self.world.user_json(user)});
        self.dispatch_value("GUILD_MEMBER_REMOVE", Some(guild), &d);
        Ok(())
    }

    /// Changes a member, then GUILD_MEMBER_UPDATE with its new state.
    pub(crate) fn member_update(
        &mut self,
        guild: u64,
        user: u64,
        change: impl FnOnce(&mut MemberRec),
    ) -> Result<MemberRec, OpError> {
        if self.world.guild(guild).is_none() {
            return Err(OpError::UnknownGuild(guild));
        }
        let member = self
            .world
            .member_mut(guild, user)
            .ok_or(OpError::UnknownMember(user))?;
        change(member);
        let member = member.clone();
        let d = self.world.member_with_guild_json(guild, &member);
        self.dispatch_value("GUILD_MEMBER_UPDATE", Some(guild), &d);
        Ok(member)
    }

    /// Adds or removes a role of a member (GUILD_MEMBER_UPDATE).
    pub(crate) fn member_role(
        &mut self,
        guild: u64,
        user: u64,
        role: u64,
        add: bool,
    ) -> Result<(), OpError> {
        let g = self
            .world
            .guild(guild)
            .ok_or(OpError::UnknownGuild(guild))?;
        if !g.roles.iter().any(|r| r.id == role) {
            return Err(OpError::UnknownRole(role));
        }
        self.member_update(guild, user, |m| {
            m.roles.retain(|r| *r != role);
            if add {
                m.roles.push(role);
            }
        })?;
        Ok(())
    }

    /// Records an audit log entry and sends GUILD_AUDIT_LOG_ENTRY_CREATE.
    pub(crate) fn audit(
        &mut self,
        guild: u64,
        action_type: u16,
        user: u64,
        target: Option<u64>,
        reason: Option<String>,
    ) {
        let entry = AuditRec {
            id: self.world.next_id(),
            action_type,
            user_id: user,
            target_id: target,
            reason,
        };
        let mut d = self.world.audit_entry_json(&entry);
        if let Value::Object(map) = &mut d {
            map.insert("guild_id".into(), json!(guild.to_string()));
        }
        if let Some(g) = self.world.guild_mut(guild) {
            g.audit_log.push(entry);
        }
        self.dispatch_value("GUILD_AUDIT_LOG_ENTRY_CREATE", Some(guild), &d);
    }

    /// Bans `user` from `guild` by `moderator`: GUILD_BAN_ADD, then
    /// GUILD_MEMBER_REMOVE if they were a member, and an audit log entry.
    pub(crate) fn ban(
        &mut self,
        guild: u64,
        moderator: u64,
        user: u64,
        reason: Option<String>,
    ) -> Result<(), OpError> {
        self.user_exists(user)?;
        let g = self
            .world
            .guild_mut(guild)
            .ok_or(OpError::UnknownGuild(guild))?;
        g.bans.retain(|b| b.user_id != user);
        g.bans.push(BanRec {
            user_id: user,
            reason: reason.clone(),
        });
        let was_member = g.members.iter().any(|m| m.user_id == user);
        let d = json!({"guild_id": guild.to_string(), "user": self.world.user_json(user)});
        self.dispatch_value("GUILD_BAN_ADD", Some(guild), &d);
        if was_member {
            self.member_remove(guild, user)?;
        }
        self.audit(guild, AUDIT_MEMBER_BAN_ADD, moderator, Some(user), reason);
        Ok(())
    }

    /// Lifts a ban: GUILD_BAN_REMOVE and an audit log entry.
    pub(crate) fn unban(
        &mut self,
        guild: u64,
        moderator: u64,
        user: u64,
        reason: Option<String>,
    ) -> Result<(), OpError> {
        let g = self
            .world
            .guild_mut(guild)
            .ok_or(OpError::UnknownGuild(guild))?;
        let before = g.bans.len();
        g.bans.retain(|b| b.user_id != user);
        if before == g.bans.len() {
            return Err(OpError::UnknownBan(user));
        }
        let d = json!({"guild_id": guild.to_string(), "user": self.world.user_json(user)});
        self.dispatch_value("GUILD_BAN_REMOVE", Some(guild), &d);
        self.audit(
            guild,
            AUDIT_MEMBER_BAN_REMOVE,
            moderator,
            Some(user),
            reason,
        );
        Ok(())
    }

    /// Kicks a member: GUILD_MEMBER_REMOVE and an audit log entry.
    pub(crate) fn kick(
        &mut self,
        guild: u64,
        moderator: u64,
        user: u64,
        reason: Option<String>,
    ) -> Result<(), OpError> {
        self.member_remove(guild, user)?;
        self.audit(guild, AUDIT_MEMBER_KICK, moderator, Some(user), reason);
        Ok(())
    }

    /// Joins, moves or leaves (`channel: None`) voice: VOICE_STATE_UPDATE.
    pub(crate) fn voice_update(
        &mut self,
        guild: u64,
        user: u64,
        channel: Option<u64>,
        self_mute: bool,
        self_deaf: bool,
    ) -> Result<(), OpError> {
        if let Some(c) = channel {
            let rec = self.world.channel(c).ok_or(OpError::UnknownChannel(c))?;
            if rec.guild_id != Some(guild) {
                return Err(OpError::UnknownChannel(c));
            }
        }
        let g = self
            .world
            .guild_mut(guild)
            .ok_or(OpError::UnknownGuild(guild))?;
        let previous = g.voice_states.iter().position(|v| v.user_id == user);
        let session_id = previous
            .map(|i| g.voice_states[i].session_id.clone())
            .unwrap_or_else(|| format!("voice-{user}-{}", g.voice_states.len()));
        let state = VoiceRec {
            user_id: user,
            channel_id: channel.unwrap_or(0),
            session_id,
            self_mute,
            self_deaf,
        };
        match (previous, channel) {
            (Some(i), Some(_)) => g.voice_states[i] = state.clone(),
            (None, Some(_)) => g.voice_states.push(state.clone()),
            (Some(i), None) => {
                g.voice_states.remove(i);
            }
            (None, None) => return Ok(()),
        }
        let mut d = self.world.voice_state_json(guild, &state, true);
        if channel.is_none()
            && let Value::Object(map) = &mut d
        {
            map.insert("channel_id".into(), Value::Null);
        }
        self.dispatch_value("VOICE_STATE_UPDATE", Some(guild), &d);
        Ok(())
    }

    /// `n` MESSAGE_CREATEs from `author` in `channel`, contents
    /// `"burst 0"`, `"burst 1"`, ... Built from a pre-rendered template.
    pub(crate) fn burst(
        &mut self,
        channel: u64,
        author: u64,
        n: usize,
    ) -> Result<Vec<u64>, OpError> {
        let guild = self.text_channel(channel)?;
        let world = &self.world;
        let author_json = world.user_json(author).to_string();
        let member_json = guild
            .and_then(|g| world.member(g, author))
            .map(|m| world.member_json(m, false).to_string());
        let timestamp = timestamp_now();
        let mut head = format!("\",\"channel_id\":\"{channel}\",");
        if let Some(g) = guild {
            let _ = write!(head, "\"guild_id\":\"{g}\",");
        }
        let _ = write!(head, "\"author\":{author_json},");
        if let Some(member) = &member_json {
            let _ = write!(head, "\"member\":{member},");
        }
        head.push_str("\"content\":");
        let tail = format!(
            ",\"timestamp\":\"{timestamp}\",\"edited_timestamp\":null,\"tts\":false,\
             \"mention_everyone\":false,\"mentions\":[],\"mention_roles\":[],\"attachments\":[],\
             \"embeds\":[],\"components\":[],\"pinned\":false,\"type\":0,\"flags\":0}}"
        );
        let redact = guild.is_some() && author != world.bot_id && self.any_without_content(guild);
        let mut ids = Vec::with_capacity(n);
        let mut d = String::with_capacity(head.len() + tail.len() + 64);
        let mut d_redacted = String::new();
        for i in 0..n {
            let id = self.world.next_id();
            let content = format!("burst {i}");
            d.clear();
            d.push_str("{\"id\":\"");
            let _ = write!(d, "{id}");
            d.push_str(&head);
            if redact {
                d_redacted.clear();
                d_redacted.push_str(&d);
                d_redacted.push_str("\"\"");
                d_redacted.push_str(&tail);
            }
            d.push_str(&json_str(&content));
            d.push_str(&tail);
            self.world.store_message(MessageRec {
                id,
                channel_id: channel,
                guild_id: guild,
                author_id: author,
                content,
                timestamp: timestamp.clone(),
                edited_timestamp: None,
                embeds: Vec::new(),
                components: Vec::new(),
                mentions: Vec::new(),
                reactions: Vec::new(),
                kind: 0,
                flags: 0,
                pinned_at: None,
            });
            self.dispatch(&Dispatch {
                name: "MESSAGE_CREATE",
                guild,
                d: &d,
                d_redacted: redact.then_some(d_redacted.as_str()),
                also_needs: Intents::empty(),
            });
            ids.push(id);
        }
        Ok(ids)
    }
}

#[cfg(test)]
mod tests {
    use super::parse_mentions;

    #[test]
    fn mentions() {
        assert_eq!(
            parse_mentions("hi <@12> and <@!34>, <@x> <@56"),
            vec![12, 34]
        );
    }
}
