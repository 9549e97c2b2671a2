//! Messages: posting (by actors, the bot's REST calls, bursts), editing,
//! deleting one or many, pins, typing, and message history; MESSAGE_CREATE,
//! MESSAGE_UPDATE, MESSAGE_DELETE, MESSAGE_DELETE_BULK, CHANNEL_PINS_UPDATE
//! and TYPING_START. A message is rendered as twilight's `Message`, with the
//! content fields blanked for sessions without MESSAGE_CONTENT; its poll, if
//! it has one, is part of it (votes are the polls feature's).

use std::fmt::Write as _;

use serde_json::Value;
use twilight_model::{
    channel::{
        Message,
        message::{Mention, MessageFlags, MessageType, Reaction, ReactionCountDetails},
    },
    gateway::{
        Intents,
        payload::incoming::{ChannelPinsUpdate, MessageDelete, MessageDeleteBulk, TypingStart},
    },
    id::{
        Id,
        marker::{ChannelMarker, MessageMarker},
    },
    poll::{AnswerCount, Poll, PollAnswer, PollLayoutType, PollMedia, PollResults},
    user::UserFlags,
};

use crate::{
    core::{
        actor::Actor,
        admin::Admin,
        dispatch::{Dispatch, EventKind},
        ids::{in_secs, now, unix_now},
        ops::OpError,
        rest::{Answer, Call, Reply, Route, value_id},
        state::State,
        transcript::{self, MAX_DESCRIPTION, MAX_TEXT, MAX_TITLE, clip, place, user},
        wire,
        world::{CHANNEL_DM, MessageRec, PollRec, World},
    },
    features::automod,
};

pub(crate) const MESSAGE_CREATE: EventKind = EventKind::needs_in(
    "MESSAGE_CREATE",
    Intents::GUILD_MESSAGES,
    Intents::DIRECT_MESSAGES,
);
pub(crate) const MESSAGE_UPDATE: EventKind = EventKind::needs_in(
    "MESSAGE_UPDATE",
    Intents::GUILD_MESSAGES,
    Intents::DIRECT_MESSAGES,
);
pub(crate) const MESSAGE_DELETE: EventKind = EventKind::needs_in(
    "MESSAGE_DELETE",
    Intents::GUILD_MESSAGES,
    Intents::DIRECT_MESSAGES,
);
pub(crate) const MESSAGE_DELETE_BULK: EventKind = EventKind::needs_in(
    "MESSAGE_DELETE_BULK",
    Intents::GUILD_MESSAGES,
    Intents::DIRECT_MESSAGES,
);
pub(crate) const CHANNEL_PINS_UPDATE: EventKind = EventKind::needs_in(
    "CHANNEL_PINS_UPDATE",
    Intents::GUILDS,
    Intents::DIRECT_MESSAGES,
);
pub(crate) const TYPING_START: EventKind = EventKind::needs_in(
    "TYPING_START",
    Intents::GUILD_MESSAGE_TYPING,
    Intents::DIRECT_MESSAGE_TYPING,
);

pub(crate) const EVENTS: &[EventKind] = &[
    MESSAGE_CREATE,
    MESSAGE_UPDATE,
    MESSAGE_DELETE,
    MESSAGE_DELETE_BULK,
    CHANNEL_PINS_UPDATE,
    TYPING_START,
];

pub(crate) const ROUTES: &[Route] = &[
    Route::new("GET", "/channels/{channel}/messages", on_list_messages),
    Route::new("POST", "/channels/{channel}/messages", on_create_message),
    Route::new(
        "GET",
        "/channels/{channel}/messages/{message}",
        on_get_message,
    ),
    Route::new(
        "PATCH",
        "/channels/{channel}/messages/{message}",
        on_edit_message,
    ),
    Route::new(
        "DELETE",
        "/channels/{channel}/messages/{message}",
        on_delete_message,
    ),
    Route::new(
        "POST",
        "/channels/{channel}/messages/bulk-delete",
        on_bulk_delete,
    ),
    Route::new("PUT", "/channels/{channel}/messages/pins/{message}", on_pin),
    Route::new(
        "DELETE",
        "/channels/{channel}/messages/pins/{message}",
        on_pin,
    ),
    Route::new("PUT", "/channels/{channel}/pins/{message}", on_pin),
    Route::new("DELETE", "/channels/{channel}/pins/{message}", on_pin),
    Route::new("POST", "/channels/{channel}/typing", on_typing),
];

/// The content of a new message.
#[derive(Clone, Debug, Default)]
pub(crate) struct NewMessage {
    pub(crate) content: String,
    pub(crate) embeds: Vec<Value>,
    pub(crate) components: Vec<Value>,
    pub(crate) kind: u8,
    pub(crate) flags: u64,
    pub(crate) poll: Option<PollRec>,
}

impl NewMessage {
    /// A message from a REST body (`POST /channels/{c}/messages`, interaction
    /// answers and followups): `content`, `embeds`, `components`, `flags`,
    /// `poll`.
    pub(crate) fn from_body(body: Option<&Value>, kind: u8) -> Self {
        let field = |key: &str| body.and_then(|b| b.get(key));
        let array = |key: &str| field(key).and_then(Value::as_array).cloned();
        Self {
            content: field("content")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            embeds: array("embeds").unwrap_or_default(),
            components: array("components").unwrap_or_default(),
            kind,
            flags: field("flags").and_then(Value::as_u64).unwrap_or(0),
            poll: field("poll").and_then(poll_from_body),
        }
    }
}

