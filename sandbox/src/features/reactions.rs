//! Reactions: adding and removing one's own (actors, the bot's REST calls),
//! removing someone else's, clearing all or one emoji's;
//! MESSAGE_REACTION_ADD, _REMOVE, _REMOVE_ALL and _REMOVE_EMOJI.

use serde_json::Value;
use twilight_model::{
    gateway::{
        GatewayReaction, Intents,
        payload::incoming::{ReactionRemoveAll, ReactionRemoveEmoji},
    },
    id::{
        Id,
        marker::{ChannelMarker, MessageMarker},
    },
};

use crate::core::{
    actor::Actor,
    admin::Admin,
    dispatch::EventKind,
    ops::OpError,
    rest::{Answer, Call, Reply, Route},
    state::State,
    transcript::{emoji, place, subject, user},
    wire,
    world::World,
};

pub(crate) const MESSAGE_REACTION_ADD: EventKind = EventKind::needs_in(
    "MESSAGE_REACTION_ADD",
    Intents::GUILD_MESSAGE_REACTIONS,
    Intents::DIRECT_MESSAGE_REACTIONS,
);
pub(crate) const MESSAGE_REACTION_REMOVE: EventKind = EventKind::needs_in(
    "MESSAGE_REACTION_REMOVE",
    Intents::GUILD_MESSAGE_REACTIONS,
    Intents::DIRECT_MESSAGE_REACTIONS,
);
pub(crate) const MESSAGE_REACTION_REMOVE_ALL: EventKind = EventKind::needs_in(
    "MESSAGE_REACTION_REMOVE_ALL",
    Intents::GUILD_MESSAGE_REACTIONS,
    Intents::DIRECT_MESSAGE_REACTIONS,
);
pub(crate) const MESSAGE_REACTION_REMOVE_EMOJI: EventKind = EventKind::needs_in(
    "MESSAGE_REACTION_REMOVE_EMOJI",
    Intents::GUILD_MESSAGE_REACTIONS,
    Intents::DIRECT_MESSAGE_REACTIONS,
);

pub(crate) const EVENTS: &[EventKind] = &[
    MESSAGE_REACTION_ADD,
    MESSAGE_REACTION_REMOVE,
    MESSAGE_REACTION_REMOVE_ALL,
    MESSAGE_REACTION_REMOVE_EMOJI,
];

pub(crate) const ROUTES: &[Route] = &[
    Route::new(
        "PUT",
        "/channels/{channel}/messages/{message}/reactions/{emoji}/@me",
        on_react_own,
    ),
    Route::new(
        "DELETE",
        "/channels/{channel}/messages/{message}/reactions/{emoji}/@me",
        on_react_own,
    ),
    Route::new(
        "DELETE",
        "/channels/{channel}/messages/{message}/reactions",
        on_clear_all,
    ),
    Route::new(
        "DELETE",
        "/channels/{channel}/messages/{message}/reactions/{emoji}",
        on_clear_emoji,
    ),
    Route::new(
        "DELETE",
        "/channels/{channel}/messages/{message}/reactions/{emoji}/{user}",
        on_remove_users,
    ),
];

/// Adds (or removes) a reaction (MESSAGE_REACTION_ADD / _REMOVE). Adding
/// twice or removing an absent reaction changes nothing and sends
/// nothing, as on Discord.
fn react(
    state: &mut State,
    channel: u64,
    id: u64,
    user: u64,
    key: &str,
    add: bool,
) -> Result<(), OpError> {
    let guild = state.text_channel(channel)?;
    let message = state
        .world
        .message_mut(channel, id)
        .ok_or(OpError::UnknownMessage(id))?;
    let author = message.author_id;
    let changed = match message.reactions.iter_mut().find(|(e, _)| e == key) {
        Some((_, users)) if add => {
            if users.contains(&user) {
                false
            } else {
                users.push(user);
                true
            }
        }
        Some((_, users)) => {
            let before = users.len();
            users.retain(|u| *u != user);
            before != users.len()
        }
        None if add => {
            message.reactions.push((key.to_owned(), vec![user]));
            true
        }
        None => false,
    };
    message.reactions.retain(|(_, users)| !users.is_empty());
    if !changed {
        return Ok(());
    }
    let reaction = GatewayReaction {
        burst: false,
        burst_colors: Vec::new(),
        channel_id: Id::new(channel),
        emoji: wire::reaction_emoji(key),
        guild_id: guild.map(Id::new),
        member: guild
            .filter(|_| add)
            .and_then(|g| state.world.member(g, user))
            .map(|m| wire::member(&state.world, m)),
        message_author_id: add.then(|| Id::new(author)),
        message_id: Id::new(id),
        user_id: Id::new(user),
    };
    // Discord sends the reaction's `type` (0: normal, 1: super reaction);
    // twilight 0.18 has no field for it, and clients such as discord.py
    // read it.
    let mut d = serde_json::to_value(&reaction).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut d {
        map.insert("type".into(), Value::from(0));
    }
    let kind = if add {
        &MESSAGE_REACTION_ADD
    } else {
        &MESSAGE_REACTION_REMOVE
    };
    state.send(kind, guild, &d);
    Ok(())
}

