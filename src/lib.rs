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

/// Declares an application command: a slash command whose options are the function's
/// parameters, or a user / message context-menu command.
///
/// ```
/// use herald::prelude::*;
///
/// /// Warns a member.
/// #[command(guild_only, required_permissions(MODERATE_MEMBERS), cooldown(user, 10s))]
/// async fn warn(
///     ctx: Context,
///     command: &ApplicationCommand,
///     #[option(description = "Who")] member: Member,
///     #[option(description = "Why", max_length = 200)] reason: Option<String>,
/// ) -> herald::Result {
///     let reason = reason.as_deref().unwrap_or("no reason");
///     ctx.reply(command, &format!("warned {}: {reason}", member.user.name)).await?;
///     Ok(())
/// }
///
/// let bot = Bot::builder().command(warn);
/// ```
///
/// It expands to `fn warn() -> AppCommand` (holding the original function) that returns
/// `AppCommand::slash("warn", "Warns a member.").option(..)...handler(..)`, whose handler reads
/// each option from the invocation and calls the function; `.command(warn)` registers it.
///
/// **Parameters.** A parameter typed `Context` is the context and one typed
/// `&ApplicationCommand` the command event (to answer it); both are optional and may be anywhere.
/// `Data<T>` parameters get the bot's state, as listeners do. Every other parameter is an option named after the parameter (leading `_` removed), of any
/// [`FromOption`](command::FromOption) type; `Option<T>` is not required, and required options
/// come first. The function returns `()` or a `Result` (`herald::Result`).
///
/// **The description** is the doc comment's first paragraph (lines joined), or `description =
/// ".."`. Discord requires one (1–100 characters) for slash commands; context menus have none.
///
/// **Options of `#[command(..)]`:**
///
/// | option | |
/// |---|---|
/// | `name = ".."` | the name (default: the function's). Slash: lowercase, 1–32 letters, digits, `-`, `_`. Context menu: 1–32 characters, any case, spaces allowed |
/// | `description = ".."` | instead of the doc comment |
/// | `user`, `message` | a user or message context-menu command: one parameter besides `Context` / `&ApplicationCommand`, the target (`User`, `Member`, `Id<UserMarker>`; `Message`, `Id<MessageMarker>`) |
/// | `subcommands(a, b, ..)` | a parent of the `#[command]` functions `a`, `b` (at most 25; a subcommand with subcommands is a group). Discord never runs a parent: it takes no options and its body is dropped |
/// | `default_member_permissions(BAN_MEMBERS, ..)` | who sees it by default (Discord enforces it; `()` = administrators only) |
/// | `contexts(guild, bot_dm, private_channel)` | where it can be used |
/// | `nsfw` | age-restricted |
/// | `localize("fr", name = "..", description = "..")` | a translation (repeatable; one of Discord's locales) |
/// | `guild_only` | refused outside servers (herald enforces it) |
/// | `owner_only` | only the bot's owners |
/// | `required_permissions(MANAGE_MESSAGES, ..)` | the invoking member must have them |
/// | `bot_permissions(..)` | the bot must have them in the channel |
/// | `check = path` | an `async fn(Context, Arc<ApplicationCommand>) -> bool` (or `Result<bool, E>`) that must pass (repeatable) |
/// | `cooldown(user, 10s)`, `cooldown(member, 3 per 60s)` | a rate limit per `user`, `member`, `channel` or `guild`; periods in `s`, `m` or `h` |
/// | `crate = ".."` | the path of a renamed `herald` dependency |
///
/// Permissions are [`Permissions`](model::guild::Permissions) constants.
///
/// **Options of `#[option(..)]`** on a parameter: `name = ".."`, `description = ".."` (default
/// `"-"`, as disnake's), `min = <number>`, `max = <number>` (integer and number options),
/// `min_length = n`, `max_length = n` (string options, 0–6000), `channel_types(text, voice, ..)`
/// (channel options: `text`, `private`, `voice`, `group`, `category`, `announcement`,
/// `announcement_thread`, `public_thread`, `private_thread`, `stage_voice`, `directory`,
/// `forum`, `media`), `autocomplete = path` (an `async fn(Context, Arc<Autocomplete>)` returning
/// the choices), `localize("fr", name = "..", description = "..")`.
///
/// Discord's rules are checked at compile time, each error on the offending tokens: names,
/// description lengths, at most 25 options and subcommands, required options first, no
/// duplicate option names, known locales, option types (`FromOption`), and settings that suit
/// the option's type (`min` on a string option is an error).
///
/// ```
/// use herald::prelude::*;
///
/// use herald::model::user::User;
///
/// /// Manages tags.
/// #[command(subcommands(tag_add, tag_remove))]
/// async fn tag() {}
///
/// /// Adds a tag.
/// #[command(name = "add")]
/// async fn tag_add(#[option(description = "The tag")] name: String) {}
///
/// /// Removes a tag.
/// #[command(name = "remove")]
/// async fn tag_remove(#[option(description = "The tag")] name: String) {}
///
/// #[command(user, name = "Show avatar")]
/// async fn avatar(ctx: Context, command: &ApplicationCommand, user: User) -> herald::Result {
///     ctx.reply(command, &format!("{}'s avatar", user.name)).await?;
///     Ok(())
/// }
///
/// let bot = Bot::builder().command(tag).command(avatar);
/// ```
pub use herald_macros::command;

/// Implements [`FromOption`](command::FromOption) for a fieldless enum: a string option whose
/// choices are the variants.
///
/// Each choice shows the variant's name as written (`#[choice(name = "..")]` for another) and
/// sends the variant's name in snake_case (`#[choice(value = "..")]` for another). At most 25
/// variants, all unit variants; names and values 1–100 characters, none twice. `#[choice(crate
/// = "..")]` on the enum names a renamed `herald` dependency.
///
/// ```
/// use herald::prelude::*;
///
/// #[derive(Choice)]
/// enum Color {
///     Red,
///     #[choice(name = "Dark blue")]
///     DarkBlue,
/// }
///
/// /// Paints.
/// #[command]
/// async fn paint(#[option(description = "Which color")] color: Color) {
///     let _ = matches!(color, Color::DarkBlue);
/// }
/// ```
pub use herald_macros::Choice;

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
    pub use herald_macros::{Choice, Event, command, event, listener};
}
