//! The world the sandbox simulates: users, guilds, channels, roles, members,
//! emojis and messages.
//!
//! Build one with [`World::demo`] or [`World::new`] and the `add_*` methods,
//! then hand it to [`SandboxBuilder::world`](crate::SandboxBuilder::world).
//! Ids are deterministic snowflakes: the same world gets the same ids on every
//! run.

use std::collections::{HashMap, VecDeque};

use serde_json::Value;
use twilight_model::{
    guild::Permissions,
    id::{
        Id,
        marker::{ChannelMarker, EmojiMarker, GuildMarker, RoleMarker, StickerMarker, UserMarker},
    },
};

use twilight_model::util::Timestamp;

use crate::core::ids::{IdGen, now};

/// A simulated Discord world: the bot user, other users, guilds with their
/// channels, roles, members and emojis, and the messages posted so far.
///
/// ```
/// use herald_sandbox::World;
/// use twilight_model::guild::Permissions;
///
/// let mut world = World::new("my-bot");
/// let guild = world.add_guild("My Server");
/// let general = world.add_text_channel(guild, "general");
/// let helper = world.add_role(guild, "Helper", Permissions::MANAGE_MESSAGES);
/// let ann = world.add_user("ann");
/// world.add_member(guild, ann, &[helper]);
/// assert_eq!(world.channel_id("general"), Some(general));
/// ```
#[derive(Clone, Debug)]
pub struct World {
    pub(crate) ids: IdGen,
    pub(crate) application_id: u64,
    pub(crate) bot_id: u64,
    pub(crate) users: Vec<UserRec>,
    pub(crate) guilds: Vec<GuildRec>,
    pub(crate) dm_channels: Vec<ChannelRec>,
    pub(crate) messages: HashMap<u64, VecDeque<MessageRec>>,
    /// Messages kept per channel (oldest dropped first).
    pub(crate) message_history: usize,
    pub(crate) message_channel: HashMap<u64, u64>,
}

#[derive(Clone, Debug)]
pub(crate) struct UserRec {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) bot: bool,
    pub(crate) refuses_dms: bool,
    /// The presence others see (`online`, `idle`, `dnd`, `offline`); `None`
    /// until set with [`Admin::set_user_presence`](crate::Admin::set_user_presence).
    pub(crate) status: Option<String>,
}

#[derive(Clone, Debug)]
pub(crate) struct GuildRec {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) owner_id: Option<u64>,
    pub(crate) joined_at: Timestamp,
    pub(crate) channels: Vec<ChannelRec>,
    pub(crate) roles: Vec<RoleRec>,
    pub(crate) members: Vec<MemberRec>,
    pub(crate) emojis: Vec<EmojiRec>,
    pub(crate) bans: Vec<BanRec>,
    pub(crate) audit_log: Vec<AuditRec>,
    pub(crate) voice_states: Vec<VoiceRec>,
    pub(crate) stickers: Vec<StickerRec>,
    /// Active threads (channels of type 11), apart from `channels` as in
    /// GUILD_CREATE.
    pub(crate) threads: Vec<ChannelRec>,
    pub(crate) stage_instances: Vec<StageRec>,
    pub(crate) scheduled_events: Vec<ScheduledEventRec>,
    pub(crate) automod_rules: Vec<AutomodRuleRec>,
    /// In an outage (GUILD_DELETE `unavailable: true` sent).
    pub(crate) unavailable: bool,
    /// Where Discord posts join messages.
    pub(crate) system_channel_id: Option<u64>,
}

/// Channel kinds the sandbox knows (Discord's channel type numbers).
pub(crate) const CHANNEL_TEXT: u8 = 0;
pub(crate) const CHANNEL_DM: u8 = 1;
pub(crate) const CHANNEL_VOICE: u8 = 2;
pub(crate) const CHANNEL_PUBLIC_THREAD: u8 = 11;
pub(crate) const CHANNEL_STAGE: u8 = 13;

#[derive(Clone, Debug)]
pub(crate) struct ChannelRec {
    pub(crate) id: u64,
    pub(crate) guild_id: Option<u64>,
    pub(crate) name: String,
    pub(crate) kind: u8,
    pub(crate) position: usize,
    /// The other user of a DM channel.
    pub(crate) recipient: Option<u64>,
    /// The parent channel of a thread.
    pub(crate) parent_id: Option<u64>,
    /// When the newest pinned message was pinned.
    pub(crate) last_pin_timestamp: Option<Timestamp>,
    /// Thread data (threads only).
    pub(crate) thread: Option<ThreadRec>,
    /// Permission overwrites (guild channels).
    pub(crate) overwrites: Vec<OverwriteRec>,
}

