//! Parses the options of `#[listener(..)]`, `#[event(..)]` and `#[derive(Event)]`'s `#[event(..)]`.

use proc_macro2::{Span, TokenStream};
use syn::meta::ParseNestedMeta;
use syn::{LitStr, Path};

use crate::errors::Errors;

pub(crate) const NAME: &str = "name";
pub(crate) const ONCE: &str = "once";
pub(crate) const SEQUENTIAL: &str = "sequential";
pub(crate) const CRATE: &str = "crate";
pub(crate) const CUSTOM: &str = "custom";
pub(crate) const KEY: &str = "key";

/// The options of herald's attributes: `#[listener(..)]`, `#[event(..)]`, and `#[event(..)]` on a
/// type or a field under `#[derive(Event)]`. Each attribute allows some of them.
#[derive(Default)]
pub(crate) struct Options {
    pub(crate) name: Option<LitStr>,
    pub(crate) once: Option<Span>,
    pub(crate) sequential: Option<Span>,
    pub(crate) krate: Option<Path>,
    pub(crate) custom: Option<Span>,
    pub(crate) key: Option<Span>,
}

impl Options {
    /// Parses `args`; `allowed` are the option names this attribute takes. An unknown option is
    /// reported with the attribute's own message.
    pub(crate) fn parse(args: TokenStream, allowed: &[&str], errors: &mut Errors) -> Self {
        Self::parse_with(args, allowed, errors, |option| {
            format!(
                "unknown option `{option}`; this attribute takes: {}",
                allowed.join(", ")
            )
        })
    }

    /// [`parse`](Self::parse), with `unknown` making the message for an unknown option.
    pub(crate) fn parse_with(
        args: TokenStream,
        allowed: &[&str],
        errors: &mut Errors,
        unknown: impl Fn(&str) -> String,
    ) -> Self {
        let mut options = Options::default();
        let mut found = Errors::default();
        let parser = syn::meta::parser(|meta| {
            let ident = meta
                .path
                .get_ident()
                .map(|i| i.to_string())
                .unwrap_or_default();
            if !allowed.contains(&ident.as_str()) {
                let option = quote::ToTokens::to_token_stream(&meta.path)
                    .to_string()
                    .replace(' ', "");
                found.push(meta.error(unknown(&option)));
                // Skip its value, if any, and go on to report the other options.
                if meta.input.peek(syn::Token![=]) {
                    meta.value()?.parse::<syn::Expr>()?;
                } else if meta.input.peek(syn::token::Paren) {
                    meta.parse_nested_meta(|_| Ok(()))?;
                }
                return Ok(());
            }
            let span = meta.path.segments[0].ident.span();
            let result = match ident.as_str() {
                NAME => meta
                    .value()
                    .and_then(|v| v.parse())
                    .and_then(|v| set(&meta, &mut options.name, v, NAME)),
                CRATE => meta
                    .value()
                    .and_then(|v| v.parse::<LitStr>())
                    .and_then(|lit| lit.parse_with(Path::parse_mod_style))
                    .and_then(|path| set(&meta, &mut options.krate, path, CRATE)),
                ONCE => set(&meta, &mut options.once, span, ONCE),
                SEQUENTIAL => set(&meta, &mut options.sequential, span, SEQUENTIAL),
                CUSTOM => set(&meta, &mut options.custom, span, CUSTOM),
                KEY => set(&meta, &mut options.key, span, KEY),
                _ => unreachable!("checked against `allowed`"),
            };
            if let Err(error) = result {
                found.push(error);
            }
            Ok(())
        });
        if let Err(error) = syn::parse::Parser::parse2(parser, args) {
            found.push(error);
        }
        errors.extend(found);
        options
    }
}

/// Stores an option, refusing a second occurrence.
fn set<T>(
    meta: &ParseNestedMeta<'_>,
    slot: &mut Option<T>,
    value: T,
    name: &str,
) -> syn::Result<()> {
    if slot.is_some() {
        return Err(meta.error(format!("duplicate option `{name}`")));
    }
    *slot = Some(value);
    Ok(())
}
