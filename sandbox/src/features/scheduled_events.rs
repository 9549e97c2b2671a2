//! Scheduled events: created, renamed and deleted by admins, and members'
//! interest; GUILD_SCHEDULED_EVENT_CREATE, _UPDATE, _DELETE, _USER_ADD and
//! _USER_REMOVE.

use twilight_model::{
    gateway::{
        Intents,
        payload::incoming::{GuildScheduledEventUserAdd, GuildScheduledEventUserRemove},
    },
    guild::scheduled_event::{
        EntityMetadata, EntityType, GuildScheduledEvent, PrivacyLevel, Status,
    },
    id::{
        Id,
        marker::{GuildMarker, ScheduledEventMarker},
    },
};

use crate::core::{
    actor::Actor,
    admin::Admin,
    dispatch::EventKind,
    ids::in_secs,
    ops::OpError,
    state::State,
    transcript::{MAX_TITLE, clip, user},
    wire,
    world::{ScheduledEventRec, World},
};

pub(crate) const GUILD_SCHEDULED_EVENT_CREATE: EventKind = EventKind::needs(
    "GUILD_SCHEDULED_EVENT_CREATE",
    Intents::GUILD_SCHEDULED_EVENTS,
);
pub(crate) const GUILD_SCHEDULED_EVENT_UPDATE: EventKind = EventKind::needs(
    "GUILD_SCHEDULED_EVENT_UPDATE",
    Intents::GUILD_SCHEDULED_EVENTS,
);
pub(crate) const GUILD_SCHEDULED_EVENT_DELETE: EventKind = EventKind::needs(
    "GUILD_SCHEDULED_EVENT_DELETE",
    Intents::GUILD_SCHEDULED_EVENTS,
);
pub(crate) const GUILD_SCHEDULED_EVENT_USER_ADD: EventKind = EventKind::needs(
    "GUILD_SCHEDULED_EVENT_USER_ADD",
    Intents::GUILD_SCHEDULED_EVENTS,
);
pub(crate) const GUILD_SCHEDULED_EVENT_USER_REMOVE: EventKind = EventKind::needs(
    "GUILD_SCHEDULED_EVENT_USER_REMOVE",
    Intents::GUILD_SCHEDULED_EVENTS,
);

pub(crate) const EVENTS: &[EventKind] = &[
    GUILD_SCHEDULED_EVENT_CREATE,
    GUILD_SCHEDULED_EVENT_UPDATE,
    GUILD_SCHEDULED_EVENT_DELETE,
    GUILD_SCHEDULED_EVENT_USER_ADD,
    GUILD_SCHEDULED_EVENT_USER_REMOVE,
];

/// A scheduled event (an external one, "Online").
pub(crate) fn scheduled_event(
    world: &World,
    guild: u64,
    e: &ScheduledEventRec,
) -> GuildScheduledEvent {
    GuildScheduledEvent {
        channel_id: None,
        creator: Some(wire::user(world, e.creator_id)),
        creator_id: Some(Id::new(e.creator_id)),
        description: None,
        entity_id: None,
        entity_metadata: Some(EntityMetadata {
            location: Some("Online".to_owned()),
        }),
        entity_type: EntityType::External,
        guild_id: Id::new(guild),
        id: Id::new(e.id),
        image: None,
        name: e.name.clone(),
        privacy_level: PrivacyLevel::GuildOnly,
        recurrence_rule: None,
        scheduled_end_time: Some(e.end),
        scheduled_start_time: e.start,
        status: Status::Scheduled,
        user_count: Some(e.interested.len() as u64),
    }
}

