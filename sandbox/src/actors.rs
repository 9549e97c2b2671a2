//! Actors: world users acting out what a human does in Discord. Every
//! method changes the world and emits the gateway events Discord would send,
//! to every connected session whose intents cover them.
//!
//! Actor methods are synchronous: the events are queued to the gateway
//! connections in order before the method returns. They panic, with a
//! message saying what to do, when used against the world in a way Discord
//! would not allow (an unknown channel, leaving a guild one is not in...).

use std::sync::Arc;

use serde_json::{Map, Value, json};
use twilight_model::{
    guild::Permissions,
    id::{
        Id,
        marker::{
            ChannelMarker, GuildMarker, InteractionMarker, MessageMarker, RoleMarker,
            ScheduledEventMarker, UserMarker,
        },
    },
};

use crate::{
    ops::{NewMessage, OpError},
    payloads::{channel_json, role_json},
    state::{InteractionRec, Shared, State},
    transcript,
    world::World,
};

/// A world user that acts: posts, reacts, joins, bans, clicks buttons...
/// Get one with [`Sandbox::actor`](crate::Sandbox::actor).
#[derive(Clone, Debug)]
pub struct Actor {
    pub(crate) shared: Arc<Shared>,
    pub(crate) user: u64,
    pub(crate) name: String,
}

/// An interaction an actor started; the bot answers it through
/// `POST /interactions/{id}/{token}/callback`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentInteraction {
    /// The interaction id.
    pub id: Id<InteractionMarker>,
    /// The interaction token.
    pub token: String,
    /// The channel it happened in.
    pub channel_id: Id<ChannelMarker>,
}

/// A slash command option value, for
/// [`Actor::slash_command`]. Build one with `.into()` from `&str`,
/// `String`, `i64`, `bool`, `f64`, or a user, channel or role id.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum OptionValue {
    /// Option type 3.
    String(String),
    /// Option type 4.
    Integer(i64),
    /// Option type 5.
    Boolean(bool),
    /// Option type 6 (resolved user and member included).
    User(Id<UserMarker>),
    /// Option type 7 (resolved channel included).
    Channel(Id<ChannelMarker>),
    /// Option type 8 (resolved role included).
    Role(Id<RoleMarker>),
    /// Option type 10.
    Number(f64),
}

impl From<&str> for OptionValue {
    fn from(v: &str) -> Self {
        Self::String(v.to_owned())
    }
}
impl From<String> for OptionValue {
    fn from(v: String) -> Self {
        Self::String(v)
    }
}
impl From<i64> for OptionValue {
    fn from(v: i64) -> Self {
        Self::Integer(v)
    }
}
impl From<bool> for OptionValue {
    fn from(v: bool) -> Self {
        Self::Boolean(v)
    }
}
impl From<f64> for OptionValue {
    fn from(v: f64) -> Self {
        Self::Number(v)
    }
}
impl From<Id<UserMarker>> for OptionValue {
    fn from(v: Id<UserMarker>) -> Self {
        Self::User(v)
    }
}
impl From<Id<ChannelMarker>> for OptionValue {
    fn from(v: Id<ChannelMarker>) -> Self {
        Self::Channel(v)
    }
}
impl From<Id<RoleMarker>> for OptionValue {
    fn from(v: Id<RoleMarker>) -> Self {
        Self::Role(v)
    }
}

/// Panics with a helpful message for a failed actor operation.
#[track_caller]
fn fail(actor: &str, action: &str, error: &OpError) -> ! {
    let hint = match error {
        OpError::UnknownMember(_) => " (the actor must be a member: use `actor.join(guild)` first)",
        OpError::UnknownChannel(_) => {
            " (use `sandbox.channel(name)` to get ids of the world's channels)"
        }
        OpError::UnknownMessage(_) => " (was it deleted, or posted in another channel?)",
        OpError::NotText(_) => " (this is a voice channel)",
        _ => "",
    };
    panic!("sandbox actor {actor:?} cannot {action}: {error}{hint}")
}

impl Actor {
    /// The actor's user id.
    pub fn id(&self) -> Id<UserMarker> {
        Id::new(self.user)
    }

    /// The actor's user name.
    pub fn name(&self) -> &str {
        &self.name
    }

