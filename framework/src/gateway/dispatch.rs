//! Turns a twilight gateway event into herald events and dispatches them.
//!
//! Cache-backed events need the cache as it was *before* the frame: [`Before::capture`] reads
//! it (only for event types someone listens to), the cache is updated, then [`dispatch`] builds
//! the events. Raw events are dispatched before their cache-backed twins, as disnake does.

use std::sync::Arc;

use twilight_cache_inmemory::model::{
    CachedEmoji, CachedGuild, CachedMember, CachedMessage, CachedPresence, CachedSticker,
    CachedVoiceState,
};
use twilight_model::channel::{Channel, StageInstance};
use twilight_model::gateway::event::Event as Gateway;
use twilight_model::gateway::payload::incoming::GuildCreate;
use twilight_model::guild::Role;
use twilight_model::guild::scheduled_event::GuildScheduledEvent;
use twilight_model::id::Id;
use twilight_model::id::marker::UserMarker;
use twilight_model::user::User;

use super::Gateway as Shards;
use crate::cache::{Cache, Snapshot};
use crate::context::Context;
use crate::event::guild::{
    ChannelUpdate, GuildAvailable, GuildEmojisUpdate, GuildJoin, GuildRemove, GuildStickersUpdate,
    GuildUnavailable, GuildUpdate, MemberRemove, MemberUpdate, PresenceUpdate, RoleDelete,
    RoleUpdate, ScheduledEventUpdate, StageInstanceUpdate, ThreadDelete, ThreadMemberJoin,
    ThreadMemberRemove, ThreadUpdate, UserUpdate, VoiceStateUpdate,
};
use crate::event::interaction::{
    self, ApplicationCommand, Autocomplete, ButtonClick, Dropdown, MessageInteraction, ModalSubmit,
};
use crate::event::message::{
    BulkMessageDelete, MessageDelete, MessageEdit, ReactionAdd, ReactionClear, ReactionClearEmoji,
    ReactionRemove,
};
use crate::event::raw::{RawMessageEdit, RawReactionAdd, RawReactionRemove, RawThreadUpdate};
use crate::event::{Event, catalog};

/// What `before` captured as `$variant`, or nothing (`None`, an empty list) when it captured
/// something else (no one wanted the cache-backed event).
macro_rules! captured {
    ($before:expr, $variant:ident) => {
        match $before {
            Before::$variant(value) => value,
            _ => Default::default(),
        }
    };
}

/// What the cache held before a frame, for the cache-backed event it makes.
#[derive(Default)]
pub(crate) enum Before {
    /// Nothing captured: no one wants the cache-backed event, or the frame makes none.
    #[default]
    None,
    Message(Option<CachedMessage>),
    Messages(Vec<CachedMessage>),
    Member(Option<CachedMember>, Option<User>),
    Presence(Option<CachedPresence>),
    Guild(Option<CachedGuild>),
    Channel(Option<Channel>),
    Role(Option<Role>),
    Emojis(Vec<CachedEmoji>),
    Stickers(Vec<CachedSticker>),
    Voice(Option<CachedVoiceState>),
    Stage(Option<StageInstance>),
    Scheduled(Option<GuildScheduledEvent>),
}

