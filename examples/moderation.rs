//! A moderation bot made of slash commands: `/warn` (a member, a reason that completes as you
//! type, a severity to choose), `/timeout`, `/warnings list` and `/warnings clear` (a command
//! with subcommands), `/appeal` (one an hour per user), and two context menus: "Warn user" on a
//! member and "Report message" on a message. Moderators' commands check the member's
//! permissions; the warnings live in the bot's data (`Data<Warnings>`, as listeners take it);
//! everything is logged in
//! `#moderation-logs`.
//!
//! herald registers the commands at start (and writes nothing on the next start if they did not
//! change), parses the options into Rust types, refuses uses its checks or the cooldown do not
//! allow (telling the user why), and defers any command that takes more than 2 s.
//!
//! ```sh
//! cargo run --example moderation                       # on the embedded sandbox, with a scene
//! DISCORD_TOKEN=... cargo run --example moderation     # on Discord (global commands)
//! ```

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use herald::BotBuilder;
use herald::command::{Autocomplete, Member};
use herald::model::channel::Message;
use herald::model::util::Timestamp;
use herald::prelude::*;
use herald::sandbox::Sandbox;
use herald::testing::ContextExt as _;

/// Each member's warnings.
#[derive(Default)]
struct Warnings(Mutex<HashMap<Id<UserMarker>, Vec<String>>>);

impl Warnings {
    /// Records a warning; returns how many the member has now.
    fn add(&self, user: Id<UserMarker>, warning: String) -> usize {
        let mut all = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let list = all.entry(user).or_default();
        list.push(warning);
        list.len()
    }

    fn of(&self, user: Id<UserMarker>) -> Vec<String> {
        let all = self.0.lock().unwrap_or_else(|p| p.into_inner());
        all.get(&user).cloned().unwrap_or_default()
    }

    fn clear(&self, user: Id<UserMarker>) -> usize {
        let mut all = self.0.lock().unwrap_or_else(|p| p.into_inner());
        all.remove(&user).map_or(0, |list| list.len())
    }
}

/// How serious a warning is.
#[derive(Choice, Clone, Copy, Debug)]
enum Severity {
    Low,
    Medium,
    High,
}

/// The reasons `/warn` suggests.
const REASONS: &[&str] = &["spam", "rudeness", "off-topic", "advertising", "raiding"];

/// Suggests the reasons that start with what the moderator typed.
async fn reasons(_ctx: Context, typed: Arc<Autocomplete>) -> Vec<String> {
    let typed = typed.value().to_lowercase();
    REASONS
        .iter()
        .filter(|reason| reason.starts_with(&typed))
        .map(|reason| (*reason).to_owned())
        .collect()
}

/// Posts `text` in the guild's `#moderation-logs`, if it has one.
async fn log(ctx: &Context, command: &ApplicationCommand, text: &str) -> herald::Result {
    let channel = command
        .guild_id
        .and_then(|guild| ctx.channel_named(guild, "moderation-logs"));
    if let Some(channel) = channel {
        ctx.http().create_message(channel).content(text).await?;
    }
    Ok(())
}

/// The name of whoever used the command.
fn moderator(command: &ApplicationCommand) -> String {
    command
        .author()
        .map_or_else(|| "someone".to_owned(), |user| user.name.clone())
}

/// Warns a member.
#[command(guild_only, required_permissions(MODERATE_MEMBERS))]
async fn warn(
    ctx: Context,
    command: &ApplicationCommand,
    #[option(description = "Who to warn")] member: Member,
    #[option(description = "Why", max_length = 200, autocomplete = reasons)] reason: String,
    #[option(description = "How serious (default: low)")] severity: Option<Severity>,
    warnings: Data<Warnings>,
) -> herald::Result {
    let severity = severity.unwrap_or(Severity::Low);
    let count = warnings.add(member.user.id, format!("{reason} ({severity:?})"));
    let name = &member.user.name;
    log(
        &ctx,
        command,
        &format!(
            "{} warned {name}: {reason} ({severity:?}, warning {count})",
            moderator(command)
        ),
    )
    .await?;
    ctx.reply_ephemeral(command, &format!("Warned {name} ({count} so far)."))
        .await?;
    Ok(())
}

/// Times a member out.
#[command(
    guild_only,
    required_permissions(MODERATE_MEMBERS),
    bot_permissions(MODERATE_MEMBERS)
)]
async fn timeout(
    ctx: Context,
    command: &ApplicationCommand,
    #[option(description = "Who to time out")] member: User,
    #[option(description = "For how many minutes", min = 1, max = 10080)] minutes: i64,
) -> herald::Result {
    let Some(guild) = command.guild_id else {
        return Ok(());
    };
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?;
    let until = Timestamp::from_secs(now.as_secs().cast_signed() + minutes * 60)?;
    ctx.http()
        .update_guild_member(guild, member.id)
        .communication_disabled_until(Some(until))
        .await?;
    let text = format!(
        "{} timed {} out for {minutes} minutes",
        moderator(command),
        member.name
    );
    log(&ctx, command, &text).await?;
    ctx.reply_ephemeral(command, &format!("{} is timed out.", member.name))
        .await?;
    Ok(())
}

