//! [`Sandbox`] methods that change the world as Discord or a guild admin
//! would: guilds joining and leaving, outages, channels, threads, pins,
//! roles, emojis and stickers, stage instances, scheduled events,
//! auto-moderation rules, bulk deletes, reaction clears, other users'
//! usernames and presences, server mute and deafen.
//!
//! Each method changes the world (so a GUILD_CREATE after a reconnect
//! reflects it), dispatches the gateway events Discord sends to every
//! session whose intents cover them, and adds a transcript line
//! (`[admin] created channel #plans in Herald Test`). Like [`Actor`]
//! methods they are synchronous and panic, with the reason, when Discord
//! would refuse (unknown ids, a thread operation on a text channel...).
//!
//! [`Actor`]: crate::Actor

use twilight_model::id::{
    Id,
    marker::{
        AutoModerationRuleMarker, ChannelMarker, EmojiMarker, GuildMarker, MessageMarker,
        RoleMarker, ScheduledEventMarker, StageMarker, StickerMarker, UserMarker,
    },
};

use crate::{
    Sandbox,
    ops::OpError,
    state::State,
    transcript,
    world::{CHANNEL_STAGE, CHANNEL_TEXT, CHANNEL_VOICE},
};

impl Sandbox {
    /// Runs a world change under the lock; panics with `action` and the
    /// reason if Discord would refuse it.
    #[track_caller]
    fn admin<T>(&self, action: &str, f: impl FnOnce(&mut State) -> Result<T, OpError>) -> T {
        match self.shared.with(f) {
            Ok(out) => out,
            Err(error) => panic!("sandbox: cannot {action}: {error}"),
        }
    }

    // ---- users ----------------------------------------------------------------

    /// From now on, `user` refuses DMs from the bot: creating the DM channel works, sending in it
    /// answers 403 with Discord's code 50007 ("Cannot send messages to this user"), as when a
    /// user closed their DMs. ([`World::refuse_dms`](crate::World::refuse_dms) does the same
    /// before the sandbox starts.)
    pub fn refuse_dms(&self, user: Id<UserMarker>) {
        self.admin("refuse DMs", |state| {
            if state.world.user_rec(user.get()).is_none() {
                return Err(OpError::UnknownUser(user.get()));
            }
            state.world.refuse_dms(user);
            Ok(())
        });
    }

    // ---- guilds ---------------------------------------------------------------

    /// Adds the bot to a new guild `name` (with a text channel `general`):
    /// GUILD_CREATE (intent GUILDS). For a bot connected since before, a
    /// guild that was not in READY: a guild join.
    pub fn add_bot_to_guild(&self, name: &str) -> Id<GuildMarker> {
        self.admin("add the bot to a guild", |state| {
            let guild = state.add_bot_to_guild(name);
            let line = transcript::bot_added(&state.world, guild);
            state.note(line);
            Ok(Id::new(guild))
        })
    }

    /// Removes the bot from `guild` (kicked, or it left): GUILD_DELETE
    /// without `unavailable` (intent GUILDS). The guild stays in the world
    /// without the bot.
    ///
    /// # Panics
    ///
    /// If the bot is not in that guild.
    #[track_caller]
    pub fn remove_bot_from_guild(&self, guild: Id<GuildMarker>) {
        self.admin("remove the bot from a guild", |state| {
            let line = transcript::bot_removed(&state.world, guild.get());
            state.remove_bot_from_guild(guild.get())?;
            state.note(line);
            Ok(())
        });
    }

    /// Starts an outage of `guild`: GUILD_DELETE with `unavailable: true`
    /// (intent GUILDS). Until [`guild_restored`](Self::guild_restored), a
    /// new session gets the guild in READY but no GUILD_CREATE for it.
    ///
    /// # Panics
    ///
    /// If the bot is not in that guild, or it is already unavailable.
    #[track_caller]
    pub fn guild_outage(&self, guild: Id<GuildMarker>) {
        self.admin("start a guild outage", |state| {
            state.guild_outage(guild.get())?;
            let line = transcript::outage(&state.world, guild.get(), true);
            state.note(line);
            Ok(())
        });
    }