    #[track_caller]
    fn run<T>(&self, action: &str, f: impl FnOnce(&mut State, u64) -> Result<T, OpError>) -> T {
        let user = self.user;
        match self.shared.with(|state| f(state, user)) {
            Ok(out) => out,
            Err(error) => fail(&self.name, action, &error),
        }
    }

    /// Posts `text` in `channel` (MESSAGE_CREATE, with `guild_id` and
    /// `member`). `<@id>` mentions are parsed into `mentions`.
    ///
    /// If an [auto-moderation rule](crate::Sandbox::create_automod_rule) of
    /// the guild matches, the message is blocked as on Discord: nothing is
    /// posted, AUTO_MODERATION_ACTION_EXECUTION is sent instead, and the
    /// returned id names no message.
    ///
    /// # Panics
    ///
    /// If the channel is unknown or a voice channel.
    #[track_caller]
    pub fn say(&self, channel: Id<ChannelMarker>, text: &str) -> Id<MessageMarker> {
        self.post(channel, text, Vec::new(), Vec::new())
    }

    /// Posts a message with embeds and/or components (raw Discord JSON).
    ///
    /// # Panics
    ///
    /// If the channel is unknown or a voice channel, or everything is empty.
    #[track_caller]
    pub fn post(
        &self,
        channel: Id<ChannelMarker>,
        text: &str,
        embeds: Vec<Value>,
        components: Vec<Value>,
    ) -> Id<MessageMarker> {
        let new = NewMessage {
            content: text.to_owned(),
            embeds,
            components,
            kind: 0,
            flags: 0,
        };
        let message = self.run("post a message", |state, user| {
            state.text_channel(channel.get())?;
            if let Some(hit) = state.automod_block(channel.get(), user, &new.content) {
                let line = transcript::automod_blocked(
                    &state.world,
                    user,
                    channel.get(),
                    &hit.rule_name,
                    &hit.keyword,
                );
                state.note(line);
                return Ok(state.world.next_id());
            }
            let m = state.post_message(channel.get(), user, new)?;
            let line = transcript::message(
                &state.world,
                user,
                m.channel_id,
                &m.content,
                &m.embeds,
                &m.components,
            );
            state.note(line);
            Ok(m.id)
        });
        Id::new(message)
    }

    /// Starts a public thread in a text channel (THREAD_CREATE with
    /// `newly_created`, intent GUILDS); the actor owns it and is its first
    /// member.
    ///
    /// # Panics
    ///
    /// If the channel is not a guild text channel or the actor not a
    /// member of its guild.
    #[track_caller]
    pub fn create_thread(&self, channel: Id<ChannelMarker>, name: &str) -> Id<ChannelMarker> {
        let thread = self.run("create a thread", |state, user| {
            let thread = state.create_thread(channel.get(), name, user)?;
            let line = transcript::thread_created(&state.world, Some(user), thread);
            state.note(line);
            Ok(thread)
        });
        Id::new(thread)
    }

    /// Marks the actor interested in a scheduled event
    /// (GUILD_SCHEDULED_EVENT_USER_ADD, intent GUILD_SCHEDULED_EVENTS;
    /// nothing if already).
    ///
    /// # Panics
    ///
    /// If the event is unknown or the actor not a member of its guild.
    #[track_caller]
    pub fn interested(&self, event: Id<ScheduledEventMarker>) {
        self.interest(event, true);
    }

    /// Withdraws interest in a scheduled event
    /// (GUILD_SCHEDULED_EVENT_USER_REMOVE, intent GUILD_SCHEDULED_EVENTS;
    /// nothing if not interested).
    ///
    /// # Panics
    ///
    /// If the event is unknown or the actor not a member of its guild.
    #[track_caller]
    pub fn not_interested(&self, event: Id<ScheduledEventMarker>) {
        self.interest(event, false);
    }

    #[track_caller]
    fn interest(&self, event: Id<ScheduledEventMarker>, add: bool) {
        self.run("change interest in an event", |state, user| {
            state.event_interest(event.get(), user, add)?;
            let name = state
                .world
                .guilds
                .iter()
                .flat_map(|g| &g.scheduled_events)
                .find(|e| e.id == event.get())
                .map(|e| e.name.clone())
                .unwrap_or_default();
            let line = transcript::interest(&state.world, user, &name, add);
            state.note(line);
            Ok(())
        });
    }

