//! Interactions and application commands: actors clicking buttons, picking
//! in menus, submitting modals, running slash commands (with subcommands and
//! groups), asking for autocomplete suggestions and using context menu
//! commands (INTERACTION_CREATE, delivered whatever the intents); the bot's
//! answers (`POST /interactions/{id}/{token}/callback`), followups and edits
//! of its answers (`/webhooks/{app}/{token}/...`), and registering commands.
//!
//! Discord's clock applies: the first answer must come within 3 s of the
//! interaction (later: 404, code 10062), the token works for 15 minutes
//! (later: 401, code 50027), and the token's webhook calls work only once
//! the interaction was answered (before: 404, code 10015).
//! [`Sandbox::age_interactions`](crate::Sandbox::age_interactions) makes
//! interactions older, so tests check these rules without waiting.

use std::{
    collections::HashMap,
    fmt::Write as _,
    time::{Duration, Instant},
};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;
use serde_json::Value;
use twilight_model::{
    application::{
        command::{Command, CommandOption, CommandOptionType, CommandType},
        interaction::{
            Interaction, InteractionChannel, InteractionContextType, InteractionData,
            InteractionDataResolved, InteractionMember, InteractionType,
            application_command::{CommandData, CommandDataOption, CommandOptionValue},
            message_component::MessageComponentInteractionData,
            modal::{
                ModalInteractionActionRow, ModalInteractionComponent, ModalInteractionData,
                ModalInteractionTextInput,
            },
        },
    },
    channel::{Attachment, message::component::ComponentType},
    guild::{MemberFlags, Permissions},
    id::{
        Id,
        marker::{
            ChannelMarker, GenericMarker, InteractionMarker, MessageMarker, RoleMarker, UserMarker,
        },
    },
    oauth::ApplicationIntegrationMap,
};

use crate::{
    core::{
        actor::Actor,
        dispatch::EventKind,
        ops::OpError,
        rest::{Answer, Call, Reply, Route},
        state::State,
        transcript::{MAX_DESCRIPTION, MAX_TITLE, channel_name, clip, role, user},
        wire,
        world::World,
    },
    features::messages::{self, NewMessage, message_json, summary},
};

/// How long the bot has to answer an interaction (Discord's 3 s).
const ANSWER_WITHIN: Duration = Duration::from_secs(3);

/// How long an interaction's token works for followups and edits
/// (Discord's 15 minutes).
const TOKEN_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// How many interactions the sandbox keeps before it forgets those whose token expired.
const FORGET_ABOVE: usize = 1024;

/// How many autocomplete choices a transcript line names.
const CHOICES_SHOWN: usize = 10;

/// The size the sandbox gives an attachment option's file.
const ATTACHMENT_SIZE: u64 = 1024;

/// What an attachment's file name keeps unescaped in its URL.
const URL_NAME: &AsciiSet = &NON_ALPHANUMERIC.remove(b'.').remove(b'-').remove(b'_');

pub(crate) const INTERACTION_CREATE: EventKind = EventKind::always("INTERACTION_CREATE");

pub(crate) const EVENTS: &[EventKind] = &[INTERACTION_CREATE];

pub(crate) const ROUTES: &[Route] = &[
    Route::new(
        "POST",
        "/interactions/{interaction}/{token}/callback",
        on_callback,
    )
    .without_token(),
    Route::new("POST", "/webhooks/{application}/{token}", on_followup).without_token(),
    Route::new(
        "GET",
        "/webhooks/{application}/{token}/messages/{message}",
        on_webhook_message,
    )
    .without_token(),
    Route::new(
        "PATCH",
        "/webhooks/{application}/{token}/messages/{message}",
        on_webhook_message,
    )
    .without_token(),
    Route::new(
        "DELETE",
        "/webhooks/{application}/{token}/messages/{message}",
        on_webhook_message,
    )
    .without_token(),
    Route::new("GET", "/applications/{application}/commands", on_commands),
    Route::new(
        "GET",
        "/applications/{application}/guilds/{guild}/commands",
        on_commands,
    ),
    Route::new(
        "PUT",
        "/applications/{application}/commands",
        on_set_commands,
    ),
    Route::new(
        "PUT",
        "/applications/{application}/guilds/{guild}/commands",
        on_set_commands,
    ),
    Route::new(
        "POST",
        "/applications/{application}/commands",
        on_add_command,
    ),
    Route::new(
        "POST",
        "/applications/{application}/guilds/{guild}/commands",
        on_add_command,
    ),
];

/// An interaction an actor started; the bot answers it through
/// `POST /interactions/{id}/{token}/callback`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentInteraction {
    /// The interaction id.
    pub id: Id<InteractionMarker>,
    /// The interaction token.
    pub token: String,
    /// The channel it happened in.
    pub channel_id: Id<ChannelMarker>,
}

/// A slash command option value, for [`Actor::slash_command`] and
/// [`Actor::autocomplete`]. Build one with `.into()` from `&str`, `String`,
/// `i64`, `bool`, `f64`, a user, channel or role id, or a generic id (a
/// mentionable); an attachment with `OptionValue::Attachment("cat.png".into())`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum OptionValue {
    /// Option type 3.
    String(String),
    /// Option type 4.
    Integer(i64),
    /// Option type 5.
    Boolean(bool),
    /// Option type 6 (resolved user and member included).
    User(Id<UserMarker>),
    /// Option type 7 (resolved channel included).
    Channel(Id<ChannelMarker>),
    /// Option type 8 (resolved role included).
    Role(Id<RoleMarker>),
    /// Option type 10.
    Number(f64),
    /// Option type 11: a file the user attached, by its name (`"cat.png"`).
    /// The sandbox makes the attachment (a fresh id, a size, a content type
    /// guessed from the extension, URLs under the sandbox's address) and
    /// puts it in `resolved.attachments`; the option's value is its id.
    Attachment(String),
    /// Option type 9: a user (resolved as a user, and as a member in a
    /// guild) if a user has this id, else a role (resolved as a role).
    Mentionable(Id<GenericMarker>),
}

impl From<&str> for OptionValue {
    fn from(v: &str) -> Self {
        Self::String(v.to_owned())
    }
}
impl From<String> for OptionValue {
    fn from(v: String) -> Self {
        Self::String(v)
    }
}
impl From<i64> for OptionValue {
    fn from(v: i64) -> Self {
        Self::Integer(v)
    }
}
impl From<bool> for OptionValue {
    fn from(v: bool) -> Self {
        Self::Boolean(v)
    }
}
impl From<f64> for OptionValue {
    fn from(v: f64) -> Self {
        Self::Number(v)
    }
}
impl From<Id<UserMarker>> for OptionValue {
    fn from(v: Id<UserMarker>) -> Self {
        Self::User(v)
    }
}
impl From<Id<ChannelMarker>> for OptionValue {
    fn from(v: Id<ChannelMarker>) -> Self {
        Self::Channel(v)
    }
}
impl From<Id<RoleMarker>> for OptionValue {
    fn from(v: Id<RoleMarker>) -> Self {
        Self::Role(v)
    }
}
impl From<Id<GenericMarker>> for OptionValue {
    fn from(v: Id<GenericMarker>) -> Self {
        Self::Mentionable(v)
    }
}

