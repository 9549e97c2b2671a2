//! Member events, ported from disnake's "Member Event Handling" example: a welcome embed in
//! `#welcome`, the `Member` role for newcomers, a DM with tips (and a note in `#member-logs` when
//! the member does not accept DMs), logs of departures, nickname and role changes in
//! `#member-logs`, and of bans and unbans in `#moderation-logs`, with the moderator and reason
//! read from the audit log.
//!
//! ```sh
//! cargo run --example welcome                       # on the embedded sandbox, with a scene
//! DISCORD_TOKEN=... cargo run --example welcome     # on Discord
//! ```
//!
//! Intents: none to add. herald requests `GUILDS` plus what the listeners need: `GUILD_MEMBERS`
//! for joins, departures and member updates, `GUILD_MODERATION` for bans. `GUILD_MEMBERS` is
//! privileged: turn on "Server Members Intent" in the Developer Portal (your application → Bot),
//! or Discord refuses the connection (close 4014).
//!
//! Permissions: Manage Roles (with its role above `Member`) for the auto-role, View Audit Log for
//! ban reasons; without the latter the ban log still comes, without the reason.

use herald::BotBuilder;
use herald::http::api_error::ApiError;
use herald::http::error::ErrorType;
use herald::http::request::AuditLogReason;
use herald::model::channel::message::Embed;
use herald::model::channel::message::embed::EmbedField;
use herald::model::guild::audit_log::AuditLogEventType;
use herald::model::user::User;
use herald::prelude::*;
use herald::sandbox::Sandbox;
use herald::testing::ContextExt as _;
use herald::util::builder::embed::{EmbedBuilder, EmbedFieldBuilder, EmbedFooterBuilder};

/// The role every newcomer gets.
const AUTO_ROLE: &str = "Member";

const GREEN: u32 = 0x00ff00;
const BLUE: u32 = 0x0099ff;
const RED: u32 = 0xff0000;

/// Discord's error code for "Cannot send messages to this user" (DMs closed).
const CANNOT_DM: u64 = 50007;

/// Welcomes a newcomer in `#welcome`.
///
/// The three `member_join` listeners run independently: if one fails (say the role is above the
/// bot's), the others still run.
#[listener]
async fn welcome(ctx: Context, join: &MemberAdd) -> herald::Result {
    let Some(channel) = ctx.channel_named(join.guild_id, "welcome") else {
        return Ok(());
    };
    let guild = guild_name(&ctx, join.guild_id);
    // The cache counts members as they come and go.
    let count = ctx
        .cache()
        .guild(join.guild_id)
        .and_then(|guild| guild.member_count())
        .map_or_else(|| "?".to_owned(), |count| count.to_string());
    let mut embed = embed(
        &format!("Welcome to {guild}!"),
        format!(
            "Hello {}, welcome to our community!",
            display_name(join.nick.as_deref(), &join.user)
        ),
        GREEN,
    );
    embed.fields = vec![
        field("Member count", format!("You're member #{count}!"), false),
        // `<t:…:F>` shows a date in each reader's time zone.
        field(
            "Account created",
            format!("<t:{}:F>", created_at(join.user.id)),
            true,
        ),
    ];
    embed.footer = Some(EmbedFooterBuilder::new(format!("User ID: {}", join.user.id)).build());
    ctx.http().create_message(channel).embeds(&[embed]).await?;
    Ok(())
}

/// Gives newcomers the `Member` role.
#[listener]
async fn auto_role(ctx: Context, join: &MemberAdd) -> herald::Result {
    if join.user.bot {
        return Ok(());
    }
    if let Some(role) = ctx.role_named(join.guild_id, AUTO_ROLE) {
        ctx.http()
            .add_guild_member_role(join.guild_id, join.user.id, role)
            .reason("Auto-role on join")
            .await?;
    }
    Ok(())
}

