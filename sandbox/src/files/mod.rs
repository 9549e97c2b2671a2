//! World files and scene files: a [`World`](crate::World) and a test script
//! written as TOML, so a world and what happens in it can be kept next to a
//! bot, versioned and shared, without Rust.
//!
//! - A **world file** ([`world_from_toml`], [`world_from_file`]) lists the
//!   bot's name, the users, and the guilds with their channels, roles,
//!   members and emojis. It builds the world through the public
//!   [`World`](crate::World) methods (`add_user`, `add_guild`,
//!   `add_text_channel`, `add_role`, `add_member`...), so a file and the
//!   same calls in Rust build the same world. [`world_from_toml`] documents
//!   the format.
//! - A **scene file** ([`scene_from_toml`], [`scene_from_file`]) is a list
//!   of steps run against a started [`Sandbox`](crate::Sandbox) whose bot is
//!   connected: users say things, react, join, leave, ban; faults hit the
//!   gateway or REST; `expect` steps wait for the bot's answer. [`Scene`]
//!   documents the format, [`Scene::run`] how it runs.
//!
//! Both formats reject unknown keys, and every error names the line:
//! `world.toml:14: member "carol" is not a user: add it to users = [...]`
//! ([`FileError`]; while a scene runs, [`SceneError`]).
//!
//! Examples of both are in the crate's `examples/worlds/demo.toml` and
//! `examples/scenes/ping.toml`.

pub(crate) mod scene;
pub(crate) mod world;

use std::{fmt, path::Path, time::Duration};

use serde::{Deserialize, Deserializer};

pub use self::{
    scene::{ExpectMatch, Scene, SceneError, SceneReport, scene_from_file, scene_from_toml},
    world::{world_from_file, world_from_toml},
};

/// A world file or scene file that could not be read or is not valid.
///
/// Its [`Display`](fmt::Display) starts with where: `world.toml:14: ` (the
/// file's path, or `world` / `scene` for text that came from no file, and
/// the 1-based line when known), then what is wrong and what to do.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.render())]
pub struct FileError {
    origin: String,
    line: Option<usize>,
    message: String,
    #[source]
    source: Option<std::io::Error>,
}

impl FileError {
    /// An error at a line of `origin`.
    pub(crate) fn at(origin: &str, line: usize, message: impl Into<String>) -> Self {
        Self {
            origin: origin.to_owned(),
            line: Some(line),
            message: message.into(),
            source: None,
        }
    }

    /// An error at the byte `offset` of `text`.
    pub(crate) fn at_offset(
        origin: &str,
        text: &str,
        offset: usize,
        message: impl Into<String>,
    ) -> Self {
        Self::at(origin, line_of(text, offset), message)
    }

    /// A TOML syntax or type error from the `toml` crate.
    pub(crate) fn toml(origin: &str, text: &str, error: &toml::de::Error) -> Self {
        Self {
            origin: origin.to_owned(),
            line: error.span().map(|span| line_of(text, span.start)),
            message: error.message().trim_end().to_owned(),
            source: None,
        }
    }

    /// The file could not be read.
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        Self {
            origin: path.display().to_string(),
            line: None,
            message: format!("cannot read the file: {source}"),
            source: Some(source),
        }
    }

    /// The file's path, or `world` / `scene` for text read from no file.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The 1-based line the error is at, when known.
    pub fn line(&self) -> Option<usize> {
        self.line
    }

    /// What is wrong (without the origin and line).
    pub fn message(&self) -> &str {
        &self.message
    }

    fn render(&self) -> String {
        match self.line {
            Some(line) => format!("{}:{line}: {}", self.origin, self.message),
            None => format!("{}: {}", self.origin, self.message),
        }
    }
}

/// Reads a file as UTF-8 text.
pub(crate) fn read(path: &Path) -> Result<String, FileError> {
    std::fs::read_to_string(path).map_err(|e| FileError::io(path, e))
}

/// The 1-based line of the byte `offset` of `text`.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// A duration written as a string with a unit: `"500ms"`, `"5s"`, `"1.5s"`,
/// `"2m"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Dur(pub(crate) Duration);