/// An interaction the sandbox created, for callbacks and followups.
#[derive(Debug, Clone)]
struct InteractionRec {
    id: u64,
    kind: InteractionType,
    /// Who started it.
    user: u64,
    /// What it was, for transcript lines: `/tag add`, `button reroll`.
    label: String,
    channel_id: u64,
    /// The message a component interaction was on.
    message_id: Option<u64>,
    acknowledged: bool,
    /// The message the response created (type 4 or an edit of `@original`).
    response_message: Option<u64>,
    /// The body of the accepted callback.
    response: Option<Value>,
    /// When the sandbox created it.
    created: Instant,
    /// How much older [`Sandbox::age_interactions`](crate::Sandbox::age_interactions) made it.
    aged: Duration,
}

impl InteractionRec {
    /// How long ago it was created, as Discord's clock sees it.
    fn age(&self) -> Duration {
        self.created.elapsed() + self.aged
    }

    /// `alice's /tag add`.
    fn whose(&self, world: &World) -> String {
        format!("{}'s {}", user(world, self.user), self.label)
    }
}

/// The interactions and commands of this sandbox.
#[derive(Debug, Default)]
struct Interactions {
    by_token: HashMap<String, InteractionRec>,
    /// Registered global commands, as the bot last set them.
    commands: Vec<Command>,
    /// Registered guild commands, per guild.
    guild_commands: HashMap<u64, Vec<Command>>,
}

impl Interactions {
    /// The commands of a scope: global (`None`) or one guild's.
    fn scope(&mut self, guild: Option<u64>) -> &mut Vec<Command> {
        match guild {
            None => &mut self.commands,
            Some(guild) => self.guild_commands.entry(guild).or_default(),
        }
    }

    /// The registered command `name` of `kind` a user in `guild` (`None`:
    /// a DM) sees: the guild's own first, then the global one.
    fn registered(&self, guild: Option<u64>, name: &str, kind: CommandType) -> Option<&Command> {
        let in_guild = guild.and_then(|g| self.guild_commands.get(&g));
        in_guild
            .into_iter()
            .flatten()
            .chain(&self.commands)
            .find(|c| c.name == name && c.kind == kind)
    }
}

fn interactions(state: &mut State) -> &mut Interactions {
    state.features.get::<Interactions>()
}

/// An INTERACTION_CREATE to send.
struct NewInteraction {
    user: u64,
    channel: u64,
    /// The message of a component interaction.
    message: Option<u64>,
    kind: InteractionType,
    data: InteractionData,
    /// What it is, for transcript lines (see [`InteractionRec::label`]).
    label: String,
    /// Messages for `data.resolved.messages` (a message command's target),
    /// as their authors sent them (see `messages::message_json`).
    resolved_messages: Vec<u64>,
}

impl NewInteraction {
    /// An interaction of `kind` by `user` in `channel`, on no message and resolving none.
    fn new(
        user: u64,
        channel: u64,
        kind: InteractionType,
        data: InteractionData,
        label: String,
    ) -> Self {
        NewInteraction {
            user,
            channel,
            message: None,
            kind,
            data,
            label,
            resolved_messages: Vec::new(),
        }
    }
}

/// Registers and dispatches an INTERACTION_CREATE.
fn start_interaction(state: &mut State, new: NewInteraction) -> SentInteraction {
    let NewInteraction {
        user,
        channel,
        message,
        kind,
        data,
        label,
        resolved_messages,
    } = new;
    let id = state.world.next_id();
    let token = format!("sandbox-interaction-token-{id}");
    let world = &state.world;
    let guild = world.channel(channel).and_then(|c| c.guild_id);
    let bot_permissions = guild.map_or(Permissions::all(), |g| {
        world.member_permissions(g, world.bot_id)
    });
    let member = guild.and_then(|g| world.member(g, user).map(|m| (g, m)));
    #[allow(deprecated)] // `channel_id`: deprecated by Discord, still sent.
    let interaction = Interaction {
        app_permissions: Some(bot_permissions),
        application_id: Id::new(world.application_id),
        attachment_size_limit: 10_485_760,
        authorizing_integration_owners: ApplicationIntegrationMap {
            guild: None,
            user: None,
        },
        channel: world.channel(channel).map(|c| wire::any_channel(world, c)),
        channel_id: Some(Id::new(channel)),
        context: Some(if guild.is_some() {
            InteractionContextType::Guild
        } else {
            InteractionContextType::BotDm
        }),
        data: Some(data),
        entitlements: Vec::new(),
        guild: None,
        guild_id: guild.map(Id::new),
        guild_locale: member.map(|_| "en-US".to_owned()),
        id: Id::new(id),
        kind,
        locale: Some("en-US".to_owned()),
        member: member.map(|(g, m)| {
            let mut pm = wire::partial_member(world, m, true);
            pm.permissions = Some(world.member_permissions(g, user));
            pm
        }),
        message: None,
        token: token.clone(),
        user: member.is_none().then(|| wire::user(world, user)),
    };
    let mut d = serde_json::to_value(&interaction).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut d {
        // Discord sends `version` (always 1); twilight 0.18 has no field for
        // it, and clients such as discord.py read it.
        map.insert("version".into(), Value::from(1));
        // The message as its author sent it (see `messages::message_json`).
        if let Some(m) = message.and_then(|m| world.find_message(m)) {
            map.insert("message".into(), message_json(world, m, false, false));
        }
        // Resolved messages too (twilight's `Message` would reshape their
        // embeds and components).
        if let Some(Value::Object(data)) = map.get_mut("data") {
            for m in resolved_messages
                .iter()
                .filter_map(|m| world.find_message(*m))
            {
                let resolved = data
                    .entry("resolved")
                    .or_insert_with(|| Value::Object(serde_json::Map::new()));
                if let Value::Object(resolved) = resolved {
                    let messages = resolved
                        .entry("messages")
                        .or_insert_with(|| Value::Object(serde_json::Map::new()));
                    if let Value::Object(messages) = messages {
                        messages.insert(m.id.to_string(), message_json(world, m, false, false));
                    }
                }
            }
        }
    }
    let all = interactions(state);
    // An interaction whose token expired can take no more calls: forget those once there are
    // many, so that a long-running sandbox does not keep every interaction it ever made.
    if all.by_token.len() >= FORGET_ABOVE {
        all.by_token.retain(|_, rec| rec.age() <= TOKEN_LIFETIME);
    }
    all.by_token.insert(
        token.clone(),
        InteractionRec {
            id,
            kind,
            user,
            label,
            channel_id: channel,
            message_id: message,
            acknowledged: false,
            response_message: None,
            response: None,
            created: Instant::now(),
            aged: Duration::ZERO,
        },
    );
    state.send(&INTERACTION_CREATE, guild, &d);
    SentInteraction {
        id: Id::new(id),
        token,
        channel_id: Id::new(channel),
    }
}