    /// Ends an outage: GUILD_CREATE again (`unavailable: false`; intent
    /// GUILDS).
    ///
    /// # Panics
    ///
    /// If the guild is not in an outage.
    #[track_caller]
    pub fn guild_restored(&self, guild: Id<GuildMarker>) {
        self.admin("end a guild outage", |state| {
            state.guild_restored(guild.get())?;
            let line = transcript::outage(&state.world, guild.get(), false);
            state.note(line);
            Ok(())
        });
    }

    /// Renames `guild`: GUILD_UPDATE (intent GUILDS).
    ///
    /// # Panics
    ///
    /// If the guild is unknown.
    #[track_caller]
    pub fn update_guild(&self, guild: Id<GuildMarker>, name: &str) {
        self.admin("update a guild", |state| {
            let line = transcript::guild_renamed(&state.world, guild.get(), name);
            state.rename_guild(guild.get(), name)?;
            state.note(line);
            Ok(())
        });
    }

    // ---- channels -------------------------------------------------------------

    #[track_caller]
    fn create_channel_of(&self, guild: Id<GuildMarker>, name: &str, kind: u8) -> Id<ChannelMarker> {
        self.admin("create a channel", |state| {
            let channel = state.create_channel(guild.get(), name, kind)?;
            let line = transcript::channel_created(&state.world, channel);
            state.note(line);
            Ok(Id::new(channel))
        })
    }

    /// Creates a text channel: CHANNEL_CREATE (intent GUILDS).
    ///
    /// # Panics
    ///
    /// If the guild is unknown.
    #[track_caller]
    pub fn create_channel(&self, guild: Id<GuildMarker>, name: &str) -> Id<ChannelMarker> {
        self.create_channel_of(guild, name, CHANNEL_TEXT)
    }

    /// Creates a voice channel: CHANNEL_CREATE (intent GUILDS).
    ///
    /// # Panics
    ///
    /// If the guild is unknown.
    #[track_caller]
    pub fn create_voice_channel(&self, guild: Id<GuildMarker>, name: &str) -> Id<ChannelMarker> {
        self.create_channel_of(guild, name, CHANNEL_VOICE)
    }

    /// Creates a stage channel (type 13), for
    /// [`start_stage`](Self::start_stage): CHANNEL_CREATE (intent GUILDS).
    ///
    /// # Panics
    ///
    /// If the guild is unknown.
    #[track_caller]
    pub fn create_stage_channel(&self, guild: Id<GuildMarker>, name: &str) -> Id<ChannelMarker> {
        self.create_channel_of(guild, name, CHANNEL_STAGE)
    }

    /// Renames a channel: CHANNEL_UPDATE, or THREAD_UPDATE for a thread
    /// (intent GUILDS).
    ///
    /// # Panics
    ///
    /// If the channel is unknown or a DM.
    #[track_caller]
    pub fn rename_channel(&self, channel: Id<ChannelMarker>, name: &str) {
        self.admin("rename a channel", |state| {
            let line = transcript::channel_renamed(&state.world, channel.get(), name);
            state.rename_channel(channel.get(), name, false)?;
            state.note(line);
            Ok(())
        });
    }

    /// Deletes a channel and its messages: CHANNEL_DELETE, or THREAD_DELETE
    /// for a thread (intent GUILDS). Users in a deleted voice channel leave
    /// it (VOICE_STATE_UPDATE), a stage in it ends (STAGE_INSTANCE_DELETE);
    /// threads of a deleted channel go with it (without THREAD_DELETE).
    ///
    /// # Panics
    ///
    /// If the channel is unknown or a DM.
    #[track_caller]
    pub fn delete_channel(&self, channel: Id<ChannelMarker>) {
        self.admin("delete a channel", |state| {
            let line = transcript::channel_deleted(&state.world, channel.get());
            state.delete_channel(channel.get(), false)?;
            state.note(line);
            Ok(())
        });
    }

