use herald::prelude::*;

#[event]
async fn on_guild_stiker_update(_update: &GuildStickersUpdate) {}

#[event]
async fn on_mesage_edit(_edit: &MessageEdit) {}

#[event]
async fn on_raw_reaction_clear_emojii(_clear: &RawReactionClearEmoji) {}

#[event]
async fn on_thread_memberjoin(_join: &ThreadMemberJoin) {}

// The right name with the type of another event.
#[event]
async fn on_message_delete(_delete: &RawMessageDelete) {}

fn main() {}
