//! [`Admin`]: the world changed as Discord or a guild admin would change it.
//! The type and how its methods run live here; the methods themselves live
//! with the feature they belong to (`create_channel` with channels,
//! `guild_outage` with guilds, ...).
//!
//! Each method changes the world (so a GUILD_CREATE after a reconnect
//! reflects it), dispatches the gateway events Discord sends to every
//! session whose intents cover them, and adds a transcript line (`[admin]
//! created channel #plans in Herald Test`). Like [`Actor`](crate::Actor)
//! methods they are synchronous and panic, with the reason, when Discord
//! would refuse (unknown ids, a thread operation on a text channel...).

use std::sync::Arc;

use crate::core::{ops::OpError, state::Shared, state::State};

/// World changes as Discord or a guild admin makes them, from
/// [`Sandbox::admin`](crate::Sandbox::admin): the bot joining or leaving
/// guilds, outages, channels, threads, pins, roles, emojis, stickers, stage
/// instances, scheduled events, auto-moderation rules, bulk deletes,
/// reaction clears, other users' usernames and presences, server mute and
/// deafen, webhooks, integrations, entitlements, audit log entries, and any
/// raw dispatch.
///
/// ```no_run
/// # fn f(sb: herald_sandbox::Sandbox) {
/// let guild = sb.guild("Herald Test");
/// let plans = sb.admin().create_channel(guild, "plans");
/// sb.admin().rename_channel(plans, "roadmap");
/// assert_eq!(sb.channel("roadmap"), plans);
/// # }
/// ```
///
/// A cheap handle (it shares the sandbox's state); it does not keep the
/// sandbox's servers running.
#[derive(Clone, Debug)]
pub struct Admin {
    pub(crate) shared: Arc<Shared>,
}

impl Admin {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        Self { shared }
    }

    /// Runs a world change under the state lock; panics with `action` and
    /// the reason if Discord would refuse it.
    #[track_caller]
    pub(crate) fn run<T>(
        &self,
        action: &str,
        f: impl FnOnce(&mut State) -> Result<T, OpError>,
    ) -> T {
        match self.shared.with(f) {
            Ok(out) => out,
            Err(error) => panic!("sandbox: cannot {action}: {error}"),
        }
    }
}
