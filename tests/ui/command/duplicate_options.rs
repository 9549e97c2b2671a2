use herald::prelude::*;

/// Two options named alike.
#[command]
async fn duplicate(_user: Id<UserMarker>, #[option(name = "user")] _other: Id<UserMarker>) {}

fn main() {}
