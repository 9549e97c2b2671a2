use herald::prelude::*;

#[command]
async fn undocumented() {}

/// This doc comment is far too long for Discord, which takes one hundred characters at most in a command's description.
#[command]
async fn too_long() {}

/// Empty description given.
#[command(description = "")]
async fn empty() {}

/// An option's description.
#[command]
async fn option(
    #[option(description = "This option's description is far too long for Discord, which takes one hundred characters at most.")]
    _x: String,
) {
}

#[command(user, description = "Menus have none")]
async fn menu(_user: Id<UserMarker>) {}

#[command(user, localize("fr", name = "Voir", description = "Non plus"))]
async fn localized_menu(_user: Id<UserMarker>) {}

fn main() {}