    /// Sets the actor's status, like
    /// [`Sandbox::set_user_presence`](crate::Sandbox::set_user_presence):
    /// PRESENCE_UPDATE per guild shared with the bot (intent
    /// GUILD_PRESENCES).
    ///
    /// # Panics
    ///
    /// If the status is not `"online"`, `"idle"`, `"dnd"`, `"offline"` or
    /// `"invisible"`.
    #[track_caller]
    pub fn set_status(&self, status: &str) {
        self.run("set a status", |state, user| {
            let shown = state.set_user_presence(user, status)?;
            let line = transcript::status(&state.world, user, &shown);
            state.note(line);
            Ok(())
        });
    }

    /// Sends `text` to the bot in a DM (MESSAGE_CREATE without `guild_id`,
    /// routed to shard 0, needs DIRECT_MESSAGES). Returns the DM channel and
    /// the message.
    #[track_caller]
    pub fn dm_bot(&self, text: &str) -> (Id<ChannelMarker>, Id<MessageMarker>) {
        let (channel, message) = self.run("send a DM", |state, user| {
            let channel = state.world.dm_channel_with(user);
            let new = NewMessage {
                content: text.to_owned(),
                ..NewMessage::default()
            };
            let m = state.post_message(channel, user, new)?;
            let line = transcript::message(&state.world, user, channel, &m.content, &[], &[]);
            state.note(line);
            Ok((channel, m))
        });
        (Id::new(channel), Id::new(message.id))
    }

    /// Edits a message (MESSAGE_UPDATE with the full new message).
    ///
    /// # Panics
    ///
    /// If the message is not in that channel.
    #[track_caller]
    pub fn edit(&self, channel: Id<ChannelMarker>, message: Id<MessageMarker>, text: &str) {
        self.run("edit a message", |state, user| {
            state.edit_message(
                channel.get(),
                message.get(),
                Some(text.to_owned()),
                None,
                None,
            )?;
            let line =
                transcript::edited(&state.world, user, channel.get(), Some(text), None, None);
            state.note(line);
            Ok(())
        });
    }

    /// Deletes a message (MESSAGE_DELETE).
    ///
    /// # Panics
    ///
    /// If the message is not in that channel.
    #[track_caller]
    pub fn delete(&self, channel: Id<ChannelMarker>, message: Id<MessageMarker>) {
        self.run("delete a message", |state, user| {
            let author = state
                .world
                .message(channel.get(), message.get())
                .map(|m| m.author_id);
            state.delete_message(channel.get(), message.get())?;
            let line = transcript::deleted(&state.world, user, channel.get(), author);
            state.note(line);
            Ok(())
        });
    }

    /// Reacts with `emoji`: unicode (`"✅"`) or custom (`"name:id"`)
    /// (MESSAGE_REACTION_ADD; nothing if already reacted).
    ///
    /// # Panics
    ///
    /// If the message is not in that channel.
    #[track_caller]
    pub fn react(&self, channel: Id<ChannelMarker>, message: Id<MessageMarker>, emoji: &str) {
        self.run("react", |state, user| {
            state.react(channel.get(), message.get(), user, emoji, true)?;
            let line = transcript::reacted(&state.world, user, channel.get(), emoji, true);
            state.note(line);
            Ok(())
        });
    }

    /// Removes a reaction (MESSAGE_REACTION_REMOVE; nothing if absent).
    ///
    /// # Panics
    ///
    /// If the message is not in that channel.
    #[track_caller]
    pub fn unreact(&self, channel: Id<ChannelMarker>, message: Id<MessageMarker>, emoji: &str) {
        self.run("remove a reaction", |state, user| {
            state.react(channel.get(), message.get(), user, emoji, false)?;
            let line = transcript::reacted(&state.world, user, channel.get(), emoji, false);
            state.note(line);
            Ok(())
        });
    }

    /// Starts typing (TYPING_START).
    ///
    /// # Panics
    ///
    /// If the channel is unknown or a voice channel.
    #[track_caller]
    pub fn typing(&self, channel: Id<ChannelMarker>) {
        self.run("type", |state, user| {
            state.typing(channel.get(), user)?;
            let line = transcript::typing(&state.world, user, channel.get());
            state.note(line);
            Ok(())
        });
    }

    /// Joins a guild (GUILD_MEMBER_ADD; nothing if already a member).
    ///
    /// # Panics
    ///
    /// If the guild is unknown.
    #[track_caller]
    pub fn join(&self, guild: Id<GuildMarker>) {
        self.run("join", |state, user| {
            state.member_join(guild.get(), user)?;
            let line = transcript::membership(&state.world, user, guild.get(), true);
            state.note(line);
            Ok(())
        });
    }

