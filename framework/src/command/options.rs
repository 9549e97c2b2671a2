//! Options as Rust types: what an option's value parses into ([`FromOption`]), what a context
//! menu targets ([`FromTarget`]), and the [`Invocation`] a handler reads them from.

use std::sync::Arc;

use twilight_model::application::command::{
    CommandOptionChoice, CommandOptionChoiceValue, CommandOptionType,
};
use twilight_model::application::interaction::application_command::{
    CommandDataOption, CommandOptionValue,
};
use twilight_model::application::interaction::{
    InteractionChannel, InteractionDataResolved, InteractionMember,
};
use twilight_model::channel::{Attachment, Message};
use twilight_model::guild::Role;
use twilight_model::id::Id;
use twilight_model::id::marker::{ChannelMarker, MessageMarker, RoleMarker, UserMarker};
use twilight_model::user::User;

use crate::error::command::CommandError;
use crate::event::interaction::ApplicationCommand;

/// A Rust type a command option parses into: its option kind, whether it is required, its
/// choices and channel types, and the parse. `Option<T>` makes any of them optional.
///
/// | Rust type | Discord option |
/// |---|---|
/// | `String` | string |
/// | `i64`, `i32`, `u32`, `u64` | integer (unsigned ones refuse negatives) |
/// | `f64` | number |
/// | `bool` | boolean |
/// | `User`, `Id<UserMarker>`, [`Member`] | user ([`Member`]: also their server profile) |
/// | `Role`, `Id<RoleMarker>` | role |
/// | `InteractionChannel`, `Id<ChannelMarker>` | channel |
/// | [`Mentionable`] | mentionable (a user or a role) |
/// | `Attachment` | attachment |
/// | an enum with `#[derive(Choice)]` | string with choices |
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a command option type",
    label = "not an option type",
    note = "options are String, i64, i32, u32, u64, f64, bool, User, Member, Role, \
            InteractionChannel, Mentionable, Attachment, ids, `#[derive(Choice)]` enums, or \
            Option<..> of one of them"
)]
pub trait FromOption: Sized + Send + 'static {
    /// The option's kind.
    const KIND: CommandOptionType;
    /// Whether a user must give it.
    const REQUIRED: bool = true;
    /// Its fixed choices, if any (at most 25).
    fn choices() -> Option<Vec<CommandOptionChoice>> {
        None
    }
    /// The channel types offered (channel options).
    fn channel_types() -> Option<Vec<twilight_model::channel::ChannelType>> {
        None
    }
    /// Parses the value (`None`: the user left the option out).
    ///
    /// # Errors
    ///
    /// What is wrong, for [`CommandError::BadOption`].
    fn from_option(
        value: Option<&CommandOptionValue>,
        resolved: Option<&InteractionDataResolved>,
    ) -> Result<Self, String>;
}

fn missing() -> String {
    "missing (Discord should have required it: is the registered command out of date?)".to_owned()
}

fn wrong(value: &CommandOptionValue, expected: CommandOptionType) -> String {
    format!(
        "expected {} but got {}",
        expected.kind(),
        value.kind().kind()
    )
}

impl<T: FromOption> FromOption for Option<T> {
    const KIND: CommandOptionType = T::KIND;
    const REQUIRED: bool = false;
    fn choices() -> Option<Vec<CommandOptionChoice>> {
        T::choices()
    }
    fn channel_types() -> Option<Vec<twilight_model::channel::ChannelType>> {
        T::channel_types()
    }
    fn from_option(
        value: Option<&CommandOptionValue>,
        resolved: Option<&InteractionDataResolved>,
    ) -> Result<Self, String> {
        value.map(|v| T::from_option(Some(v), resolved)).transpose()
    }
}

