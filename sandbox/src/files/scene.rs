//! Scene files: a test script written as TOML, run against a started
//! [`Sandbox`]. The format is documented on [`Scene`].

use std::{
    collections::HashSet,
    fmt,
    panic::{AssertUnwindSafe, catch_unwind},
    path::Path,
    time::{Duration, Instant},
};

use serde::Deserialize;
use toml::Spanned;
use twilight_model::id::{
    Id,
    marker::{ChannelMarker, GuildMarker, MessageMarker, UserMarker},
};

use super::{Dur, FileError, line_of, names_hint, read};
use crate::{
    OptionValue,
    core::{
        faults::{Fault, RestFault, validate_close_code},
        records::StoredMessage,
        state::State,
        world::{CHANNEL_STAGE, CHANNEL_VOICE, World},
    },
    error::SandboxError,
    features::interactions::option_refs,
    sandbox::Sandbox,
};

/// How long [`Scene::run`] waits for the bot by default.
const DEFAULT_READY_TIMEOUT: Duration = Duration::from_secs(30);

/// How long an `expect` step waits by default.
const DEFAULT_WITHIN: Duration = Duration::from_secs(10);

/// The advertised wait of a `rest_fault` with status 429 by default.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(1);

/// How many of a channel's last messages a failed `expect` lists.
const LAST_MESSAGES: usize = 5;

/// A scene: steps that play users and faults against a running
/// [`Sandbox`] and check what the bot answers. Read one with
/// [`scene_from_toml`] or [`scene_from_file`]; run it with
/// [`run`](Self::run).
///
/// # Format
///
/// ```toml
/// # How long `run` waits for the bot to connect (optional, default "30s"),
/// # and for how many shards (optional, default 1).
/// ready_timeout = "30s"
/// shards = 1
///
/// # Each [[steps]] table holds exactly one action.
/// [[steps]]
/// # A user posts in a channel (Actor::say).
/// say = { user = "alice", channel = "general", text = "!ping" }
///
/// [[steps]]
/// # The bot posts a message containing the text in the channel (over
/// # REST) within the time (optional, default "10s"), counted from the
/// # step's start. Messages from before the scene, and messages an
/// # earlier `expect` matched, do not count.
/// expect = { channel = "general", contains = "pong", within = "5s" }
///
/// [[steps]]
/// # Sleep. Durations are strings with a unit: "500ms", "1.5s", "2m".
/// wait = "500ms"
///
/// [[steps]]
/// # React to the channel's last message (Actor::react): a unicode emoji,
/// # or the name of a custom emoji of the world.
/// react = { user = "alice", channel = "general", emoji = "👍" }
///
/// [[steps]]
/// join = { user = "dave", guild = "Herald Test" }      # Actor::join
/// [[steps]]
/// leave = { user = "dave", guild = "Herald Test" }     # Actor::leave
/// [[steps]]
/// # `by` bans `user` (Actor::ban); `reason` is optional. `kick` takes the
/// # same keys (Actor::kick), `unban` all but `reason` (Actor::unban).
/// ban = { user = "bob", guild = "Herald Test", by = "mod", reason = "spam" }
///
/// [[steps]]
/// # A user runs a slash command (Actor::slash_command); options are
/// # strings, integers, numbers or booleans. The name may be a path: a
/// # subcommand ("tag add") or a subcommand in a group ("tag admin reset").
/// command = { user = "alice", channel = "general", name = "roll", options = { sides = 6 } }
///
/// [[steps]]
/// # A user types `text` in the option `focused` of a slash command (a
/// # name or a path, as for `command`), with the other options filled in
/// # (optional), and the bot is asked for suggestions
/// # (Actor::autocomplete).
/// autocomplete = { user = "alice", channel = "general", name = "tag show", focused = "name", text = "fa" }
///
/// [[steps]]
/// # A user uses the user context menu command `name` on the user
/// # `target` (Actor::user_command).
/// user_command = { user = "alice", channel = "general", name = "Warn user", target = "bob" }
///
/// [[steps]]
/// # A user uses the message context menu command `name` on a message of
/// # the channel (Actor::message_command): `message` is -1 for the newest
/// # (the default), -2 for the one before it, ..., or a message id.
/// message_command = { user = "alice", channel = "general", name = "Bookmark", message = -1 }
///
/// [[steps]]
/// # A user clicks the button `custom_id` on the newest message of the
/// # channel that has it (Actor::click_button).
/// click = { user = "alice", channel = "general", custom_id = "reroll" }
///
/// [[steps]]
/// # A gateway fault on the live connection of a shard (optional, default
/// # 0), through ShardHandle: kind "reconnect" (op 7), "invalid_session"
/// # (op 9, with `resumable = true|false`, default false), "zombie",
/// # "drop" (TCP without a close frame), "close" (with `code`, default
/// # 4000), "malformed_frame" or "request_heartbeat" (op 1).
/// fault = { shard = 0, kind = "reconnect" }
///
/// [[steps]]
/// # The next `times` (optional, default 1) REST requests of `method`
/// # (optional, default "*": any) on a path starting with `path` fail
/// # (Faults::rest): status 429 is a rate limit (RestFault::RateLimited,
/// # with `retry_after`, default "1s"), 5xx a server error
/// # (RestFault::ServerError), other statuses a Discord API error
/// # (RestFault::ApiError, with `code` and `message`; 403 defaults to
/// # 50013 "Missing Permissions").
/// rest_fault = { method = "POST", path = "/channels/", status = 500, times = 1 }
/// ```
///
/// Channels are found by name (a leading `#` is allowed) in the whole
/// world, the first guild's first; `say`, `react` and `expect` take an
/// optional `guild = "..."` to pick another guild's channel of the same
/// name (and so do `command`, `click`, `autocomplete`, `user_command` and
/// `message_command`). Unknown keys, a step without an action or with two,
/// bad durations, fault kinds and statuses, command names of more than
/// three words are errors when the file is read
/// ([`FileError`], with the line). Names of users, channels and guilds are
/// looked up when the step runs, since the bot may create channels while
/// the scene runs; [`check`](Self::check) looks them up in a [`World`]
/// beforehand.
#[derive(Clone, Debug)]
pub struct Scene {
    origin: String,
    ready_timeout: Duration,
    shards: u32,
    steps: Vec<Step>,
}

#[derive(Clone, Debug)]
struct Step {
    /// 1-based line of the step's action.
    line: usize,
    action: Action,
}

#[derive(Clone, Debug)]
enum Action {
    Say {
        user: String,
        channel: ChannelRef,
        text: String,
    },
    Expect {
        channel: ChannelRef,
        contains: String,
        within: Duration,
    },
    Wait(Duration),
    React {
        user: String,
        channel: ChannelRef,
        emoji: String,
    },
    Join {
        user: String,
        guild: String,
    },
    Leave {
        user: String,
        guild: String,
    },
    Ban {
        user: String,
        guild: String,
        by: String,
        reason: String,
    },
    Kick {
        user: String,
        guild: String,
        by: String,
        reason: String,
    },
    Unban {
        user: String,
        guild: String,
        by: String,
    },
    Command {
        user: String,
        channel: ChannelRef,
        name: String,
        options: Vec<(String, OptionValue)>,
    },
    Click {
        user: String,
        channel: ChannelRef,
        custom_id: String,
    },
    Autocomplete {
        user: String,
        channel: ChannelRef,
        name: String,
        options: Vec<(String, OptionValue)>,
        focused: String,
        text: String,
    },
    UserCommand {
        user: String,
        channel: ChannelRef,
        name: String,
        target: String,
    },
    MessageCommand {
        user: String,
        channel: ChannelRef,
        name: String,
        message: MessageRef,
    },
    Fault {
        shard: u32,
        fault: Fault,
    },
    RestFault {
        method: String,
        path: String,
        fault: RestFault,
    },
}

/// A message of a channel, for `message_command`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MessageRef {
    /// The newest message but this many (0: the newest).
    FromNewest(usize),
    /// A message id.
    Id(u64),
}