/// Removes every reaction (`emoji: None`, MESSAGE_REACTION_REMOVE_ALL)
/// or every reaction with one emoji (MESSAGE_REACTION_REMOVE_EMOJI).
/// Guild channels only, as on Discord.
fn clear_reactions(
    state: &mut State,
    channel: u64,
    message: u64,
    key: Option<&str>,
) -> Result<(), OpError> {
    let guild = state
        .text_channel(channel)?
        .ok_or(OpError::DmChannel(channel))?;
    let m = state
        .world
        .message_mut(channel, message)
        .ok_or(OpError::UnknownMessage(message))?;
    match key {
        None => m.reactions.clear(),
        Some(key) => m.reactions.retain(|(e, _)| e != key),
    }
    match key {
        Some(key) => {
            let d = ReactionRemoveEmoji {
                channel_id: Id::new(channel),
                emoji: wire::reaction_emoji(key),
                guild_id: Id::new(guild),
                message_id: Id::new(message),
            };
            state.send(&MESSAGE_REACTION_REMOVE_EMOJI, Some(guild), &d);
        }
        None => {
            let d = ReactionRemoveAll {
                channel_id: Id::new(channel),
                message_id: Id::new(message),
                guild_id: Some(Id::new(guild)),
            };
            state.send(&MESSAGE_REACTION_REMOVE_ALL, Some(guild), &d);
        }
    }
    Ok(())
}

/// `alice reacted ✅ to a message in #general`.
fn reacted(world: &World, who: u64, channel: u64, key: &str, add: bool) -> String {
    let (verb, prep) = if add {
        ("reacted", "to")
    } else {
        ("removed the reaction", "from")
    };
    format!(
        "{} {verb} {} {prep} a message {}",
        user(world, who),
        emoji(key),
        place(world, who, channel)
    )
}

/// `[admin] removed all reactions from a message in #general`, or `...
/// the ✅ reactions ...` for one emoji.
fn cleared(world: &World, who: Option<u64>, channel: u64, key: Option<&str>) -> String {
    let who_id = who.unwrap_or(world.bot_id);
    let what = key.map_or_else(
        || "all reactions".to_owned(),
        |k| format!("the {} reactions", emoji(k)),
    );
    format!(
        "{} removed {what} from a message {}",
        subject(world, who),
        place(world, who_id, channel)
    )
}

impl Actor {
    /// Reacts with `emoji`: unicode (`"✅"`) or custom (`"name:id"`)
    /// (MESSAGE_REACTION_ADD; nothing if already reacted).
    ///
    /// # Panics
    ///
    /// If the message is not in that channel.
    #[track_caller]
    pub fn react(&self, channel: Id<ChannelMarker>, message: Id<MessageMarker>, emoji: &str) {
        self.run("react", |state, user| {
            react(state, channel.get(), message.get(), user, emoji, true)?;
            let line = reacted(&state.world, user, channel.get(), emoji, true);
            state.note(line);
            Ok(())
        });
    }

