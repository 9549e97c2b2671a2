//! Why herald refused a use of an application command: [`CommandError`], with the cooldown
//! [`Bucket`] it names. The commands themselves are in [`crate::command`].

use std::time::Duration;

use twilight_model::guild::Permissions;

/// Whose uses a cooldown counts together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Bucket {
    /// Each user, everywhere.
    User,
    /// Each user in each server (in DMs: each user).
    Member,
    /// Each channel.
    Channel,
    /// Each server (in DMs: each channel).
    Guild,
}

/// Why herald refused or could not run a use of a command: a check, a cooldown, an option that
/// does not parse. It reaches `application_command_error` (or `error`) as the command's error:
/// `event.error.downcast_ref::<CommandError>()`, or
/// [`ApplicationCommandError::refusal`](crate::event::interaction::ApplicationCommandError::refusal).
/// Without an `application_command_error` listener, herald also tells the user, ephemerally,
/// this error's text.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CommandError {
    /// Used outside a server.
    #[error("this command works only in a server")]
    GuildOnly,
    /// Used by someone who is not an owner of the bot.
    #[error("only the bot's owners may use this command")]
    OwnerOnly,
    /// The member lacks permissions.
    #[error("you need the {} permission to use this command", names(*.missing))]
    MissingPermissions {
        /// The permissions they lack.
        missing: Permissions,
    },
    /// The bot lacks permissions in the channel.
    #[error("the bot needs the {} permission here to run this command", names(*.missing))]
    BotMissingPermissions {
        /// The permissions it lacks.
        missing: Permissions,
    },
    /// A check of the bot's returned `false`.
    #[error("you may not use this command here (check `{check}`)")]
    CheckFailed {
        /// The check's name.
        check: &'static str,
    },
    /// The bucket's uses are spent.
    #[error("this command is on cooldown: try again in {}", seconds(*.retry_after))]
    Cooldown {
        /// The bucket.
        bucket: Bucket,
        /// When a use is allowed again.
        retry_after: Duration,
    },
    /// An option is missing or does not parse as its Rust type.
    #[error("option `{name}`: {reason}")]
    BadOption {
        /// The option.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// The command Discord sent is not the one declared (an old definition: the sync has not
    /// run, or the command changed while a user had it open).
    #[error("this command changed: try again in a moment ({0})")]
    Outdated(String),
}

fn names(permissions: Permissions) -> String {
    let names: Vec<String> = permissions
        .iter_names()
        .map(|(name, _)| name.to_lowercase().replace('_', " "))
        .collect();
    names.join(", ")
}

/// `42 seconds`, `5 minutes`, `2 hours`: how long to wait, rounded up.
fn seconds(duration: Duration) -> String {
    let secs = duration.as_secs() + u64::from(duration.subsec_nanos() > 0);
    let (n, unit) = match secs {
        0..=1 => return "1 second".to_owned(),
        2..=119 => (secs, "seconds"),
        120..=7199 => (secs.div_ceil(60), "minutes"),
        _ => (secs.div_ceil(3600), "hours"),
    };
    format!("{n} {unit}")
}
