//! Validates the function under `#[listener]` / `#[event]`: an `async fn` taking an optional
//! context and the event by reference.

use syn::{FnArg, ItemFn, Pat, Type};

use crate::errors::Errors;

/// The parts of a valid listener function that the expansion needs.
pub(crate) struct ListenerFn {
    /// The context parameter's type, when there is one.
    pub(crate) context: Option<Type>,
    /// The event type (`E` of `&E`).
    pub(crate) event: Type,
}

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
    let (context, event) = match typed.as_slice() {
        [event] => (None, *event),
        [context, event] => (Some((*context).clone()), *event),
        [] => {
            let parens = sig.paren_token.span.join();
            errors.push(syn::Error::new(
                parens,
                format!("a listener takes the event it handles; {shape}"),
            ));
            return None;
        }
        [_, _, extra @ ..] => {
            errors.at(extra[0], format!("too many parameters; {shape}"));
            return None;
        }
    };
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
    Some(ListenerFn { context, event })
}