/// A channel's permission overwrite for a role (`@everyone` is the role
/// whose id is the guild's) or a member.
#[derive(Clone, Debug)]
pub(crate) struct OverwriteRec {
    /// The role's or the user's id.
    pub(crate) id: u64,
    pub(crate) member: bool,
    pub(crate) allow: Permissions,
    pub(crate) deny: Permissions,
}

#[derive(Clone, Debug)]
pub(crate) struct ThreadRec {
    pub(crate) owner_id: u64,
    pub(crate) members: Vec<u64>,
    pub(crate) created_at: Timestamp,
}

#[derive(Clone, Debug)]
pub(crate) struct StickerRec {
    pub(crate) id: u64,
    pub(crate) name: String,
}

#[derive(Clone, Debug)]
pub(crate) struct StageRec {
    pub(crate) id: u64,
    pub(crate) channel_id: u64,
    pub(crate) topic: String,
}

#[derive(Clone, Debug)]
pub(crate) struct ScheduledEventRec {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) creator_id: u64,
    pub(crate) start: Timestamp,
    pub(crate) end: Timestamp,
    /// Users who marked themselves interested.
    pub(crate) interested: Vec<u64>,
}

#[derive(Clone, Debug)]
pub(crate) struct AutomodRuleRec {
    pub(crate) id: u64,
    pub(crate) name: String,
    /// The keyword filter (Discord's syntax: `*` at either end matches
    /// inside words).
    pub(crate) keyword: String,
    pub(crate) creator_id: u64,
}

#[derive(Clone, Debug)]
pub(crate) struct RoleRec {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) permissions: Permissions,
    pub(crate) position: usize,
}

#[derive(Clone, Debug)]
pub(crate) struct MemberRec {
    pub(crate) user_id: u64,
    pub(crate) roles: Vec<u64>,
    pub(crate) nick: Option<String>,
    pub(crate) joined_at: Timestamp,
    pub(crate) communication_disabled_until: Option<Timestamp>,
    /// Server mute and deafen (voice).
    pub(crate) mute: bool,
    pub(crate) deaf: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct EmojiRec {
    pub(crate) id: u64,
    pub(crate) name: String,
}

#[derive(Clone, Debug)]
pub(crate) struct BanRec {
    pub(crate) user_id: u64,
    pub(crate) reason: Option<String>,
}

#[derive(Clone, Debug)]
pub(crate) struct AuditRec {
    pub(crate) id: u64,
    pub(crate) action_type: u16,
    pub(crate) user_id: u64,
    pub(crate) target_id: Option<u64>,
    pub(crate) reason: Option<String>,
}

#[derive(Clone, Debug)]
pub(crate) struct VoiceRec {
    pub(crate) user_id: u64,
    pub(crate) channel_id: u64,
    pub(crate) session_id: String,
    pub(crate) self_mute: bool,
    pub(crate) self_deaf: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct MessageRec {
    pub(crate) id: u64,
    pub(crate) channel_id: u64,
    pub(crate) guild_id: Option<u64>,
    pub(crate) author_id: u64,
    pub(crate) content: String,
    pub(crate) timestamp: Timestamp,
    pub(crate) edited_timestamp: Option<Timestamp>,
    pub(crate) embeds: Vec<Value>,
    pub(crate) components: Vec<Value>,
    pub(crate) mentions: Vec<u64>,
    /// Emoji key (`"✅"` or `"name:id"`) → users who reacted, in order.
    pub(crate) reactions: Vec<(String, Vec<u64>)>,
    pub(crate) kind: u8,
    pub(crate) flags: u64,
    /// When the message was pinned (`None`: not pinned).
    pub(crate) pinned_at: Option<Timestamp>,
    /// The poll the message carries, with its votes.
    pub(crate) poll: Option<PollRec>,
}

/// A poll on a message.
#[derive(Clone, Debug)]
pub(crate) struct PollRec {
    pub(crate) question: String,
    /// Answer texts; answer ids are 1-based positions, as on Discord.
    pub(crate) answers: Vec<String>,
    pub(crate) allow_multiselect: bool,
    pub(crate) expiry: Option<Timestamp>,
    /// `(answer_id, user)` in voting order.
    pub(crate) votes: Vec<(u8, u64)>,
}

impl World {
    /// An empty world holding only the bot user `bot_name` (and its
    /// application). Add guilds, channels, roles, users and members with the
    /// `add_*` methods.
    pub fn new(bot_name: &str) -> Self {
        let mut ids = IdGen::new();
        let application_id = ids.next_id();
        // Discord bots' user id equals their application id.
        let bot_id = application_id;
        Self {
            ids,
            application_id,
            bot_id,
            users: vec![UserRec {
                id: bot_id,
                name: bot_name.to_owned(),
                bot: true,
                refuses_dms: false,
                status: None,
            }],
            guilds: Vec::new(),
            dm_channels: Vec::new(),
            messages: HashMap::new(),
            message_history: usize::MAX,
            message_channel: HashMap::new(),
        }
    }