    /// Leaves a guild (GUILD_MEMBER_REMOVE, and VOICE_STATE_UPDATE if in
    /// voice there).
    ///
    /// # Panics
    ///
    /// If the actor is not a member.
    #[track_caller]
    pub fn leave(&self, guild: Id<GuildMarker>) {
        self.run("leave", |state, user| {
            state.member_remove(guild.get(), user)?;
            let line = transcript::membership(&state.world, user, guild.get(), false);
            state.note(line);
            Ok(())
        });
    }

    /// Bans `target` (GUILD_BAN_ADD, GUILD_MEMBER_REMOVE if a member, and an
    /// audit log entry by this actor with `reason`; `""` for none).
    ///
    /// # Panics
    ///
    /// If the guild or user is unknown.
    #[track_caller]
    pub fn ban(&self, guild: Id<GuildMarker>, target: Id<UserMarker>, reason: &str) {
        self.run("ban", |state, user| {
            let why = (!reason.is_empty()).then(|| reason.to_owned());
            state.ban(guild.get(), user, target.get(), why)?;
            let line = transcript::moderated(
                &state.world,
                "banned",
                user,
                target.get(),
                guild.get(),
                Some(reason),
            );
            state.note(line);
            Ok(())
        });
    }

    /// Lifts a ban (GUILD_BAN_REMOVE and an audit log entry).
    ///
    /// # Panics
    ///
    /// If `target` is not banned.
    #[track_caller]
    pub fn unban(&self, guild: Id<GuildMarker>, target: Id<UserMarker>) {
        self.run("unban", |state, user| {
            state.unban(guild.get(), user, target.get(), None)?;
            let line = transcript::moderated(
                &state.world,
                "unbanned",
                user,
                target.get(),
                guild.get(),
                None,
            );
            state.note(line);
            Ok(())
        });
    }

    /// Kicks `target` (GUILD_MEMBER_REMOVE and an audit log entry).
    ///
    /// # Panics
    ///
    /// If `target` is not a member.
    #[track_caller]
    pub fn kick(&self, guild: Id<GuildMarker>, target: Id<UserMarker>, reason: &str) {
        self.run("kick", |state, user| {
            let why = (!reason.is_empty()).then(|| reason.to_owned());
            state.kick(guild.get(), user, target.get(), why)?;
            let line = transcript::moderated(
                &state.world,
                "kicked",
                user,
                target.get(),
                guild.get(),
                Some(reason),
            );
            state.note(line);
            Ok(())
        });
    }

    /// Sets (or with `None` clears) the actor's nickname
    /// (GUILD_MEMBER_UPDATE).
    ///
    /// # Panics
    ///
    /// If the actor is not a member.
    #[track_caller]
    pub fn set_nick(&self, guild: Id<GuildMarker>, nick: Option<&str>) {
        self.run("change nickname", |state, user| {
            state.member_update(guild.get(), user, |m| m.nick = nick.map(str::to_owned))?;
            let line = transcript::own_nick(&state.world, user, nick);
            state.note(line);
            Ok(())
        });
    }

    /// Gives the actor a role (GUILD_MEMBER_UPDATE).
    ///
    /// # Panics
    ///
    /// If the actor is not a member or the role unknown.
    #[track_caller]
    pub fn add_role(&self, guild: Id<GuildMarker>, role: Id<RoleMarker>) {
        self.run("get a role", |state, user| {
            state.member_role(guild.get(), user, role.get(), true)?;
            let line = transcript::own_role(&state.world, user, role.get(), true);
            state.note(line);
            Ok(())
        });
    }

    /// Takes a role from the actor (GUILD_MEMBER_UPDATE).
    ///
    /// # Panics
    ///
    /// If the actor is not a member or the role unknown.
    #[track_caller]
    pub fn remove_role(&self, guild: Id<GuildMarker>, role: Id<RoleMarker>) {
        self.run("lose a role", |state, user| {
            state.member_role(guild.get(), user, role.get(), false)?;
            let line = transcript::own_role(&state.world, user, role.get(), false);
            state.note(line);
            Ok(())
        });
    }

