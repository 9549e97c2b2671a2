use herald::prelude::*;

/// A parent with an option.
#[command(subcommands(add))]
async fn tag(#[option(description = "Never read")] _name: String) {}

/// An empty list.
#[command(subcommands())]
async fn empty() {}

#[command(user, subcommands(add))]
async fn menu(_user: Id<UserMarker>) {}

/// Adds.
#[command]
async fn add() {}

fn main() {}