// ---- command data -------------------------------------------------------------------

/// A command name as a path: `"tag"`, `"tag add"` (a subcommand), `"tag
/// admin reset"` (a subcommand in a group). A leading `/` is allowed.
fn command_path(name: &str) -> Result<Vec<&str>, OpError> {
    let path: Vec<&str> = name.trim_start_matches('/').split_whitespace().collect();
    if path.is_empty() || path.len() > 3 {
        return Err(OpError::Invalid(format!(
            "{name:?} is not a command: give a command name, \"command subcommand\" or \
             \"command group subcommand\""
        )));
    }
    Ok(path)
}

/// The id of the registered command (its first word, for a path), or a
/// fresh one if the bot did not register it.
fn command_id(state: &mut State, guild: Option<u64>, name: &str, kind: CommandType) -> u64 {
    let registered = interactions(state)
        .registered(guild, name, kind)
        .and_then(|c| c.id);
    registered.map_or_else(|| state.world.next_id(), |id| id.get())
}

/// `options` under the subcommand (and group) of `path` (the words after
/// the command's name), as Discord nests them.
fn nest(path: &[&str], options: Vec<CommandDataOption>) -> Vec<CommandDataOption> {
    let option = |name: &str, value| CommandDataOption {
        name: name.to_owned(),
        value,
    };
    match path {
        [sub] => vec![option(sub, CommandOptionValue::SubCommand(options))],
        [group, sub] => vec![option(
            group,
            CommandOptionValue::SubCommandGroup(vec![option(
                sub,
                CommandOptionValue::SubCommand(options),
            )]),
        )],
        _ => options,
    }
}

/// The type of the option `name` of a registered command, found through
/// the subcommand `path` (the words after the command's name).
fn option_kind(command: &Command, path: &[&str], name: &str) -> Option<CommandOptionType> {
    let mut options: &[CommandOption] = &command.options;
    for word in path {
        let sub = options.iter().find(|o| {
            o.name == *word
                && matches!(
                    o.kind,
                    CommandOptionType::SubCommand | CommandOptionType::SubCommandGroup
                )
        })?;
        options = sub.options.as_deref().unwrap_or_default();
    }
    options.iter().find(|o| o.name == name).map(|o| o.kind)
}

/// `options` with names turned into what the registered command's options
/// take: a string naming a user, channel or role becomes that user, channel
/// or role where the option is of that type (a mentionable: the user, else
/// the role), a string given to an attachment option its filename. Scene
/// files and the control API name things; bots get ids with resolved data,
/// as from Discord. Other values, and unregistered commands, pass as given.
fn coerce<'o>(
    state: &mut State,
    guild: Option<u64>,
    path: &[&str],
    options: &[(&'o str, OptionValue)],
) -> Vec<(&'o str, OptionValue)> {
    let command = interactions(state)
        .registered(guild, path[0], CommandType::ChatInput)
        .cloned();
    let world = &state.world;
    let in_guild = |g: Option<u64>| guild.is_none() || g == guild;
    options
        .iter()
        .map(|(name, value)| {
            let kind = command
                .as_ref()
                .and_then(|c| option_kind(c, &path[1..], name));
            let named = match (kind, value) {
                (Some(kind), OptionValue::String(text)) => {
                    let user = || world.user_id(text).map(Id::get);
                    let role = || {
                        world
                            .guilds
                            .iter()
                            .filter(|g| in_guild(Some(g.id)))
                            .flat_map(|g| &g.roles)
                            .find(|r| r.name == *text)
                            .map(|r| r.id)
                    };
                    match kind {
                        CommandOptionType::User => user().map(|u| OptionValue::User(Id::new(u))),
                        CommandOptionType::Role => role().map(|r| OptionValue::Role(Id::new(r))),
                        CommandOptionType::Channel => world
                            .guilds
                            .iter()
                            .filter(|g| in_guild(Some(g.id)))
                            .flat_map(|g| g.channels.iter().chain(&g.threads))
                            .find(|c| c.name == text.trim_start_matches('#'))
                            .map(|c| OptionValue::Channel(Id::new(c.id))),
                        CommandOptionType::Mentionable => user()
                            .or_else(role)
                            .map(|id| OptionValue::Mentionable(Id::new(id))),
                        CommandOptionType::Attachment => {
                            Some(OptionValue::Attachment(text.clone()))
                        }
                        _ => None,
                    }
                }
                _ => None,
            };
            (*name, named.unwrap_or_else(|| value.clone()))
        })
        .collect()
}

/// Options held as owned names (scene files, the control API) as the actors take them.
pub(crate) fn option_refs(options: &[(String, OptionValue)]) -> Vec<(&str, OptionValue)> {
    options
        .iter()
        .map(|(name, value)| (name.as_str(), value.clone()))
        .collect()
}

/// The data of a slash command's use (or autocomplete) at `path`, its
/// options nested under the subcommand and group.
fn chat_input_data(
    guild: Option<u64>,
    command_id: u64,
    path: &[&str],
    options: Vec<CommandDataOption>,
    resolved: Option<InteractionDataResolved>,
) -> InteractionData {
    InteractionData::ApplicationCommand(Box::new(CommandData {
        guild_id: guild.map(Id::new),
        id: Id::new(command_id),
        kind: CommandType::ChatInput,
        name: path[0].to_owned(),
        options: nest(&path[1..], options),
        resolved,
        target_id: None,
    }))
}

fn no_resolved() -> InteractionDataResolved {
    InteractionDataResolved {
        attachments: HashMap::new(),
        channels: HashMap::new(),
        members: HashMap::new(),
        messages: HashMap::new(),
        roles: HashMap::new(),
        users: HashMap::new(),
    }
}

fn is_empty(resolved: &InteractionDataResolved) -> bool {
    resolved.attachments.is_empty()
        && resolved.channels.is_empty()
        && resolved.members.is_empty()
        && resolved.messages.is_empty()
        && resolved.roles.is_empty()
        && resolved.users.is_empty()
}

/// A slash command's options as Discord sends them, with their resolved
/// data: users (and members in a guild), channels, roles, mentionables and
/// attachments (made here, with fresh ids; `base`: the sandbox's
/// `http://ADDR`).
fn command_options(
    state: &mut State,
    base: &str,
    guild: Option<u64>,
    channel: u64,
    options: &[(&str, OptionValue)],
) -> (Vec<CommandDataOption>, Option<InteractionDataResolved>) {
    let mut resolved = no_resolved();
    let mut out = Vec::with_capacity(options.len());
    for (name, value) in options {
        let value = match value {
            OptionValue::String(s) => CommandOptionValue::String(s.clone()),
            OptionValue::Integer(i) => CommandOptionValue::Integer(*i),
            OptionValue::Boolean(b) => CommandOptionValue::Boolean(*b),
            OptionValue::Number(n) => CommandOptionValue::Number(*n),
            OptionValue::User(u) => {
                resolve_user(&state.world, guild, *u, &mut resolved);
                CommandOptionValue::User(*u)
            }
            OptionValue::Channel(c) => {
                resolve_channel(&state.world, *c, &mut resolved);
                CommandOptionValue::Channel(*c)
            }
            OptionValue::Role(r) => {
                resolve_role(&state.world, *r, &mut resolved);
                CommandOptionValue::Role(*r)
            }
            OptionValue::Mentionable(m) => {
                if state.world.user_rec(m.get()).is_some() {
                    resolve_user(&state.world, guild, m.cast(), &mut resolved);
                } else {
                    resolve_role(&state.world, m.cast(), &mut resolved);
                }
                CommandOptionValue::Mentionable(*m)
            }
            OptionValue::Attachment(filename) => {
                let attachment = attachment(state, base, channel, filename);
                let id = attachment.id;
                resolved.attachments.insert(id, attachment);
                CommandOptionValue::Attachment(id)
            }
        };
        out.push(CommandDataOption {
            name: (*name).to_owned(),
            value,
        });
    }
    (out, (!is_empty(&resolved)).then_some(resolved))
}

fn resolve_user(
    world: &World,
    guild: Option<u64>,
    u: Id<UserMarker>,
    resolved: &mut InteractionDataResolved,
) {
    resolved.users.insert(u, wire::user(world, u.get()));
    if let Some(g) = guild
        && let Some(m) = world.member(g, u.get())
    {
        resolved.members.insert(
            u,
            InteractionMember {
                avatar: None,
                avatar_decoration_data: None,
                banner: None,
                communication_disabled_until: m.communication_disabled_until,
                flags: MemberFlags::empty(),
                joined_at: Some(m.joined_at),
                nick: m.nick.clone(),
                pending: false,
                permissions: world.member_permissions(g, u.get()),
                premium_since: None,
                roles: m.roles.iter().map(|r| Id::new(*r)).collect(),
            },
        );
    }
}

fn resolve_channel(world: &World, c: Id<ChannelMarker>, resolved: &mut InteractionDataResolved) {
    if let Some(rec) = world.channel(c.get()) {
        let channel = wire::channel(rec);
        resolved.channels.insert(
            c,
            InteractionChannel {
                id: channel.id,
                kind: channel.kind,
                name: rec.name.clone(),
                parent_id: channel.parent_id,
                permissions: Permissions::all(),
                app_permissions: None,
                thread_metadata: channel.thread_metadata,
            },
        );
    }
}

fn resolve_role(world: &World, r: Id<RoleMarker>, resolved: &mut InteractionDataResolved) {
    if let Some(rec) = world
        .guilds
        .iter()
        .flat_map(|g| &g.roles)
        .find(|x| x.id == r.get())
    {
        resolved.roles.insert(r, wire::role(rec));
    }
}

/// The attachment of an attachment option: a fresh id, URLs under the
/// sandbox's address laid out as Discord's CDN lays them out.
fn attachment(state: &mut State, base: &str, channel: u64, filename: &str) -> Attachment {
    let id = state.world.next_id();
    let path = format!(
        "attachments/{channel}/{id}/{}",
        utf8_percent_encode(filename, URL_NAME)
    );
    Attachment {
        content_type: Some(content_type(filename).to_owned()),
        // Discord marks the files of command options ephemeral.
        ephemeral: true,
        duration_secs: None,
        filename: filename.to_owned(),
        flags: None,
        description: None,
        height: None,
        id: Id::new(id),
        placeholder: None,
        placeholder_version: None,
        proxy_url: format!("{base}/media/{path}"),
        size: ATTACHMENT_SIZE,
        title: None,
        url: format!("{base}/cdn/{path}"),
        waveform: None,
        width: None,
    }
}

/// A media type from a file name's extension.
fn content_type(filename: &str) -> &'static str {
    let extension = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "txt" | "log" => "text/plain; charset=utf-8",
        "md" => "text/markdown; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "html" | "htm" => "text/html; charset=utf-8",
        "json" => "application/json",
        "toml" => "application/toml",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "mp3" => "audio/mpeg",
        "ogg" => "audio/ogg",
        "wav" => "audio/wav",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mov" => "video/quicktime",
        _ => "application/octet-stream",
    }
}