/// DMs newcomers some tips. Many members do not accept DMs from server members: Discord then
/// answers 403 with code 50007. That is no bug of the bot, so it notes it in `#member-logs`
/// instead of failing.
#[listener]
async fn dm_tips(ctx: Context, join: &MemberAdd) -> herald::Result {
    if join.user.bot {
        return Ok(());
    }
    let guild = guild_name(&ctx, join.guild_id);
    let mut tips = embed(
        &format!("Welcome to {guild}!"),
        "Thanks for joining! Here are some helpful tips:".to_owned(),
        GREEN,
    );
    tips.fields = vec![field(
        "Getting started",
        "• Read the pinned rules in #general\n• Introduce yourself in #welcome\n• Say hello!"
            .to_owned(),
        false,
    )];
    let dm = ctx
        .http()
        .create_private_channel(join.user.id)
        .await?
        .model()
        .await?;
    match ctx.http().create_message(dm.id).embeds(&[tips]).await {
        Ok(_) => Ok(()),
        Err(error) if api_error_code(&error) == Some(CANNOT_DM) => {
            let note = format!(
                "Could not DM {} the welcome tips: they do not accept DMs.",
                join.user.name
            );
            if let Some(channel) = ctx.channel_named(join.guild_id, "member-logs") {
                ctx.http().create_message(channel).content(&note).await?;
            }
            Ok(())
        }
        Err(error) => Err(error.into()),
    }
}

/// Asks for every member of a guild as it becomes available (disnake's `await guild.chunk()`), so
/// that departures and changes of members who joined before the bot started are logged with what
/// the cache knew of them. `BotBuilder::chunk_guilds_at_startup(true)` does the same for every
/// guild.
#[listener]
async fn cache_members(ctx: Context, available: &GuildAvailable) -> herald::Result {
    ctx.request_members(available.guild.id).await?;
    Ok(())
}

/// Logs a departure (leave, kick or ban) with what the cache knew of the member: their roles.
#[listener]
async fn departure_log(ctx: Context, remove: &MemberRemove) -> herald::Result {
    let (guild, user) = (remove.raw.guild_id, &remove.raw.user);
    let Some(channel) = ctx.channel_named(guild, "member-logs") else {
        return Ok(());
    };
    let mut embed = embed(
        "Member left",
        format!("{} left the server.", user.name),
        RED,
    );
    // `member` is what the cache knew, `None` when it never saw the member: Discord's
    // GUILD_CREATE lists only a few members (all of them only with `GUILD_PRESENCES`); `cache_members`
    // above asks for the others.
    if let Some(member) = &remove.member {
        let roles = role_names(&ctx, member.roles());
        let roles = if roles.is_empty() {
            "none".to_owned()
        } else {
            roles.join(", ")
        };
        embed.description = Some(format!("{} left the server. Roles: {roles}", user.name));
        if let Some(joined) = member.joined_at() {
            embed
                .fields
                .push(field("Joined", format!("<t:{}:F>", joined.as_secs()), true));
        }
    }
    if let Some(count) = ctx.cache().guild(guild).and_then(|g| g.member_count()) {
        embed.fields.push(field(
            "Member count",
            format!("{count} members remaining"),
            true,
        ));
    }
    embed.footer = Some(EmbedFooterBuilder::new(format!("User ID: {}", user.id)).build());
    ctx.http().create_message(channel).embeds(&[embed]).await?;
    Ok(())
}