    /// The demo world every [`Sandbox::start`](crate::Sandbox::start) uses:
    ///
    /// - bot user `herald-bot`, a member of the guild with role `Herald`
    ///   (administrator);
    /// - guild `Herald Test` with text channels `general`, `welcome`,
    ///   `member-logs`, `moderation-logs`, `voice-logs`, `errors`, and a voice
    ///   channel `Voice`;
    /// - roles `@everyone`, `Member`, `Moderator` (ban, kick, manage
    ///   messages, moderate members, view audit log);
    /// - users `alice`, `bob`, `carol` (members with `Member`), `mod` (the
    ///   guild owner, `Member` + `Moderator`) and `dave` (not a member yet:
    ///   he can [`join`](crate::Actor::join));
    /// - custom emojis `herald` and `party`.
    pub fn demo() -> Self {
        let mut w = World::new("herald-bot");
        let guild = w.add_guild("Herald Test");
        for name in [
            "general",
            "welcome",
            "member-logs",
            "moderation-logs",
            "voice-logs",
            "errors",
        ] {
            w.add_text_channel(guild, name);
        }
        w.add_voice_channel(guild, "Voice");
        let member = w.add_role(guild, "Member", Permissions::empty());
        let moderator = w.add_role(
            guild,
            "Moderator",
            Permissions::BAN_MEMBERS
                | Permissions::KICK_MEMBERS
                | Permissions::MANAGE_MESSAGES
                | Permissions::MODERATE_MEMBERS
                | Permissions::VIEW_AUDIT_LOG
                | Permissions::MANAGE_NICKNAMES,
        );
        let herald = w.add_role(guild, "Herald", Permissions::ADMINISTRATOR);
        let bot = w.bot_user_id();
        w.add_member(guild, bot, &[herald]);
        let moderator_user = w.add_user("mod");
        w.add_member(guild, moderator_user, &[member, moderator]);
        w.set_owner(guild, moderator_user);
        for name in ["alice", "bob", "carol"] {
            let user = w.add_user(name);
            w.add_member(guild, user, &[member]);
        }
        w.add_user("dave");
        w.add_emoji(guild, "herald");
        w.add_emoji(guild, "party");
        w
    }

    /// A world with `n` guilds, for sharding tests: bot user `herald-bot`,
    /// users `mod`, `alice`, `bob`, `carol` (members of every guild, `mod`
    /// the owner) and `dave` (in no guild), and the guilds of
    /// [`add_guilds`](Self::add_guilds): `Guild 0` .. `Guild {n-1}`, each
    /// with a `#general` channel.
    ///
    /// The guild ids are consecutive in their timestamp part, so the
    /// guilds spread evenly over any shard count (`(id >> 22) % count`):
    /// with `n` a multiple of the count, every shard holds `n / count`.
    ///
    /// ```
    /// use herald_sandbox::World;
    ///
    /// let world = World::with_guilds(64);
    /// let guild = world.guild_id("Guild 5").unwrap();
    /// let per_shard = |count: u64| {
    ///     let mut n = vec![0; count as usize];
    ///     for k in 0..64 {
    ///         let id = world.guild_id(&format!("Guild {k}")).unwrap().get();
    ///         n[((id >> 22) % count) as usize] += 1;
    ///     }
    ///     n
    /// };
    /// assert_eq!(per_shard(16), vec![4; 16]);
    /// assert_eq!(per_shard(64), vec![1; 64]);
    /// # let _ = guild;
    /// ```
    pub fn with_guilds(n: usize) -> Self {
        let mut w = World::new("herald-bot");
        for name in ["mod", "alice", "bob", "carol"] {
            w.add_user(name);
        }
        w.add_guilds(n);
        w.add_user("dave");
        w
    }

