//! Events as types: the [`Event`] trait, the [`Key`]s a waiter can be indexed by, and the event
//! types herald dispatches.
//!
//! Every event herald dispatches is a Rust type implementing [`Event`]: twilight-model's gateway
//! payloads that herald passes on as they are ([`gateway`]), herald's own events
//! ([`ListenerError`]), and your custom events (`#[derive(Event)]`).

/// `impl Event` for a type: its name, intents, and a `keys` body over `$ev`.
macro_rules! impl_event {
    ($ty:ty, $name:literal, $intents:expr, |$ev:ident| $keys:expr) => {
        impl $crate::event::Event for $ty {
            const NAME: &'static str = $name;
            const INTENTS: ::twilight_model::gateway::Intents = $intents;
            fn keys(&self) -> $crate::event::Keys {
                let $ev = self;
                $keys
            }
        }
    };
}

pub mod catalog;
pub mod gateway;
pub mod guild;
pub mod interaction;
pub mod lifecycle;
mod listener_error;
pub mod message;
pub mod raw;

pub use crate::error::{PanicLocation, Panicked};
pub use catalog::{CatalogEntry, catalog};
pub use listener_error::ListenerError;

use twilight_model::gateway::Intents;
use twilight_model::id::Id;
use twilight_model::id::marker::{ChannelMarker, GuildMarker, MessageMarker, UserMarker};

/// A type that herald can dispatch to listeners and waiters.
///
/// Implement it with `#[derive(Event)]` for custom events; the gateway events implement it
/// already. By hand it is one impl:
///
/// ```
/// use herald_framework::event::{Event, Keys};
/// use twilight_model::id::{Id, marker::UserMarker};
///
/// struct LevelUp { user: Id<UserMarker>, level: u32 }
///
/// impl Event for LevelUp {
///     const NAME: &'static str = "level_up";
///     fn keys(&self) -> Keys {
///         Keys { user: Some(self.user), ..Keys::NONE }
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a herald event",
    label = "not an event",
    note = "a listener's event parameter must be a type implementing `herald::Event`: one of the \
            catalog's (`MessageCreate`, `MessageEdit`, `MemberAdd`, ...: docs/events.md lists them \
            all, in `herald::prelude`), or your own type with `#[derive(Event)]`"
)]
pub trait Event: Send + Sync + 'static {
    /// The event's name, snake_case, as in `#[event] async fn on_<NAME>`.
    const NAME: &'static str;

    /// The gateway intents under which Discord sends this event: a listener can fire when the
    /// bot has **any** of them. Empty for events that need none (custom events, lifecycle
    /// events, interactions).
    const INTENTS: Intents = Intents::empty();

    /// The ids this event is about, used to match keyed waiters
    /// (`ctx.wait_for::<E>().on(message_id)`) in constant time.
    fn keys(&self) -> Keys {
        Keys::NONE
    }

    /// The `custom_id` of the component or modal this event is about (button clicks, select
    /// menus, modal submits), matched by `.custom_id(..)` waiters in constant time.
    fn custom_id(&self) -> Option<&str> {
        None
    }
}

/// The ids an event is about: the guild, channel, message and user, where they apply.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Keys {
    /// The guild the event happened in.
    pub guild: Option<Id<GuildMarker>>,
    /// The channel the event happened in.
    pub channel: Option<Id<ChannelMarker>>,
    /// The message the event is about.
    pub message: Option<Id<MessageMarker>>,
    /// The user who acted, or whom the event is about.
    pub user: Option<Id<UserMarker>>,
}

impl Keys {
    /// No keys: only unkeyed waiters match.
    pub const NONE: Keys = Keys {
        guild: None,
        channel: None,
        message: None,
        user: None,
    };

    /// The keys present, as [`Key`]s.
    pub fn iter(&self) -> impl Iterator<Item = Key> + '_ {
        [
            self.guild.map(Key::Guild),
            self.channel.map(Key::Channel),
            self.message.map(Key::Message),
            self.user.map(Key::User),
        ]
        .into_iter()
        .flatten()
    }
}

/// One id a waiter waits on: `ctx.wait_for::<ReactionAdd>().on(message_id)` matches only reactions
/// on that message. Any `Id` of a guild, channel, message or user converts into a `Key`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Key {
    /// A guild.
    Guild(Id<GuildMarker>),
    /// A channel.
    Channel(Id<ChannelMarker>),
    /// A message.
    Message(Id<MessageMarker>),
    /// A user.
    User(Id<UserMarker>),
    /// A component's or modal's `custom_id` (hashed; see [`Key::custom_id`]).
    CustomId(u64),
}

macro_rules! key_from {
    ($($marker:ty => $variant:ident),* $(,)?) => {$(
        impl From<Id<$marker>> for Key {
            fn from(id: Id<$marker>) -> Self {
                Key::$variant(id)
            }
        }
    )*};
}

key_from!(GuildMarker => Guild, ChannelMarker => Channel, MessageMarker => Message, UserMarker => User);

impl Key {
    /// Whether `keys` contains this key. A [`Key::CustomId`] is not in [`Keys`]: it is
    /// matched against [`Event::custom_id`].
    pub fn is_in(&self, keys: &Keys) -> bool {
        match *self {
            Key::Guild(id) => keys.guild == Some(id),
            Key::Channel(id) => keys.channel == Some(id),
            Key::Message(id) => keys.message == Some(id),
            Key::User(id) => keys.user == Some(id),
            Key::CustomId(_) => false,
        }
    }

    /// The key of a `custom_id`: what `.custom_id(..)` waiters are indexed by (a hash; the
    /// waiter compares the whole id too, so two ids with one hash never mix).
    pub fn custom_id(custom_id: &str) -> Key {
        use std::hash::{Hash as _, Hasher as _};
        let mut hasher = rustc_hash::FxHasher::default();
        custom_id.hash(&mut hasher);
        Key::CustomId(hasher.finish())
    }
}

/// The intent sets events are sent under (any of them).
pub(crate) mod intents {
    use twilight_model::gateway::Intents;

    pub(crate) const MESSAGES: Intents = Intents::GUILD_MESSAGES.union(Intents::DIRECT_MESSAGES);
    pub(crate) const REACTIONS: Intents =
        Intents::GUILD_MESSAGE_REACTIONS.union(Intents::DIRECT_MESSAGE_REACTIONS);
    pub(crate) const TYPING: Intents =
        Intents::GUILD_MESSAGE_TYPING.union(Intents::DIRECT_MESSAGE_TYPING);
    pub(crate) const PINS: Intents = Intents::GUILDS.union(Intents::DIRECT_MESSAGES);
    pub(crate) const EXPRESSIONS: Intents = Intents::GUILD_EMOJIS_AND_STICKERS;
    pub(crate) const AUTOMOD_CONFIGURATION: Intents = Intents::AUTO_MODERATION_CONFIGURATION;
    pub(crate) const AUTOMOD_EXECUTION: Intents = Intents::AUTO_MODERATION_EXECUTION;
    pub(crate) const POLLS: Intents =
        Intents::GUILD_MESSAGE_POLLS.union(Intents::DIRECT_MESSAGE_POLLS);
}