/// A poll as a bot sends it: `question.text`, `answers[].poll_media.text`,
/// `duration` (hours, default 24), `allow_multiselect`.
fn poll_from_body(poll: &Value) -> Option<PollRec> {
    let question = poll.get("question")?.get("text")?.as_str()?.to_owned();
    let answers = poll
        .get("answers")?
        .as_array()?
        .iter()
        .filter_map(|a| Some(a.get("poll_media")?.get("text")?.as_str()?.to_owned()))
        .collect();
    let hours = poll.get("duration").and_then(Value::as_u64).unwrap_or(24);
    Some(PollRec {
        question,
        answers,
        allow_multiselect: poll
            .get("allow_multiselect")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        expiry: Some(in_secs(hours * 60 * 60)),
        votes: Vec::new(),
    })
}

/// `<@123>` and `<@!123>` mentions in `content`.
pub(crate) fn parse_mentions(content: &str) -> Vec<u64> {
    let mut out = Vec::new();
    let mut rest = content;
    while let Some(start) = rest.find("<@") {
        rest = &rest[start + 2..];
        let digits = rest.strip_prefix('!').unwrap_or(rest);
        let end = digits
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(digits.len());
        if end > 0
            && digits[end..].starts_with('>')
            && let Ok(id) = digits[..end].parse::<u64>()
            && !out.contains(&id)
        {
            out.push(id);
        }
    }
    out
}

// ---- the wire form --------------------------------------------------------------

/// A message as twilight's `Message`. `gateway` adds `member` as Discord
/// does on the gateway; `redact` blanks content, embeds, attachments,
/// components and the poll (no MESSAGE_CONTENT intent).
///
/// Embeds and components go out as the JSON their author sent, not through
/// twilight's `Embed` and `Component`: those would reshape or reject what
/// the sandbox does not model (unknown fields, newer component types), and
/// Discord echoes them as sent. `components` is always present, as Discord
/// sends it (twilight leaves an empty list out).
pub(crate) fn message_json(world: &World, m: &MessageRec, gateway: bool, redact: bool) -> Value {
    let mut v = serde_json::to_value(message(world, m, gateway, redact)).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut v {
        let (embeds, components) = if redact {
            (Vec::new(), Vec::new())
        } else {
            (m.embeds.clone(), m.components.clone())
        };
        map.insert("embeds".into(), Value::Array(embeds));
        map.insert("components".into(), Value::Array(components));
    }
    v
}

#[allow(deprecated)] // `Message::interaction`: deprecated by Discord, still a field.
fn message(world: &World, m: &MessageRec, gateway: bool, redact: bool) -> Message {
    let mention = |id: u64| {
        let u = wire::user(world, id);
        Mention {
            avatar: None,
            bot: u.bot,
            discriminator: u.discriminator,
            id: u.id,
            member: None,
            name: u.name,
            public_flags: UserFlags::empty(),
        }
    };
    Message {
        activity: None,
        application: None,
        application_id: None,
        attachments: Vec::new(),
        author: wire::user(world, m.author_id),
        call: None,
        channel_id: Id::new(m.channel_id),
        components: Vec::new(),
        content: if redact {
            String::new()
        } else {
            m.content.clone()
        },
        edited_timestamp: m.edited_timestamp,
        embeds: Vec::new(),
        flags: Some(MessageFlags::from_bits_retain(m.flags)),
        guild_id: m.guild_id.map(Id::new),
        id: Id::new(m.id),
        interaction: None,
        interaction_metadata: None,
        kind: MessageType::from(m.kind),
        member: m
            .guild_id
            .filter(|_| gateway)
            .and_then(|g| world.member(g, m.author_id))
            .map(|member| wire::partial_member(world, member, false)),
        mention_channels: Vec::new(),
        mention_everyone: false,
        mention_roles: Vec::new(),
        mentions: m.mentions.iter().map(|u| mention(*u)).collect(),
        message_snapshots: Vec::new(),
        pinned: m.pinned_at.is_some(),
        poll: m.poll.as_ref().filter(|_| !redact).map(|p| poll(world, p)),
        reactions: m
            .reactions
            .iter()
            .map(|(emoji, users)| Reaction {
                burst_colors: Vec::new(),
                count: users.len() as u64,
                count_details: ReactionCountDetails {
                    burst: 0,
                    normal: users.len() as u64,
                },
                emoji: wire::reaction_emoji(emoji),
                me: users.contains(&world.bot_id),
                me_burst: false,
            })
            .collect(),
        reference: None,
        referenced_message: None,
        role_subscription_data: None,
        sticker_items: Vec::new(),
        timestamp: m.timestamp,
        thread: None,
        tts: false,
        webhook_id: None,
    }
}

