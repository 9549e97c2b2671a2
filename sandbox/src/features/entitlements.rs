//! Entitlements (premium offerings): a user subscribing to one of the app's
//! SKUs, Discord renewing or deleting (refunding) an entitlement, the bot's
//! test entitlements; ENTITLEMENT_CREATE, ENTITLEMENT_UPDATE and
//! ENTITLEMENT_DELETE, delivered whatever the intents (Discord lists them
//! under none) on shard 0; and the entitlement REST routes.
//!
//! twilight-gateway 0.18's `EventType` knows ENTITLEMENT_CREATE but not
//! ENTITLEMENT_UPDATE or ENTITLEMENT_DELETE: its `next_event` drops those
//! two; the raw frames deserialise as `EntitlementUpdate` and
//! `EntitlementDelete`.

use serde_json::Value;
use twilight_model::{
    application::monetization::{Entitlement, EntitlementType},
    gateway::payload::incoming::{EntitlementCreate, EntitlementDelete, EntitlementUpdate},
    id::{
        Id,
        marker::{EntitlementMarker, SkuMarker},
    },
    util::Timestamp,
};

use crate::core::{
    actor::Actor,
    admin::Admin,
    dispatch::EventKind,
    ids::{in_secs, now},
    ops::OpError,
    rest::{Answer, Call, Reply, Route, value_id},
    state::State,
    transcript::{guild, user},
    world::World,
};

pub(crate) const ENTITLEMENT_CREATE: EventKind = EventKind::always("ENTITLEMENT_CREATE");
pub(crate) const ENTITLEMENT_UPDATE: EventKind = EventKind::always("ENTITLEMENT_UPDATE");
pub(crate) const ENTITLEMENT_DELETE: EventKind = EventKind::always("ENTITLEMENT_DELETE");

pub(crate) const EVENTS: &[EventKind] =
    &[ENTITLEMENT_CREATE, ENTITLEMENT_UPDATE, ENTITLEMENT_DELETE];

pub(crate) const ROUTES: &[Route] = &[
    Route::new("GET", "/applications/{application}/entitlements", on_list),
    Route::new(
        "POST",
        "/applications/{application}/entitlements",
        on_create_test,
    ),
    Route::new(
        "DELETE",
        "/applications/{application}/entitlements/{entitlement}",
        on_delete_test,
    ),
];

/// A subscription's billing period (30 days), in seconds.
const PERIOD: u64 = 30 * 24 * 60 * 60;

/// Who owns an entitlement.
#[derive(Clone, Copy, Debug)]
enum Owner {
    User(u64),
    Guild(u64),
}

#[derive(Clone, Debug)]
struct EntitlementRec {
    id: u64,
    sku: u64,
    owner: Owner,
    kind: EntitlementType,
    starts_at: Option<Timestamp>,
    ends_at: Option<Timestamp>,
    deleted: bool,
}

/// The entitlements of this sandbox.
#[derive(Debug, Default)]
struct Entitlements {
    list: Vec<EntitlementRec>,
}

fn entitlement(world: &World, e: &EntitlementRec) -> Entitlement {
    let (user_id, guild_id) = match e.owner {
        Owner::User(u) => (Some(Id::new(u)), None),
        Owner::Guild(g) => (None, Some(Id::new(g))),
    };
    Entitlement {
        application_id: Id::new(world.application_id),
        consumed: Some(false),
        deleted: e.deleted,
        ends_at: e.ends_at,
        guild_id,
        id: Id::new(e.id),
        kind: e.kind,
        sku_id: Id::new(e.sku),
        starts_at: e.starts_at,
        user_id,
    }
}

fn find(state: &mut State, id: u64) -> Result<EntitlementRec, OpError> {
    state
        .features
        .get::<Entitlements>()
        .list
        .iter()
        .find(|e| e.id == id)
        .cloned()
        .ok_or(OpError::UnknownEntitlement(id))
}

/// A new entitlement: ENTITLEMENT_CREATE.
fn create(state: &mut State, sku: u64, owner: Owner, kind: EntitlementType) -> EntitlementRec {
    let subscription = kind == EntitlementType::ApplicationSubscription;
    let rec = EntitlementRec {
        id: state.world.next_id(),
        sku,
        owner,
        kind,
        starts_at: subscription.then(now),
        ends_at: subscription.then(|| in_secs(PERIOD)),
        deleted: false,
    };
    state.features.get::<Entitlements>().list.push(rec.clone());
    let d = EntitlementCreate(entitlement(&state.world, &rec));
    state.send(&ENTITLEMENT_CREATE, None, &d);
    rec
}

/// A subscription renewed for another period: ENTITLEMENT_UPDATE with the
/// new `ends_at`.
fn renew(state: &mut State, id: u64) -> Result<EntitlementRec, OpError> {
    let old = find(state, id)?;
    let from = old.ends_at.unwrap_or_else(now);
    let until = Timestamp::from_secs(from.as_secs().saturating_add(PERIOD as i64))
        .map_err(|_| OpError::Invalid("the renewed subscription ends too late".into()))?;
    let list = &mut state.features.get::<Entitlements>().list;
    let Some(e) = list.iter_mut().find(|e| e.id == id) else {
        return Err(OpError::UnknownEntitlement(id));
    };
    e.ends_at = Some(until);
    let rec = e.clone();
    let d = EntitlementUpdate(entitlement(&state.world, &rec));
    state.send(&ENTITLEMENT_UPDATE, None, &d);
    Ok(rec)
}

