#![doc = include_str!("../README.md")]
//!
//! # Crate layout
//!
//! `herald` re-exports the runtime (`herald-framework`) and the macros (`herald-macros`). Guides
//! live in `docs/` in the repository.

pub use herald_framework::*;

/// Registers an `async fn` as one of many listeners of its event type.
///
/// ```
/// use herald::prelude::*;
///
/// #[listener]
/// async fn greet(ctx: Context, msg: &MessageCreate) -> herald::Result {
///     if msg.content == "hi" { /* reply */ }
///     Ok(())
/// }
///
/// let bot = Bot::builder().listener(greet).build().unwrap();
/// ```
///
/// The event is the type of the `&E` parameter; the context parameter is optional. Options:
/// `name = "..."` (for error events and logs; default: the function name), `once` (fires on the
/// first event, then unregisters), `sequential` (one event at a time, in order), `crate = "..."`
/// (the path of a renamed `herald` dependency).
///
/// It expands to `fn greet() -> Listener` (holding the original function) that returns
/// `Listener::new(greet).name("greet")`; `.listener(greet)` registers it.
pub use herald_macros::listener;

/// Registers `async fn on_<event>` as the one handler of that event, disnake's `@bot.event`.
///
/// The function's name picks the event; a misspelt name is a compile error naming the closest
/// event, and a second handler for one event is an error at start-up naming both. Custom events
/// work the same way: `on_level_up` handles `LevelUp` (whose `Event::NAME` is `level_up`). For a
/// custom event whose name is close to a gateway event's, write `#[event(custom)]`.
///
/// ```
/// use herald::prelude::*;
///
/// #[event]
/// async fn on_message(ctx: Context, msg: &MessageCreate) -> herald::Result {
///     Ok(())
/// }
///
/// #[event]
/// async fn on_error(err: &ListenerError) {
///     eprintln!("{err}");
/// }
///
/// let bot = Bot::builder().event(on_message).event(on_error).build().unwrap();
/// ```
pub use herald_macros::event;

/// Implements [`Event`] for a custom event type.
///
/// The name defaults to the snake_case type name (`LevelUp` → `level_up`); `#[event(name = "..")]`
/// sets another. Fields marked `#[event(key)]` (ids of guilds, channels, messages or users) are
/// the event's keys, for keyed waiters.
///
/// ```
/// use herald::prelude::*;
/// use twilight_model::id::{Id, marker::UserMarker};
///
/// #[derive(Event, Debug)]
/// struct LevelUp {
///     #[event(key)]
///     user: Id<UserMarker>,
///     level: u32,
/// }
///
/// assert_eq!(LevelUp::NAME, "level_up");
/// ```
pub use herald_macros::Event;

/// The guides in `docs/`, compiled as doctests so that their examples stay true.
#[cfg(doctest)]
mod guides {
    macro_rules! guides {
        ($($name:ident => $file:literal),* $(,)?) => {$(
            #[doc = include_str!(concat!("../docs/", $file))]
            struct $name;
        )*};
    }
    guides! {
        GettingStarted => "getting-started.md",
        Events => "events.md",
        Listeners => "listeners.md",
        Waiters => "waiters.md",
        CustomEvents => "custom-events.md",
        Errors => "errors.md",
        Intents => "intents.md",
        Sharding => "sharding.md",
        Production => "production.md",
        Testing => "testing.md",
        LocalDiscord => "local-discord.md",
        Components => "components.md",
        Commands => "commands.md",
        Architecture => "architecture.md",
        FromDisnake => "from-disnake.md",
        FromSerenityTwilight => "from-serenity-twilight.md",
    }
}

/// What a bot's source file needs: `use herald::prelude::*;`.
pub mod prelude {
    pub use herald_framework::prelude::*;
    pub use herald_macros::{Event, event, listener};
}
