use herald::prelude::*;

#[event]
async fn on_message(_ctx: Context, _reaction: &ReactionAdd) {}

#[derive(Event)]
struct LevelUp;

#[event]
async fn on_levelup(_up: &LevelUp) {}

fn main() {}
