//! Expressions: a guild's custom emojis and stickers, replaced as a whole by
//! admins; GUILD_EMOJIS_UPDATE and GUILD_STICKERS_UPDATE (intent
//! GUILD_EMOJIS_AND_STICKERS, now GUILD_EXPRESSIONS).

use twilight_model::{
    channel::message::sticker::{Sticker, StickerFormatType, StickerType},
    gateway::{
        Intents,
        payload::incoming::{GuildEmojisUpdate, GuildStickersUpdate},
    },
    guild::Emoji,
    id::{
        Id,
        marker::{EmojiMarker, GuildMarker, StickerMarker},
    },
};

use crate::core::{
    admin::Admin,
    dispatch::EventKind,
    ops::OpError,
    state::State,
    transcript,
    world::{EmojiRec, StickerRec, World},
};

pub(crate) const GUILD_EMOJIS_UPDATE: EventKind =
    EventKind::needs("GUILD_EMOJIS_UPDATE", Intents::GUILD_EMOJIS_AND_STICKERS);
pub(crate) const GUILD_STICKERS_UPDATE: EventKind =
    EventKind::needs("GUILD_STICKERS_UPDATE", Intents::GUILD_EMOJIS_AND_STICKERS);

pub(crate) const EVENTS: &[EventKind] = &[GUILD_EMOJIS_UPDATE, GUILD_STICKERS_UPDATE];

/// A custom emoji.
pub(crate) fn emoji(e: &EmojiRec) -> Emoji {
    Emoji {
        animated: false,
        available: true,
        id: Id::new(e.id),
        managed: false,
        name: e.name.clone(),
        require_colons: true,
        roles: Vec::new(),
        user: None,
    }
}

/// A guild sticker (PNG).
pub(crate) fn sticker(guild: u64, s: &StickerRec) -> Sticker {
    Sticker {
        available: true,
        description: Some(String::new()),
        format_type: StickerFormatType::Png,
        guild_id: Some(Id::new(guild)),
        id: Id::new(s.id),
        kind: StickerType::Guild,
        name: s.name.clone(),
        pack_id: None,
        sort_value: None,
        tags: s.name.clone(),
        user: None,
    }
}

/// Replaces the custom emojis (kept names keep their ids):
/// GUILD_EMOJIS_UPDATE with the full list.
fn set_emojis(state: &mut State, guild: u64, names: &[&str]) -> Result<Vec<u64>, OpError> {
    let old = state.guild_rec(guild)?.emojis.clone();
    let mut new: Vec<EmojiRec> = Vec::new();
    for name in names {
        if new.iter().any(|e| e.name == *name) {
            continue;
        }
        let id = match old.iter().find(|e| e.name == *name) {
            Some(e) => e.id,
            None => state.world.next_id(),
        };
        new.push(EmojiRec {
            id,
            name: (*name).to_owned(),
        });
    }
    let d = GuildEmojisUpdate {
        emojis: new.iter().map(emoji).collect(),
        guild_id: Id::new(guild),
    };
    let ids = new.iter().map(|e| e.id).collect();
    state.guild_rec_mut(guild)?.emojis = new;
    state.send(&GUILD_EMOJIS_UPDATE, Some(guild), &d);
    Ok(ids)
}

/// Replaces the stickers (kept names keep their ids):
/// GUILD_STICKERS_UPDATE with the full list.
fn set_stickers(state: &mut State, guild: u64, names: &[&str]) -> Result<Vec<u64>, OpError> {
    let old = state.guild_rec(guild)?.stickers.clone();
    let mut new: Vec<StickerRec> = Vec::new();
    for name in names {
        if new.iter().any(|s| s.name == *name) {
            continue;
        }
        let id = match old.iter().find(|s| s.name == *name) {
            Some(s) => s.id,
            None => state.world.next_id(),
        };
        new.push(StickerRec {
            id,
            name: (*name).to_owned(),
        });
    }
    let d = GuildStickersUpdate {
        guild_id: Id::new(guild),
        stickers: new.iter().map(|s| sticker(guild, s)).collect(),
    };
    let ids = new.iter().map(|s| s.id).collect();
    state.guild_rec_mut(guild)?.stickers = new;
    state.send(&GUILD_STICKERS_UPDATE, Some(guild), &d);
    Ok(ids)
}

/// `[admin] set the emojis of Herald Test to :herald:, :wave:`, `[admin]
/// removed all stickers of Herald Test`.
fn set_line(world: &World, what: &str, guild_id: u64, shown: &[String]) -> String {
    let guild = transcript::guild(world, guild_id);
    if shown.is_empty() {
        format!("[admin] removed all {what} of {guild}")
    } else {
        format!("[admin] set the {what} of {guild} to {}", shown.join(", "))
    }
}

impl Admin {
    /// Sets the guild's custom emojis to `names` (kept names keep their
    /// ids, others are new, missing ones are deleted): GUILD_EMOJIS_UPDATE
    /// with the full list (intent GUILD_EMOJIS_AND_STICKERS). Returns the
    /// ids in order.
    ///
    /// # Panics
    ///
    /// If the guild is unknown.
    #[track_caller]
    pub fn set_emojis(&self, guild: Id<GuildMarker>, names: &[&str]) -> Vec<Id<EmojiMarker>> {
        self.run("set emojis", |state| {
            let ids = set_emojis(state, guild.get(), names)?;
            let shown: Vec<String> = names.iter().map(|n| format!(":{n}:")).collect();
            let line = set_line(&state.world, "emojis", guild.get(), &shown);
            state.note(line);
            Ok(ids.into_iter().map(Id::new).collect())
        })
    }

    /// Sets the guild's stickers to `names`, like
    /// [`set_emojis`](Self::set_emojis): GUILD_STICKERS_UPDATE with the
    /// full list (intent GUILD_EMOJIS_AND_STICKERS). twilight-gateway 0.18's
    /// `next_event` drops this event (a known gap); the raw frame
    /// deserialises as `GuildStickersUpdate`. Returns the ids in order.
    ///
    /// # Panics
    ///
    /// If the guild is unknown.
    #[track_caller]
    pub fn set_stickers(&self, guild: Id<GuildMarker>, names: &[&str]) -> Vec<Id<StickerMarker>> {
        self.run("set stickers", |state| {
            let ids = set_stickers(state, guild.get(), names)?;
            let shown: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
            let line = set_line(&state.world, "stickers", guild.get(), &shown);
            state.note(line);
            Ok(ids.into_iter().map(Id::new).collect())
        })
    }
}