    /// Adds `n` guilds named `Guild {k}` (numbering on from the `Guild {k}`
    /// guilds already there, so `Guild 0` .. `Guild {n-1}` the first time),
    /// each with a text channel `general`, roles `Member` and `Herald`
    /// (administrator), the bot as a member with `Herald`, and every human
    /// user of the world so far as a member with `Member` (the first one
    /// owns the guild). Returns their ids in order.
    ///
    /// The guild ids are taken one after the other before anything else,
    /// so their timestamps are consecutive and they spread evenly over
    /// shards (see [`with_guilds`](Self::with_guilds)).
    pub fn add_guilds(&mut self, n: usize) -> Vec<Id<GuildMarker>> {
        let first = self
            .guilds
            .iter()
            .filter(|g| {
                g.name
                    .strip_prefix("Guild ")
                    .is_some_and(|k| k.parse::<usize>().is_ok())
            })
            .count();
        let start = self.guilds.len();
        let ids: Vec<Id<GuildMarker>> = (0..n)
            .map(|k| self.add_guild(&format!("Guild {}", first + k)))
            .collect();
        let humans: Vec<u64> = self.users.iter().filter(|u| !u.bot).map(|u| u.id).collect();
        let bot = self.bot_id;
        for index in start..self.guilds.len() {
            let [channel, member, herald] = [(); 3].map(|()| self.ids.next_id());
            let joined_at = now();
            let g = &mut self.guilds[index];
            g.channels.push(ChannelRec {
                id: channel,
                guild_id: Some(g.id),
                name: "general".to_owned(),
                kind: CHANNEL_TEXT,
                position: 0,
                recipient: None,
                parent_id: None,
                last_pin_timestamp: None,
                thread: None,
                overwrites: Vec::new(),
            });
            for (position, (id, name, permissions)) in [
                (member, "Member", Permissions::empty()),
                (herald, "Herald", Permissions::ADMINISTRATOR),
            ]
            .into_iter()
            .enumerate()
            {
                g.roles.push(RoleRec {
                    id,
                    name: name.to_owned(),
                    permissions,
                    position: position + 1,
                });
            }
            g.owner_id = humans.first().copied();
            let member_rec = |user_id: u64, role: u64| MemberRec {
                user_id,
                roles: vec![role],
                nick: None,
                joined_at,
                communication_disabled_until: None,
                mute: false,
                deaf: false,
            };
            g.members.push(member_rec(bot, herald));
            g.members
                .extend(humans.iter().map(|&user| member_rec(user, member)));
        }
        ids
    }

    /// Adds a (human) user that is not in any guild yet.
    ///
    /// # Panics
    ///
    /// Panics if a user with that name already exists.
    pub fn add_user(&mut self, name: &str) -> Id<UserMarker> {
        assert!(
            self.user_by_name(name).is_none(),
            "World::add_user: a user named {name:?} already exists"
        );
        let id = self.ids.next_id();
        self.users.push(UserRec {
            id,
            name: name.to_owned(),
            bot: false,
            refuses_dms: false,
            status: None,
        });
        Id::new(id)
    }

    /// Adds a guild with its `@everyone` role (whose id equals the guild id,
    /// as on Discord). The bot is not a member until you
    /// [`add_member`](Self::add_member) it; the guild is only sent to the bot
    /// (READY, GUILD_CREATE) once it is.
    pub fn add_guild(&mut self, name: &str) -> Id<GuildMarker> {
        let id = self.ids.next_id();
        self.guilds.push(GuildRec {
            id,
            name: name.to_owned(),
            owner_id: None,
            joined_at: now(),
            channels: Vec::new(),
            roles: vec![RoleRec {
                id,
                name: "@everyone".to_owned(),
                permissions: Permissions::VIEW_CHANNEL
                    | Permissions::SEND_MESSAGES
                    | Permissions::READ_MESSAGE_HISTORY
                    | Permissions::ADD_REACTIONS
                    | Permissions::EMBED_LINKS
                    | Permissions::ATTACH_FILES
                    | Permissions::USE_SLASH_COMMANDS
                    | Permissions::CONNECT
                    | Permissions::SPEAK
                    | Permissions::CHANGE_NICKNAME,
                position: 0,
            }],
            members: Vec::new(),
            emojis: Vec::new(),
            bans: Vec::new(),
            audit_log: Vec::new(),
            voice_states: Vec::new(),
            stickers: Vec::new(),
            threads: Vec::new(),
            stage_instances: Vec::new(),
            scheduled_events: Vec::new(),
            automod_rules: Vec::new(),
            unavailable: false,
            system_channel_id: None,
        });
        Id::new(id)
    }

    /// Adds a text channel to `guild`.
    ///
    /// # Panics
    ///
    /// Panics if `guild` is not in this world.
    pub fn add_text_channel(&mut self, guild: Id<GuildMarker>, name: &str) -> Id<ChannelMarker> {
        self.add_channel(guild, name, CHANNEL_TEXT)
    }

    /// Adds a voice channel to `guild`.
    ///
    /// # Panics
    ///
    /// Panics if `guild` is not in this world.
    pub fn add_voice_channel(&mut self, guild: Id<GuildMarker>, name: &str) -> Id<ChannelMarker> {
        self.add_channel(guild, name, CHANNEL_VOICE)
    }

    /// Adds a stage channel (type 13) to `guild`, where
    /// [`Admin::start_stage`](crate::Admin::start_stage) opens a stage.
    ///
    /// # Panics
    ///
    /// Panics if `guild` is not in this world.
    pub fn add_stage_channel(&mut self, guild: Id<GuildMarker>, name: &str) -> Id<ChannelMarker> {
        self.add_channel(guild, name, CHANNEL_STAGE)
    }

