//! Checks and cooldowns: what may refuse a use of a command before it runs.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use twilight_model::guild::Permissions;

use crate::context::Context;
use crate::error::BoxError;
use crate::error::command::{Bucket, CommandError};
use crate::event::interaction::ApplicationCommand;

/// A custom check: `Ok(true)` lets the use through.
pub(crate) type Check = Arc<
    dyn Fn(Context, Arc<ApplicationCommand>) -> BoxFuture<'static, Result<bool, BoxError>>
        + Send
        + Sync,
>;

/// What a check function returns: `bool`, or `Result<bool, E>` (an error is reported as the
/// command's error, and the command does not run).
pub trait CheckOutput: Send {
    /// The verdict.
    fn into_verdict(self) -> Result<bool, BoxError>;
}

impl CheckOutput for bool {
    fn into_verdict(self) -> Result<bool, BoxError> {
        Ok(self)
    }
}

impl<E: Into<BoxError> + Send> CheckOutput for Result<bool, E> {
    fn into_verdict(self) -> Result<bool, BoxError> {
        self.map_err(Into::into)
    }
}

/// The checks of one command (or of a parent, applying to its subcommands).
#[derive(Clone)]
pub(crate) struct Checks {
    pub(crate) guild_only: bool,
    pub(crate) owner_only: bool,
    pub(crate) member_permissions: Permissions,
    pub(crate) bot_permissions: Permissions,
    pub(crate) custom: Vec<(&'static str, Check)>,
    pub(crate) cooldown: Option<Arc<Cooldown>>,
}

impl Default for Checks {
    fn default() -> Self {
        Checks {
            guild_only: false,
            owner_only: false,
            member_permissions: Permissions::empty(),
            bot_permissions: Permissions::empty(),
            custom: Vec::new(),
            cooldown: None,
        }
    }
}

impl Checks {
    /// Runs the checks in order: where, who, permissions, the bot's own checks, then the
    /// cooldown (last, so that a refused use spends nothing).
    pub(crate) async fn run(
        &self,
        ctx: &Context,
        command: &Arc<ApplicationCommand>,
    ) -> Result<(), BoxError> {
        if self.guild_only && command.guild_id.is_none() {
            return Err(CommandError::GuildOnly.into());
        }
        if self.owner_only {
            let user = command.author_id();
            let owners = ctx.owners().await?;
            if !user.is_some_and(|user| owners.contains(&user)) {
                return Err(CommandError::OwnerOnly.into());
            }
        }
        if !self.member_permissions.is_empty() {
            // In DMs there are no permissions to lack.
            if let Some(member) = &command.member {
                let has = member.permissions.unwrap_or(Permissions::empty());
                let missing = self.member_permissions - has;
                if !missing.is_empty() && !has.contains(Permissions::ADMINISTRATOR) {
                    return Err(CommandError::MissingPermissions { missing }.into());
                }
            }
        }
        if !self.bot_permissions.is_empty()
            && command.guild_id.is_some()
            && let Some(has) = command.app_permissions
        {
            let missing = self.bot_permissions - has;
            if !missing.is_empty() && !has.contains(Permissions::ADMINISTRATOR) {
                return Err(CommandError::BotMissingPermissions { missing }.into());
            }
        }
        for (name, check) in &self.custom {
            if !check(ctx.clone(), Arc::clone(command)).await? {
                return Err(CommandError::CheckFailed { check: name }.into());
            }
        }
        if let Some(cooldown) = &self.cooldown {
            cooldown.take(command)?;
        }
        Ok(())
    }
}

/// At most `uses` uses per `per` in each bucket: a sliding window of the last uses' times.
pub(crate) struct Cooldown {
    bucket: Bucket,
    uses: u32,
    per: Duration,
    windows: Mutex<HashMap<(u64, u64), VecDeque<Instant>>>,
}

impl Cooldown {
    pub(crate) fn new(bucket: Bucket, uses: u32, per: Duration) -> Self {
        Cooldown {
            bucket,
            uses: uses.max(1),
            per,
            windows: Mutex::new(HashMap::new()),
        }
    }

    fn key(&self, command: &ApplicationCommand) -> (u64, u64) {
        let user = command.author_id().map_or(0, |id| id.get());
        let guild = command.guild_id.map(|id| id.get());
        let channel = command.channel.as_ref().map_or(0, |c| c.id.get());
        match self.bucket {
            Bucket::User => (user, 0),
            Bucket::Member => (user, guild.unwrap_or(0)),
            Bucket::Channel => (channel, 0),
            Bucket::Guild => (guild.unwrap_or(channel), 0),
        }
    }

    /// Counts a use, or refuses it with how long to wait.
    fn take(&self, command: &ApplicationCommand) -> Result<(), CommandError> {
        let now = Instant::now();
        let key = self.key(command);
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Forget buckets whose window has passed, so that the map stays as small as the set of
        // recent users.
        if windows.len() > 1024 {
            windows.retain(|_, uses| uses.back().is_some_and(|t| now - *t < self.per));
        }
        let uses = windows.entry(key).or_default();
        while uses.front().is_some_and(|t| now - *t >= self.per) {
            uses.pop_front();
        }
        if uses.len() >= self.uses as usize {
            let oldest = uses.front().copied().unwrap_or(now);
            return Err(CommandError::Cooldown {
                bucket: self.bucket,
                retry_after: self.per.saturating_sub(now - oldest),
            });
        }
        uses.push_back(now);
        Ok(())
    }
}
