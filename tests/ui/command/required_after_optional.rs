use herald::prelude::*;

/// Bans.
#[command]
async fn ban(
    #[option(description = "Who")] _user: Id<UserMarker>,
    #[option(description = "Why")] _reason: Option<String>,
    #[option(description = "Days of messages to delete")] _days: i64,
) {
}

fn main() {}