    pub(crate) fn add_channel(
        &mut self,
        guild: Id<GuildMarker>,
        name: &str,
        kind: u8,
    ) -> Id<ChannelMarker> {
        let id = self.ids.next_id();
        let g = self.guild_mut_or_panic(guild.get(), "add channel");
        let position = g.channels.len();
        g.channels.push(ChannelRec {
            id,
            guild_id: Some(g.id),
            name: name.to_owned(),
            kind,
            position,
            recipient: None,
            parent_id: None,
            last_pin_timestamp: None,
            thread: None,
            overwrites: Vec::new(),
        });
        Id::new(id)
    }

    /// Adds a role with these permissions to `guild`.
    ///
    /// # Panics
    ///
    /// Panics if `guild` is not in this world.
    pub fn add_role(
        &mut self,
        guild: Id<GuildMarker>,
        name: &str,
        permissions: Permissions,
    ) -> Id<RoleMarker> {
        let id = self.ids.next_id();
        let g = self.guild_mut_or_panic(guild.get(), "add role");
        let position = g.roles.len();
        g.roles.push(RoleRec {
            id,
            name: name.to_owned(),
            permissions,
            position,
        });
        Id::new(id)
    }

    /// Makes `user` a member of `guild` with these roles (`@everyone` is
    /// implicit). The first human member becomes the owner unless
    /// [`set_owner`](Self::set_owner) says otherwise.
    ///
    /// # Panics
    ///
    /// Panics if the guild, user or a role is unknown.
    pub fn add_member(
        &mut self,
        guild: Id<GuildMarker>,
        user: Id<UserMarker>,
        roles: &[Id<RoleMarker>],
    ) {
        let is_bot = self
            .user_rec(user.get())
            .unwrap_or_else(|| panic!("World::add_member: unknown user {user}"))
            .bot;
        let g = self.guild_mut_or_panic(guild.get(), "add member");
        for role in roles {
            assert!(
                g.roles.iter().any(|r| r.id == role.get()),
                "World::add_member: role {role} is not a role of guild {:?}",
                g.name
            );
        }
        if g.owner_id.is_none() && !is_bot {
            g.owner_id = Some(user.get());
        }
        g.members.retain(|m| m.user_id != user.get());
        g.members.push(MemberRec {
            user_id: user.get(),
            roles: roles.iter().map(|r| r.get()).collect(),
            nick: None,
            joined_at: now(),
            communication_disabled_until: None,
            mute: false,
            deaf: false,
        });
    }

    /// Sets `channel`'s permission overwrite for `role` (the guild's id for
    /// `@everyone`): `allow` and `deny` replace any it had.
    ///
    /// # Panics
    ///
    /// If the channel is not a guild channel of this world, or the role not
    /// one of its guild.
    pub fn set_role_overwrite(
        &mut self,
        channel: Id<ChannelMarker>,
        role: Id<RoleMarker>,
        allow: Permissions,
        deny: Permissions,
    ) {
        let c = self.overwritable(channel, "set_role_overwrite");
        let known = self
            .guild(c)
            .is_some_and(|g| g.roles.iter().any(|r| r.id == role.get()));
        assert!(
            known,
            "World::set_role_overwrite: role {role} is not a role of the channel's guild"
        );
        self.put_overwrite(channel, role.get(), false, allow, deny);
    }

    /// Sets `channel`'s permission overwrite for the member `user`.
    ///
    /// # Panics
    ///
    /// If the channel is not a guild channel of this world.
    pub fn set_member_overwrite(
        &mut self,
        channel: Id<ChannelMarker>,
        user: Id<UserMarker>,
        allow: Permissions,
        deny: Permissions,
    ) {
        self.overwritable(channel, "set_member_overwrite");
        self.put_overwrite(channel, user.get(), true, allow, deny);
    }

    /// The guild of a guild channel, or a panic naming `what`.
    fn overwritable(&self, channel: Id<ChannelMarker>, what: &str) -> u64 {
        self.guilds
            .iter()
            .find(|g| g.channels.iter().any(|c| c.id == channel.get()))
            .map(|g| g.id)
            .unwrap_or_else(|| panic!("World::{what}: {channel} is not a guild channel"))
    }

    fn put_overwrite(
        &mut self,
        channel: Id<ChannelMarker>,
        id: u64,
        member: bool,
        allow: Permissions,
        deny: Permissions,
    ) {
        let Some(c) = self
            .guilds
            .iter_mut()
            .flat_map(|g| g.channels.iter_mut())
            .find(|c| c.id == channel.get())
        else {
            return;
        };
        c.overwrites.retain(|o| !(o.id == id && o.member == member));
        c.overwrites.push(OverwriteRec {
            id,
            member,
            allow,
            deny,
        });
    }

