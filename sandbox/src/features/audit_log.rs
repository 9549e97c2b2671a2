//! The audit log: entries that moderation and other changes write (a ban,
//! a kick, a member or role update, an invite, a webhook, an integration),
//! entries an admin makes directly, GUILD_AUDIT_LOG_ENTRY_CREATE (intent
//! GUILD_MODERATION) for each, and `GET /guilds/{g}/audit-logs`.

use twilight_model::{
    gateway::{Intents, payload::incoming::GuildAuditLogEntryCreate},
    guild::audit_log::{AuditLog, AuditLogEntry, AuditLogEventType},
    id::{
        Id,
        marker::{AuditLogEntryMarker, GenericMarker, GuildMarker, UserMarker},
    },
};

use crate::core::{
    admin::Admin,
    dispatch::EventKind,
    ops::OpError,
    rest::{Answer, Call, Reply, Route},
    state::State,
    transcript::{guild, user, with_reason},
    wire,
    world::{AuditRec, World},
};

pub(crate) const GUILD_AUDIT_LOG_ENTRY_CREATE: EventKind =
    EventKind::needs("GUILD_AUDIT_LOG_ENTRY_CREATE", Intents::GUILD_MODERATION);

pub(crate) const EVENTS: &[EventKind] = &[GUILD_AUDIT_LOG_ENTRY_CREATE];

pub(crate) const ROUTES: &[Route] = &[Route::new(
    "GET",
    "/guilds/{guild}/audit-logs",
    on_audit_log,
)];

/// Audit log action types the sandbox writes (Discord's numbers).
pub(crate) const MEMBER_KICK: u16 = 20;
pub(crate) const MEMBER_BAN_ADD: u16 = 22;
pub(crate) const MEMBER_BAN_REMOVE: u16 = 23;
pub(crate) const MEMBER_UPDATE: u16 = 24;
pub(crate) const MEMBER_ROLE_UPDATE: u16 = 25;
pub(crate) const INVITE_CREATE: u16 = 40;
pub(crate) const INVITE_DELETE: u16 = 42;
pub(crate) const WEBHOOK_CREATE: u16 = 50;
pub(crate) const WEBHOOK_UPDATE: u16 = 51;
pub(crate) const WEBHOOK_DELETE: u16 = 52;
pub(crate) const INTEGRATION_CREATE: u16 = 80;
pub(crate) const INTEGRATION_UPDATE: u16 = 81;
pub(crate) const INTEGRATION_DELETE: u16 = 82;

/// An entry as twilight's `AuditLogEntry`.
fn entry(e: &AuditRec, guild: Option<u64>) -> AuditLogEntry {
    AuditLogEntry {
        action_type: AuditLogEventType::from(e.action_type),
        changes: Vec::new(),
        guild_id: guild.map(Id::new),
        id: Id::new(e.id),
        options: None,
        reason: e.reason.clone(),
        target_id: e.target_id.map(Id::new),
        user_id: Some(Id::new(e.user_id)),
    }
}

/// Records an audit log entry and sends GUILD_AUDIT_LOG_ENTRY_CREATE.
/// Returns its id.
pub(crate) fn audit(
    state: &mut State,
    guild: u64,
    action_type: u16,
    user: u64,
    target: Option<u64>,
    reason: Option<String>,
) -> u64 {
    let rec = AuditRec {
        id: state.world.next_id(),
        action_type,
        user_id: user,
        target_id: target,
        reason,
    };
    let d = GuildAuditLogEntryCreate(entry(&rec, Some(guild)));
    let id = rec.id;
    if let Some(g) = state.world.guild_mut(guild) {
        g.audit_log.push(rec);
    }
    state.send(&GUILD_AUDIT_LOG_ENTRY_CREATE, Some(guild), &d);
    id
}

/// `[admin] audit log of Herald Test: mod did GuildUpdate (reason: new
/// icon)`.
fn entry_line(
    world: &World,
    guild_id: u64,
    by: u64,
    kind: AuditLogEventType,
    reason: Option<&str>,
) -> String {
    with_reason(
        format!(
            "[admin] audit log of {}: {} did {kind:?}",
            guild(world, guild_id),
            user(world, by)
        ),
        reason,
    )
}

impl Admin {
    /// Writes an audit log entry, as Discord does for a change the sandbox
    /// does not model (a new server icon, a permission overwrite, ...):
    /// GUILD_AUDIT_LOG_ENTRY_CREATE (intent GUILD_MODERATION), and the entry
    /// in `GET /guilds/{g}/audit-logs`. Bans, kicks, member and role updates,
    /// invites, webhooks and integrations write their own entries. `reason`
    /// `""` for none.
    ///
    /// # Panics
    ///
    /// If the guild or user is unknown.
    #[track_caller]
    pub fn add_audit_log_entry(
        &self,
        guild: Id<GuildMarker>,
        by: Id<UserMarker>,
        kind: AuditLogEventType,
        target: Option<Id<GenericMarker>>,
        reason: &str,
    ) -> Id<AuditLogEntryMarker> {
        self.run("write an audit log entry", |state| {
            state.guild_rec(guild.get())?;
            state.user_exists(by.get())?;
            let why = (!reason.is_empty()).then(|| reason.to_owned());
            let id = audit(
                state,
                guild.get(),
                u16::from(kind),
                by.get(),
                target.map(Id::get),
                why,
            );
            let line = entry_line(&state.world, guild.get(), by.get(), kind, Some(reason));
            state.note(line);
            Ok(Id::new(id))
        })
    }
}

// ---- REST ---------------------------------------------------------------------------

fn on_audit_log(state: &mut State, call: &mut Call<'_>) -> Answer {
    let guild = call.id("guild").unwrap_or(0);
    let g = state
        .world
        .guild(guild)
        .ok_or(OpError::UnknownGuild(guild))?;
    let action = call
        .query("action_type")
        .and_then(|a| a.parse::<u16>().ok());
    let user = call
        .query("user_id")
        .and_then(|u| u.parse::<u64>().ok())
        .filter(|u| *u != 0);
    let limit = call
        .query("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(50)
        .clamp(1, 100);
    let entries: Vec<&AuditRec> = g
        .audit_log
        .iter()
        .rev()
        .filter(|e| action.is_none_or(|a| a == e.action_type))
        .filter(|e| user.is_none_or(|u| u == e.user_id))
        .take(limit)
        .collect();
    let mut users: Vec<u64> = Vec::new();
    for e in &entries {
        for u in std::iter::once(e.user_id).chain(e.target_id) {
            if !users.contains(&u) && state.world.user_rec(u).is_some() {
                users.push(u);
            }
        }
    }
    Ok(Reply::json(&AuditLog {
        application_commands: Vec::new(),
        auto_moderation_rules: Vec::new(),
        entries: entries.iter().map(|e| entry(e, None)).collect(),
        guild_scheduled_events: Vec::new(),
        integrations: Vec::new(),
        threads: Vec::new(),
        users: users.iter().map(|u| wire::user(&state.world, *u)).collect(),
        webhooks: Vec::new(),
    }))
}