    /// Pins a message: CHANNEL_PINS_UPDATE with `last_pin_timestamp`
    /// (intent GUILDS, DIRECT_MESSAGES in DMs). Nothing if already pinned.
    ///
    /// # Panics
    ///
    /// If the message is not in that channel.
    #[track_caller]
    pub fn pin(&self, channel: Id<ChannelMarker>, message: Id<MessageMarker>) {
        self.pin_or_unpin(channel, message, true);
    }

    /// Unpins a message: CHANNEL_PINS_UPDATE with the newest remaining
    /// pin's time (or `null`). Nothing if not pinned.
    ///
    /// # Panics
    ///
    /// If the message is not in that channel.
    #[track_caller]
    pub fn unpin(&self, channel: Id<ChannelMarker>, message: Id<MessageMarker>) {
        self.pin_or_unpin(channel, message, false);
    }

    #[track_caller]
    fn pin_or_unpin(&self, channel: Id<ChannelMarker>, message: Id<MessageMarker>, pin: bool) {
        self.admin(if pin { "pin" } else { "unpin" }, |state| {
            state.pin(channel.get(), message.get(), pin)?;
            let line = transcript::pinned(&state.world, None, channel.get(), pin);
            state.note(line);
            Ok(())
        });
    }

    // ---- threads ---------------------------------------------------------------

    /// Starts a public thread (type 11, with `thread_metadata`) in a text
    /// channel, owned by the guild owner: THREAD_CREATE (intent GUILDS). Use
    /// [`Actor::create_thread`](crate::Actor::create_thread) for a thread
    /// started by a given user.
    ///
    /// # Panics
    ///
    /// If the channel is unknown or not a guild text channel.
    #[track_caller]
    pub fn create_thread(&self, channel: Id<ChannelMarker>, name: &str) -> Id<ChannelMarker> {
        self.admin("create a thread", |state| {
            let guild = state
                .world
                .channel(channel.get())
                .and_then(|c| c.guild_id)
                .ok_or(OpError::UnknownChannel(channel.get()))?;
            let owner = state
                .world
                .guild(guild)
                .and_then(|g| g.owner_id)
                .filter(|o| state.world.member(guild, *o).is_some())
                .unwrap_or(state.world.bot_id);
            let thread = state.create_thread(channel.get(), name, owner)?;
            let line = transcript::thread_created(&state.world, None, thread);
            state.note(line);
            Ok(Id::new(thread))
        })
    }

    /// Renames a thread: THREAD_UPDATE (intent GUILDS).
    ///
    /// # Panics
    ///
    /// If `thread` is not a thread.
    #[track_caller]
    pub fn rename_thread(&self, thread: Id<ChannelMarker>, name: &str) {
        self.admin("rename a thread", |state| {
            let line = transcript::channel_renamed(&state.world, thread.get(), name);
            state.rename_channel(thread.get(), name, true)?;
            state.note(line);
            Ok(())
        });
    }

    /// Deletes a thread and its messages: THREAD_DELETE with `id`,
    /// `guild_id`, `parent_id`, `type` (intent GUILDS).
    ///
    /// # Panics
    ///
    /// If `thread` is not a thread.
    #[track_caller]
    pub fn delete_thread(&self, thread: Id<ChannelMarker>) {
        self.admin("delete a thread", |state| {
            let line = transcript::channel_deleted(&state.world, thread.get());
            state.delete_channel(thread.get(), true)?;
            state.note(line);
            Ok(())
        });
    }

    /// Adds a guild member to a thread: THREAD_MEMBERS_UPDATE with
    /// `added_members` and `member_count` (intent GUILDS, plus
    /// GUILD_MEMBERS unless `user` is the bot, as on Discord). Nothing if
    /// already a member.
    ///
    /// # Panics
    ///
    /// If `thread` is not a thread or `user` not a member of its guild.
    #[track_caller]
    pub fn thread_add_member(&self, thread: Id<ChannelMarker>, user: Id<UserMarker>) {
        self.thread_membership(thread, user, true);
    }

