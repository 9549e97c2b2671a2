use herald::prelude::*;

/// Returns a number.
#[command]
async fn ping() -> u32 {
    1
}

fn main() {}
