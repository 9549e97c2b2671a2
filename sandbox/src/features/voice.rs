//! Voice: users joining, moving between and leaving voice channels, self
//! and server mute and deafen (VOICE_STATE_UPDATE); the bot's own voice
//! state command (gateway op 4), answered with VOICE_STATE_UPDATE and, when
//! it connects, VOICE_SERVER_UPDATE; and Discord moving a guild's voice
//! server (VOICE_SERVER_UPDATE).

use serde_json::Value;
use twilight_model::{
    gateway::{Intents, payload::incoming::VoiceServerUpdate},
    id::{
        Id,
        marker::{ChannelMarker, GuildMarker, UserMarker},
    },
    voice::VoiceState,
};

use crate::core::{
    actor::Actor,
    admin::Admin,
    dispatch::EventKind,
    ops::OpError,
    rest::value_id,
    state::State,
    transcript::{self, user},
    wire,
    world::{CHANNEL_STAGE, CHANNEL_VOICE, VoiceRec, World},
};

pub(crate) const VOICE_STATE_UPDATE: EventKind =
    EventKind::needs("VOICE_STATE_UPDATE", Intents::GUILD_VOICE_STATES);
/// Sent to the bot whatever its intents (Discord lists it under no intent).
pub(crate) const VOICE_SERVER_UPDATE: EventKind = EventKind::always("VOICE_SERVER_UPDATE");

pub(crate) const EVENTS: &[EventKind] = &[VOICE_STATE_UPDATE, VOICE_SERVER_UPDATE];

/// A voice state; `full` adds `guild_id` and `member`, as VOICE_STATE_UPDATE
/// carries them (GUILD_CREATE's `voice_states` go without).
pub(crate) fn voice_state(world: &World, guild: u64, v: &VoiceRec, full: bool) -> VoiceState {
    let member = world.member(guild, v.user_id);
    let (mute, deaf) = member.map_or((false, false), |m| (m.mute, m.deaf));
    VoiceState {
        channel_id: Id::new_checked(v.channel_id),
        deaf,
        guild_id: full.then(|| Id::new(guild)),
        member: member.filter(|_| full).map(|m| wire::member(world, m)),
        mute,
        self_deaf: v.self_deaf,
        self_mute: v.self_mute,
        self_stream: false,
        self_video: false,
        session_id: v.session_id.clone(),
        suppress: false,
        user_id: Id::new(v.user_id),
        request_to_speak_timestamp: None,
    }
}

/// The voice servers Discord handed out, for fresh tokens and endpoints.
#[derive(Debug, Default)]
struct VoiceServers {
    handed_out: u64,
}

/// Joins, moves or leaves (`channel: None`) voice: VOICE_STATE_UPDATE.
/// `session` names the voice session (a user's own, or the bot's
/// gateway session); `None` keeps the current one or makes one up.
pub(crate) fn voice_update(
    state: &mut State,
    guild: u64,
    user: u64,
    channel: Option<u64>,
    self_mute: bool,
    self_deaf: bool,
) -> Result<(), OpError> {
    voice_update_in(state, guild, user, channel, (self_mute, self_deaf), None)
}

fn voice_update_in(
    state: &mut State,
    guild: u64,
    user: u64,
    channel: Option<u64>,
    (self_mute, self_deaf): (bool, bool),
    session: Option<&str>,
) -> Result<(), OpError> {
    if let Some(c) = channel {
        let rec = state.world.channel(c).ok_or(OpError::UnknownChannel(c))?;
        if rec.guild_id != Some(guild) {
            return Err(OpError::UnknownChannel(c));
        }
    }
    let g = state.guild_rec_mut(guild)?;
    let previous = g.voice_states.iter().position(|v| v.user_id == user);
    let session_id = match (session, previous) {
        (Some(s), _) => s.to_owned(),
        (None, Some(i)) => g.voice_states[i].session_id.clone(),
        (None, None) => format!("voice-{user}-{}", g.voice_states.len()),
    };
    let rec = VoiceRec {
        user_id: user,
        channel_id: channel.unwrap_or(0),
        session_id,
        self_mute,
        self_deaf,
    };
    match (previous, channel) {
        (Some(i), Some(_)) => g.voice_states[i] = rec.clone(),
        (None, Some(_)) => g.voice_states.push(rec.clone()),
        (Some(i), None) => {
            g.voice_states.remove(i);
        }
        (None, None) => return Ok(()),
    }
    let mut d = voice_state(&state.world, guild, &rec, true);
    if channel.is_none() {
        d.channel_id = None;
    }
    state.send(&VOICE_STATE_UPDATE, Some(guild), &d);
    Ok(())
}

