//! Users: usernames (GUILD_MEMBER_UPDATE in shared guilds, USER_UPDATE for
//! the bot), other users' presences (PRESENCE_UPDATE, intent
//! GUILD_PRESENCES), closed DMs, and the user REST reads.

use twilight_model::{
    gateway::{
        Intents,
        payload::incoming::UserUpdate,
        presence::{ClientStatus, Presence, Status, UserOrId},
    },
    id::{Id, marker::UserMarker},
};

use crate::{
    core::{
        actor::Actor,
        admin::Admin,
        dispatch::EventKind,
        ops::OpError,
        rest::{Answer, Call, Reply, Route},
        state::State,
        transcript::{MAX_TITLE, clip, user},
        wire,
        world::World,
    },
    features::members,
};

pub(crate) const PRESENCE_UPDATE: EventKind =
    EventKind::needs("PRESENCE_UPDATE", Intents::GUILD_PRESENCES);
pub(crate) const USER_UPDATE: EventKind = EventKind::always("USER_UPDATE");

pub(crate) const EVENTS: &[EventKind] = &[PRESENCE_UPDATE, USER_UPDATE];

pub(crate) const ROUTES: &[Route] = &[
    Route::new("GET", "/users/@me", on_current_user),
    Route::new("GET", "/users/{user}", on_get_user),
];

/// The statuses [`Admin::set_user_presence`] takes.
const STATUSES: [&str; 5] = ["online", "idle", "dnd", "offline", "invisible"];

/// A member's presence for a member request (op 8 with `presences`): `None`
/// when offline (or never set), as in GUILD_CREATE.
pub(crate) fn member_presence(world: &World, guild: u64, user: u64) -> Option<Presence> {
    let status = world.user_rec(user)?.status.as_deref()?;
    (status != "offline" && status != "invisible").then(|| presence(guild, user, status))
}

/// A presence as PRESENCE_UPDATE and GUILD_CREATE carry it (`status` as
/// others see it: `online`, `idle`, `dnd` or `offline`).
pub(crate) fn presence(guild: u64, user: u64, status: &str) -> Presence {
    let status = match status {
        "idle" => Status::Idle,
        "dnd" => Status::DoNotDisturb,
        "offline" | "invisible" => Status::Offline,
        _ => Status::Online,
    };
    Presence {
        activities: Vec::new(),
        client_status: ClientStatus {
            desktop: (status != Status::Offline).then_some(status),
            mobile: None,
            web: None,
            vr: None,
        },
        guild_id: Id::new(guild),
        status,
        user: UserOrId::UserId { id: Id::new(user) },
    }
}

/// Changes a username: GUILD_MEMBER_UPDATE in each guild shared with the
/// bot (and USER_UPDATE when it is the bot's).
fn rename_user(state: &mut State, id: u64, name: &str) -> Result<(), OpError> {
    if state.world.user_by_name(name).is_some_and(|u| u.id != id) {
        return Err(OpError::Invalid(format!("the username {name:?} is taken")));
    }
    let rec = state
        .world
        .users
        .iter_mut()
        .find(|u| u.id == id)
        .ok_or(OpError::UnknownUser(id))?;
    name.clone_into(&mut rec.name);
    if id == state.world.bot_id {
        let d = UserUpdate(wire::current_user(&state.world));
        state.send(&USER_UPDATE, None, &d);
    }
    for guild in state.shared_guilds(id) {
        if let Some(m) = state.world.member(guild, id) {
            let d = members::member_update(&state.world, guild, m);
            state.send(&members::GUILD_MEMBER_UPDATE, Some(guild), &d);
        }
    }
    Ok(())
}

/// Sets another user's status (`invisible` shows as `offline`):
/// PRESENCE_UPDATE in each guild shared with the bot. Returns the status
/// others see.
fn set_user_presence(state: &mut State, id: u64, status: &str) -> Result<String, OpError> {
    if !STATUSES.contains(&status) {
        return Err(OpError::Invalid(format!(
            "unknown status {status:?}; use one of {STATUSES:?}"
        )));
    }
    if id == state.world.bot_id {
        return Err(OpError::Invalid(
            "the bot sets its own presence over the gateway (op 3)".into(),
        ));
    }
    let shown = if status == "invisible" {
        "offline"
    } else {
        status
    };
    state
        .world
        .users
        .iter_mut()
        .find(|u| u.id == id)
        .ok_or(OpError::UnknownUser(id))?
        .status = Some(shown.to_owned());
    for guild in state.shared_guilds(id) {
        state.send(&PRESENCE_UPDATE, Some(guild), &presence(guild, id, shown));
    }
    Ok(shown.to_owned())
}

