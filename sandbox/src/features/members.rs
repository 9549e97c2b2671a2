//! Members and moderation: joining and leaving, nicknames and roles of
//! members, kicks, bans and unbans (each with its audit log entry), and the
//! member and ban REST routes; GUILD_MEMBER_ADD, _UPDATE, _REMOVE,
//! GUILD_BAN_ADD and _REMOVE.

use serde_json::Value;
use twilight_model::{
    gateway::{
        Intents,
        payload::incoming::{BanAdd, BanRemove, MemberAdd, MemberRemove, MemberUpdate},
    },
    guild::{Ban, MemberFlags},
    id::{
        Id,
        marker::{GuildMarker, RoleMarker, UserMarker},
    },
    util::Timestamp,
};

use crate::{
    core::{
        actor::Actor,
        dispatch::EventKind,
        ids::now,
        ops::OpError,
        rest::{Answer, Call, Reply, Route, value_id},
        state::State,
        transcript::{MAX_TITLE, clip, guild, role, user, with_reason},
        wire,
        world::{BanRec, MemberRec, World},
    },
    features::{audit_log, voice},
};

pub(crate) const GUILD_MEMBER_ADD: EventKind =
    EventKind::needs("GUILD_MEMBER_ADD", Intents::GUILD_MEMBERS);
pub(crate) const GUILD_MEMBER_UPDATE: EventKind =
    EventKind::needs("GUILD_MEMBER_UPDATE", Intents::GUILD_MEMBERS);
pub(crate) const GUILD_MEMBER_REMOVE: EventKind =
    EventKind::needs("GUILD_MEMBER_REMOVE", Intents::GUILD_MEMBERS);
pub(crate) const GUILD_BAN_ADD: EventKind =
    EventKind::needs("GUILD_BAN_ADD", Intents::GUILD_MODERATION);
pub(crate) const GUILD_BAN_REMOVE: EventKind =
    EventKind::needs("GUILD_BAN_REMOVE", Intents::GUILD_MODERATION);

pub(crate) const EVENTS: &[EventKind] = &[
    GUILD_MEMBER_ADD,
    GUILD_MEMBER_UPDATE,
    GUILD_MEMBER_REMOVE,
    GUILD_BAN_ADD,
    GUILD_BAN_REMOVE,
];

pub(crate) const ROUTES: &[Route] = &[
    Route::new("GET", "/guilds/{guild}/members", on_list_members),
    Route::new("GET", "/guilds/{guild}/members/{user}", on_get_member),
    Route::new("PATCH", "/guilds/{guild}/members/{user}", on_update_member),
    Route::new("DELETE", "/guilds/{guild}/members/{user}", on_kick),
    Route::new(
        "PUT",
        "/guilds/{guild}/members/{user}/roles/{role}",
        on_member_role,
    ),
    Route::new(
        "DELETE",
        "/guilds/{guild}/members/{user}/roles/{role}",
        on_member_role,
    ),
    Route::new("GET", "/guilds/{guild}/bans", on_list_bans),
    Route::new("GET", "/guilds/{guild}/bans/{user}", on_get_ban),
    Route::new("PUT", "/guilds/{guild}/bans/{user}", on_ban),
    Route::new("DELETE", "/guilds/{guild}/bans/{user}", on_unban),
];

/// GUILD_MEMBER_UPDATE's `d`: the member's new state.
pub(crate) fn member_update(world: &World, guild: u64, m: &MemberRec) -> MemberUpdate {
    MemberUpdate {
        avatar: None,
        communication_disabled_until: m.communication_disabled_until,
        guild_id: Id::new(guild),
        flags: Some(MemberFlags::empty()),
        deaf: Some(m.deaf),
        joined_at: Some(m.joined_at),
        mute: Some(m.mute),
        nick: m.nick.clone(),
        pending: false,
        premium_since: None,
        roles: m.roles.iter().map(|r| Id::new(*r)).collect(),
        user: wire::user(world, m.user_id),
    }
}