// ---- transcript lines -----------------------------------------------------------

/// `alice used /warn user:bob reason:spam` (`verb`: `used`), the command
/// name as its path (`/tag add`).
fn slash_line(
    world: &World,
    who: u64,
    verb: &str,
    path: &str,
    options: &[(&str, OptionValue)],
) -> String {
    let mut line = format!("{} {verb} /{path}", user(world, who));
    for (key, value) in options {
        let shown = match value {
            OptionValue::String(s) => clip(s, MAX_DESCRIPTION),
            OptionValue::Integer(i) => i.to_string(),
            OptionValue::Boolean(b) => b.to_string(),
            OptionValue::Number(n) => n.to_string(),
            OptionValue::User(u) => user(world, u.get()),
            OptionValue::Channel(c) => channel_name(world, c.get()),
            OptionValue::Role(r) => role(world, r.get()),
            OptionValue::Mentionable(m) if world.user_rec(m.get()).is_some() => {
                user(world, m.get())
            }
            OptionValue::Mentionable(m) => role(world, m.get()),
            OptionValue::Attachment(filename) => clip(filename, MAX_TITLE),
        };
        let _ = write!(line, " {key}:{shown}");
    }
    line
}

/// `alice submitted modal report: reason=rude, details=very`.
fn modal_line(world: &World, who: u64, custom_id: &str, fields: &[(&str, &str)]) -> String {
    let mut line = format!("{} submitted modal {custom_id}", user(world, who));
    if !fields.is_empty() {
        let shown: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{k}={}", clip(v, MAX_DESCRIPTION)))
            .collect();
        let _ = write!(line, ": {}", shown.join(", "));
    }
    line
}

/// The line of an interaction callback, by response type.
fn callback_line(bot_name: &str, body: &Value) -> String {
    let data = body.get("data");
    let text = |key: &str| {
        data.and_then(|d| d.get(key))
            .and_then(Value::as_str)
            .unwrap_or("")
    };
    let array = |key: &str| {
        data.and_then(|d| d.get(key))
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice)
    };
    let shown = || summary(text("content"), array("embeds"), array("components"));
    let ephemeral = data
        .and_then(|d| d.get("flags"))
        .and_then(Value::as_u64)
        .is_some_and(|f| f & 64 != 0);
    match body.get("type").and_then(Value::as_u64).unwrap_or(0) {
        1 => format!("{bot_name} answered a ping"),
        4 if ephemeral => format!(
            "{bot_name} answered an interaction (only the user sees it): {}",
            shown()
        ),
        4 => format!("{bot_name} answered an interaction: {}", shown()),
        5 => format!("{bot_name} deferred its answer to an interaction"),
        6 => format!("{bot_name} acknowledged an interaction"),
        7 => format!(
            "{bot_name} answered an interaction by editing the message: {}",
            shown()
        ),
        8 => format!("{bot_name} {}", suggested(array("choices"))),
        9 => {
            let title = text("title");
            if title.is_empty() {
                format!("{bot_name} opened modal {}", text("custom_id"))
            } else {
                format!("{bot_name} opened modal \"{}\"", clip(title, MAX_TITLE))
            }
        }
        other => format!("{bot_name} answered an interaction (type {other})"),
    }
}