    /// Sets the channel where Discord posts join messages (GUILD_CREATE's
    /// `system_channel_id`).
    ///
    /// # Panics
    ///
    /// If the channel is not a channel of `guild`.
    pub fn set_system_channel(&mut self, guild: Id<GuildMarker>, channel: Id<ChannelMarker>) {
        let g = self.guild_mut_or_panic(guild.get(), "set system channel");
        assert!(
            g.channels.iter().any(|c| c.id == channel.get()),
            "World::set_system_channel: {channel} is not a channel of guild {:?}",
            g.name
        );
        g.system_channel_id = Some(channel.get());
    }

    /// `user`'s permissions in `guild` from its roles (the owner and
    /// ADMINISTRATOR: all; not a member: none).
    pub fn guild_permissions(&self, user: Id<UserMarker>, guild: Id<GuildMarker>) -> Permissions {
        let Some(g) = self.guild(guild.get()) else {
            return Permissions::empty();
        };
        let Some(member) = g.members.iter().find(|m| m.user_id == user.get()) else {
            return Permissions::empty();
        };
        if g.owner_id == Some(user.get()) {
            return Permissions::all();
        }
        let base = g
            .roles
            .iter()
            .filter(|r| r.id == g.id || member.roles.contains(&r.id))
            .fold(Permissions::empty(), |all, r| all | r.permissions);
        if base.contains(Permissions::ADMINISTRATOR) {
            Permissions::all()
        } else {
            base
        }
    }

    /// `user`'s permissions in `channel`, as Discord computes them: the
    /// owner and ADMINISTRATOR have all; else `@everyone`'s and the member's
    /// roles' permissions, then the channel's overwrites for `@everyone`, for
    /// the member's roles (denies, then allows) and for the member; without
    /// VIEW_CHANNEL then, nothing (Discord's implicit permissions). Empty
    /// for a user who is not a member of the channel's guild; all in a DM.
    pub fn permissions_in(&self, user: Id<UserMarker>, channel: Id<ChannelMarker>) -> Permissions {
        let Some((g, found)) = self.guilds.iter().find_map(|g| {
            g.channels
                .iter()
                .chain(&g.threads)
                .find(|c| c.id == channel.get())
                .map(|c| (g, c))
        }) else {
            return Permissions::all();
        };
        let Some(member) = g.members.iter().find(|m| m.user_id == user.get()) else {
            return Permissions::empty();
        };
        let mut base = self.guild_permissions(user, Id::new(g.id));
        if base == Permissions::all() {
            return base; // the owner, or ADMINISTRATOR
        }
        // A thread follows its parent's overwrites.
        let channel = match found.parent_id {
            Some(parent) if found.thread.is_some() => {
                g.channels.iter().find(|c| c.id == parent).unwrap_or(found)
            }
            _ => found,
        };
        let overwrite = |id: u64, member: bool| {
            channel
                .overwrites
                .iter()
                .find(|o| o.id == id && o.member == member)
        };
        if let Some(o) = overwrite(g.id, false) {
            base = (base - o.deny) | o.allow;
        }
        let (mut allow, mut deny) = (Permissions::empty(), Permissions::empty());
        for id in &member.roles {
            if let Some(o) = overwrite(*id, false) {
                allow |= o.allow;
                deny |= o.deny;
            }
        }
        base = (base - deny) | allow;
        if let Some(o) = overwrite(user.get(), true) {
            base = (base - o.deny) | o.allow;
        }
        // Discord's implicit permissions: without VIEW_CHANNEL, nothing in the channel.
        if !base.contains(Permissions::VIEW_CHANNEL) {
            return Permissions::empty();
        }
        base
    }

    /// Sets the owner of `guild`.
    ///
    /// # Panics
    ///
    /// Panics if `guild` is not in this world.
    pub fn set_owner(&mut self, guild: Id<GuildMarker>, user: Id<UserMarker>) {
        self.guild_mut_or_panic(guild.get(), "set owner").owner_id = Some(user.get());
    }

    /// Adds a custom emoji to `guild`.
    ///
    /// # Panics
    ///
    /// Panics if `guild` is not in this world.
    pub fn add_emoji(&mut self, guild: Id<GuildMarker>, name: &str) -> Id<EmojiMarker> {
        let id = self.ids.next_id();
        self.guild_mut_or_panic(guild.get(), "add emoji")
            .emojis
            .push(EmojiRec {
                id,
                name: name.to_owned(),
            });
        Id::new(id)
    }

