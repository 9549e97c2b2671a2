//! Captures what herald logs through `tracing` (a process-wide subscriber, installed once per
//! test binary), for tests that check herald's warnings and errors. Each test looks for its own
//! listener names, so tests of one binary may share it.
#![allow(dead_code, unreachable_pub)]

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use tokio::sync::Notify;

/// Everything logged so far, and a wake-up per write.
#[derive(Default)]
pub struct Logs {
    text: Mutex<String>,
    written: Notify,
}

#[derive(Clone)]
struct Writer(Arc<Logs>);

impl std::io::Write for Writer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .text
            .lock()
            .unwrap()
            .push_str(&String::from_utf8_lossy(buf));
        self.0.written.notify_waiters();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The captured logs (`INFO` and above, with their spans), installing the subscriber on first
/// use.
pub fn logs() -> Arc<Logs> {
    static LOGS: OnceLock<Arc<Logs>> = OnceLock::new();
    Arc::clone(LOGS.get_or_init(|| {
        let logs = Arc::new(Logs::default());
        let writer = Writer(Arc::clone(&logs));
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::INFO)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .init();
        logs
    }))
}

impl Logs {
    /// The lines logged so far that contain `needle`.
    pub fn lines_with(&self, needle: &str) -> Vec<String> {
        self.text
            .lock()
            .unwrap()
            .lines()
            .filter(|line| line.contains(needle))
            .map(str::to_owned)
            .collect()
    }

    /// Waits until a line containing `needle` is logged, and returns it; panics after
    /// `timeout` with everything logged.
    pub async fn wait_for(&self, needle: &str, timeout: Duration) -> String {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let written = self.written.notified();
            tokio::pin!(written);
            written.as_mut().enable();
            if let Some(line) = self.lines_with(needle).pop() {
                return line;
            }
            if tokio::time::timeout_at(deadline, written).await.is_err() {
                panic!(
                    "no log line containing {needle:?} within {timeout:?}; logged:\n{}",
                    self.text.lock().unwrap()
                );
            }
        }
    }
}
