//! Guild, member, channel, role, expression, voice, stage, thread and scheduled-event events that
//! carry what the cache knew before the change.
//!
//! Every update event carries `before`, the cached value from before the update (`None`, or an
//! empty list, when the cache did not hold it: it was never seen, or that resource is not cached,
//! see `BotBuilder::cache_resources`), and `after`, the new value from the gateway. Every delete
//! event carries the cached object when there was one. They fire for every change, cached or not.

use twilight_cache_inmemory::model::{
    CachedEmoji, CachedGuild, CachedMember, CachedPresence, CachedSticker, CachedVoiceState,
};
use twilight_model::channel::message::Sticker;
use twilight_model::channel::thread::ThreadMember;
use twilight_model::channel::{Channel, StageInstance};
use twilight_model::gateway::Intents;
use twilight_model::gateway::payload::incoming::{
    MemberRemove as RawMemberRemove, MemberUpdate as RawMemberUpdate,
};
use twilight_model::gateway::presence::Presence;
use twilight_model::guild::scheduled_event::GuildScheduledEvent;
use twilight_model::guild::{Emoji, Guild, PartialGuild, Role};
use twilight_model::id::Id;
use twilight_model::id::marker::{ChannelMarker, GuildMarker, RoleMarker, UserMarker};
use twilight_model::user::User;
use twilight_model::voice::VoiceState;

use super::Keys;
use super::intents::EXPRESSIONS;
use super::message::deref_raw;
use super::raw::RawThreadDelete;

fn guild(id: Id<GuildMarker>) -> Keys {
    Keys {
        guild: Some(id),
        ..Keys::NONE
    }
}

/// The bot joined a guild (`guild_join`): a GUILD_CREATE for a guild that was not in READY.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct GuildJoin {
    /// The guild, complete.
    pub guild: Guild,
}
impl_event!(GuildJoin, "guild_join", Intents::GUILDS, |e| guild(
    e.guild.id
));

/// A guild the bot is in became available (`guild_available`): at start-up once per guild READY
/// listed, and after an outage.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct GuildAvailable {
    /// The guild, complete.
    pub guild: Guild,
}
impl_event!(GuildAvailable, "guild_available", Intents::GUILDS, |e| {
    guild(e.guild.id)
});

/// The bot left a guild, was removed from it, or it was deleted (`guild_remove`).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct GuildRemove {
    /// The guild's id.
    pub id: Id<GuildMarker>,
    /// The guild as cached before it was removed.
    pub guild: Option<CachedGuild>,
}
impl_event!(GuildRemove, "guild_remove", Intents::GUILDS, |e| guild(
    e.id
));

/// A guild became unavailable through a Discord outage (`guild_unavailable`); the bot is still in
/// it, and `guild_available` follows when it is back.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct GuildUnavailable {
    /// The guild's id.
    pub id: Id<GuildMarker>,
    /// The guild as cached before the outage.
    pub guild: Option<CachedGuild>,
}
impl_event!(
    GuildUnavailable,
    "guild_unavailable",
    Intents::GUILDS,
    |e| guild(e.id)
);

/// A guild's settings changed (`guild_update`).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct GuildUpdate {
    /// The guild before.
    pub before: Option<CachedGuild>,
    /// The guild's settings after.
    pub after: PartialGuild,
}
impl_event!(GuildUpdate, "guild_update", Intents::GUILDS, |e| guild(
    e.after.id
));

/// A guild channel changed (`guild_channel_update`).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ChannelUpdate {
    /// The channel before.
    pub before: Option<Channel>,
    /// The channel after.
    pub after: Channel,
}
impl_event!(
    ChannelUpdate,
    "guild_channel_update",
    Intents::GUILDS,
    |e| {
        Keys {
            guild: e.after.guild_id,
            channel: Some(e.after.id),
            ..Keys::NONE
        }
    }
);

/// A role changed (`guild_role_update`).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct RoleUpdate {
    /// The role's guild.
    pub guild_id: Id<GuildMarker>,
    /// The role before.
    pub before: Option<Role>,
    /// The role after.
    pub after: Role,
}
impl_event!(RoleUpdate, "guild_role_update", Intents::GUILDS, |e| guild(
    e.guild_id
));

