//! Permissions from the cache, as Discord computes them: disnake's
//! `channel.permissions_for(member)`.

use twilight_cache_inmemory::permission::{ChannelErrorType, RootErrorType};
use twilight_model::guild::Permissions;
use twilight_model::id::Id;
use twilight_model::id::marker::{ChannelMarker, GuildMarker, RoleMarker, UserMarker};

use super::Context;
use crate::Error;

impl Context {
    /// `user`'s permissions in `channel`, from the cache: the owner and ADMINISTRATOR have all;
    /// else `@everyone`'s and the member's roles' permissions, then the channel's overwrites
    /// (for `@everyone`, the member's roles, the member). A thread follows its parent channel.
    /// Only the permissions that apply to the channel's type are kept (twilight's calculator:
    /// no CONNECT in a text channel, no guild-wide BAN_MEMBERS in any channel; those are in
    /// [`guild_permissions_for`](Self::guild_permissions_for)).
    ///
    /// ```no_run
    /// # use herald_framework::prelude::*;
    /// # use herald_framework::model::guild::Permissions;
    /// # async fn f(ctx: Context, msg: &MessageCreate) -> herald_framework::Result {
    /// let bot = ctx.current_user().map(|u| u.id).unwrap();
    /// if !ctx.permissions_for(bot, msg.channel_id)?.contains(Permissions::SEND_MESSAGES) {
    ///     return Ok(()); // or say so elsewhere
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::NotCached`] naming what the cache lacks: the channel, the member (members who
    /// have not spoken since the bot started are cached only with the GUILD_MEMBERS intent or
    /// after a member request), or one of their roles.
    pub fn permissions_for(
        &self,
        user: Id<UserMarker>,
        channel: Id<ChannelMarker>,
    ) -> Result<Permissions, Error> {
        self.cache()
            .permissions()
            .in_channel(user, channel)
            .map_err(|error| {
                Error::NotCached(match error.kind() {
                    ChannelErrorType::ChannelNotInGuild { channel_id } => {
                        format!("channel {channel_id} in a guild (a DM has no permissions)")
                    }
                    ChannelErrorType::ChannelUnavailable { channel_id } => {
                        format!("channel {channel_id}")
                    }
                    ChannelErrorType::MemberUnavailable { guild_id, user_id } => {
                        format!("member {user_id} of guild {guild_id}")
                    }
                    ChannelErrorType::RoleUnavailable { role_id } => format!("role {role_id}"),
                    _ => format!("what the permissions of {user} in {channel} need"),
                })
            })
    }

    /// `user`'s permissions in `guild` from its roles, without any channel's overwrites: what
    /// guild-wide actions (bans, kicks, roles) are checked against.
    ///
    /// # Errors
    ///
    /// [`Error::NotCached`], as [`permissions_for`](Self::permissions_for).
    pub fn guild_permissions_for(
        &self,
        user: Id<UserMarker>,
        guild: Id<GuildMarker>,
    ) -> Result<Permissions, Error> {
        self.cache()
            .permissions()
            .root(user, guild)
            .map_err(|error| {
                Error::NotCached(match error.kind() {
                    RootErrorType::MemberUnavailable { guild_id, user_id } => {
                        format!("member {user_id} of guild {guild_id}")
                    }
                    RootErrorType::RoleUnavailable { role_id } => format!("role {role_id}"),
                    _ => format!("what the permissions of {user} in guild {guild} need"),
                })
            })
    }

    /// What a member with only `role` (and `@everyone`) may do in `channel`: the roles'
    /// permissions, then the channel's overwrites for `@everyone` and for the role.
    /// ADMINISTRATOR has all.
    ///
    /// # Errors
    ///
    /// [`Error::NotCached`] naming the channel or role the cache lacks.
    pub fn role_permissions_for(
        &self,
        role: Id<RoleMarker>,
        channel: Id<ChannelMarker>,
    ) -> Result<Permissions, Error> {
        let cache = self.cache();
        let channel = cache
            .channel(channel)
            .ok_or_else(|| Error::NotCached(format!("channel {channel}")))?;
        let guild = channel.guild_id.ok_or_else(|| {
            Error::NotCached(format!(
                "channel {} in a guild (a DM has no permissions)",
                channel.id
            ))
        })?;
        let permissions_of = |id: Id<RoleMarker>| {
            cache
                .role(id)
                .map(|r| r.permissions)
                .ok_or_else(|| Error::NotCached(format!("role {id}")))
        };
        let everyone = guild.cast::<RoleMarker>();
        let mut base = permissions_of(everyone)? | permissions_of(role)?;
        if base.contains(Permissions::ADMINISTRATOR) {
            return Ok(Permissions::all());
        }
        let overwrites = match channel.parent_id {
            // A thread follows its parent.
            Some(parent) if channel.thread_metadata.is_some() => cache
                .channel(parent)
                .and_then(|p| p.permission_overwrites.clone()),
            _ => channel.permission_overwrites.clone(),
        }
        .unwrap_or_default();
        for target in [everyone, role] {
            if let Some(o) = overwrites.iter().find(|o| o.id == target.cast()) {
                base = (base - o.deny) | o.allow;
            }
        }
        Ok(base)
    }
}
