use herald::prelude::*;

/// Generic.
#[command]
async fn generic<T>(_value: T) {}

/// Two contexts.
#[command]
async fn two_contexts(_a: Context, _b: Context) {}

/// Mutable command.
#[command]
async fn mutable(_command: &mut ApplicationCommand) {}

/// A pattern.
#[command]
async fn pattern((_a, _b): (i64, i64)) {}

/// An option on the context.
#[command]
async fn option_on_context(#[option(description = "x")] _ctx: Context) {}

fn main() {}