/// An entitlement deleted (a refund, or a test entitlement removed):
/// ENTITLEMENT_DELETE with `deleted: true`.
fn delete(state: &mut State, id: u64) -> Result<EntitlementRec, OpError> {
    let mut rec = find(state, id)?;
    state
        .features
        .get::<Entitlements>()
        .list
        .retain(|e| e.id != id);
    rec.deleted = true;
    let d = EntitlementDelete(entitlement(&state.world, &rec));
    state.send(&ENTITLEMENT_DELETE, None, &d);
    Ok(rec)
}

/// `alice`, or `guild Herald Test`.
fn owner_name(world: &World, owner: Owner) -> String {
    match owner {
        Owner::User(u) => user(world, u),
        Owner::Guild(g) => format!("guild {}", guild(world, g)),
    }
}

/// `alice's entitlement to SKU 1234`.
fn whose(world: &World, e: &EntitlementRec) -> String {
    format!(
        "{}'s entitlement to SKU {}",
        owner_name(world, e.owner),
        e.sku
    )
}

impl Actor {
    /// Subscribes to the app's subscription SKU `sku` (for the next 30
    /// days): ENTITLEMENT_CREATE (type 8, application subscription; sent
    /// whatever the intents, on shard 0). Discord renews it with
    /// [`Admin::renew_entitlement`] and refunds it with
    /// [`Admin::delete_entitlement`].
    pub fn subscribe(&self, sku: Id<SkuMarker>) -> Id<EntitlementMarker> {
        Id::new(self.run("subscribe", |state, who| {
            let rec = create(
                state,
                sku.get(),
                Owner::User(who),
                EntitlementType::ApplicationSubscription,
            );
            let line = format!("{} subscribed to SKU {}", user(&state.world, who), sku);
            state.note(line);
            Ok(rec.id)
        }))
    }
}

impl Admin {
    /// Discord renews a subscription for another 30 days:
    /// ENTITLEMENT_UPDATE with the new `ends_at` (sent whatever the
    /// intents). twilight-gateway 0.18's `next_event` drops this event (a
    /// known gap); the raw frame deserialises as `EntitlementUpdate`.
    ///
    /// # Panics
    ///
    /// If the entitlement is unknown.
    #[track_caller]
    pub fn renew_entitlement(&self, entitlement: Id<EntitlementMarker>) {
        self.run("renew an entitlement", |state| {
            let rec = renew(state, entitlement.get())?;
            let line = format!("[discord] renewed {}", whose(&state.world, &rec));
            state.note(line);
            Ok(())
        });
    }

    /// Discord deletes an entitlement (a refund): ENTITLEMENT_DELETE with
    /// `deleted: true` (sent whatever the intents). twilight-gateway 0.18's
    /// `next_event` drops this event (a known gap); the raw frame
    /// deserialises as `EntitlementDelete`.
    ///
    /// # Panics
    ///
    /// If the entitlement is unknown.
    #[track_caller]
    pub fn delete_entitlement(&self, entitlement: Id<EntitlementMarker>) {
        self.run("delete an entitlement", |state| {
            let rec = delete(state, entitlement.get())?;
            let line = format!("[discord] deleted {} (refund)", whose(&state.world, &rec));
            state.note(line);
            Ok(())
        });
    }
}

/// `GET /applications/{app}/entitlements` (filters: `user_id`,
/// `guild_id`, `exclude_deleted` has nothing to exclude).
fn on_list(state: &mut State, call: &mut Call<'_>) -> Answer {
    let user = call.query("user_id").and_then(|u| u.parse::<u64>().ok());
    let guild = call.query("guild_id").and_then(|g| g.parse::<u64>().ok());
    let list: Vec<EntitlementRec> = state
        .features
        .get::<Entitlements>()
        .list
        .iter()
        .filter(|e| match e.owner {
            Owner::User(u) => user.is_none_or(|x| x == u) && guild.is_none(),
            Owner::Guild(g) => guild.is_none_or(|x| x == g) && user.is_none(),
        })
        .cloned()
        .collect();
    let list: Vec<_> = list.iter().map(|e| entitlement(&state.world, e)).collect();
    Ok(Reply::json(&list))
}

/// `POST /applications/{app}/entitlements` with `sku_id`, `owner_id`
/// and `owner_type` (1: guild, 2: user): a test entitlement (type 4).
fn on_create_test(state: &mut State, call: &mut Call<'_>) -> Answer {
    let invalid = |why: &str| Reply::error(400, 50035, format!("Invalid Form Body: {why}"));
    let sku = value_id(call.field("sku_id"))
        .filter(|s| *s != 0)
        .ok_or_else(|| invalid("sku_id is required"))?;
    let owner_id =
        value_id(call.field("owner_id")).ok_or_else(|| invalid("owner_id is required"))?;
    let owner = match call.field("owner_type").and_then(Value::as_u64) {
        Some(1) => {
            state.guild_rec(owner_id)?;
            Owner::Guild(owner_id)
        }
        Some(2) => {
            state.user_exists(owner_id)?;
            Owner::User(owner_id)
        }
        _ => return Err(invalid("owner_type must be 1 (guild) or 2 (user)")),
    };
    let rec = create(state, sku, owner, EntitlementType::TestModePurchase);
    call.line(format!(
        "{} gave {} a test entitlement to SKU {sku}",
        user(&state.world, state.world.bot_id),
        owner_name(&state.world, owner)
    ));
    Ok(Reply::json(&entitlement(&state.world, &rec)))
}

/// `DELETE /applications/{app}/entitlements/{id}`.
fn on_delete_test(state: &mut State, call: &mut Call<'_>) -> Answer {
    let rec = delete(state, call.id("entitlement").unwrap_or(0))?;
    call.line(format!(
        "{} deleted {}",
        user(&state.world, state.world.bot_id),
        whose(&state.world, &rec)
    ));
    Ok(Reply::no_content())
}
