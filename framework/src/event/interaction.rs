//! Interactions split by kind, as disnake splits them: slash and context-menu commands, message
//! components (buttons, select menus), modal submissions, and the error of a command listener.
//!
//! Every interaction is also dispatched as [`InteractionCreate`] (`interaction`). A component
//! interaction is dispatched as [`MessageInteraction`] and, by component kind, as
//! [`ButtonClick`] or [`Dropdown`]. Interactions need no intent.

use std::ops::Deref;
use std::sync::Arc;

use twilight_model::application::interaction::application_command::CommandData;
use twilight_model::application::interaction::message_component::MessageComponentInteractionData;
use twilight_model::application::interaction::modal::ModalInteractionData;
use twilight_model::application::interaction::{Interaction, InteractionData, InteractionType};
use twilight_model::channel::message::component::ComponentType;
use twilight_model::gateway::Intents;

use super::Keys;
use super::gateway::InteractionCreate;

impl_event!(InteractionCreate, "interaction", Intents::empty(), |e| {
    interaction_keys(e)
});
use crate::error::BoxError;

/// The waiter keys of an interaction: guild, channel, the message of a component, the user.
pub(crate) fn interaction_keys(interaction: &Interaction) -> Keys {
    Keys {
        guild: interaction.guild_id,
        channel: interaction.channel.as_ref().map(|c| c.id),
        message: interaction.message.as_ref().map(|m| m.id),
        user: interaction.author_id(),
    }
}

