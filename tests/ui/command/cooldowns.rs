use herald::prelude::*;

/// No unit.
#[command(cooldown(user, 10))]
async fn no_unit() {}

/// Unknown unit.
#[command(cooldown(user, 10d))]
async fn unknown_unit() {}

/// Unknown bucket.
#[command(cooldown(server, 10s))]
async fn unknown_bucket() {}

/// No period.
#[command(cooldown(user))]
async fn no_period() {}

/// Zero uses.
#[command(cooldown(user, 0 per 10s))]
async fn zero_uses() {}

/// Zero period.
#[command(cooldown(guild, 0s))]
async fn zero_period() {}

fn main() {}