/// GUILD_MEMBER_ADD (a no-op if already a member).
fn member_join(state: &mut State, guild: u64, user: u64) -> Result<(), OpError> {
    state.user_exists(user)?;
    let g = state.guild_rec_mut(guild)?;
    if g.members.iter().any(|m| m.user_id == user) {
        return Ok(());
    }
    let member = MemberRec {
        user_id: user,
        roles: Vec::new(),
        nick: None,
        joined_at: now(),
        communication_disabled_until: None,
        mute: false,
        deaf: false,
    };
    g.members.push(member.clone());
    let d = MemberAdd {
        guild_id: Id::new(guild),
        member: wire::member(&state.world, &member),
    };
    state.send(&GUILD_MEMBER_ADD, Some(guild), &d);
    Ok(())
}

/// GUILD_MEMBER_REMOVE (leave or kick); also ends a voice session.
fn member_remove(state: &mut State, guild: u64, user: u64) -> Result<(), OpError> {
    let g = state.guild_rec_mut(guild)?;
    let before = g.members.len();
    g.members.retain(|m| m.user_id != user);
    if before == g.members.len() {
        return Err(OpError::UnknownMember(user));
    }
    let in_voice = g.voice_states.iter().any(|v| v.user_id == user);
    if in_voice {
        voice::voice_update(state, guild, user, None, false, false)?;
    }
    let d = MemberRemove {
        guild_id: Id::new(guild),
        user: wire::user(&state.world, user),
    };
    state.send(&GUILD_MEMBER_REMOVE, Some(guild), &d);
    Ok(())
}

/// Changes a member, then GUILD_MEMBER_UPDATE with its new state.
pub(crate) fn member_change(
    state: &mut State,
    guild: u64,
    user: u64,
    change: impl FnOnce(&mut MemberRec),
) -> Result<MemberRec, OpError> {
    state.guild_rec(guild)?;
    let member = state
        .world
        .member_mut(guild, user)
        .ok_or(OpError::UnknownMember(user))?;
    change(member);
    let member = member.clone();
    let d = member_update(&state.world, guild, &member);
    state.send(&GUILD_MEMBER_UPDATE, Some(guild), &d);
    Ok(member)
}

/// Adds or removes a role of a member (GUILD_MEMBER_UPDATE).
fn member_role(
    state: &mut State,
    guild: u64,
    user: u64,
    role: u64,
    add: bool,
) -> Result<(), OpError> {
    let g = state.guild_rec(guild)?;
    if !g.roles.iter().any(|r| r.id == role) {
        return Err(OpError::UnknownRole(role));
    }
    member_change(state, guild, user, |m| {
        m.roles.retain(|r| *r != role);
        if add {
            m.roles.push(role);
        }
    })?;
    Ok(())
}

/// Bans `user` from `guild` by `moderator`: GUILD_BAN_ADD, then
/// GUILD_MEMBER_REMOVE if they were a member, and an audit log entry.
fn ban(
    state: &mut State,
    guild: u64,
    moderator: u64,
    user: u64,
    reason: Option<String>,
) -> Result<(), OpError> {
    state.user_exists(user)?;
    let g = state.guild_rec_mut(guild)?;
    g.bans.retain(|b| b.user_id != user);
    g.bans.push(BanRec {
        user_id: user,
        reason: reason.clone(),
    });
    let was_member = g.members.iter().any(|m| m.user_id == user);
    let d = BanAdd {
        guild_id: Id::new(guild),
        user: wire::user(&state.world, user),
    };
    state.send(&GUILD_BAN_ADD, Some(guild), &d);
    if was_member {
        member_remove(state, guild, user)?;
    }
    audit_log::audit(
        state,
        guild,
        audit_log::MEMBER_BAN_ADD,
        moderator,
        Some(user),
        reason,
    );
    Ok(())
}

