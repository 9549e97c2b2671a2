//! Guilds: the bot added to and removed from guilds, outages and their end,
//! renames, the guild REST read, and GUILD_CREATE itself (after READY and
//! later), which gathers every feature's part of a guild: channels,
//! threads, roles, members and presences, emojis, stickers, voice states,
//! stage instances and scheduled events. GUILD_CREATE, GUILD_UPDATE and
//! GUILD_DELETE.

use serde_json::Value;
use twilight_model::{
    gateway::{
        Intents,
        payload::incoming::{GuildDelete, GuildUpdate},
    },
    guild::{
        AfkTimeout, DefaultMessageNotificationLevel, ExplicitContentFilter, Guild, MfaLevel,
        NSFWLevel, PartialGuild, PremiumTier, SystemChannelFlags, VerificationLevel,
    },
    id::{Id, marker::GuildMarker},
};

use crate::{
    core::{
        admin::Admin,
        dispatch::EventKind,
        ops::OpError,
        rest::{Answer, Call, Reply, Route},
        state::State,
        transcript::{self, MAX_TITLE, clip},
        wire,
        world::{GuildRec, World},
    },
    features::{expressions, scheduled_events, stage, users, voice},
};

pub(crate) const GUILD_CREATE: EventKind = EventKind::needs("GUILD_CREATE", Intents::GUILDS);
pub(crate) const GUILD_UPDATE: EventKind = EventKind::needs("GUILD_UPDATE", Intents::GUILDS);
pub(crate) const GUILD_DELETE: EventKind = EventKind::needs("GUILD_DELETE", Intents::GUILDS);

pub(crate) const EVENTS: &[EventKind] = &[GUILD_CREATE, GUILD_UPDATE, GUILD_DELETE];

pub(crate) const ROUTES: &[Route] = &[Route::new("GET", "/guilds/{guild}", get_guild)];

/// A guild as GUILD_CREATE carries it. `all_members`: every member and the
/// presences of those not offline (GUILD_PRESENCES); else only the bot and
/// members in voice, as Discord sends without that intent. A guild of more
/// members than the session's `large_threshold` is `large`: as on Discord,
/// its offline members stay out even then (a client asks for them, op 8).
pub(crate) fn guild(world: &World, g: &GuildRec, all_members: bool, large_threshold: u64) -> Guild {
    let large = g.members.len() as u64 > large_threshold;
    let online = |user: u64| {
        world
            .user_rec(user)
            .and_then(|u| u.status.as_deref())
            .is_some_and(|status| status != "offline")
    };
    let members = g
        .members
        .iter()
        .filter(|m| {
            (all_members && (!large || online(m.user_id)))
                || m.user_id == world.bot_id
                || g.voice_states.iter().any(|v| v.user_id == m.user_id)
        })
        .map(|m| wire::member(world, m))
        .collect();
    let presences = if all_members {
        g.members
            .iter()
            .filter_map(|m| {
                let status = world.user_rec(m.user_id)?.status.as_deref()?;
                (status != "offline").then(|| users::presence(g.id, m.user_id, status))
            })
            .collect()
    } else {
        Vec::new()
    };
    Guild {
        afk_channel_id: None,
        afk_timeout: AfkTimeout::FIVE_MINUTES,
        application_id: None,
        approximate_member_count: None,
        approximate_presence_count: None,
        banner: None,
        channels: g.channels.iter().map(wire::channel).collect(),
        default_message_notifications: DefaultMessageNotificationLevel::All,
        description: None,
        discovery_splash: None,
        emojis: g.emojis.iter().map(expressions::emoji).collect(),
        explicit_content_filter: ExplicitContentFilter::None,
        features: Vec::new(),
        guild_scheduled_events: g
            .scheduled_events
            .iter()
            .map(|e| scheduled_events::scheduled_event(world, g.id, e))
            .collect(),
        icon: None,
        id: Id::new(g.id),
        joined_at: Some(g.joined_at),
        large,
        max_members: Some(500_000),
        max_presences: None,
        max_stage_video_channel_users: None,
        max_video_channel_users: Some(25),
        member_count: Some(g.members.len() as u64),
        members,
        mfa_level: MfaLevel::None,
        name: g.name.clone(),
        nsfw_level: NSFWLevel::Default,
        owner_id: Id::new(g.owner_id.unwrap_or(world.bot_id)),
        owner: None,
        permissions: None,
        preferred_locale: "en-US".to_owned(),
        premium_progress_bar_enabled: false,
        premium_subscription_count: Some(0),
        premium_tier: PremiumTier::None,
        presences,
        public_updates_channel_id: None,
        roles: g.roles.iter().map(wire::role).collect(),
        rules_channel_id: None,
        safety_alerts_channel_id: None,
        splash: None,
        stage_instances: g
            .stage_instances
            .iter()
            .map(|s| stage::stage_instance(g.id, s))
            .collect(),
        stickers: g
            .stickers
            .iter()
            .map(|s| expressions::sticker(g.id, s))
            .collect(),
        system_channel_flags: SystemChannelFlags::empty(),
        system_channel_id: g.system_channel_id.map(Id::new),
        threads: g.threads.iter().map(wire::channel).collect(),
        unavailable: Some(false),
        vanity_url_code: None,
        verification_level: VerificationLevel::None,
        voice_states: g
            .voice_states
            .iter()
            .map(|v| voice::voice_state(world, g.id, v, false))
            .collect(),
        widget_channel_id: None,
        widget_enabled: None,
    }
}