/// Logs nickname and role changes, comparing the cached member (`before`) with the update.
#[listener]
async fn member_changes(ctx: Context, update: &MemberUpdate) -> herald::Result {
    let after = &update.after;
    // Without the member from before, there is nothing to compare with.
    let Some(before) = &update.before else {
        return Ok(());
    };
    let Some(channel) = ctx.channel_named(after.guild_id, "member-logs") else {
        return Ok(());
    };
    let mut logs = Vec::new();
    if before.nick() != after.nick.as_deref() {
        logs.push(embed(
            "Nickname changed",
            format!(
                "{}: {} → {}",
                after.user.name,
                display_name(before.nick(), &after.user),
                display_name(after.nick.as_deref(), &after.user)
            ),
            BLUE,
        ));
    }
    let added: Vec<_> = after
        .roles
        .iter()
        .copied()
        .filter(|role| !before.roles().contains(role))
        .collect();
    let removed: Vec<_> = before
        .roles()
        .iter()
        .copied()
        .filter(|role| !after.roles.contains(role))
        .collect();
    if !added.is_empty() || !removed.is_empty() {
        let mut changes = Vec::new();
        if !added.is_empty() {
            changes.push(format!("added {}", role_names(&ctx, &added).join(", ")));
        }
        if !removed.is_empty() {
            changes.push(format!("removed {}", role_names(&ctx, &removed).join(", ")));
        }
        logs.push(embed(
            "Roles updated",
            format!("{}: {}", after.user.name, changes.join("; ")),
            BLUE,
        ));
    }
    if !logs.is_empty() {
        ctx.http().create_message(channel).embeds(&logs).await?;
    }
    Ok(())
}

/// Logs a ban, with who banned and why from the audit log.
#[listener]
async fn ban_log(ctx: Context, ban: &BanAdd) -> herald::Result {
    let Some(channel) = ctx.channel_named(ban.guild_id, "moderation-logs") else {
        return Ok(());
    };
    let mut description = format!("{} was banned", ban.user.name);
    if let Some(entry) = moderation(
        &ctx,
        ban.guild_id,
        AuditLogEventType::MemberBanAdd,
        ban.user.id,
    )
    .await
    {
        description.push_str(&format!(
            " by {}: {}",
            entry.moderator,
            entry.reason.as_deref().unwrap_or("no reason given")
        ));
    }
    let mut embed = embed("Member banned", description, RED);
    embed.fields = vec![field("User ID", ban.user.id.to_string(), true)];
    ctx.http().create_message(channel).embeds(&[embed]).await?;
    Ok(())
}

/// Logs an unban, with who lifted it from the audit log.
#[listener]
async fn unban_log(ctx: Context, unban: &BanRemove) -> herald::Result {
    let Some(channel) = ctx.channel_named(unban.guild_id, "moderation-logs") else {
        return Ok(());
    };
    let mut description = format!("{} was unbanned", unban.user.name);
    if let Some(entry) = moderation(
        &ctx,
        unban.guild_id,
        AuditLogEventType::MemberBanRemove,
        unban.user.id,
    )
    .await
    {
        description.push_str(&format!(" by {}", entry.moderator));
    }
    let embed = embed("Member unbanned", description, GREEN);
    ctx.http().create_message(channel).embeds(&[embed]).await?;
    Ok(())
}

/// Who took a moderation action, and why.
struct Moderation {
    moderator: String,
    reason: Option<String>,
}

/// The latest `action` on `target` in the guild's audit log. Reading it takes the View Audit Log
/// permission: when the bot lacks it (or the entry is not there yet), the log goes without.
async fn moderation(
    ctx: &Context,
    guild: Id<GuildMarker>,
    action: AuditLogEventType,
    target: Id<UserMarker>,
) -> Option<Moderation> {
    let request = ctx.http().audit_log(guild).action_type(action).limit(10);
    let log = match request.await {
        Ok(response) => response.model().await.ok()?,
        Err(error) => {
            tracing::warn!(%error, "cannot read the audit log of guild {guild}");
            return None;
        }
    };
    let entry = log
        .entries
        .iter()
        .find(|entry| entry.target_id.map(Id::cast) == Some(target))?;
    // The users an audit log names come with it.
    let moderator = entry
        .user_id
        .and_then(|id| log.users.iter().find(|user| user.id == id))
        .map_or_else(|| "someone".to_owned(), |user| user.name.clone());
    Some(Moderation {
        moderator,
        reason: entry.reason.clone(),
    })
}

