use herald::prelude::*;

#[command(user)]
async fn no_target(_ctx: Context) {}

#[command(message)]
async fn two_targets(_message: Id<MessageMarker>, _other: Id<MessageMarker>) {}

#[command(user)]
async fn option_on_target(#[option(description = "x")] _user: Id<UserMarker>) {}

fn main() {}