/// Server mute and/or deafen of a member in voice: VOICE_STATE_UPDATE.
/// Returns the voice channel.
fn server_voice(
    state: &mut State,
    guild: u64,
    user: u64,
    mute: Option<bool>,
    deaf: Option<bool>,
) -> Result<u64, OpError> {
    let rec = state
        .guild_rec(guild)?
        .voice_states
        .iter()
        .find(|v| v.user_id == user)
        .cloned()
        .ok_or(OpError::NotInVoice(user))?;
    let m = state
        .world
        .member_mut(guild, user)
        .ok_or(OpError::UnknownMember(user))?;
    if let Some(mute) = mute {
        m.mute = mute;
    }
    if let Some(deaf) = deaf {
        m.deaf = deaf;
    }
    let d = voice_state(&state.world, guild, &rec, true);
    state.send(&VOICE_STATE_UPDATE, Some(guild), &d);
    Ok(rec.channel_id)
}

/// A new voice server for the bot in `guild`: VOICE_SERVER_UPDATE with a
/// fresh token and endpoint. Returns the endpoint.
fn hand_out_voice_server(state: &mut State, guild: u64) -> String {
    let servers = state.features.get::<VoiceServers>();
    servers.handed_out += 1;
    let n = servers.handed_out;
    let endpoint = format!("voice-{n}.sandbox.invalid:443");
    let d = VoiceServerUpdate {
        endpoint: Some(endpoint.clone()),
        guild_id: Id::new(guild),
        token: format!("sandbox-voice-token-{n}"),
    };
    state.send(&VOICE_SERVER_UPDATE, Some(guild), &d);
    endpoint
}

