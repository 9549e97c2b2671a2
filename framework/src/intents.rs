//! Gateway intents: the sets bot authors start from, and herald's start-up check that every
//! listener can fire with the intents the bot identifies with.
//!
//! By default herald computes the intents: `GUILDS` plus what each registered listener's event is
//! sent under. With explicit intents (`BotBuilder::intents`), a listener whose event the bot
//! cannot receive is an error at start-up ([`Error::ListenersMissingIntents`]), naming the
//! listener, its event and the intents it needs; [`IntentCheck::Warn`] logs it instead.
//!
//! ```
//! use herald_framework::prelude::*;
//!
//! let intents = Intents::default() | Intents::MESSAGE_CONTENT;
//! assert!(intents.contains(Intents::GUILD_MESSAGES));
//! assert!(!Intents::default().intersects(Intents::PRIVILEGED));
//! assert_eq!(Intents::none(), Intents::empty());
//! ```
//!
//! [`Error::ListenersMissingIntents`]: crate::Error::ListenersMissingIntents

use std::fmt;
use std::sync::Arc;

pub use twilight_model::gateway::Intents;

/// The privileged intents, with the switch that enables each in the Developer Portal.
const PORTAL_SWITCHES: [(Intents, &str); 3] = [
    (Intents::GUILD_MEMBERS, "Server Members Intent"),
    (Intents::GUILD_PRESENCES, "Presence Intent"),
    (Intents::MESSAGE_CONTENT, "Message Content Intent"),
];

/// The Developer Portal switches of the privileged intents among `intents`.
pub(crate) fn portal_names(intents: Intents) -> Vec<&'static str> {
    PORTAL_SWITCHES
        .iter()
        .filter(|(intent, _)| intents.contains(*intent))
        .map(|(_, portal)| *portal)
        .collect()
}

/// disnake's intent sets, on twilight's [`Intents`]: `Intents::default()`, `Intents::none()`,
/// `Intents::PRIVILEGED` (`Intents::all()` is twilight's own). In the prelude.
pub trait IntentsExt: Sized {
    /// The privileged intents: `GUILD_MEMBERS`, `GUILD_PRESENCES`, `MESSAGE_CONTENT`. Each must be
    /// turned on in the Developer Portal (your application → Bot → Privileged Gateway Intents).
    const PRIVILEGED: Self;

    /// Every intent except the privileged ones (disnake's `Intents.default()`).
    fn default() -> Self;

    /// No intents (disnake's `Intents.none()`).
    fn none() -> Self;

    /// The privileged intents among these.
    fn privileged(&self) -> Self;

    /// The intents' names, e.g. `GUILDS | GUILD_MESSAGES`.
    fn names(&self) -> String;
}

impl IntentsExt for Intents {
    const PRIVILEGED: Intents = Intents::GUILD_MEMBERS
        .union(Intents::GUILD_PRESENCES)
        .union(Intents::MESSAGE_CONTENT);

    fn default() -> Intents {
        Intents::all().difference(Intents::PRIVILEGED)
    }

    fn none() -> Intents {
        Intents::empty()
    }

    fn privileged(&self) -> Intents {
        self.intersection(Intents::PRIVILEGED)
    }

    fn names(&self) -> String {
        let names: Vec<&str> = self.iter_names().map(|(name, _)| name).collect();
        if names.is_empty() {
            "no intents".to_owned()
        } else {
            names.join(" | ")
        }
    }
}

/// How start-up treats explicit intents that leave a listener unable to fire.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum IntentCheck {
    /// Refuse to start: [`Error::ListenersMissingIntents`](crate::Error::ListenersMissingIntents)
    /// (the default).
    #[default]
    Error,
    /// Start anyway and log each problem at `WARN` level.
    Warn,
}

/// A listener whose event the bot cannot receive with its intents.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MissingIntent {
    /// The listener's name.
    pub listener: Arc<str>,
    /// Its event's name.
    pub event: &'static str,
    /// The intents the event is sent under (any one of them suffices).
    pub needs: Intents,
}

impl fmt::Display for MissingIntent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "listener `{}` handles `{}`, which Discord sends only with {}",
            self.listener,
            self.event,
            if self.needs.bits().count_ones() > 1 {
                format!("one of {}", self.needs.names())
            } else {
                self.needs.names()
            }
        )?;
        let portal = portal_names(self.needs);
        if !portal.is_empty() {
            write!(
                f,
                " (privileged: also turn on \"{}\" in the Developer Portal, Bot page)",
                portal.join("\", \"")
            )?;
        }
        Ok(())
    }
}

/// What the intent check knows of a listener.
#[derive(Debug, Clone)]
pub(crate) struct ListenerIntents {
    pub(crate) name: Arc<str>,
    pub(crate) event: &'static str,
    /// The intents its event is sent under (any of them).
    pub(crate) intents: Intents,
    /// Whether its event carries message content (which needs MESSAGE_CONTENT to arrive).
    pub(crate) reads_content: bool,
}

/// What the start-up check found: the intents the bot identifies with, the listeners they leave
/// unable to fire, and notes (e.g. message content that will arrive empty).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct IntentReport {
    /// The intents the bot identifies with.
    pub intents: Intents,
    /// Listeners that can never fire with them.
    pub missing: Vec<MissingIntent>,
    /// Things that work, but not as a newcomer might expect.
    pub notes: Vec<String>,
}

impl IntentReport {
    /// Checks `listeners` against `intents`.
    pub(crate) fn new(listeners: &[ListenerIntents], intents: Intents) -> Self {
        let missing = listeners
            .iter()
            .filter(|l| !l.intents.is_empty() && !intents.intersects(l.intents))
            .map(|l| MissingIntent {
                listener: Arc::clone(&l.name),
                event: l.event,
                needs: l.intents,
            })
            .collect();
        let mut notes = Vec::new();
        let readers: Vec<String> = listeners
            .iter()
            .filter(|l| l.reads_content)
            .map(|l| format!("`{}`", l.name))
            .collect();
        if !readers.is_empty() && !intents.contains(Intents::MESSAGE_CONTENT) {
            notes.push(format!(
                "{} read messages, but the bot does not request MESSAGE_CONTENT: content, embeds, \
                 attachments and components arrive empty, except in DMs, in messages that mention \
                 the bot, and in its own messages. To read them, add `.add_intents(Intents::\
                 MESSAGE_CONTENT)` and turn on \"Message Content Intent\" in the Developer Portal",
                readers.join(", ")
            ));
        }
        IntentReport {
            intents,
            missing,
            notes,
        }
    }

    /// Logs the problems (warnings) and notes: warnings too when herald computed the intents,
    /// `INFO` when the author chose them explicitly (and so, presumably, knowingly).
    pub(crate) fn log(&self, explicit: bool) {
        for missing in &self.missing {
            tracing::warn!("{missing}; it will never fire");
        }
        for note in &self.notes {
            if explicit {
                tracing::info!("note: {note}");
            } else {
                tracing::warn!("note: {note}");
            }
        }
    }
}

/// The message of [`Error::ListenersMissingIntents`](crate::Error::ListenersMissingIntents).
pub(crate) fn missing_message(missing: &[MissingIntent], intents: &Intents) -> String {
    let mut message = format!(
        "{} listener(s) could never fire with the intents the bot requests ({}):",
        missing.len(),
        intents.names()
    );
    for m in missing {
        message.push_str(&format!("\n  - {m}"));
    }
    message.push_str(
        "\nadd the intents to `.intents(..)`, or drop `.intents(..)` to let herald request what \
         the listeners need; `.intent_check(IntentCheck::Warn)` starts anyway",
    );
    message
}