/// Lifts a ban: GUILD_BAN_REMOVE and an audit log entry.
fn unban(
    state: &mut State,
    guild: u64,
    moderator: u64,
    user: u64,
    reason: Option<String>,
) -> Result<(), OpError> {
    let g = state.guild_rec_mut(guild)?;
    let before = g.bans.len();
    g.bans.retain(|b| b.user_id != user);
    if before == g.bans.len() {
        return Err(OpError::UnknownBan(user));
    }
    let d = BanRemove {
        guild_id: Id::new(guild),
        user: wire::user(&state.world, user),
    };
    state.send(&GUILD_BAN_REMOVE, Some(guild), &d);
    audit_log::audit(
        state,
        guild,
        audit_log::MEMBER_BAN_REMOVE,
        moderator,
        Some(user),
        reason,
    );
    Ok(())
}

/// Kicks a member: GUILD_MEMBER_REMOVE and an audit log entry.
fn kick(
    state: &mut State,
    guild: u64,
    moderator: u64,
    user: u64,
    reason: Option<String>,
) -> Result<(), OpError> {
    member_remove(state, guild, user)?;
    audit_log::audit(
        state,
        guild,
        audit_log::MEMBER_KICK,
        moderator,
        Some(user),
        reason,
    );
    Ok(())
}

// ---- transcript lines -----------------------------------------------------------

/// `dave joined Herald Test` / `carol left Herald Test`.
fn membership(world: &World, who: u64, guild_id: u64, joined: bool) -> String {
    format!(
        "{} {} {}",
        user(world, who),
        if joined { "joined" } else { "left" },
        guild(world, guild_id)
    )
}

/// `mod banned dave from Herald Test (reason: spam)`; `verb` is `banned`,
/// `unbanned` or `kicked`.
fn moderated(
    world: &World,
    verb: &str,
    by: u64,
    target: u64,
    guild_id: u64,
    reason: Option<&str>,
) -> String {
    with_reason(
        format!(
            "{} {verb} {} from {}",
            user(world, by),
            user(world, target),
            guild(world, guild_id)
        ),
        reason,
    )
}

/// `alice set their nickname to "Al"` / `alice removed their nickname`.
fn own_nick(world: &World, who: u64, nick: Option<&str>) -> String {
    match nick {
        Some(nick) => format!(
            "{} set their nickname to \"{}\"",
            user(world, who),
            clip(nick, MAX_TITLE)
        ),
        None => format!("{} removed their nickname", user(world, who)),
    }
}

/// `alice got the role Moderator` / `alice lost the role Moderator`.
fn own_role(world: &World, who: u64, role_id: u64, add: bool) -> String {
    format!(
        "{} {} the role {}",
        user(world, who),
        if add { "got" } else { "lost" },
        role(world, role_id)
    )
}

/// `herald-bot set dave's nickname to "Dave", set dave's roles to Member`.
fn member_patch(world: &World, bot_name: &str, target: u64, body: &Value) -> String {
    let who = user(world, target);
    let mut changes = Vec::new();
    if let Some(nick) = body.get("nick") {
        changes.push(match nick.as_str().filter(|n| !n.is_empty()) {
            Some(nick) => format!("set {who}'s nickname to \"{}\"", clip(nick, MAX_TITLE)),
            None => format!("removed {who}'s nickname"),
        });
    }
    if let Some(roles) = body.get("roles").and_then(Value::as_array) {
        let names: Vec<String> = roles
            .iter()
            .filter_map(|r| value_id(Some(r)))
            .map(|r| role(world, r))
            .collect();
        changes.push(if names.is_empty() {
            format!("removed all of {who}'s roles")
        } else {
            format!("set {who}'s roles to {}", names.join(", "))
        });
    }
    if let Some(until) = body.get("communication_disabled_until") {
        changes.push(match until.as_str() {
            Some(until) => format!("timed out {who} until {until}"),
            None => format!("lifted {who}'s timeout"),
        });
    }
    if changes.is_empty() {
        format!("{bot_name} updated {who}")
    } else {
        format!("{bot_name} {}", changes.join(", "))
    }
}