/// `suggested: red, green, blue`, the first [`CHOICES_SHOWN`] choices'
/// names of a longer list and how many there are, or `suggested nothing`.
fn suggested(choices: &[Value]) -> String {
    let names: Vec<String> = choices
        .iter()
        .map(|c| {
            clip(
                c.get("name").and_then(Value::as_str).unwrap_or("?"),
                MAX_TITLE,
            )
        })
        .collect();
    match names.len() {
        0 => "suggested nothing".to_owned(),
        n if n <= CHOICES_SHOWN => format!("suggested: {}", names.join(", ")),
        n => format!(
            "suggested: {}, … ({n} choices)",
            names[..CHOICES_SHOWN].join(", ")
        ),
    }
}

/// `4.0 s`, `16 min`, `15 min 30 s`.
fn shown_age(age: Duration) -> String {
    let secs = age.as_secs();
    if secs < 60 {
        format!("{:.1} s", age.as_secs_f64())
    } else if secs.is_multiple_of(60) {
        format!("{} min", secs / 60)
    } else {
        format!("{} min {} s", secs / 60, secs % 60)
    }
}

/// A use of a context menu command, for [`menu_interaction`].
struct MenuUse<'a> {
    who: u64,
    channel: u64,
    guild: Option<u64>,
    name: &'a str,
    kind: CommandType,
    target: u64,
    resolved: Option<InteractionDataResolved>,
    /// What it was used on, for the transcript: `bob`, `a message by bob`.
    on: String,
}

/// Notes and dispatches the use of a user or message command (type 2 with
/// `target_id`); a message target is resolved by `start_interaction`.
fn menu_interaction(state: &mut State, menu: MenuUse<'_>) -> SentInteraction {
    let command_id = command_id(state, menu.guild, menu.name, menu.kind);
    let data = InteractionData::ApplicationCommand(Box::new(CommandData {
        guild_id: menu.guild.map(Id::new),
        id: Id::new(command_id),
        kind: menu.kind,
        name: menu.name.to_owned(),
        options: Vec::new(),
        resolved: menu.resolved,
        target_id: Some(Id::new(menu.target)),
    }));
    let app = format!("app \"{}\"", clip(menu.name, MAX_TITLE));
    let line = format!("{} used {app} on {}", user(&state.world, menu.who), menu.on);
    state.note(line);
    let resolved_messages = if menu.kind == CommandType::Message {
        vec![menu.target]
    } else {
        Vec::new()
    };
    start_interaction(
        state,
        NewInteraction {
            resolved_messages,
            ..NewInteraction::new(
                menu.who,
                menu.channel,
                InteractionType::ApplicationCommand,
                data,
                app,
            )
        },
    )
}

/// `/level, /warn`.
/// `/level, /warn, app "Warn user"`: slash commands with their `/`, context
/// menus (types 2 and 3) as the Apps menu shows them.
fn command_names(list: &[Value]) -> String {
    list.iter()
        .filter_map(|c| {
            let name = c.get("name").and_then(Value::as_str)?;
            Some(match c.get("type").and_then(Value::as_u64) {
                Some(2 | 3) => format!("app \"{name}\""),
                _ => format!("/{name}"),
            })
        })
        .collect::<Vec<_>>()
        .join(", ")
}

// ---- actors -----------------------------------------------------------------------

impl Actor {
    /// Clicks the button `custom_id` on `message` (INTERACTION_CREATE type
    /// 3, component type 2, with the message).
    ///
    /// # Panics
    ///
    /// If the message is unknown.
    #[track_caller]
    pub fn click_button(&self, message: Id<MessageMarker>, custom_id: &str) -> SentInteraction {
        let line =
            |world: &World, who: u64| format!("{} clicked button {custom_id}", user(world, who));
        self.component(message, custom_id, ComponentType::Button, Vec::new(), line)
    }

    /// Picks `values` in the string select menu `custom_id` on `message`
    /// (INTERACTION_CREATE type 3, component type 3).
    ///
    /// # Panics
    ///
    /// If the message is unknown.
    #[track_caller]
    pub fn select(
        &self,
        message: Id<MessageMarker>,
        custom_id: &str,
        values: &[&str],
    ) -> SentInteraction {
        let line = |world: &World, who: u64| {
            format!(
                "{} selected {} in menu {custom_id}",
                user(world, who),
                values.join(", ")
            )
        };
        let values = values.iter().map(|v| (*v).to_owned()).collect();
        self.component(
            message,
            custom_id,
            ComponentType::TextSelectMenu,
            values,
            line,
        )
    }

    #[track_caller]
    fn component(
        &self,
        message: Id<MessageMarker>,
        custom_id: &str,
        component_type: ComponentType,
        values: Vec<String>,
        line: impl FnOnce(&World, u64) -> String,
    ) -> SentInteraction {
        self.run("use a component", |state, who| {
            let channel = state
                .world
                .find_message(message.get())
                .ok_or(OpError::UnknownMessage(message.get()))?
                .channel_id;
            let line = line(&state.world, who);
            state.note(line);
            let label = match component_type {
                ComponentType::Button => format!("click on button {custom_id}"),
                _ => format!("pick in menu {custom_id}"),
            };
            let data =
                InteractionData::MessageComponent(Box::new(MessageComponentInteractionData {
                    component_type,
                    custom_id: custom_id.to_owned(),
                    resolved: None,
                    values,
                }));
            Ok(start_interaction(
                state,
                NewInteraction {
                    message: Some(message.get()),
                    ..NewInteraction::new(
                        who,
                        channel,
                        InteractionType::MessageComponent,
                        data,
                        label,
                    )
                },
            ))
        })
    }

    /// Submits the modal `custom_id` with text inputs `(custom_id, value)`
    /// (INTERACTION_CREATE type 5), as if opened in `channel`.
    ///
    /// # Panics
    ///
    /// If the channel is unknown.
    #[track_caller]
    pub fn submit_modal(
        &self,
        channel: Id<ChannelMarker>,
        custom_id: &str,
        fields: &[(&str, &str)],
    ) -> SentInteraction {
        let rows = (0..)
            .zip(fields)
            .map(|(i, (id, value))| {
                ModalInteractionComponent::ActionRow(ModalInteractionActionRow {
                    components: vec![ModalInteractionComponent::TextInput(
                        ModalInteractionTextInput {
                            custom_id: (*id).to_owned(),
                            id: i * 2 + 2,
                            value: (*value).to_owned(),
                        },
                    )],
                    id: i * 2 + 1,
                })
            })
            .collect();
        let data = InteractionData::ModalSubmit(Box::new(ModalInteractionData {
            components: rows,
            custom_id: custom_id.to_owned(),
            resolved: None,
        }));
        self.run("submit a modal", |state, who| {
            state.text_channel(channel.get())?;
            let line = modal_line(&state.world, who, custom_id, fields);
            state.note(line);
            Ok(start_interaction(
                state,
                NewInteraction::new(
                    who,
                    channel.get(),
                    InteractionType::ModalSubmit,
                    data,
                    format!("modal {custom_id}"),
                ),
            ))
        })
    }

