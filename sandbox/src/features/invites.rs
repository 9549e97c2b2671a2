//! Invites: created by actors or the bot, deleted by admins or the bot;
//! INVITE_CREATE and INVITE_DELETE (intent GUILD_INVITES), each with its
//! audit log entry, and the invite REST routes.

use serde_json::Value;
use twilight_model::{
    channel::ChannelType,
    gateway::{
        Intents,
        payload::incoming::{InviteCreate, InviteDelete},
    },
    guild::invite::{Invite, InviteChannel, InviteType},
    id::{Id, marker::ChannelMarker},
    util::Timestamp,
};

use crate::{
    core::{
        actor::Actor,
        admin::Admin,
        dispatch::EventKind,
        ids::now,
        ops::OpError,
        rest::{Answer, Call, Reply, Route},
        state::State,
        transcript::{channel_name, subject},
        wire,
        world::World,
    },
    features::audit_log,
};

/// `dispatch_raw` sent INVITE_CREATE to every session before the sandbox
/// modelled invites; raw ones still go to every session.
pub(crate) const INVITE_CREATE: EventKind =
    EventKind::needs("INVITE_CREATE", Intents::GUILD_INVITES).unfiltered_when_raw();
pub(crate) const INVITE_DELETE: EventKind =
    EventKind::needs("INVITE_DELETE", Intents::GUILD_INVITES).unfiltered_when_raw();

pub(crate) const EVENTS: &[EventKind] = &[INVITE_CREATE, INVITE_DELETE];

pub(crate) const ROUTES: &[Route] = &[
    Route::new("POST", "/channels/{channel}/invites", on_create),
    Route::new("GET", "/channels/{channel}/invites", on_list_channel),
    Route::new("GET", "/invites/{code}", on_get),
    Route::new("DELETE", "/invites/{code}", on_delete),
];

/// How long an invite lasts by default (Discord: 24 hours), in seconds.
const DEFAULT_MAX_AGE: u64 = 86_400;

/// An invite to a guild channel.
#[derive(Clone, Debug)]
struct InviteRec {
    code: String,
    guild: u64,
    channel: u64,
    inviter: u64,
    created_at: Timestamp,
    /// Seconds (0: never expires).
    max_age: u64,
    /// 0: unlimited.
    max_uses: u64,
    temporary: bool,
}

/// The invites of this sandbox, and how many were made (for codes).
#[derive(Debug, Default)]
struct Invites {
    list: Vec<InviteRec>,
    made: u64,
}

/// The options of a new invite.
#[derive(Clone, Copy, Debug)]
struct Options {
    max_age: u64,
    max_uses: u64,
    temporary: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            max_age: DEFAULT_MAX_AGE,
            max_uses: 0,
            temporary: false,
        }
    }
}

/// An invite as REST answers it.
fn invite(world: &World, i: &InviteRec) -> Invite {
    let channel = world.channel(i.channel);
    Invite {
        approximate_member_count: None,
        approximate_presence_count: None,
        channel: Some(InviteChannel {
            id: Id::new(i.channel),
            name: channel.map(|c| c.name.clone()),
            kind: channel.map_or(ChannelType::GuildText, |c| ChannelType::from(c.kind)),
        }),
        code: i.code.clone(),
        created_at: Some(i.created_at),
        expires_at: None,
        guild: None,
        inviter: Some(wire::user(world, i.inviter)),
        max_age: Some(i.max_age),
        max_uses: Some(i.max_uses),
        target_type: None,
        target_user: None,
        temporary: Some(i.temporary),
        kind: InviteType::Guild,
        uses: Some(0),
    }
}

/// A new invite to `channel` by `inviter`: INVITE_CREATE and an audit log
/// entry. Returns it.
fn create_invite(
    state: &mut State,
    channel: u64,
    inviter: u64,
    options: Options,
) -> Result<InviteRec, OpError> {
    let (guild, _) = state.guild_channel(channel)?;
    if state.world.member(guild, inviter).is_none() {
        return Err(OpError::UnknownMember(inviter));
    }
    let invites = state.features.get::<Invites>();
    invites.made += 1;
    let rec = InviteRec {
        code: format!("sandbox{}", invites.made),
        guild,
        channel,
        inviter,
        created_at: now(),
        max_age: options.max_age,
        max_uses: options.max_uses,
        temporary: options.temporary,
    };
    invites.list.push(rec.clone());
    let d = InviteCreate {
        channel_id: Id::new(channel),
        code: rec.code.clone(),
        created_at: rec.created_at,
        guild_id: Id::new(guild),
        inviter: Some(wire::user(&state.world, inviter)),
        max_age: rec.max_age,
        max_uses: rec.max_uses,
        target_user_type: None,
        target_user: None,
        temporary: rec.temporary,
        uses: 0,
    };
    state.send(&INVITE_CREATE, Some(guild), &d);
    audit_log::audit(state, guild, audit_log::INVITE_CREATE, inviter, None, None);
    Ok(rec)
}

