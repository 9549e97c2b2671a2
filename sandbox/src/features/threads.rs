//! Threads: public threads started by actors or admins, renamed, deleted,
//! and their members; THREAD_CREATE, THREAD_UPDATE, THREAD_DELETE and
//! THREAD_MEMBERS_UPDATE (about users other than the bot only with
//! GUILD_MEMBERS, as on Discord). Messages in threads are messages.

use twilight_model::{
    channel::{ChannelType, thread::ThreadMember},
    gateway::{
        Intents,
        payload::incoming::{ThreadDelete, ThreadMembersUpdate},
    },
    id::{
        Id,
        marker::{ChannelMarker, UserMarker},
    },
};

use crate::core::{
    actor::Actor,
    admin::Admin,
    dispatch::{Dispatch, EventKind, to_json},
    ids::now,
    ops::OpError,
    state::State,
    transcript::{channel_kind_name, channel_name, channel_renamed, subject, user},
    wire,
    world::{CHANNEL_PUBLIC_THREAD, CHANNEL_TEXT, ChannelRec, ThreadRec, World},
};

pub(crate) const THREAD_CREATE: EventKind = EventKind::needs("THREAD_CREATE", Intents::GUILDS);
pub(crate) const THREAD_UPDATE: EventKind = EventKind::needs("THREAD_UPDATE", Intents::GUILDS);
pub(crate) const THREAD_DELETE: EventKind = EventKind::needs("THREAD_DELETE", Intents::GUILDS);
pub(crate) const THREAD_MEMBERS_UPDATE: EventKind =
    EventKind::needs("THREAD_MEMBERS_UPDATE", Intents::GUILDS);
/// Not sent by the sandbox; known for `dispatch_raw`.
const THREAD_LIST_SYNC: EventKind = EventKind::needs("THREAD_LIST_SYNC", Intents::GUILDS);
/// Not sent by the sandbox; known for `dispatch_raw`.
const THREAD_MEMBER_UPDATE: EventKind = EventKind::needs("THREAD_MEMBER_UPDATE", Intents::GUILDS);

pub(crate) const EVENTS: &[EventKind] = &[
    THREAD_CREATE,
    THREAD_UPDATE,
    THREAD_DELETE,
    THREAD_LIST_SYNC,
    THREAD_MEMBER_UPDATE,
    THREAD_MEMBERS_UPDATE,
];

/// A new public thread in a text channel, started by `owner` (its
/// first member): THREAD_CREATE with `newly_created`.
fn create_thread(state: &mut State, parent: u64, name: &str, owner: u64) -> Result<u64, OpError> {
    let (guild, c) = state.guild_channel(parent)?;
    if c.kind != CHANNEL_TEXT {
        return Err(OpError::WrongChannelType(parent));
    }
    if state.world.member(guild, owner).is_none() {
        return Err(OpError::UnknownMember(owner));
    }
    let thread = ChannelRec {
        id: state.world.next_id(),
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
            created_at: now(),
        }),
        overwrites: Vec::new(),
    };
    let mut d = wire::channel(&thread);
    d.newly_created = Some(true);
    let id = thread.id;
    state.guild_rec_mut(guild)?.threads.push(thread);
    state.send(&THREAD_CREATE, Some(guild), &d);
    Ok(id)
}

/// Renames a thread: THREAD_UPDATE.
pub(crate) fn rename_thread(state: &mut State, thread: u64, name: &str) -> Result<(), OpError> {
    let (guild, c) = state.guild_channel(thread)?;
    if c.thread.is_none() {
        return Err(OpError::WrongChannelType(thread));
    }
    let c = state
        .world
        .channel_mut(thread)
        .ok_or(OpError::UnknownChannel(thread))?;
    name.clone_into(&mut c.name);
    let d = wire::channel(c);
    state.send(&THREAD_UPDATE, Some(guild), &d);
    Ok(())
}

/// Deletes a thread and its messages: THREAD_DELETE.
pub(crate) fn delete_thread(state: &mut State, thread: u64) -> Result<(), OpError> {
    let (guild, c) = state.guild_channel(thread)?;
    if c.thread.is_none() {
        return Err(OpError::WrongChannelType(thread));
    }
    let (kind, parent) = (c.kind, c.parent_id.unwrap_or(0));
    state
        .guild_rec_mut(guild)?
        .threads
        .retain(|t| t.id != thread);
    state.world.remove_channel_messages(thread);
    let d = ThreadDelete {
        guild_id: Id::new(guild),
        id: Id::new(thread),
        kind: ChannelType::from(kind),
        parent_id: Id::new(parent),
    };
    state.send(&THREAD_DELETE, Some(guild), &d);
    Ok(())
}