    /// Removes a user from a thread: THREAD_MEMBERS_UPDATE with
    /// `removed_member_ids` (intents as
    /// [`thread_add_member`](Self::thread_add_member)). Nothing if not in
    /// it.
    ///
    /// # Panics
    ///
    /// If `thread` is not a thread.
    #[track_caller]
    pub fn thread_remove_member(&self, thread: Id<ChannelMarker>, user: Id<UserMarker>) {
        self.thread_membership(thread, user, false);
    }

    #[track_caller]
    fn thread_membership(&self, thread: Id<ChannelMarker>, user: Id<UserMarker>, add: bool) {
        self.admin("change thread members", |state| {
            state.thread_member(thread.get(), user.get(), add)?;
            let line = transcript::thread_member(&state.world, thread.get(), user.get(), add);
            state.note(line);
            Ok(())
        });
    }

    // ---- roles -------------------------------------------------------------------

    /// Creates a role without permissions: GUILD_ROLE_CREATE (intent
    /// GUILDS).
    ///
    /// # Panics
    ///
    /// If the guild is unknown.
    #[track_caller]
    pub fn create_role(&self, guild: Id<GuildMarker>, name: &str) -> Id<RoleMarker> {
        self.admin("create a role", |state| {
            let role = state.create_role(guild.get(), name)?;
            let line = transcript::role_created(&state.world, guild.get(), role);
            state.note(line);
            Ok(Id::new(role))
        })
    }

    /// Renames a role: GUILD_ROLE_UPDATE (intent GUILDS).
    ///
    /// # Panics
    ///
    /// If the role is unknown.
    #[track_caller]
    pub fn rename_role(&self, role: Id<RoleMarker>, name: &str) {
        self.admin("rename a role", |state| {
            let line = transcript::role_renamed(&state.world, role.get(), name);
            state.rename_role(role.get(), name)?;
            state.note(line);
            Ok(())
        });
    }

    /// Deletes a role (members lose it): GUILD_ROLE_DELETE (intent GUILDS).
    ///
    /// # Panics
    ///
    /// If the role is not in that guild, or is `@everyone`.
    #[track_caller]
    pub fn delete_role(&self, guild: Id<GuildMarker>, role: Id<RoleMarker>) {
        self.admin("delete a role", |state| {
            let line = transcript::role_deleted(&state.world, role.get());
            state.delete_role(guild.get(), role.get())?;
            state.note(line);
            Ok(())
        });
    }

    // ---- emojis and stickers --------------------------------------------------------

    /// Sets the guild's custom emojis to `names` (kept names keep their
    /// ids, others are new, missing ones are deleted): GUILD_EMOJIS_UPDATE
    /// with the full list (intent GUILD_EMOJIS_AND_STICKERS). Returns the
    /// ids in order.
    ///
    /// # Panics
    ///
    /// If the guild is unknown.
    #[track_caller]
    pub fn set_emojis(&self, guild: Id<GuildMarker>, names: &[&str]) -> Vec<Id<EmojiMarker>> {
        self.admin("set emojis", |state| {
            let ids = state.set_emojis(guild.get(), names)?;
            let line = transcript::emojis_set(&state.world, guild.get(), names);
            state.note(line);
            Ok(ids.into_iter().map(Id::new).collect())
        })
    }

    /// Sets the guild's stickers to `names`, like
    /// [`set_emojis`](Self::set_emojis): GUILD_STICKERS_UPDATE with the
    /// full list (intent GUILD_EMOJIS_AND_STICKERS). twilight-gateway 0.18's
    /// `next_event` drops this event (a known gap); the raw frame
    /// deserialises as `GuildStickersUpdate`. Returns the ids in order.
    ///
    /// # Panics
    ///
    /// If the guild is unknown.
    #[track_caller]
    pub fn set_stickers(&self, guild: Id<GuildMarker>, names: &[&str]) -> Vec<Id<StickerMarker>> {
        self.admin("set stickers", |state| {
            let ids = state.set_stickers(guild.get(), names)?;
            let line = transcript::stickers_set(&state.world, guild.get(), names);
            state.note(line);
            Ok(ids.into_iter().map(Id::new).collect())
        })
    }

