use herald::prelude::*;

/// Twice.
#[command]
#[command(guild_only)]
async fn ping() {}

fn main() {}
