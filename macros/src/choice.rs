//! `#[derive(Choice)]`: a fieldless enum as a string option with one choice per variant.
//!
//! ```text
//! #[derive(Choice)]
//! enum Color { Red, #[choice(name = "Dark blue")] DarkBlue }
//! ```
//! becomes `impl FromOption for Color` with `KIND = String`, `choices()` = `Red` → `red`,
//! `Dark blue` → `dark_blue` (name shown → value sent), and `from_option` parsing the value back.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::ext::IdentExt;
use syn::{Data, DeriveInput, Fields, LitStr, Path, parse_quote};

use crate::attr::{CRATE, Options};
use crate::derive::snake_case;
use crate::discord::{MAX_CHILDREN, MAX_CHOICE};
use crate::errors::Errors;

/// What a struct or union under `#[derive(Choice)]` is told.
const NOT_AN_ENUM: &str = "#[derive(Choice)] is for enums whose unit variants are the choices: `enum Color { Red, Green }`";

/// One variant's choice.
struct Choice {
    variant: syn::Ident,
    name: String,
    value: String,
    /// Where the name and the value are written (the variant when they are not), for errors.
    name_tokens: TokenStream,
    value_tokens: TokenStream,
}

pub(crate) fn expand(input: TokenStream) -> TokenStream {
    let input: DeriveInput = match syn::parse2(input) {
        Ok(input) => input,
        Err(error) => return error.to_compile_error(),
    };
    let mut errors = Errors::default();
    let mut krate: Option<Path> = None;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("choice")) {
        match attr.meta.require_list() {
            Ok(list) => {
                let options = Options::parse_with(
                    list.tokens.clone(),
                    &[CRATE],
                    &mut errors,
                    |_| {
                        "unknown option; on the enum, #[choice(..)] takes: crate (each variant takes \
                     name and value)"
                        .to_owned()
                    },
                );
                krate = krate.or(options.krate);
            }
            Err(error) => errors.push(error),
        }
    }
    let choices = match &input.data {
        Data::Enum(data) => {
            if data.variants.is_empty() {
                errors.at(
                    &input.ident,
                    "an enum without variants offers no choice: add a unit variant per choice",
                );
            }
            let choices: Vec<Choice> = data
                .variants
                .iter()
                .enumerate()
                .map(|(index, variant)| choice(index, variant, &mut errors))
                .collect();
            for (index, choice) in choices.iter().enumerate() {
                let before = &choices[..index];
                if before.iter().any(|c| c.name == choice.name) {
                    errors.at(
                        &choice.name_tokens,
                        format!(
                            "two choices are named `{}`: rename one with #[choice(name = \"..\")]",
                            choice.name
                        ),
                    );
                }
                if before.iter().any(|c| c.value == choice.value) {
                    errors.at(
                        &choice.value_tokens,
                        format!(
                            "two choices have the value `{}`: give one another with \
                             #[choice(value = \"..\")]",
                            choice.value
                        ),
                    );
                }
            }
            choices
        }
        Data::Struct(data) => {
            errors.at(data.struct_token, NOT_AN_ENUM);
            Vec::new()
        }
        Data::Union(data) => {
            errors.at(data.union_token, NOT_AN_ENUM);
            Vec::new()
        }
    };
    if let Some(compile_errors) = errors.into_compile_errors() {
        return compile_errors;
    }

    let krate = krate.unwrap_or_else(|| parse_quote!(::herald));
    let private = quote!(#krate::__private);
    let tm = quote!(#private::twilight_model);
    let command_types = quote!(#tm::application::command);
    let from_option = quote!(#krate::command::FromOption);
    let ident = &input.ident;
    let (impl_generics, type_generics, where_clause) = input.generics.split_for_impl();
    let names = choices.iter().map(|c| &c.name);
    let values: Vec<&String> = choices.iter().map(|c| &c.value).collect();
    let variants = choices.iter().map(|c| &c.variant);
    let expected = values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ");
    // After `{}`, the unknown value: the values themselves may hold braces.
    let unknown = format!("` is not a choice of `{ident}`; the choices are {expected}");
    quote! {
        impl #impl_generics #from_option for #ident #type_generics #where_clause {
            const KIND: #command_types::CommandOptionType = #command_types::CommandOptionType::String;

            fn choices() -> ::core::option::Option<::std::vec::Vec<#command_types::CommandOptionChoice>> {
                ::core::option::Option::Some(::std::vec![
                    #( #private::command::string_choice(#names, #values) ),*
                ])
            }

            fn from_option(
                value: ::core::option::Option<&#tm::application::interaction::application_command::CommandOptionValue>,
                resolved: ::core::option::Option<&#tm::application::interaction::InteractionDataResolved>,
            ) -> ::core::result::Result<Self, ::std::string::String> {
                let value = <::std::string::String as #from_option>::from_option(value, resolved)?;
                match value.as_str() {
                    #( #values => ::core::result::Result::Ok(Self::#variants), )*
                    other => ::core::result::Result::Err(::std::format!("`{}{}", other, #unknown)),
                }
            }
        }
    }
}

/// The choice of a variant, checking Discord's rules against the variants before it.
fn choice(index: usize, variant: &syn::Variant, errors: &mut Errors) -> Choice {
    if index == MAX_CHILDREN {
        errors.at(
            &variant.ident,
            format!(
                "an option has at most {MAX_CHILDREN} choices (Discord's limit); for more, use \
                 autocomplete"
            ),
        );
    }
    if !matches!(variant.fields, Fields::Unit) {
        errors.at(
            &variant.fields,
            "a choice is a unit variant (Discord sends only its value): remove the fields",
        );
    }
    let mut name: Option<LitStr> = None;
    let mut value: Option<LitStr> = None;
    for attr in variant.attrs.iter().filter(|a| a.path().is_ident("choice")) {
        let result = attr.parse_nested_meta(|meta| {
            let slot = if meta.path.is_ident("name") {
                &mut name
            } else if meta.path.is_ident("value") {
                &mut value
            } else {
                return Err(
                    meta.error("unknown option; on a variant, #[choice(..)] takes: name, value")
                );
            };
            if slot.is_some() {
                let key = meta
                    .path
                    .get_ident()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                return Err(meta.error(format!("duplicate option `{key}`")));
            }
            *slot = Some(meta.value()?.parse()?);
            Ok(())
        });
        if let Err(error) = result {
            errors.push(error);
        }
    }
    let ident = variant.ident.unraw().to_string();
    let checked = |lit: &Option<LitStr>, default: String, what: &str, errors: &mut Errors| {
        let text = lit.as_ref().map_or(default, LitStr::value);
        let length = text.chars().count();
        if !(1..=MAX_CHOICE).contains(&length) {
            let message = if length == 0 {
                format!("the choice {what} is empty; Discord requires 1 to {MAX_CHOICE} characters")
            } else {
                format!(
                    "the choice {what} has {length} characters; Discord allows at most {MAX_CHOICE}"
                )
            };
            match lit {
                Some(lit) => errors.at(lit, message),
                None => errors.at(&variant.ident, message),
            }
        }
        text
    };
    let name_text = checked(&name, ident.clone(), "name", errors);
    let value_text = checked(&value, snake_case(&ident), "value", errors);
    Choice {
        variant: variant.ident.clone(),
        name: name_text,
        value: value_text,
        name_tokens: name.map_or_else(|| variant.ident.to_token_stream(), |l| l.to_token_stream()),
        value_tokens: value
            .map_or_else(|| variant.ident.to_token_stream(), |l| l.to_token_stream()),
    }
}