    // ---- messages and reactions --------------------------------------------------------

    /// Deletes messages at once: MESSAGE_DELETE_BULK (intent
    /// GUILD_MESSAGES, DIRECT_MESSAGES in DMs). The bot's REST
    /// `POST /channels/{id}/messages/bulk-delete` does the same.
    ///
    /// # Panics
    ///
    /// If the channel is unknown, or a message is not in it.
    #[track_caller]
    pub fn bulk_delete(&self, channel: Id<ChannelMarker>, messages: &[Id<MessageMarker>]) {
        self.admin("bulk delete", |state| {
            if let Some(missing) = messages
                .iter()
                .find(|m| state.world.message(channel.get(), m.get()).is_none())
            {
                state.text_channel(channel.get())?;
                return Err(OpError::UnknownMessage(missing.get()));
            }
            let ids: Vec<u64> = messages.iter().map(|m| m.get()).collect();
            let deleted = state.bulk_delete(channel.get(), &ids)?;
            let line = transcript::bulk_deleted(&state.world, None, channel.get(), deleted.len());
            state.note(line);
            Ok(())
        });
    }

    /// Removes every reaction from a message: MESSAGE_REACTION_REMOVE_ALL
    /// (intent GUILD_MESSAGE_REACTIONS). The bot's REST
    /// `DELETE /channels/{c}/messages/{m}/reactions` does the same.
    ///
    /// # Panics
    ///
    /// If the message is not in that channel, or it is a DM.
    #[track_caller]
    pub fn clear_reactions(&self, channel: Id<ChannelMarker>, message: Id<MessageMarker>) {
        self.admin("clear reactions", |state| {
            state.clear_reactions(channel.get(), message.get(), None)?;
            let line = transcript::reactions_cleared(&state.world, None, channel.get(), None);
            state.note(line);
            Ok(())
        });
    }

    /// Removes every reaction with `emoji` (`"✅"` or `"name:id"`) from a
    /// message: MESSAGE_REACTION_REMOVE_EMOJI (intent
    /// GUILD_MESSAGE_REACTIONS). The bot's REST
    /// `DELETE /channels/{c}/messages/{m}/reactions/{emoji}` does the same.
    ///
    /// # Panics
    ///
    /// If the message is not in that channel, or it is a DM.
    #[track_caller]
    pub fn clear_reaction_emoji(
        &self,
        channel: Id<ChannelMarker>,
        message: Id<MessageMarker>,
        emoji: &str,
    ) {
        self.admin("clear reactions", |state| {
            state.clear_reactions(channel.get(), message.get(), Some(emoji))?;
            let line =
                transcript::reactions_cleared(&state.world, None, channel.get(), Some(emoji));
            state.note(line);
            Ok(())
        });
    }

    // ---- users ---------------------------------------------------------------------------

    /// Changes a user's username: GUILD_MEMBER_UPDATE with the new user in
    /// each guild the user shares with the bot (intent GUILD_MEMBERS), the
    /// way a bot sees another user's profile change; for the bot itself,
    /// USER_UPDATE too. Look the user up by the new name afterwards.
    ///
    /// # Panics
    ///
    /// If the user is unknown or another user has that name.
    #[track_caller]
    pub fn rename_user(&self, user: Id<UserMarker>, name: &str) {
        self.admin("rename a user", |state| {
            let line = transcript::username(&state.world, user.get(), name);
            state.rename_user(user.get(), name)?;
            state.note(line);
            Ok(())
        });
    }