// ---- actors -----------------------------------------------------------------------

impl Actor {
    /// Joins a guild (GUILD_MEMBER_ADD; nothing if already a member).
    ///
    /// # Panics
    ///
    /// If the guild is unknown.
    #[track_caller]
    pub fn join(&self, guild: Id<GuildMarker>) {
        self.run("join", |state, user| {
            member_join(state, guild.get(), user)?;
            let line = membership(&state.world, user, guild.get(), true);
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
            member_remove(state, guild.get(), user)?;
            let line = membership(&state.world, user, guild.get(), false);
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
            ban(state, guild.get(), user, target.get(), why)?;
            let line = moderated(
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
            unban(state, guild.get(), user, target.get(), None)?;
            let line = moderated(
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
            kick(state, guild.get(), user, target.get(), why)?;
            let line = moderated(
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
            member_change(state, guild.get(), user, |m| {
                m.nick = nick.map(str::to_owned)
            })?;
            let line = own_nick(&state.world, user, nick);
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
            member_role(state, guild.get(), user, role.get(), true)?;
            let line = own_role(&state.world, user, role.get(), true);
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
            member_role(state, guild.get(), user, role.get(), false)?;
            let line = own_role(&state.world, user, role.get(), false);
            state.note(line);
            Ok(())
        });
    }
}

// ---- REST ---------------------------------------------------------------------------

fn on_list_members(state: &mut State, call: &mut Call<'_>) -> Answer {
    let guild = call.id("guild").unwrap_or(0);
    let g = state
        .world
        .guild(guild)
        .ok_or(OpError::UnknownGuild(guild))?;
    let limit = call
        .query("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(1);
    let members: Vec<_> = g
        .members
        .iter()
        .take(limit)
        .map(|m| wire::member(&state.world, m))
        .collect();
    Ok(Reply::json(&members))
}

fn on_get_member(state: &mut State, call: &mut Call<'_>) -> Answer {
    let (Some(guild), Some(user)) = (call.id("guild"), call.id("user")) else {
        return Err(OpError::UnknownMember(0).into());
    };
    state.guild_rec(guild)?;
    let m = state
        .world
        .member(guild, user)
        .ok_or(OpError::UnknownMember(user))?;
    Ok(Reply::json(&wire::member(&state.world, m)))
}

fn on_update_member(state: &mut State, call: &mut Call<'_>) -> Answer {
    let (Some(guild), Some(target)) = (call.id("guild"), call.id("user")) else {
        return Err(OpError::UnknownMember(0).into());
    };
    let body = call.body().cloned().unwrap_or(Value::Null);
    let roles: Option<Vec<u64>> = body
        .get("roles")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|r| value_id(Some(r))).collect());
    let until: Option<Option<Timestamp>> = match body.get("communication_disabled_until") {
        None => None,
        Some(Value::String(s)) => Some(Some(Timestamp::parse(s).map_err(|_| {
            OpError::Invalid(format!("invalid communication_disabled_until {s:?}"))
        })?)),
        Some(_) => Some(None),
    };
    let bot = state.world.bot_id;
    let line = call.body().map(|b| {
        let bot_name = user(&state.world, bot);
        with_reason(
            member_patch(&state.world, &bot_name, target, b),
            call.reason(),
        )
    });
    let member = member_change(state, guild, target, |m| {
        if let Some(nick) = body.get("nick") {
            m.nick = nick.as_str().map(str::to_owned);
        }
        if let Some(roles) = roles {
            m.roles = roles;
        }
        if let Some(until) = until {
            m.communication_disabled_until = until;
        }
    })?;
    let reason = call.reason().map(str::to_owned);
    audit_log::audit(
        state,
        guild,
        audit_log::MEMBER_UPDATE,
        bot,
        Some(target),
        reason,
    );
    if let Some(line) = line {
        call.line(line);
    }
    Ok(Reply::json(&wire::member(&state.world, &member)))
}

fn on_kick(state: &mut State, call: &mut Call<'_>) -> Answer {
    let (Some(guild), Some(target)) = (call.id("guild"), call.id("user")) else {
        return Err(OpError::UnknownMember(0).into());
    };
    state.bot_needs(guild, twilight_model::guild::Permissions::KICK_MEMBERS)?;
    let bot = state.world.bot_id;
    let line = moderated(&state.world, "kicked", bot, target, guild, call.reason());
    kick(state, guild, bot, target, call.reason().map(str::to_owned))?;
    call.line(line);
    Ok(Reply::no_content())
}

fn on_member_role(state: &mut State, call: &mut Call<'_>) -> Answer {
    let (Some(guild), Some(target), Some(role_id)) =
        (call.id("guild"), call.id("user"), call.id("role"))
    else {
        return Err(OpError::UnknownRole(0).into());
    };
    let add = call.method == "PUT";
    let bot = state.world.bot_id;
    member_role(state, guild, target, role_id, add)?;
    let reason = call.reason().map(str::to_owned);
    audit_log::audit(
        state,
        guild,
        audit_log::MEMBER_ROLE_UPDATE,
        bot,
        Some(target),
        reason,
    );
    let world = &state.world;
    let bot_name = user(world, bot);
    let line = if add {
        format!(
            "{bot_name} gave {} the role {}",
            user(world, target),
            role(world, role_id)
        )
    } else {
        format!(
            "{bot_name} took the role {} from {}",
            role(world, role_id),
            user(world, target)
        )
    };
    call.line(with_reason(line, call.reason()));
    Ok(Reply::no_content())
}

fn on_list_bans(state: &mut State, call: &mut Call<'_>) -> Answer {
    let guild = call.id("guild").unwrap_or(0);
    let g = state
        .world
        .guild(guild)
        .ok_or(OpError::UnknownGuild(guild))?;
    let bans: Vec<Ban> = g
        .bans
        .iter()
        .map(|b| Ban {
            reason: b.reason.clone(),
            user: wire::user(&state.world, b.user_id),
        })
        .collect();
    Ok(Reply::json(&bans))
}

fn on_get_ban(state: &mut State, call: &mut Call<'_>) -> Answer {
    let (Some(guild), Some(target)) = (call.id("guild"), call.id("user")) else {
        return Err(OpError::UnknownBan(0).into());
    };
    let b = state
        .world
        .guild(guild)
        .and_then(|g| g.bans.iter().find(|b| b.user_id == target))
        .ok_or(OpError::UnknownBan(target))?;
    Ok(Reply::json(&Ban {
        reason: b.reason.clone(),
        user: wire::user(&state.world, target),
    }))
}

fn on_ban(state: &mut State, call: &mut Call<'_>) -> Answer {
    let (Some(guild), Some(target)) = (call.id("guild"), call.id("user")) else {
        return Err(OpError::UnknownUser(0).into());
    };
    state.bot_needs(guild, twilight_model::guild::Permissions::BAN_MEMBERS)?;
    let bot = state.world.bot_id;
    let line = moderated(&state.world, "banned", bot, target, guild, call.reason());
    ban(state, guild, bot, target, call.reason().map(str::to_owned))?;
    call.line(line);
    Ok(Reply::no_content())
}

fn on_unban(state: &mut State, call: &mut Call<'_>) -> Answer {
    let (Some(guild), Some(target)) = (call.id("guild"), call.id("user")) else {
        return Err(OpError::UnknownBan(0).into());
    };
    let bot = state.world.bot_id;
    let line = moderated(&state.world, "unbanned", bot, target, guild, call.reason());
    unban(state, guild, bot, target, call.reason().map(str::to_owned))?;
    call.line(line);
    Ok(Reply::no_content())
}