/// A poll with its results so far.
fn poll(world: &World, p: &PollRec) -> Poll {
    let answers = (1..=p.answers.len()).filter_map(|i| u8::try_from(i).ok());
    Poll {
        answers: answers
            .clone()
            .zip(&p.answers)
            .map(|(answer_id, text)| PollAnswer {
                answer_id,
                poll_media: PollMedia {
                    emoji: None,
                    text: Some(text.clone()),
                },
            })
            .collect(),
        allow_multiselect: p.allow_multiselect,
        expiry: p.expiry,
        layout_type: PollLayoutType::Default,
        question: PollMedia {
            emoji: None,
            text: Some(p.question.clone()),
        },
        results: Some(PollResults {
            answer_counts: answers
                .map(|id| AnswerCount {
                    id,
                    count: p.votes.iter().filter(|(a, _)| *a == id).count() as u64,
                    me_voted: p.votes.contains(&(id, world.bot_id)),
                })
                .collect(),
            is_finalized: false,
        }),
    }
}

// ---- world changes --------------------------------------------------------------

/// Dispatches a message event, with a redacted variant for sessions
/// without MESSAGE_CONTENT when needed.
pub(crate) fn dispatch_message(state: &mut State, kind: &EventKind, message: &MessageRec) {
    let full = message_json(&state.world, message, true, false).to_string();
    let exempt = message.guild_id.is_none()
        || message.author_id == state.world.bot_id
        || message.mentions.contains(&state.world.bot_id);
    let redacted = (!exempt && state.any_without_content(message.guild_id))
        .then(|| message_json(&state.world, message, true, true).to_string());
    let mut dispatch = Dispatch::new(kind, message.guild_id, &full);
    dispatch.d_redacted = redacted.as_deref();
    state.dispatch(&dispatch);
}

/// Posts a message (MESSAGE_CREATE) and returns it.
pub(crate) fn post_message(
    state: &mut State,
    channel: u64,
    author: u64,
    new: NewMessage,
) -> Result<MessageRec, OpError> {
    let guild = state.text_channel(channel)?;
    if new.content.is_empty()
        && new.embeds.is_empty()
        && new.components.is_empty()
        && new.poll.is_none()
    {
        return Err(OpError::EmptyMessage);
    }
    if let Some(c) = state.world.channel(channel)
        && c.kind == CHANNEL_DM
        && author == state.world.bot_id
        && let Some(recipient) = c.recipient
        && state
            .world
            .user_rec(recipient)
            .is_some_and(|u| u.refuses_dms)
    {
        return Err(OpError::CannotDm(recipient));
    }
    let message = MessageRec {
        id: state.world.next_id(),
        channel_id: channel,
        guild_id: guild,
        author_id: author,
        mentions: parse_mentions(&new.content),
        content: new.content,
        timestamp: now(),
        edited_timestamp: None,
        embeds: new.embeds,
        components: new.components,
        reactions: Vec::new(),
        kind: new.kind,
        flags: new.flags,
        pinned_at: None,
        poll: new.poll,
    };
    state.world.store_message(message.clone());
    dispatch_message(state, &MESSAGE_CREATE, &message);
    Ok(message)
}

/// Edits a message (MESSAGE_UPDATE). `None` fields stay as they are.
pub(crate) fn edit_message(
    state: &mut State,
    channel: u64,
    id: u64,
    content: Option<String>,
    embeds: Option<Vec<Value>>,
    components: Option<Vec<Value>>,
) -> Result<MessageRec, OpError> {
    state.text_channel(channel)?;
    let message = state
        .world
        .message_mut(channel, id)
        .ok_or(OpError::UnknownMessage(id))?;
    if let Some(content) = content {
        message.mentions = parse_mentions(&content);
        message.content = content;
    }
    if let Some(embeds) = embeds {
        message.embeds = embeds;
    }
    if let Some(components) = components {
        message.components = components;
    }
    message.edited_timestamp = Some(now());
    let message = message.clone();
    dispatch_message(state, &MESSAGE_UPDATE, &message);
    Ok(message)
}

/// Deletes a message (MESSAGE_DELETE).
pub(crate) fn delete_message(state: &mut State, channel: u64, id: u64) -> Result<(), OpError> {
    let guild = state.text_channel(channel)?;
    state
        .world
        .remove_message(channel, id)
        .ok_or(OpError::UnknownMessage(id))?;
    let d = MessageDelete {
        channel_id: Id::new(channel),
        guild_id: guild.map(Id::new),
        id: Id::new(id),
    };
    state.send(&MESSAGE_DELETE, guild, &d);
    Ok(())
}

/// Deletes the messages of `ids` that are in `channel`:
/// MESSAGE_DELETE_BULK (nothing if none is). Returns the deleted ids.
pub(crate) fn bulk_delete(
    state: &mut State,
    channel: u64,
    ids: &[u64],
) -> Result<Vec<u64>, OpError> {
    let guild = state.text_channel(channel)?;
    let deleted: Vec<u64> = ids
        .iter()
        .copied()
        .filter(|id| state.world.remove_message(channel, *id).is_some())
        .collect();
    if deleted.is_empty() {
        return Ok(deleted);
    }
    let d = MessageDeleteBulk {
        channel_id: Id::new(channel),
        guild_id: guild.map(Id::new),
        ids: deleted.iter().map(|id| Id::new(*id)).collect(),
    };
    state.send(&MESSAGE_DELETE_BULK, guild, &d);
    Ok(deleted)
}

