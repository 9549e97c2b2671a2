//! Collects errors so that every mistake is reported at once, each on its own tokens.

use std::fmt::Display;

use proc_macro2::TokenStream;
use quote::ToTokens;

#[derive(Default)]
pub(crate) struct Errors {
    collected: Option<syn::Error>,
}

impl Errors {
    /// Records an error spanned on `tokens`.
    pub(crate) fn at(&mut self, tokens: impl ToTokens, message: impl Display) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.collected {
            Some(collected) => collected.combine(error),
            None => self.collected = Some(error),
        }
    }

    /// Takes over the errors of `other`.
    pub(crate) fn extend(&mut self, other: Errors) {
        if let Some(error) = other.collected {
            self.push(error);
        }
    }

    /// The `compile_error!`s of everything recorded, if anything was.
    pub(crate) fn into_compile_errors(self) -> Option<TokenStream> {
        self.collected.map(|e| e.to_compile_error())
    }
}
