//! The macros of [herald](https://docs.rs/herald): `#[listener]`, `#[event]` and
//! `#[derive(Event)]`. Use them through the `herald` crate; their documentation is there.
//!
//! Each entry point is one line; the work lives in modules: `attr` parses options, `func`
//! validates the listener function, `listener` expands it, `catalog` knows the gateway event
//! names, `derive` implements `Event`, `errors` collects every error to report them at once.

mod attr;
mod catalog;
mod catalog_table;
mod derive;
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