macro_rules! plain_option {
    ($ty:ty, $kind:ident, |$v:ident| $convert:expr) => {
        impl FromOption for $ty {
            const KIND: CommandOptionType = CommandOptionType::$kind;
            fn from_option(
                value: Option<&CommandOptionValue>,
                _resolved: Option<&InteractionDataResolved>,
            ) -> Result<Self, String> {
                match value {
                    None => Err(missing()),
                    Some(CommandOptionValue::$kind($v)) => $convert,
                    Some(other) => Err(wrong(other, CommandOptionType::$kind)),
                }
            }
        }
    };
}

plain_option!(String, String, |v| Ok(v.clone()));
plain_option!(i64, Integer, |v| Ok(*v));
plain_option!(i32, Integer, |v| i32::try_from(*v)
    .map_err(|_| format!("{v} does not fit in an i32")));
plain_option!(u32, Integer, |v| u32::try_from(*v)
    .map_err(|_| format!("{v} is not a u32 (set min = 0)")));
plain_option!(u64, Integer, |v| u64::try_from(*v)
    .map_err(|_| format!("{v} is negative (set min = 0)")));
plain_option!(f64, Number, |v| Ok(*v));
plain_option!(bool, Boolean, |v| Ok(*v));
plain_option!(Id<UserMarker>, User, |v| Ok(*v));
plain_option!(Id<RoleMarker>, Role, |v| Ok(*v));
plain_option!(Id<ChannelMarker>, Channel, |v| Ok(*v));

/// A resolved entity of an option, or why it is not there.
fn resolved_of<'r, K: Eq + std::hash::Hash + 'r, V: 'r>(
    resolved: Option<&'r InteractionDataResolved>,
    pick: impl FnOnce(&'r InteractionDataResolved) -> &'r std::collections::HashMap<K, V>,
    id: &K,
) -> Result<&'r V, String> {
    resolved
        .and_then(|r| pick(r).get(id))
        .ok_or_else(|| "Discord sent no resolved data for it".to_owned())
}

/// An option whose value is an id, read from the interaction's resolved data.
macro_rules! resolved_option {
    ($ty:ty, $kind:ident, $marker:ty, $field:ident) => {
        impl FromOption for $ty {
            const KIND: CommandOptionType = CommandOptionType::$kind;
            fn from_option(
                value: Option<&CommandOptionValue>,
                resolved: Option<&InteractionDataResolved>,
            ) -> Result<Self, String> {
                let id = Id::<$marker>::from_option(value, resolved)?;
                resolved_of(resolved, |r| &r.$field, &id).cloned()
            }
        }
    };
}

resolved_option!(User, User, UserMarker, users);
resolved_option!(Role, Role, RoleMarker, roles);
resolved_option!(InteractionChannel, Channel, ChannelMarker, channels);

/// A user option's user with their server profile: roles, nickname, join date, permissions.
/// A user who is not a member of the server is refused as a bad option.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Member {
    /// The user.
    pub user: User,
    /// Their server profile.
    pub member: InteractionMember,
}

impl FromOption for Member {
    const KIND: CommandOptionType = CommandOptionType::User;
    fn from_option(
        value: Option<&CommandOptionValue>,
        resolved: Option<&InteractionDataResolved>,
    ) -> Result<Self, String> {
        let id = Id::<UserMarker>::from_option(value, resolved)?;
        member_of(resolved, id)
    }
}

fn member_of(
    resolved: Option<&InteractionDataResolved>,
    id: Id<UserMarker>,
) -> Result<Member, String> {
    let user = resolved_of(resolved, |r| &r.users, &id)?.clone();
    let member = resolved
        .and_then(|r| r.members.get(&id))
        .cloned()
        .ok_or_else(|| format!("{} is not a member of this server", user.name))?;
    Ok(Member { user, member })
}

impl FromOption for Attachment {
    const KIND: CommandOptionType = CommandOptionType::Attachment;
    fn from_option(
        value: Option<&CommandOptionValue>,
        resolved: Option<&InteractionDataResolved>,
    ) -> Result<Self, String> {
        match value {
            None => Err(missing()),
            Some(CommandOptionValue::Attachment(id)) => {
                resolved_of(resolved, |r| &r.attachments, id).cloned()
            }
            Some(other) => Err(wrong(other, CommandOptionType::Attachment)),
        }
    }
}