/// TYPING_START.
pub(crate) fn typing(state: &mut State, channel: u64, user: u64) -> Result<(), OpError> {
    let guild = state.text_channel(channel)?;
    let d = TypingStart {
        channel_id: Id::new(channel),
        guild_id: guild.map(Id::new),
        member: guild
            .and_then(|g| state.world.member(g, user))
            .map(|m| wire::member(&state.world, m)),
        timestamp: unix_now(),
        user_id: Id::new(user),
    };
    state.send(&TYPING_START, guild, &d);
    Ok(())
}

/// Pins or unpins a message: CHANNEL_PINS_UPDATE with the newest pin's
/// time. Nothing if already so.
pub(crate) fn pin(state: &mut State, channel: u64, message: u64, pin: bool) -> Result<(), OpError> {
    let guild = state.text_channel(channel)?;
    let m = state
        .world
        .message_mut(channel, message)
        .ok_or(OpError::UnknownMessage(message))?;
    if m.pinned_at.is_some() == pin {
        return Ok(());
    }
    m.pinned_at = pin.then(now);
    let last = state.world.messages.get(&channel).and_then(|list| {
        list.iter()
            .filter_map(|m| m.pinned_at)
            .max_by_key(|t| t.as_micros())
    });
    if let Some(c) = state.world.channel_mut(channel) {
        c.last_pin_timestamp = last;
    }
    let d = ChannelPinsUpdate {
        channel_id: Id::new(channel),
        guild_id: guild.map(Id::new),
        last_pin_timestamp: last,
    };
    state.send(&CHANNEL_PINS_UPDATE, guild, &d);
    Ok(())
}

/// `n` MESSAGE_CREATEs from `author` in `channel`, contents
/// `"burst 0"`, `"burst 1"`, ... Rendered once as a template (a message
/// with placeholder id and content), then filled in per message.
pub(crate) fn burst(
    state: &mut State,
    channel: u64,
    author: u64,
    n: usize,
) -> Result<Vec<u64>, OpError> {
    let guild = state.text_channel(channel)?;
    let mut template = MessageRec {
        id: BURST_ID,
        channel_id: channel,
        guild_id: guild,
        author_id: author,
        content: BURST_CONTENT.to_owned(),
        timestamp: now(),
        edited_timestamp: None,
        embeds: Vec::new(),
        components: Vec::new(),
        mentions: Vec::new(),
        reactions: Vec::new(),
        kind: 0,
        flags: 0,
        pinned_at: None,
        poll: None,
    };
    let rendered = message_json(&state.world, &template, true, false).to_string();
    let template_text = Template::new(&rendered);
    let redact =
        guild.is_some() && author != state.world.bot_id && state.any_without_content(guild);
    let mut ids = Vec::with_capacity(n);
    let mut d = String::with_capacity(rendered.len() + 16);
    let mut d_redacted = String::new();
    for i in 0..n {
        let id = state.world.next_id();
        let content = format!("burst {i}");
        template_text.fill(&mut d, id, &json_string(&content));
        if redact {
            template_text.fill(&mut d_redacted, id, "\"\"");
        }
        template.id = id;
        template.content = content;
        state.world.store_message(template.clone());
        let mut dispatch = Dispatch::new(&MESSAGE_CREATE, guild, &d);
        dispatch.d_redacted = redact.then_some(d_redacted.as_str());
        state.dispatch(&dispatch);
        ids.push(id);
    }
    Ok(ids)
}

/// Placeholders of the burst template (an id and a content no message has).
const BURST_ID: u64 = u64::MAX - 7;
const BURST_CONTENT: &str = "\u{1}sandbox-burst\u{1}";

/// A rendered message with its id and content cut out, in the order they
/// appear in the JSON.
struct Template {
    pieces: Vec<String>,
    /// For each hole between pieces: `true` for the id, `false` for the
    /// content.
    holes: Vec<bool>,
}

impl Template {
    fn new(rendered: &str) -> Self {
        let id = format!("\"{BURST_ID}\"");
        let content = json_string(BURST_CONTENT);
        let mut pieces = Vec::new();
        let mut holes = Vec::new();
        let mut rest = rendered;
        loop {
            let next_id = rest.find(&id).map(|i| (i, true, id.len()));
            let next_content = rest.find(&content).map(|i| (i, false, content.len()));
            let next = match (next_id, next_content) {
                (Some(a), Some(b)) => Some(if a.0 < b.0 { a } else { b }),
                (a, b) => a.or(b),
            };
            let Some((at, is_id, len)) = next else {
                pieces.push(rest.to_owned());
                break;
            };
            pieces.push(rest[..at].to_owned());
            holes.push(is_id);
            rest = &rest[at + len..];
        }
        Self { pieces, holes }
    }

    /// Writes the template into `out` with `id` and `content` (a JSON
    /// string literal) filled in.
    fn fill(&self, out: &mut String, id: u64, content: &str) {
        out.clear();
        for (piece, hole) in self
            .pieces
            .iter()
            .zip(self.holes.iter().map(Some).chain([None]))
        {
            out.push_str(piece);
            match hole {
                Some(true) => {
                    let _ = write!(out, "\"{id}\"");
                }
                Some(false) => out.push_str(content),
                None => {}
            }
        }
    }
}

/// A string as a JSON string literal (with quotes).
fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| String::from("\"\""))
}

// ---- transcript lines -----------------------------------------------------------

