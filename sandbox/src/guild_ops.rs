//! World mutations of guild structure and of what others see of users:
//! guilds, channels, threads, pins, roles, emojis and stickers, stage
//! instances, scheduled events, auto-moderation, bulk deletes, reaction
//! clears, usernames, presences and server voice state. Like `ops.rs`, each
//! one changes the world, then emits the dispatches Discord would send.

use serde_json::{Value, json};
use twilight_model::{
    gateway::Intents,
    guild::Permissions,
    id::{Id, marker::GuildMarker},
};

use crate::{
    ops::OpError,
    payloads::{
        automod_block_action_json, automod_rule_json, channel_json, emoji_json, emoji_ref_json,
        role_json, stage_json, sticker_json,
    },
    state::{Dispatch, State},
    util::{format_timestamp, timestamp_now, unix_now},
    world::{
        AutomodRuleRec, CHANNEL_PUBLIC_THREAD, CHANNEL_STAGE, CHANNEL_TEXT, ChannelRec, EmojiRec,
        GuildRec, RoleRec, ScheduledEventRec, StageRec, StickerRec, ThreadRec,
    },
};

/// The statuses [`State::set_user_presence`] takes.
pub(crate) const STATUSES: [&str; 5] = ["online", "idle", "dnd", "offline", "invisible"];

/// What an auto-moderation rule matched in a message.
pub(crate) struct AutomodHit {
    pub(crate) rule_id: u64,
    pub(crate) rule_name: String,
    pub(crate) keyword: String,
}

impl State {
    fn guild_rec(&self, guild: u64) -> Result<&GuildRec, OpError> {
        self.world.guild(guild).ok_or(OpError::UnknownGuild(guild))
    }

    fn guild_rec_mut(&mut self, guild: u64) -> Result<&mut GuildRec, OpError> {
        self.world
            .guild_mut(guild)
            .ok_or(OpError::UnknownGuild(guild))
    }

