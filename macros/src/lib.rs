//! The macros of [herald](https://docs.rs/herald): `#[listener]`, `#[event]`,
//! `#[derive(Event)]`, `#[command]` and `#[derive(Choice)]`. Use them through the `herald` crate;
//! their documentation is there.
//!
//! Each entry point is one line; the work lives in modules: `attr` parses options, `func`
//! validates the listener function, `listener` expands it, `catalog` knows the gateway event
//! names, `derive` implements `Event`, `command_attr` parses `#[command]`'s and `#[option]`'s
//! options, `command` checks and expands a command, `choice` implements `FromOption` for an enum,
//! `discord` knows Discord's rules for commands, `errors` collects every error to report them at
//! once.

mod attr;
mod catalog;
mod catalog_table;
mod choice;
mod command;
mod command_attr;
mod derive;
mod discord;
mod errors;
mod func;
mod listener;

use proc_macro::TokenStream;

/// Registers an `async fn` as one of many listeners of its parameter's event type.
#[proc_macro_attribute]
pub fn listener(args: TokenStream, item: TokenStream) -> TokenStream {
    listener::expand(listener::Kind::Listener, args.into(), item.into()).into()
}

/// Registers an `async fn on_<event>` as the one handler of that event.
#[proc_macro_attribute]
pub fn event(args: TokenStream, item: TokenStream) -> TokenStream {
    listener::expand(listener::Kind::Event, args.into(), item.into()).into()
}

/// Implements `Event` for a custom event type.
#[proc_macro_derive(Event, attributes(event))]
pub fn derive_event(input: TokenStream) -> TokenStream {
    derive::expand(input.into()).into()
}

/// Declares an application command: an `async fn` whose parameters are its options.
#[proc_macro_attribute]
pub fn command(args: TokenStream, item: TokenStream) -> TokenStream {
    command::expand(args.into(), item.into()).into()
}

/// Implements `FromOption` for a fieldless enum: a string option with one choice per variant.
#[proc_macro_derive(Choice, attributes(choice))]
pub fn derive_choice(input: TokenStream) -> TokenStream {
    choice::expand(input.into()).into()
}