macro_rules! interaction_event {
    ($(#[$doc:meta])* $ty:ident, $name:literal, $data:ty) => {
        interaction_event!($(#[$doc])* $ty, $name, $data, |_e| None);
    };
    ($(#[$doc:meta])* $ty:ident, $name:literal, $data:ty, |$e:ident| $custom_id:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug)]
        #[non_exhaustive]
        pub struct $ty {
            /// The interaction: id, token, user, guild, channel... (also reachable through
            /// `Deref`). Answer it with `ctx.http().interaction(application_id)`.
            pub interaction: Interaction,
            /// The interaction's data.
            pub data: $data,
        }
        impl Deref for $ty {
            type Target = Interaction;
            fn deref(&self) -> &Interaction {
                &self.interaction
            }
        }
        impl $crate::event::Event for $ty {
            const NAME: &'static str = $name;
            const INTENTS: Intents = Intents::empty();
            fn keys(&self) -> Keys {
                interaction_keys(&self.interaction)
            }
            fn custom_id(&self) -> Option<&str> {
                let $e = self;
                $custom_id
            }
        }
    };
}

interaction_event!(
    /// A slash command or context-menu command was used (`application_command`).
    ApplicationCommand,
    "application_command",
    CommandData
);
interaction_event!(
    /// A user is typing an option that completes (`application_command_autocomplete`):
    /// [`focused`](Self::focused) says which option and what they typed so far. Answered with
    /// choices; herald's commands do it for options given an autocomplete handler.
    Autocomplete,
    "application_command_autocomplete",
    CommandData
);

impl Autocomplete {
    /// The option being typed and its text so far, through subcommands.
    pub fn focused(&self) -> Option<(&str, &str)> {
        use twilight_model::application::interaction::application_command::{
            CommandDataOption, CommandOptionValue,
        };
        fn find(options: &[CommandDataOption]) -> Option<(&str, &str)> {
            options.iter().find_map(|option| match &option.value {
                CommandOptionValue::Focused(text, _) => Some((option.name.as_str(), text.as_str())),
                CommandOptionValue::SubCommand(inner)
                | CommandOptionValue::SubCommandGroup(inner) => find(inner),
                _ => None,
            })
        }
        find(&self.data.options)
    }

    /// The text typed so far in the focused option (empty when there is none).
    pub fn value(&self) -> &str {
        self.focused().map_or("", |(_, text)| text)
    }
}

interaction_event!(
    /// A message component was used: a button or a select menu (`message_interaction`).
    MessageInteraction,
    "message_interaction",
    MessageComponentInteractionData,
    |e| Some(e.data.custom_id.as_str())
);
interaction_event!(
    /// A button was clicked (`button_click`); `data.custom_id` says which.
    ButtonClick,
    "button_click",
    MessageComponentInteractionData,
    |e| Some(e.data.custom_id.as_str())
);
interaction_event!(
    /// Options were chosen in a select menu (`dropdown`); `data.values` holds them.
    Dropdown,
    "dropdown",
    MessageComponentInteractionData,
    |e| Some(e.data.custom_id.as_str())
);
interaction_event!(
    /// A modal was submitted (`modal_submit`); `data.components` holds its fields.
    ModalSubmit,
    "modal_submit",
    ModalInteractionData,
    |e| Some(e.data.custom_id.as_str())
);

/// A listener of [`ApplicationCommand`] failed (`application_command_error`).
///
/// When a listener of this event is registered, a failing `application_command` listener's error
/// goes here instead of to `error`, with the command that failed, so the handler can answer the
/// user. Without one it goes to `error` like any other listener's.
#[derive(Clone)]
#[non_exhaustive]
pub struct ApplicationCommandError {
    /// The command whose listener failed.
    pub command: Arc<ApplicationCommand>,
    /// The failing listener's name.
    pub listener: Arc<str>,
    /// The error, or a [`Panicked`](super::Panicked).
    pub error: Arc<BoxError>,
}

impl ApplicationCommandError {
    /// The error as herald's [`CommandError`](crate::error::command::CommandError), when herald refused
    /// the use (a check, a cooldown, an option that does not parse).
    pub fn refusal(&self) -> Option<&crate::error::command::CommandError> {
        (**self.error).downcast_ref()
    }
}

impl std::fmt::Debug for ApplicationCommandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApplicationCommandError")
            .field("command", &self.command.data.name)
            .field("listener", &self.listener)
            .field("error", &format_args!("{}", self.error))
            .finish()
    }
}

impl_event!(
    ApplicationCommandError,
    "application_command_error",
    Intents::empty(),
    |e| interaction_keys(&e.command.interaction)
);

/// The typed events an interaction makes besides [`InteractionCreate`]; `want` says which of them
/// have listeners or waiters (the others are not built).
pub(crate) struct Split {
    pub(crate) command: Option<ApplicationCommand>,
    pub(crate) autocomplete: Option<Autocomplete>,
    pub(crate) component: Option<MessageInteraction>,
    pub(crate) button: Option<ButtonClick>,
    pub(crate) dropdown: Option<Dropdown>,
    pub(crate) modal: Option<ModalSubmit>,
}

/// Which typed interaction events someone listens to.
#[derive(Clone, Copy, Default)]
pub(crate) struct Wanted {
    pub(crate) command: bool,
    pub(crate) autocomplete: bool,
    pub(crate) component: bool,
    pub(crate) button: bool,
    pub(crate) dropdown: bool,
    pub(crate) modal: bool,
}

pub(crate) fn split(event: &InteractionCreate, want: Wanted) -> Split {
    let interaction = &event.0;
    let mut split = Split {
        command: None,
        autocomplete: None,
        component: None,
        button: None,
        dropdown: None,
        modal: None,
    };
    match &interaction.data {
        // Autocomplete interactions carry command data too; they are not uses of the command.
        Some(InteractionData::ApplicationCommand(data))
            if interaction.kind == InteractionType::ApplicationCommandAutocomplete =>
        {
            split.autocomplete = want.autocomplete.then(|| Autocomplete {
                interaction: interaction.clone(),
                data: (**data).clone(),
            });
        }
        Some(InteractionData::ApplicationCommand(data)) if want.command => {
            split.command = Some(ApplicationCommand {
                interaction: interaction.clone(),
                data: (**data).clone(),
            });
        }
        Some(InteractionData::MessageComponent(data)) => {
            let make = |wanted: bool| wanted.then(|| (interaction.clone(), (**data).clone()));
            if let Some((interaction, data)) = make(want.component) {
                split.component = Some(MessageInteraction { interaction, data });
            }
            if data.component_type == ComponentType::Button {
                if let Some((interaction, data)) = make(want.button) {
                    split.button = Some(ButtonClick { interaction, data });
                }
            } else if is_select(data.component_type)
                && let Some((interaction, data)) = make(want.dropdown)
            {
                split.dropdown = Some(Dropdown { interaction, data });
            }
        }
        Some(InteractionData::ModalSubmit(data)) if want.modal => {
            split.modal = Some(ModalSubmit {
                interaction: interaction.clone(),
                data: (**data).clone(),
            });
        }
        _ => {}
    }
    split
}

fn is_select(kind: ComponentType) -> bool {
    matches!(
        kind,
        ComponentType::TextSelectMenu
            | ComponentType::UserSelectMenu
            | ComponentType::RoleSelectMenu
            | ComponentType::MentionableSelectMenu
            | ComponentType::ChannelSelectMenu
    )
}