/// What a message shows: text, `[embed] title — description`, buttons and
/// menus, a poll.
pub(crate) fn summary(content: &str, embeds: &[Value], components: &[Value]) -> String {
    body_summary(content, embeds, components, None)
}

fn body_summary(
    content: &str,
    embeds: &[Value],
    components: &[Value],
    poll: Option<&PollRec>,
) -> String {
    let mut parts = Vec::new();
    if !content.trim().is_empty() {
        parts.push(clip(content, MAX_TEXT));
    }
    for e in embeds {
        parts.push(embed(e));
    }
    let mut texts = Vec::new();
    let mut buttons = Vec::new();
    let mut menus = Vec::new();
    collect_components(components, &mut texts, &mut buttons, &mut menus);
    parts.extend(texts.iter().map(|t| clip(t, MAX_TEXT)));
    if !buttons.is_empty() {
        parts.push(format!("[buttons: {}]", buttons.join(", ")));
    }
    for menu in menus {
        parts.push(format!("[menu: {menu}]"));
    }
    if let Some(p) = poll {
        let answers: Vec<String> = p.answers.iter().map(|a| clip(a, MAX_TITLE)).collect();
        parts.push(format!(
            "[poll: {} — {}]",
            clip(&p.question, MAX_DESCRIPTION),
            answers.join(" / ")
        ));
    }
    if parts.is_empty() {
        "(empty message)".to_owned()
    } else {
        parts.join(" ")
    }
}

fn embed(e: &Value) -> String {
    let text = |key: &str, max: usize| {
        e.get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .map(|s| clip(s, max))
    };
    let mut out = String::from("[embed]");
    match (
        text("title", MAX_TITLE),
        text("description", MAX_DESCRIPTION),
    ) {
        (Some(t), Some(d)) => {
            let _ = write!(out, " {t} — {d}");
        }
        (Some(s), None) | (None, Some(s)) => {
            let _ = write!(out, " {s}");
        }
        (None, None) => {}
    }
    let fields = e
        .get("fields")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    match fields {
        0 => {}
        1 => out.push_str(" (1 field)"),
        n => {
            let _ = write!(out, " ({n} fields)");
        }
    }
    out
}

/// Walks action rows and components v2 containers.
fn collect_components(
    components: &[Value],
    texts: &mut Vec<String>,
    buttons: &mut Vec<String>,
    menus: &mut Vec<String>,
) {
    let str_of = |c: &Value, key: &str| c.get(key).and_then(Value::as_str).map(str::to_owned);
    for c in components {
        match c.get("type").and_then(Value::as_u64) {
            // Button: its label, else its emoji, else its custom id or URL.
            Some(2) => buttons.push(
                str_of(c, "label")
                    .or_else(|| c.get("emoji").and_then(|e| str_of(e, "name")))
                    .or_else(|| str_of(c, "custom_id"))
                    .or_else(|| str_of(c, "url"))
                    .unwrap_or_else(|| "?".to_owned()),
            ),
            // Select menus.
            Some(3 | 5 | 6 | 7 | 8) => menus.push(
                str_of(c, "placeholder")
                    .or_else(|| str_of(c, "custom_id"))
                    .unwrap_or_else(|| "?".to_owned()),
            ),
            // Text display (components v2).
            Some(10) => texts.extend(str_of(c, "content")),
            _ => {}
        }
        if let Some(children) = c.get("components").and_then(Value::as_array) {
            collect_components(children, texts, buttons, menus);
        }
        if let Some(accessory) = c.get("accessory") {
            collect_components(std::slice::from_ref(accessory), texts, buttons, menus);
        }
    }
}

/// `alice in #general: hi`, `alice sent a DM to herald-bot: hi`.
pub(crate) fn message_line(
    world: &World,
    author: u64,
    channel: u64,
    body: (&str, &[Value], &[Value]),
    poll: Option<&PollRec>,
) -> String {
    let who = user(world, author);
    let what = body_summary(body.0, body.1, body.2, poll);
    match transcript::dm_peer(world, author, channel) {
        Some(peer) => format!("{who} sent a DM to {}: {what}", user(world, peer)),
        None => format!(
            "{who} in {}: {what}",
            transcript::channel_name(world, channel)
        ),
    }
}

/// `alice edited a message in #general: new text`.
fn edited(
    world: &World,
    who: u64,
    channel: u64,
    content: Option<&str>,
    embeds: Option<&[Value]>,
    components: Option<&[Value]>,
) -> String {
    let mut line = format!(
        "{} edited a message {}",
        user(world, who),
        place(world, who, channel)
    );
    let what = summary(
        content.unwrap_or(""),
        embeds.unwrap_or(&[]),
        components.unwrap_or(&[]),
    );
    if content.is_some() || embeds.is_some() || components.is_some() {
        let _ = write!(line, ": {what}");
    }
    line
}

/// `alice deleted a message in #general`; `author` names someone else's.
fn deleted(world: &World, who: u64, channel: u64, author: Option<u64>) -> String {
    let whose = match author {
        Some(a) if a != who => format!("{}'s message", user(world, a)),
        _ => "a message".to_owned(),
    };
    format!(
        "{} deleted {whose} {}",
        user(world, who),
        place(world, who, channel)
    )
}

/// `alice is typing in #general`.
fn typing_line(world: &World, who: u64, channel: u64) -> String {
    format!(
        "{} is typing {}",
        user(world, who),
        place(world, who, channel)
    )
}