/// A channel by name, optionally in a named guild.
#[derive(Clone, Debug)]
pub(crate) struct ChannelRef {
    name: String,
    guild: Option<String>,
}

impl ChannelRef {
    pub(crate) fn new(name: String, guild: Option<String>) -> Self {
        let name = name.strip_prefix('#').map(str::to_owned).unwrap_or(name);
        Self { name, guild }
    }
}

/// What a scene did: returned by [`Scene::run`] when every step ran and
/// every `expect` matched.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SceneReport {
    /// How many steps ran (all of them).
    pub steps_run: usize,
    /// The message each `expect` step matched, in step order.
    pub expectations: Vec<ExpectMatch>,
    /// How long the scene took, the wait for the bot included.
    pub elapsed: Duration,
}

impl fmt::Display for SceneReport {
    /// `3 steps in 1.204s; step 2 (line 5) matched "pong" after 12ms`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} steps in {:.3?}", self.steps_run, self.elapsed)?;
        for m in &self.expectations {
            write!(
                f,
                "; step {} (line {}) matched {:?} after {:.3?}",
                m.step, m.line, m.message.content, m.after
            )?;
        }
        Ok(())
    }
}

/// The message an `expect` step matched.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ExpectMatch {
    /// The step's number (1-based).
    pub step: usize,
    /// The step's line in the scene file.
    pub line: usize,
    /// The text the step expected.
    pub contains: String,
    /// The bot's message that contained it.
    pub message: StoredMessage,
    /// How long after the step started the message was seen.
    pub after: Duration,
}

/// Why a [`Scene`] stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SceneError {
    /// The bot did not connect (READY or RESUMED on enough shards) within
    /// the scene's `ready_timeout`.
    #[error(
        "the scene waited {waited:?} for the bot to connect, in vain: {what} (start the bot's \
         shards before running the scene, or raise ready_timeout)"
    )]
    NotReady {
        /// How long it waited.
        waited: Duration,
        /// What it waited for and what the sandbox saw.
        what: String,
    },
    /// An `expect` step saw no matching message in time.
    #[error("scene step {step} (line {line}): {what}")]
    Expectation {
        /// The step's number (1-based).
        step: usize,
        /// The step's line in the scene file.
        line: usize,
        /// What was expected, and what the bot said instead.
        what: String,
    },
    /// A step could not run: an unknown user, channel or guild, an action
    /// Discord would refuse (leaving a guild one is not in...), or a fault
    /// aimed at a shard without a live connection.
    #[error("scene step {step} (line {line}): {what}")]
    Step {
        /// The step's number (1-based).
        step: usize,
        /// The step's line in the scene file.
        line: usize,
        /// What went wrong and what to do.
        what: String,
    },
}

/// Reads a scene from the text of a scene file (see [`Scene`] for the
/// format).
///
/// ```
/// let scene = herald_sandbox::scene_from_toml(
///     r#"
///     [[steps]]
///     say = { user = "alice", channel = "general", text = "!ping" }
///     [[steps]]
///     expect = { channel = "general", contains = "pong", within = "5s" }
///     "#,
/// )?;
/// assert_eq!(scene.step_count(), 2);
///
/// let error = herald_sandbox::scene_from_toml("[[steps]]\nwait = \"5\"\n").unwrap_err();
/// assert_eq!(error.line(), Some(2));
/// # Ok::<(), herald_sandbox::FileError>(())
/// ```
///
/// # Errors
///
/// A [`FileError`] naming the line: TOML syntax and type errors, unknown
/// keys, a step with no action or more than one, bad durations, unknown
/// fault kinds, unsendable close codes, invalid REST fault statuses.
pub fn scene_from_toml(text: &str) -> Result<Scene, FileError> {
    parse_scene(text, "scene")
}

/// Reads a scene file (see [`Scene`] for the format); errors start with
/// the file's path: `scenes/ping.toml:4: ...`.
///
/// # Errors
///
/// A [`FileError`] if the file cannot be read or is not a valid scene.
pub fn scene_from_file(path: &Path) -> Result<Scene, FileError> {
    parse_scene(&read(path)?, &path.display().to_string())
}