/// A role was deleted (`guild_role_delete`).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct RoleDelete {
    /// The role's guild.
    pub guild_id: Id<GuildMarker>,
    /// The deleted role's id.
    pub role_id: Id<RoleMarker>,
    /// The role as cached.
    pub role: Option<Role>,
}
impl_event!(RoleDelete, "guild_role_delete", Intents::GUILDS, |e| guild(
    e.guild_id
));

/// A guild's emojis changed (`guild_emojis_update`): the full lists before and after.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct GuildEmojisUpdate {
    /// The guild.
    pub guild_id: Id<GuildMarker>,
    /// The emojis before (empty when not cached).
    pub before: Vec<CachedEmoji>,
    /// The emojis after.
    pub after: Vec<Emoji>,
}
impl_event!(GuildEmojisUpdate, "guild_emojis_update", EXPRESSIONS, |e| {
    guild(e.guild_id)
});

/// A guild's stickers changed (`guild_stickers_update`): the full lists before and after.
///
/// twilight 0.18's shard does not recognise GUILD_STICKERS_UPDATE; herald decodes it itself.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct GuildStickersUpdate {
    /// The guild.
    pub guild_id: Id<GuildMarker>,
    /// The stickers before (empty when not cached).
    pub before: Vec<CachedSticker>,
    /// The stickers after.
    pub after: Vec<Sticker>,
}
impl_event!(
    GuildStickersUpdate,
    "guild_stickers_update",
    EXPRESSIONS,
    |e| guild(e.guild_id)
);

/// A member left, was kicked or was banned (`member_remove`).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct MemberRemove {
    /// The gateway payload: `guild_id` and `user`.
    pub raw: RawMemberRemove,
    /// The member as cached: nickname, roles, join date.
    pub member: Option<CachedMember>,
}
impl_event!(MemberRemove, "member_remove", Intents::GUILD_MEMBERS, |e| {
    Keys {
        guild: Some(e.raw.guild_id),
        user: Some(e.raw.user.id),
        ..Keys::NONE
    }
});

/// A member's nickname, roles, avatar, timeout or pending state changed (`member_update`).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct MemberUpdate {
    /// The member before.
    pub before: Option<CachedMember>,
    /// The member after (the gateway payload).
    pub after: RawMemberUpdate,
}
impl_event!(MemberUpdate, "member_update", Intents::GUILD_MEMBERS, |e| {
    Keys {
        guild: Some(e.after.guild_id),
        user: Some(e.after.user.id),
        ..Keys::NONE
    }
});

/// A user's profile changed: username, global name, avatar or discriminator (`user_update`).
///
/// Discord sends no event for this; like disnake, herald notices it in a GUILD_MEMBER_UPDATE
/// whose user differs from the cached one, so it needs the user cached (`GUILD_MEMBERS` intent,
/// user and member cache). It fires once, however many guilds the user shares with the bot.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct UserUpdate {
    /// The user before.
    pub before: User,
    /// The user after.
    pub after: User,
}
impl_event!(UserUpdate, "user_update", Intents::GUILD_MEMBERS, |e| {
    Keys {
        user: Some(e.after.id),
        ..Keys::NONE
    }
});

/// A member's status or activities changed (`presence_update`).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct PresenceUpdate {
    /// The presence before.
    pub before: Option<CachedPresence>,
    /// The presence after.
    pub after: Presence,
}
impl_event!(
    PresenceUpdate,
    "presence_update",
    Intents::GUILD_PRESENCES,
    |e| Keys {
        guild: Some(e.after.guild_id),
        user: Some(e.after.user.id()),
        ..Keys::NONE
    }
);

