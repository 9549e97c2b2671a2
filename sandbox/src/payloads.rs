//! JSON renderings of world objects, shaped the way twilight-model 0.18
//! deserialises them (see PROTOCOL.md, "Required object fields").

use serde_json::{Value, json};

use crate::world::{
    AuditRec, AutomodRuleRec, CHANNEL_DM, CHANNEL_PUBLIC_THREAD, CHANNEL_STAGE, CHANNEL_VOICE,
    ChannelRec, EmojiRec, GuildRec, MemberRec, MessageRec, RoleRec, ScheduledEventRec, StageRec,
    StickerRec, VoiceRec, World,
};

impl World {
    pub(crate) fn user_json(&self, id: u64) -> Value {
        let (name, bot) = self
            .user_rec(id)
            .map_or(("unknown-user", false), |u| (u.name.as_str(), u.bot));
        json!({
            "id": id.to_string(),
            "username": name,
            "discriminator": "0",
            "global_name": null,
            "avatar": null,
            "bot": bot,
            "public_flags": 0,
        })
    }

    pub(crate) fn current_user_json(&self) -> Value {
        let mut user = self.user_json(self.bot_id);
        if let Value::Object(map) = &mut user {
            map.insert("mfa_enabled".into(), json!(false));
            map.insert("verified".into(), json!(true));
            map.insert("flags".into(), json!(0));
            map.insert("locale".into(), json!("en-US"));
        }
        user
    }

    pub(crate) fn member_json(&self, member: &MemberRec, with_user: bool) -> Value {
        let mut v = json!({
            "roles": member.roles.iter().map(u64::to_string).collect::<Vec<_>>(),
            "nick": member.nick,
            "avatar": null,
            "joined_at": member.joined_at,
            "premium_since": null,
            "deaf": member.deaf,
            "mute": member.mute,
            "flags": 0,
            "pending": false,
            "communication_disabled_until": member.communication_disabled_until,
        });
        if with_user && let Value::Object(map) = &mut v {
            map.insert("user".into(), self.user_json(member.user_id));
        }
        v
    }

    /// A member with `user` and `guild_id` (GUILD_MEMBER_ADD and REST).
    pub(crate) fn member_with_guild_json(&self, guild: u64, member: &MemberRec) -> Value {
        let mut v = self.member_json(member, true);
        if let Value::Object(map) = &mut v {
            map.insert("guild_id".into(), json!(guild.to_string()));
        }
        v
    }

    pub(crate) fn guild_json(&self, guild: &GuildRec, all_members: bool) -> Value {
        let members: Vec<Value> = guild
            .members
            .iter()
            .filter(|m| {
                all_members
                    || m.user_id == self.bot_id
                    || guild.voice_states.iter().any(|v| v.user_id == m.user_id)
            })
            .map(|m| self.member_json(m, true))
            .collect();
        let presences: Vec<Value> = if all_members {
            guild
                .members
                .iter()
                .filter_map(|m| {
                    let status = self.user_rec(m.user_id)?.status.as_deref()?;
                    (status != "offline").then(|| self.presence_json(guild.id, m.user_id, status))
                })
                .collect()
        } else {
            Vec::new()
        };
        json!({
            "id": guild.id.to_string(),
            "name": guild.name,
            "icon": null,
            "splash": null,
            "discovery_splash": null,
            "banner": null,
            "description": null,
            "owner_id": guild.owner_id.unwrap_or(self.bot_id).to_string(),
            "afk_channel_id": null,
            "afk_timeout": 300,
            "application_id": null,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "features": [],
            "mfa_level": 0,
            "nsfw_level": 0,
            "preferred_locale": "en-US",
            "premium_progress_bar_enabled": false,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "system_channel_id": null,
            "system_channel_flags": 0,
            "rules_channel_id": null,
            "public_updates_channel_id": null,
            "vanity_url_code": null,
            "verification_level": 0,
            "max_members": 500000,
            "max_video_channel_users": 25,
            "roles": guild.roles.iter().map(role_json).collect::<Vec<_>>(),
            "emojis": guild.emojis.iter().map(emoji_json).collect::<Vec<_>>(),
            "stickers": guild
                .stickers
                .iter()
                .map(|s| sticker_json(guild.id, s))
                .collect::<Vec<_>>(),
            "channels": guild.channels.iter().map(|c| channel_json(c, &[])).collect::<Vec<_>>(),
            "threads": guild.threads.iter().map(|c| channel_json(c, &[])).collect::<Vec<_>>(),
            "members": members,
            "presences": presences,
            "voice_states": guild
                .voice_states
                .iter()
                .map(|v| self.voice_state_json(guild.id, v, false))
                .collect::<Vec<_>>(),
            "stage_instances": guild
                .stage_instances
                .iter()
                .map(|s| stage_json(guild.id, s))
                .collect::<Vec<_>>(),
            "guild_scheduled_events": guild
                .scheduled_events
                .iter()
                .map(|e| self.scheduled_event_json(guild.id, e))
                .collect::<Vec<_>>(),
            "joined_at": guild.joined_at,
            "large": false,
            "unavailable": false,
            "member_count": guild.members.len(),
        })
    }

