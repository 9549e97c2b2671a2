use herald::prelude::*;

/// Uppercase function name.
#[command]
#[allow(non_snake_case)]
async fn Ping() {}

/// Spaces.
#[command(name = "set nick")]
async fn set_nick() {}

/// Too long.
#[command(name = "a_name_that_is_longer_than_thirty_two")]
async fn long() {}

/// Bad option names.
#[command]
async fn options(
    #[option(name = "User")] _user: Id<UserMarker>,
    #[option(name = "what?")] _what: String,
) {
}

#[command(message, name = "A context menu name over 32 chars")]
async fn long_menu(_message: Id<MessageMarker>) {}

/// A bad localized name.
#[command(localize("fr", name = "Avertir"))]
async fn localized() {}

fn main() {}