    /// Runs the slash command `name` in `channel` with options
    /// (INTERACTION_CREATE type 2, with resolved users, members, channels,
    /// roles and attachments).
    ///
    /// `name` may be a path: `"tag add"` runs the subcommand `add` of `/tag`
    /// (the options go inside an option of type 1, as Discord sends them),
    /// `"tag admin reset"` the subcommand `reset` of the group `admin`
    /// (type 2, holding the type 1). The command id is the registered one
    /// if the bot registered the command (the path's first word) through
    /// the REST API.
    ///
    /// ```no_run
    /// # async fn f(sb: herald_sandbox::Sandbox) {
    /// let general = sb.channel("general");
    /// let bob = sb.user("bob");
    /// sb.actor("mod")
    ///     .slash_command(general, "warn", &[("user", bob.into()), ("reason", "spam".into())]);
    /// sb.actor("alice")
    ///     .slash_command(general, "tag add", &[("name", "faq".into())]);
    /// # }
    /// ```
    ///
    /// # Panics
    ///
    /// If the channel is unknown, or `name` is not 1 to 3 words.
    #[track_caller]
    pub fn slash_command(
        &self,
        channel: Id<ChannelMarker>,
        name: &str,
        options: &[(&str, OptionValue)],
    ) -> SentInteraction {
        let base = self.base_url();
        self.run("run a slash command", |state, who| {
            let guild = state.text_channel(channel.get())?;
            let path = command_path(name)?;
            let command_id = command_id(state, guild, path[0], CommandType::ChatInput);
            let options = coerce(state, guild, &path, options);
            let (options_out, resolved) =
                command_options(state, &base, guild, channel.get(), &options);
            let data = chat_input_data(guild, command_id, &path, options_out, resolved);
            let full = path.join(" ");
            let line = slash_line(&state.world, who, "used", &full, &options);
            state.note(line);
            Ok(start_interaction(
                state,
                NewInteraction::new(
                    who,
                    channel.get(),
                    InteractionType::ApplicationCommand,
                    data,
                    format!("/{full}"),
                ),
            ))
        })
    }

    /// Types in an option of the slash command `name` (a path, as for
    /// [`slash_command`](Self::slash_command)) and asks the bot for
    /// suggestions: INTERACTION_CREATE type 4 (APPLICATION_COMMAND_AUTOCOMPLETE)
    /// with `options` as given and the option `focused.0` carrying the text
    /// typed so far, `focused.1`, marked `focused` (an option of the same
    /// name in `options` gives way to it). Its type is the registered
    /// command's (through the subcommand path), else a string.
    ///
    /// The bot answers with callback type 8 and `data.choices`; read them
    /// with [`Sandbox::interaction_response`](crate::Sandbox::interaction_response).
    ///
    /// ```no_run
    /// # async fn f(sb: herald_sandbox::Sandbox) {
    /// let general = sb.channel("general");
    /// let typing = sb.actor("alice").autocomplete(general, "tag show", &[], ("name", "fa"));
    /// // ... once the bot answered:
    /// let answer = sb.interaction_response(&typing).expect("an answer");
    /// assert_eq!(answer["type"], 8);
    /// # }
    /// ```
    ///
    /// # Panics
    ///
    /// If the channel is unknown, or `name` is not 1 to 3 words.
    #[track_caller]
    pub fn autocomplete(
        &self,
        channel: Id<ChannelMarker>,
        name: &str,
        options: &[(&str, OptionValue)],
        focused: (&str, &str),
    ) -> SentInteraction {
        let base = self.base_url();
        let (focused_name, typed) = focused;
        self.run("ask for autocomplete suggestions", |state, who| {
            let guild = state.text_channel(channel.get())?;
            let path = command_path(name)?;
            let kind = interactions(state)
                .registered(guild, path[0], CommandType::ChatInput)
                .and_then(|c| option_kind(c, &path[1..], focused_name))
                .unwrap_or(CommandOptionType::String);
            let command_id = command_id(state, guild, path[0], CommandType::ChatInput);
            let mut others = coerce(state, guild, &path, options);
            others.retain(|(n, _)| *n != focused_name);
            let (mut options_out, resolved) =
                command_options(state, &base, guild, channel.get(), &others);
            options_out.push(CommandDataOption {
                name: focused_name.to_owned(),
                value: CommandOptionValue::Focused(typed.to_owned(), kind),
            });
            let data = chat_input_data(guild, command_id, &path, options_out, resolved);
            let full = path.join(" ");
            let mut line = slash_line(&state.world, who, "typed", &full, &others);
            let _ = write!(
                line,
                " {focused_name}:{} (autocomplete)",
                clip(typed, MAX_DESCRIPTION)
            );
            state.note(line);
            Ok(start_interaction(
                state,
                NewInteraction::new(
                    who,
                    channel.get(),
                    InteractionType::ApplicationCommandAutocomplete,
                    data,
                    format!("autocomplete of /{full}"),
                ),
            ))
        })
    }

    /// Uses the user context menu command `name` (Apps → `name` on a user)
    /// on `target`, in `channel`: INTERACTION_CREATE type 2 with command
    /// type 2 (USER), `target_id`, and the target resolved as a user (and a
    /// member in a guild). The command id is the registered one if the bot
    /// registered a user command `name`.
    ///
    /// # Panics
    ///
    /// If the channel or the target is unknown.
    #[track_caller]
    pub fn user_command(
        &self,
        channel: Id<ChannelMarker>,
        name: &str,
        target: Id<UserMarker>,
    ) -> SentInteraction {
        self.run("use a user command", |state, who| {
            let guild = state.text_channel(channel.get())?;
            state.user_exists(target.get())?;
            let mut resolved = no_resolved();
            resolve_user(&state.world, guild, target, &mut resolved);
            let on = user(&state.world, target.get());
            Ok(menu_interaction(
                state,
                MenuUse {
                    who,
                    channel: channel.get(),
                    guild,
                    name,
                    kind: CommandType::User,
                    target: target.get(),
                    resolved: Some(resolved),
                    on,
                },
            ))
        })
    }

    /// Uses the message context menu command `name` (Apps → `name` on a
    /// message) on `target`, a message of `channel`: INTERACTION_CREATE
    /// type 2 with command type 3 (MESSAGE), `target_id`, and the message
    /// resolved (as its author sent it). The command id is the registered
    /// one if the bot registered a message command `name`.
    ///
    /// # Panics
    ///
    /// If the channel is unknown, or the message is not in it.
    #[track_caller]
    pub fn message_command(
        &self,
        channel: Id<ChannelMarker>,
        name: &str,
        target: Id<MessageMarker>,
    ) -> SentInteraction {
        self.run("use a message command", |state, who| {
            let guild = state.text_channel(channel.get())?;
            let author = state
                .world
                .message(channel.get(), target.get())
                .ok_or(OpError::UnknownMessage(target.get()))?
                .author_id;
            let on = format!("a message by {}", user(&state.world, author));
            Ok(menu_interaction(
                state,
                MenuUse {
                    who,
                    channel: channel.get(),
                    guild,
                    name,
                    kind: CommandType::Message,
                    target: target.get(),
                    // Filled in as JSON by `start_interaction`.
                    resolved: None,
                    on,
                },
            ))
        })
    }

