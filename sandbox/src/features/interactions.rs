//! Interactions and application commands: actors clicking buttons, picking
//! in menus, submitting modals and running slash commands
//! (INTERACTION_CREATE, delivered whatever the intents); the bot's answers
//! (`POST /interactions/{id}/{token}/callback`), followups and edits of its
//! answers (`/webhooks/{app}/{token}/...`), and registering commands.

use std::{collections::HashMap, fmt::Write as _};

use serde::Serialize;
use serde_json::Value;
use twilight_model::{
    application::{
        command::{Command, CommandType},
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
    channel::message::component::ComponentType,
    guild::{MemberFlags, Permissions},
    id::{
        Id,
        marker::{ChannelMarker, InteractionMarker, MessageMarker, RoleMarker, UserMarker},
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

/// A slash command option value, for [`Actor::slash_command`]. Build one
/// with `.into()` from `&str`, `String`, `i64`, `bool`, `f64`, or a user,
/// channel or role id.
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

/// An interaction the sandbox created, for callbacks and followups.
#[derive(Debug, Clone)]
struct InteractionRec {
    id: u64,
    channel_id: u64,
    /// The message a component interaction was on.
    message_id: Option<u64>,
    acknowledged: bool,
    /// The message the response created (type 4 or an edit of `@original`).
    response_message: Option<u64>,
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
}

fn interactions(state: &mut State) -> &mut Interactions {
    state.features.get::<Interactions>()
}

/// Registers and dispatches an INTERACTION_CREATE. `message`: the message
/// of a component interaction.
fn start_interaction(
    state: &mut State,
    user: u64,
    channel: u64,
    message: Option<u64>,
    kind: InteractionType,
    data: InteractionData,
) -> SentInteraction {
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
    }
    interactions(state).by_token.insert(
        token.clone(),
        InteractionRec {
            id,
            channel_id: channel,
            message_id: message,
            acknowledged: false,
            response_message: None,
        },
    );
    state.send(&INTERACTION_CREATE, guild, &d);
    SentInteraction {
        id: Id::new(id),
        token,
        channel_id: Id::new(channel),
    }
}

/// The resolved data of a slash command's user, channel and role options.
fn resolve(
    world: &World,
    guild: Option<u64>,
    options: &[(&str, OptionValue)],
) -> Option<InteractionDataResolved> {
    let mut resolved = InteractionDataResolved {
        attachments: HashMap::new(),
        channels: HashMap::new(),
        members: HashMap::new(),
        messages: HashMap::new(),
        roles: HashMap::new(),
        users: HashMap::new(),
    };
    for (_, value) in options {
        match value {
            OptionValue::User(u) => {
                resolved.users.insert(*u, wire::user(world, u.get()));
                if let Some(g) = guild
                    && let Some(m) = world.member(g, u.get())
                {
                    resolved.members.insert(
                        *u,
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
            OptionValue::Channel(c) => {
                if let Some(rec) = world.channel(c.get()) {
                    let channel = wire::channel(rec);
                    resolved.channels.insert(
                        *c,
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
            OptionValue::Role(r) => {
                if let Some(rec) = world
                    .guilds
                    .iter()
                    .flat_map(|g| &g.roles)
                    .find(|x| x.id == r.get())
                {
                    resolved.roles.insert(*r, wire::role(rec));
                }
            }
            _ => {}
        }
    }
    let empty = resolved.users.is_empty()
        && resolved.members.is_empty()
        && resolved.channels.is_empty()
        && resolved.roles.is_empty();
    (!empty).then_some(resolved)
}

// ---- transcript lines -----------------------------------------------------------

/// `alice used /warn user:bob reason:spam`.
fn slash_line(world: &World, who: u64, name: &str, options: &[(&str, OptionValue)]) -> String {
    let mut line = format!("{} used /{name}", user(world, who));
    for (key, value) in options {
        let shown = match value {
            OptionValue::String(s) => clip(s, MAX_DESCRIPTION),
            OptionValue::Integer(i) => i.to_string(),
            OptionValue::Boolean(b) => b.to_string(),
            OptionValue::Number(n) => n.to_string(),
            OptionValue::User(u) => user(world, u.get()),
            OptionValue::Channel(c) => channel_name(world, c.get()),
            OptionValue::Role(r) => role(world, r.get()),
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
        8 => format!("{bot_name} sent autocomplete choices"),
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

/// `/level, /warn`.
fn command_names(list: &[Value]) -> String {
    list.iter()
        .filter_map(|c| c.get("name").and_then(Value::as_str))
        .map(|n| format!("/{n}"))
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
            let data =
                InteractionData::MessageComponent(Box::new(MessageComponentInteractionData {
                    component_type,
                    custom_id: custom_id.to_owned(),
                    resolved: None,
                    values,
                }));
            Ok(start_interaction(
                state,
                who,
                channel,
                Some(message.get()),
                InteractionType::MessageComponent,
                data,
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
                who,
                channel.get(),
                None,
                InteractionType::ModalSubmit,
                data,
            ))
        })
    }

    /// Runs the slash command `name` in `channel` with options
    /// (INTERACTION_CREATE type 2, with resolved users, members, channels
    /// and roles). The command id is the registered one if the bot
    /// registered `name` through the REST API.
    ///
    /// ```no_run
    /// # async fn f(sb: herald_sandbox::Sandbox) {
    /// let general = sb.channel("general");
    /// let bob = sb.user("bob");
    /// sb.actor("mod")
    ///     .slash_command(general, "warn", &[("user", bob.into()), ("reason", "spam".into())]);
    /// # }
    /// ```
    ///
    /// # Panics
    ///
    /// If the channel is unknown.
    #[track_caller]
    pub fn slash_command(
        &self,
        channel: Id<ChannelMarker>,
        name: &str,
        options: &[(&str, OptionValue)],
    ) -> SentInteraction {
        self.run("run a slash command", |state, who| {
            let guild = state.text_channel(channel.get())?;
            let registered = {
                let all = interactions(state);
                let in_guild = guild.and_then(|g| all.guild_commands.get(&g));
                in_guild
                    .into_iter()
                    .flatten()
                    .chain(&all.commands)
                    .find(|c| c.name == name)
                    .and_then(|c| c.id)
            };
            let command_id = registered.map_or_else(|| state.world.next_id(), |id| id.get());
            let opts = options
                .iter()
                .map(|(opt_name, value)| CommandDataOption {
                    name: (*opt_name).to_owned(),
                    value: match value {
                        OptionValue::String(s) => CommandOptionValue::String(s.clone()),
                        OptionValue::Integer(i) => CommandOptionValue::Integer(*i),
                        OptionValue::Boolean(b) => CommandOptionValue::Boolean(*b),
                        OptionValue::Number(n) => CommandOptionValue::Number(*n),
                        OptionValue::User(u) => CommandOptionValue::User(*u),
                        OptionValue::Channel(c) => CommandOptionValue::Channel(*c),
                        OptionValue::Role(r) => CommandOptionValue::Role(*r),
                    },
                })
                .collect();
            let data = InteractionData::ApplicationCommand(Box::new(CommandData {
                guild_id: guild.map(Id::new),
                id: Id::new(command_id),
                kind: CommandType::ChatInput,
                name: name.to_owned(),
                options: opts,
                resolved: resolve(&state.world, guild, options),
                target_id: None,
            }));
            let line = slash_line(&state.world, who, name, options);
            state.note(line);
            Ok(start_interaction(
                state,
                who,
                channel.get(),
                None,
                InteractionType::ApplicationCommand,
                data,
            ))
        })
    }
}

// ---- REST ---------------------------------------------------------------------------

/// The interaction of a token.
fn interaction(state: &mut State, token: &str) -> Option<InteractionRec> {
    interactions(state).by_token.get(token).cloned()
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
    let kind = call.field("type").and_then(Value::as_u64).unwrap_or(0);
    let data = call.field("data");
    let data_array = |key: &str| {
        data.and_then(|d| d.get(key))
            .and_then(Value::as_array)
            .cloned()
    };
    let bot = state.world.bot_id;
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
        if let Some(m) = &message {
            entry.response_message = Some(m.id);
        }
    }
    if let Some(body) = call.body() {
        let bot_name = user(&state.world, bot);
        call.line(callback_line(&bot_name, body));
    }
    if call.query("with_response") != Some("true") {
        return Ok(Reply::no_content());
    }
    Ok(Reply::json(&CallbackResponse {
        interaction: CallbackInteraction {
            id: Id::new(rec.id),
            kind: InteractionType::ApplicationCommand,
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

/// `POST /webhooks/{app}/{token}`: a followup message.
fn on_followup(state: &mut State, call: &mut Call<'_>) -> Answer {
    let rec = interaction(state, call.param("token"))
        .ok_or_else(|| Reply::error(404, 10015, "Unknown Webhook"))?;
    let mut new = NewMessage::from_body(call.body(), 0);
    new.flags = 0;
    new.poll = None;
    let bot = state.world.bot_id;
    let line = format!(
        "{} followed up an interaction: {}",
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
    let rec =
        interaction(state, &token).ok_or_else(|| Reply::error(404, 10015, "Unknown Webhook"))?;
    let original = call.param("message") == "@original";
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
