//! Runs a test in a child process: this test binary again, running one `#[ignore]`d test that
//! plays the child (a bot process to signal, or one whose stderr is checked).
#![allow(dead_code, unreachable_pub)]

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The environment variable that tells a child test it was started as one.
pub const CHILD: &str = "HERALD_TEST_CHILD";

/// Starts the `#[ignore]`d test `name` of this binary as a child process, stdout and stderr
/// piped, with `envs` set.
pub fn spawn(name: &str, envs: &[(&str, &str)]) -> Child {
    let exe = std::env::current_exe().expect("the test binary's path");
    Command::new(exe)
        .args([
            "--ignored",
            "--exact",
            name,
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, name)
        .envs(envs.iter().copied())
        .env_remove("DISCORD_TOKEN")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the child test starts")
}

/// What a child bot needs to connect to the parent's `sandbox` as to any remote Discord: the
/// token, REST and gateway addresses, as environment variables for [`spawn`]; the child reads
/// them with [`remote_bot`].
pub fn remote_envs(sandbox: &herald::sandbox::Sandbox) -> Vec<(&'static str, String)> {
    vec![
        ("HERALD_TEST_TOKEN", sandbox.token()),
        (
            "HERALD_TEST_REST",
            format!("http://{}", sandbox.http_proxy()),
        ),
        ("HERALD_TEST_GATEWAY", sandbox.gateway_url()),
    ]
}

/// In a child started with [`remote_envs`]: a bot builder for the parent's sandbox.
pub fn remote_bot() -> herald::BotBuilder {
    let var = |name: &str| std::env::var(name).expect("started with `remote_envs`");
    herald::Bot::builder()
        .token(var("HERALD_TEST_TOKEN"))
        .rest_proxy(var("HERALD_TEST_REST"))
        .gateway_url(var("HERALD_TEST_GATEWAY"))
}

/// Panics unless this process is the child test `name`: such tests run only from their parent.
pub fn assert_child(name: &str) {
    assert_eq!(
        std::env::var(CHILD).as_deref(),
        Ok(name),
        "`{name}` plays a child process; its parent test runs it"
    );
}

/// The lines a child writes to stdout, read on a thread of their own.
pub struct Lines {
    lines: mpsc::Receiver<String>,
    pub seen: Vec<String>,
}

impl Lines {
    pub fn new(stdout: ChildStdout) -> Self {
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Lines {
            lines,
            seen: Vec::new(),
        }
    }

    /// Reads lines until one contains `needle`; panics after `timeout` or at the end of output.
    pub fn until(&mut self, needle: &str, timeout: Duration) -> String {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(error) => panic!(
                    "no line containing {needle:?} ({error}); the child wrote:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// Reads every remaining line (the child has ended or is ending).
    pub fn rest(&mut self, timeout: Duration) -> &[String] {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.seen.push(line),
                Err(mpsc::RecvTimeoutError::Disconnected) => return &self.seen,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    panic!(
                        "the child's output did not end; so far:\n{}",
                        self.seen.join("\n")
                    )
                }
            }
        }
    }
}

/// Sends `signal` (`"TERM"`, `"INT"`) to the child.
pub fn signal(child: &Child, signal: &str) {
    let status = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(child.id().to_string())
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -{signal} failed");
}

/// Waits for the child to exit, at most `timeout`.
pub fn wait(child: &mut Child, timeout: Duration) -> std::process::ExitStatus {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().expect("the child can be waited for") {
            return status;
        }
        if std::time::Instant::now() >= deadline {
            let _ = child.kill();
            panic!("the child did not exit within {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
