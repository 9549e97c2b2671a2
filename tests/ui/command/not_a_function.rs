use herald::prelude::*;

#[command]
struct Ping;

fn main() {}