/// GUILD_CREATE's `d` (the gateway's [`Hooks::guild_create`](crate::core::gateway::Hooks),
/// called after READY).
pub(crate) fn guild_create(
    world: &World,
    g: &GuildRec,
    all_members: bool,
    large_threshold: u64,
) -> String {
    let mut d =
        serde_json::to_value(guild(world, g, all_members, large_threshold)).unwrap_or(Value::Null);
    // twilight leaves empty lists out; Discord always sends these, and some
    // clients (serenity) refuse a GUILD_CREATE without them.
    if let Some(d) = d.as_object_mut() {
        for key in ALWAYS_SENT {
            d.entry(key).or_insert_with(|| Value::Array(Vec::new()));
        }
    }
    d.to_string()
}

/// GUILD_CREATE's lists Discord sends even when empty.
const ALWAYS_SENT: [&str; 12] = [
    "channels",
    "emojis",
    "features",
    "guild_scheduled_events",
    "members",
    "presences",
    "roles",
    "soundboard_sounds",
    "stage_instances",
    "stickers",
    "threads",
    "voice_states",
];

/// GUILD_UPDATE's `d`: the guild without the GUILD_CREATE-only parts.
fn partial_guild(world: &World, g: &GuildRec) -> PartialGuild {
    let full = guild(world, g, false, u64::MAX);
    PartialGuild {
        afk_channel_id: full.afk_channel_id,
        afk_timeout: full.afk_timeout,
        application_id: full.application_id,
        banner: full.banner,
        default_message_notifications: full.default_message_notifications,
        description: full.description,
        discovery_splash: full.discovery_splash,
        emojis: full.emojis,
        explicit_content_filter: full.explicit_content_filter,
        features: full.features,
        icon: full.icon,
        id: full.id,
        max_members: full.max_members,
        max_presences: full.max_presences,
        member_count: None,
        mfa_level: full.mfa_level,
        name: full.name,
        nsfw_level: full.nsfw_level,
        owner_id: full.owner_id,
        owner: full.owner,
        permissions: full.permissions,
        preferred_locale: full.preferred_locale,
        premium_progress_bar_enabled: full.premium_progress_bar_enabled,
        premium_subscription_count: full.premium_subscription_count,
        premium_tier: full.premium_tier,
        public_updates_channel_id: full.public_updates_channel_id,
        roles: full.roles,
        rules_channel_id: full.rules_channel_id,
        splash: full.splash,
        system_channel_flags: full.system_channel_flags,
        system_channel_id: full.system_channel_id,
        verification_level: full.verification_level,
        vanity_url_code: full.vanity_url_code,
        widget_channel_id: full.widget_channel_id,
        widget_enabled: full.widget_enabled,
    }
}

