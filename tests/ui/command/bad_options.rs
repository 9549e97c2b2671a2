use herald::prelude::*;

/// Typo.
#[command(guild_onyl)]
async fn typo() {}

/// Duplicated.
#[command(nsfw, nsfw, name = "a", name = "b")]
async fn duplicated() {}

/// Not a string.
#[command(name = 5, description = "x")]
async fn not_a_string() {}

#[command(user, message)]
async fn both_menus(_user: Id<UserMarker>) {}

/// Unknown contexts and lowercase permissions.
#[command(contexts(guild, dm), required_permissions(ban_members), bot_permissions())]
async fn lists() {}

/// A bad #[option].
#[command]
async fn bad_option(
    #[option(desc = "x", min = "one")] _count: i64,
    #[option(channel_types(txt))] _channel: Id<ChannelMarker>,
    #[option(min_length = 7000)] _text: Option<String>,
) {
}

/// Localize without anything to say.
#[command(localize("fr"), localize("de", title = "x"))]
async fn localize() {}

fn main() {}
