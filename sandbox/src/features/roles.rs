//! Roles: created, renamed and deleted by admins (members lose a deleted
//! role), and the role REST read; GUILD_ROLE_CREATE, _UPDATE and _DELETE.
//! Giving roles to members is the members feature's.

use twilight_model::{
    gateway::{
        Intents,
        payload::incoming::{RoleCreate, RoleDelete, RoleUpdate},
    },
    guild::Permissions,
    id::{
        Id,
        marker::{GuildMarker, RoleMarker},
    },
};

use crate::core::{
    admin::Admin,
    dispatch::EventKind,
    ops::OpError,
    rest::{Answer, Call, Reply, Route},
    state::State,
    transcript::{MAX_TITLE, clip, role},
    wire,
    world::RoleRec,
};

pub(crate) const GUILD_ROLE_CREATE: EventKind =
    EventKind::needs("GUILD_ROLE_CREATE", Intents::GUILDS);
pub(crate) const GUILD_ROLE_UPDATE: EventKind =
    EventKind::needs("GUILD_ROLE_UPDATE", Intents::GUILDS);
pub(crate) const GUILD_ROLE_DELETE: EventKind =
    EventKind::needs("GUILD_ROLE_DELETE", Intents::GUILDS);

pub(crate) const EVENTS: &[EventKind] = &[GUILD_ROLE_CREATE, GUILD_ROLE_UPDATE, GUILD_ROLE_DELETE];

pub(crate) const ROUTES: &[Route] = &[Route::new("GET", "/guilds/{guild}/roles", on_list_roles)];

/// A new role without permissions: GUILD_ROLE_CREATE.
fn create_role(state: &mut State, guild: u64, name: &str) -> Result<u64, OpError> {
    let id = state.world.next_id();
    let g = state.guild_rec_mut(guild)?;
    let rec = RoleRec {
        id,
        name: name.to_owned(),
        permissions: Permissions::empty(),
        position: g.roles.len(),
    };
    let d = RoleCreate {
        guild_id: Id::new(guild),
        role: wire::role(&rec),
    };
    g.roles.push(rec);
    state.send(&GUILD_ROLE_CREATE, Some(guild), &d);
    Ok(id)
}

/// Renames a role: GUILD_ROLE_UPDATE.
fn rename_role(state: &mut State, id: u64, name: &str) -> Result<(), OpError> {
    let (guild, r) = state
        .world
        .guilds
        .iter_mut()
        .find_map(|g| {
            let guild = g.id;
            g.roles.iter_mut().find(|r| r.id == id).map(|r| (guild, r))
        })
        .ok_or(OpError::UnknownRole(id))?;
    name.clone_into(&mut r.name);
    let d = RoleUpdate {
        guild_id: Id::new(guild),
        role: wire::role(r),
    };
    state.send(&GUILD_ROLE_UPDATE, Some(guild), &d);
    Ok(())
}

/// Deletes a role (members lose it): GUILD_ROLE_DELETE.
fn delete_role(state: &mut State, guild: u64, id: u64) -> Result<(), OpError> {
    if id == guild {
        return Err(OpError::Invalid("cannot delete the @everyone role".into()));
    }
    let g = state.guild_rec_mut(guild)?;
    let before = g.roles.len();
    g.roles.retain(|r| r.id != id);
    if before == g.roles.len() {
        return Err(OpError::UnknownRole(id));
    }
    for m in &mut g.members {
        m.roles.retain(|r| *r != id);
    }
    let d = RoleDelete {
        guild_id: Id::new(guild),
        role_id: Id::new(id),
    };
    state.send(&GUILD_ROLE_DELETE, Some(guild), &d);
    Ok(())
}

impl Admin {
    /// Creates a role without permissions: GUILD_ROLE_CREATE (intent
    /// GUILDS).
    ///
    /// # Panics
    ///
    /// If the guild is unknown.
    #[track_caller]
    pub fn create_role(&self, guild: Id<GuildMarker>, name: &str) -> Id<RoleMarker> {
        self.run("create a role", |state| {
            let id = create_role(state, guild.get(), name)?;
            // `[admin] created role Helper in Herald Test`.
            let line = format!(
                "[admin] created role {} in {}",
                role(&state.world, id),
                crate::core::transcript::guild(&state.world, guild.get())
            );
            state.note(line);
            Ok(Id::new(id))
        })
    }

    /// Renames a role: GUILD_ROLE_UPDATE (intent GUILDS).
    ///
    /// # Panics
    ///
    /// If the role is unknown.
    #[track_caller]
    pub fn rename_role(&self, id: Id<RoleMarker>, name: &str) {
        self.run("rename a role", |state| {
            // `[admin] renamed role Helper to Helpers` (before the change).
            let line = format!(
                "[admin] renamed role {} to {}",
                role(&state.world, id.get()),
                clip(name, MAX_TITLE)
            );
            rename_role(state, id.get(), name)?;
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
    pub fn delete_role(&self, guild: Id<GuildMarker>, id: Id<RoleMarker>) {
        self.run("delete a role", |state| {
            let line = format!("[admin] deleted role {}", role(&state.world, id.get()));
            delete_role(state, guild.get(), id.get())?;
            state.note(line);
            Ok(())
        });
    }
}

fn on_list_roles(state: &mut State, call: &mut Call<'_>) -> Answer {
    let id = call.id("guild").unwrap_or(0);
    let g = state.world.guild(id).ok_or(OpError::UnknownGuild(id))?;
    let roles: Vec<_> = g.roles.iter().map(wire::role).collect();
    Ok(Reply::json(&roles))
}
