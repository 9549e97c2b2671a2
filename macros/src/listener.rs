//! Expands `#[listener]` and `#[event]`.
//!
//! ```text
//! #[listener(once)]
//! async fn welcome(ctx: Context, join: &MemberAdd) -> herald::Result { .. }
//! ```
//! becomes `fn welcome() -> Listener`, holding the original function and returning
//! `Listener::new(welcome).name("welcome").once()`, plus compile-time checks spanned on the
//! offending types. `.listener(welcome)` accepts such a function (`IntoListener` is implemented for
//! `fn() -> Listener`). A function, unlike a unit struct, leaves the name free for local variables.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Attribute, Path, parse_quote};

use crate::attr::{self, Options};
use crate::catalog;
use crate::errors::Errors;
use crate::func::{self, ItemFn, ListenerFn};

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `#[listener]`: one of many for its event.
    Listener,
    /// `#[event]`: the one handler of the event its name gives.
    Event,
}

pub(crate) fn expand(kind: Kind, args: TokenStream, item: TokenStream) -> TokenStream {
    let item: ItemFn = match syn::parse2(item.clone()) {
        Ok(item) => item,
        Err(error) => {
            // As tokio-macros does: keep the item as written, so that editors and the compiler's
            // own errors keep working, and report syn's error at its span.
            let what = if kind == Kind::Listener {
                "#[listener]"
            } else {
                "#[event]"
            };
            let mut errors = Errors::default();
            errors.push(error);
            errors.push(syn::Error::new(
                Span::call_site(),
                format!("{what} goes on an `async fn`"),
            ));
            let errors = errors.into_compile_errors();
            return quote!(#item #errors);
        }
    };
    let mut errors = Errors::default();
    let allowed: &[&str] = match kind {
        Kind::Listener => &[attr::NAME, attr::ONCE, attr::SEQUENTIAL, attr::CRATE],
        Kind::Event => &[attr::SEQUENTIAL, attr::CUSTOM, attr::CRATE],
    };
    let options = Options::parse(args, allowed, &mut errors);
    // A second `#[listener]` or `#[event]` would wrap the generated registration function,
    // which is no listener: say so here rather than let the compiler talk about `Listener`.
    for attr in item.attrs.iter().filter(|a| is_registration(a)) {
        errors.push(syn::Error::new_spanned(
            attr,
            format!(
                "`{}` has two of `#[listener]` / `#[event]`: keep one (a listener is registered \
                 once; several listeners need several functions)",
                item.sig.ident
            ),
        ));
    }
    let function = func::validate(&item, &mut errors);
    let event_name = match kind {
        Kind::Event => event_name(&item, &options, &mut errors),
        Kind::Listener => None,
    };
    match (errors.into_compile_errors(), function) {
        (compile_errors @ Some(_), _) | (compile_errors @ None, None) => {
            item.as_written(is_registration, &item.sig, compile_errors)
        }
        (None, Some(function)) => generate(kind, &item, &options, &function, event_name),
    }
}

/// Whether `attr` is `#[listener]` or `#[event]` (any path ending so: `#[herald::listener]`).
fn is_registration(attr: &syn::Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|s| s.ident == "listener" || s.ident == "event")
}

/// The event an `#[event]` handler's name picks: `on_message` → `message`.
fn event_name(item: &ItemFn, options: &Options, errors: &mut Errors) -> Option<String> {
    let ident = &item.sig.ident;
    let full = ident.to_string();
    let Some(name) = full.strip_prefix("on_").filter(|n| !n.is_empty()) else {
        errors.at(
            ident,
            format!(
                "an #[event] handler is named `on_<event>` (e.g. `on_message`); to keep the name \
                 `{full}`, use #[listener]"
            ),
        );
        return None;
    };
    if options.custom.is_none()
        && catalog::lookup(name).is_none()
        && let Some(known) = catalog::closest(name)
    {
        errors.at(
            ident,
            format!(
                "unknown event `{full}`: did you mean `on_{known}`?\n\
                 note: if `{name}` is a custom event, write #[event(custom)]"
            ),
        );
        return None;
    }
    Some(name.to_owned())
}

