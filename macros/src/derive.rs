//! `#[derive(Event)]`: implements `Event` for a custom event type.
//!
//! ```text
//! #[derive(Event)]
//! #[event(name = "level_up")]          // optional; default: snake_case of the type name
//! struct LevelUp { #[event(key)] user: Id<UserMarker>, level: u32 }
//! ```
//! becomes `impl Event for LevelUp { const NAME = "level_up"; fn keys(..) { user as a key } }`.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, LitStr, Path, parse_quote};

use crate::attr::{CRATE, KEY, NAME, Options};
use crate::catalog;
use crate::errors::Errors;

pub(crate) fn expand(input: TokenStream) -> TokenStream {
    let input: DeriveInput = match syn::parse2(input) {
        Ok(input) => input,
        Err(error) => return error.to_compile_error(),
    };
    let mut errors = Errors::default();
    let mut name: Option<LitStr> = None;
    let mut krate: Option<Path> = None;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("event")) {
        let tokens = match attr.meta.require_list() {
            Ok(list) => list.tokens.clone(),
            Err(error) => {
                errors.push(error);
                continue;
            }
        };
        let options = Options::parse_with(tokens, &[NAME, CRATE], &mut errors, |_| {
            "unknown option; on the type, #[event(..)] takes: name, crate".to_owned()
        });
        name = name.or(options.name);
        krate = krate.or(options.krate);
    }

    let event_name = name
        .as_ref()
        .map(LitStr::value)
        .unwrap_or_else(|| snake_case(&input.ident.to_string()));
    if let Some(ty) = catalog::lookup(&event_name) {
        let message = format!(
            "`{event_name}` is the name of a gateway event (its type is `{}`); give the custom \
             event another name with #[event(name = \"..\")]",
            ty.trim_start_matches('&')
        );
        match &name {
            Some(lit) => errors.at(lit, message),
            None => errors.at(&input.ident, message),
        }
    }

    let keys = key_fields(&input.data, &mut errors);
    if let Some(compile_errors) = errors.into_compile_errors() {
        return compile_errors;
    }

    let krate = krate.unwrap_or_else(|| parse_quote!(::herald));
    let private = quote!(#krate::__private);
    let ident = &input.ident;
    let (impl_generics, type_generics, where_clause) = input.generics.split_for_impl();
    let keys_fn = (!keys.is_empty()).then(|| {
        quote! {
            fn keys(&self) -> #private::Keys {
                let mut keys = #private::Keys::NONE;
                #( #private::set_key(&mut keys, self.#keys); )*
                keys
            }
        }
    });
    quote! {
        impl #impl_generics #private::Event for #ident #type_generics #where_clause {
            const NAME: &'static str = #event_name;
            #keys_fn
        }
    }
}

/// The fields marked `#[event(key)]`.
fn key_fields(data: &Data, errors: &mut Errors) -> Vec<TokenStream> {
    let fields = match data {
        Data::Struct(data) => &data.fields,
        Data::Enum(data) => {
            check_no_keys(data.variants.iter().flat_map(|v| &v.fields), errors);
            return Vec::new();
        }
        Data::Union(data) => {
            errors.at(
                data.union_token,
                "an event is a struct or an enum, not a union",
            );
            return Vec::new();
        }
    };
    let mut keys = Vec::new();
    for (index, field) in fields.iter().enumerate() {
        for attr in field.attrs.iter().filter(|a| a.path().is_ident("event")) {
            let tokens = match attr.meta.require_list() {
                Ok(list) => list.tokens.clone(),
                Err(error) => {
                    errors.push(error);
                    continue;
                }
            };
            let options = Options::parse_with(tokens, &[KEY], errors, |_| {
                "unknown option; on a field, #[event(..)] takes: key".to_owned()
            });
            if options.key.is_some() {
                keys.push(match &field.ident {
                    Some(ident) => quote!(#ident),
                    None => {
                        let index = syn::Index::from(index);
                        quote!(#index)
                    }
                });
            }
        }
    }
    keys
}

fn check_no_keys<'a>(fields: impl Iterator<Item = &'a syn::Field>, errors: &mut Errors) {
    for field in fields {
        for attr in field.attrs.iter().filter(|a| a.path().is_ident("event")) {
            errors.at(
                attr,
                "#[event(key)] is for struct fields; implement `Event::keys` by hand for an enum",
            );
        }
    }
}

/// `LevelUp` → `level_up`, `HTTPError` → `http_error`.
pub(crate) fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev = i.checked_sub(1).map(|p| chars[p]);
            let next = chars.get(i + 1);
            let boundary = prev.is_some_and(|p| p.is_lowercase() || p.is_ascii_digit())
                || (prev.is_some_and(char::is_uppercase) && next.is_some_and(|n| n.is_lowercase()));
            if boundary {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::snake_case;

    #[test]
    fn snake_cases_type_names() {
        assert_eq!(snake_case("LevelUp"), "level_up");
        assert_eq!(snake_case("HTTPError"), "http_error");
        assert_eq!(snake_case("Tick"), "tick");
        assert_eq!(snake_case("Stage2Done"), "stage2_done");
    }
}
