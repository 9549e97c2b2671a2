use herald::prelude::*;

/// Not async.
#[command]
fn ping(_ctx: Context) {}

fn main() {}