    /// `http://ADDR`: where the sandbox's attachments are.
    fn base_url(&self) -> String {
        format!("http://{}", self.shared.config.http_addr)
    }
}

// ---- the sandbox's clock and the bot's answers ----------------------------------

/// The body of the callback the bot answered the interaction of `token` with
/// (`Sandbox::interaction_response`).
pub(crate) fn response(state: &mut State, token: &str) -> Option<Value> {
    interactions(state)
        .by_token
        .get(token)
        .and_then(|rec| rec.response.clone())
}

/// Makes every interaction so far `by` older (`Sandbox::age_interactions`).
pub(crate) fn age(state: &mut State, by: Duration) {
    for rec in interactions(state).by_token.values_mut() {
        rec.aged += by;
    }
    state.note(format!(
        "[sandbox] interactions aged by {} (as if that much time had passed)",
        shown_age(by)
    ));
}

// ---- REST ---------------------------------------------------------------------------

/// The interaction of a token.
fn interaction(state: &mut State, token: &str) -> Option<InteractionRec> {
    interactions(state).by_token.get(token).cloned()
}

/// Why a callback of type `callback` does not fit an interaction of type
/// `kind`, as Discord refuses it; `None` when it fits.
fn callback_misfit(kind: InteractionType, callback: u64) -> Option<&'static str> {
    let autocomplete = kind == InteractionType::ApplicationCommandAutocomplete;
    match callback {
        8 if !autocomplete => Some("choices (type 8) answer autocomplete interactions only"),
        _ if autocomplete && callback != 8 => {
            Some("an autocomplete interaction is answered with choices (type 8)")
        }
        6 | 7
            if !matches!(
                kind,
                InteractionType::MessageComponent | InteractionType::ModalSubmit
            ) =>
        {
            Some("updating the message (types 6 and 7) is for components and modal submits")
        }
        9 if kind == InteractionType::ModalSubmit => {
            Some("a modal submit cannot be answered with another modal")
        }
        _ => None,
    }
}

/// `POST /interactions/{id}/{token}/callback`.
fn on_callback(state: &mut State, call: &mut Call<'_>) -> Answer {
    let token = call.param("token").to_owned();
    let unknown = || Reply::error(404, 10062, "Unknown interaction");
    let rec = interaction(state, &token).ok_or_else(unknown)?;
    if call.id("interaction") != Some(rec.id) {
        return Err(unknown());
    }
    if rec.acknowledged {
        return Err(Reply::error(
            400,
            40060,
            "Interaction has already been acknowledged.",
        ));
    }
    let bot = state.world.bot_id;
    let bot_name = user(&state.world, bot);
    let age = rec.age();
    if age > ANSWER_WITHIN {
        call.failure_line(format!(
            "{bot_name} answered {} too late ({} after it started; Discord allows 3 s): \
             refused, 404 Unknown interaction",
            rec.whose(&state.world),
            shown_age(age)
        ));
        return Err(unknown());
    }
    let kind = call.field("type").and_then(Value::as_u64).unwrap_or(0);
    if let Some(why) = callback_misfit(rec.kind, kind) {
        call.failure_line(format!(
            "{bot_name} answered {} with a callback of type {kind}: refused, {why}",
            rec.whose(&state.world)
        ));
        return Err(Reply::error(
            400,
            50035,
            format!("Invalid Form Body: interaction callback type {kind}: {why}"),
        ));
    }
    let data = call.field("data");
    let data_array = |key: &str| {
        data.and_then(|d| d.get(key))
            .and_then(Value::as_array)
            .cloned()
    };
    let message = match kind {
        // CHANNEL_MESSAGE_WITH_SOURCE: the response is a message.
        4 => {
            let new = NewMessage::from_body(data, 20);
            Some(messages::post_message(state, rec.channel_id, bot, new)?)
        }
        // UPDATE_MESSAGE: edits the component's message.
        7 => match rec.message_id {
            Some(mid) => Some(messages::edit_message(
                state,
                rec.channel_id,
                mid,
                data.and_then(|d| d.get("content"))
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                data_array("embeds"),
                data_array("components"),
            )?),
            None => None,
        },
        1 | 5 | 6 | 8 | 9 | 10 | 12 => None,
        other => {
            return Err(Reply::error(
                400,
                50035,
                format!("Invalid Form Body: unknown interaction callback type {other}"),
            ));
        }
    };
    if let Some(entry) = interactions(state).by_token.get_mut(&token) {
        entry.acknowledged = true;
        entry.response = call.body().cloned();
        if let Some(m) = &message {
            entry.response_message = Some(m.id);
        }
    }
    if let Some(body) = call.body() {
        call.line(callback_line(&bot_name, body));
    }
    if call.query("with_response") != Some("true") {
        return Ok(Reply::no_content());
    }
    Ok(Reply::json(&CallbackResponse {
        interaction: CallbackInteraction {
            id: Id::new(rec.id),
            kind: rec.kind,
            response_message_id: message.as_ref().map(|m| Id::new(m.id)),
            response_message_loading: kind == 5,
            response_message_ephemeral: false,
        },
        resource: CallbackResource {
            kind,
            message: message
                .as_ref()
                .map(|m| message_json(&state.world, m, false, false)),
        },
    }))
}

/// Discord's answer to a callback with `with_response=true`. twilight
/// 0.18's `InteractionCallbackResponse` only deserialises, so the sandbox
/// writes the same fields (what twilight-http reads) itself.
#[derive(Serialize)]
struct CallbackResponse {
    interaction: CallbackInteraction,
    resource: CallbackResource,
}

#[derive(Serialize)]
struct CallbackInteraction {
    id: Id<InteractionMarker>,
    #[serde(rename = "type")]
    kind: InteractionType,
    response_message_id: Option<Id<MessageMarker>>,
    response_message_loading: bool,
    response_message_ephemeral: bool,
}

#[derive(Serialize)]
struct CallbackResource {
    #[serde(rename = "type")]
    kind: u64,
    /// The created message as its author sent it (see
    /// `messages::message_json`).
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Value>,
}