    /// GUILD_UPDATE's `d`: the guild without the GUILD_CREATE-only fields.
    pub(crate) fn partial_guild_json(&self, guild: &GuildRec) -> Value {
        let mut v = self.guild_json(guild, false);
        if let Value::Object(map) = &mut v {
            for key in [
                "channels",
                "threads",
                "members",
                "presences",
                "voice_states",
                "stage_instances",
                "guild_scheduled_events",
                "joined_at",
                "large",
                "unavailable",
                "member_count",
            ] {
                map.remove(key);
            }
        }
        v
    }

    /// A presence as PRESENCE_UPDATE and GUILD_CREATE carry it.
    pub(crate) fn presence_json(&self, guild: u64, user: u64, status: &str) -> Value {
        let client_status = if status == "offline" {
            json!({})
        } else {
            json!({"desktop": status})
        };
        json!({
            "user": {"id": user.to_string()},
            "guild_id": guild.to_string(),
            "status": status,
            "activities": [],
            "client_status": client_status,
        })
    }

    /// A scheduled event (an external one, "Online").
    pub(crate) fn scheduled_event_json(&self, guild: u64, e: &ScheduledEventRec) -> Value {
        json!({
            "id": e.id.to_string(),
            "guild_id": guild.to_string(),
            "channel_id": null,
            "creator_id": e.creator_id.to_string(),
            "creator": self.user_json(e.creator_id),
            "name": e.name,
            "description": null,
            "scheduled_start_time": e.start,
            "scheduled_end_time": e.end,
            "privacy_level": 2,
            "status": 1,
            "entity_type": 3,
            "entity_id": null,
            "entity_metadata": {"location": "Online"},
            "user_count": e.interested.len(),
            "image": null,
            "recurrence_rule": null,
        })
    }

    /// A thread member with its guild member (THREAD_MEMBERS_UPDATE).
    pub(crate) fn thread_member_json(&self, guild: u64, thread: u64, user: u64) -> Value {
        let mut v = json!({
            "id": thread.to_string(),
            "user_id": user.to_string(),
            "join_timestamp": crate::util::timestamp_now(),
            "flags": 0,
        });
        if let (Some(m), Value::Object(map)) = (self.member(guild, user), &mut v) {
            map.insert("member".into(), self.member_json(m, true));
        }
        v
    }

    /// A channel, DM channels with their recipient.
    pub(crate) fn any_channel_json(&self, channel: &ChannelRec) -> Value {
        match channel.recipient {
            Some(user) => channel_json(channel, &[self.user_json(user)]),
            None => channel_json(channel, &[]),
        }
    }