/// Adds or removes a thread member: THREAD_MEMBERS_UPDATE (for users
/// other than the bot only with GUILD_MEMBERS, as on Discord). Nothing
/// if nothing changes.
fn thread_member(state: &mut State, thread: u64, user: u64, add: bool) -> Result<(), OpError> {
    let (guild, c) = state.guild_channel(thread)?;
    if c.thread.is_none() {
        return Err(OpError::WrongChannelType(thread));
    }
    if add && state.world.member(guild, user).is_none() {
        return Err(OpError::UnknownMember(user));
    }
    let Some(t) = state
        .world
        .channel_mut(thread)
        .and_then(|c| c.thread.as_mut())
    else {
        return Err(OpError::WrongChannelType(thread));
    };
    if t.members.contains(&user) == add {
        return Ok(());
    }
    if add {
        t.members.push(user);
    } else {
        t.members.retain(|u| *u != user);
    }
    let count = t.members.len();
    let world = &state.world;
    let d = ThreadMembersUpdate {
        added_members: if add {
            vec![ThreadMember {
                flags: 0,
                id: Some(Id::new(thread)),
                join_timestamp: now(),
                member: world.member(guild, user).map(|m| wire::member(world, m)),
                presence: None,
                user_id: Some(Id::new(user)),
            }]
        } else {
            Vec::new()
        },
        guild_id: Id::new(guild),
        id: Id::new(thread),
        member_count: i32::try_from(count).unwrap_or(i32::MAX),
        removed_member_ids: if add { Vec::new() } else { vec![Id::new(user)] },
    };
    let d = to_json(&d);
    let mut dispatch = Dispatch::new(&THREAD_MEMBERS_UPDATE, Some(guild), &d);
    if user != state.world.bot_id {
        dispatch.also_needs = Intents::GUILD_MEMBERS;
    }
    state.dispatch(&dispatch);
    Ok(())
}

/// `alice created thread #plans in #general`, or `[admin] created ...`.
fn created(world: &World, who: Option<u64>, thread: u64) -> String {
    let parent = world
        .channel(thread)
        .and_then(|c| c.parent_id)
        .map_or_else(String::new, |p| format!(" in {}", channel_name(world, p)));
    format!(
        "{} created {}{parent}",
        subject(world, who),
        channel_kind_name(world, thread)
    )
}

/// `[admin] added alice to thread #plans` / `[admin] removed alice from
/// thread #plans`.
fn member_line(world: &World, thread: u64, who: u64, add: bool) -> String {
    let (verb, prep) = if add {
        ("added", "to")
    } else {
        ("removed", "from")
    };
    format!(
        "[admin] {verb} {} {prep} {}",
        user(world, who),
        channel_kind_name(world, thread)
    )
}

impl Actor {
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
            let thread = create_thread(state, channel.get(), name, user)?;
            let line = created(&state.world, Some(user), thread);
            state.note(line);
            Ok(thread)
        });
        Id::new(thread)
    }
}

impl Admin {
    /// Starts a public thread (type 11, with `thread_metadata`) in a text
    /// channel, owned by the guild owner: THREAD_CREATE (intent GUILDS). Use
    /// [`Actor::create_thread`] for a thread started by a given user.
    ///
    /// # Panics
    ///
    /// If the channel is unknown or not a guild text channel.
    #[track_caller]
    pub fn create_thread(&self, channel: Id<ChannelMarker>, name: &str) -> Id<ChannelMarker> {
        self.run("create a thread", |state| {
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
            let thread = create_thread(state, channel.get(), name, owner)?;
            let line = created(&state.world, None, thread);
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
        self.run("rename a thread", |state| {
            let line = channel_renamed(&state.world, thread.get(), name);
            rename_thread(state, thread.get(), name)?;
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
        self.run("delete a thread", |state| {
            let line = format!(
                "[admin] deleted {}",
                channel_kind_name(&state.world, thread.get())
            );
            delete_thread(state, thread.get())?;
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
        self.run("change thread members", |state| {
            thread_member(state, thread.get(), user.get(), add)?;
            let line = member_line(&state.world, thread.get(), user.get(), add);
            state.note(line);
            Ok(())
        });
    }
}
