use herald::prelude::*;

#[listener]
async fn greet(_ctx: u32, _msg: &MessageCreate) {}

fn main() {}
