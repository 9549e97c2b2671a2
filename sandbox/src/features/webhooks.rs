//! Webhooks: created, renamed and deleted by admins or the bot, each a
//! WEBHOOKS_UPDATE for its channel (intent GUILD_WEBHOOKS: Discord says
//! which channel's webhooks changed, not how) with its audit log entry; and
//! the webhook REST routes.

use serde_json::Value;
use twilight_model::{
    channel::{Webhook, WebhookType},
    gateway::{Intents, payload::incoming::WebhooksUpdate},
    id::{
        Id,
        marker::{ChannelMarker, WebhookMarker},
    },
};

use crate::{
    core::{
        admin::Admin,
        dispatch::EventKind,
        ops::OpError,
        rest::{Answer, Call, Reply, Route},
        state::State,
        transcript::{MAX_TITLE, channel_name, clip, subject},
        wire,
        world::World,
    },
    features::audit_log,
};

/// `dispatch_raw` sent WEBHOOKS_UPDATE to every session before the sandbox
/// modelled webhooks; raw ones still go to every session.
pub(crate) const WEBHOOKS_UPDATE: EventKind =
    EventKind::needs("WEBHOOKS_UPDATE", Intents::GUILD_WEBHOOKS).unfiltered_when_raw();

pub(crate) const EVENTS: &[EventKind] = &[WEBHOOKS_UPDATE];

pub(crate) const ROUTES: &[Route] = &[
    Route::new("POST", "/channels/{channel}/webhooks", on_create),
    Route::new("GET", "/channels/{channel}/webhooks", on_list_channel),
    Route::new("GET", "/guilds/{guild}/webhooks", on_list_guild),
    Route::new("GET", "/webhooks/{webhook}", on_get),
    Route::new("PATCH", "/webhooks/{webhook}", on_rename),
    Route::new("DELETE", "/webhooks/{webhook}", on_delete),
];

/// An incoming webhook of a channel.
#[derive(Clone, Debug)]
struct WebhookRec {
    id: u64,
    guild: u64,
    channel: u64,
    name: String,
    creator: u64,
}

/// The webhooks of this sandbox.
#[derive(Debug, Default)]
struct Webhooks {
    list: Vec<WebhookRec>,
}

/// A webhook as REST answers it (with its token, as its creator sees it).
fn webhook(world: &World, w: &WebhookRec) -> Webhook {
    Webhook {
        application_id: None,
        avatar: None,
        channel_id: Some(Id::new(w.channel)),
        guild_id: Some(Id::new(w.guild)),
        id: Id::new(w.id),
        kind: WebhookType::Incoming,
        name: Some(w.name.clone()),
        source_channel: None,
        source_guild: None,
        token: Some(format!("sandbox-webhook-token-{}", w.id)),
        url: None,
        user: Some(wire::user(world, w.creator)),
    }
}

fn find(state: &mut State, id: u64) -> Result<WebhookRec, OpError> {
    state
        .features
        .get::<Webhooks>()
        .list
        .iter()
        .find(|w| w.id == id)
        .cloned()
        .ok_or(OpError::UnknownWebhook(id))
}

/// WEBHOOKS_UPDATE for `w`'s channel and an audit log entry of `action`.
fn updated(state: &mut State, w: &WebhookRec, action: u16, by: u64, reason: Option<String>) {
    let d = WebhooksUpdate {
        channel_id: Id::new(w.channel),
        guild_id: Id::new(w.guild),
    };
    state.send(&WEBHOOKS_UPDATE, Some(w.guild), &d);
    audit_log::audit(state, w.guild, action, by, Some(w.id), reason);
}

/// A new incoming webhook in a text channel, made by `by`.
fn create_webhook(
    state: &mut State,
    channel: u64,
    name: &str,
    by: u64,
) -> Result<WebhookRec, OpError> {
    let guild = state
        .text_channel(channel)?
        .ok_or(OpError::DmChannel(channel))?;
    let w = WebhookRec {
        id: state.world.next_id(),
        guild,
        channel,
        name: name.to_owned(),
        creator: by,
    };
    state.features.get::<Webhooks>().list.push(w.clone());
    updated(state, &w, audit_log::WEBHOOK_CREATE, by, None);
    Ok(w)
}

/// Renames a webhook. Returns it as it was.
fn rename_webhook(state: &mut State, id: u64, name: &str, by: u64) -> Result<WebhookRec, OpError> {
    let old = find(state, id)?;
    let mut new = old.clone();
    name.clone_into(&mut new.name);
    if let Some(w) = state
        .features
        .get::<Webhooks>()
        .list
        .iter_mut()
        .find(|w| w.id == id)
    {
        *w = new.clone();
    }
    updated(state, &new, audit_log::WEBHOOK_UPDATE, by, None);
    Ok(old)
}

/// Deletes a webhook. Returns it.
fn delete_webhook(
    state: &mut State,
    id: u64,
    by: u64,
    reason: Option<String>,
) -> Result<WebhookRec, OpError> {
    let w = find(state, id)?;
    state.features.get::<Webhooks>().list.retain(|w| w.id != id);
    updated(state, &w, audit_log::WEBHOOK_DELETE, by, reason);
    Ok(w)
}

/// `[admin] created webhook Hooky in #general`, `... deleted ...`.
fn line(world: &World, who: Option<u64>, verb: &str, w: &WebhookRec) -> String {
    format!(
        "{} {verb} webhook {} in {}",
        subject(world, who),
        clip(&w.name, MAX_TITLE),
        channel_name(world, w.channel)
    )
}