    /// Sets another user's status, `"online"`, `"idle"`, `"dnd"`,
    /// `"offline"` or `"invisible"` (shown as `"offline"`): PRESENCE_UPDATE
    /// in each guild the user shares with the bot (intent GUILD_PRESENCES,
    /// privileged). GUILD_CREATE's `presences` then hold it. (The bot's own
    /// presence is what it sends; see [`presences`](Self::presences).)
    ///
    /// # Panics
    ///
    /// If the user is unknown or the bot, or the status is not one of
    /// those.
    #[track_caller]
    pub fn set_user_presence(&self, user: Id<UserMarker>, status: &str) {
        self.admin("set a presence", |state| {
            let shown = state.set_user_presence(user.get(), status)?;
            let line = transcript::status(&state.world, user.get(), &shown);
            state.note(line);
            Ok(())
        });
    }

    /// Server-mutes (or unmutes) a member in voice: VOICE_STATE_UPDATE with
    /// `mute` (intent GUILD_VOICE_STATES).
    ///
    /// # Panics
    ///
    /// If the user is not in voice in that guild.
    #[track_caller]
    pub fn server_mute(&self, guild: Id<GuildMarker>, user: Id<UserMarker>, mute: bool) {
        self.server_voice(guild, user, Some(mute), None);
    }

    /// Server-deafens (or undeafens) a member in voice: VOICE_STATE_UPDATE
    /// with `deaf` (intent GUILD_VOICE_STATES).
    ///
    /// # Panics
    ///
    /// If the user is not in voice in that guild.
    #[track_caller]
    pub fn server_deafen(&self, guild: Id<GuildMarker>, user: Id<UserMarker>, deaf: bool) {
        self.server_voice(guild, user, None, Some(deaf));
    }

    #[track_caller]
    fn server_voice(
        &self,
        guild: Id<GuildMarker>,
        user: Id<UserMarker>,
        mute: Option<bool>,
        deaf: Option<bool>,
    ) {
        self.admin("change a voice state", |state| {
            let channel = state.server_voice(guild.get(), user.get(), mute, deaf)?;
            let line = transcript::server_voice(&state.world, user.get(), channel, mute, deaf);
            state.note(line);
            Ok(())
        });
    }

    // ---- stage instances --------------------------------------------------------------------

    /// Opens a stage in a stage channel (see
    /// [`create_stage_channel`](Self::create_stage_channel) and
    /// [`World::add_stage_channel`](crate::World::add_stage_channel)):
    /// STAGE_INSTANCE_CREATE (intent GUILDS).
    ///
    /// # Panics
    ///
    /// If the channel is not a stage channel or a stage is live there.
    #[track_caller]
    pub fn start_stage(&self, channel: Id<ChannelMarker>, topic: &str) -> Id<StageMarker> {
        self.admin("start a stage", |state| {
            let stage = state.start_stage(channel.get(), topic)?;
            let line =
                transcript::stage(&state.world, "started a stage", channel.get(), Some(topic));
            state.note(line);
            Ok(Id::new(stage))
        })
    }

    /// Changes a stage's topic: STAGE_INSTANCE_UPDATE (intent GUILDS).
    ///
    /// # Panics
    ///
    /// If the stage is not live.
    #[track_caller]
    pub fn update_stage(&self, stage: Id<StageMarker>, topic: &str) {
        self.admin("update a stage", |state| {
            state.update_stage(stage.get(), topic)?;
            let channel = stage_channel(state, stage.get());
            let line = transcript::stage(
                &state.world,
                "changed the stage topic",
                channel,
                Some(topic),
            );
            state.note(line);
            Ok(())
        });
    }

    /// Ends a stage: STAGE_INSTANCE_DELETE (intent GUILDS).
    ///
    /// # Panics
    ///
    /// If the stage is not live.
    #[track_caller]
    pub fn end_stage(&self, stage: Id<StageMarker>) {
        self.admin("end a stage", |state| {
            let channel = stage_channel(state, stage.get());
            state.end_stage(stage.get())?;
            let line = transcript::stage(&state.world, "ended the stage", channel, None);
            state.note(line);
            Ok(())
        });
    }