    /// Joins (or moves to) a voice channel (VOICE_STATE_UPDATE). A user is
    /// in at most one voice channel: joining leaves any other first.
    ///
    /// # Panics
    ///
    /// If the channel is unknown.
    #[track_caller]
    pub fn voice_join(&self, channel: Id<ChannelMarker>) {
        self.run("join voice", |state, user| {
            let guild = state
                .world
                .channel(channel.get())
                .and_then(|c| c.guild_id)
                .ok_or(OpError::UnknownChannel(channel.get()))?;
            let (mute, deaf) = voice_flags(state, user);
            let from = voice_channel(state, user);
            for other in voice_guilds(state, user) {
                if other != guild {
                    state.voice_update(other, user, None, false, false)?;
                }
            }
            state.voice_update(guild, user, Some(channel.get()), mute, deaf)?;
            if from != Some(channel.get()) {
                let line = transcript::voice(&state.world, user, from, Some(channel.get()));
                state.note(line);
            }
            Ok(())
        });
    }

    /// Leaves voice (VOICE_STATE_UPDATE with `channel_id: null`); nothing
    /// if not in voice.
    #[track_caller]
    pub fn voice_leave(&self) {
        self.run("leave voice", |state, user| {
            let from = voice_channel(state, user);
            for guild in voice_guilds(state, user) {
                state.voice_update(guild, user, None, false, false)?;
            }
            if from.is_some() {
                let line = transcript::voice(&state.world, user, from, None);
                state.note(line);
            }
            Ok(())
        });
    }

    /// Mutes or unmutes self in voice (VOICE_STATE_UPDATE).
    ///
    /// # Panics
    ///
    /// If the actor is not in voice.
    #[track_caller]
    pub fn set_self_mute(&self, mute: bool) {
        self.set_voice_flags(Some(mute), None);
    }

    /// Deafens or undeafens self in voice (VOICE_STATE_UPDATE).
    ///
    /// # Panics
    ///
    /// If the actor is not in voice.
    #[track_caller]
    pub fn set_self_deaf(&self, deaf: bool) {
        self.set_voice_flags(None, Some(deaf));
    }

    #[track_caller]
    fn set_voice_flags(&self, mute: Option<bool>, deaf: Option<bool>) {
        let name = self.name.clone();
        self.run("change voice state", |state, user| {
            let Some((guild, channel)) = state.world.guilds.iter().find_map(|g| {
                g.voice_states
                    .iter()
                    .find(|v| v.user_id == user)
                    .map(|v| (g.id, v.channel_id))
            }) else {
                panic!("sandbox actor {name:?} is not in a voice channel: call `voice_join` first");
            };
            let (m, d) = voice_flags(state, user);
            state.voice_update(
                guild,
                user,
                Some(channel),
                mute.unwrap_or(m),
                deaf.unwrap_or(d),
            )?;
            let line = transcript::voice_flags(&state.world, user, channel, mute, deaf);
            state.note(line);
            Ok(())
        });
    }

    /// Clicks the button `custom_id` on `message` (INTERACTION_CREATE type
    /// 3, component type 2, with the message).
    ///
    /// # Panics
    ///
    /// If the message is unknown.
    #[track_caller]
    pub fn click_button(&self, message: Id<MessageMarker>, custom_id: &str) -> SentInteraction {
        self.component(
            message,
            json!({"custom_id": custom_id, "component_type": 2}),
            |world, user| transcript::clicked(world, user, custom_id),
        )
    }

    /// Picks `values` in the string select menu `custom_id` on `message`
    /// (INTERACTION_CREATE type 3, component type 3).
    ///
    /// # Panics
    ///
    /// If the message is unknown.
    #[track_caller]
    pub fn select(
        &self,
        message: Id<MessageMarker>,
        custom_id: &str,
        values: &[&str],
    ) -> SentInteraction {
        self.component(
            message,
            json!({"custom_id": custom_id, "component_type": 3, "values": values}),
            |world, user| transcript::selected(world, user, custom_id, values),
        )
    }

    #[track_caller]
    fn component(
        &self,
        message: Id<MessageMarker>,
        data: Value,
        line: impl FnOnce(&World, u64) -> String,
    ) -> SentInteraction {
        self.run("use a component", |state, user| {
            let m = state
                .world
                .find_message(message.get())
                .ok_or(OpError::UnknownMessage(message.get()))?;
            let channel = m.channel_id;
            let message_json = state.world.message_json(m, false, false);
            let mut extra = Map::new();
            extra.insert("message".into(), message_json);
            let line = line(&state.world, user);
            state.note(line);
            Ok(start_interaction(
                state,
                user,
                channel,
                Some(message.get()),
                3,
                data,
                extra,
            ))
        })
    }