fn find_event(state: &State, event: u64) -> Result<(u64, &ScheduledEventRec), OpError> {
    state
        .world
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

fn event_mut(state: &mut State, event: u64) -> Result<(u64, &mut ScheduledEventRec), OpError> {
    state
        .world
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
fn create_scheduled_event(state: &mut State, guild: u64, name: &str) -> Result<u64, OpError> {
    state.guild_rec(guild)?;
    let start = 24 * 60 * 60;
    let event = ScheduledEventRec {
        id: state.world.next_id(),
        name: name.to_owned(),
        creator_id: state.guild_actor(guild),
        start: in_secs(start),
        end: in_secs(start + 2 * 60 * 60),
        interested: Vec::new(),
    };
    let d = scheduled_event(&state.world, guild, &event);
    let id = event.id;
    state.guild_rec_mut(guild)?.scheduled_events.push(event);
    state.send(&GUILD_SCHEDULED_EVENT_CREATE, Some(guild), &d);
    Ok(id)
}

/// Renames an event: GUILD_SCHEDULED_EVENT_UPDATE.
fn rename_scheduled_event(state: &mut State, event: u64, name: &str) -> Result<(), OpError> {
    let (guild, e) = event_mut(state, event)?;
    name.clone_into(&mut e.name);
    let e = e.clone();
    let d = scheduled_event(&state.world, guild, &e);
    state.send(&GUILD_SCHEDULED_EVENT_UPDATE, Some(guild), &d);
    Ok(())
}

/// Deletes an event: GUILD_SCHEDULED_EVENT_DELETE.
fn delete_scheduled_event(state: &mut State, event: u64) -> Result<(), OpError> {
    let (guild, e) = find_event(state, event)?;
    let d = scheduled_event(&state.world, guild, e);
    state
        .guild_rec_mut(guild)?
        .scheduled_events
        .retain(|e| e.id != event);
    state.send(&GUILD_SCHEDULED_EVENT_DELETE, Some(guild), &d);
    Ok(())
}

/// A member marks themselves interested (or not):
/// GUILD_SCHEDULED_EVENT_USER_ADD / _REMOVE. Nothing if no change.
fn event_interest(state: &mut State, event: u64, user: u64, add: bool) -> Result<(), OpError> {
    let (guild, _) = find_event(state, event)?;
    if state.world.member(guild, user).is_none() {
        return Err(OpError::UnknownMember(user));
    }
    let (_, e) = event_mut(state, event)?;
    if e.interested.contains(&user) == add {
        return Ok(());
    }
    if add {
        e.interested.push(user);
        let d = GuildScheduledEventUserAdd {
            guild_id: Id::new(guild),
            guild_scheduled_event_id: Id::new(event),
            user_id: Id::new(user),
        };
        state.send(&GUILD_SCHEDULED_EVENT_USER_ADD, Some(guild), &d);
    } else {
        e.interested.retain(|u| *u != user);
        let d = GuildScheduledEventUserRemove {
            guild_id: Id::new(guild),
            guild_scheduled_event_id: Id::new(event),
            user_id: Id::new(user),
        };
        state.send(&GUILD_SCHEDULED_EVENT_USER_REMOVE, Some(guild), &d);
    }
    Ok(())
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

impl Actor {
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
        self.run("change interest in an event", |state, who| {
            event_interest(state, event.get(), who, add)?;
            let name = event_name(state, event.get());
            // `alice is interested in event "Game night"` / `alice is no
            // longer interested in event "Game night"`.
            let line = format!(
                "{} is {}interested in event \"{}\"",
                user(&state.world, who),
                if add { "" } else { "no longer " },
                clip(&name, MAX_TITLE)
            );
            state.note(line);
            Ok(())
        });
    }
}

impl Admin {
    /// Schedules an event (external, "Online", starting in a day, created
    /// by the guild owner): GUILD_SCHEDULED_EVENT_CREATE (intent
    /// GUILD_SCHEDULED_EVENTS). Members mark interest with
    /// [`Actor::interested`].
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
        self.run("create a scheduled event", |state| {
            let event = create_scheduled_event(state, guild.get(), name)?;
            // `[admin] scheduled event "Game night" in Herald Test`.
            let line = format!(
                "[admin] scheduled event \"{}\" in {}",
                clip(name, MAX_TITLE),
                crate::core::transcript::guild(&state.world, guild.get())
            );
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
        self.run("update a scheduled event", |state| {
            let old = event_name(state, event.get());
            rename_scheduled_event(state, event.get(), name)?;
            state.note(format!(
                "[admin] renamed event \"{}\" to \"{}\"",
                clip(&old, MAX_TITLE),
                clip(name, MAX_TITLE)
            ));
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
        self.run("delete a scheduled event", |state| {
            let old = event_name(state, event.get());
            delete_scheduled_event(state, event.get())?;
            state.note(format!(
                "[admin] deleted event \"{}\"",
                clip(&old, MAX_TITLE)
            ));
            Ok(())
        });
    }
}