/// A mentionable option's value: a user (with their server profile, in a server) or a role.
#[derive(Clone, Debug)]
// Parsed once per use of a command; boxing would only make matching on it clumsier.
#[allow(clippy::large_enum_variant)]
#[non_exhaustive]
pub enum Mentionable {
    /// A user.
    User(User, Option<InteractionMember>),
    /// A role.
    Role(Role),
}

impl FromOption for Mentionable {
    const KIND: CommandOptionType = CommandOptionType::Mentionable;
    fn from_option(
        value: Option<&CommandOptionValue>,
        resolved: Option<&InteractionDataResolved>,
    ) -> Result<Self, String> {
        let id = match value {
            None => return Err(missing()),
            Some(CommandOptionValue::Mentionable(id)) => *id,
            Some(other) => return Err(wrong(other, CommandOptionType::Mentionable)),
        };
        let resolved = resolved.ok_or_else(|| "Discord sent no resolved data for it".to_owned())?;
        if let Some(user) = resolved.users.get(&id.cast()) {
            let member = resolved.members.get(&id.cast()).cloned();
            return Ok(Mentionable::User(user.clone(), member));
        }
        resolved
            .roles
            .get(&id.cast())
            .map(|role| Mentionable::Role(role.clone()))
            .ok_or_else(|| "Discord sent no resolved user or role for it".to_owned())
    }
}

/// A string choice, for `#[derive(Choice)]`.
pub fn string_choice(name: &str, value: &str) -> CommandOptionChoice {
    CommandOptionChoice {
        name: name.to_owned(),
        name_localizations: None,
        value: CommandOptionChoiceValue::String(value.to_owned()),
    }
}

/// What a context-menu command targets: `User`, `Id<UserMarker>` or [`Member`] for user
/// commands; `Message` or `Id<MessageMarker>` for message commands.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a context-menu target",
    note = "user commands target User, Member or Id<UserMarker>; message commands Message or \
            Id<MessageMarker>"
)]
pub trait FromTarget: Sized + Send + 'static {
    /// Reads the target.
    ///
    /// # Errors
    ///
    /// What is wrong, for [`CommandError::BadOption`].
    fn from_target(command: &ApplicationCommand) -> Result<Self, String>;
}

fn target_id(command: &ApplicationCommand) -> Result<u64, String> {
    command
        .data
        .target_id
        .map(|id| id.get())
        .ok_or_else(|| "Discord sent no target (is this a context-menu command?)".to_owned())
}

/// A user command's target: `User`, [`Member`], `Id<UserMarker>`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a user command's target",
    label = "not a user",
    note = "a user command's target is a `User`, a `Member` or an `Id<UserMarker>`"
)]
pub trait UserTarget: FromTarget {}

/// A message command's target: `Message`, `Id<MessageMarker>`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a message command's target",
    label = "not a message",
    note = "a message command's target is a `Message` or an `Id<MessageMarker>`"
)]
pub trait MessageTarget: FromTarget {}

impl UserTarget for Id<UserMarker> {}
impl UserTarget for User {}
impl UserTarget for Member {}
impl MessageTarget for Id<MessageMarker> {}
impl MessageTarget for Message {}

impl FromTarget for Id<UserMarker> {
    fn from_target(command: &ApplicationCommand) -> Result<Self, String> {
        Ok(Id::new(target_id(command)?))
    }
}

impl FromTarget for User {
    fn from_target(command: &ApplicationCommand) -> Result<Self, String> {
        let id = Id::<UserMarker>::from_target(command)?;
        resolved_of(command.data.resolved.as_ref(), |r| &r.users, &id).cloned()
    }
}

impl FromTarget for Member {
    fn from_target(command: &ApplicationCommand) -> Result<Self, String> {
        let id = Id::<UserMarker>::from_target(command)?;
        member_of(command.data.resolved.as_ref(), id)
    }
}