/// Discord's JSON error code of a failed request (e.g. 50007), if it answered one.
fn api_error_code(error: &herald::http::Error) -> Option<u64> {
    match error.kind() {
        ErrorType::Response {
            error: ApiError::General(general),
            ..
        } => Some(general.code),
        _ => None,
    }
}

fn guild_name(ctx: &Context, guild: Id<GuildMarker>) -> String {
    ctx.cache()
        .guild(guild)
        .map_or_else(|| "the server".to_owned(), |guild| guild.name().to_owned())
}

/// The names of `roles`, from the cache.
fn role_names(ctx: &Context, roles: &[Id<RoleMarker>]) -> Vec<String> {
    roles
        .iter()
        .map(|id| {
            ctx.cache()
                .role(*id)
                .map_or_else(|| format!("<@&{id}>"), |role| role.name.clone())
        })
        .collect()
}

/// What Discord shows: the nickname, else the global display name, else the username.
fn display_name(nick: Option<&str>, user: &User) -> String {
    nick.or(user.global_name.as_deref())
        .unwrap_or(&user.name)
        .to_owned()
}

/// When the account was created, in Unix seconds: a snowflake starts with its milliseconds since
/// Discord's epoch (2015).
fn created_at(user: Id<UserMarker>) -> u64 {
    ((user.get() >> 22) + 1_420_070_400_000) / 1000
}

/// An embed with a title, a description and a colour, built with twilight-util's
/// `EmbedBuilder` (re-exported as `herald::util`).
fn embed(title: &str, description: String, color: u32) -> Embed {
    EmbedBuilder::new()
        .title(title)
        .description(description)
        .color(color)
        .build()
}

fn field(name: &str, value: String, inline: bool) -> EmbedField {
    let field = EmbedFieldBuilder::new(name, value);
    if inline { field.inline() } else { field }.build()
}

/// What happens on the sandbox: dave comes, changes, goes; bob is banned, forgiven, and returns.
async fn scene(ctx: Context) -> herald::Result {
    let sandbox = ctx.sandbox().expect("scenes run on the sandbox");
    let guild = sandbox.guild("Herald Test");
    let (dave, bob, moderator) = (
        sandbox.actor("dave"),
        sandbox.actor("bob"),
        sandbox.actor("mod"),
    );
    // The guild's members are cached (`cache_members`).
    ctx.settled().await;

    // dave joins: a welcome, the Member role (logged as a role change), tips in a DM.
    dave.join(guild);
    ctx.settled().await;

    // dave picks a nickname, then swaps the Member role for a new Regular role.
    dave.set_nick(guild, Some("Dave the Brave"));
    ctx.settled().await;
    let regular = sandbox.admin().create_role(guild, "Regular");
    dave.add_role(guild, regular);
    dave.remove_role(guild, sandbox.role(AUTO_ROLE));
    ctx.settled().await;

    // dave leaves: the log lists the roles he had.
    dave.leave(guild);
    ctx.settled().await;

    // mod bans bob with a reason (a departure too), then lifts the ban.
    moderator.ban(guild, bob.id(), "Spamming invite links");
    ctx.settled().await;
    moderator.unban(guild, bob.id());
    ctx.settled().await;

    // bob comes back, but he has closed his DMs: Discord answers the bot's DM with 403, code
    // 50007, and the bot logs that instead of failing.
    sandbox.admin().refuse_dms(bob.id());
    bob.join(guild);
    ctx.settled().await;
    Ok(())
}

/// The bot: its listeners and scene (its intents all come from the listeners). `main` connects
/// it; `tests/examples_events.rs` runs it on a sandbox and checks the transcript.
pub(crate) fn bot() -> BotBuilder {
    Bot::builder()
        .listener(cache_members)
        .listener(welcome)
        .listener(auto_role)
        .listener(dm_tips)
        .listener(departure_log)
        .listener(member_changes)
        .listener(ban_log)
        .listener(unban_log)
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