    /// Submits the modal `custom_id` with text inputs `(custom_id, value)`
    /// (INTERACTION_CREATE type 5), as if opened in `channel`.
    ///
    /// # Panics
    ///
    /// If the channel is unknown.
    #[track_caller]
    pub fn submit_modal(
        &self,
        channel: Id<ChannelMarker>,
        custom_id: &str,
        fields: &[(&str, &str)],
    ) -> SentInteraction {
        let rows: Vec<Value> = fields
            .iter()
            .enumerate()
            .map(|(i, (id, value))| {
                json!({
                    "type": 1,
                    "id": i * 2 + 1,
                    "components": [{"type": 4, "id": i * 2 + 2, "custom_id": id, "value": value}],
                })
            })
            .collect();
        let data = json!({"custom_id": custom_id, "components": rows});
        self.run("submit a modal", |state, user| {
            state.text_channel(channel.get())?;
            let line = transcript::modal(&state.world, user, custom_id, fields);
            state.note(line);
            Ok(start_interaction(
                state,
                user,
                channel.get(),
                None,
                5,
                data,
                Map::new(),
            ))
        })
    }

    /// Runs the slash command `name` in `channel` with options
    /// (INTERACTION_CREATE type 2, with resolved users, members, channels
    /// and roles). The command id is the registered one if the bot
    /// registered `name` through the REST API.
    ///
    /// ```no_run
    /// # async fn f(sb: herald_sandbox::Sandbox) {
    /// let general = sb.channel("general");
    /// let bob = sb.user("bob");
    /// sb.actor("mod")
    ///     .slash_command(general, "warn", &[("user", bob.into()), ("reason", "spam".into())]);
    /// # }
    /// ```
    ///
    /// # Panics
    ///
    /// If the channel is unknown.
    #[track_caller]
    pub fn slash_command(
        &self,
        channel: Id<ChannelMarker>,
        name: &str,
        options: &[(&str, OptionValue)],
    ) -> SentInteraction {
        self.run("run a slash command", |state, user| {
            let guild = state.text_channel(channel.get())?;
            let command_id = state
                .commands
                .iter()
                .find(|c| c.get("name").and_then(Value::as_str) == Some(name))
                .and_then(|c| c.get("id").and_then(Value::as_str))
                .and_then(|id| id.parse::<u64>().ok())
                .unwrap_or_else(|| state.world.next_id());
            let mut resolved: Map<String, Value> = Map::new();
            let mut opts = Vec::new();
            for (opt_name, value) in options {
                let (kind, v) = match value {
                    OptionValue::String(s) => (3, json!(s)),
                    OptionValue::Integer(i) => (4, json!(i)),
                    OptionValue::Boolean(b) => (5, json!(b)),
                    OptionValue::Number(n) => (10, json!(n)),
                    OptionValue::User(u) => {
                        resolve_user(state, guild, u.get(), &mut resolved);
                        (6, json!(u.to_string()))
                    }
                    OptionValue::Channel(c) => {
                        if let Some(rec) = state.world.channel(c.get()) {
                            let mut cj = channel_json(rec, &[]);
                            if let Value::Object(map) = &mut cj {
                                map.insert(
                                    "permissions".into(),
                                    json!(Permissions::all().bits().to_string()),
                                );
                            }
                            insert_resolved(&mut resolved, "channels", c.get(), cj);
                        }
                        (7, json!(c.to_string()))
                    }
                    OptionValue::Role(r) => {
                        if let Some(rec) = state
                            .world
                            .guilds
                            .iter()
                            .flat_map(|g| &g.roles)
                            .find(|x| x.id == r.get())
                        {
                            insert_resolved(&mut resolved, "roles", r.get(), role_json(rec));
                        }
                        (8, json!(r.to_string()))
                    }
                };
                opts.push(json!({"name": opt_name, "type": kind, "value": v}));
            }
            let mut data = json!({
                "id": command_id.to_string(),
                "name": name,
                "type": 1,
                "options": opts,
            });
            let line = transcript::slash(&state.world, user, name, options);
            state.note(line);
            if let Value::Object(map) = &mut data {
                if let Some(g) = guild {
                    map.insert("guild_id".into(), json!(g.to_string()));
                }
                if !resolved.is_empty() {
                    map.insert("resolved".into(), Value::Object(resolved));
                }
            }
            Ok(start_interaction(
                state,
                user,
                channel.get(),
                None,
                2,
                data,
                Map::new(),
            ))
        })
    }
}

