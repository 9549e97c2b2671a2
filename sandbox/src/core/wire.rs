//! The world's base types as twilight-model 0.18 values: users, members,
//! roles, channels and emojis of reactions. Serialising them gives the wire
//! shape twilight itself reads; features build their payloads on these.

use twilight_model::{
    channel::{
        Channel, ChannelFlags, ChannelType,
        message::EmojiReactionType,
        thread::{AutoArchiveDuration, ThreadMetadata},
    },
    guild::{Member, MemberFlags, PartialMember, Role, RoleColors, RoleFlags},
    id::Id,
    user::{CurrentUser, User, UserFlags},
};

use crate::core::world::{
    CHANNEL_DM, CHANNEL_PUBLIC_THREAD, CHANNEL_STAGE, CHANNEL_VOICE, ChannelRec, MemberRec,
    RoleRec, World,
};

/// A user (`unknown-user` for an id the world does not know).
pub(crate) fn user(world: &World, id: u64) -> User {
    let (name, bot) = world
        .user_rec(id)
        .map_or(("unknown-user", false), |u| (u.name.as_str(), u.bot));
    User {
        accent_color: None,
        avatar: None,
        avatar_decoration: None,
        avatar_decoration_data: None,
        banner: None,
        bot,
        discriminator: 0,
        email: None,
        flags: None,
        global_name: None,
        id: Id::new(id),
        locale: None,
        mfa_enabled: None,
        name: name.to_owned(),
        premium_type: None,
        primary_guild: None,
        public_flags: Some(UserFlags::empty()),
        system: None,
        verified: None,
    }
}

/// The bot's own user, as READY, USER_UPDATE and `GET /users/@me` carry
/// it.
pub(crate) fn current_user(world: &World) -> CurrentUser {
    let user = user(world, world.bot_id);
    CurrentUser {
        accent_color: None,
        avatar: None,
        banner: None,
        bot: true,
        discriminator: 0,
        email: None,
        flags: Some(UserFlags::empty()),
        global_name: None,
        id: user.id,
        locale: Some("en-US".to_owned()),
        mfa_enabled: false,
        name: user.name,
        premium_type: None,
        public_flags: Some(UserFlags::empty()),
        verified: Some(true),
    }
}

/// A guild member with its user.
pub(crate) fn member(world: &World, m: &MemberRec) -> Member {
    Member {
        avatar: None,
        avatar_decoration_data: None,
        banner: None,
        communication_disabled_until: m.communication_disabled_until,
        deaf: m.deaf,
        flags: MemberFlags::empty(),
        joined_at: Some(m.joined_at),
        mute: m.mute,
        nick: m.nick.clone(),
        pending: false,
        premium_since: None,
        roles: m.roles.iter().map(|r| Id::new(*r)).collect(),
        user: user(world, m.user_id),
    }
}

/// A member without the guild-wide parts Discord leaves out of messages
/// (`user` only when asked for).
pub(crate) fn partial_member(world: &World, m: &MemberRec, with_user: bool) -> PartialMember {
    PartialMember {
        avatar: None,
        avatar_decoration_data: None,
        banner: None,
        communication_disabled_until: m.communication_disabled_until,
        deaf: m.deaf,
        flags: MemberFlags::empty(),
        joined_at: Some(m.joined_at),
        mute: m.mute,
        nick: m.nick.clone(),
        permissions: None,
        premium_since: None,
        roles: m.roles.iter().map(|r| Id::new(*r)).collect(),
        user: with_user.then(|| user(world, m.user_id)),
    }
}

/// A channel; a DM channel holds its recipient.
pub(crate) fn any_channel(world: &World, c: &ChannelRec) -> Channel {
    let mut channel = channel(c);
    if let Some(recipient) = c.recipient {
        channel.recipients = Some(vec![user(world, recipient)]);
    }
    channel
}