/// `[admin] renamed webhook Hooky to Hook`.
fn renamed(world: &World, who: Option<u64>, old: &WebhookRec, name: &str) -> String {
    format!(
        "{} renamed webhook {} to {}",
        subject(world, who),
        clip(&old.name, MAX_TITLE),
        clip(name, MAX_TITLE)
    )
}

impl Admin {
    /// Creates an incoming webhook in a text channel, as the guild owner:
    /// WEBHOOKS_UPDATE with the channel and guild (intent GUILD_WEBHOOKS),
    /// and an audit log entry.
    ///
    /// # Panics
    ///
    /// If the channel is unknown, a voice channel or a DM.
    #[track_caller]
    pub fn create_webhook(&self, channel: Id<ChannelMarker>, name: &str) -> Id<WebhookMarker> {
        self.run("create a webhook", |state| {
            let (guild, _) = state.guild_channel(channel.get())?;
            let by = state.guild_actor(guild);
            let w = create_webhook(state, channel.get(), name, by)?;
            let line = line(&state.world, None, "created", &w);
            state.note(line);
            Ok(Id::new(w.id))
        })
    }

    /// Renames a webhook: WEBHOOKS_UPDATE (intent GUILD_WEBHOOKS) and an
    /// audit log entry.
    ///
    /// # Panics
    ///
    /// If the webhook is unknown.
    #[track_caller]
    pub fn rename_webhook(&self, webhook: Id<WebhookMarker>, name: &str) {
        self.run("rename a webhook", |state| {
            let guild = find(state, webhook.get())?.guild;
            let by = state.guild_actor(guild);
            let old = rename_webhook(state, webhook.get(), name, by)?;
            let line = renamed(&state.world, None, &old, name);
            state.note(line);
            Ok(())
        });
    }

    /// Deletes a webhook: WEBHOOKS_UPDATE (intent GUILD_WEBHOOKS) and an
    /// audit log entry.
    ///
    /// # Panics
    ///
    /// If the webhook is unknown.
    #[track_caller]
    pub fn delete_webhook(&self, webhook: Id<WebhookMarker>) {
        self.run("delete a webhook", |state| {
            let guild = find(state, webhook.get())?.guild;
            let by = state.guild_actor(guild);
            let w = delete_webhook(state, webhook.get(), by, None)?;
            let line = line(&state.world, None, "deleted", &w);
            state.note(line);
            Ok(())
        });
    }
}

/// `POST /channels/{c}/webhooks` with `name`.
fn on_create(state: &mut State, call: &mut Call<'_>) -> Answer {
    let channel = call.id("channel").ok_or(OpError::UnknownChannel(0))?;
    let name = call
        .field("name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| Reply::error(400, 50035, "Invalid Form Body: name is required"))?
        .to_owned();
    let bot = state.world.bot_id;
    let w = create_webhook(state, channel, &name, bot)?;
    call.line(line(&state.world, Some(bot), "created", &w));
    Ok(Reply::json(&webhook(&state.world, &w)))
}

fn list(state: &mut State, keep: impl Fn(&WebhookRec) -> bool) -> Vec<Webhook> {
    let list: Vec<WebhookRec> = state
        .features
        .get::<Webhooks>()
        .list
        .iter()
        .filter(|w| keep(w))
        .cloned()
        .collect();
    list.iter().map(|w| webhook(&state.world, w)).collect()
}

/// `GET /channels/{c}/webhooks`.
fn on_list_channel(state: &mut State, call: &mut Call<'_>) -> Answer {
    let channel = call.id("channel").unwrap_or(0);
    state.guild_channel(channel)?;
    Ok(Reply::json(&list(state, |w| w.channel == channel)))
}

/// `GET /guilds/{g}/webhooks`.
fn on_list_guild(state: &mut State, call: &mut Call<'_>) -> Answer {
    let guild = call.id("guild").unwrap_or(0);
    state.guild_rec(guild)?;
    Ok(Reply::json(&list(state, |w| w.guild == guild)))
}

/// `GET /webhooks/{id}`.
fn on_get(state: &mut State, call: &mut Call<'_>) -> Answer {
    let w = find(state, call.id("webhook").unwrap_or(0))?;
    Ok(Reply::json(&webhook(&state.world, &w)))
}

/// `PATCH /webhooks/{id}` with `name`.
fn on_rename(state: &mut State, call: &mut Call<'_>) -> Answer {
    let id = call.id("webhook").unwrap_or(0);
    let bot = state.world.bot_id;
    let Some(name) = call
        .field("name")
        .and_then(Value::as_str)
        .map(str::to_owned)
    else {
        let w = find(state, id)?;
        return Ok(Reply::json(&webhook(&state.world, &w)));
    };
    let old = rename_webhook(state, id, &name, bot)?;
    call.line(renamed(&state.world, Some(bot), &old, &name));
    let w = find(state, id)?;
    Ok(Reply::json(&webhook(&state.world, &w)))
}

/// `DELETE /webhooks/{id}`.
fn on_delete(state: &mut State, call: &mut Call<'_>) -> Answer {
    let id = call.id("webhook").unwrap_or(0);
    let bot = state.world.bot_id;
    let reason = call.reason().map(str::to_owned);
    let w = delete_webhook(state, id, bot, reason)?;
    call.line(line(&state.world, Some(bot), "deleted", &w));
    Ok(Reply::no_content())
}