/// Deletes an invite by `by`: INVITE_DELETE and an audit log entry.
/// Returns it.
fn delete_invite(
    state: &mut State,
    code: &str,
    by: u64,
    reason: Option<String>,
) -> Result<InviteRec, OpError> {
    let invites = state.features.get::<Invites>();
    let index = invites
        .list
        .iter()
        .position(|i| i.code == code)
        .ok_or_else(|| OpError::UnknownInvite(code.to_owned()))?;
    let rec = invites.list.remove(index);
    let d = InviteDelete {
        channel_id: Id::new(rec.channel),
        code: rec.code.clone(),
        guild_id: Id::new(rec.guild),
    };
    state.send(&INVITE_DELETE, Some(rec.guild), &d);
    audit_log::audit(state, rec.guild, audit_log::INVITE_DELETE, by, None, reason);
    Ok(rec)
}

/// `alice created invite sandbox1 to #general`.
fn created(world: &World, who: Option<u64>, i: &InviteRec) -> String {
    format!(
        "{} created invite {} to {}",
        subject(world, who),
        i.code,
        channel_name(world, i.channel)
    )
}

/// `[admin] deleted invite sandbox1 to #general`.
fn deleted(world: &World, who: Option<u64>, i: &InviteRec) -> String {
    format!(
        "{} deleted invite {} to {}",
        subject(world, who),
        i.code,
        channel_name(world, i.channel)
    )
}

impl Actor {
    /// Creates an invite to `channel` (24 hours, unlimited uses):
    /// INVITE_CREATE (intent GUILD_INVITES; Discord also sends it only to
    /// bots that can manage the channel, which the sandbox does not check),
    /// and an audit log entry (GUILD_AUDIT_LOG_ENTRY_CREATE). Returns the
    /// invite's code.
    ///
    /// # Panics
    ///
    /// If the channel is not a guild channel or the actor not a member of
    /// its guild.
    #[track_caller]
    pub fn create_invite(&self, channel: Id<ChannelMarker>) -> String {
        self.run("create an invite", |state, who| {
            let rec = create_invite(state, channel.get(), who, Options::default())?;
            let line = created(&state.world, Some(who), &rec);
            state.note(line);
            Ok(rec.code)
        })
    }
}

impl Admin {
    /// Deletes (revokes) the invite `code`, as a guild admin: INVITE_DELETE
    /// with `channel_id`, `guild_id` and `code` (intent GUILD_INVITES), and
    /// an audit log entry by the guild owner.
    ///
    /// # Panics
    ///
    /// If there is no such invite.
    #[track_caller]
    pub fn delete_invite(&self, code: &str) {
        self.run("delete an invite", |state| {
            let guild = state
                .features
                .get::<Invites>()
                .list
                .iter()
                .find(|i| i.code == code)
                .map(|i| i.guild)
                .ok_or_else(|| OpError::UnknownInvite(code.to_owned()))?;
            let by = state.guild_actor(guild);
            let rec = delete_invite(state, code, by, None)?;
            let line = deleted(&state.world, None, &rec);
            state.note(line);
            Ok(())
        });
    }
}

/// `POST /channels/{c}/invites` with `max_age`, `max_uses`,
/// `temporary`.
fn on_create(state: &mut State, call: &mut Call<'_>) -> Answer {
    let channel = call.id("channel").ok_or(OpError::UnknownChannel(0))?;
    let number =
        |key: &str, default: u64| call.field(key).and_then(Value::as_u64).unwrap_or(default);
    let options = Options {
        max_age: number("max_age", DEFAULT_MAX_AGE),
        max_uses: number("max_uses", 0),
        temporary: call
            .field("temporary")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    };
    let bot = state.world.bot_id;
    let rec = create_invite(state, channel, bot, options)?;
    call.line(created(&state.world, Some(bot), &rec));
    Ok(Reply::json(&invite(&state.world, &rec)))
}

fn list(state: &mut State, keep: impl Fn(&InviteRec) -> bool) -> Vec<Invite> {
    let list: Vec<InviteRec> = state
        .features
        .get::<Invites>()
        .list
        .iter()
        .filter(|i| keep(i))
        .cloned()
        .collect();
    list.iter().map(|i| invite(&state.world, i)).collect()
}

/// `GET /channels/{c}/invites`.
fn on_list_channel(state: &mut State, call: &mut Call<'_>) -> Answer {
    let channel = call.id("channel").unwrap_or(0);
    state.guild_channel(channel)?;
    Ok(Reply::json(&list(state, |i| i.channel == channel)))
}

/// `GET /invites/{code}`.
fn on_get(state: &mut State, call: &mut Call<'_>) -> Answer {
    let code = call.param("code").to_owned();
    let found = list(state, |i| i.code == code);
    let invite = found
        .into_iter()
        .next()
        .ok_or(OpError::UnknownInvite(code))?;
    Ok(Reply::json(&invite))
}

/// `DELETE /invites/{code}`: answers the deleted invite.
fn on_delete(state: &mut State, call: &mut Call<'_>) -> Answer {
    let code = call.param("code").to_owned();
    let bot = state.world.bot_id;
    let reason = call.reason().map(str::to_owned);
    let rec = delete_invite(state, &code, bot, reason)?;
    call.line(deleted(&state.world, Some(bot), &rec));
    Ok(Reply::json(&invite(&state.world, &rec)))
}
