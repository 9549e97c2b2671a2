use herald::prelude::*;

/// Settings that do not suit their option.
#[command]
async fn settings(
    #[option(min = 1)] _text: String,
    #[option(max_length = 10)] _count: i64,
    #[option(channel_types(text))] _user: Id<UserMarker>,
    #[option(min = 0.5)] _whole: i64,
) {
}

fn main() {}