    /// Adds a guild sticker to `guild` (sent in GUILD_CREATE's `stickers`).
    ///
    /// # Panics
    ///
    /// Panics if `guild` is not in this world.
    pub fn add_sticker(&mut self, guild: Id<GuildMarker>, name: &str) -> Id<StickerMarker> {
        let id = self.ids.next_id();
        self.guild_mut_or_panic(guild.get(), "add sticker")
            .stickers
            .push(StickerRec {
                id,
                name: name.to_owned(),
            });
        Id::new(id)
    }

    /// Makes `user` refuse DMs: the bot can open a DM channel, but posting to
    /// it answers 403 `{"code": 50007, "message": "Cannot send messages to
    /// this user"}`.
    ///
    /// # Panics
    ///
    /// Panics if `user` is not in this world.
    pub fn refuse_dms(&mut self, user: Id<UserMarker>) {
        self.users
            .iter_mut()
            .find(|u| u.id == user.get())
            .unwrap_or_else(|| panic!("World::refuse_dms: unknown user {user}"))
            .refuses_dms = true;
    }

    /// The bot's user id (equal to its application id, as on Discord).
    pub fn bot_user_id(&self) -> Id<UserMarker> {
        Id::new(self.bot_id)
    }

    /// The bot's application id.
    pub fn application_id(&self) -> Id<twilight_model::id::marker::ApplicationMarker> {
        Id::new(self.application_id)
    }

    /// The id of the first guild with this name.
    pub fn guild_id(&self, name: &str) -> Option<Id<GuildMarker>> {
        self.guilds
            .iter()
            .find(|g| g.name == name)
            .map(|g| Id::new(g.id))
    }

    /// The id of the first guild channel with this name (guilds in creation
    /// order; a guild's channels before its threads).
    pub fn channel_id(&self, name: &str) -> Option<Id<ChannelMarker>> {
        self.guilds
            .iter()
            .flat_map(|g| g.channels.iter().chain(&g.threads))
            .find(|c| c.name == name)
            .map(|c| Id::new(c.id))
    }

    /// The id of the first guild sticker with this name.
    pub fn sticker_id(&self, name: &str) -> Option<Id<StickerMarker>> {
        self.guilds
            .iter()
            .flat_map(|g| &g.stickers)
            .find(|s| s.name == name)
            .map(|s| Id::new(s.id))
    }

    /// The id of the first role with this name (`"@everyone"` gives the first
    /// guild's).
    pub fn role_id(&self, name: &str) -> Option<Id<RoleMarker>> {
        self.guilds
            .iter()
            .flat_map(|g| &g.roles)
            .find(|r| r.name == name)
            .map(|r| Id::new(r.id))
    }

    /// The id of the user with this name (the bot included).
    pub fn user_id(&self, name: &str) -> Option<Id<UserMarker>> {
        self.user_by_name(name).map(|u| Id::new(u.id))
    }

    /// The id of the first custom emoji with this name.
    pub fn emoji_id(&self, name: &str) -> Option<Id<EmojiMarker>> {
        self.guilds
            .iter()
            .flat_map(|g| &g.emojis)
            .find(|e| e.name == name)
            .map(|e| Id::new(e.id))
    }

    // ---- crate-internal accessors -------------------------------------

    pub(crate) fn user_by_name(&self, name: &str) -> Option<&UserRec> {
        self.users.iter().find(|u| u.name == name)
    }

    pub(crate) fn user_rec(&self, id: u64) -> Option<&UserRec> {
        self.users.iter().find(|u| u.id == id)
    }

    pub(crate) fn guild(&self, id: u64) -> Option<&GuildRec> {
        self.guilds.iter().find(|g| g.id == id)
    }

    pub(crate) fn guild_mut(&mut self, id: u64) -> Option<&mut GuildRec> {
        self.guilds.iter_mut().find(|g| g.id == id)
    }

    fn guild_mut_or_panic(&mut self, id: u64, what: &str) -> &mut GuildRec {
        let Some(index) = self.guilds.iter().position(|g| g.id == id) else {
            panic!(
                "World: cannot {what}: guild {id} is not in this world (guilds: {:?})",
                self.guild_names()
            )
        };
        &mut self.guilds[index]
    }

    /// A guild channel, thread or DM channel by id.
    pub(crate) fn channel(&self, id: u64) -> Option<&ChannelRec> {
        self.guilds
            .iter()
            .flat_map(|g| g.channels.iter().chain(&g.threads))
            .chain(&self.dm_channels)
            .find(|c| c.id == id)
    }

    /// A guild channel or thread by id.
    pub(crate) fn channel_mut(&mut self, id: u64) -> Option<&mut ChannelRec> {
        self.guilds
            .iter_mut()
            .flat_map(|g| g.channels.iter_mut().chain(g.threads.iter_mut()))
            .chain(self.dm_channels.iter_mut())
            .find(|c| c.id == id)
    }

    pub(crate) fn member(&self, guild: u64, user: u64) -> Option<&MemberRec> {
        self.guild(guild)?
            .members
            .iter()
            .find(|m| m.user_id == user)
    }