impl Before {
    /// Reads what `event`'s cache-backed event needs from the cache, before the cache applies it.
    pub(crate) fn capture(ctx: &Context, cache: &Cache, event: &Gateway) -> Before {
        let router = ctx.router();
        let message = |id| cache.message(id).map(Snapshot::into_value);
        match event {
            Gateway::MessageUpdate(e) if router.wants::<MessageEdit>() => {
                Before::Message(message(e.id))
            }
            Gateway::MessageDelete(e) if router.wants::<MessageDelete>() => {
                Before::Message(message(e.id))
            }
            Gateway::MessageDeleteBulk(e) if router.wants::<BulkMessageDelete>() => {
                Before::Messages(e.ids.iter().filter_map(|&id| message(id)).collect())
            }
            Gateway::ReactionRemoveAll(e) if router.wants::<ReactionClear>() => {
                Before::Message(message(e.message_id))
            }
            Gateway::ReactionRemoveEmoji(e) if router.wants::<ReactionClearEmoji>() => {
                Before::Message(message(e.message_id))
            }
            Gateway::MemberRemove(e) if router.wants::<MemberRemove>() => Before::Member(
                cache
                    .member(e.guild_id, e.user.id)
                    .map(|m| m.value().clone()),
                None,
            ),
            Gateway::MemberUpdate(e) => {
                let member = router
                    .wants::<MemberUpdate>()
                    .then(|| {
                        cache
                            .member(e.guild_id, e.user.id)
                            .map(|m| m.value().clone())
                    })
                    .flatten();
                let user = router
                    .wants::<UserUpdate>()
                    .then(|| cached_user(cache, e.user.id))
                    .flatten();
                Before::Member(member, user)
            }
            Gateway::PresenceUpdate(e) if router.wants::<PresenceUpdate>() => Before::Presence(
                cache
                    .presence(e.guild_id, e.user.id())
                    .map(|p| p.value().clone()),
            ),
            Gateway::GuildUpdate(e) if router.wants::<GuildUpdate>() => {
                Before::Guild(cache.guild(e.id).map(|g| g.value().clone()))
            }
            Gateway::GuildDelete(e)
                if router.wants::<GuildRemove>() || router.wants::<GuildUnavailable>() =>
            {
                Before::Guild(cache.guild(e.id).map(|g| g.value().clone()))
            }
            Gateway::ChannelUpdate(e) if router.wants::<ChannelUpdate>() => {
                Before::Channel(cache.channel(e.id).map(|c| c.value().clone()))
            }
            Gateway::ThreadUpdate(e) if router.wants::<ThreadUpdate>() => {
                Before::Channel(cache.channel(e.id).map(|c| c.value().clone()))
            }
            Gateway::ThreadDelete(e) if router.wants::<ThreadDelete>() => {
                Before::Channel(cache.channel(e.id).map(|c| c.value().clone()))
            }
            Gateway::RoleUpdate(e) if router.wants::<RoleUpdate>() => {
                Before::Role(cache.role(e.role.id).map(|r| r.resource().clone()))
            }
            Gateway::RoleDelete(e) if router.wants::<RoleDelete>() => {
                Before::Role(cache.role(e.role_id).map(|r| r.resource().clone()))
            }
            Gateway::GuildEmojisUpdate(e) if router.wants::<GuildEmojisUpdate>() => {
                let ids = cache
                    .guild_emojis(e.guild_id)
                    .map(|ids| ids.iter().copied().collect::<Vec<_>>())
                    .unwrap_or_default();
                Before::Emojis(
                    ids.into_iter()
                        .filter_map(|id| cache.emoji(id).map(|e| e.resource().clone()))
                        .collect(),
                )
            }
            Gateway::GuildStickersUpdate(e) if router.wants::<GuildStickersUpdate>() => {
                let ids = cache
                    .guild_stickers(e.guild_id)
                    .map(|ids| ids.iter().copied().collect::<Vec<_>>())
                    .unwrap_or_default();
                Before::Stickers(
                    ids.into_iter()
                        .filter_map(|id| cache.sticker(id).map(|s| s.resource().clone()))
                        .collect(),
                )
            }
            Gateway::VoiceStateUpdate(e) if router.wants::<VoiceStateUpdate>() => {
                Before::Voice(e.guild_id.and_then(|guild| {
                    cache
                        .voice_state(e.user_id, guild)
                        .map(|v| v.value().clone())
                }))
            }
            Gateway::StageInstanceUpdate(e) if router.wants::<StageInstanceUpdate>() => {
                Before::Stage(cache.stage_instance(e.id).map(|s| s.resource().clone()))
            }
            Gateway::GuildScheduledEventUpdate(e) if router.wants::<ScheduledEventUpdate>() => {
                Before::Scheduled(cache.scheduled_event(e.id).map(|s| s.resource().clone()))
            }
            _ => Before::None,
        }
    }
}

/// The user who reacted: the payload's member in guilds, else the cache.
fn reaction_user(
    cache: &Cache,
    member: Option<&twilight_model::guild::Member>,
    id: Id<UserMarker>,
) -> Option<User> {
    member
        .map(|m| m.user.clone())
        .or_else(|| cached_user(cache, id))
}

fn cached_user(cache: &Cache, id: Id<UserMarker>) -> Option<User> {
    cache.user(id).map(|u| u.value().clone())
}