impl FromTarget for Id<MessageMarker> {
    fn from_target(command: &ApplicationCommand) -> Result<Self, String> {
        Ok(Id::new(target_id(command)?))
    }
}

impl FromTarget for Message {
    fn from_target(command: &ApplicationCommand) -> Result<Self, String> {
        let id = Id::<MessageMarker>::from_target(command)?;
        resolved_of(command.data.resolved.as_ref(), |r| &r.messages, &id).cloned()
    }
}

/// One use of a command, as its handler reads it: the command event and the options of the
/// subcommand that runs.
#[derive(Clone, Debug)]
pub struct Invocation {
    pub(crate) command: Arc<ApplicationCommand>,
    /// The options of the subcommand that runs (the command's own without subcommands).
    pub(crate) options: Vec<CommandDataOption>,
    /// `tag add`: the command and subcommand names.
    pub(crate) path: String,
}

impl Invocation {
    /// The command event: the interaction to answer (`ctx.reply(inv.command(), ..)`), the
    /// user, guild, channel.
    pub fn command(&self) -> &Arc<ApplicationCommand> {
        &self.command
    }

    /// The full name that ran: `tag add`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The option `name` parsed as `T` (`Option<T>` for an optional one).
    ///
    /// # Errors
    ///
    /// [`CommandError::BadOption`] when it is missing or not a `T`.
    pub fn get<T: FromOption>(&self, name: &str) -> Result<T, CommandError> {
        let value = self
            .options
            .iter()
            .find(|o| o.name == name)
            .map(|o| &o.value);
        T::from_option(value, self.command.data.resolved.as_ref()).map_err(|reason| {
            CommandError::BadOption {
                name: name.to_owned(),
                reason,
            }
        })
    }

    /// A context-menu command's target: the user or message it was used on.
    ///
    /// # Errors
    ///
    /// [`CommandError::BadOption`] when there is none, or not of this kind.
    pub fn target<T: FromTarget>(&self) -> Result<T, CommandError> {
        T::from_target(&self.command).map_err(|reason| CommandError::BadOption {
            name: "target".to_owned(),
            reason,
        })
    }
}

/// What an autocomplete handler returns: the choices to show (the first 25 are sent).
pub trait IntoChoices: Send {
    /// The choices.
    fn into_choices(self) -> Vec<CommandOptionChoice>;
}

fn choice(name: String, value: CommandOptionChoiceValue) -> CommandOptionChoice {
    CommandOptionChoice {
        name,
        name_localizations: None,
        value,
    }
}

impl IntoChoices for Vec<CommandOptionChoice> {
    fn into_choices(self) -> Vec<CommandOptionChoice> {
        self
    }
}

impl IntoChoices for Vec<String> {
    fn into_choices(self) -> Vec<CommandOptionChoice> {
        self.into_iter()
            .map(|s| choice(s.clone(), CommandOptionChoiceValue::String(s)))
            .collect()
    }
}

impl IntoChoices for Vec<&'static str> {
    fn into_choices(self) -> Vec<CommandOptionChoice> {
        self.into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>()
            .into_choices()
    }
}

impl IntoChoices for Vec<(String, String)> {
    fn into_choices(self) -> Vec<CommandOptionChoice> {
        self.into_iter()
            .map(|(n, v)| choice(n, CommandOptionChoiceValue::String(v)))
            .collect()
    }
}

impl IntoChoices for Vec<(String, i64)> {
    fn into_choices(self) -> Vec<CommandOptionChoice> {
        self.into_iter()
            .map(|(n, v)| choice(n, CommandOptionChoiceValue::Integer(v)))
            .collect()
    }
}

impl IntoChoices for Vec<(String, f64)> {
    fn into_choices(self) -> Vec<CommandOptionChoice> {
        self.into_iter()
            .map(|(n, v)| choice(n, CommandOptionChoiceValue::Number(v)))
            .collect()
    }
}
