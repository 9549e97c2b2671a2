//! Turns a twilight gateway event into herald events and dispatches them.

use std::sync::Arc;

use twilight_model::gateway::event::Event as Gateway;

use crate::context::Context;
use crate::event::Event;

/// Dispatches `event` as the herald event(s) it makes. Events no herald type represents (yet) are
/// skipped.
pub(crate) fn dispatch(ctx: &Context, event: Gateway) {
    fn send<E: Event>(ctx: &Context, event: E) {
        ctx.dispatch_shared(Arc::new(event));
    }
    fn send_boxed<E: Event>(ctx: &Context, event: Box<E>) {
        ctx.dispatch_shared(Arc::<E>::from(event));
    }
    match event {
        Gateway::MessageCreate(e) => send_boxed(ctx, e),
        Gateway::MessageUpdate(e) => send_boxed(ctx, e),
        Gateway::MessageDelete(e) => send(ctx, e),
        Gateway::MessageDeleteBulk(e) => send(ctx, e),
        Gateway::ReactionAdd(e) => send_boxed(ctx, e),
        Gateway::ReactionRemove(e) => send_boxed(ctx, e),
        Gateway::ReactionRemoveAll(e) => send(ctx, e),
        Gateway::ReactionRemoveEmoji(e) => send(ctx, e),
        Gateway::TypingStart(e) => send_boxed(ctx, e),
        Gateway::MemberAdd(e) => send_boxed(ctx, e),
        Gateway::BanAdd(e) => send(ctx, e),
        Gateway::BanRemove(e) => send(ctx, e),
        Gateway::RoleCreate(e) => send(ctx, e),
        Gateway::ChannelCreate(e) => send_boxed(ctx, e),
        Gateway::ThreadCreate(e) => send_boxed(ctx, e),
        Gateway::StageInstanceCreate(e) => send(ctx, e),
        Gateway::GuildScheduledEventCreate(e) => send_boxed(ctx, e),
        Gateway::InteractionCreate(e) => send_boxed(ctx, e),
        _ => {}
    }
}
