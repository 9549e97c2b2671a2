//! The sandbox by Discord feature. Each module holds one feature's world
//! changes, the payloads it dispatches (twilight-model values), the event
//! kinds it sends with their intents, its REST routes, its transcript lines,
//! and the [`Actor`](crate::Actor) and [`Admin`] methods that
//! drive it. Features build on the core and on each other without cycles,
//! never the other way round: the core learns of them only through the
//! tables below, handed to its servers when the sandbox starts.
//!
//! To add an operation to a feature, in its module: the world change (a
//! function on `&mut State` that sends a twilight-model payload with
//! `state.send(&KIND, guild, &payload)`), the event's [`EventKind`] (name
//! and intents) in the module's `EVENTS`, the transcript line, the `Actor`
//! or `Admin` method, and, if the bot can do it over REST, a `Route` row in
//! the module's `ROUTES` with its handler; then a case in
//! `sandbox/tests/catalog_ops.rs`. State only the feature needs goes in its
//! own type, through `state.features.get::<T>()`. A new feature module is
//! also listed here: `mod`, `ROUTES`, `EVENTS`.

pub(crate) mod application;
pub(crate) mod audit_log;
pub(crate) mod automod;
pub(crate) mod channels;
pub(crate) mod entitlements;
pub(crate) mod expressions;
pub(crate) mod guilds;
pub(crate) mod integrations;
pub(crate) mod interactions;
pub(crate) mod invites;
pub(crate) mod members;
pub(crate) mod messages;
pub(crate) mod polls;
pub(crate) mod reactions;
pub(crate) mod roles;
pub(crate) mod scheduled_events;
pub(crate) mod stage;
pub(crate) mod threads;
pub(crate) mod users;
pub(crate) mod voice;
pub(crate) mod webhooks;

use serde_json::Value;
use twilight_model::gateway::Intents;

use crate::core::{
    admin::Admin,
    dispatch::{Dispatch, EventKind, to_json},
    gateway::Hooks,
    rest::{Routes, value_id},
    transcript,
};

/// Every REST route, feature by feature: the REST server's table.
pub(crate) const ROUTES: Routes = &[
    application::ROUTES,
    audit_log::ROUTES,
    channels::ROUTES,
    entitlements::ROUTES,
    guilds::ROUTES,
    integrations::ROUTES,
    interactions::ROUTES,
    invites::ROUTES,
    members::ROUTES,
    messages::ROUTES,
    polls::ROUTES,
    reactions::ROUTES,
    roles::ROUTES,
    users::ROUTES,
    webhooks::ROUTES,
];

/// Every gateway event the sandbox knows, with its intents (for
/// [`Admin::dispatch_raw`]).
const EVENTS: &[&[EventKind]] = &[
    audit_log::EVENTS,
    automod::EVENTS,
    channels::EVENTS,
    entitlements::EVENTS,
    expressions::EVENTS,
    guilds::EVENTS,
    integrations::EVENTS,
    interactions::EVENTS,
    invites::EVENTS,
    members::EVENTS,
    messages::EVENTS,
    polls::EVENTS,
    reactions::EVENTS,
    roles::EVENTS,
    scheduled_events::EVENTS,
    stage::EVENTS,
    threads::EVENTS,
    users::EVENTS,
    voice::EVENTS,
    webhooks::EVENTS,
];

/// What the gateway asks of the features.
pub(crate) const GATEWAY_HOOKS: Hooks = Hooks {
    guild_create: guilds::guild_create,
    presence: users::member_presence,
    voice_command: voice::voice_command,
};

/// The kind of event `name`, if the sandbox knows it.
fn event_kind(name: &str) -> Option<&'static EventKind> {
    EVENTS
        .iter()
        .flat_map(|kinds| kinds.iter())
        .find(|k| k.name == name)
}

impl Admin {
    /// Sends any dispatch to every session that should get it: routed by
    /// `d.guild_id` when present (else shard 0), filtered by the intents of
    /// the events the sandbox knows (others go to every session). The
    /// escape hatch for events neither actors nor the other world changes
    /// cover, or payloads they would not send (a malformed one, to test a
    /// bot's decoding); the world does not change.
    pub fn dispatch_raw(&self, event: &str, d: Value) {
        let guild = value_id(d.get("guild_id"));
        let needs = event_kind(event).and_then(|k| k.required_when_raw(guild.is_some()));
        let d = to_json(&d);
        self.shared.with(|state| {
            state.dispatch(&Dispatch {
                name: event,
                guild,
                needs,
                d: &d,
                d_redacted: None,
                also_needs: Intents::empty(),
            });
            state.note(transcript::raw_dispatch(event));
        });
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn event_names_are_unique() {
        let mut seen = HashSet::new();
        for kind in EVENTS.iter().flat_map(|k| k.iter()) {
            assert!(seen.insert(kind.name), "{} twice", kind.name);
        }
        assert_eq!(
            event_kind("MESSAGE_CREATE").and_then(|k| k.required(false)),
            Some(Intents::DIRECT_MESSAGES)
        );
        assert!(event_kind("SOMETHING_NEW").is_none());
    }
}
