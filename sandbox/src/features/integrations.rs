//! Integrations: other applications (bots) added to a guild by its owner,
//! renamed and removed; INTEGRATION_CREATE, INTEGRATION_UPDATE and
//! INTEGRATION_DELETE (intent GUILD_INTEGRATIONS), each with its audit log
//! entry; and the integration REST routes.

use twilight_model::{
    gateway::{
        Intents,
        payload::incoming::{IntegrationCreate, IntegrationDelete, IntegrationUpdate},
    },
    guild::{GuildIntegration, GuildIntegrationType, IntegrationAccount, IntegrationApplication},
    id::{
        Id,
        marker::{GuildMarker, IntegrationMarker},
    },
    user::{User, UserFlags},
};

use crate::{
    core::{
        admin::Admin,
        dispatch::EventKind,
        ops::OpError,
        rest::{Answer, Call, Reply, Route},
        state::State,
        transcript::{MAX_TITLE, clip, guild, subject},
        wire,
        world::World,
    },
    features::audit_log,
};

/// `dispatch_raw` sent these to every session before the sandbox modelled
/// integrations; raw ones still go to every session.
pub(crate) const INTEGRATION_CREATE: EventKind =
    EventKind::needs("INTEGRATION_CREATE", Intents::GUILD_INTEGRATIONS).unfiltered_when_raw();
pub(crate) const INTEGRATION_UPDATE: EventKind =
    EventKind::needs("INTEGRATION_UPDATE", Intents::GUILD_INTEGRATIONS).unfiltered_when_raw();
pub(crate) const INTEGRATION_DELETE: EventKind =
    EventKind::needs("INTEGRATION_DELETE", Intents::GUILD_INTEGRATIONS).unfiltered_when_raw();

pub(crate) const EVENTS: &[EventKind] =
    &[INTEGRATION_CREATE, INTEGRATION_UPDATE, INTEGRATION_DELETE];

pub(crate) const ROUTES: &[Route] = &[
    Route::new("GET", "/guilds/{guild}/integrations", on_list),
    Route::new(
        "DELETE",
        "/guilds/{guild}/integrations/{integration}",
        on_delete,
    ),
];

/// A bot application added to a guild.
#[derive(Clone, Debug)]
struct IntegrationRec {
    id: u64,
    guild: u64,
    /// The application (and its bot user: same id).
    application: u64,
    name: String,
    /// Who added it.
    user: u64,
}

/// The integrations of this sandbox.
#[derive(Debug, Default)]
struct Integrations {
    list: Vec<IntegrationRec>,
}

/// An integration as the gateway and REST carry it (with `guild_id`).
fn integration(world: &World, i: &IntegrationRec) -> GuildIntegration {
    let bot = User {
        bot: true,
        id: Id::new(i.application),
        name: i.name.clone(),
        public_flags: Some(UserFlags::empty()),
        ..wire::user(world, i.application)
    };
    GuildIntegration {
        account: IntegrationAccount {
            id: i.application.to_string(),
            name: i.name.clone(),
        },
        application: Some(IntegrationApplication {
            bot: Some(bot),
            description: String::new(),
            icon: None,
            id: Id::new(i.application),
            name: i.name.clone(),
        }),
        enable_emoticons: None,
        enabled: Some(true),
        expire_behavior: None,
        expire_grace_period: None,
        guild_id: Some(Id::new(i.guild)),
        id: Id::new(i.id),
        kind: GuildIntegrationType::Discord,
        name: i.name.clone(),
        revoked: None,
        role_id: None,
        scopes: Some(vec!["bot".to_owned(), "applications.commands".to_owned()]),
        subscriber_count: None,
        synced_at: None,
        syncing: None,
        user: Some(wire::user(world, i.user)),
    }
}

fn find(state: &mut State, id: u64) -> Result<IntegrationRec, OpError> {
    state
        .features
        .get::<Integrations>()
        .list
        .iter()
        .find(|i| i.id == id)
        .cloned()
        .ok_or(OpError::UnknownIntegration(id))
}

/// The application `name` added to `guild` by its owner:
/// INTEGRATION_CREATE and an audit log entry.
fn add_integration(state: &mut State, guild: u64, name: &str) -> Result<IntegrationRec, OpError> {
    state.guild_rec(guild)?;
    let rec = IntegrationRec {
        id: state.world.next_id(),
        guild,
        application: state.world.next_id(),
        name: name.to_owned(),
        user: state.guild_actor(guild),
    };
    state.features.get::<Integrations>().list.push(rec.clone());
    let d = IntegrationCreate(integration(&state.world, &rec));
    state.send(&INTEGRATION_CREATE, Some(guild), &d);
    audit_log::audit(
        state,
        guild,
        audit_log::INTEGRATION_CREATE,
        rec.user,
        Some(rec.id),
        None,
    );
    Ok(rec)
}