/// `alice is now idle`, `alice went offline`.
fn status_line(world: &World, who: u64, status: &str) -> String {
    match status {
        "offline" => format!("{} went offline", user(world, who)),
        "dnd" => format!("{} is now do not disturb", user(world, who)),
        other => format!("{} is now {other}", user(world, who)),
    }
}

impl Actor {
    /// Sets the actor's status, like [`Admin::set_user_presence`]:
    /// PRESENCE_UPDATE per guild shared with the bot (intent
    /// GUILD_PRESENCES).
    ///
    /// # Panics
    ///
    /// If the status is not `"online"`, `"idle"`, `"dnd"`, `"offline"` or
    /// `"invisible"`.
    #[track_caller]
    pub fn set_status(&self, status: &str) {
        self.run("set a status", |state, who| {
            let shown = set_user_presence(state, who, status)?;
            let line = status_line(&state.world, who, &shown);
            state.note(line);
            Ok(())
        });
    }
}

impl Admin {
    /// From now on, `user` refuses DMs from the bot: creating the DM channel
    /// works, sending in it answers 403 with Discord's code 50007 ("Cannot
    /// send messages to this user"), as when a user closed their DMs.
    /// ([`World::refuse_dms`](crate::World::refuse_dms) does the same
    /// before the sandbox starts.)
    pub fn refuse_dms(&self, user: Id<UserMarker>) {
        self.run("refuse DMs", |state| {
            state.user_exists(user.get())?;
            state.world.refuse_dms(user);
            Ok(())
        });
    }

    /// Changes a user's username: GUILD_MEMBER_UPDATE with the new user in
    /// each guild the user shares with the bot (intent GUILD_MEMBERS), the
    /// way a bot sees another user's profile change; for the bot itself,
    /// USER_UPDATE too. Look the user up by the new name afterwards.
    ///
    /// # Panics
    ///
    /// If the user is unknown or another user has that name.
    #[track_caller]
    pub fn rename_user(&self, id: Id<UserMarker>, name: &str) {
        self.run("rename a user", |state| {
            // `alice changed their username to alicia` (before the change).
            let line = format!(
                "{} changed their username to {}",
                user(&state.world, id.get()),
                clip(name, MAX_TITLE)
            );
            rename_user(state, id.get(), name)?;
            state.note(line);
            Ok(())
        });
    }

    /// Sets another user's status, `"online"`, `"idle"`, `"dnd"`,
    /// `"offline"` or `"invisible"` (shown as `"offline"`): PRESENCE_UPDATE
    /// in each guild the user shares with the bot (intent GUILD_PRESENCES,
    /// privileged). GUILD_CREATE's `presences` then hold it. (The bot's own
    /// presence is what it sends; see
    /// [`Records::presences`](crate::Records::presences).)
    ///
    /// # Panics
    ///
    /// If the user is unknown or the bot, or the status is not one of
    /// those.
    #[track_caller]
    pub fn set_user_presence(&self, id: Id<UserMarker>, status: &str) {
        self.run("set a presence", |state| {
            let shown = set_user_presence(state, id.get(), status)?;
            let line = status_line(&state.world, id.get(), &shown);
            state.note(line);
            Ok(())
        });
    }
}

fn on_current_user(state: &mut State, _: &mut Call<'_>) -> Answer {
    Ok(Reply::json(&wire::current_user(&state.world)))
}

fn on_get_user(state: &mut State, call: &mut Call<'_>) -> Answer {
    let id = call
        .id("user")
        .filter(|u| state.world.user_rec(*u).is_some())
        .ok_or_else(|| OpError::UnknownUser(call.id("user").unwrap_or(0)))?;
    Ok(Reply::json(&wire::user(&state.world, id)))
}