/// `[admin] pinned a message in #general`, `herald-bot unpinned ...`.
fn pinned(world: &World, who: Option<u64>, channel: u64, pin: bool) -> String {
    let who_id = who.unwrap_or(world.bot_id);
    format!(
        "{} {} a message {}",
        transcript::subject(world, who),
        if pin { "pinned" } else { "unpinned" },
        place(world, who_id, channel)
    )
}

/// `[admin] deleted 3 messages in #general`, `herald-bot deleted ...`.
fn bulk_deleted(world: &World, who: Option<u64>, channel: u64, n: usize) -> String {
    let who_id = who.unwrap_or(world.bot_id);
    format!(
        "{} deleted {n} message{} {}",
        transcript::subject(world, who),
        if n == 1 { "" } else { "s" },
        place(world, who_id, channel)
    )
}

/// `alice sent 100000 messages in #general (burst)`.
fn burst_line(world: &World, who: u64, channel: u64, n: usize) -> String {
    format!(
        "{} sent {n} messages {} (burst)",
        user(world, who),
        place(world, who, channel)
    )
}

// ---- actors -----------------------------------------------------------------------

impl Actor {
    /// Posts `text` in `channel` (MESSAGE_CREATE, with `guild_id` and
    /// `member`). `<@id>` mentions are parsed into `mentions`.
    ///
    /// If an [auto-moderation rule](crate::Admin::create_automod_rule) of
    /// the guild matches, the message is blocked as on Discord: nothing is
    /// posted, AUTO_MODERATION_ACTION_EXECUTION is sent instead, and the
    /// returned id names no message.
    ///
    /// # Panics
    ///
    /// If the channel is unknown or a voice channel.
    #[track_caller]
    pub fn say(&self, channel: Id<ChannelMarker>, text: &str) -> Id<MessageMarker> {
        self.post(channel, text, Vec::new(), Vec::new())
    }

    /// Posts a message with embeds and/or components (raw Discord JSON).
    ///
    /// # Panics
    ///
    /// If the channel is unknown or a voice channel, or everything is empty.
    #[track_caller]
    pub fn post(
        &self,
        channel: Id<ChannelMarker>,
        text: &str,
        embeds: Vec<Value>,
        components: Vec<Value>,
    ) -> Id<MessageMarker> {
        let new = NewMessage {
            content: text.to_owned(),
            embeds,
            components,
            ..NewMessage::default()
        };
        Id::new(self.run("post a message", |state, user| {
            post_as_user(state, channel.get(), user, new)
        }))
    }

    /// Sends `text` to the bot in a DM (MESSAGE_CREATE without `guild_id`,
    /// routed to shard 0, needs DIRECT_MESSAGES). Returns the DM channel and
    /// the message.
    #[track_caller]
    pub fn dm_bot(&self, text: &str) -> (Id<ChannelMarker>, Id<MessageMarker>) {
        let (channel, message) = self.run("send a DM", |state, user| {
            let channel = state.world.dm_channel_with(user);
            let new = NewMessage {
                content: text.to_owned(),
                ..NewMessage::default()
            };
            let m = post_message(state, channel, user, new)?;
            let line = message_line(&state.world, user, channel, (&m.content, &[], &[]), None);
            state.note(line);
            Ok((channel, m))
        });
        (Id::new(channel), Id::new(message.id))
    }

    /// Edits a message (MESSAGE_UPDATE with the full new message).
    ///
    /// # Panics
    ///
    /// If the message is not in that channel.
    #[track_caller]
    pub fn edit(&self, channel: Id<ChannelMarker>, message: Id<MessageMarker>, text: &str) {
        self.run("edit a message", |state, user| {
            edit_message(
                state,
                channel.get(),
                message.get(),
                Some(text.to_owned()),
                None,
                None,
            )?;
            let line = edited(&state.world, user, channel.get(), Some(text), None, None);
            state.note(line);
            Ok(())
        });
    }

    /// Deletes a message (MESSAGE_DELETE).
    ///
    /// # Panics
    ///
    /// If the message is not in that channel.
    #[track_caller]
    pub fn delete(&self, channel: Id<ChannelMarker>, message: Id<MessageMarker>) {
        self.run("delete a message", |state, user| {
            let author = state
                .world
                .message(channel.get(), message.get())
                .map(|m| m.author_id);
            delete_message(state, channel.get(), message.get())?;
            let line = deleted(&state.world, user, channel.get(), author);
            state.note(line);
            Ok(())
        });
    }

    /// Starts typing (TYPING_START).
    ///
    /// # Panics
    ///
    /// If the channel is unknown or a voice channel.
    #[track_caller]
    pub fn typing(&self, channel: Id<ChannelMarker>) {
        self.run("type", |state, user| {
            typing(state, channel.get(), user)?;
            let line = typing_line(&state.world, user, channel.get());
            state.note(line);
            Ok(())
        });
    }