/// GUILD_CREATE of one guild to every session that routes it and has
/// GUILDS; members and presences in full only with GUILD_PRESENCES, as in
/// the GUILD_CREATEs after READY.
fn dispatch_guild_create(state: &mut State, id: u64) {
    let Some(members) = state.world.guild(id).map(|g| g.members.len() as u64) else {
        return;
    };
    // Rendered once per (presences, large) that a session needs.
    let mut rendered: Vec<((bool, bool), String)> = Vec::new();
    for index in 0..state.sessions.len() {
        let s = &state.sessions[index];
        if !s.alive || !s.routes(Some(id)) || !s.intents.contains(Intents::GUILDS) {
            continue;
        }
        let key = (
            s.intents.contains(Intents::GUILD_PRESENCES),
            members > s.large_threshold,
        );
        let d = match rendered.iter().find(|(k, _)| *k == key) {
            Some((_, d)) => d.clone(),
            None => {
                let Some(g) = state.world.guild(id) else {
                    return;
                };
                let d = guild_create(&state.world, g, key.0, s.large_threshold);
                rendered.push((key, d.clone()));
                d
            }
        };
        state.push_to_session(index, GUILD_CREATE.name, &d);
    }
}

/// A new guild with a `#general` channel and the bot: GUILD_CREATE.
fn add_bot_to_guild(state: &mut State, name: &str) -> u64 {
    let id = state.world.add_guild(name);
    state.world.add_text_channel(id, "general");
    let bot = state.world.bot_user_id();
    state.world.add_member(id, bot, &[]);
    dispatch_guild_create(state, id.get());
    id.get()
}

/// The bot leaves (is kicked from) a guild: GUILD_DELETE without
/// `unavailable`.
fn remove_bot_from_guild(state: &mut State, id: u64) -> Result<(), OpError> {
    state.bot_guild(id)?;
    let bot = state.world.bot_id;
    let g = state.guild_rec_mut(id)?;
    g.members.retain(|m| m.user_id != bot);
    g.voice_states.retain(|v| v.user_id != bot);
    g.unavailable = false;
    let d = GuildDelete {
        id: Id::new(id),
        unavailable: None,
    };
    state.send(&GUILD_DELETE, Some(id), &d);
    Ok(())
}

/// An outage: GUILD_DELETE with `unavailable: true`.
fn guild_outage(state: &mut State, id: u64) -> Result<(), OpError> {
    if state.bot_guild(id)?.unavailable {
        return Err(OpError::Invalid("the guild is already unavailable".into()));
    }
    state.guild_rec_mut(id)?.unavailable = true;
    let d = GuildDelete {
        id: Id::new(id),
        unavailable: Some(true),
    };
    state.send(&GUILD_DELETE, Some(id), &d);
    Ok(())
}

/// The end of an outage: GUILD_CREATE again.
fn guild_restored(state: &mut State, id: u64) -> Result<(), OpError> {
    if !state.bot_guild(id)?.unavailable {
        return Err(OpError::Invalid(
            "the guild is not unavailable (call `guild_outage` first)".into(),
        ));
    }
    state.guild_rec_mut(id)?.unavailable = false;
    dispatch_guild_create(state, id);
    Ok(())
}

/// Renames a guild: GUILD_UPDATE.
fn rename_guild(state: &mut State, id: u64, name: &str) -> Result<(), OpError> {
    name.clone_into(&mut state.guild_rec_mut(id)?.name);
    let d = GuildUpdate(partial_guild(&state.world, state.guild_rec(id)?));
    state.send(&GUILD_UPDATE, Some(id), &d);
    Ok(())
}

