//! Validates the function under `#[listener]` / `#[event]`: an `async fn` taking an optional
//! context, the event by reference, and up to four parameters herald fills in.

use proc_macro2::Group;
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, FnArg, Pat, Signature, Type, Visibility};

use crate::errors::Errors;

/// A function with its body kept as tokens: a syntax error inside the body is then the compiler's
/// own, at its place, and the expansion (`fn name() -> Listener`) stays as the rest of the crate
/// expects it.
pub(crate) struct ItemFn {
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) vis: Visibility,
    pub(crate) sig: Signature,
    pub(crate) body: Group,
}

impl ItemFn {
    /// What a registration that failed expands to: the function as written, without the
    /// attributes `registration` names (and with the signature `sig`), then `compile_errors`, so
    /// that editors and the compiler's own errors still work on it.
    pub(crate) fn as_written(
        &self,
        registration: impl Fn(&Attribute) -> bool,
        sig: &Signature,
        compile_errors: Option<proc_macro2::TokenStream>,
    ) -> proc_macro2::TokenStream {
        let ItemFn {
            attrs, vis, body, ..
        } = self;
        let attrs = attrs.iter().filter(|a| !registration(a));
        quote::quote!(#(#attrs)* #vis #sig #body #compile_errors)
    }
}

impl Parse for ItemFn {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        let sig = input.parse()?;
        let body: Group = input.parse()?;
        if body.delimiter() != proc_macro2::Delimiter::Brace {
            return Err(syn::Error::new(
                body.span(),
                "expected the function's body `{ .. }`",
            ));
        }
        Ok(ItemFn {
            attrs,
            vis,
            sig,
            body,
        })
    }
}

/// The parts of a valid listener function that the expansion needs.
pub(crate) struct ListenerFn {
    /// The context parameter's type, when there is one.
    pub(crate) context: Option<Type>,
    /// The event type (`E` of `&E`).
    pub(crate) event: Type,
    /// The parameters after the event, which herald fills in (`Data<T>`).
    pub(crate) extracted: Vec<Type>,
}

/// How many parameters herald fills in after the event, at most.
const MAX_EXTRACTED: usize = 4;

/// Checks `item`, recording every mistake in `errors`.
pub(crate) fn validate(item: &ItemFn, errors: &mut Errors) -> Option<ListenerFn> {
    let sig = &item.sig;
    if sig.asyncness.is_none() {
        errors.at(
            sig.fn_token,
            "listeners must be `async fn`: add `async` before `fn`",
        );
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.at(
            &sig.generics,
            "listeners cannot be generic: the event type must be concrete",
        );
    }
    if let Some(variadic) = &sig.variadic {
        errors.at(variadic, "listeners cannot be variadic");
    }
    let mut typed = Vec::new();
    for input in &sig.inputs {
        match input {
            FnArg::Receiver(receiver) => errors.at(
                receiver,
                "listeners cannot take `self`: write a free `async fn` and capture state in the \
                 `Context` or a static",
            ),
            FnArg::Typed(arg) => {
                if !matches!(*arg.pat, Pat::Ident(_) | Pat::Wild(_)) {
                    errors.at(&arg.pat, "use a plain name for listener parameters");
                }
                typed.push(&*arg.ty);
            }
        }
    }
    let shape =
        "expected `(ctx: Context, event: &E)` or `(event: &E)`, where `E` is the event type";
    // The event is the first parameter taken by reference; a parameter before it is the context.
    let (context, event, extracted) = match typed.as_slice() {
        [] => {
            let parens = sig.paren_token.span.join();
            errors.push(syn::Error::new(
                parens,
                format!("a listener takes the event it handles; {shape}"),
            ));
            return None;
        }
        [first, rest @ ..] if matches!(first, Type::Reference(_)) => (None, *first, rest),
        [context, event, rest @ ..] => (Some((*context).clone()), *event, rest),
        [only] => (None, *only, &[][..]),
    };
    if let Some(extra) = extracted.get(MAX_EXTRACTED) {
        errors.at(
            extra,
            format!(
                "too many parameters; {shape}, then at most {MAX_EXTRACTED} parameters herald \
                 fills in (`Data<T>`)"
            ),
        );
        return None;
    }
    let extracted = extracted.iter().map(|ty| (*ty).clone()).collect();
    let event = match event {
        Type::Reference(reference) if reference.mutability.is_none() => (*reference.elem).clone(),
        Type::Reference(reference) => {
            errors.at(
                reference,
                "events are shared between listeners: take `&E`, not `&mut E`",
            );
            return None;
        }
        other => {
            errors.at(other, "take the event by reference: `&E`");
            return None;
        }
    };
    Some(ListenerFn {
        context,
        event,
        extracted,
    })
}