/// The interaction of a webhook call's token, if Discord would take the
/// call (else the refusal, with its transcript line): 401 (code 50027)
/// past the token's 15 minutes, 404 (code 10015) before the interaction
/// was answered, as the token's webhook exists only from then on. `doing`:
/// what the bot did, for the line (`followed up`).
fn webhook_interaction(
    state: &mut State,
    call: &mut Call<'_>,
    doing: &str,
) -> Result<InteractionRec, Reply> {
    let unknown = || Reply::error(404, 10015, "Unknown Webhook");
    let rec = interaction(state, call.param("token")).ok_or_else(unknown)?;
    let bot_name = user(&state.world, state.world.bot_id);
    let age = rec.age();
    if age > TOKEN_LIFETIME {
        call.failure_line(format!(
            "{bot_name} {doing} {} after its token expired ({} after it started; a token \
             lasts 15 min): refused, 401 Invalid Webhook Token",
            rec.whose(&state.world),
            shown_age(age)
        ));
        return Err(Reply::error(401, 50027, "Invalid Webhook Token"));
    }
    if !rec.acknowledged {
        call.failure_line(format!(
            "{bot_name} {doing} {} before answering it (answer or defer it first, within 3 \
             s): refused, 404 Unknown Webhook",
            rec.whose(&state.world)
        ));
        return Err(unknown());
    }
    Ok(rec)
}

/// `POST /webhooks/{app}/{token}`: a followup message.
fn on_followup(state: &mut State, call: &mut Call<'_>) -> Answer {
    let rec = webhook_interaction(state, call, "followed up")?;
    let mut new = NewMessage::from_body(call.body(), 0);
    // EPHEMERAL (64): only the user sees it.
    let only_the_user = if new.flags & 64 == 0 {
        ""
    } else {
        " (only the user sees it)"
    };
    new.flags = 0;
    new.poll = None;
    let bot = state.world.bot_id;
    let line = format!(
        "{} followed up an interaction{only_the_user}: {}",
        user(&state.world, bot),
        summary(&new.content, &new.embeds, &new.components)
    );
    let m = messages::post_message(state, rec.channel_id, bot, new)?;
    call.line(line);
    Ok(Reply::json(&message_json(&state.world, &m, false, false)))
}

/// `GET`/`PATCH`/`DELETE /webhooks/{app}/{token}/messages/{@original|id}`.
fn on_webhook_message(state: &mut State, call: &mut Call<'_>) -> Answer {
    let token = call.param("token").to_owned();
    let original = call.param("message") == "@original";
    let doing = match (call.method, original) {
        ("GET", true) => "read the answer to",
        ("GET", false) => "read a followup of",
        ("PATCH", true) => "edited the answer to",
        ("PATCH", false) => "edited a followup of",
        (_, true) => "deleted the answer to",
        (_, false) => "deleted a followup of",
    };
    let rec = webhook_interaction(state, call, doing)?;
    let target = if original {
        rec.response_message
    } else {
        call.id("message")
    };
    let bot = state.world.bot_id;
    let bot_name = user(&state.world, bot);
    let shown = summary(
        call.field("content").and_then(Value::as_str).unwrap_or(""),
        call.field("embeds")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice),
        call.field("components")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice),
    );
    match (call.method, target) {
        ("GET", Some(m)) => {
            let m = state
                .world
                .message(rec.channel_id, m)
                .ok_or(OpError::UnknownMessage(m))?;
            Ok(Reply::json(&message_json(&state.world, m, false, false)))
        }
        ("PATCH", Some(m)) => {
            let content = call
                .field("content")
                .map(|c| c.as_str().unwrap_or("").to_owned());
            let m = messages::edit_message(
                state,
                rec.channel_id,
                m,
                content,
                call.body_array("embeds"),
                call.body_array("components"),
            )?;
            call.line(format!("{bot_name} edited an interaction answer: {shown}"));
            Ok(Reply::json(&message_json(&state.world, &m, false, false)))
        }
        // Editing @original after a deferral posts the response.
        ("PATCH", None) if original => {
            let mut new = NewMessage::from_body(call.body(), 20);
            new.flags = 0;
            new.poll = None;
            let m = messages::post_message(state, rec.channel_id, bot, new)?;
            if let Some(entry) = interactions(state).by_token.get_mut(&token) {
                entry.response_message = Some(m.id);
            }
            call.line(format!("{bot_name} answered an interaction: {shown}"));
            Ok(Reply::json(&message_json(&state.world, &m, false, false)))
        }
        ("DELETE", Some(m)) => {
            messages::delete_message(state, rec.channel_id, m)?;
            call.line(format!("{bot_name} deleted an interaction answer"));
            Ok(Reply::no_content())
        }
        // A deferred answer is a "thinking..." message until edited: deleting it removes that.
        ("DELETE", None) if original && rec.acknowledged => {
            call.line(format!(
                "{bot_name} deleted an interaction answer (the deferred \"thinking...\")"
            ));
            Ok(Reply::no_content())
        }
        _ => Err(OpError::UnknownMessage(target.unwrap_or(0)).into()),
    }
}

/// A command as the bot sent it, with the ids and defaults Discord adds.
fn command(state: &mut State, mut body: Value, guild: Option<u64>) -> Result<Command, Reply> {
    let id = state.world.next_id();
    if let Value::Object(map) = &mut body {
        map.insert("id".into(), Value::from(id.to_string()));
        map.insert(
            "application_id".into(),
            Value::from(state.world.application_id.to_string()),
        );
        map.insert("version".into(), Value::from(id.to_string()));
        // Clients may send explicit nulls; Discord answers defaults.
        map.retain(|_, v| !v.is_null());
        map.entry("type").or_insert(Value::from(1));
        map.entry("description").or_insert(Value::from(""));
        map.entry("options").or_insert(Value::Array(Vec::new()));
        if let Some(g) = guild {
            map.insert("guild_id".into(), Value::from(g.to_string()));
        }
    }
    serde_json::from_value(body)
        .map_err(|error| Reply::error(400, 50035, format!("Invalid Form Body: {error}")))
}

/// `GET .../commands`: every registered command.
fn on_commands(state: &mut State, call: &mut Call<'_>) -> Answer {
    let guild = call.id("guild");
    Ok(Reply::json(&*interactions(state).scope(guild)))
}

/// `PUT .../commands`: replaces the registered commands.
fn on_set_commands(state: &mut State, call: &mut Call<'_>) -> Answer {
    let guild = call.id("guild");
    let list = match call.body() {
        Some(Value::Array(list)) => list.clone(),
        _ => Vec::new(),
    };
    let names = command_names(&list);
    let commands = list
        .into_iter()
        .map(|c| command(state, c, guild))
        .collect::<Result<Vec<_>, _>>()?;
    interactions(state).scope(guild).clone_from(&commands);
    let bot_name = user(&state.world, state.world.bot_id);
    call.line(if names.is_empty() {
        format!("{bot_name} cleared its commands")
    } else {
        format!("{bot_name} registered commands {names}")
    });
    Ok(Reply::json(&commands))
}

/// `POST .../commands`: registers one more command.
fn on_add_command(state: &mut State, call: &mut Call<'_>) -> Answer {
    let body = call.body().cloned().unwrap_or(Value::Null);
    let names = command_names(std::slice::from_ref(&body));
    let guild = call.id("guild");
    let command = command(state, body, guild)?;
    interactions(state).scope(guild).push(command.clone());
    let bot_name = user(&state.world, state.world.bot_id);
    call.line(format!("{bot_name} registered command {names}"));
    Ok(Reply::json(&command))
}
