//! Channels: text, voice and stage channels created, renamed and deleted by
//! admins (a deleted voice channel empties, its stage ends, its threads go
//! with it), DM channels the bot opens, and the channel REST reads;
//! CHANNEL_CREATE, CHANNEL_UPDATE and CHANNEL_DELETE. Renaming or deleting a
//! thread is the threads feature's.

use twilight_model::{
    gateway::Intents,
    id::{
        Id,
        marker::{ChannelMarker, GuildMarker},
    },
};

use crate::{
    core::{
        admin::Admin,
        dispatch::EventKind,
        ops::OpError,
        rest::{Answer, Call, Reply, Route, value_id},
        state::State,
        transcript::{channel_kind_name, channel_renamed, guild},
        wire,
        world::{CHANNEL_STAGE, CHANNEL_TEXT, CHANNEL_VOICE, World},
    },
    features::{stage, threads, voice},
};

pub(crate) const CHANNEL_CREATE: EventKind = EventKind::needs("CHANNEL_CREATE", Intents::GUILDS);
pub(crate) const CHANNEL_UPDATE: EventKind = EventKind::needs("CHANNEL_UPDATE", Intents::GUILDS);
pub(crate) const CHANNEL_DELETE: EventKind = EventKind::needs("CHANNEL_DELETE", Intents::GUILDS);

pub(crate) const EVENTS: &[EventKind] = &[CHANNEL_CREATE, CHANNEL_UPDATE, CHANNEL_DELETE];

pub(crate) const ROUTES: &[Route] = &[
    Route::new("GET", "/channels/{channel}", on_get_channel),
    Route::new("GET", "/guilds/{guild}/channels", on_list_channels),
    Route::new("POST", "/users/@me/channels", on_open_dm),
];

/// A new channel of `kind`: CHANNEL_CREATE.
fn create_channel(state: &mut State, guild: u64, name: &str, kind: u8) -> Result<u64, OpError> {
    state.guild_rec(guild)?;
    let id = state
        .world
        .add_channel(Id::<GuildMarker>::new(guild), name, kind)
        .get();
    if let Some(c) = state.world.channel(id) {
        let d = wire::channel(c);
        state.send(&CHANNEL_CREATE, Some(guild), &d);
    }
    Ok(id)
}

/// Renames a channel (CHANNEL_UPDATE) or thread (THREAD_UPDATE).
fn rename_channel(state: &mut State, channel: u64, name: &str) -> Result<(), OpError> {
    let (guild, c) = state.guild_channel(channel)?;
    if c.thread.is_some() {
        return threads::rename_thread(state, channel, name);
    }
    let c = state
        .world
        .channel_mut(channel)
        .ok_or(OpError::UnknownChannel(channel))?;
    name.clone_into(&mut c.name);
    let d = wire::channel(c);
    state.send(&CHANNEL_UPDATE, Some(guild), &d);
    Ok(())
}

/// Deletes a channel (CHANNEL_DELETE) or thread (THREAD_DELETE) with its
/// messages. Users in a deleted voice channel leave it
/// (VOICE_STATE_UPDATE), its stage ends (STAGE_INSTANCE_DELETE), and
/// the threads of a deleted channel go with it.
fn delete_channel(state: &mut State, channel: u64) -> Result<(), OpError> {
    let (guild, c) = state.guild_channel(channel)?;
    if c.thread.is_some() {
        return threads::delete_thread(state, channel);
    }
    let c = c.clone();
    let g = state.guild_rec(guild)?;
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
        voice::voice_update(state, guild, user, None, false, false)?;
    }
    for stage in stages {
        stage::end_stage(state, stage)?;
    }
    let g = state.guild_rec_mut(guild)?;
    g.channels.retain(|x| x.id != channel);
    g.threads.retain(|x| !threads.contains(&x.id));
    for id in threads.iter().chain([&channel]) {
        state.world.remove_channel_messages(*id);
    }
    state.send(&CHANNEL_DELETE, Some(guild), &wire::channel(&c));
    Ok(())
}

/// `[admin] created channel #plans in Herald Test`.
fn created(world: &World, channel: u64) -> String {
    let g = world.channel(channel).and_then(|c| c.guild_id).unwrap_or(0);
    format!(
        "[admin] created {} in {}",
        channel_kind_name(world, channel),
        guild(world, g)
    )
}

impl Admin {
    #[track_caller]
    fn create_channel_of(&self, guild: Id<GuildMarker>, name: &str, kind: u8) -> Id<ChannelMarker> {
        self.run("create a channel", |state| {
            let channel = create_channel(state, guild.get(), name, kind)?;
            let line = created(&state.world, channel);
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
        self.run("rename a channel", |state| {
            let line = channel_renamed(&state.world, channel.get(), name);
            rename_channel(state, channel.get(), name)?;
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
        self.run("delete a channel", |state| {
            let line = format!(
                "[admin] deleted {}",
                channel_kind_name(&state.world, channel.get())
            );
            delete_channel(state, channel.get())?;
            state.note(line);
            Ok(())
        });
    }
}

// ---- REST ---------------------------------------------------------------------------

fn on_get_channel(state: &mut State, call: &mut Call<'_>) -> Answer {
    let id = call.id("channel");
    let c = id
        .and_then(|c| state.world.channel(c))
        .ok_or_else(|| OpError::UnknownChannel(id.unwrap_or(0)))?;
    Ok(Reply::json(&wire::any_channel(&state.world, c)))
}

fn on_list_channels(state: &mut State, call: &mut Call<'_>) -> Answer {
    let guild = call.id("guild").unwrap_or(0);
    let g = state
        .world
        .guild(guild)
        .ok_or(OpError::UnknownGuild(guild))?;
    let channels: Vec<_> = g.channels.iter().map(wire::channel).collect();
    Ok(Reply::json(&channels))
}

fn on_open_dm(state: &mut State, call: &mut Call<'_>) -> Answer {
    let user = value_id(call.field("recipient_id"))
        .filter(|u| state.world.user_rec(*u).is_some())
        .ok_or_else(|| Reply::error(400, 50035, "Invalid Form Body: unknown recipient_id"))?;
    let channel = state.world.dm_channel_with(user);
    let c = state
        .world
        .channel(channel)
        .ok_or(OpError::UnknownChannel(channel))?;
    Ok(Reply::json(&wire::any_channel(&state.world, c)))
}