    /// Queues `n` MESSAGE_CREATEs from the actor in `channel`, contents
    /// `"burst 0"` .. `"burst {n-1}"`, as fast as possible (payloads come
    /// from a pre-rendered template). The messages are stored like any
    /// other (see [`SandboxBuilder::message_history`] and
    /// [`SandboxBuilder::resume_buffer`] for bursts over 100,000). The
    /// [transcript](crate::Sandbox::transcript) gets one line for the whole
    /// burst. Auto-moderation does not look at bursts. Returns the ids in
    /// order.
    ///
    /// [`SandboxBuilder::message_history`]: crate::SandboxBuilder::message_history
    /// [`SandboxBuilder::resume_buffer`]: crate::SandboxBuilder::resume_buffer
    ///
    /// # Panics
    ///
    /// If the channel is unknown or a voice channel.
    #[track_caller]
    pub fn burst(&self, channel: Id<ChannelMarker>, n: usize) -> Vec<Id<MessageMarker>> {
        let ids = self.run("burst", |state, user| {
            let ids = burst(state, channel.get(), user, n)?;
            let line = burst_line(&state.world, user, channel.get(), n);
            state.note(line);
            Ok(ids)
        });
        ids.into_iter().map(Id::new).collect()
    }
}

/// A user posts: blocked by auto-moderation, or posted (MESSAGE_CREATE);
/// with its transcript line. Returns the message id (an unused id when
/// blocked).
pub(crate) fn post_as_user(
    state: &mut State,
    channel: u64,
    user: u64,
    new: NewMessage,
) -> Result<u64, OpError> {
    state.text_channel(channel)?;
    if automod::automod_block(state, channel, user, &new.content) {
        return Ok(state.world.next_id());
    }
    let m = post_message(state, channel, user, new)?;
    let line = message_line(
        &state.world,
        user,
        m.channel_id,
        (&m.content, &m.embeds, &m.components),
        m.poll.as_ref(),
    );
    state.note(line);
    Ok(m.id)
}

// ---- admin ------------------------------------------------------------------------

impl Admin {
    /// Pins a message: CHANNEL_PINS_UPDATE with `last_pin_timestamp`
    /// (intent GUILDS, DIRECT_MESSAGES in DMs). Nothing if already pinned.
    ///
    /// # Panics
    ///
    /// If the message is not in that channel.
    #[track_caller]
    pub fn pin(&self, channel: Id<ChannelMarker>, message: Id<MessageMarker>) {
        self.pin_or_unpin(channel, message, true);
    }

    /// Unpins a message: CHANNEL_PINS_UPDATE with the newest remaining
    /// pin's time (or `null`). Nothing if not pinned.
    ///
    /// # Panics
    ///
    /// If the message is not in that channel.
    #[track_caller]
    pub fn unpin(&self, channel: Id<ChannelMarker>, message: Id<MessageMarker>) {
        self.pin_or_unpin(channel, message, false);
    }

    #[track_caller]
    fn pin_or_unpin(&self, channel: Id<ChannelMarker>, message: Id<MessageMarker>, on: bool) {
        self.run(if on { "pin" } else { "unpin" }, |state| {
            pin(state, channel.get(), message.get(), on)?;
            let line = pinned(&state.world, None, channel.get(), on);
            state.note(line);
            Ok(())
        });
    }

    /// Deletes messages at once: MESSAGE_DELETE_BULK (intent
    /// GUILD_MESSAGES, DIRECT_MESSAGES in DMs). The bot's REST
    /// `POST /channels/{id}/messages/bulk-delete` does the same.
    ///
    /// # Panics
    ///
    /// If the channel is unknown, or a message is not in it.
    #[track_caller]
    pub fn bulk_delete(&self, channel: Id<ChannelMarker>, messages: &[Id<MessageMarker>]) {
        self.run("bulk delete", |state| {
            if let Some(missing) = messages
                .iter()
                .find(|m| state.world.message(channel.get(), m.get()).is_none())
            {
                state.text_channel(channel.get())?;
                return Err(OpError::UnknownMessage(missing.get()));
            }
            let ids: Vec<u64> = messages.iter().map(|m| m.get()).collect();
            let deleted = bulk_delete(state, channel.get(), &ids)?;
            let line = bulk_deleted(&state.world, None, channel.get(), deleted.len());
            state.note(line);
            Ok(())
        });
    }
}

// ---- REST ---------------------------------------------------------------------------