/// Whether a user's profile (what `user_update` reports) differs.
fn profile_changed(before: &User, after: &User) -> bool {
    before.name != after.name
        || before.global_name != after.global_name
        || before.avatar != after.avatar
        || before.discriminator != after.discriminator
}

fn send<E: Event>(ctx: &Context, event: E) {
    ctx.dispatch_shared(Arc::new(event));
}

fn send_boxed<E: Event>(ctx: &Context, event: Box<E>) {
    ctx.dispatch_shared(Arc::<E>::from(event));
}

/// Builds `E` with `make` and dispatches it, only when someone listens to `E`.
fn send_if<E: Event>(ctx: &Context, make: impl FnOnce() -> E) {
    if ctx.router().wants::<E>() {
        send(ctx, make());
    }
}

/// Dispatches the raw event, then its cache-backed twin `T` (built only when someone listens to
/// it): disnake's order.
fn raw_then<R: Event, T: Event>(ctx: &Context, raw: Arc<R>, typed: impl FnOnce(&R) -> T) {
    let typed = ctx.router().wants::<T>().then(|| typed(&raw));
    ctx.dispatch_shared(raw);
    if let Some(typed) = typed {
        send(ctx, typed);
    }
}

/// Hands the catalog's pass-through events to the router.
struct ToRouter<'a>(&'a Context);

impl catalog::Dispatch for ToRouter<'_> {
    fn dispatch<E: Event>(&self, event: Arc<E>) {
        self.0.dispatch_shared(event);
    }
}