/// Lists a member's warnings.
#[command(name = "list")]
async fn warnings_list(
    ctx: Context,
    command: &ApplicationCommand,
    #[option(description = "Whose warnings")] member: User,
) -> herald::Result {
    let list = ctx.data::<Warnings>().of(member.id);
    let text = if list.is_empty() {
        format!("{} has no warnings.", member.name)
    } else {
        format!("{}: {}", member.name, list.join("; "))
    };
    ctx.reply_ephemeral(command, &text).await?;
    Ok(())
}

/// Forgets a member's warnings.
#[command(name = "clear", required_permissions(BAN_MEMBERS))]
async fn warnings_clear(
    ctx: Context,
    command: &ApplicationCommand,
    #[option(description = "Whose warnings")] member: User,
) -> herald::Result {
    let cleared = ctx.data::<Warnings>().clear(member.id);
    let text = format!(
        "{} cleared {cleared} warnings of {}",
        moderator(command),
        member.name
    );
    log(&ctx, command, &text).await?;
    ctx.reply_ephemeral(command, "Done.").await?;
    Ok(())
}

/// A member's warnings.
#[command(
    guild_only,
    required_permissions(MODERATE_MEMBERS),
    subcommands(warnings_list, warnings_clear)
)]
async fn warnings() {}

/// Asks the moderators to reconsider your warnings.
#[command(guild_only, cooldown(user, 1h))]
async fn appeal(
    ctx: Context,
    command: &ApplicationCommand,
    #[option(description = "What the moderators should know", max_length = 500)] text: String,
) -> herald::Result {
    log(
        &ctx,
        command,
        &format!("{} appeals: {text}", moderator(command)),
    )
    .await?;
    ctx.reply_ephemeral(command, "Your appeal was sent to the moderators.")
        .await?;
    Ok(())
}

/// Right-click a member → Apps → Warn user.
#[command(
    user,
    name = "Warn user",
    guild_only,
    required_permissions(MODERATE_MEMBERS)
)]
async fn warn_user(ctx: Context, command: &ApplicationCommand, target: User) -> herald::Result {
    let count = ctx
        .data::<Warnings>()
        .add(target.id, "flagged from the member list (Low)".to_owned());
    let text = format!(
        "{} warned {} from the member list (warning {count})",
        moderator(command),
        target.name
    );
    log(&ctx, command, &text).await?;
    ctx.reply_ephemeral(command, &format!("Warned {}.", target.name))
        .await?;
    Ok(())
}

/// Right-click a message → Apps → Report message: anyone may report.
#[command(message, name = "Report message", guild_only)]
async fn report_message(
    ctx: Context,
    command: &ApplicationCommand,
    target: Message,
) -> herald::Result {
    let text = format!(
        "{} reported a message by {}: {}",
        moderator(command),
        target.author.name,
        target.content
    );
    log(&ctx, command, &text).await?;
    ctx.reply_ephemeral(command, "Thanks: the moderators will look at it.")
        .await?;
    Ok(())
}

/// What happens on the sandbox: moderators and members use the commands, some are refused.
async fn scene(ctx: Context) -> herald::Result {
    let sandbox = ctx.sandbox().expect("scenes run on the sandbox");
    let general = sandbox.channel("general");
    let (bob, carol) = (sandbox.user("bob"), sandbox.user("carol"));
    let moderator = sandbox.actor("mod");

    // The moderator types a reason: herald suggests; then warns bob.
    moderator.autocomplete(general, "warn", &[("member", bob.into())], ("reason", "r"));
    ctx.settled().await;
    moderator.slash_command(
        general,
        "warn",
        &[
            ("member", bob.into()),
            ("reason", "spam".into()),
            ("severity", "high".into()),
        ],
    );
    ctx.settled().await;
    // alice is no moderator: herald refuses, and tells her why.
    sandbox.actor("alice").slash_command(
        general,
        "warn",
        &[
            ("member", bob.into()),
            ("reason", "I do not like him".into()),
        ],
    );
    ctx.settled().await;
    // The context menus.
    moderator.user_command(general, "Warn user", carol);
    ctx.settled().await;
    let ad = sandbox
        .actor("bob")
        .say(general, "cheap followers at example.invalid");
    ctx.settled().await;
    sandbox
        .actor("alice")
        .message_command(general, "Report message", ad);
    ctx.settled().await;
    // Subcommands, and a timeout.
    moderator.slash_command(general, "warnings list", &[("member", bob.into())]);
    ctx.settled().await;
    moderator.slash_command(
        general,
        "timeout",
        &[("member", bob.into()), ("minutes", 10_i64.into())],
    );
    ctx.settled().await;
    // bob appeals twice: the second is within the hour.
    for _ in 0..2 {
        sandbox
            .actor("bob")
            .slash_command(general, "appeal", &[("text", "it was a joke".into())]);
        ctx.settled().await;
    }
    moderator.slash_command(general, "warnings clear", &[("member", bob.into())]);
    ctx.settled().await;
    Ok(())
}

/// The bot: its commands, data and scene. `main` connects it; `tests/examples_commands.rs` runs
/// it on a sandbox and checks the transcript.
pub(crate) fn bot() -> BotBuilder {
    Bot::builder()
        .data(Warnings::default())
        .command(warn)
        .command(timeout)
        .command(warnings)
        .command(appeal)
        .command(warn_user)
        .command(report_message)
        .scene(scene)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing_subscriber::fmt().with_env_filter("warn").init();
    bot()
        .token_from_env("DISCORD_TOKEN")
        // Without DISCORD_TOKEN: run offline on herald's sandbox and play the scene.
        .embedded_sandbox(Sandbox::builder())
        .run()
        .await
}