    pub(crate) fn voice_state_json(&self, guild: u64, v: &VoiceRec, full: bool) -> Value {
        let (mute, deaf) = self
            .member(guild, v.user_id)
            .map_or((false, false), |m| (m.mute, m.deaf));
        let mut state = json!({
            "channel_id": v.channel_id.to_string(),
            "user_id": v.user_id.to_string(),
            "session_id": v.session_id,
            "deaf": deaf,
            "mute": mute,
            "self_deaf": v.self_deaf,
            "self_mute": v.self_mute,
            "self_video": false,
            "self_stream": false,
            "suppress": false,
            "request_to_speak_timestamp": null,
        });
        if full && let Value::Object(map) = &mut state {
            map.insert("guild_id".into(), json!(guild.to_string()));
            if let Some(m) = self.member(guild, v.user_id) {
                map.insert("member".into(), self.member_json(m, true));
            }
        }
        state
    }

    /// A message. `gateway` adds `member` (and mention members) as Discord
    /// does on the gateway; `redact` blanks content, embeds, attachments
    /// and components (no MESSAGE_CONTENT intent).
    pub(crate) fn message_json(&self, m: &MessageRec, gateway: bool, redact: bool) -> Value {
        let mentions: Vec<Value> = m.mentions.iter().map(|u| self.user_json(*u)).collect();
        let mut v = json!({
            "id": m.id.to_string(),
            "channel_id": m.channel_id.to_string(),
            "author": self.user_json(m.author_id),
            "content": if redact { "" } else { m.content.as_str() },
            "timestamp": m.timestamp,
            "edited_timestamp": m.edited_timestamp,
            "tts": false,
            "mention_everyone": false,
            "mentions": mentions,
            "mention_roles": [],
            "attachments": [],
            "embeds": if redact { &[][..] } else { &m.embeds[..] },
            "components": if redact { &[][..] } else { &m.components[..] },
            "pinned": m.pinned_at.is_some(),
            "type": m.kind,
            "flags": m.flags,
        });
        let Value::Object(map) = &mut v else {
            return v;
        };
        if let Some(guild) = m.guild_id {
            map.insert("guild_id".into(), json!(guild.to_string()));
            if gateway && let Some(member) = self.member(guild, m.author_id) {
                map.insert("member".into(), self.member_json(member, false));
            }
        }
        if !m.reactions.is_empty() {
            let reactions: Vec<Value> = m
                .reactions
                .iter()
                .map(|(emoji, users)| {
                    json!({
                        "count": users.len(),
                        "count_details": {"burst": 0, "normal": users.len()},
                        "me": users.contains(&self.bot_id),
                        "me_burst": false,
                        "burst_colors": [],
                        "emoji": emoji_ref_json(emoji),
                    })
                })
                .collect();
            map.insert("reactions".into(), Value::Array(reactions));
        }
        v
    }

    pub(crate) fn audit_entry_json(&self, e: &AuditRec) -> Value {
        json!({
            "id": e.id.to_string(),
            "action_type": e.action_type,
            "user_id": e.user_id.to_string(),
            "target_id": e.target_id.map(|t| t.to_string()),
            "reason": e.reason,
            "changes": [],
        })
    }
}

pub(crate) fn role_json(r: &RoleRec) -> Value {
    json!({
        "id": r.id.to_string(),
        "name": r.name,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": null, "tertiary_color": null},
        "hoist": false,
        "icon": null,
        "unicode_emoji": null,
        "position": r.position,
        "permissions": r.permissions.bits().to_string(),
        "managed": false,
        "mentionable": false,
        "flags": 0,
    })
}

pub(crate) fn emoji_json(e: &EmojiRec) -> Value {
    json!({
        "id": e.id.to_string(),
        "name": e.name,
        "roles": [],
        "require_colons": true,
        "managed": false,
        "animated": false,
        "available": true,
    })
}

/// The emoji object of a reaction: `"✅"` (unicode) or `"name:id"` (custom).
pub(crate) fn emoji_ref_json(key: &str) -> Value {
    match key.rsplit_once(':') {
        Some((name, id)) if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) => {
            json!({"id": id, "name": name, "animated": false})
        }
        _ => json!({"id": null, "name": key}),
    }
}