    /// A guild the bot is a member of.
    fn bot_guild(&self, guild: u64) -> Result<&GuildRec, OpError> {
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
    fn guild_channel(&self, channel: u64) -> Result<(u64, &ChannelRec), OpError> {
        let c = self
            .world
            .channel(channel)
            .ok_or(OpError::UnknownChannel(channel))?;
        let guild = c.guild_id.ok_or(OpError::DmChannel(channel))?;
        Ok((guild, c))
    }

    /// Dispatches with extra intents needed besides the table's.
    fn dispatch_needing(&mut self, name: &str, guild: Option<u64>, d: &Value, also: Intents) {
        let d = d.to_string();
        self.dispatch(&Dispatch {
            name,
            guild,
            d: &d,
            d_redacted: None,
            also_needs: also,
        });
    }

    /// Guilds the bot shares with `user`.
    fn shared_guilds(&self, user: u64) -> Vec<u64> {
        self.world
            .bot_guilds()
            .filter(|g| g.members.iter().any(|m| m.user_id == user))
            .map(|g| g.id)
            .collect()
    }

    /// The guild owner, else the bot: who "the sandbox" acts as.
    fn guild_actor(&self, guild: u64) -> u64 {
        self.world
            .guild(guild)
            .and_then(|g| g.owner_id)
            .unwrap_or(self.world.bot_id)
    }

    // ---- guilds -------------------------------------------------------------

    /// GUILD_CREATE of one guild to every session that routes it and has
    /// GUILDS; members and presences in full only with GUILD_PRESENCES, as
    /// in the GUILD_CREATEs after READY.
    pub(crate) fn dispatch_guild_create(&mut self, guild: u64) {
        let Some(g) = self.world.guild(guild) else {
            return;
        };
        let full = self.world.guild_json(g, true).to_string();
        let partial = self.world.guild_json(g, false).to_string();
        for index in 0..self.sessions.len() {
            let s = &self.sessions[index];
            if !s.alive || !s.routes(Some(guild)) || !s.intents.contains(Intents::GUILDS) {
                continue;
            }
            let d = if s.intents.contains(Intents::GUILD_PRESENCES) {
                &full
            } else {
                &partial
            };
            self.push_to_session(index, "GUILD_CREATE", d);
        }
    }

    /// A new guild with a `#general` channel and the bot: GUILD_CREATE.
    pub(crate) fn add_bot_to_guild(&mut self, name: &str) -> u64 {
        let guild = self.world.add_guild(name);
        self.world.add_text_channel(guild, "general");
        let bot = self.world.bot_user_id();
        self.world.add_member(guild, bot, &[]);
        self.dispatch_guild_create(guild.get());
        guild.get()
    }

    /// The bot leaves (is kicked from) a guild: GUILD_DELETE without
    /// `unavailable`.
    pub(crate) fn remove_bot_from_guild(&mut self, guild: u64) -> Result<(), OpError> {
        self.bot_guild(guild)?;
        let bot = self.world.bot_id;
        let g = self.guild_rec_mut(guild)?;
        g.members.retain(|m| m.user_id != bot);
        g.voice_states.retain(|v| v.user_id != bot);
        g.unavailable = false;
        self.dispatch_value(
            "GUILD_DELETE",
            Some(guild),
            &json!({"id": guild.to_string()}),
        );
        Ok(())
    }

    /// An outage: GUILD_DELETE with `unavailable: true`.
    pub(crate) fn guild_outage(&mut self, guild: u64) -> Result<(), OpError> {
        if self.bot_guild(guild)?.unavailable {
            return Err(OpError::Invalid("the guild is already unavailable".into()));
        }
        self.guild_rec_mut(guild)?.unavailable = true;
        let d = json!({"id": guild.to_string(), "unavailable": true});
        self.dispatch_value("GUILD_DELETE", Some(guild), &d);
        Ok(())
    }

    /// The end of an outage: GUILD_CREATE again.
    pub(crate) fn guild_restored(&mut self, guild: u64) -> Result<(), OpError> {
        if !self.bot_guild(guild)?.unavailable {
            return Err(OpError::Invalid(
                "the guild is not unavailable (call `guild_outage` first)".into(),
            ));
        }
        self.guild_rec_mut(guild)?.unavailable = false;
        self.dispatch_guild_create(guild);
        Ok(())
    }

    /// Renames a guild: GUILD_UPDATE.
    pub(crate) fn rename_guild(&mut self, guild: u64, name: &str) -> Result<(), OpError> {
        name.clone_into(&mut self.guild_rec_mut(guild)?.name);
        let d = self.world.partial_guild_json(self.guild_rec(guild)?);
        self.dispatch_value("GUILD_UPDATE", Some(guild), &d);
        Ok(())
    }

    // ---- channels and threads -------------------------------------------------

    /// A new channel of `kind`: CHANNEL_CREATE.
    pub(crate) fn create_channel(
        &mut self,
        guild: u64,
        name: &str,
        kind: u8,
    ) -> Result<u64, OpError> {
        self.guild_rec(guild)?;
        let id = self
            .world
            .add_channel(Id::<GuildMarker>::new(guild), name, kind)
            .get();
        let d = self
            .world
            .channel(id)
            .map(|c| channel_json(c, &[]))
            .unwrap_or_default();
        self.dispatch_value("CHANNEL_CREATE", Some(guild), &d);
        Ok(id)
    }

    /// Renames a channel (CHANNEL_UPDATE) or thread (THREAD_UPDATE).
    /// `thread_only`: fail unless it is a thread.
    pub(crate) fn rename_channel(
        &mut self,
        channel: u64,
        name: &str,
        thread_only: bool,
    ) -> Result<(), OpError> {
        let (guild, c) = self.guild_channel(channel)?;
        let is_thread = c.thread.is_some();
        if thread_only && !is_thread {
            return Err(OpError::WrongChannelType(channel));
        }
        let c = self
            .world
            .channel_mut(channel)
            .ok_or(OpError::UnknownChannel(channel))?;
        name.clone_into(&mut c.name);
        let d = channel_json(c, &[]);
        let event = if is_thread {
            "THREAD_UPDATE"
        } else {
            "CHANNEL_UPDATE"
        };
        self.dispatch_value(event, Some(guild), &d);
        Ok(())
    }

    /// Deletes a channel (CHANNEL_DELETE) or thread (THREAD_DELETE) with its
    /// messages. Users in a deleted voice channel leave it
    /// (VOICE_STATE_UPDATE), its stage ends (STAGE_INSTANCE_DELETE), and
    /// the threads of a deleted channel go with it.
    pub(crate) fn delete_channel(
        &mut self,
        channel: u64,
        thread_only: bool,
    ) -> Result<(), OpError> {
        let (guild, c) = self.guild_channel(channel)?;
        let c = c.clone();
        if thread_only && c.thread.is_none() {
            return Err(OpError::WrongChannelType(channel));
        }
        let g = self.guild_rec(guild)?;
        let in_voice: Vec<u64> = g
            .voice_states
            .iter()
            .filter(|v| v.channel_id == channel)
            .map(|v| v.user_id)
            .collect();
        let stages: Vec<u64> = g
            .stage_instances
            .iter()
            .filter(|s| s.channel_id == channel)
            .map(|s| s.id)
            .collect();
        let threads: Vec<u64> = g
            .threads
            .iter()
            .filter(|t| t.parent_id == Some(channel))
            .map(|t| t.id)
            .collect();
        for user in in_voice {
            self.voice_update(guild, user, None, false, false)?;
        }
        for stage in stages {
            self.end_stage(stage)?;
        }
        let g = self.guild_rec_mut(guild)?;
        g.channels.retain(|x| x.id != channel);
        g.threads
            .retain(|x| x.id != channel && !threads.contains(&x.id));
        for id in threads.iter().chain([&channel]) {
            self.world.remove_channel_messages(*id);
        }
        if c.thread.is_some() {
            let d = json!({
                "id": channel.to_string(),
                "guild_id": guild.to_string(),
                "parent_id": c.parent_id.map(|p| p.to_string()),
                "type": c.kind,
            });
            self.dispatch_value("THREAD_DELETE", Some(guild), &d);
        } else {
            self.dispatch_value("CHANNEL_DELETE", Some(guild), &channel_json(&c, &[]));
        }
        Ok(())
    }

    /// A new public thread in a text channel, started by `owner` (its
    /// first member): THREAD_CREATE with `newly_created`.
    pub(crate) fn create_thread(
        &mut self,
        parent: u64,
        name: &str,
        owner: u64,
    ) -> Result<u64, OpError> {
        let (guild, c) = self.guild_channel(parent)?;
        if c.kind != CHANNEL_TEXT {
            return Err(OpError::WrongChannelType(parent));
        }
        if self.world.member(guild, owner).is_none() {
            return Err(OpError::UnknownMember(owner));
        }
        let thread = ChannelRec {
            id: self.world.next_id(),
            guild_id: Some(guild),
            name: name.to_owned(),
            kind: CHANNEL_PUBLIC_THREAD,
            position: 0,
            recipient: None,
            parent_id: Some(parent),
            last_pin_timestamp: None,
            thread: Some(ThreadRec {
                owner_id: owner,
                members: vec![owner],
                created_at: timestamp_now(),
            }),
        };
        let mut d = channel_json(&thread, &[]);
        if let Value::Object(map) = &mut d {
            map.insert("newly_created".into(), json!(true));
        }
        let id = thread.id;
        self.guild_rec_mut(guild)?.threads.push(thread);
        self.dispatch_value("THREAD_CREATE", Some(guild), &d);
        Ok(id)
    }

    /// Adds or removes a thread member: THREAD_MEMBERS_UPDATE (for users
    /// other than the bot only with GUILD_MEMBERS, as on Discord). Nothing
    /// if nothing changes.
    pub(crate) fn thread_member(
        &mut self,
        thread: u64,
        user: u64,
        add: bool,
    ) -> Result<(), OpError> {
        let (guild, c) = self.guild_channel(thread)?;
        if c.thread.is_none() {
            return Err(OpError::WrongChannelType(thread));
        }
        if add && self.world.member(guild, user).is_none() {
            return Err(OpError::UnknownMember(user));
        }
        let Some(t) = self
            .world
            .channel_mut(thread)
            .and_then(|c| c.thread.as_mut())
        else {
            return Err(OpError::WrongChannelType(thread));
        };
        let present = t.members.contains(&user);
        if present == add {
            return Ok(());
        }
        if add {
            t.members.push(user);
        } else {
            t.members.retain(|u| *u != user);
        }
        let count = t.members.len();
        let mut d = json!({
            "id": thread.to_string(),
            "guild_id": guild.to_string(),
            "member_count": count,
        });
        if let Value::Object(map) = &mut d {
            if add {
                let member = self.world.thread_member_json(guild, thread, user);
                map.insert("added_members".into(), json!([member]));
            } else {
                map.insert("removed_member_ids".into(), json!([user.to_string()]));
            }
        }
        let also = if user == self.world.bot_id {
            Intents::empty()
        } else {
            Intents::GUILD_MEMBERS
        };
        self.dispatch_needing("THREAD_MEMBERS_UPDATE", Some(guild), &d, also);
        Ok(())
    }

    /// Pins or unpins a message: CHANNEL_PINS_UPDATE with the newest pin's
    /// time. Nothing if already so.
    pub(crate) fn pin(&mut self, channel: u64, message: u64, pin: bool) -> Result<(), OpError> {
        let guild = self.text_channel(channel)?;
        let now = timestamp_now();
        let m = self
            .world
            .message_mut(channel, message)
            .ok_or(OpError::UnknownMessage(message))?;
        if m.pinned_at.is_some() == pin {
            return Ok(());
        }
        m.pinned_at = pin.then_some(now);
        let last = self
            .world
            .messages
            .get(&channel)
            .and_then(|list| list.iter().filter_map(|m| m.pinned_at.clone()).max());
        if let Some(c) = self.world.channel_mut(channel) {
            c.last_pin_timestamp.clone_from(&last);
        }
        let mut d = json!({"channel_id": channel.to_string(), "last_pin_timestamp": last});
        if let (Some(g), Value::Object(map)) = (guild, &mut d) {
            map.insert("guild_id".into(), json!(g.to_string()));
        }
        self.dispatch_value("CHANNEL_PINS_UPDATE", guild, &d);
        Ok(())
    }

    // ---- roles ------------------------------------------------------------------

    /// A new role without permissions: GUILD_ROLE_CREATE.
    pub(crate) fn create_role(&mut self, guild: u64, name: &str) -> Result<u64, OpError> {
        let id = self.world.next_id();
        let g = self.guild_rec_mut(guild)?;
        let role = RoleRec {
            id,
            name: name.to_owned(),
            permissions: Permissions::empty(),
            position: g.roles.len(),
        };
        let d = json!({"guild_id": guild.to_string(), "role": role_json(&role)});
        g.roles.push(role);
        self.dispatch_value("GUILD_ROLE_CREATE", Some(guild), &d);
        Ok(id)
    }

    /// Renames a role: GUILD_ROLE_UPDATE.
    pub(crate) fn rename_role(&mut self, role: u64, name: &str) -> Result<(), OpError> {
        let (guild, r) = self
            .world
            .guilds
            .iter_mut()
            .find_map(|g| {
                let id = g.id;
                g.roles.iter_mut().find(|r| r.id == role).map(|r| (id, r))
            })
            .ok_or(OpError::UnknownRole(role))?;
        name.clone_into(&mut r.name);
        let d = json!({"guild_id": guild.to_string(), "role": role_json(r)});
        self.dispatch_value("GUILD_ROLE_UPDATE", Some(guild), &d);
        Ok(())
    }

    /// Deletes a role (members lose it): GUILD_ROLE_DELETE.
    pub(crate) fn delete_role(&mut self, guild: u64, role: u64) -> Result<(), OpError> {
        if role == guild {
            return Err(OpError::Invalid("cannot delete the @everyone role".into()));
        }
        let g = self.guild_rec_mut(guild)?;
        let before = g.roles.len();
        g.roles.retain(|r| r.id != role);
        if before == g.roles.len() {
            return Err(OpError::UnknownRole(role));
        }
        for m in &mut g.members {
            m.roles.retain(|r| *r != role);
        }
        let d = json!({"guild_id": guild.to_string(), "role_id": role.to_string()});
        self.dispatch_value("GUILD_ROLE_DELETE", Some(guild), &d);
        Ok(())
    }

    // ---- emojis and stickers --------------------------------------------------------

    /// Replaces the custom emojis (kept names keep their ids):
    /// GUILD_EMOJIS_UPDATE with the full list.
    pub(crate) fn set_emojis(&mut self, guild: u64, names: &[&str]) -> Result<Vec<u64>, OpError> {
        let old = self.guild_rec(guild)?.emojis.clone();
        let mut new: Vec<EmojiRec> = Vec::new();
        for name in names {
            if new.iter().any(|e| e.name == *name) {
                continue;
            }
            let id = match old.iter().find(|e| e.name == *name) {
                Some(e) => e.id,
                None => self.world.next_id(),
            };
            new.push(EmojiRec {
                id,
                name: (*name).to_owned(),
            });
        }
        let d = json!({
            "guild_id": guild.to_string(),
            "emojis": new.iter().map(emoji_json).collect::<Vec<_>>(),
        });
        let ids = new.iter().map(|e| e.id).collect();
        self.guild_rec_mut(guild)?.emojis = new;
        self.dispatch_value("GUILD_EMOJIS_UPDATE", Some(guild), &d);
        Ok(ids)
    }

    /// Replaces the stickers (kept names keep their ids):
    /// GUILD_STICKERS_UPDATE with the full list.
    pub(crate) fn set_stickers(&mut self, guild: u64, names: &[&str]) -> Result<Vec<u64>, OpError> {
        let old = self.guild_rec(guild)?.stickers.clone();
        let mut new: Vec<StickerRec> = Vec::new();
        for name in names {
            if new.iter().any(|s| s.name == *name) {
                continue;
            }
            let id = match old.iter().find(|s| s.name == *name) {
                Some(s) => s.id,
                None => self.world.next_id(),
            };
            new.push(StickerRec {
                id,
                name: (*name).to_owned(),
            });
        }
        let d = json!({
            "guild_id": guild.to_string(),
            "stickers": new.iter().map(|s| sticker_json(guild, s)).collect::<Vec<_>>(),
        });
        let ids = new.iter().map(|s| s.id).collect();
        self.guild_rec_mut(guild)?.stickers = new;
        self.dispatch_value("GUILD_STICKERS_UPDATE", Some(guild), &d);
        Ok(ids)
    }

    // ---- messages and reactions -------------------------------------------------------

    /// Deletes the messages of `ids` that are in `channel`:
    /// MESSAGE_DELETE_BULK (nothing if none is). Returns the deleted ids.
    pub(crate) fn bulk_delete(&mut self, channel: u64, ids: &[u64]) -> Result<Vec<u64>, OpError> {
        let guild = self.text_channel(channel)?;
        let deleted: Vec<u64> = ids
            .iter()
            .copied()
            .filter(|id| self.world.remove_message(channel, *id).is_some())
            .collect();
        if deleted.is_empty() {
            return Ok(deleted);
        }
        let mut d = json!({
            "ids": deleted.iter().map(u64::to_string).collect::<Vec<_>>(),
            "channel_id": channel.to_string(),
        });
        if let (Some(g), Value::Object(map)) = (guild, &mut d) {
            map.insert("guild_id".into(), json!(g.to_string()));
        }
        self.dispatch_value("MESSAGE_DELETE_BULK", guild, &d);
        Ok(deleted)
    }

    /// Removes every reaction (`emoji: None`, MESSAGE_REACTION_REMOVE_ALL)
    /// or every reaction with one emoji (MESSAGE_REACTION_REMOVE_EMOJI).
    /// Guild channels only, as on Discord.
    pub(crate) fn clear_reactions(
        &mut self,
        channel: u64,
        message: u64,
        emoji: Option<&str>,
    ) -> Result<(), OpError> {
        let guild = self
            .text_channel(channel)?
            .ok_or(OpError::DmChannel(channel))?;
        let m = self
            .world
            .message_mut(channel, message)
            .ok_or(OpError::UnknownMessage(message))?;
        match emoji {
            None => m.reactions.clear(),
            Some(key) => m.reactions.retain(|(e, _)| e != key),
        }
        let mut d = json!({
            "channel_id": channel.to_string(),
            "message_id": message.to_string(),
            "guild_id": guild.to_string(),
        });
        let event = match (emoji, &mut d) {
            (Some(key), Value::Object(map)) => {
                map.insert("emoji".into(), emoji_ref_json(key));
                "MESSAGE_REACTION_REMOVE_EMOJI"
            }
            _ => "MESSAGE_REACTION_REMOVE_ALL",
        };
        self.dispatch_value(event, Some(guild), &d);
        Ok(())
    }

    // ---- users ---------------------------------------------------------------------------

    /// Changes a username: GUILD_MEMBER_UPDATE in each guild shared with
    /// the bot (and USER_UPDATE when it is the bot's).
    pub(crate) fn rename_user(&mut self, user: u64, name: &str) -> Result<(), OpError> {
        if self.world.user_by_name(name).is_some_and(|u| u.id != user) {
            return Err(OpError::Invalid(format!("the username {name:?} is taken")));
        }
        let rec = self
            .world
            .users
            .iter_mut()
            .find(|u| u.id == user)
            .ok_or(OpError::UnknownUser(user))?;
        name.clone_into(&mut rec.name);
        if user == self.world.bot_id {
            let d = self.world.current_user_json();
            self.dispatch_value("USER_UPDATE", None, &d);
        }
        for guild in self.shared_guilds(user) {
            if let Some(m) = self.world.member(guild, user) {
                let d = self.world.member_with_guild_json(guild, m);
                self.dispatch_value("GUILD_MEMBER_UPDATE", Some(guild), &d);
            }
        }
        Ok(())
    }

    /// Sets another user's status (`invisible` shows as `offline`):
    /// PRESENCE_UPDATE in each guild shared with the bot. Returns the
    /// status others see.
    pub(crate) fn set_user_presence(&mut self, user: u64, status: &str) -> Result<String, OpError> {
        if !STATUSES.contains(&status) {
            return Err(OpError::Invalid(format!(
                "unknown status {status:?}; use one of {STATUSES:?}"
            )));
        }
        if user == self.world.bot_id {
            return Err(OpError::Invalid(
                "the bot sets its own presence over the gateway (op 3)".into(),
            ));
        }
        let shown = if status == "invisible" {
            "offline"
        } else {
            status
        };
        self.world
            .users
            .iter_mut()
            .find(|u| u.id == user)
            .ok_or(OpError::UnknownUser(user))?
            .status = Some(shown.to_owned());
        for guild in self.shared_guilds(user) {
            let d = self.world.presence_json(guild, user, shown);
            self.dispatch_value("PRESENCE_UPDATE", Some(guild), &d);
        }
        Ok(shown.to_owned())
    }

    /// Server mute and/or deafen of a member in voice: VOICE_STATE_UPDATE.
    pub(crate) fn server_voice(
        &mut self,
        guild: u64,
        user: u64,
        mute: Option<bool>,
        deaf: Option<bool>,
    ) -> Result<u64, OpError> {
        let g = self.guild_rec(guild)?;
        let state = g
            .voice_states
            .iter()
            .find(|v| v.user_id == user)
            .cloned()
            .ok_or(OpError::NotInVoice(user))?;
        let m = self
            .world
            .member_mut(guild, user)
            .ok_or(OpError::UnknownMember(user))?;
        if let Some(mute) = mute {
            m.mute = mute;
        }
        if let Some(deaf) = deaf {
            m.deaf = deaf;
        }
        let d = self.world.voice_state_json(guild, &state, true);
        self.dispatch_value("VOICE_STATE_UPDATE", Some(guild), &d);
        Ok(state.channel_id)
    }

    // ---- stage instances --------------------------------------------------------------------

    fn find_stage(&self, stage: u64) -> Result<(u64, &StageRec), OpError> {
        self.world
            .guilds
            .iter()
            .find_map(|g| {
                g.stage_instances
                    .iter()
                    .find(|s| s.id == stage)
                    .map(|s| (g.id, s))
            })
            .ok_or(OpError::UnknownStage(stage))
    }

    /// Opens a stage in a stage channel: STAGE_INSTANCE_CREATE.
    pub(crate) fn start_stage(&mut self, channel: u64, topic: &str) -> Result<u64, OpError> {
        let (guild, c) = self.guild_channel(channel)?;
        if c.kind != CHANNEL_STAGE {
            return Err(OpError::WrongChannelType(channel));
        }
        if self
            .guild_rec(guild)?
            .stage_instances
            .iter()
            .any(|s| s.channel_id == channel)
        {
            return Err(OpError::Invalid(
                "a stage is already live in that channel".into(),
            ));
        }
        let stage = StageRec {
            id: self.world.next_id(),
            channel_id: channel,
            topic: topic.to_owned(),
        };
        let d = stage_json(guild, &stage);
        let id = stage.id;
        self.guild_rec_mut(guild)?.stage_instances.push(stage);
        self.dispatch_value("STAGE_INSTANCE_CREATE", Some(guild), &d);
        Ok(id)
    }

    /// Changes a stage's topic: STAGE_INSTANCE_UPDATE.
    pub(crate) fn update_stage(&mut self, stage: u64, topic: &str) -> Result<(), OpError> {
        let (guild, _) = self.find_stage(stage)?;
        let g = self.guild_rec_mut(guild)?;
        let Some(s) = g.stage_instances.iter_mut().find(|s| s.id == stage) else {
            return Err(OpError::UnknownStage(stage));
        };
        topic.clone_into(&mut s.topic);
        let d = stage_json(guild, s);
        self.dispatch_value("STAGE_INSTANCE_UPDATE", Some(guild), &d);
        Ok(())
    }

    /// Ends a stage: STAGE_INSTANCE_DELETE.
    pub(crate) fn end_stage(&mut self, stage: u64) -> Result<(), OpError> {
        let (guild, s) = self.find_stage(stage)?;
        let d = stage_json(guild, s);
        self.guild_rec_mut(guild)?
            .stage_instances
            .retain(|s| s.id != stage);
        self.dispatch_value("STAGE_INSTANCE_DELETE", Some(guild), &d);
        Ok(())
    }

    // ---- scheduled events -----------------------------------------------------------------------

    fn find_event(&self, event: u64) -> Result<(u64, &ScheduledEventRec), OpError> {
        self.world
            .guilds
            .iter()
            .find_map(|g| {
                g.scheduled_events
                    .iter()
                    .find(|e| e.id == event)
                    .map(|e| (g.id, e))
            })
            .ok_or(OpError::UnknownScheduledEvent(event))
    }

    fn event_mut(&mut self, event: u64) -> Result<(u64, &mut ScheduledEventRec), OpError> {
        self.world
            .guilds
            .iter_mut()
            .find_map(|g| {
                let id = g.id;
                g.scheduled_events
                    .iter_mut()
                    .find(|e| e.id == event)
                    .map(|e| (id, e))
            })
            .ok_or(OpError::UnknownScheduledEvent(event))
    }

    /// An external event ("Online") starting in a day, created by the guild
    /// owner: GUILD_SCHEDULED_EVENT_CREATE.
    pub(crate) fn create_scheduled_event(
        &mut self,
        guild: u64,
        name: &str,
    ) -> Result<u64, OpError> {
        self.guild_rec(guild)?;
        let start = unix_now() + 24 * 60 * 60;
        let event = ScheduledEventRec {
            id: self.world.next_id(),
            name: name.to_owned(),
            creator_id: self.guild_actor(guild),
            start: format_timestamp(start, 0),
            end: format_timestamp(start + 2 * 60 * 60, 0),
            interested: Vec::new(),
        };
        let d = self.world.scheduled_event_json(guild, &event);
        let id = event.id;
        self.guild_rec_mut(guild)?.scheduled_events.push(event);
        self.dispatch_value("GUILD_SCHEDULED_EVENT_CREATE", Some(guild), &d);
        Ok(id)
    }

    /// Renames an event: GUILD_SCHEDULED_EVENT_UPDATE.
    pub(crate) fn rename_scheduled_event(&mut self, event: u64, name: &str) -> Result<(), OpError> {
        let (guild, e) = self.event_mut(event)?;
        name.clone_into(&mut e.name);
        let e = e.clone();
        let d = self.world.scheduled_event_json(guild, &e);
        self.dispatch_value("GUILD_SCHEDULED_EVENT_UPDATE", Some(guild), &d);
        Ok(())
    }

    /// Deletes an event: GUILD_SCHEDULED_EVENT_DELETE.
    pub(crate) fn delete_scheduled_event(&mut self, event: u64) -> Result<(), OpError> {
        let (guild, e) = self.find_event(event)?;
        let d = self.world.scheduled_event_json(guild, e);
        self.guild_rec_mut(guild)?
            .scheduled_events
            .retain(|e| e.id != event);
        self.dispatch_value("GUILD_SCHEDULED_EVENT_DELETE", Some(guild), &d);
        Ok(())
    }

    /// A member marks themselves interested (or not):
    /// GUILD_SCHEDULED_EVENT_USER_ADD / _REMOVE. Nothing if no change.
    pub(crate) fn event_interest(
        &mut self,
        event: u64,
        user: u64,
        add: bool,
    ) -> Result<(), OpError> {
        let (guild, _) = self.find_event(event)?;
        if self.world.member(guild, user).is_none() {
            return Err(OpError::UnknownMember(user));
        }
        let (_, e) = self.event_mut(event)?;
        if e.interested.contains(&user) == add {
            return Ok(());
        }
        if add {
            e.interested.push(user);
        } else {
            e.interested.retain(|u| *u != user);
        }
        let d = json!({
            "guild_scheduled_event_id": event.to_string(),
            "user_id": user.to_string(),
            "guild_id": guild.to_string(),
        });
        let name = if add {
            "GUILD_SCHEDULED_EVENT_USER_ADD"
        } else {
            "GUILD_SCHEDULED_EVENT_USER_REMOVE"
        };
        self.dispatch_value(name, Some(guild), &d);
        Ok(())
    }

    // ---- auto-moderation ---------------------------------------------------------------------------

    fn rule_mut(&mut self, rule: u64) -> Result<(u64, &mut AutomodRuleRec), OpError> {
        self.world
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
    pub(crate) fn create_automod_rule(
        &mut self,
        guild: u64,
        name: &str,
        keyword: &str,
    ) -> Result<u64, OpError> {
        self.guild_rec(guild)?;
        let rule = AutomodRuleRec {
            id: self.world.next_id(),
            name: name.to_owned(),
            keyword: keyword.to_owned(),
            creator_id: self.guild_actor(guild),
        };
        let d = automod_rule_json(guild, &rule);
        let id = rule.id;
        self.guild_rec_mut(guild)?.automod_rules.push(rule);
        self.dispatch_value("AUTO_MODERATION_RULE_CREATE", Some(guild), &d);
        Ok(id)
    }

    /// Changes a rule's name and keyword: AUTO_MODERATION_RULE_UPDATE.
    pub(crate) fn update_automod_rule(
        &mut self,
        rule: u64,
        name: &str,
        keyword: &str,
    ) -> Result<(), OpError> {
        let (guild, r) = self.rule_mut(rule)?;
        name.clone_into(&mut r.name);
        keyword.clone_into(&mut r.keyword);
        let d = automod_rule_json(guild, r);
        self.dispatch_value("AUTO_MODERATION_RULE_UPDATE", Some(guild), &d);
        Ok(())
    }

    /// Deletes a rule: AUTO_MODERATION_RULE_DELETE.
    pub(crate) fn delete_automod_rule(&mut self, rule: u64) -> Result<(), OpError> {
        let (guild, r) = self.rule_mut(rule)?;
        let d = automod_rule_json(guild, r);
        self.guild_rec_mut(guild)?
            .automod_rules
            .retain(|r| r.id != rule);
        self.dispatch_value("AUTO_MODERATION_RULE_DELETE", Some(guild), &d);
        Ok(())
    }

    /// If a rule of the channel's guild blocks `content` from `user`:
    /// AUTO_MODERATION_ACTION_EXECUTION (content and matched_content blank
    /// without MESSAGE_CONTENT) and the rule. The bot, the owner and members
    /// with Manage Server are exempt, as on Discord.
    pub(crate) fn automod_block(
        &mut self,
        channel: u64,
        user: u64,
        content: &str,
    ) -> Option<AutomodHit> {
        let (guild, _) = self.guild_channel(channel).ok()?;
        if user == self.world.bot_id
            || self
                .world
                .member_permissions(guild, user)
                .contains(Permissions::MANAGE_GUILD)
        {
            return None;
        }
        let (hit, matched) = self
            .world
            .guild(guild)?
            .automod_rules
            .iter()
            .find_map(|r| {
                keyword_match(content, &r.keyword).map(|matched| {
                    let hit = AutomodHit {
                        rule_id: r.id,
                        rule_name: r.name.clone(),
                        keyword: r.keyword.clone(),
                    };
                    (hit, matched)
                })
            })?;
        let render = |content: &str, matched: &str| {
            json!({
                "guild_id": guild.to_string(),
                "action": automod_block_action_json(),
                "rule_id": hit.rule_id.to_string(),
                "rule_trigger_type": 1,
                "user_id": user.to_string(),
                "channel_id": channel.to_string(),
                "content": content,
                "matched_keyword": hit.keyword,
                "matched_content": matched,
            })
            .to_string()
        };
        let full = render(content, &matched);
        let redacted = self
            .any_without_content(Some(guild))
            .then(|| render("", ""));
        self.dispatch(&Dispatch {
            name: "AUTO_MODERATION_ACTION_EXECUTION",
            guild: Some(guild),
            d: &full,
            d_redacted: redacted.as_deref(),
            also_needs: Intents::empty(),
        });
        Some(hit)
    }
}

/// Whether `content` matches a keyword filter, Discord-style: whole words,
/// case-insensitive; a `*` at either end also matches inside words
/// (`cat*` matches `catch`). Returns the matched text (whole word for
/// wildcards).
pub(crate) fn keyword_match(content: &str, keyword: &str) -> Option<String> {
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