// ---- the file as written ----------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScene {
    ready_timeout: Option<Dur>,
    shards: Option<Spanned<u32>>,
    #[serde(default)]
    steps: Vec<Spanned<RawStep>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    say: Option<Spanned<RawSay>>,
    expect: Option<Spanned<RawExpect>>,
    wait: Option<Spanned<Dur>>,
    react: Option<Spanned<RawReact>>,
    join: Option<Spanned<RawMembership>>,
    leave: Option<Spanned<RawMembership>>,
    ban: Option<Spanned<RawModeration>>,
    kick: Option<Spanned<RawModeration>>,
    unban: Option<Spanned<RawUnban>>,
    fault: Option<Spanned<RawFault>>,
    rest_fault: Option<Spanned<RawRestFault>>,
    command: Option<Spanned<RawCommand>>,
    click: Option<Spanned<RawClick>>,
    autocomplete: Option<Spanned<RawAutocomplete>>,
    user_command: Option<Spanned<RawUserCommand>>,
    message_command: Option<Spanned<RawMessageCommand>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCommand {
    user: String,
    channel: String,
    guild: Option<String>,
    name: String,
    #[serde(default)]
    options: toml::Table,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAutocomplete {
    user: String,
    channel: String,
    guild: Option<String>,
    name: Spanned<String>,
    #[serde(default)]
    options: toml::Table,
    focused: Spanned<String>,
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUserCommand {
    user: String,
    channel: String,
    guild: Option<String>,
    name: String,
    target: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMessageCommand {
    user: String,
    channel: String,
    guild: Option<String>,
    name: String,
    message: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClick {
    user: String,
    channel: String,
    guild: Option<String>,
    custom_id: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSay {
    user: String,
    channel: String,
    guild: Option<String>,
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExpect {
    channel: String,
    guild: Option<String>,
    contains: String,
    within: Option<Dur>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReact {
    user: String,
    channel: String,
    guild: Option<String>,
    emoji: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMembership {
    user: String,
    guild: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModeration {
    user: String,
    guild: String,
    by: String,
    #[serde(default)]
    reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUnban {
    user: String,
    guild: String,
    by: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFault {
    #[serde(default)]
    shard: u32,
    kind: Spanned<String>,
    resumable: Option<Spanned<bool>>,
    code: Option<Spanned<u16>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRestFault {
    method: Option<Spanned<String>>,
    path: Spanned<String>,
    status: Spanned<u16>,
    times: Option<Spanned<u32>>,
    retry_after: Option<Spanned<Dur>>,
    code: Option<Spanned<u32>>,
    message: Option<Spanned<String>>,
}

// ---- parsing ----------------------------------------------------------------------

fn parse_scene(text: &str, origin: &str) -> Result<Scene, FileError> {
    let raw: RawScene = toml::from_str(text).map_err(|e| FileError::toml(origin, text, &e))?;
    let err = |offset: usize, message: String| FileError::at_offset(origin, text, offset, message);
    let shards = match raw.shards {
        Some(s) if *s.get_ref() == 0 => {
            return Err(err(
                s.span().start,
                "shards = 0: the scene waits for at least one connected shard".to_owned(),
            ));
        }
        Some(s) => s.into_inner(),
        None => 1,
    };
    let mut steps = Vec::with_capacity(raw.steps.len());
    for (index, step) in raw.steps.into_iter().enumerate() {
        let number = index + 1;
        let span = step.span();
        let step = step.into_inner();
        let mut actions: Vec<(&'static str, usize, Result<Action, FileError>)> = Vec::new();
        let mut add = |key: &'static str, start: usize, action: Result<Action, FileError>| {
            actions.push((key, start, action));
        };
        if let Some(s) = step.say {
            let start = s.span().start;
            let s = s.into_inner();
            add(
                "say",
                start,
                Ok(Action::Say {
                    user: s.user,
                    channel: ChannelRef::new(s.channel, s.guild),
                    text: s.text,
                }),
            );
        }
        if let Some(e) = step.expect {
            let start = e.span().start;
            let e = e.into_inner();
            add(
                "expect",
                start,
                Ok(Action::Expect {
                    channel: ChannelRef::new(e.channel, e.guild),
                    contains: e.contains,
                    within: e.within.map_or(DEFAULT_WITHIN, |d| d.0),
                }),
            );
        }
        if let Some(w) = step.wait {
            add("wait", w.span().start, Ok(Action::Wait(w.get_ref().0)));
        }
        if let Some(c) = step.command {
            let start = c.span().start;
            let c = c.into_inner();
            let action = command_options("command", c.options)
                .and_then(|options| {
                    Ok(Action::Command {
                        user: c.user,
                        channel: ChannelRef::new(c.channel, c.guild),
                        name: command_path("command", &c.name)?,
                        options,
                    })
                })
                .map_err(|message| err(start, message));
            add("command", start, action);
        }
        if let Some(a) = step.autocomplete {
            let start = a.span().start;
            add("autocomplete", start, autocomplete(a.into_inner(), &err));
        }
        if let Some(u) = step.user_command {
            let start = u.span().start;
            let u = u.into_inner();
            add(
                "user_command",
                start,
                Ok(Action::UserCommand {
                    user: u.user,
                    channel: ChannelRef::new(u.channel, u.guild),
                    name: u.name,
                    target: u.target,
                }),
            );
        }
        if let Some(m) = step.message_command {
            let start = m.span().start;
            let m = m.into_inner();
            let message = match &m.message {
                None => Ok(MessageRef::FromNewest(0)),
                Some(n) => match *n.get_ref() {
                    0 => Err(err(
                        n.span().start,
                        "message_command: message = 0 names no message: use -1 for the \
                         channel's newest message, -2 for the one before it, ..., or a message \
                         id"
                        .to_owned(),
                    )),
                    back if back < 0 => Ok(MessageRef::FromNewest(
                        usize::try_from(back.unsigned_abs() - 1).unwrap_or(usize::MAX),
                    )),
                    id => Ok(MessageRef::Id(id.unsigned_abs())),
                },
            };
            let action = message.map(|message| Action::MessageCommand {
                user: m.user,
                channel: ChannelRef::new(m.channel, m.guild),
                name: m.name,
                message,
            });
            add("message_command", start, action);
        }
        if let Some(c) = step.click {
            let start = c.span().start;
            let c = c.into_inner();
            add(
                "click",
                start,
                Ok(Action::Click {
                    user: c.user,
                    channel: ChannelRef::new(c.channel, c.guild),
                    custom_id: c.custom_id,
                }),
            );
        }
        if let Some(r) = step.react {
            let start = r.span().start;
            let r = r.into_inner();
            add(
                "react",
                start,
                Ok(Action::React {
                    user: r.user,
                    channel: ChannelRef::new(r.channel, r.guild),
                    emoji: r.emoji,
                }),
            );
        }
        for (key, m, join) in [("join", step.join, true), ("leave", step.leave, false)] {
            if let Some(m) = m {
                let start = m.span().start;
                let RawMembership { user, guild } = m.into_inner();
                let action = if join {
                    Action::Join { user, guild }
                } else {
                    Action::Leave { user, guild }
                };
                add(key, start, Ok(action));
            }
        }
        for (key, m, ban) in [("ban", step.ban, true), ("kick", step.kick, false)] {
            if let Some(m) = m {
                let start = m.span().start;
                let RawModeration {
                    user,
                    guild,
                    by,
                    reason,
                } = m.into_inner();
                let action = if ban {
                    Action::Ban {
                        user,
                        guild,
                        by,
                        reason,
                    }
                } else {
                    Action::Kick {
                        user,
                        guild,
                        by,
                        reason,
                    }
                };
                add(key, start, Ok(action));
            }
        }
        if let Some(u) = step.unban {
            let start = u.span().start;
            let RawUnban { user, guild, by } = u.into_inner();
            add("unban", start, Ok(Action::Unban { user, guild, by }));
        }
        if let Some(f) = step.fault {
            let start = f.span().start;
            add("fault", start, fault(f.into_inner(), &err));
        }
        if let Some(f) = step.rest_fault {
            let start = f.span().start;
            add("rest_fault", start, rest_fault(f.into_inner(), &err));
        }
        if actions.len() > 1 {
            actions.sort_by_key(|(_, start, _)| *start);
            let keys: Vec<&str> = actions.iter().map(|(key, _, _)| *key).collect();
            return Err(err(
                actions[1].1,
                format!(
                    "step {number} has {} actions ({}): a step holds exactly one; start another \
                     [[steps]] for each",
                    keys.len(),
                    keys.join(", ")
                ),
            ));
        }
        let Some((_, start, action)) = actions.pop() else {
            return Err(err(
                span.start,
                format!(
                    "step {number} has no action: give it exactly one of say, expect, wait, \
                     react, join, leave, ban, kick, unban, command, autocomplete, \
                     user_command, message_command, click, fault, rest_fault"
                ),
            ));
        };
        steps.push(Step {
            line: line_of(text, start),
            action: action?,
        });
    }
    Ok(Scene {
        origin: origin.to_owned(),
        ready_timeout: raw.ready_timeout.map_or(DEFAULT_READY_TIMEOUT, |d| d.0),
        shards,
        steps,
    })
}

type ErrAt<'a> = dyn Fn(usize, String) -> FileError + 'a;

/// A command step's options (strings, integers, numbers, booleans), or
/// what is wrong with one.
fn command_options(step: &str, table: toml::Table) -> Result<Vec<(String, OptionValue)>, String> {
    table
        .into_iter()
        .map(|(name, value)| {
            let value = match value {
                toml::Value::String(s) => OptionValue::String(s),
                toml::Value::Integer(i) => OptionValue::Integer(i),
                toml::Value::Boolean(b) => OptionValue::Boolean(b),
                toml::Value::Float(f) => OptionValue::Number(f),
                other => {
                    return Err(format!(
                        "{step} option {name:?} is a {}: options are strings, integers, \
                         numbers or booleans",
                        other.type_str()
                    ));
                }
            };
            Ok((name, value))
        })
        .collect()
}

/// A slash command's name or path (`"tag add"`), checked: one to three
/// words, a leading `/` allowed.
fn command_path(step: &str, name: &str) -> Result<String, String> {
    let words: Vec<&str> = name.trim_start_matches('/').split_whitespace().collect();
    if words.is_empty() || words.len() > 3 {
        return Err(format!(
            "{step}: name {name:?} is not a command: use \"name\", \"name subcommand\" or \
             \"name group subcommand\""
        ));
    }
    Ok(words.join(" "))
}

fn autocomplete(raw: RawAutocomplete, err: &ErrAt<'_>) -> Result<Action, FileError> {
    let name_at = raw.name.span().start;
    let name = command_path("autocomplete", raw.name.get_ref()).map_err(|m| err(name_at, m))?;
    let focused_at = raw.focused.span().start;
    let focused = raw.focused.into_inner();
    if raw.options.contains_key(&focused) {
        return Err(err(
            focused_at,
            format!(
                "autocomplete: option {focused:?} is both focused and in `options`: leave it \
                 out of `options` (what the user typed in it is `text`)"
            ),
        ));
    }
    let options = command_options("autocomplete", raw.options).map_err(|m| err(name_at, m))?;
    Ok(Action::Autocomplete {
        user: raw.user,
        channel: ChannelRef::new(raw.channel, raw.guild),
        name,
        options,
        focused,
        text: raw.text,
    })
}

fn fault(raw: RawFault, err: &ErrAt<'_>) -> Result<Action, FileError> {
    let kind = raw.kind.get_ref().as_str();
    let start = raw.kind.span().start;
    if let (Some(r), false) = (&raw.resumable, kind == "invalid_session") {
        return Err(err(
            r.span().start,
            format!("fault kind {kind:?} takes no `resumable` (only \"invalid_session\" does)"),
        ));
    }
    if let (Some(c), false) = (&raw.code, kind == "close") {
        return Err(err(
            c.span().start,
            format!("fault kind {kind:?} takes no `code` (only \"close\" does)"),
        ));
    }
    let fault = match kind {
        "reconnect" => Fault::Reconnect,
        "invalid_session" => Fault::InvalidSession {
            resumable: raw.resumable.is_some_and(|r| *r.get_ref()),
        },
        "zombie" => Fault::Zombie,
        "drop" => Fault::DropTcp,
        "close" => {
            let code = raw.code.as_ref().map_or(4000, |c| *c.get_ref());
            validate_close_code(code).map_err(|e| {
                err(
                    raw.code.as_ref().map_or(start, |c| c.span().start),
                    e.to_string(),
                )
            })?;
            Fault::Close(code)
        }
        "malformed_frame" => Fault::MalformedFrame,
        "request_heartbeat" => Fault::RequestHeartbeat,
        other => {
            return Err(err(
                start,
                format!(
                    "unknown fault kind {other:?}: use \"reconnect\", \"invalid_session\", \
                     \"zombie\", \"drop\", \"close\", \"malformed_frame\" or \
                     \"request_heartbeat\""
                ),
            ));
        }
    };
    Ok(Action::Fault {
        shard: raw.shard,
        fault,
    })
}

fn rest_fault(raw: RawRestFault, err: &ErrAt<'_>) -> Result<Action, FileError> {
    let method = match &raw.method {
        Some(m) => {
            let method = m.get_ref().trim().to_ascii_uppercase();
            let known = ["*", "GET", "POST", "PUT", "PATCH", "DELETE"];
            if !known.contains(&method.as_str()) {
                return Err(err(
                    m.span().start,
                    format!(
                        "rest_fault: unknown method {:?}: use \"GET\", \"POST\", \"PUT\", \
                         \"PATCH\", \"DELETE\" or \"*\" (any)",
                        m.get_ref()
                    ),
                ));
            }
            method
        }
        None => "*".to_owned(),
    };
    let path = raw.path.get_ref().clone();
    if !path.starts_with('/') {
        return Err(err(
            raw.path.span().start,
            format!("rest_fault: path {path:?} must start with \"/\", e.g. \"/channels/\""),
        ));
    }
    let times = match &raw.times {
        Some(t) if *t.get_ref() == 0 => {
            return Err(err(
                t.span().start,
                "rest_fault: times = 0 faults nothing: use 1 or more".to_owned(),
            ));
        }
        Some(t) => *t.get_ref(),
        None => 1,
    };
    let status = *raw.status.get_ref();
    let status_at = raw.status.span().start;
    let only = |key: &str, at: Option<usize>, allowed: &str| match at {
        Some(at) => Err(err(
            at,
            format!("rest_fault: `{key}` goes with {allowed}, not with status {status}"),
        )),
        None => Ok(()),
    };
    let retry_at = raw.retry_after.as_ref().map(|r| r.span().start);
    let code_at = raw.code.as_ref().map(|c| c.span().start);
    let message_at = raw.message.as_ref().map(|m| m.span().start);
    let fault = match status {
        429 => {
            only("code", code_at, "4xx statuses other than 429")?;
            only("message", message_at, "4xx statuses other than 429")?;
            RestFault::RateLimited {
                times,
                retry_after: raw
                    .retry_after
                    .map_or(DEFAULT_RETRY_AFTER, |r| r.get_ref().0),
            }
        }
        500..=599 => {
            only("retry_after", retry_at, "status 429")?;
            only("code", code_at, "4xx statuses other than 429")?;
            only("message", message_at, "4xx statuses other than 429")?;
            RestFault::ServerError { status, times }
        }
        400..=499 => {
            only("retry_after", retry_at, "status 429")?;
            let (code, message) = match status {
                400 => (50035, "Invalid Form Body"),
                401 => (0, "401: Unauthorized"),
                403 => (50013, "Missing Permissions"),
                404 => (0, "404: Not Found"),
                _ => (0, "Error"),
            };
            RestFault::ApiError {
                status,
                code: raw.code.map_or(code, |c| c.into_inner()),
                message: raw
                    .message
                    .map_or_else(|| message.to_owned(), |m| m.into_inner()),
                times,
            }
        }
        other => {
            return Err(err(
                status_at,
                format!(
                    "rest_fault: status {other} is not an error: use 429 (rate limited), 4xx (a \
                     Discord API error) or 5xx (a server error)"
                ),
            ));
        }
    };
    Ok(Action::RestFault {
        method,
        path,
        fault,
    })
}

// ---- running ----------------------------------------------------------------------

impl Scene {
    /// Where the scene came from: its file's path, or `scene`.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// How many steps the scene has.
    pub fn step_count(&self) -> usize {
        self.steps.len()
    }

    /// How long [`run`](Self::run) waits for the bot to connect (the
    /// file's `ready_timeout`, default 30 s).
    pub fn ready_timeout(&self) -> Duration {
        self.ready_timeout
    }

    /// Looks up every user, channel and guild the steps name in `world`
    /// (e.g. the world the sandbox will start with), to find typos before
    /// running. [`run`](Self::run) does not call it: names are looked up
    /// when each step runs, as the bot may create channels meanwhile.
    ///
    /// # Errors
    ///
    /// [`SceneError::Step`] for the first step naming something `world`
    /// lacks, with what it has.
    pub fn check(&self, world: &World) -> Result<(), SceneError> {
        for (index, step) in self.steps.iter().enumerate() {
            let fail = |what: String| SceneError::Step {
                step: index + 1,
                line: step.line,
                what,
            };
            match &step.action {
                Action::Say { user, channel, .. }
                | Action::React { user, channel, .. }
                | Action::Command { user, channel, .. }
                | Action::Autocomplete { user, channel, .. }
                | Action::MessageCommand { user, channel, .. }
                | Action::Click { user, channel, .. } => {
                    user_id(world, user).map_err(fail)?;
                    channel_id(world, channel).map_err(fail)?;
                }
                Action::UserCommand {
                    user,
                    channel,
                    target,
                    ..
                } => {
                    user_id(world, user).map_err(fail)?;
                    channel_id(world, channel).map_err(fail)?;
                    user_id(world, target).map_err(fail)?;
                }
                Action::Expect { channel, .. } => {
                    channel_id(world, channel).map_err(fail)?;
                }
                Action::Join { user, guild } | Action::Leave { user, guild } => {
                    user_id(world, user).map_err(fail)?;
                    guild_id(world, guild).map_err(fail)?;
                }
                Action::Ban {
                    user, guild, by, ..
                }
                | Action::Kick {
                    user, guild, by, ..
                }
                | Action::Unban { user, guild, by } => {
                    user_id(world, user).map_err(fail)?;
                    user_id(world, by).map_err(fail)?;
                    guild_id(world, guild).map_err(fail)?;
                }
                Action::Wait(_) | Action::Fault { .. } | Action::RestFault { .. } => {}
            }
        }
        Ok(())
    }

    /// Runs the scene against `sb`: waits (at most the scene's
    /// `ready_timeout`) until the bot has a live gateway connection
    /// (READY or RESUMED written) on `shards` shards, then runs the steps
    /// in order, each after the previous one is done (an `expect` waits
    /// for its message, a `wait` sleeps; the other steps take effect at
    /// once, their gateway events queued before the next step).
    ///
    /// Steps map to the sandbox's API: `say` to [`Actor::say`], `react` to
    /// [`Actor::react`] on the channel's last message, `join`, `leave`,
    /// `ban`, `kick`, `unban`, `user_command`, `message_command`,
    /// `autocomplete` to the [`Actor`] methods of those names, `command` to
    /// [`Actor::slash_command`], `click` to [`Actor::click_button`],
    /// `fault` to [`ShardHandle::inject`], `rest_fault` to
    /// [`Faults::rest`], `expect` to a wait like
    /// [`Records::wait_for_message`] for a message of the bot.
    ///
    /// The bot is not driven by the scene: run the bot (its shards, its
    /// event loop) concurrently, e.g. in a spawned task or with
    /// `tokio::join!`.
    ///
    /// [`Actor::say`]: crate::Actor::say
    /// [`Actor::react`]: crate::Actor::react
    /// [`Actor`]: crate::Actor
    /// [`Actor::slash_command`]: crate::Actor::slash_command
    /// [`Actor::click_button`]: crate::Actor::click_button
    /// [`ShardHandle::inject`]: crate::ShardHandle::inject
    /// [`Faults::rest`]: crate::Faults::rest
    /// [`Records::wait_for_message`]: crate::Records::wait_for_message
    ///
    /// # Errors
    ///
    /// [`SceneError::NotReady`] if the bot did not connect in time;
    /// [`SceneError::Expectation`] for an `expect` that saw no matching
    /// message in time, with the channel's last messages;
    /// [`SceneError::Step`] for a step that could not run (an unknown
    /// name, an action Discord would refuse, a fault on a shard without a
    /// live connection). Steps after a failed one do not run.
    pub async fn run(&self, sb: &Sandbox) -> Result<SceneReport, SceneError> {
        let started = Instant::now();
        self.wait_ready(sb).await?;
        // Messages from before the scene do not count for `expect`.
        let baseline = sb
            .shared
            .lock()
            .world
            .messages
            .values()
            .filter_map(|list| list.back().map(|m| m.id))
            .max()
            .unwrap_or(0);
        let mut run = Run {
            sb,
            baseline,
            matched: HashSet::new(),
            expectations: Vec::new(),
        };
        for (index, step) in self.steps.iter().enumerate() {
            let number = index + 1;
            tracing::debug!(origin = %self.origin, step = number, line = step.line, "scene step");
            run.step(number, step).await?;
        }
        Ok(SceneReport {
            steps_run: self.steps.len(),
            expectations: run.expectations,
            elapsed: started.elapsed(),
        })
    }

    async fn wait_ready(&self, sb: &Sandbox) -> Result<(), SceneError> {
        let shards = self.shards as usize;
        sb.shared
            .wait_until(
                self.ready_timeout,
                |state| {
                    let live = live_shards(state);
                    let identifies: Vec<String> = state
                        .identifies
                        .iter()
                        .rev()
                        .take(10)
                        .map(|i| match (i.accepted(), i.rejected_with, i.throttled) {
                            (true, _, _) => format!("shard {:?} accepted", i.shard),
                            (_, Some(code), _) => format!("shard {:?} closed {code}", i.shard),
                            (_, _, Some(t)) => format!("shard {:?} throttled ({t:?})", i.shard),
                            _ => format!("shard {:?}", i.shard),
                        })
                        .collect();
                    format!(
                        "{shards} shard(s) with a live connection; live shards: {live:?}; \
                         the last identifies (newest first): {identifies:?}"
                    )
                },
                // A live connection is one that identified (READY written)
                // or resumed.
                |state| (live_shards(state).len() >= shards).then_some(()),
            )
            .await
            .map_err(|e| match e {
                SandboxError::Timeout { waited, what } => SceneError::NotReady { waited, what },
                other => SceneError::NotReady {
                    waited: self.ready_timeout,
                    what: other.to_string(),
                },
            })
    }
}

/// The shard ids with a live, authenticated connection.
fn live_shards(state: &State) -> Vec<u32> {
    let mut shards: Vec<u32> = state
        .sessions
        .iter()
        .filter(|s| s.alive && s.conn.is_some())
        .map(|s| s.shard[0])
        .collect();
    shards.sort_unstable();
    shards.dedup();
    shards
}

/// A running scene.
struct Run<'a> {
    sb: &'a Sandbox,
    /// The newest message id when the scene started.
    baseline: u64,
    /// Messages earlier `expect` steps matched.
    matched: HashSet<u64>,
    expectations: Vec<ExpectMatch>,
}

impl Run<'_> {
    async fn step(&mut self, number: usize, step: &Step) -> Result<(), SceneError> {
        let line = step.line;
        let fail = |what: String| SceneError::Step {
            step: number,
            line,
            what,
        };
        let sb = self.sb;
        match &step.action {
            Action::Say {
                user,
                channel,
                text,
            } => {
                let (user, channel) = look(sb, |world| {
                    Ok((
                        user_name(world, user)?,
                        text_channel(world, channel, "say")?,
                    ))
                })
                .map_err(fail)?;
                act(number, line, || {
                    sb.actor(&user).say(channel, text);
                })
            }
            Action::Expect {
                channel,
                contains,
                within,
            } => self.expect(number, line, channel, contains, *within).await,
            Action::Wait(duration) => {
                tokio::time::sleep(*duration).await;
                Ok(())
            }
            Action::React {
                user,
                channel,
                emoji,
            } => {
                let (user, channel, message, emoji) = look(sb, |world| {
                    let user = user_name(world, user)?;
                    let channel_id = text_channel(world, channel, "react")?;
                    let message: Id<MessageMarker> = world
                        .messages
                        .get(&channel_id.get())
                        .and_then(|list| list.back())
                        .map(|m| Id::new(m.id))
                        .ok_or_else(|| {
                            format!(
                                "react: #{} has no message to react to yet (react reacts to \
                                     the channel's last message)",
                                channel.name
                            )
                        })?;
                    // A custom emoji of the world by name, else as written.
                    let emoji = match world.emoji_id(emoji) {
                        Some(id) => format!("{emoji}:{id}"),
                        None => emoji.clone(),
                    };
                    Ok((user, channel_id, message, emoji))
                })
                .map_err(fail)?;
                act(number, line, || {
                    sb.actor(&user).react(channel, message, &emoji);
                })
            }
            Action::Command {
                user,
                channel,
                name,
                options,
            } => {
                let (user, channel) = look(sb, |world| {
                    Ok((
                        user_name(world, user)?,
                        text_channel(world, channel, "command")?,
                    ))
                })
                .map_err(fail)?;
                let options = option_refs(options);
                act(number, line, || {
                    sb.actor(&user).slash_command(channel, name, &options);
                })
            }
            Action::Autocomplete {
                user,
                channel,
                name,
                options,
                focused,
                text,
            } => {
                let (user, channel) = look(sb, |world| {
                    Ok((
                        user_name(world, user)?,
                        text_channel(world, channel, "autocomplete")?,
                    ))
                })
                .map_err(fail)?;
                let options = option_refs(options);
                act(number, line, || {
                    sb.actor(&user)
                        .autocomplete(channel, name, &options, (focused, text));
                })
            }
            Action::UserCommand {
                user,
                channel,
                name,
                target,
            } => {
                let (user, channel, target) = look(sb, |world| {
                    Ok((
                        user_name(world, user)?,
                        text_channel(world, channel, "user_command")?,
                        user_id(world, target)?,
                    ))
                })
                .map_err(fail)?;
                act(number, line, || {
                    sb.actor(&user).user_command(channel, name, target);
                })
            }
            Action::MessageCommand {
                user,
                channel,
                name,
                message,
            } => {
                let (user, channel_id, message) = look(sb, |world| {
                    let user = user_name(world, user)?;
                    let id = text_channel(world, channel, "message_command")?;
                    let message = pick_message(world, id.get(), *message, &channel.name)?;
                    Ok((user, id, message))
                })
                .map_err(fail)?;
                act(number, line, || {
                    sb.actor(&user).message_command(channel_id, name, message);
                })
            }
            Action::Click {
                user,
                channel,
                custom_id,
            } => {
                let (user, message) = look(sb, |world| {
                    let user = user_name(world, user)?;
                    let channel_id = text_channel(world, channel, "click")?;
                    let message = world
                        .messages
                        .get(&channel_id.get())
                        .and_then(|list| {
                            list.iter()
                                .rev()
                                .find(|m| m.components.iter().any(|c| has_custom_id(c, custom_id)))
                        })
                        .map(|m| Id::<MessageMarker>::new(m.id))
                        .ok_or_else(|| {
                            format!(
                                "click: no message in #{} has a component {custom_id:?} (click \
                                 clicks the newest message that has one)",
                                channel.name
                            )
                        })?;
                    Ok((user, message))
                })
                .map_err(fail)?;
                act(number, line, || {
                    sb.actor(&user).click_button(message, custom_id);
                })
            }
            Action::Join { user, guild } => {
                let (user, guild) = look(sb, |world| {
                    Ok((user_name(world, user)?, guild_id(world, guild)?))
                })
                .map_err(fail)?;
                act(number, line, || sb.actor(&user).join(guild))
            }
            Action::Leave { user, guild } => {
                let guild = look(sb, |world| {
                    let guild = guild_id(world, guild)?;
                    member_of(world, guild, user_id(world, user)?, user, "leave")?;
                    Ok(guild)
                })
                .map_err(fail)?;
                act(number, line, || sb.actor(user).leave(guild))
            }
            Action::Ban {
                user,
                guild,
                by,
                reason,
            } => {
                let (by, guild, target) = self.moderation(user, guild, by, false).map_err(fail)?;
                act(number, line, || sb.actor(&by).ban(guild, target, reason))
            }
            Action::Kick {
                user,
                guild,
                by,
                reason,
            } => {
                let (by, guild, target) = self.moderation(user, guild, by, true).map_err(fail)?;
                act(number, line, || sb.actor(&by).kick(guild, target, reason))
            }
            Action::Unban { user, guild, by } => {
                let (by, guild, target) = self.moderation(user, guild, by, false).map_err(fail)?;
                let banned = sb.is_banned(guild, target);
                if !banned {
                    return Err(fail(format!(
                        "unban: {user:?} is not banned from that guild (ban them in an earlier \
                         step)"
                    )));
                }
                act(number, line, || sb.actor(&by).unban(guild, target))
            }
            Action::Fault { shard, fault } => sb
                .shard(*shard)
                .inject(fault.clone())
                .map_err(|e| fail(format!("fault {fault:?} on shard {shard}: {e}"))),
            Action::RestFault {
                method,
                path,
                fault,
            } => {
                sb.faults().rest(method, path, fault.clone());
                Ok(())
            }
        }
    }

    /// Looks up a moderation step: the moderator's name, the guild, the
    /// target (a member when `member`).
    fn moderation(
        &self,
        user: &str,
        guild: &str,
        by: &str,
        member: bool,
    ) -> Result<(String, Id<GuildMarker>, Id<UserMarker>), String> {
        look(self.sb, |world| {
            let guild = guild_id(world, guild)?;
            let by = user_name(world, by)?;
            let target = user_id(world, user)?;
            if member {
                member_of(world, guild, target, user, "kick")?;
            }
            Ok((by, guild, target))
        })
    }

    async fn expect(
        &mut self,
        number: usize,
        line: usize,
        channel: &ChannelRef,
        contains: &str,
        within: Duration,
    ) -> Result<(), SceneError> {
        let sb = self.sb;
        let started = Instant::now();
        let (channel_id, bot) = look(sb, |world| Ok((channel_id(world, channel)?, world.bot_id)))
            .map_err(|what| SceneError::Step {
            step: number,
            line,
            what,
        })?;
        let (baseline, matched) = (self.baseline, &self.matched);
        let found = sb
            .shared
            .wait_until(
                within,
                |state| last_messages(&state.world, channel_id.get()),
                |state| {
                    state
                        .world
                        .messages
                        .get(&channel_id.get())?
                        .iter()
                        .find(|m| {
                            m.author_id == bot
                                && m.id > baseline
                                && !matched.contains(&m.id)
                                && m.content.contains(contains)
                        })
                        .map(|m| m.id)
                },
            )
            .await;
        let id = match found {
            Ok(id) => id,
            Err(error) => {
                let said = match error {
                    SandboxError::Timeout { what, .. } => what,
                    other => other.to_string(),
                };
                return Err(SceneError::Expectation {
                    step: number,
                    line,
                    what: format!(
                        "expected the bot to post a message containing {contains:?} in #{} \
                         within {within:?}; {said}",
                        channel.name
                    ),
                });
            }
        };
        let after = started.elapsed();
        self.matched.insert(id);
        let message = sb
            .records()
            .messages(channel_id)
            .into_iter()
            .find(|m| m.id.get() == id)
            .ok_or_else(|| SceneError::Expectation {
                step: number,
                line,
                what: format!(
                    "the bot's message containing {contains:?} in #{} was deleted before it \
                     could be read",
                    channel.name
                ),
            })?;
        self.expectations.push(ExpectMatch {
            step: number,
            line,
            contains: contains.to_owned(),
            message,
            after,
        });
        Ok(())
    }
}

/// The message a `message_command` step names in a channel.
fn pick_message(
    world: &World,
    channel: u64,
    message: MessageRef,
    channel_name: &str,
) -> Result<Id<MessageMarker>, String> {
    let list = world.messages.get(&channel);
    let found = match message {
        MessageRef::FromNewest(back) => list.and_then(|l| l.iter().rev().nth(back)),
        MessageRef::Id(id) => list.and_then(|l| l.iter().find(|m| m.id == id)),
    };
    found.map(|m| Id::new(m.id)).ok_or_else(|| {
        let count = list.map_or(0, |l| l.len());
        match message {
            MessageRef::FromNewest(back) => format!(
                "message_command: #{channel_name} has {count} message(s), so message = -{} \
                 names none (-1 is the newest)",
                back + 1
            ),
            MessageRef::Id(id) => format!(
                "message_command: #{channel_name} has no message {id} (was it deleted, or \
                 posted in another channel?)"
            ),
        }
    })
}

/// Whether a component (or one it holds: an action row) has `custom_id`.
fn has_custom_id(component: &serde_json::Value, custom_id: &str) -> bool {
    component
        .get("custom_id")
        .and_then(serde_json::Value::as_str)
        == Some(custom_id)
        || component
            .get("components")
            .and_then(serde_json::Value::as_array)
            .is_some_and(|inner| inner.iter().any(|c| has_custom_id(c, custom_id)))
}

/// Looks names up in the world (under the state lock, released before the
/// step acts).
fn look<T>(sb: &Sandbox, f: impl FnOnce(&World) -> Result<T, String>) -> Result<T, String> {
    f(&sb.shared.lock().world)
}

/// Runs an actor method, turning its panic (an action Discord would refuse)
/// into a [`SceneError::Step`].
fn act(step: usize, line: usize, f: impl FnOnce()) -> Result<(), SceneError> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| SceneError::Step {
        step,
        line,
        what: panic_message(&*payload),
    })
}

/// What an actor's panic says (an action Discord would refuse).
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "the action failed".to_owned())
}

// ---- name lookups (never panicking) -----------------------------------------------

pub(crate) fn user_id(world: &World, name: &str) -> Result<Id<UserMarker>, String> {
    world.user_id(name).ok_or_else(|| {
        format!(
            "no user named {name:?}; the world has {}",
            names_hint(world.users.iter().map(|u| u.name.as_str()))
        )
    })
}

/// The user's name, once it is known to exist (what `Sandbox::actor` takes).
fn user_name(world: &World, name: &str) -> Result<String, String> {
    user_id(world, name).map(|_| name.to_owned())
}

pub(crate) fn guild_id(world: &World, name: &str) -> Result<Id<GuildMarker>, String> {
    world.guild_id(name).ok_or_else(|| {
        format!(
            "no guild named {name:?}; the world has {}",
            names_hint(world.guilds.iter().map(|g| g.name.as_str()))
        )
    })
}

pub(crate) fn channel_id(world: &World, channel: &ChannelRef) -> Result<Id<ChannelMarker>, String> {
    let name = channel.name.as_str();
    match &channel.guild {
        Some(guild) => {
            let g = world
                .guild(guild_id(world, guild)?.get())
                .ok_or_else(|| format!("no guild named {guild:?}"))?;
            g.channels
                .iter()
                .chain(&g.threads)
                .find(|c| c.name == name)
                .map(|c| Id::new(c.id))
                .ok_or_else(|| {
                    format!(
                        "no channel named {name:?} in guild {guild:?}; it has {}",
                        names_hint(g.channels.iter().chain(&g.threads).map(|c| c.name.as_str()))
                    )
                })
        }
        None => world.channel_id(name).ok_or_else(|| {
            let names = world.channel_names();
            format!(
                "no channel named {name:?}; the world has {}",
                names_hint(names.iter().map(String::as_str))
            )
        }),
    }
}

/// A channel users can post in.
fn text_channel(
    world: &World,
    channel: &ChannelRef,
    action: &str,
) -> Result<Id<ChannelMarker>, String> {
    let id = channel_id(world, channel)?;
    match world.channel(id.get()).map(|c| c.kind) {
        Some(CHANNEL_VOICE | CHANNEL_STAGE) => Err(format!(
            "{action}: #{} is a voice or stage channel: use a text channel",
            channel.name
        )),
        _ => Ok(id),
    }
}

fn member_of(
    world: &World,
    guild: Id<GuildMarker>,
    user: Id<UserMarker>,
    name: &str,
    action: &str,
) -> Result<(), String> {
    if world.member(guild.get(), user.get()).is_some() {
        Ok(())
    } else {
        Err(format!(
            "{action}: {name:?} is not a member of that guild (a `join` step first?)"
        ))
    }
}

/// The channel's last messages, for a failed `expect`.
fn last_messages(world: &World, channel: u64) -> String {
    let Some(list) = world.messages.get(&channel).filter(|l| !l.is_empty()) else {
        return "the channel has no messages".to_owned();
    };
    let skip = list.len().saturating_sub(LAST_MESSAGES);
    let said: Vec<String> = list
        .iter()
        .skip(skip)
        .map(|m| {
            let author = world
                .user_rec(m.author_id)
                .map_or_else(|| m.author_id.to_string(), |u| u.name.clone());
            format!("{author}: {:?}", m.content)
        })
        .collect();
    format!(
        "the channel's last messages (oldest first): {}",
        said.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> FileError {
        match scene_from_toml(text) {
            Ok(_) => panic!("expected an error for:\n{text}"),
            Err(e) => e,
        }
    }

    const GOOD: &str = r##"
ready_timeout = "20s"
shards = 2

[[steps]]
say = { user = "alice", channel = "#general", text = "!ping" }
[[steps]]
expect = { channel = "general", contains = "pong", within = "5s" }
[[steps]]
wait = "500ms"
[[steps]]
react = { user = "alice", channel = "general", guild = "Herald Test", emoji = "👍" }
[[steps]]
join = { user = "dave", guild = "Herald Test" }
[[steps]]
leave = { user = "dave", guild = "Herald Test" }
[[steps]]
ban = { user = "bob", guild = "Herald Test", by = "mod" }
[[steps]]
kick = { user = "carol", guild = "Herald Test", by = "mod", reason = "spam" }
[[steps]]
unban = { user = "bob", guild = "Herald Test", by = "mod" }
[[steps]]
fault = { shard = 1, kind = "invalid_session", resumable = true }
[[steps]]
fault = { kind = "close" }
[[steps]]
fault = { kind = "drop" }
[[steps]]
rest_fault = { method = "post", path = "/channels/", status = 500, times = 2 }
[[steps]]
rest_fault = { path = "/guilds/", status = 429, retry_after = "100ms" }
[[steps]]
rest_fault = { method = "PUT", path = "/guilds/", status = 403 }

[[steps]]
[steps.expect]
channel = "general"
contains = "bye"
"##;

    #[test]
    fn good_scene() {
        let scene = scene_from_toml(GOOD).unwrap();
        assert_eq!(scene.origin(), "scene");
        assert_eq!(scene.ready_timeout(), Duration::from_secs(20));
        assert_eq!(scene.shards, 2);
        assert_eq!(scene.step_count(), 16);
        let lines: Vec<usize> = scene.steps.iter().map(|s| s.line).collect();
        assert_eq!(
            lines,
            [6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34, 37]
        );
        assert!(matches!(
            &scene.steps[0].action,
            Action::Say { user, channel, text }
                if user == "alice" && channel.name == "general" && channel.guild.is_none()
                    && text == "!ping"
        ));
        assert!(matches!(
            &scene.steps[1].action,
            Action::Expect { contains, within, .. }
                if contains == "pong" && *within == Duration::from_secs(5)
        ));
        assert!(matches!(
            scene.steps[2].action,
            Action::Wait(d) if d == Duration::from_millis(500)
        ));
        assert!(matches!(
            &scene.steps[3].action,
            Action::React { channel, emoji, .. }
                if channel.guild.as_deref() == Some("Herald Test") && emoji == "👍"
        ));
        assert!(matches!(&scene.steps[6].action, Action::Ban { reason, .. } if reason.is_empty()));
        assert!(matches!(&scene.steps[7].action, Action::Kick { reason, .. } if reason == "spam"));
        assert!(matches!(
            scene.steps[9].action,
            Action::Fault {
                shard: 1,
                fault: Fault::InvalidSession { resumable: true }
            }
        ));
        assert!(matches!(
            scene.steps[10].action,
            Action::Fault {
                shard: 0,
                fault: Fault::Close(4000)
            }
        ));
        assert!(matches!(
            scene.steps[11].action,
            Action::Fault {
                fault: Fault::DropTcp,
                ..
            }
        ));
        assert!(matches!(
            &scene.steps[12].action,
            Action::RestFault { method, path, fault: RestFault::ServerError { status: 500, times: 2 } }
                if method == "POST" && path == "/channels/"
        ));
        assert!(matches!(
            &scene.steps[13].action,
            Action::RestFault { method, fault: RestFault::RateLimited { times: 1, retry_after }, .. }
                if method == "*" && *retry_after == Duration::from_millis(100)
        ));
        assert!(matches!(
            &scene.steps[14].action,
            Action::RestFault {
                fault: RestFault::ApiError {
                    status: 403,
                    code: 50013,
                    ..
                },
                ..
            }
        ));
        assert!(matches!(
            &scene.steps[15].action,
            Action::Expect { within, .. } if *within == DEFAULT_WITHIN
        ));
        // Every name is in the demo world.
        scene.check(&World::demo()).unwrap();
    }

    #[test]
    fn defaults() {
        let scene = scene_from_toml("").unwrap();
        assert_eq!(scene.ready_timeout(), DEFAULT_READY_TIMEOUT);
        assert_eq!(scene.shards, 1);
        assert_eq!(scene.step_count(), 0);
    }

    #[test]
    fn syntax_and_type_errors_name_the_line() {
        let e = err("[[steps]]\nsay = { user = \"alice\", channel = \"general\" text = \"x\" }\n");
        assert_eq!(e.line(), Some(2), "{e}");
        assert!(e.to_string().starts_with("scene:2: "), "{e}");

        let e = err("[[steps]]\nwait = \"500ms\"\n[[steps]]\njoin = { user = 5, guild = \"G\" }\n");
        assert_eq!(e.line(), Some(4), "{e}");

        let e = err("[[steps]]\nsay = { user = \"alice\", channel = \"general\" }\n");
        assert_eq!(e.line(), Some(2), "{e}");
        assert!(e.message().contains("missing field `text`"), "{e}");
    }

    #[test]
    fn unknown_keys_are_errors() {
        let e = err("ready_timeout = \"1s\"\nretries = 3\n");
        assert_eq!(e.line(), Some(2), "{e}");
        assert!(e.message().contains("unknown field `retries`"), "{e}");

        let e = err("[[steps]]\n\nshout = { user = \"alice\" }\n");
        assert_eq!(e.line(), Some(3), "{e}");
        assert!(e.message().contains("unknown field `shout`"), "{e}");

        let e = err("[[steps]]\nexpect = { channel = \"general\", text = \"pong\" }\n");
        assert_eq!(e.line(), Some(2), "{e}");
        assert!(e.message().contains("unknown field `text`"), "{e}");
    }

    #[test]
    fn exactly_one_action_per_step() {
        let e = err(
            "[[steps]]\nwait = \"1s\"\n[[steps]]\nsay = { user = \"a\", channel = \"c\", text = \"t\" }\nwait = \"1s\"\n",
        );
        assert_eq!(e.line(), Some(5), "{e}");
        assert!(
            e.message().contains("step 2 has 2 actions (say, wait)"),
            "{e}"
        );

        let e = err("[[steps]]\nwait = \"1s\"\n\n[[steps]]\n\n[[steps]]\nwait = \"1s\"\n");
        assert!(e.message().contains("step 2 has no action"), "{e}");
        assert_eq!(e.line(), Some(4), "{e}");

        let e = err("steps = [{ wait = \"1s\" },\n {}]\n");
        assert_eq!(e.line(), Some(2), "{e}");
        assert!(e.message().contains("step 2 has no action"), "{e}");
    }

    #[test]
    fn bad_durations() {
        let e = err("[[steps]]\nwait = \"5\"\n");
        assert_eq!(e.line(), Some(2), "{e}");
        assert!(e.message().contains("unit"), "{e}");

        let e = err("ready_timeout = 30\n");
        assert_eq!(e.line(), Some(1), "{e}");
        assert!(e.message().contains("duration"), "{e}");

        let e = err(
            "[[steps]]\nexpect = { channel = \"g\", contains = \"x\",\n  within = \"soon\" }\n",
        );
        assert_eq!(e.line(), Some(3), "{e}");
    }

    #[test]
    fn bad_faults() {
        let e = err("[[steps]]\nfault = { shard = 0, kind = \"explode\" }\n");
        assert_eq!(e.line(), Some(2), "{e}");
        assert!(
            e.message().contains("unknown fault kind \"explode\""),
            "{e}"
        );

        let e = err("[[steps]]\nfault = { kind = \"reconnect\", resumable = true }\n");
        assert_eq!(e.line(), Some(2), "{e}");
        assert!(e.message().contains("takes no `resumable`"), "{e}");

        let e = err("[[steps]]\nfault = { kind = \"zombie\", code = 4000 }\n");
        assert!(e.message().contains("takes no `code`"), "{e}");

        let e = err("[[steps]]\nfault = { kind = \"close\", code = 1005 }\n");
        assert_eq!(e.line(), Some(2), "{e}");
        assert!(e.message().contains("1005"), "{e}");

        let e = err("[[steps]]\nrest_fault = { path = \"/channels/\", status = 200 }\n");
        assert_eq!(e.line(), Some(2), "{e}");
        assert!(e.message().contains("status 200 is not an error"), "{e}");

        let e = err("[[steps]]\nrest_fault = { path = \"channels\", status = 500 }\n");
        assert!(e.message().contains("must start with"), "{e}");

        let e = err("[[steps]]\nrest_fault = { method = \"FETCH\", path = \"/\", status = 500 }\n");
        assert!(e.message().contains("unknown method"), "{e}");

        let e = err("[[steps]]\nrest_fault = { path = \"/\", status = 500, times = 0 }\n");
        assert!(e.message().contains("times = 0"), "{e}");

        let e =
            err("[[steps]]\nrest_fault = { path = \"/\", status = 500, retry_after = \"1s\" }\n");
        assert!(
            e.message().contains("`retry_after` goes with status 429"),
            "{e}"
        );

        let e = err("shards = 0\n");
        assert_eq!(e.line(), Some(1), "{e}");
    }

    #[test]
    fn check_names_against_a_world() {
        let scene = scene_from_toml(
            "[[steps]]\nwait = \"1ms\"\n[[steps]]\nsay = { user = \"alice\", channel = \"genral\", text = \"x\" }\n",
        )
        .unwrap();
        let e = scene.check(&World::demo()).unwrap_err();
        assert!(
            matches!(&e, SceneError::Step { step: 2, line: 4, what } if what.contains("no channel named \"genral\"")),
            "{e}"
        );
        assert!(e.to_string().starts_with("scene step 2 (line 4): "), "{e}");

        let scene = scene_from_toml(
            "[[steps]]\nban = { user = \"bob\", guild = \"Herald Test\", by = \"zed\" }\n",
        )
        .unwrap();
        let e = scene.check(&World::demo()).unwrap_err();
        assert!(e.to_string().contains("no user named \"zed\""), "{e}");

        let scene = scene_from_toml(
            "[[steps]]\nsay = { user = \"alice\", channel = \"general\", guild = \"Nope\", text = \"x\" }\n",
        )
        .unwrap();
        let e = scene.check(&World::demo()).unwrap_err();
        assert!(e.to_string().contains("no guild named \"Nope\""), "{e}");
    }

    #[test]
    fn command_steps() {
        let scene = scene_from_toml(
            r#"
[[steps]]
command = { user = "alice", channel = "general", name = "/tag  add", options = { name = "faq" } }
[[steps]]
autocomplete = { user = "alice", channel = "general", name = "tag show", options = { limit = 3 }, focused = "name", text = "fa" }
[[steps]]
user_command = { user = "alice", channel = "general", name = "Warn user", target = "bob" }
[[steps]]
message_command = { user = "alice", channel = "general", name = "Bookmark" }
[[steps]]
message_command = { user = "alice", channel = "general", name = "Bookmark", message = -2 }
[[steps]]
message_command = { user = "alice", channel = "general", name = "Bookmark", message = 1234 }
"#,
        )
        .unwrap();
        assert!(matches!(
            &scene.steps[0].action,
            Action::Command { name, options, .. }
                if name == "tag add" && options == &[("name".to_owned(), OptionValue::String("faq".into()))]
        ));
        assert!(matches!(
            &scene.steps[1].action,
            Action::Autocomplete { name, options, focused, text, .. }
                if name == "tag show" && options == &[("limit".to_owned(), OptionValue::Integer(3))]
                    && focused == "name" && text == "fa"
        ));
        assert!(matches!(
            &scene.steps[2].action,
            Action::UserCommand { name, target, .. } if name == "Warn user" && target == "bob"
        ));
        let messages: Vec<MessageRef> = scene.steps[3..]
            .iter()
            .map(|s| match s.action {
                Action::MessageCommand { message, .. } => message,
                _ => panic!("{:?}", s.action),
            })
            .collect();
        assert_eq!(
            messages,
            [
                MessageRef::FromNewest(0),
                MessageRef::FromNewest(1),
                MessageRef::Id(1234)
            ]
        );
        scene.check(&World::demo()).unwrap();
    }

    #[test]
    fn bad_command_steps() {
        let e = err(
            "[[steps]]\ncommand = { user = \"alice\", channel = \"general\", name = \"a b c d\" }\n",
        );
        assert_eq!(e.line(), Some(2), "{e}");
        assert!(e.message().contains("\"a b c d\" is not a command"), "{e}");

        let e = err(
            "[[steps]]\nautocomplete = { user = \"alice\", channel = \"general\", name = \"tag\",\n  options = { name = \"x\" }, focused = \"name\", text = \"fa\" }\n",
        );
        assert_eq!(e.line(), Some(3), "{e}");
        assert!(e.message().contains("both focused and in `options`"), "{e}");

        let e = err(
            "[[steps]]\nautocomplete = { user = \"alice\", channel = \"general\", name = \"tag\", focused = \"name\" }\n",
        );
        assert!(e.message().contains("missing field `text`"), "{e}");

        let e = err(
            "[[steps]]\nmessage_command = { user = \"alice\", channel = \"general\", name = \"B\", message = 0 }\n",
        );
        assert_eq!(e.line(), Some(2), "{e}");
        assert!(
            e.message().contains("-1 for the channel's newest message"),
            "{e}"
        );

        let scene = scene_from_toml(
            "[[steps]]\nuser_command = { user = \"alice\", channel = \"general\", name = \"W\", target = \"zed\" }\n",
        )
        .unwrap();
        let e = scene.check(&World::demo()).unwrap_err();
        assert!(e.to_string().contains("no user named \"zed\""), "{e}");
    }

    #[test]
    fn report_display() {
        let report = SceneReport {
            steps_run: 2,
            expectations: Vec::new(),
            elapsed: Duration::from_millis(1500),
        };
        assert_eq!(report.to_string(), "2 steps in 1.500s");
    }
}
