//! With no token in the environment, a bot that opted into the embedded sandbox runs on it, plays
//! its scene, prints the transcript and stops by itself; one that did not fails, naming the
//! variable.

use herald::prelude::*;
use herald::testing::ContextExt as _;

#[listener]
async fn greet(ctx: Context, msg: &MessageCreate) -> herald::Result {
    if msg.content == "hello" {
        ctx.http()
            .create_message(msg.channel_id)
            .content(&format!("hello, {}!", msg.author.name))
            .await?;
    }
    Ok(())
}

#[tokio::test]
async fn no_token_runs_the_scene_on_the_embedded_sandbox() {
    let var = "HERALD_TEST_TOKEN_THAT_IS_NEVER_SET";
    assert!(std::env::var(var).is_err());
    let (done, finished) = tokio::sync::oneshot::channel();
    let result = Bot::builder()
        .token_from_env(var)
        .embedded_sandbox(herald::sandbox::Sandbox::builder())
        .listener(greet)
        .add_intents(Intents::MESSAGE_CONTENT)
        .scene(move |ctx: Context| async move {
            let sandbox = ctx
                .sandbox()
                .expect("the scene runs on the sandbox")
                .clone();
            sandbox
                .actor("alice")
                .say(sandbox.channel("general"), "hello");
            ctx.settled().await;
            let _ = done.send(sandbox.transcript());
            Ok(())
        })
        .run()
        .await;
    result.expect("the bot stops cleanly after the scene");
    let transcript = finished.await.unwrap();
    assert!(
        transcript.contains(&"alice in #general: hello".to_owned()),
        "{transcript:#?}"
    );
    assert!(
        transcript.contains(&"herald-bot in #general: hello, alice!".to_owned()),
        "{transcript:#?}"
    );
}

/// A deployment whose secret is missing fails at once, naming the variable, instead of running
/// on a fake Discord.
#[tokio::test]
async fn no_token_without_the_opt_in_is_an_error_naming_the_variable() {
    let var = "HERALD_TEST_TOKEN_THAT_IS_NEVER_SET_EITHER";
    assert!(std::env::var(var).is_err());
    let error = Bot::builder()
        .token_from_env(var)
        .listener(greet)
        .add_intents(Intents::MESSAGE_CONTENT)
        .run()
        .await
        .expect_err("no token, no opt-in");
    assert!(
        matches!(&error, Error::MissingToken { var: Some(v) } if v == var),
        "{error:?}"
    );
    let text = error.to_string();
    assert!(
        text.starts_with(&format!("{var} is not set")) && text.contains(".embedded_sandbox("),
        "{text}"
    );
    // What `fn main() -> Result<(), Error>` prints: the message, not the variant's fields.
    assert_eq!(format!("{error:?}"), text);
}

/// A scene that fails, or panics (a refused sandbox action panics), still stops the bot, and
/// `run` reports it.
#[tokio::test]
async fn a_failing_or_panicking_scene_stops_the_bot_and_is_reported() {
    let sb = herald::sandbox::Sandbox::start().await.unwrap();
    let result = Bot::builder()
        .sandbox(&sb)
        .scene(|_ctx: Context| async { Err("the scene went wrong".into()) })
        .run()
        .await;
    let error = result.expect_err("the scene failed");
    assert!(matches!(error, Error::Scene(_)), "{error}");
    assert_eq!(
        error.to_string(),
        "the sandbox scene failed: the scene went wrong"
    );

    let sb = herald::sandbox::Sandbox::start().await.unwrap();
    let result = Bot::builder()
        .sandbox(&sb)
        .scene(|ctx: Context| async move {
            let sandbox = ctx.sandbox().unwrap();
            sandbox.actor("nobody-by-this-name");
            Ok(())
        })
        .run()
        .await;
    let error = result.expect_err("the scene panicked");
    assert!(
        error.to_string().contains("panicked") && error.to_string().contains("nobody-by-this-name"),
        "{error}"
    );
}

/// What a bot that depends on herald compiles: the sandbox only with the `sandbox` feature.
#[test]
fn a_production_build_does_not_compile_the_sandbox() {
    let tree = |features: &[&str]| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let output = std::process::Command::new(cargo)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args([
                "tree",
                "--offline",
                "-p",
                "herald",
                "-e",
                "normal",
                "--prefix",
                "none",
            ])
            .args(features)
            .output()
            .expect("cargo tree runs");
        assert!(output.status.success(), "{output:?}");
        String::from_utf8(output.stdout).unwrap()
    };
    let default = tree(&[]);
    assert!(default.contains("herald-framework"), "{default}");
    assert!(!default.contains("herald-sandbox"), "{default}");
    assert!(tree(&["--features", "sandbox"]).contains("herald-sandbox"));
}