/// Dispatches `event` as the herald event(s) it makes, after the cache applied it. Events no
/// herald type represents are skipped.
pub(crate) fn dispatch(
    ctx: &Context,
    cache: &Cache,
    shards: &Shards,
    before: Before,
    event: Gateway,
) {
    // Pass-through events (the catalog's table says which) go out as they are.
    let Some(event) = catalog::pass_through(event, &ToRouter(ctx)) else {
        return;
    };
    let message = |id| cache.message(id).map(Snapshot::into_value);
    match event {
        Gateway::MessageUpdate(e) => {
            raw_then(ctx, Arc::from(e), |e: &RawMessageEdit| MessageEdit {
                before: captured!(before, Message),
                after: e.0.clone(),
            })
        }
        Gateway::MessageDelete(e) => raw_then(ctx, Arc::new(e), |e| MessageDelete {
            raw: e.clone(),
            message: captured!(before, Message),
        }),
        Gateway::MessageDeleteBulk(e) => raw_then(ctx, Arc::new(e), |e| BulkMessageDelete {
            raw: e.clone(),
            messages: captured!(before, Messages),
        }),
        Gateway::ReactionAdd(e) => raw_then(ctx, Arc::from(e), |e: &RawReactionAdd| ReactionAdd {
            user: reaction_user(cache, e.member.as_ref(), e.user_id),
            message: message(e.message_id),
            raw: e.clone(),
        }),
        Gateway::ReactionRemove(e) => {
            raw_then(ctx, Arc::from(e), |e: &RawReactionRemove| ReactionRemove {
                user: reaction_user(cache, e.member.as_ref(), e.user_id),
                message: message(e.message_id),
                raw: e.clone(),
            })
        }
        Gateway::ReactionRemoveAll(e) => raw_then(ctx, Arc::new(e), |e| ReactionClear {
            raw: e.clone(),
            message: captured!(before, Message),
        }),
        Gateway::ReactionRemoveEmoji(e) => raw_then(ctx, Arc::new(e), |e| ReactionClearEmoji {
            raw: e.clone(),
            message: captured!(before, Message),
        }),
        Gateway::MemberRemove(e) => {
            let member = match before {
                Before::Member(member, _) => member,
                _ => None,
            };
            send(ctx, MemberRemove { raw: e, member });
        }
        Gateway::MemberUpdate(e) => {
            let (member, user) = match before {
                Before::Member(member, user) => (member, user),
                _ => (None, None),
            };
            if let Some(before) = user.filter(|before| profile_changed(before, &e.user)) {
                send(
                    ctx,
                    UserUpdate {
                        before,
                        after: e.user.clone(),
                    },
                );
            }
            send_if(ctx, || MemberUpdate {
                before: member,
                after: *e,
            });
        }
        Gateway::PresenceUpdate(e) => {
            let before = captured!(before, Presence);
            send(ctx, PresenceUpdate { before, after: e.0 });
        }
        Gateway::GuildCreate(e) => match *e {
            GuildCreate::Available(guild) => {
                if shards.guild_arrived(guild.id) {
                    send_if(ctx, || GuildAvailable { guild });
                } else {
                    send_if(ctx, || GuildJoin { guild });
                }
            }
            GuildCreate::Unavailable(guild) => shards.guild_unavailable(guild.id),
        },
        Gateway::GuildDelete(e) => {
            let guild = captured!(before, Guild);
            if e.unavailable == Some(true) {
                shards.guild_unavailable(e.id);
                send_if(ctx, || GuildUnavailable { id: e.id, guild });
            } else {
                send_if(ctx, || GuildRemove { id: e.id, guild });
            }
        }
        Gateway::GuildUpdate(e) => {
            let before = captured!(before, Guild);
            send(ctx, GuildUpdate { before, after: e.0 });
        }
        Gateway::ChannelUpdate(e) => send(
            ctx,
            ChannelUpdate {
                before: captured!(before, Channel),
                after: e.0,
            },
        ),
        Gateway::RoleUpdate(e) => send(
            ctx,
            RoleUpdate {
                guild_id: e.guild_id,
                before: captured!(before, Role),
                after: e.role,
            },
        ),
        Gateway::RoleDelete(e) => send(
            ctx,
            RoleDelete {
                guild_id: e.guild_id,
                role_id: e.role_id,
                role: captured!(before, Role),
            },
        ),
        Gateway::GuildEmojisUpdate(e) => send(
            ctx,
            GuildEmojisUpdate {
                guild_id: e.guild_id,
                before: captured!(before, Emojis),
                after: e.emojis,
            },
        ),
        Gateway::GuildStickersUpdate(e) => send(
            ctx,
            GuildStickersUpdate {
                guild_id: e.guild_id,
                before: captured!(before, Stickers),
                after: e.stickers,
            },
        ),
        Gateway::VoiceStateUpdate(e) => send(
            ctx,
            VoiceStateUpdate {
                before: captured!(before, Voice),
                after: e.0,
            },
        ),
        Gateway::StageInstanceUpdate(e) => send(
            ctx,
            StageInstanceUpdate {
                before: captured!(before, Stage),
                after: e.0,
            },
        ),
        Gateway::InteractionCreate(e) => {
            let router = ctx.router();
            let split = interaction::split(
                &e,
                interaction::Wanted {
                    command: router.wants::<ApplicationCommand>(),
                    autocomplete: router.wants::<Autocomplete>(),
                    component: router.wants::<MessageInteraction>(),
                    button: router.wants::<ButtonClick>(),
                    dropdown: router.wants::<Dropdown>(),
                    modal: router.wants::<ModalSubmit>(),
                },
            );
            send_boxed(ctx, e);
            if let Some(event) = split.command {
                send(ctx, event);
            }
            if let Some(event) = split.autocomplete {
                send(ctx, event);
            }
            if let Some(event) = split.component {
                send(ctx, event);
            }
            if let Some(event) = split.button {
                send(ctx, event);
            }
            if let Some(event) = split.dropdown {
                send(ctx, event);
            }
            if let Some(event) = split.modal {
                send(ctx, event);
            }
        }
        Gateway::ThreadUpdate(e) => {
            raw_then(ctx, Arc::from(e), |e: &RawThreadUpdate| ThreadUpdate {
                before: captured!(before, Channel),
                after: e.0.clone(),
            })
        }
        Gateway::ThreadDelete(e) => raw_then(ctx, Arc::new(e), |e| ThreadDelete {
            raw: e.clone(),
            thread: captured!(before, Channel),
        }),
        Gateway::ThreadMembersUpdate(e) => {
            for member in e.added_members {
                send(
                    ctx,
                    ThreadMemberJoin {
                        guild_id: e.guild_id,
                        thread_id: e.id,
                        member,
                    },
                );
            }
            for user_id in e.removed_member_ids {
                send(
                    ctx,
                    ThreadMemberRemove {
                        guild_id: e.guild_id,
                        thread_id: e.id,
                        user_id,
                    },
                );
            }
        }
        Gateway::GuildScheduledEventUpdate(e) => send(
            ctx,
            ScheduledEventUpdate {
                before: captured!(before, Scheduled),
                after: e.0,
            },
        ),
        _ => {}
    }
}
