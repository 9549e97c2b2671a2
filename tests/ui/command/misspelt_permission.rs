use herald::prelude::*;

/// A misspelt permission.
#[command(required_permissions(BAN_MEMBRES))]
async fn ban() {}

fn main() {}
