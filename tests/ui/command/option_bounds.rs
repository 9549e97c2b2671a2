use herald::prelude::*;

/// Bounds the wrong way round.
#[command]
async fn bounds(
    #[option(min = 10, max = 1)] _count: i64,
    #[option(min_length = 10, max_length = 5)] _text: String,
) {
}

fn main() {}
