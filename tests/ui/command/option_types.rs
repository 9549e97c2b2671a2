use herald::prelude::*;

struct Point;

/// Unsupported option types.
#[command]
async fn draw(_at: Point, _points: Vec<i64>) {}

#[command(message)]
async fn not_a_target(_target: String) {}

fn main() {}