fn on_list_messages(state: &mut State, call: &mut Call<'_>) -> Answer {
    let channel = call
        .id("channel")
        .filter(|c| state.world.channel(*c).is_some())
        .ok_or_else(|| OpError::UnknownChannel(call.id("channel").unwrap_or(0)))?;
    let limit = call
        .query("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(50)
        .clamp(1, 100);
    let list: Vec<Value> = state
        .world
        .messages
        .get(&channel)
        .map(|msgs| {
            msgs.iter()
                .rev()
                .take(limit)
                .map(|m| message_json(&state.world, m, false, false))
                .collect()
        })
        .unwrap_or_default();
    Ok(Reply::json(&list))
}

fn on_create_message(state: &mut State, call: &mut Call<'_>) -> Answer {
    let channel = call.id("channel").ok_or(OpError::UnknownChannel(0))?;
    let reply = call.field("message_reference").is_some();
    let new = NewMessage::from_body(call.body(), if reply { 19 } else { 0 });
    state.bot_needs_in(
        channel,
        twilight_model::guild::Permissions::VIEW_CHANNEL
            | twilight_model::guild::Permissions::SEND_MESSAGES,
    )?;
    let bot = state.world.bot_id;
    let line = message_line(
        &state.world,
        bot,
        channel,
        (&new.content, &new.embeds, &new.components),
        new.poll.as_ref(),
    );
    let m = post_message(state, channel, bot, new)?;
    call.line(line);
    Ok(Reply::json(&message_json(&state.world, &m, false, false)))
}

fn on_get_message(state: &mut State, call: &mut Call<'_>) -> Answer {
    let (Some(channel), Some(message)) = (call.id("channel"), call.id("message")) else {
        return Err(OpError::UnknownMessage(0).into());
    };
    if state.world.channel(channel).is_none() {
        return Err(OpError::UnknownChannel(channel).into());
    }
    let m = state
        .world
        .message(channel, message)
        .ok_or(OpError::UnknownMessage(message))?;
    Ok(Reply::json(&message_json(&state.world, m, false, false)))
}

fn on_edit_message(state: &mut State, call: &mut Call<'_>) -> Answer {
    let (Some(channel), Some(message)) = (call.id("channel"), call.id("message")) else {
        return Err(OpError::UnknownMessage(0).into());
    };
    let content = call
        .field("content")
        .map(|c| c.as_str().unwrap_or("").to_owned());
    let (embeds, components) = (call.body_array("embeds"), call.body_array("components"));
    let bot = state.world.bot_id;
    let line = edited(
        &state.world,
        bot,
        channel,
        content.as_deref(),
        embeds.as_deref(),
        components.as_deref(),
    );
    let m = edit_message(state, channel, message, content, embeds, components)?;
    call.line(line);
    Ok(Reply::json(&message_json(&state.world, &m, false, false)))
}

fn on_delete_message(state: &mut State, call: &mut Call<'_>) -> Answer {
    let (Some(channel), Some(message)) = (call.id("channel"), call.id("message")) else {
        return Err(OpError::UnknownMessage(0).into());
    };
    let author = state.world.message(channel, message).map(|m| m.author_id);
    let line = deleted(&state.world, state.world.bot_id, channel, author);
    delete_message(state, channel, message)?;
    call.line(line);
    Ok(Reply::no_content())
}

fn on_bulk_delete(state: &mut State, call: &mut Call<'_>) -> Answer {
    let channel = call.id("channel").ok_or(OpError::UnknownChannel(0))?;
    let ids: Vec<u64> = call
        .field("messages")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|v| value_id(Some(v))).collect())
        .unwrap_or_default();
    if !(2..=100).contains(&ids.len()) {
        return Err(Reply::error(
            400,
            50035,
            "Invalid Form Body: messages must hold 2 to 100 message ids",
        ));
    }
    let known = ids
        .iter()
        .filter(|m| state.world.message(channel, **m).is_some())
        .count();
    let line = bulk_deleted(&state.world, Some(state.world.bot_id), channel, known);
    bulk_delete(state, channel, &ids)?;
    call.line(line);
    Ok(Reply::no_content())
}

fn on_pin(state: &mut State, call: &mut Call<'_>) -> Answer {
    let (Some(channel), Some(message)) = (call.id("channel"), call.id("message")) else {
        return Err(OpError::UnknownMessage(0).into());
    };
    let on = call.method == "PUT";
    pin(state, channel, message, on)?;
    call.line(pinned(&state.world, Some(state.world.bot_id), channel, on));
    Ok(Reply::no_content())
}

fn on_typing(state: &mut State, call: &mut Call<'_>) -> Answer {
    let channel = call.id("channel").ok_or(OpError::UnknownChannel(0))?;
    let bot = state.world.bot_id;
    typing(state, channel, bot)?;
    call.line(typing_line(&state.world, bot, channel));
    Ok(Reply::no_content())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions() {
        assert_eq!(
            parse_mentions("hi <@12> and <@!34>, <@x> <@56"),
            vec![12, 34]
        );
    }

    #[test]
    fn summaries() {
        let long = "x".repeat(300);
        let embeds = [
            serde_json::json!({"title": "Member joined", "description": long, "fields": [{}, {}]}),
        ];
        let s = summary("", &embeds, &[]);
        assert!(s.starts_with("[embed] Member joined — xxx"), "{s}");
        assert!(s.ends_with("x… (2 fields)"), "{s}");
        assert_eq!(
            s.chars().count(),
            "[embed] Member joined — ".chars().count() + 100 + 11
        );
        let rows = [serde_json::json!({"type": 1, "components": [
            {"type": 2, "label": "Yes", "custom_id": "y"},
            {"type": 2, "emoji": {"name": "✅"}, "custom_id": "ok"},
            {"type": 3, "custom_id": "pick"},
        ]})];
        assert_eq!(
            summary("Sure?", &[], &rows),
            "Sure? [buttons: Yes, ✅] [menu: pick]"
        );
        assert_eq!(summary("", &[], &[]), "(empty message)");
        assert_eq!(summary("", &[serde_json::json!({})], &[]), "[embed]");
    }

    #[test]
    fn burst_template() {
        let t = Template::new(&format!(
            "{{\"content\":{},\"id\":\"{BURST_ID}\",\"x\":1}}",
            json_string(BURST_CONTENT)
        ));
        let mut out = String::new();
        t.fill(&mut out, 42, "\"hi\"");
        assert_eq!(out, r#"{"content":"hi","id":"42","x":1}"#);
    }
}