impl Dur {
    /// Parses `"500ms"`, `"5s"`, `"1.5s"`, `"2m"`.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let split = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(text.len());
        let (number, unit) = text.split_at(split);
        let scale = match unit.trim() {
            "ms" => 0.001,
            "s" => 1.0,
            "m" => 60.0,
            _ => {
                return Err(format!(
                    "invalid duration {text:?}: write a number and a unit, ms, s or m (\"500ms\", \
                     \"5s\", \"2m\")"
                ));
            }
        };
        let value: f64 = number.parse().map_err(|_| {
            format!("invalid duration {text:?}: {number:?} is not a number (\"500ms\", \"5s\")")
        })?;
        Duration::try_from_secs_f64(value * scale)
            .map(Self)
            .map_err(|_| format!("invalid duration {text:?}: out of range"))
    }
}

impl<'de> Deserialize<'de> for Dur {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Dur;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration string such as \"500ms\", \"5s\" or \"2m\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Dur, E> {
                Dur::parse(v).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

/// Formats a list of names for "did you mean" style hints: `["a", "b"]`,
/// cut after a few.
pub(crate) fn names_hint<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    const MAX: usize = 12;
    let names: Vec<&str> = names.into_iter().collect();
    let shown: Vec<String> = names.iter().take(MAX).map(|n| format!("{n:?}")).collect();
    let more = names.len().saturating_sub(MAX);
    if more > 0 {
        format!("[{}, and {more} more]", shown.join(", "))
    } else {
        format!("[{}]", shown.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(Dur::parse("500ms").unwrap().0, Duration::from_millis(500));
        assert_eq!(Dur::parse("5s").unwrap().0, Duration::from_secs(5));
        assert_eq!(Dur::parse("1.5s").unwrap().0, Duration::from_millis(1500));
        assert_eq!(Dur::parse("2m").unwrap().0, Duration::from_secs(120));
        assert_eq!(Dur::parse(" 3 s ").unwrap().0, Duration::from_secs(3));
        assert!(Dur::parse("5").unwrap_err().contains("unit"));
        assert!(Dur::parse("5h").unwrap_err().contains("unit"));
        assert!(Dur::parse("s").unwrap_err().contains("not a number"));
        assert!(Dur::parse("1.2.3s").unwrap_err().contains("not a number"));
    }

    #[test]
    fn lines() {
        let text = "a\nb\nc";
        assert_eq!(line_of(text, 0), 1);
        assert_eq!(line_of(text, 2), 2);
        assert_eq!(line_of(text, 4), 3);
        assert_eq!(line_of(text, 99), 3);
    }

    #[test]
    fn file_error_display() {
        let e = FileError::at("world.toml", 14, "member \"carol\" is not a user");
        assert_eq!(
            e.to_string(),
            "world.toml:14: member \"carol\" is not a user"
        );
        assert_eq!(e.line(), Some(14));
        assert_eq!(e.origin(), "world.toml");
    }

    /// The example files in `sandbox/examples/` parse, so they never rot.
    #[test]
    fn example_files_parse() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
        let world = world_from_file(&dir.join("worlds/demo.toml")).unwrap();
        let scene = scene_from_file(&dir.join("scenes/ping.toml")).unwrap();
        assert_eq!(scene.step_count(), 2);
        assert!(scene.origin().ends_with("ping.toml"));
        scene.check(&world).unwrap();

        let big = world
            .guild(world.guild_id("Big Guild").unwrap().get())
            .unwrap();
        assert_eq!(big.members.len(), 303);

        // "Herald Test" is World::demo's guild.
        let demo = crate::World::demo();
        let describe = |w: &crate::World| {
            let g = w.guild(w.guild_id("Herald Test").unwrap().get()).unwrap();
            let user = |id: u64| w.user_rec(id).unwrap().name.clone();
            let role = |id: u64| g.roles.iter().find(|r| r.id == id).unwrap().name.clone();
            let mut members: Vec<(String, Vec<String>)> = g
                .members
                .iter()
                .map(|m| (user(m.user_id), m.roles.iter().map(|&r| role(r)).collect()))
                .collect();
            members.sort();
            format!(
                "{:?}",
                (
                    g.channels
                        .iter()
                        .map(|c| (&c.name, c.kind))
                        .collect::<Vec<_>>(),
                    g.roles
                        .iter()
                        .map(|r| (&r.name, r.permissions))
                        .collect::<Vec<_>>(),
                    members,
                    g.owner_id.map(user),
                    g.emojis.iter().map(|e| &e.name).collect::<Vec<_>>(),
                )
            )
        };
        assert_eq!(describe(&world), describe(&demo));
        let mut users = world.user_names();
        users.retain(|u| !u.starts_with("member-"));
        assert_eq!(users, demo.user_names());
    }
}