/// The voice channel `user` is in, if any.
fn voice_channel(state: &State, user: u64) -> Option<u64> {
    state
        .world
        .guilds
        .iter()
        .flat_map(|g| &g.voice_states)
        .find(|v| v.user_id == user)
        .map(|v| v.channel_id)
}

fn voice_guilds(state: &State, user: u64) -> Vec<u64> {
    state
        .world
        .guilds
        .iter()
        .filter(|g| g.voice_states.iter().any(|v| v.user_id == user))
        .map(|g| g.id)
        .collect()
}

fn voice_flags(state: &State, user: u64) -> (bool, bool) {
    state
        .world
        .guilds
        .iter()
        .flat_map(|g| &g.voice_states)
        .find(|v| v.user_id == user)
        .map_or((false, false), |v| (v.self_mute, v.self_deaf))
}

fn insert_resolved(resolved: &mut Map<String, Value>, kind: &str, id: u64, value: Value) {
    if let Value::Object(map) = resolved
        .entry(kind)
        .or_insert_with(|| Value::Object(Map::new()))
    {
        map.insert(id.to_string(), value);
    }
}

fn resolve_user(state: &State, guild: Option<u64>, user: u64, resolved: &mut Map<String, Value>) {
    insert_resolved(resolved, "users", user, state.world.user_json(user));
    if let Some(g) = guild
        && let Some(m) = state.world.member(g, user)
    {
        let mut mj = state.world.member_json(m, false);
        if let Value::Object(map) = &mut mj {
            map.insert(
                "permissions".into(),
                json!(state.world.member_permissions(g, user).bits().to_string()),
            );
        }
        insert_resolved(resolved, "members", user, mj);
    }
}

/// Registers and dispatches an INTERACTION_CREATE.
fn start_interaction(
    state: &mut State,
    user: u64,
    channel: u64,
    message: Option<u64>,
    kind: u8,
    data: Value,
    extra: Map<String, Value>,
) -> SentInteraction {
    let id = state.world.next_id();
    let token = format!("sandbox-interaction-token-{id}");
    let guild = state.world.channel(channel).and_then(|c| c.guild_id);
    let channel_value = state
        .world
        .channel(channel)
        .map(|c| state.world.any_channel_json(c))
        .unwrap_or(Value::Null);
    let bot_permissions = guild.map_or(Permissions::all(), |g| {
        state.world.member_permissions(g, state.world.bot_id)
    });
    let mut v = json!({
        "id": id.to_string(),
        "application_id": state.world.application_id.to_string(),
        "type": kind,
        "token": token,
        "version": 1,
        "channel_id": channel.to_string(),
        "channel": channel_value,
        "app_permissions": bot_permissions.bits().to_string(),
        "locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": {},
        "context": if guild.is_some() { 0 } else { 1 },
        "attachment_size_limit": 10_485_760,
        "data": data,
    });
    if let Value::Object(map) = &mut v {
        match guild.and_then(|g| state.world.member(g, user).map(|m| (g, m))) {
            Some((g, member)) => {
                let mut mj = state.world.member_json(member, true);
                if let Value::Object(m) = &mut mj {
                    m.insert(
                        "permissions".into(),
                        json!(state.world.member_permissions(g, user).bits().to_string()),
                    );
                }
                map.insert("guild_id".into(), json!(g.to_string()));
                map.insert("guild_locale".into(), json!("en-US"));
                map.insert("member".into(), mj);
            }
            None => {
                if let Some(g) = guild {
                    map.insert("guild_id".into(), json!(g.to_string()));
                }
                map.insert("user".into(), state.world.user_json(user));
            }
        }
        map.extend(extra);
    }
    state.interactions.insert(
        token.clone(),
        InteractionRec {
            id,
            channel_id: channel,
            message_id: message,
            acknowledged: false,
            response_message: None,
        },
    );
    state.dispatch_value("INTERACTION_CREATE", guild, &v);
    SentInteraction {
        id: Id::new(id),
        token,
        channel_id: Id::new(channel),
    }
}