/// The bot's op 4 (Update Voice State) on the connection of `session`:
/// `{guild_id, channel_id, self_mute, self_deaf}`. Joining or moving sends
/// the bot's VOICE_STATE_UPDATE (its voice session is the gateway session),
/// and joining from outside voice a VOICE_SERVER_UPDATE too, as Discord
/// does; `channel_id: null` leaves. A command for a guild the bot is not
/// in, or a channel that is not a voice channel of that guild, is ignored.
pub(crate) fn voice_command(state: &mut State, session: &str, d: &Value) {
    let Some(guild) = value_id(d.get("guild_id")) else {
        return;
    };
    if state.bot_guild(guild).is_err() {
        return;
    }
    let channel = value_id(d.get("channel_id"));
    if let Some(c) = channel
        && !state.world.channel(c).is_some_and(|c| {
            c.guild_id == Some(guild) && matches!(c.kind, CHANNEL_VOICE | CHANNEL_STAGE)
        })
    {
        return;
    }
    let flag = |key: &str| d.get(key).and_then(Value::as_bool).unwrap_or(false);
    let bot = state.world.bot_id;
    let from = state
        .world
        .guild(guild)
        .and_then(|g| g.voice_states.iter().find(|v| v.user_id == bot))
        .map(|v| v.channel_id);
    let flags = (flag("self_mute"), flag("self_deaf"));
    if voice_update_in(state, guild, bot, channel, flags, Some(session)).is_err() {
        return;
    }
    if from.is_none() && channel.is_some() {
        hand_out_voice_server(state, guild);
    }
    if from != channel {
        let line = voice_line(&state.world, bot, from, channel);
        state.note(line);
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

// ---- transcript lines -----------------------------------------------------------

fn channel_label(world: &World, c: u64) -> String {
    world
        .channel(c)
        .map_or_else(|| c.to_string(), |c| c.name.clone())
}

/// `alice joined voice Voice`, `alice moved to voice Other`, `alice left
/// voice Voice`.
fn voice_line(world: &World, who: u64, from: Option<u64>, to: Option<u64>) -> String {
    let who = user(world, who);
    match (from, to) {
        (None, Some(to)) => format!("{who} joined voice {}", channel_label(world, to)),
        (Some(_), Some(to)) => format!("{who} moved to voice {}", channel_label(world, to)),
        (Some(from), None) => format!("{who} left voice {}", channel_label(world, from)),
        (None, None) => format!("{who} left voice"),
    }
}

/// A mute and a deafen change in words: `self-muted and undeafened`. `words` are those for
/// muted, unmuted, deafened and undeafened.
fn changes(mute: Option<bool>, deaf: Option<bool>, words: [&str; 4]) -> String {
    let [muted, unmuted, deafened, undeafened] = words;
    [
        mute.map(|on| if on { muted } else { unmuted }),
        deaf.map(|on| if on { deafened } else { undeafened }),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" and ")
}

/// `alice self-muted in Voice`, `alice undeafened in Voice`, ...
fn flags_line(
    world: &World,
    who: u64,
    channel: u64,
    mute: Option<bool>,
    deaf: Option<bool>,
) -> String {
    format!(
        "{} {} in {}",
        user(world, who),
        changes(
            mute,
            deaf,
            ["self-muted", "unmuted", "self-deafened", "undeafened"]
        ),
        channel_label(world, channel)
    )
}

/// `[admin] server-muted alice in Voice`, `[admin] server-undeafened ...`.
fn server_line(
    world: &World,
    who: u64,
    channel: u64,
    mute: Option<bool>,
    deaf: Option<bool>,
) -> String {
    format!(
        "[admin] {} {} in {}",
        changes(
            mute,
            deaf,
            [
                "server-muted",
                "server-unmuted",
                "server-deafened",
                "server-undeafened"
            ],
        ),
        user(world, who),
        channel_label(world, channel)
    )
}

// ---- actors -----------------------------------------------------------------------

impl Actor {
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
                    voice_update(state, other, user, None, false, false)?;
                }
            }
            voice_update(state, guild, user, Some(channel.get()), mute, deaf)?;
            if from != Some(channel.get()) {
                let line = voice_line(&state.world, user, from, Some(channel.get()));
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
                voice_update(state, guild, user, None, false, false)?;
            }
            if from.is_some() {
                let line = voice_line(&state.world, user, from, None);
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
            voice_update(
                state,
                guild,
                user,
                Some(channel),
                mute.unwrap_or(m),
                deaf.unwrap_or(d),
            )?;
            let line = flags_line(&state.world, user, channel, mute, deaf);
            state.note(line);
            Ok(())
        });
    }
}

// ---- admin ------------------------------------------------------------------------

impl Admin {
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
        self.run("change a voice state", |state| {
            let channel = server_voice(state, guild.get(), user.get(), mute, deaf)?;
            let line = server_line(&state.world, user.get(), channel, mute, deaf);
            state.note(line);
            Ok(())
        });
    }

    /// Discord moves the bot's voice connection in `guild` to another voice
    /// server (a region change, a failover): VOICE_SERVER_UPDATE with a new
    /// `token` and `endpoint` (sent whatever the intents). The bot gets its
    /// first VOICE_SERVER_UPDATE by joining voice itself: gateway op 4 with
    /// a `channel_id` (twilight: `shard.command(&UpdateVoiceState::new(..))`).
    ///
    /// # Panics
    ///
    /// If the bot is not in voice in that guild.
    #[track_caller]
    pub fn move_voice_server(&self, guild: Id<GuildMarker>) {
        self.run("move the voice server", |state| {
            let bot = state.world.bot_id;
            if !state
                .guild_rec(guild.get())?
                .voice_states
                .iter()
                .any(|v| v.user_id == bot)
            {
                return Err(OpError::NotInVoice(bot));
            }
            let endpoint = hand_out_voice_server(state, guild.get());
            let line = format!(
                "[discord] moved the voice server of {} to {endpoint}",
                transcript::guild(&state.world, guild.get())
            );
            state.note(line);
            Ok(())
        });
    }
}