pub(crate) fn sticker_json(guild: u64, s: &StickerRec) -> Value {
    json!({
        "id": s.id.to_string(),
        "name": s.name,
        "description": "",
        "tags": s.name,
        "type": 2,
        "format_type": 1,
        "available": true,
        "guild_id": guild.to_string(),
    })
}

pub(crate) fn stage_json(guild: u64, s: &StageRec) -> Value {
    json!({
        "id": s.id.to_string(),
        "guild_id": guild.to_string(),
        "channel_id": s.channel_id.to_string(),
        "topic": s.topic,
        "privacy_level": 2,
        "discoverable_disabled": false,
        "guild_scheduled_event_id": null,
    })
}

/// A keyword rule that blocks the message.
pub(crate) fn automod_rule_json(guild: u64, r: &AutomodRuleRec) -> Value {
    json!({
        "id": r.id.to_string(),
        "guild_id": guild.to_string(),
        "name": r.name,
        "creator_id": r.creator_id.to_string(),
        "event_type": 1,
        "trigger_type": 1,
        "trigger_metadata": {
            "keyword_filter": [r.keyword],
            "regex_patterns": [],
            "allow_list": [],
        },
        "actions": [automod_block_action_json()],
        "enabled": true,
        "exempt_roles": [],
        "exempt_channels": [],
    })
}

/// The BLOCK_MESSAGE action (type 1).
pub(crate) fn automod_block_action_json() -> Value {
    json!({"type": 1, "metadata": {}})
}

pub(crate) fn channel_json(c: &ChannelRec, recipients: &[Value]) -> Value {
    match c.kind {
        CHANNEL_DM => json!({
            "id": c.id.to_string(),
            "type": CHANNEL_DM,
            "last_message_id": null,
            "last_pin_timestamp": c.last_pin_timestamp,
            "recipients": recipients,
            "flags": 0,
        }),
        CHANNEL_PUBLIC_THREAD => {
            let (owner, members, created) = c.thread.as_ref().map_or((0, 0, ""), |t| {
                (t.owner_id, t.members.len(), t.created_at.as_str())
            });
            json!({
                "id": c.id.to_string(),
                "type": CHANNEL_PUBLIC_THREAD,
                "guild_id": c.guild_id.map(|g| g.to_string()),
                "parent_id": c.parent_id.map(|p| p.to_string()),
                "owner_id": owner.to_string(),
                "name": c.name,
                "last_message_id": null,
                "last_pin_timestamp": c.last_pin_timestamp,
                "rate_limit_per_user": 0,
                "message_count": 0,
                "member_count": members,
                "total_message_sent": 0,
                "thread_metadata": {
                    "archived": false,
                    "auto_archive_duration": 1440,
                    "archive_timestamp": created,
                    "create_timestamp": created,
                    "locked": false,
                },
                "flags": 0,
            })
        }
        kind @ (CHANNEL_VOICE | CHANNEL_STAGE) => json!({
            "id": c.id.to_string(),
            "type": kind,
            "guild_id": c.guild_id.map(|g| g.to_string()),
            "name": c.name,
            "position": c.position,
            "permission_overwrites": [],
            "nsfw": false,
            "bitrate": 64000,
            "user_limit": 0,
            "rtc_region": null,
            "parent_id": null,
            "flags": 0,
        }),
        kind => json!({
            "id": c.id.to_string(),
            "type": kind,
            "guild_id": c.guild_id.map(|g| g.to_string()),
            "name": c.name,
            "position": c.position,
            "permission_overwrites": [],
            "nsfw": false,
            "topic": null,
            "last_message_id": null,
            "last_pin_timestamp": c.last_pin_timestamp,
            "rate_limit_per_user": 0,
            "parent_id": null,
            "flags": 0,
        }),
    }
}
