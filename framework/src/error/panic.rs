//! [`Panicked`]: the error a panic of user code is reported with.

use std::any::Any;
use std::backtrace::Backtrace;
use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

/// The error a panicking listener (or check, hook, scene) is reported with: the panic's message,
/// where it happened, and a backtrace when `RUST_BACKTRACE` asked for one.
///
/// Its `Display` reads like Rust's own: `panicked at src/main.rs:12:9: index out of bounds`.
/// herald prints it once, with the listener and event; the process panic hook does not print
/// it too.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Panicked {
    /// The panic message (`"<non-string panic payload>"` when it was not a string).
    pub message: String,
    /// Where it panicked.
    pub location: Option<PanicLocation>,
    backtrace: Option<Arc<Backtrace>>,
}

/// Where a panic happened: `src/main.rs:12:9`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PanicLocation {
    /// The source file.
    pub file: String,
    /// The line, from 1.
    pub line: u32,
    /// The column, from 1.
    pub column: u32,
}

impl fmt::Display for PanicLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

impl Panicked {
    pub(crate) fn new(
        payload: Box<dyn Any + Send>,
        location: Option<PanicLocation>,
        backtrace: Option<Arc<Backtrace>>,
    ) -> Self {
        let message = match payload.downcast::<String>() {
            Ok(s) => *s,
            Err(payload) => match payload.downcast::<&'static str>() {
                Ok(s) => (*s).to_owned(),
                Err(_) => "<non-string panic payload>".to_owned(),
            },
        };
        Panicked {
            message,
            location,
            backtrace,
        }
    }

    /// The backtrace captured at the panic, when `RUST_BACKTRACE` (or `RUST_LIB_BACKTRACE`) asked
    /// for one.
    pub fn backtrace(&self) -> Option<&Backtrace> {
        self.backtrace.as_deref()
    }
}

impl fmt::Display for Panicked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(location) => write!(f, "panicked at {location}: {}", self.message),
            None => write!(f, "panicked: {}", self.message),
        }
    }
}

impl StdError for Panicked {}

impl Panicked {
    /// The backtrace cut to the frames from the panic to the listener; `None` without one.
    pub(crate) fn short_backtrace(&self) -> Option<String> {
        self.backtrace().map(short_backtrace)
    }
}

/// A backtrace's frames from the panic to the listener, as Rust's own short backtraces: the frames
/// of the panic machinery (above) and of herald and tokio calling the listener (below) left out.
fn short_backtrace(backtrace: &Backtrace) -> String {
    /// Frames of the panic machinery, above the code that panicked.
    const PANICKING: [&str; 6] = [
        "core::panicking::",
        "rust_begin_unwind",
        "std::panicking::begin_panic",
        "std::panicking::panic_",
        "__rust_end_short_backtrace",
        "herald_framework::isolate::install_panic_hook",
    ];
    /// Frames of herald calling user code, below it.
    const CALLERS: [&str; 3] = [
        "herald_framework::isolate::catch",
        "herald_framework::listener::handler::",
        "herald_framework::router::",
    ];
    let text = backtrace.to_string();
    let mut frames: Vec<(&str, Vec<&str>)> = Vec::new();
    for line in text.lines() {
        let line = line.trim_start();
        match line.split_once(": ") {
            Some((number, name))
                if !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) =>
            {
                frames.push((name, Vec::new()));
            }
            _ => {
                if let Some((_, lines)) = frames.last_mut() {
                    lines.push(line);
                }
            }
        }
    }
    let end = frames
        .iter()
        .position(|(name, _)| CALLERS.iter().any(|c| name.contains(c)))
        .unwrap_or(frames.len());
    let start = frames[..end]
        .iter()
        .rposition(|(name, _)| PANICKING.iter().any(|p| name.contains(p)))
        .map_or(0, |i| i + 1);
    if start >= end {
        return text;
    }
    let mut short = String::new();
    for (i, (name, lines)) in frames[start..end].iter().enumerate() {
        short.push_str(&format!("{i:>4}: {name}\n"));
        for line in lines {
            short.push_str(&format!("             {line}\n"));
        }
    }
    short.push_str("note: the frames of the panic machinery, herald and tokio are left out");
    short
}
