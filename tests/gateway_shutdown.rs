//! Shutdown: waiters and streams end first, so listeners waiting on them finish at once; SIGTERM
//! and SIGINT shut a bot process down gracefully (close 1000, running listeners finish, exit 0);
//! a second signal exits at once.

#[path = "common/bot.rs"]
mod bot;
#[path = "common/child.rs"]
mod child;

use std::sync::Mutex;
use std::time::Duration;

use bot::WAIT;
use herald::prelude::*;
use herald::sandbox::Sandbox;
use herald::testing::ContextExt as _;

/// What `ask` got from its waiter and stream.
static OUTCOMES: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Waits 30 s for a reaction, and streams them too.
#[listener]
async fn ask(ctx: Context, msg: &MessageCreate) -> herald::Result {
    if msg.content != "!ask" {
        return Ok(());
    }
    let mut stream = ctx.stream::<ReactionAdd>().register();
    let waited = ctx
        .wait_for::<ReactionAdd>()
        .timeout(Duration::from_secs(30))
        .await;
    let outcome = |result: Result<_, Error>| match result {
        Ok(_) => "a reaction".to_owned(),
        Err(error) => error.to_string(),
    };
    let mut outcomes = vec![format!("waiter: {}", outcome(waited))];
    let next = stream.next().await;
    outcomes.push(format!(
        "stream: {}",
        if next.is_some() {
            "a reaction"
        } else {
            "ended"
        }
    ));
    // A waiter made while shutting down ends at once too.
    let late = ctx.wait_for::<ReactionAdd>().await;
    outcomes.push(format!("late waiter: {}", outcome(late)));
    *OUTCOMES.lock().unwrap() = outcomes;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiters_end_first_so_waiting_listeners_finish_at_once() {
    let sb = Sandbox::start().await.unwrap();
    let running = bot::start(
        &sb,
        Bot::builder()
            .add_intents(Intents::MESSAGE_CONTENT)
            .waits_for::<ReactionAdd>()
            .shutdown_timeout(Duration::from_secs(10))
            .listener(ask),
    )
    .await;
    let ctx = running.context().clone();
    sb.actor("alice").say(sb.channel("general"), "!ask");
    ctx.until_waiting_for::<ReactionAdd>().await;

    // Well within the 10 s shutdown timeout: the waiter ends, the listener returns.
    tokio::time::timeout(Duration::from_secs(2), running.shutdown())
        .await
        .expect("shutdown does not wait out the listener's 30 s waiter")
        .unwrap();
    assert_eq!(
        *OUTCOMES.lock().unwrap(),
        [
            "waiter: the bot shut down while waiting for `reaction_add`",
            "stream: ended",
            "late waiter: the bot shut down while waiting for `reaction_add`",
        ]
    );
    assert_eq!(ctx.running_listeners(), 0);
    assert_eq!(
        sb.records().client_closes().last().unwrap().code,
        Some(1000)
    );
}

/// `!slow`: says it started, works for a second, says it is done.
#[listener]
async fn slow(ctx: Context, msg: &MessageCreate) -> herald::Result {
    if msg.content != "!slow" {
        return Ok(());
    }
    let channel = msg.channel_id;
    ctx.http()
        .create_message(channel)
        .content("working")
        .await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    ctx.http().create_message(channel).content("done").await?;
    Ok(())
}

/// `!stuck`: says it started, then never finishes.
#[listener]
async fn stuck(ctx: Context, msg: &MessageCreate) -> herald::Result {
    if msg.content != "!stuck" {
        return Ok(());
    }
    ctx.http()
        .create_message(msg.channel_id)
        .content("working")
        .await?;
    std::future::pending::<()>().await;
    Ok(())
}

/// The bot process the signal tests start: runs on the embedded sandbox (its transcript on
/// stdout), where alice says what `HERALD_TEST_SAY` holds, until a signal stops it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a child process of the signal tests"]
async fn child_bot_until_signalled() {
    child::assert_child("child_bot_until_signalled");
    let say = std::env::var("HERALD_TEST_SAY").unwrap();
    Bot::builder()
        .token_from_env("HERALD_TEST_TOKEN_NEVER_SET")
        .embedded_sandbox(Sandbox::builder())
        .add_intents(Intents::MESSAGE_CONTENT)
        .shutdown_timeout(Duration::from_secs(60))
        .listener(slow)
        .listener(stuck)
        .scene(move |ctx: Context| async move {
            let sandbox = ctx.sandbox().unwrap();
            sandbox.actor("alice").say(sandbox.channel("general"), &say);
            // Acts no more: the bot runs until it is signalled.
            std::future::pending::<()>().await;
            Ok(())
        })
        .run()
        .await
        .expect("the bot stops cleanly");
}

#[test]
fn sigterm_closes_with_1000_lets_the_running_listener_finish_and_exits_0() {
    for signal in ["TERM", "INT"] {
        let mut bot = child::spawn("child_bot_until_signalled", &[("HERALD_TEST_SAY", "!slow")]);
        let mut lines = child::Lines::new(bot.stdout.take().unwrap());
        lines.until("herald-bot in #general: working", WAIT);
        child::signal(&bot, signal);
        let status = child::wait(&mut bot, WAIT);
        let seen = lines.rest(WAIT);
        assert!(
            status.success(),
            "SIG{signal}: {status}; stdout:\n{}",
            seen.join("\n")
        );
        let done = seen
            .iter()
            .position(|l| l == "herald-bot in #general: done");
        let closed = seen
            .iter()
            .position(|l| l == "[gateway] shard 0 closed its connection (1000)");
        assert!(
            done.is_some() && closed.is_some(),
            "SIG{signal}: the listener finished and the shard closed with 1000:\n{}",
            seen.join("\n")
        );
    }
}

#[test]
fn a_second_signal_exits_at_once() {
    let mut bot = child::spawn(
        "child_bot_until_signalled",
        &[("HERALD_TEST_SAY", "!stuck")],
    );
    let mut lines = child::Lines::new(bot.stdout.take().unwrap());
    lines.until("herald-bot in #general: working", WAIT);
    child::signal(&bot, "TERM");
    // The first signal closes the connection; the stuck listener keeps the bot from stopping
    // (its shutdown timeout is a minute)...
    lines.until("[gateway] shard 0 closed its connection (1000)", WAIT);
    // ...until a second signal, which exits at once, with 128 + SIGTERM.
    child::signal(&bot, "TERM");
    let status = child::wait(&mut bot, WAIT);
    assert_eq!(status.code(), Some(143), "{status}");
}

/// The bot process of the deploy test: on the parent's sandbox (`child::remote_bot`, as on any
/// remote Discord), keeping its sessions in `HERALD_TEST_SESSIONS`; prints `ready`, then
/// `seen <id>` for every message, until a signal stops it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a child process of the deploy test"]
async fn child_deploy_bot() {
    child::assert_child("child_deploy_bot");
    child::remote_bot()
        .sessions_file(std::env::var("HERALD_TEST_SESSIONS").unwrap())
        .listener(|_: &Ready| {
            println!("ready");
            async {}
        })
        .listener(
            Listener::new(|msg: &MessageCreate| {
                println!("seen {}", msg.id);
                async {}
            })
            .sequential(),
        )
        .run()
        .await
        .expect("the bot stops cleanly");
}

#[test]
fn a_deploy_by_sigterm_mid_stream_resumes_in_the_next_process_losing_nothing() {
    const N: usize = 3_000;
    let server = bot::ThreadSandbox::start(Sandbox::builder());
    let sb = server.sandbox.clone();
    let sessions = std::env::temp_dir().join(format!("herald-deploy-{}.json", std::process::id()));
    let _ = std::fs::remove_file(&sessions);
    let mut envs = child::remote_envs(&sb);
    envs.push(("HERALD_TEST_SESSIONS", sessions.display().to_string()));
    let envs: Vec<(&str, &str)> = envs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let seen_ids = |lines: &[String]| -> Vec<u64> {
        lines
            .iter()
            // The first may follow the test harness's "test child_deploy_bot ... ".
            .filter_map(|l| l.rsplit_once("seen ")?.1.parse().ok())
            .collect()
    };

    let mut old = child::spawn("child_deploy_bot", &envs);
    let mut old_lines = child::Lines::new(old.stdout.take().unwrap());
    old_lines.until("ready", WAIT);
    // alice keeps talking through the deploy.
    let talker = sb.clone();
    let talking = std::thread::spawn(move || {
        let (alice, general) = (talker.actor("alice"), talker.channel("general"));
        (0..N)
            .map(|n| {
                if n % 10 == 0 {
                    std::thread::sleep(Duration::from_millis(1));
                }
                alice.say(general, &format!("message {n}")).get()
            })
            .collect::<Vec<u64>>()
    });
    for _ in 0..N / 4 {
        old_lines.until("seen ", WAIT);
    }
    child::signal(&old, "TERM");
    let status = child::wait(&mut old, WAIT);
    let old_seen = seen_ids(old_lines.rest(WAIT));
    assert!(status.success(), "{status}");
    assert!(sessions.exists(), "the old process kept its session");

    let mut new = child::spawn("child_deploy_bot", &envs);
    let mut new_lines = child::Lines::new(new.stdout.take().unwrap());
    let sent = talking.join().unwrap();
    new_lines.until(&format!("seen {}", sent[N - 1]), WAIT);
    child::signal(&new, "TERM");
    assert!(child::wait(&mut new, WAIT).success());
    let new_seen = seen_ids(new_lines.rest(WAIT));
    let _ = std::fs::remove_file(&sessions);

    assert!(
        old_seen.len() < N,
        "stopped mid-stream ({} of {N})",
        old_seen.len()
    );
    let seen: Vec<u64> = old_seen.iter().chain(&new_seen).copied().collect();
    let missing: Vec<usize> = (0..N).filter(|&i| !seen.contains(&sent[i])).collect();
    assert_eq!(
        seen.len(),
        N,
        "every message exactly once: missing {missing:?}, the old process saw {}",
        old_seen.len()
    );
    assert!(seen == sent, "in order");
    let closes: Vec<_> = sb
        .records()
        .client_closes()
        .iter()
        .map(|c| c.code)
        .collect();
    assert_eq!(
        closes[0],
        Some(4000),
        "the old process kept its session: {closes:?}"
    );
    assert_eq!(
        sb.records().identifies().len(),
        1,
        "no identify spent by the deploy"
    );
    let resumes = sb.records().resumes();
    assert!(resumes.len() == 1 && resumes[0].accepted, "{resumes:?}");
}