    // ---- scheduled events ----------------------------------------------------------------------

    /// Schedules an event (external, "Online", starting in a day, created
    /// by the guild owner): GUILD_SCHEDULED_EVENT_CREATE (intent
    /// GUILD_SCHEDULED_EVENTS). Members mark interest with
    /// [`Actor::interested`](crate::Actor::interested).
    ///
    /// # Panics
    ///
    /// If the guild is unknown.
    #[track_caller]
    pub fn create_scheduled_event(
        &self,
        guild: Id<GuildMarker>,
        name: &str,
    ) -> Id<ScheduledEventMarker> {
        self.admin("create a scheduled event", |state| {
            let event = state.create_scheduled_event(guild.get(), name)?;
            let line = transcript::event_created(&state.world, guild.get(), name);
            state.note(line);
            Ok(Id::new(event))
        })
    }

    /// Renames an event: GUILD_SCHEDULED_EVENT_UPDATE (intent
    /// GUILD_SCHEDULED_EVENTS).
    ///
    /// # Panics
    ///
    /// If the event is unknown.
    #[track_caller]
    pub fn update_scheduled_event(&self, event: Id<ScheduledEventMarker>, name: &str) {
        self.admin("update a scheduled event", |state| {
            let old = event_name(state, event.get());
            state.rename_scheduled_event(event.get(), name)?;
            state.note(transcript::event_renamed(&old, name));
            Ok(())
        });
    }

    /// Deletes an event: GUILD_SCHEDULED_EVENT_DELETE (intent
    /// GUILD_SCHEDULED_EVENTS).
    ///
    /// # Panics
    ///
    /// If the event is unknown.
    #[track_caller]
    pub fn delete_scheduled_event(&self, event: Id<ScheduledEventMarker>) {
        self.admin("delete a scheduled event", |state| {
            let old = event_name(state, event.get());
            state.delete_scheduled_event(event.get())?;
            state.note(transcript::event_deleted(&old));
            Ok(())
        });
    }

    // ---- auto-moderation ----------------------------------------------------------------------------

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
        self.admin("create an automod rule", |state| {
            let rule = state.create_automod_rule(guild.get(), name, keyword)?;
            let line =
                transcript::automod_rule(&state.world, "created", guild.get(), name, Some(keyword));
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
        self.admin("update an automod rule", |state| {
            state.update_automod_rule(rule.get(), name, keyword)?;
            let guild = rule_guild(state, rule.get());
            let line =
                transcript::automod_rule(&state.world, "updated", guild, name, Some(keyword));
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
        self.admin("delete an automod rule", |state| {
            let guild = rule_guild(state, rule.get());
            let name = state
                .world
                .guild(guild)
                .and_then(|g| g.automod_rules.iter().find(|r| r.id == rule.get()))
                .map(|r| r.name.clone())
                .unwrap_or_default();
            state.delete_automod_rule(rule.get())?;
            let line = transcript::automod_rule(&state.world, "deleted", guild, &name, None);
            state.note(line);
            Ok(())
        });
    }
}

fn stage_channel(state: &State, stage: u64) -> u64 {
    state
        .world
        .guilds
        .iter()
        .flat_map(|g| &g.stage_instances)
        .find(|s| s.id == stage)
        .map_or(0, |s| s.channel_id)
}

fn event_name(state: &State, event: u64) -> String {
    state
        .world
        .guilds
        .iter()
        .flat_map(|g| &g.scheduled_events)
        .find(|e| e.id == event)
        .map(|e| e.name.clone())
        .unwrap_or_default()
}

fn rule_guild(state: &State, rule: u64) -> u64 {
    state
        .world
        .guilds
        .iter()
        .find(|g| g.automod_rules.iter().any(|r| r.id == rule))
        .map_or(0, |g| g.id)
}
