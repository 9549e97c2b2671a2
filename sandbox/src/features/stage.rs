//! Stage instances: a stage opened in a stage channel, its topic changed,
//! ended (also when its channel is deleted); STAGE_INSTANCE_CREATE,
//! _UPDATE and _DELETE.

use twilight_model::{
    channel::{StageInstance, stage_instance::PrivacyLevel},
    gateway::Intents,
    id::{
        Id,
        marker::{ChannelMarker, StageMarker},
    },
};

use crate::core::{
    admin::Admin,
    dispatch::EventKind,
    ops::OpError,
    state::State,
    transcript::{MAX_DESCRIPTION, clip},
    world::{CHANNEL_STAGE, StageRec, World},
};

pub(crate) const STAGE_INSTANCE_CREATE: EventKind =
    EventKind::needs("STAGE_INSTANCE_CREATE", Intents::GUILDS);
pub(crate) const STAGE_INSTANCE_UPDATE: EventKind =
    EventKind::needs("STAGE_INSTANCE_UPDATE", Intents::GUILDS);
pub(crate) const STAGE_INSTANCE_DELETE: EventKind =
    EventKind::needs("STAGE_INSTANCE_DELETE", Intents::GUILDS);

pub(crate) const EVENTS: &[EventKind] = &[
    STAGE_INSTANCE_CREATE,
    STAGE_INSTANCE_UPDATE,
    STAGE_INSTANCE_DELETE,
];

/// A stage instance (guild only).
pub(crate) fn stage_instance(guild: u64, s: &StageRec) -> StageInstance {
    StageInstance {
        channel_id: Id::new(s.channel_id),
        guild_id: Id::new(guild),
        guild_scheduled_event_id: None,
        id: Id::new(s.id),
        privacy_level: PrivacyLevel::GuildOnly,
        topic: s.topic.clone(),
    }
}

fn find_stage(state: &State, stage: u64) -> Result<(u64, &StageRec), OpError> {
    state
        .world
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
fn start_stage(state: &mut State, channel: u64, topic: &str) -> Result<u64, OpError> {
    let (guild, c) = state.guild_channel(channel)?;
    if c.kind != CHANNEL_STAGE {
        return Err(OpError::WrongChannelType(channel));
    }
    if state
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
        id: state.world.next_id(),
        channel_id: channel,
        topic: topic.to_owned(),
    };
    let d = stage_instance(guild, &stage);
    let id = stage.id;
    state.guild_rec_mut(guild)?.stage_instances.push(stage);
    state.send(&STAGE_INSTANCE_CREATE, Some(guild), &d);
    Ok(id)
}

/// Changes a stage's topic: STAGE_INSTANCE_UPDATE.
fn update_stage(state: &mut State, stage: u64, topic: &str) -> Result<(), OpError> {
    let (guild, _) = find_stage(state, stage)?;
    let g = state.guild_rec_mut(guild)?;
    let Some(s) = g.stage_instances.iter_mut().find(|s| s.id == stage) else {
        return Err(OpError::UnknownStage(stage));
    };
    topic.clone_into(&mut s.topic);
    let d = stage_instance(guild, s);
    state.send(&STAGE_INSTANCE_UPDATE, Some(guild), &d);
    Ok(())
}

/// Ends a stage: STAGE_INSTANCE_DELETE.
pub(crate) fn end_stage(state: &mut State, stage: u64) -> Result<(), OpError> {
    let (guild, s) = find_stage(state, stage)?;
    let d = stage_instance(guild, s);
    state
        .guild_rec_mut(guild)?
        .stage_instances
        .retain(|s| s.id != stage);
    state.send(&STAGE_INSTANCE_DELETE, Some(guild), &d);
    Ok(())
}

/// `[admin] started a stage in Town Hall: Q&A`.
fn line(world: &World, verb: &str, channel: u64, topic: Option<&str>) -> String {
    let name = world
        .channel(channel)
        .map_or_else(|| channel.to_string(), |c| c.name.clone());
    match topic {
        Some(topic) => format!("[admin] {verb} in {name}: {}", clip(topic, MAX_DESCRIPTION)),
        None => format!("[admin] {verb} in {name}"),
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

impl Admin {
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
        self.run("start a stage", |state| {
            let stage = start_stage(state, channel.get(), topic)?;
            let line = line(&state.world, "started a stage", channel.get(), Some(topic));
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
        self.run("update a stage", |state| {
            update_stage(state, stage.get(), topic)?;
            let channel = stage_channel(state, stage.get());
            let line = line(
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
        self.run("end a stage", |state| {
            let channel = stage_channel(state, stage.get());
            end_stage(state, stage.get())?;
            let line = line(&state.world, "ended the stage", channel, None);
            state.note(line);
            Ok(())
        });
    }
}
