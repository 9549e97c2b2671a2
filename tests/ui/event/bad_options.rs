use herald::prelude::*;

#[event(once)]
async fn on_message(_msg: &MessageCreate) {}

fn main() {}
