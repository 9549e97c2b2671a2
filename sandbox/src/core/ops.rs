//! Why a world change failed: [`OpError`], mapped to Discord's JSON error
//! codes for REST answers and to panic messages for actors and admins; and
//! the world lookups that fail with one (a guild the bot is in, a channel
//! that takes messages, ...).

use twilight_model::{guild::Permissions, id::Id};

use crate::core::{
    state::State,
    world::{CHANNEL_STAGE, CHANNEL_VOICE, ChannelRec, GuildRec},
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
    UnknownInvite(String),
    UnknownWebhook(u64),
    UnknownIntegration(u64),
    UnknownEntitlement(u64),
    /// The bot lacks these permissions for the action.
    MissingPermissions(Permissions),
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
            Self::UnknownInvite(_) => (404, 10006, "Unknown Invite"),
            Self::UnknownWebhook(_) => (404, 10015, "Unknown Webhook"),
            Self::UnknownIntegration(_) => (404, 10005, "Unknown Integration"),
            Self::UnknownEntitlement(_) => (404, 10029, "Unknown Entitlement"),
            Self::MissingPermissions(_) => (403, 50013, "Missing Permissions"),
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
            Self::UnknownInvite(code) => write!(f, "unknown invite {code:?}"),
            Self::UnknownWebhook(id) => write!(f, "unknown webhook {id}"),
            Self::UnknownIntegration(id) => write!(f, "unknown integration {id}"),
            Self::UnknownEntitlement(id) => write!(f, "unknown entitlement {id}"),
            Self::MissingPermissions(missing) => write!(f, "missing permissions {missing:?}"),
            Self::Invalid(why) => f.write_str(why),
        }
    }
}

/// `Ok` when `have` holds `needed`, else Missing Permissions naming what lacks.
fn granted(have: Permissions, needed: Permissions) -> Result<(), OpError> {
    if have.contains(needed) {
        Ok(())
    } else {
        Err(OpError::MissingPermissions(needed - have))
    }
}

impl State {
    /// Refuses (403 Missing Permissions, as Discord) unless the bot has
    /// `needed` in `channel` (roles and the channel's overwrites; a DM needs
    /// nothing).
    pub(crate) fn bot_needs_in(&self, channel: u64, needed: Permissions) -> Result<(), OpError> {
        let have = self
            .world
            .permissions_in(Id::new(self.world.bot_id), Id::new(channel));
        granted(have, needed)
    }

    /// Refuses unless the bot has `needed` in `guild` (its roles).
    pub(crate) fn bot_needs(&self, guild: u64, needed: Permissions) -> Result<(), OpError> {
        let have = self
            .world
            .guild_permissions(Id::new(self.world.bot_id), Id::new(guild));
        granted(have, needed)
    }

    /// A guild of the world.
    pub(crate) fn guild_rec(&self, guild: u64) -> Result<&GuildRec, OpError> {
        self.world.guild(guild).ok_or(OpError::UnknownGuild(guild))
    }

    /// A guild of the world, to change.
    pub(crate) fn guild_rec_mut(&mut self, guild: u64) -> Result<&mut GuildRec, OpError> {
        self.world
            .guild_mut(guild)
            .ok_or(OpError::UnknownGuild(guild))
    }

    /// A guild the bot is a member of.
    pub(crate) fn bot_guild(&self, guild: u64) -> Result<&GuildRec, OpError> {
        let bot = self.world.bot_id;
        let g = self.guild_rec(guild)?;
        if g.members.iter().any(|m| m.user_id == bot) {
            Ok(g)
        } else {
            Err(OpError::Invalid(format!(
                "the bot is not a member of guild {:?}",
                g.name
            )))
        }
    }

    /// A guild channel or thread: `(guild, channel)`.
    pub(crate) fn guild_channel(&self, channel: u64) -> Result<(u64, &ChannelRec), OpError> {
        let c = self
            .world
            .channel(channel)
            .ok_or(OpError::UnknownChannel(channel))?;
        let guild = c.guild_id.ok_or(OpError::DmChannel(channel))?;
        Ok((guild, c))
    }

    /// The guild of a channel that takes messages (`None` for DMs), or why
    /// it cannot take messages.
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

    /// That `user` exists.
    pub(crate) fn user_exists(&self, user: u64) -> Result<(), OpError> {
        self.world
            .user_rec(user)
            .map(|_| ())
            .ok_or(OpError::UnknownUser(user))
    }

    /// Guilds the bot shares with `user`.
    pub(crate) fn shared_guilds(&self, user: u64) -> Vec<u64> {
        self.world
            .bot_guilds()
            .filter(|g| g.members.iter().any(|m| m.user_id == user))
            .map(|g| g.id)
            .collect()
    }

    /// The guild owner, else the bot: who "the sandbox" acts as.
    pub(crate) fn guild_actor(&self, guild: u64) -> u64 {
        self.world
            .guild(guild)
            .and_then(|g| g.owner_id)
            .unwrap_or(self.world.bot_id)
    }
}