    /// Removes a reaction (MESSAGE_REACTION_REMOVE; nothing if absent).
    ///
    /// # Panics
    ///
    /// If the message is not in that channel.
    #[track_caller]
    pub fn unreact(&self, channel: Id<ChannelMarker>, message: Id<MessageMarker>, emoji: &str) {
        self.run("remove a reaction", |state, user| {
            react(state, channel.get(), message.get(), user, emoji, false)?;
            let line = reacted(&state.world, user, channel.get(), emoji, false);
            state.note(line);
            Ok(())
        });
    }
}

impl Admin {
    /// Removes every reaction from a message: MESSAGE_REACTION_REMOVE_ALL
    /// (intent GUILD_MESSAGE_REACTIONS). The bot's REST
    /// `DELETE /channels/{c}/messages/{m}/reactions` does the same.
    ///
    /// # Panics
    ///
    /// If the message is not in that channel, or it is a DM.
    #[track_caller]
    pub fn clear_reactions(&self, channel: Id<ChannelMarker>, message: Id<MessageMarker>) {
        self.run("clear reactions", |state| {
            clear_reactions(state, channel.get(), message.get(), None)?;
            let line = cleared(&state.world, None, channel.get(), None);
            state.note(line);
            Ok(())
        });
    }

    /// Removes every reaction with `emoji` (`"✅"` or `"name:id"`) from a
    /// message: MESSAGE_REACTION_REMOVE_EMOJI (intent
    /// GUILD_MESSAGE_REACTIONS). The bot's REST
    /// `DELETE /channels/{c}/messages/{m}/reactions/{emoji}` does the same.
    ///
    /// # Panics
    ///
    /// If the message is not in that channel, or it is a DM.
    #[track_caller]
    pub fn clear_reaction_emoji(
        &self,
        channel: Id<ChannelMarker>,
        message: Id<MessageMarker>,
        emoji: &str,
    ) {
        self.run("clear reactions", |state| {
            clear_reactions(state, channel.get(), message.get(), Some(emoji))?;
            let line = cleared(&state.world, None, channel.get(), Some(emoji));
            state.note(line);
            Ok(())
        });
    }
}

// ---- REST ---------------------------------------------------------------------------

fn ids(call: &Call<'_>) -> Result<(u64, u64), Reply> {
    match (call.id("channel"), call.id("message")) {
        (Some(channel), Some(message)) => Ok((channel, message)),
        _ => Err(OpError::UnknownMessage(0).into()),
    }
}

fn on_react_own(state: &mut State, call: &mut Call<'_>) -> Answer {
    let (channel, message) = ids(call)?;
    let add = call.method == "PUT";
    let bot = state.world.bot_id;
    let key = call.param("emoji").to_owned();
    react(state, channel, message, bot, &key, add)?;
    call.line(reacted(&state.world, bot, channel, &key, add));
    Ok(Reply::no_content())
}

fn on_clear_all(state: &mut State, call: &mut Call<'_>) -> Answer {
    let (channel, message) = ids(call)?;
    clear_reactions(state, channel, message, None)?;
    call.line(cleared(
        &state.world,
        Some(state.world.bot_id),
        channel,
        None,
    ));
    Ok(Reply::no_content())
}

fn on_clear_emoji(state: &mut State, call: &mut Call<'_>) -> Answer {
    let (channel, message) = ids(call)?;
    let key = call.param("emoji").to_owned();
    clear_reactions(state, channel, message, Some(&key))?;
    call.line(cleared(
        &state.world,
        Some(state.world.bot_id),
        channel,
        Some(&key),
    ));
    Ok(Reply::no_content())
}

fn on_remove_users(state: &mut State, call: &mut Call<'_>) -> Answer {
    let (channel, message) = ids(call)?;
    let target = call
        .id("user")
        .filter(|u| state.world.user_rec(*u).is_some())
        .ok_or_else(|| OpError::UnknownUser(call.id("user").unwrap_or(0)))?;
    let key = call.param("emoji").to_owned();
    react(state, channel, message, target, &key, false)?;
    let world = &state.world;
    call.line(format!(
        "{} removed {}'s {} reaction from a message {}",
        user(world, world.bot_id),
        user(world, target),
        emoji(&key),
        place(world, world.bot_id, channel)
    ));
    Ok(Reply::no_content())
}