/// A role (no colour, not hoisted, not mentionable).
#[allow(deprecated)] // `color` is deprecated in favour of `colors`; Discord still sends both.
pub(crate) fn role(r: &RoleRec) -> Role {
    Role {
        color: 0,
        colors: RoleColors {
            primary_color: 0,
            secondary_color: None,
            tertiary_color: None,
        },
        hoist: false,
        icon: None,
        id: Id::new(r.id),
        managed: false,
        mentionable: false,
        name: r.name.clone(),
        permissions: r.permissions,
        position: i64::try_from(r.position).unwrap_or(i64::MAX),
        flags: RoleFlags::empty(),
        tags: None,
        unicode_emoji: None,
    }
}

/// A channel without its DM recipients (guild channels and threads).
pub(crate) fn channel(c: &ChannelRec) -> Channel {
    let mut out = Channel {
        application_id: None,
        applied_tags: None,
        available_tags: None,
        bitrate: None,
        default_auto_archive_duration: None,
        default_forum_layout: None,
        default_reaction_emoji: None,
        default_sort_order: None,
        default_thread_rate_limit_per_user: None,
        flags: Some(ChannelFlags::empty()),
        guild_id: c.guild_id.map(Id::new),
        icon: None,
        id: Id::new(c.id),
        invitable: None,
        kind: ChannelType::from(c.kind),
        last_message_id: None,
        last_pin_timestamp: c.last_pin_timestamp,
        managed: None,
        member: None,
        member_count: None,
        message_count: None,
        name: Some(c.name.clone()),
        newly_created: None,
        nsfw: Some(false),
        owner_id: None,
        parent_id: c.parent_id.map(Id::new),
        permission_overwrites: Some(
            c.overwrites
                .iter()
                .map(|o| twilight_model::channel::permission_overwrite::PermissionOverwrite {
                    allow: o.allow,
                    deny: o.deny,
                    id: Id::new(o.id),
                    kind: if o.member {
                        twilight_model::channel::permission_overwrite::PermissionOverwriteType::Member
                    } else {
                        twilight_model::channel::permission_overwrite::PermissionOverwriteType::Role
                    },
                })
                .collect(),
        ),
        position: Some(i32::try_from(c.position).unwrap_or(i32::MAX)),
        rate_limit_per_user: Some(0),
        recipients: None,
        rtc_region: None,
        thread_metadata: None,
        topic: None,
        total_message_sent: None,
        user_limit: None,
        video_quality_mode: None,
    };
    match c.kind {
        CHANNEL_DM => {
            out.name = None;
            out.nsfw = None;
            out.permission_overwrites = None;
            out.position = None;
            out.rate_limit_per_user = None;
            out.recipients = Some(Vec::new());
        }
        CHANNEL_PUBLIC_THREAD => {
            out.permission_overwrites = None;
            out.position = None;
            out.nsfw = None;
            if let Some(t) = &c.thread {
                out.owner_id = Some(Id::new(t.owner_id));
                out.member_count = Some(i8::try_from(t.members.len()).unwrap_or(i8::MAX));
                out.message_count = Some(0);
                out.total_message_sent = Some(0);
                out.thread_metadata = Some(ThreadMetadata {
                    archived: false,
                    auto_archive_duration: AutoArchiveDuration::Day,
                    archive_timestamp: t.created_at,
                    create_timestamp: Some(t.created_at),
                    invitable: None,
                    locked: false,
                });
            }
        }
        CHANNEL_VOICE | CHANNEL_STAGE => {
            out.rate_limit_per_user = None;
            out.bitrate = Some(64_000);
            out.user_limit = Some(0);
        }
        _ => {}
    }
    out
}

/// The emoji of a reaction, from the sandbox's key: `"✅"` (unicode) or
/// `"name:id"` (custom).
pub(crate) fn reaction_emoji(key: &str) -> EmojiReactionType {
    match key.rsplit_once(':') {
        Some((name, id)) if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) => {
            match id.parse::<u64>().ok().and_then(Id::new_checked) {
                Some(id) => EmojiReactionType::Custom {
                    animated: false,
                    id,
                    name: Some(name.to_owned()),
                },
                None => EmojiReactionType::Unicode {
                    name: key.to_owned(),
                },
            }
        }
        _ => EmojiReactionType::Unicode {
            name: key.to_owned(),
        },
    }
}
