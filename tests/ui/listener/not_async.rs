use herald::prelude::*;

#[listener]
fn greet(_ctx: Context, _msg: &MessageCreate) {}

fn main() {}