    pub(crate) fn member_mut(&mut self, guild: u64, user: u64) -> Option<&mut MemberRec> {
        self.guild_mut(guild)?
            .members
            .iter_mut()
            .find(|m| m.user_id == user)
    }

    pub(crate) fn message(&self, channel: u64, id: u64) -> Option<&MessageRec> {
        self.messages.get(&channel)?.iter().find(|m| m.id == id)
    }

    pub(crate) fn message_mut(&mut self, channel: u64, id: u64) -> Option<&mut MessageRec> {
        self.messages
            .get_mut(&channel)?
            .iter_mut()
            .find(|m| m.id == id)
    }

    /// Finds a message in any channel.
    pub(crate) fn find_message(&self, id: u64) -> Option<&MessageRec> {
        let channel = *self.message_channel.get(&id)?;
        self.message(channel, id)
    }

    pub(crate) fn store_message(&mut self, message: MessageRec) {
        self.message_channel.insert(message.id, message.channel_id);
        let list = self.messages.entry(message.channel_id).or_default();
        list.push_back(message);
        while list.len() > self.message_history {
            if let Some(old) = list.pop_front() {
                self.message_channel.remove(&old.id);
            }
        }
    }

    pub(crate) fn remove_message(&mut self, channel: u64, id: u64) -> Option<MessageRec> {
        let list = self.messages.get_mut(&channel)?;
        let index = list.iter().position(|m| m.id == id)?;
        self.message_channel.remove(&id);
        list.remove(index)
    }

    /// Forgets every message of a channel.
    pub(crate) fn remove_channel_messages(&mut self, channel: u64) {
        if let Some(list) = self.messages.remove(&channel) {
            for m in list {
                self.message_channel.remove(&m.id);
            }
        }
    }

    /// The DM channel between the bot and `user`, created on first use.
    pub(crate) fn dm_channel_with(&mut self, user: u64) -> u64 {
        if let Some(c) = self.dm_channels.iter().find(|c| c.recipient == Some(user)) {
            return c.id;
        }
        let id = self.ids.next_id();
        self.dm_channels.push(ChannelRec {
            id,
            guild_id: None,
            name: String::new(),
            kind: CHANNEL_DM,
            position: 0,
            recipient: Some(user),
            parent_id: None,
            last_pin_timestamp: None,
            thread: None,
            overwrites: Vec::new(),
        });
        id
    }

    /// Permissions of a member: union of `@everyone` and its roles;
    /// administrators and the owner get everything.
    pub(crate) fn member_permissions(&self, guild: u64, user: u64) -> Permissions {
        let Some(g) = self.guild(guild) else {
            return Permissions::empty();
        };
        if g.owner_id == Some(user) {
            return Permissions::all();
        }
        let mut perms = g
            .roles
            .iter()
            .find(|r| r.id == guild)
            .map_or(Permissions::empty(), |r| r.permissions);
        if let Some(m) = g.members.iter().find(|m| m.user_id == user) {
            for role in &m.roles {
                if let Some(r) = g.roles.iter().find(|r| r.id == *role) {
                    perms |= r.permissions;
                }
            }
        }
        if perms.contains(Permissions::ADMINISTRATOR) {
            Permissions::all()
        } else {
            perms
        }
    }

    /// Guilds the bot is a member of, in creation order.
    pub(crate) fn bot_guilds(&self) -> impl Iterator<Item = &GuildRec> {
        self.guilds
            .iter()
            .filter(|g| g.members.iter().any(|m| m.user_id == self.bot_id))
    }

    pub(crate) fn next_id(&mut self) -> u64 {
        self.ids.next_id()
    }

    /// Names for error messages.
    pub(crate) fn guild_names(&self) -> Vec<String> {
        self.guilds.iter().map(|g| g.name.clone()).collect()
    }

    pub(crate) fn channel_names(&self) -> Vec<String> {
        self.guilds
            .iter()
            .flat_map(|g| g.channels.iter().chain(&g.threads))
            .map(|c| c.name.clone())
            .collect()
    }

    pub(crate) fn role_names(&self) -> Vec<String> {
        self.guilds
            .iter()
            .flat_map(|g| &g.roles)
            .map(|r| r.name.clone())
            .collect()
    }

    pub(crate) fn user_names(&self) -> Vec<String> {
        self.users.iter().map(|u| u.name.clone()).collect()
    }

    pub(crate) fn emoji_names(&self) -> Vec<String> {
        self.guilds
            .iter()
            .flat_map(|g| &g.emojis)
            .map(|e| e.name.clone())
            .collect()
    }
}

impl Default for World {
    /// The [demo world](World::demo).
    fn default() -> Self {
        Self::demo()
    }
}