impl Admin {
    /// Adds the bot to a new guild `name` (with a text channel `general`):
    /// GUILD_CREATE (intent GUILDS). For a bot connected since before, a
    /// guild that was not in READY: a guild join.
    pub fn add_bot_to_guild(&self, name: &str) -> Id<GuildMarker> {
        self.run("add the bot to a guild", |state| {
            let id = add_bot_to_guild(state, name);
            let world = &state.world;
            let line = format!(
                "[admin] added {} to {}",
                transcript::user(world, world.bot_id),
                transcript::guild(world, id)
            );
            state.note(line);
            Ok(Id::new(id))
        })
    }

    /// Removes the bot from `guild` (kicked, or it left): GUILD_DELETE
    /// without `unavailable` (intent GUILDS). The guild stays in the world
    /// without the bot.
    ///
    /// # Panics
    ///
    /// If the bot is not in that guild.
    #[track_caller]
    pub fn remove_bot_from_guild(&self, guild: Id<GuildMarker>) {
        self.run("remove the bot from a guild", |state| {
            let world = &state.world;
            let line = format!(
                "[admin] removed {} from {}",
                transcript::user(world, world.bot_id),
                transcript::guild(world, guild.get())
            );
            remove_bot_from_guild(state, guild.get())?;
            state.note(line);
            Ok(())
        });
    }

    /// Starts an outage of `guild`: GUILD_DELETE with `unavailable: true`
    /// (intent GUILDS). Until [`guild_restored`](Self::guild_restored), a
    /// new session gets the guild in READY but no GUILD_CREATE for it.
    ///
    /// # Panics
    ///
    /// If the bot is not in that guild, or it is already unavailable.
    #[track_caller]
    pub fn guild_outage(&self, guild: Id<GuildMarker>) {
        self.run("start a guild outage", |state| {
            guild_outage(state, guild.get())?;
            let line = format!(
                "[discord] {} is unavailable (outage)",
                transcript::guild(&state.world, guild.get())
            );
            state.note(line);
            Ok(())
        });
    }

    /// Ends an outage: GUILD_CREATE again (`unavailable: false`; intent
    /// GUILDS).
    ///
    /// # Panics
    ///
    /// If the guild is not in an outage.
    #[track_caller]
    pub fn guild_restored(&self, guild: Id<GuildMarker>) {
        self.run("end a guild outage", |state| {
            guild_restored(state, guild.get())?;
            let line = format!(
                "[discord] {} is available again",
                transcript::guild(&state.world, guild.get())
            );
            state.note(line);
            Ok(())
        });
    }

    /// Renames `guild`: GUILD_UPDATE (intent GUILDS).
    ///
    /// # Panics
    ///
    /// If the guild is unknown.
    #[track_caller]
    pub fn update_guild(&self, guild: Id<GuildMarker>, name: &str) {
        self.run("update a guild", |state| {
            // `[admin] renamed guild Herald Test to Herald HQ` (before the
            // change).
            let line = format!(
                "[admin] renamed guild {} to {}",
                transcript::guild(&state.world, guild.get()),
                clip(name, MAX_TITLE)
            );
            rename_guild(state, guild.get(), name)?;
            state.note(line);
            Ok(())
        });
    }
}

/// `GET /guilds/{g}`: the guild without the parts only GUILD_CREATE has
/// (Discord's REST guild has no channels, members, presences, voice states
/// or threads).
fn get_guild(state: &mut State, call: &mut Call<'_>) -> Answer {
    let id = call.id("guild").unwrap_or(0);
    let g = state.world.guild(id).ok_or(OpError::UnknownGuild(id))?;
    let mut v =
        serde_json::to_value(guild(&state.world, g, false, u64::MAX)).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut v {
        for key in [
            "channels",
            "members",
            "presences",
            "voice_states",
            "threads",
        ] {
            map.remove(key);
        }
    }
    Ok(Reply::json(&v))
}
