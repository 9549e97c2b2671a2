//! Declared commands through the sandbox: options parsed into Rust types, subcommand groups,
//! context menus, autocomplete, checks and cooldowns refusing with `CommandError`, a slow
//! command deferred by herald (or its late answer reported), and a restart whose sync writes
//! nothing. Commands here are built with `AppCommand` (the macro's tests build them with
//! `#[command]`): registration without the macro works the same.

#[path = "common/bot.rs"]
mod bot;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use herald::command::{AppCommand, Bucket, CommandError, Invocation, OptionSpec};
use herald::prelude::*;
use herald::sandbox::Sandbox;
use herald::testing::ContextExt as _;
use tokio::sync::Notify;

/// What handlers saw, for the test to read.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<String>>>);

impl Seen {
    fn push(&self, line: impl Into<String>) {
        self.0.lock().unwrap().push(line.into());
    }
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

/// A listener of `application_command_error`, so that failures go there (with the command).
fn command_errors() -> Listener {
    Listener::new(|_e: &ApplicationCommandError| async {}).name("command errors")
}

/// The bot's application id, as Discord gives it.
async fn application(
    ctx: &Context,
) -> herald::model::id::Id<herald::model::id::marker::ApplicationMarker> {
    let app = ctx.http().current_user_application().await.unwrap();
    app.model().await.unwrap().id
}

fn lines_with(sb: &Sandbox, needle: &str) -> Vec<String> {
    sb.transcript()
        .into_iter()
        .filter(|l| l.contains(needle))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_and_a_cooldown_refuse_with_typed_errors() {
    let sb = Sandbox::start().await.unwrap();
    let seen = Seen::default();
    let ran = seen.clone();
    let daily = AppCommand::slash("daily", "Claims the daily reward")
        .cooldown(Bucket::User, 1, Duration::from_secs(3600))
        .handler(move |ctx: Context, inv: Invocation| {
            let ran = ran.clone();
            async move {
                ran.push(format!("daily by {}", inv.command().author_id().unwrap()));
                ctx.reply(inv.command(), "here is your reward").await
            }
        });
    let secret = AppCommand::slash("secret", "Only for alice")
        .check(
            "is_alice",
            |_: Context, command: Arc<ApplicationCommand>| async move {
                command.author().is_some_and(|user| user.name == "alice")
            },
        )
        .handler(|ctx: Context, inv: Invocation| async move {
            ctx.reply(inv.command(), "the secret").await
        });
    let running = bot::start(
        &sb,
        Bot::builder()
            .command(daily)
            .command(secret)
            .listener(command_errors()),
    )
    .await;
    let ctx = running.context().clone();
    let general = sb.channel("general");

    // The first use runs; the second within the hour is refused, and says how long to wait.
    sb.actor("alice").slash_command(general, "daily", &[]);
    ctx.settled().await;
    assert_eq!(seen.take().len(), 1);
    let refused = ctx
        .wait_for::<ApplicationCommandError>()
        .timeout(bot::WAIT)
        .register();
    sb.actor("alice").slash_command(general, "daily", &[]);
    let refused = refused.await.unwrap();
    match refused.refusal() {
        Some(CommandError::Cooldown {
            bucket: Bucket::User,
            retry_after,
        }) => assert!(
            *retry_after > Duration::from_secs(3500) && *retry_after <= Duration::from_secs(3600),
            "{retry_after:?}"
        ),
        other => panic!("expected a cooldown, got {other:?} ({:?})", refused.error),
    }
    assert_eq!(refused.listener.as_ref(), "/daily");
    ctx.settled().await;
    assert!(seen.take().is_empty(), "the refused use did not run");
    // Another user has a bucket of their own.
    sb.actor("bob").slash_command(general, "daily", &[]);
    ctx.settled().await;
    assert_eq!(seen.take().len(), 1);

    // A custom check: bob is refused with the check's name; alice gets the secret.
    let refused = ctx
        .wait_for::<ApplicationCommandError>()
        .timeout(bot::WAIT)
        .register();
    sb.actor("bob").slash_command(general, "secret", &[]);
    let refused = refused.await.unwrap();
    assert_eq!(
        refused.refusal(),
        Some(&CommandError::CheckFailed { check: "is_alice" })
    );
    sb.actor("alice").slash_command(general, "secret", &[]);
    ctx.settled().await;
    assert_eq!(
        lines_with(&sb, "herald-bot answered an interaction: the secret").len(),
        1
    );
    running.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_error_listener_the_user_is_told_why_ephemerally() {
    let sb = Sandbox::start().await.unwrap();
    let modkit = AppCommand::slash("purge", "Deletes messages")
        .required_permissions(herald::model::guild::Permissions::MANAGE_MESSAGES)
        .handler(|ctx: Context, inv: Invocation| async move {
            ctx.reply(inv.command(), "purged").await
        });
    let running = bot::start(&sb, Bot::builder().command(modkit)).await;
    sb.actor("alice")
        .slash_command(sb.channel("general"), "purge", &[]);
    running.context().settled().await;
    let told = lines_with(&sb, "(only the user sees it)");
    assert_eq!(
        told,
        [
            "herald-bot answered an interaction (only the user sees it): you need the manage \
          messages permission to use this command"
        ]
    );
    assert!(lines_with(&sb, "purged").is_empty());
    running.shutdown().await.unwrap();
}

/// A command that says it started, then waits for the test's go before answering.
fn slow(started: Arc<Notify>, go: Arc<Notify>, ephemeral: bool) -> AppCommand {
    AppCommand::slash("report", "Builds a long report").handler(
        move |ctx: Context, inv: Invocation| {
            let (started, go) = (Arc::clone(&started), Arc::clone(&go));
            async move {
                started.notify_one();
                go.notified().await;
                if ephemeral {
                    ctx.reply_ephemeral(inv.command(), "your report").await
                } else {
                    ctx.reply(inv.command(), "the report").await
                }
            }
        },
    )
}

/// Lets the deferred `/report` answer; the transcript once the bot settled.
async fn answered(sb: &Sandbox, running: &RunningBot, go: &Notify) -> Vec<String> {
    go.notify_one();
    running.context().settled().await;
    sb.transcript()
}

/// Where the first transcript line holding `needle` is.
fn position_in(transcript: &[String], needle: &str) -> Option<usize> {
    transcript.iter().position(|l| l.contains(needle))
}

/// Starts a bot whose `/report` (ephemeral or not) waits for the returned go, has alice use it,
/// and waits until herald deferred it (its callback, type 5).
async fn deferred_report(
    sb: &Sandbox,
    ephemeral: bool,
) -> (RunningBot, Arc<Notify>, herald::sandbox::SentInteraction) {
    let go = Arc::new(Notify::new());
    let running = bot::start(
        sb,
        Bot::builder()
            .command(slow(Arc::new(Notify::new()), Arc::clone(&go), ephemeral))
            .auto_defer(Some(Duration::from_millis(200))),
    )
    .await;
    let used = sb
        .actor("alice")
        .slash_command(sb.channel("general"), "report", &[]);
    sb.records()
        .wait_for_request(|r| r.is("POST", "/interactions/"), bot::WAIT)
        .await
        .expect("herald deferred the slow command");
    assert_eq!(
        sb.interaction_response(&used).unwrap()["type"],
        5,
        "the callback was the deferral"
    );
    (running, go, used)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_command_is_deferred_and_its_reply_edits_the_deferred_answer() {
    let sb = Sandbox::start().await.unwrap();
    let (running, go, _) = deferred_report(&sb, false).await;
    // The command's plain `reply` then edits the deferred answer.
    let transcript = answered(&sb, &running, &go).await;
    let at = |needle| position_in(&transcript, needle);
    let deferred = at("herald-bot deferred its answer to an interaction");
    assert!(deferred.is_some());
    assert!(deferred < at("herald-bot answered an interaction: the report"));
    running.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_that_blocks_its_thread_is_still_deferred_in_time() {
    let sb = Sandbox::start().await.unwrap();
    // Blocks its worker thread (no `.await`) until herald's deferral reached the sandbox.
    let blocking = AppCommand::slash("crunch", "Crunches numbers").handler(
        |ctx: Context, inv: Invocation| async move {
            let sandbox = ctx.sandbox().expect("on the sandbox").clone();
            let deadline = std::time::Instant::now() + bot::WAIT;
            let deferred = || {
                sandbox
                    .records()
                    .requests()
                    .iter()
                    .any(|r| r.is("POST", "/interactions/"))
            };
            while !deferred() && std::time::Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
            let text = if deferred() {
                "crunched"
            } else {
                "never deferred"
            };
            ctx.reply(inv.command(), text).await
        },
    );
    let running = bot::start(
        &sb,
        Bot::builder()
            .command(blocking)
            .auto_defer(Some(Duration::from_millis(200))),
    )
    .await;
    let used = sb
        .actor("alice")
        .slash_command(sb.channel("general"), "crunch", &[]);
    running.context().settled().await;
    assert_eq!(sb.interaction_response(&used).unwrap()["type"], 5);
    assert_eq!(
        lines_with(&sb, "herald-bot answered an interaction: crunched").len(),
        1,
        "{:#?}",
        sb.transcript()
    );
    running.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ephemeral_reply_after_herald_deferred_stays_private() {
    let sb = Sandbox::start().await.unwrap();
    let (running, go, _) = deferred_report(&sb, true).await;
    // The deferred "thinking..." goes, and the answer comes as an ephemeral follow-up.
    let transcript = answered(&sb, &running, &go).await;
    let at = |needle| position_in(&transcript, needle);
    let deleted = at("deleted an interaction answer (the deferred");
    let private = at("followed up an interaction (only the user sees it): your report");
    assert!(deleted.is_some() && deleted < private, "{transcript:#?}");
    assert_eq!(
        lines_with(&sb, "your report").len(),
        1,
        "only the private answer"
    );
    running.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_answer_without_auto_defer_is_reported_with_what_to_do() {
    let sb = Sandbox::start().await.unwrap();
    let (started, go) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
    let running = bot::start(
        &sb,
        Bot::builder()
            .command(slow(Arc::clone(&started), Arc::clone(&go), false))
            .listener(command_errors())
            .auto_defer(None),
    )
    .await;
    let ctx = running.context().clone();
    let failed = ctx
        .wait_for::<ApplicationCommandError>()
        .timeout(bot::WAIT)
        .register();
    sb.actor("alice")
        .slash_command(sb.channel("general"), "report", &[]);
    // The handler has not answered: make the interaction 4 s old, then let it answer.
    tokio::time::timeout(bot::WAIT, started.notified())
        .await
        .expect("the command started");
    sb.age_interactions(Duration::from_secs(4));
    go.notify_one();
    let failed = failed.await.unwrap();
    let text = failed.error.to_string();
    assert!(text.contains("within 3 s"), "{text}");
    assert!(text.contains("defer"), "{text}");
    running.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declared_commands_sync_once_then_a_restart_writes_nothing() {
    let sb = Sandbox::start().await.unwrap();
    let declare = || {
        Bot::builder()
            .command(
                AppCommand::slash("tag", "Tags").subcommand(
                    AppCommand::slash("add", "Adds a tag")
                        .option(OptionSpec::new::<String>("name", "The tag"))
                        .handler(|_: Context, _: Invocation| async {}),
                ),
            )
            .command(AppCommand::user("Warn user").handler(|_: Context, _: Invocation| async {}))
    };
    for written in [true, false] {
        let running = bot::start(&sb, declare()).await;
        let sync = running.command_sync().cloned().unwrap();
        assert_eq!(sync.written, written, "{sync}");
        running.shutdown().await.unwrap();
    }
    let puts = || {
        sb.records()
            .requests()
            .iter()
            .filter(|r| r.method == "PUT")
            .count()
    };
    assert_eq!(puts(), 1);

    // Someone else clears them while the bot runs: a sync on demand writes them back.
    let mut running = bot::start(&sb, declare()).await;
    let ctx = running.context().clone();
    let application = application(&ctx).await;
    ctx.http()
        .interaction(application)
        .set_global_commands(&[])
        .await
        .unwrap();
    let again = running.sync_commands().await.unwrap();
    assert_eq!((again.written, again.created.len()), (true, 2), "{again}");
    assert_eq!(puts(), 3);
    running.shutdown().await.unwrap();
}

#[test]
fn a_definition_discord_would_refuse_is_a_build_error() {
    let error = Bot::builder()
        .command(
            AppCommand::slash("Bad Name", "x")
                .option(OptionSpec::new::<Option<String>>("a", "A"))
                .option(OptionSpec::new::<String>("b", "B"))
                .handler(|_: Context, _: Invocation| async {}),
        )
        .build()
        .unwrap_err()
        .to_string();
    assert!(error.contains("lowercase"), "{error}");
}

// ---- with #[command] ----------------------------------------------------------------------

mod declared {
    use herald::command::{Member, Mentionable};
    use herald::model::application::interaction::InteractionChannel;
    use herald::model::channel::{Attachment, Message};
    use herald::prelude::*;

    use super::Seen;

    #[derive(Choice, Debug)]
    pub(super) enum Colour {
        Red,
        #[choice(name = "Sky blue")]
        SkyBlue,
    }

    /// Takes one option of every type.
    #[command]
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn types(
        ctx: Context,
        text: String,
        int: i64,
        small: i32,
        count: u32,
        number: f64,
        flag: bool,
        user: User,
        member: Member,
        role: Role,
        channel: InteractionChannel,
        who: Mentionable,
        file: Attachment,
        colour: Colour,
        user_id: Id<UserMarker>,
        absent: Option<String>,
    ) {
        let who = match who {
            Mentionable::Role(role) => format!("role {}", role.name),
            Mentionable::User(user, _) => format!("user {}", user.name),
            _ => "?".to_owned(),
        };
        ctx.data::<Seen>().push(format!(
            "{text}|{int}|{small}|{count}|{number}|{flag}|{}|{} {}|{}|{}|{who}|{}|{colour:?}|{}|{absent:?}",
            user.name,
            member.user.name,
            member.member.roles.len(),
            role.name,
            channel.name,
            file.filename,
            user_id.get() > 0,
        ));
    }

    /// Sets the log channel.
    #[command(name = "set")]
    pub(super) async fn log_set(
        ctx: Context,
        command: &ApplicationCommand,
        channel: Id<ChannelMarker>,
    ) -> herald::Result {
        ctx.reply(command, &format!("log channel set to <#{channel}>"))
            .await?;
        Ok(())
    }

    /// Shows the log channel.
    #[command(name = "show")]
    pub(super) async fn log_show(ctx: Context, command: &ApplicationCommand) -> herald::Result {
        ctx.reply(command, "no log channel").await?;
        Ok(())
    }

    /// Log settings.
    #[command(name = "log", subcommands(log_set, log_show))]
    pub(super) async fn config_log() {}

    /// The bot's settings.
    #[command(owner_only, subcommands(config_log))]
    pub(super) async fn config() {}

    /// Right-click → Apps → Profile.
    #[command(user, name = "Profile")]
    pub(super) async fn profile(
        ctx: Context,
        command: &ApplicationCommand,
        target: Member,
    ) -> herald::Result {
        let text = format!(
            "{} has {} roles",
            target.user.name,
            target.member.roles.len()
        );
        ctx.reply_ephemeral(command, &text).await?;
        Ok(())
    }

    /// Right-click → Apps → Quote.
    #[command(message, name = "Quote")]
    pub(super) async fn quote(
        ctx: Context,
        command: &ApplicationCommand,
        target: Message,
    ) -> herald::Result {
        let text = format!("{} said: {}", target.author.name, target.content);
        ctx.reply(command, &text).await?;
        Ok(())
    }

    /// Suggests tag names.
    async fn tag_names(
        _ctx: Context,
        typed: std::sync::Arc<herald::command::Autocomplete>,
    ) -> Vec<String> {
        ["hello", "help", "rules"]
            .into_iter()
            .filter(|name| name.starts_with(typed.value()))
            .map(str::to_owned)
            .collect()
    }

    /// Shows a tag.
    #[command(name = "get")]
    pub(super) async fn tag_get(
        ctx: Context,
        command: &ApplicationCommand,
        #[option(description = "The tag", autocomplete = tag_names)] name: String,
    ) -> herald::Result {
        ctx.reply(command, &format!("tag {name}")).await?;
        Ok(())
    }

    /// Tags.
    #[command(subcommands(tag_get))]
    pub(super) async fn tag() {}

    /// Counts its uses in the bot's data.
    #[command]
    pub(super) async fn count(
        ctx: Context,
        command: &ApplicationCommand,
        seen: Data<Seen>,
    ) -> herald::Result {
        seen.push("counted");
        ctx.reply(command, "counted").await?;
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_take_the_bots_data_and_build_fails_without_it() {
    let Err(error) = Bot::builder().command(declared::count).build() else {
        panic!("built without the Seen the command takes");
    };
    let error = error.to_string();
    assert!(
        error.contains("/count") && error.contains("Seen"),
        "{error}"
    );

    let sb = Sandbox::start().await.unwrap();
    let seen = Seen::default();
    let running = bot::start(
        &sb,
        Bot::builder().data(seen.clone()).command(declared::count),
    )
    .await;
    sb.actor("alice")
        .slash_command(sb.channel("general"), "count", &[]);
    running.context().settled().await;
    assert_eq!(seen.take(), ["counted"]);
    running.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_option_type_parses_into_its_rust_type() {
    use herald::sandbox::OptionValue;

    let sb = Sandbox::start().await.unwrap();
    let seen = Seen::default();
    let running = bot::start(
        &sb,
        Bot::builder()
            .data(seen.clone())
            .command(declared::types)
            .listener(command_errors()),
    )
    .await;
    let ctx = running.context().clone();
    let general = sb.channel("general");
    let moderator = sb.role("Moderator");
    let options = |count: i64| -> Vec<(&'static str, OptionValue)> {
        vec![
            ("text", "hi there".into()),
            ("int", 42_i64.into()),
            ("small", (-7_i64).into()),
            ("count", count.into()),
            ("number", 2.5.into()),
            ("flag", true.into()),
            ("user", sb.user("bob").into()),
            ("member", sb.user("mod").into()),
            ("role", moderator.into()),
            ("channel", general.into()),
            ("who", OptionValue::Mentionable(moderator.cast())),
            ("file", OptionValue::Attachment("report.pdf".to_owned())),
            ("colour", "sky_blue".into()),
            ("user_id", sb.user("carol").into()),
        ]
    };
    sb.actor("alice")
        .slash_command(general, "types", &options(7));
    ctx.settled().await;
    assert_eq!(
        seen.take(),
        [
            "hi there|42|-7|7|2.5|true|bob|mod 2|Moderator|general|role Moderator|report.pdf|SkyBlue|true|None"
        ]
    );

    // A value its Rust type cannot hold is refused with the option's name.
    let failed = ctx
        .wait_for::<ApplicationCommandError>()
        .timeout(bot::WAIT)
        .register();
    sb.actor("alice")
        .slash_command(general, "types", &options(-1));
    let failed = failed.await.unwrap();
    match failed.refusal() {
        Some(CommandError::BadOption { name, reason }) => {
            assert_eq!(name, "count");
            assert!(reason.contains("-1"), "{reason}");
        }
        other => panic!("expected a bad option, got {other:?}"),
    }
    assert!(seen.take().is_empty());
    running.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subcommand_group_runs_its_subcommand_after_the_parents_check() {
    let sb = Sandbox::start().await.unwrap();
    let running = bot::start(
        &sb,
        Bot::builder()
            .command(declared::config)
            .owners([sb.user("mod")])
            .listener(command_errors()),
    )
    .await;
    let ctx = running.context().clone();
    let general = sb.channel("general");
    // Registered as Discord nests it: a group with two subcommands.
    let registered = ctx
        .http()
        .interaction(application(&ctx).await)
        .global_commands()
        .await
        .unwrap()
        .models()
        .await
        .unwrap();
    let log = &registered[0].options[0];
    assert_eq!(
        (log.name.as_str(), log.kind),
        (
            "log",
            herald::model::application::command::CommandOptionType::SubCommandGroup
        )
    );
    assert_eq!(log.options.as_ref().unwrap().len(), 2);

    sb.actor("mod")
        .slash_command(general, "config log set", &[("channel", general.into())]);
    ctx.settled().await;
    assert_eq!(
        lines_with(&sb, "answered an interaction: log channel set to").len(),
        1
    );
    // The parent's owner check applies to its subcommands.
    let refused = ctx
        .wait_for::<ApplicationCommandError>()
        .timeout(bot::WAIT)
        .register();
    sb.actor("alice")
        .slash_command(general, "config log show", &[]);
    assert_eq!(
        refused.await.unwrap().refusal(),
        Some(&CommandError::OwnerOnly)
    );
    running.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn context_menus_get_their_target() {
    let sb = Sandbox::start().await.unwrap();
    let running = bot::start(
        &sb,
        Bot::builder()
            .command(declared::profile)
            .command(declared::quote),
    )
    .await;
    let ctx = running.context().clone();
    let general = sb.channel("general");
    sb.actor("alice")
        .user_command(general, "Profile", sb.user("mod"));
    let said = sb.actor("bob").say(general, "menus are neat");
    ctx.settled().await;
    sb.actor("alice").message_command(general, "Quote", said);
    ctx.settled().await;
    assert_eq!(
        lines_with(&sb, "herald-bot answered"),
        [
            "herald-bot answered an interaction (only the user sees it): mod has 2 roles",
            "herald-bot answered an interaction: bob said: menus are neat"
        ]
    );
    running.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autocomplete_suggests_as_the_user_types() {
    let sb = Sandbox::start().await.unwrap();
    let running = bot::start(&sb, Bot::builder().command(declared::tag)).await;
    let ctx = running.context().clone();
    let general = sb.channel("general");
    let typed = sb
        .actor("alice")
        .autocomplete(general, "tag get", &[], ("name", "hel"));
    ctx.settled().await;
    let response = sb.interaction_response(&typed).expect("the bot answered");
    assert_eq!(response["type"], 8);
    let names: Vec<&str> = response["data"]["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["hello", "help"]);
    // The use itself is no autocomplete.
    sb.actor("alice")
        .slash_command(general, "tag get", &[("name", "help".into())]);
    ctx.settled().await;
    assert_eq!(
        lines_with(&sb, "answered an interaction: tag help").len(),
        1
    );
    running.shutdown().await.unwrap();
}