/// Renames an integration: INTEGRATION_UPDATE and an audit log entry.
/// Returns it as it was.
fn rename_integration(state: &mut State, id: u64, name: &str) -> Result<IntegrationRec, OpError> {
    let old = find(state, id)?;
    let mut new = old.clone();
    name.clone_into(&mut new.name);
    if let Some(i) = state
        .features
        .get::<Integrations>()
        .list
        .iter_mut()
        .find(|i| i.id == id)
    {
        *i = new.clone();
    }
    let d = IntegrationUpdate(integration(&state.world, &new));
    state.send(&INTEGRATION_UPDATE, Some(new.guild), &d);
    let by = state.guild_actor(new.guild);
    audit_log::audit(
        state,
        new.guild,
        audit_log::INTEGRATION_UPDATE,
        by,
        Some(id),
        None,
    );
    Ok(old)
}

/// Removes an integration by `by`: INTEGRATION_DELETE and an audit log
/// entry. Returns it.
fn remove_integration(
    state: &mut State,
    id: u64,
    by: u64,
    reason: Option<String>,
) -> Result<IntegrationRec, OpError> {
    let rec = find(state, id)?;
    state
        .features
        .get::<Integrations>()
        .list
        .retain(|i| i.id != id);
    let d = IntegrationDelete {
        application_id: Some(Id::new(rec.application)),
        guild_id: Id::new(rec.guild),
        id: Id::new(id),
    };
    state.send(&INTEGRATION_DELETE, Some(rec.guild), &d);
    audit_log::audit(
        state,
        rec.guild,
        audit_log::INTEGRATION_DELETE,
        by,
        Some(id),
        reason,
    );
    Ok(rec)
}

/// `[admin] added integration Streamcord to Herald Test`.
fn added(world: &World, i: &IntegrationRec) -> String {
    format!(
        "[admin] added integration {} to {}",
        clip(&i.name, MAX_TITLE),
        guild(world, i.guild)
    )
}

/// `[admin] removed integration Streamcord from Herald Test`.
fn removed(world: &World, who: Option<u64>, i: &IntegrationRec) -> String {
    format!(
        "{} removed integration {} from {}",
        subject(world, who),
        clip(&i.name, MAX_TITLE),
        guild(world, i.guild)
    )
}

impl Admin {
    /// The guild owner adds another bot, the application `name`, to
    /// `guild`: INTEGRATION_CREATE with the integration (type `discord`,
    /// its application and bot user, `guild_id`; intent
    /// GUILD_INTEGRATIONS), and an audit log entry.
    ///
    /// # Panics
    ///
    /// If the guild is unknown.
    #[track_caller]
    pub fn add_integration(&self, guild: Id<GuildMarker>, name: &str) -> Id<IntegrationMarker> {
        self.run("add an integration", |state| {
            let rec = add_integration(state, guild.get(), name)?;
            let line = added(&state.world, &rec);
            state.note(line);
            Ok(Id::new(rec.id))
        })
    }

    /// Renames an integration (its application was renamed):
    /// INTEGRATION_UPDATE (intent GUILD_INTEGRATIONS) and an audit log
    /// entry.
    ///
    /// # Panics
    ///
    /// If the integration is unknown.
    #[track_caller]
    pub fn rename_integration(&self, integration: Id<IntegrationMarker>, name: &str) {
        self.run("rename an integration", |state| {
            let old = rename_integration(state, integration.get(), name)?;
            let line = format!(
                "[admin] renamed integration {} to {}",
                clip(&old.name, MAX_TITLE),
                clip(name, MAX_TITLE)
            );
            state.note(line);
            Ok(())
        });
    }

    /// The guild owner removes an integration: INTEGRATION_DELETE with
    /// `id`, `guild_id` and `application_id` (intent GUILD_INTEGRATIONS),
    /// and an audit log entry.
    ///
    /// # Panics
    ///
    /// If the integration is unknown.
    #[track_caller]
    pub fn remove_integration(&self, integration: Id<IntegrationMarker>) {
        self.run("remove an integration", |state| {
            let guild = find(state, integration.get())?.guild;
            let by = state.guild_actor(guild);
            let rec = remove_integration(state, integration.get(), by, None)?;
            let line = removed(&state.world, None, &rec);
            state.note(line);
            Ok(())
        });
    }
}

/// `GET /guilds/{g}/integrations`.
fn on_list(state: &mut State, call: &mut Call<'_>) -> Answer {
    let guild = call.id("guild").unwrap_or(0);
    state.guild_rec(guild)?;
    let list: Vec<IntegrationRec> = state
        .features
        .get::<Integrations>()
        .list
        .iter()
        .filter(|i| i.guild == guild)
        .cloned()
        .collect();
    let list: Vec<_> = list.iter().map(|i| integration(&state.world, i)).collect();
    Ok(Reply::json(&list))
}

/// `DELETE /guilds/{g}/integrations/{id}`.
fn on_delete(state: &mut State, call: &mut Call<'_>) -> Answer {
    let guild = call.id("guild").unwrap_or(0);
    state.guild_rec(guild)?;
    let id = call.id("integration").unwrap_or(0);
    if find(state, id)?.guild != guild {
        return Err(OpError::UnknownIntegration(id).into());
    }
    let bot = state.world.bot_id;
    let reason = call.reason().map(str::to_owned);
    let rec = remove_integration(state, id, bot, reason)?;
    call.line(removed(&state.world, Some(bot), &rec));
    Ok(Reply::no_content())
}