fn generate(
    kind: Kind,
    item: &ItemFn,
    options: &Options,
    function: &ListenerFn,
    event_name: Option<String>,
) -> TokenStream {
    let krate: Path = options
        .krate
        .clone()
        .unwrap_or_else(|| parse_quote!(::herald));
    let private = quote!(#krate::__private);
    let ItemFn {
        attrs,
        vis,
        sig,
        body,
    } = item;
    let ident = &sig.ident;
    let (docs, other_attrs): (Vec<&Attribute>, Vec<&Attribute>) =
        attrs.iter().partition(|a| a.path().is_ident("doc"));

    let name = options
        .name
        .as_ref()
        .map(|n| n.value())
        .unwrap_or_else(|| ident.to_string());
    let once = options.once.map(|span| quote_spanned!(span=> .once()));
    let sequential = options
        .sequential
        .map(|span| quote_spanned!(span=> .sequential()));

    let event = &function.event;
    let mut checks = vec![quote_spanned! {event.span()=>
        #private::assert_event::<#event>();
    }];
    if let Some(context) = &function.context {
        checks.push(quote_spanned! {context.span()=>
            #private::assert_context::<#context>();
        });
    }
    for extracted in &function.extracted {
        checks.push(quote_spanned! {extracted.span()=>
            #private::assert_extracted::<#extracted>();
        });
    }
    // As axum-macros' `check_future_send`: the listener's future must be `Send` (it may move to
    // another thread at each `.await`); checked here, the error points at the function instead
    // of deep inside the registration.
    let arguments = (0..sig.inputs.len()).map(|_| quote!(::core::panic!()));
    let send_check = quote_spanned! {sig.ident.span()=>
        #[allow(unreachable_code, unused_must_use, clippy::diverging_sub_expression)]
        fn __herald_check_send() {
            fn check<T: ::core::future::Future + ::core::marker::Send>(_: T) {}
            check(#ident(#(#arguments),*));
        }
    };
    if let syn::ReturnType::Type(_, output) = &sig.output {
        checks.push(quote_spanned! {output.span()=>
            #private::assert_output::<#output>();
        });
    }
    let name_check = event_name.map(|expected| {
        let message = match catalog::lookup(&expected) {
            Some(ty) => {
                format!("`{ident}` handles the `{expected}` event: its parameter must be `{ty}`")
            }
            None => format!(
                "`{ident}` handles the custom event `{expected}`, but the parameter's event has \
                 another name: rename the handler `on_<name>` after the type's `Event::NAME` \
                 (snake_case of the type name unless `#[event(name = \"..\")]` set it)"
            ),
        };
        quote_spanned! {event.span()=>
            const _: () = ::core::assert!(
                #private::str_eq(<#event as #private::Event>::NAME, #expected),
                #message
            );
        }
    });
    let what = match kind {
        Kind::Listener => "listener",
        Kind::Event => "event handler",
    };
    let register = match kind {
        Kind::Listener => "listener",
        Kind::Event => "event",
    };
    let registration_doc = format!(
        "\n\nA herald {what} (generated by `#[{register}]`): `{ident}()` returns its `Listener` \
         registration; `Bot::builder().{register}({ident})` registers it."
    );
    quote! {
        #(#docs)*
        #[doc = #registration_doc]
        #[must_use = "a Listener does nothing until it is registered"]
        #vis fn #ident() -> #private::Listener {
            #(#other_attrs)*
            #sig #body

            #[allow(dead_code, non_snake_case)]
            const _: () = {
                fn __herald_checks() { #(#checks)* }
                #send_check
                #name_check
            };

            #private::Listener::new(#ident).name(#name) #once #sequential
        }
    }
}