/// A member joined, left or switched a voice channel, or changed their mute, deafen, video or
/// stream state (`voice_state_update`). The member is `after.member`.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct VoiceStateUpdate {
    /// The voice state before; `None` when the member was not in a voice channel (or it was not
    /// cached).
    pub before: Option<CachedVoiceState>,
    /// The voice state after; `after.channel_id` is `None` when the member left.
    pub after: VoiceState,
}
impl VoiceStateUpdate {
    /// The channel the member was in before, if any.
    pub fn channel_before(&self) -> Option<Id<ChannelMarker>> {
        self.before.as_ref().map(|state| state.channel_id())
    }
}
impl_event!(
    VoiceStateUpdate,
    "voice_state_update",
    Intents::GUILD_VOICE_STATES,
    |e| Keys {
        guild: e.after.guild_id,
        channel: e.after.channel_id,
        user: Some(e.after.user_id),
        ..Keys::NONE
    }
);

/// A stage instance's topic or privacy changed (`stage_instance_update`).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct StageInstanceUpdate {
    /// The stage instance before.
    pub before: Option<StageInstance>,
    /// The stage instance after.
    pub after: StageInstance,
}
impl_event!(
    StageInstanceUpdate,
    "stage_instance_update",
    Intents::GUILDS,
    |e| Keys {
        guild: Some(e.after.guild_id),
        channel: Some(e.after.channel_id),
        ..Keys::NONE
    }
);

/// A thread changed: name, archived or locked state, ... (`thread_update`).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ThreadUpdate {
    /// The thread before.
    pub before: Option<Channel>,
    /// The thread after.
    pub after: Channel,
}
impl_event!(ThreadUpdate, "thread_update", Intents::GUILDS, |e| Keys {
    guild: e.after.guild_id,
    channel: Some(e.after.id),
    ..Keys::NONE
});

/// A thread was deleted (`thread_delete`).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ThreadDelete {
    /// The gateway payload: `id`, `guild_id`, `parent_id`, `kind`.
    pub raw: RawThreadDelete,
    /// The thread as cached.
    pub thread: Option<Channel>,
}
impl_event!(ThreadDelete, "thread_delete", Intents::GUILDS, |e| Keys {
    guild: Some(e.raw.guild_id),
    channel: Some(e.raw.id),
    ..Keys::NONE
});

/// A user joined a thread (`thread_member_join`), one event per member added.
///
/// Discord sends other users' thread membership only with the `GUILD_MEMBERS` intent.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ThreadMemberJoin {
    /// The thread's guild.
    pub guild_id: Id<GuildMarker>,
    /// The thread.
    pub thread_id: Id<ChannelMarker>,
    /// The new thread member.
    pub member: ThreadMember,
}
impl_event!(
    ThreadMemberJoin,
    "thread_member_join",
    Intents::GUILD_MEMBERS,
    |e| Keys {
        guild: Some(e.guild_id),
        channel: Some(e.thread_id),
        user: e.member.user_id,
        ..Keys::NONE
    }
);

/// A user left or was removed from a thread (`thread_member_remove`), one event per member.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ThreadMemberRemove {
    /// The thread's guild.
    pub guild_id: Id<GuildMarker>,
    /// The thread.
    pub thread_id: Id<ChannelMarker>,
    /// The user who left.
    pub user_id: Id<UserMarker>,
}
impl_event!(
    ThreadMemberRemove,
    "thread_member_remove",
    Intents::GUILD_MEMBERS,
    |e| Keys {
        guild: Some(e.guild_id),
        channel: Some(e.thread_id),
        user: Some(e.user_id),
        ..Keys::NONE
    }
);

/// A scheduled event changed (`scheduled_event_update`).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ScheduledEventUpdate {
    /// The scheduled event before.
    pub before: Option<GuildScheduledEvent>,
    /// The scheduled event after.
    pub after: GuildScheduledEvent,
}
impl_event!(
    ScheduledEventUpdate,
    "scheduled_event_update",
    Intents::GUILD_SCHEDULED_EVENTS,
    |e| Keys {
        guild: Some(e.after.guild_id),
        channel: e.after.channel_id,
        ..Keys::NONE
    }
);

deref_raw!(MemberRemove => RawMemberRemove, ThreadDelete => RawThreadDelete);
