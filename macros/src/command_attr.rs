//! Parses the options of `#[command(..)]` and of `#[option(..)]` on its parameters. Every mistake
//! is recorded in [`Errors`] and parsing goes on, so that all of them are reported at once.

use proc_macro2::TokenStream;
use syn::meta::ParseNestedMeta;
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Ident, Lit, LitInt, LitStr, Path, Token};

use crate::discord::MAX_LENGTH;
use crate::errors::Errors;

/// The options `#[command(..)]` takes, in the order the "unknown option" message lists them.
const COMMAND_OPTIONS: &[&str] = &[
    "name",
    "description",
    "user",
    "message",
    "subcommands",
    "default_member_permissions",
    "contexts",
    "nsfw",
    "guild_only",
    "owner_only",
    "required_permissions",
    "bot_permissions",
    "check",
    "cooldown",
    "localize",
    "crate",
];

/// The options `#[option(..)]` takes.
const OPTION_OPTIONS: &[&str] = &[
    "name",
    "description",
    "min",
    "max",
    "min_length",
    "max_length",
    "channel_types",
    "autocomplete",
    "localize",
];

/// `contexts(..)`: herald's names → twilight's `InteractionContextType` variants.
const CONTEXTS: &[(&str, &str)] = &[
    ("guild", "Guild"),
    ("bot_dm", "BotDm"),
    ("private_channel", "PrivateChannel"),
];

/// `channel_types(..)`: twilight's `ChannelType` variants in snake_case, without `Guild`.
const CHANNEL_TYPES: &[(&str, &str)] = &[
    ("text", "GuildText"),
    ("private", "Private"),
    ("voice", "GuildVoice"),
    ("group", "Group"),
    ("category", "GuildCategory"),
    ("announcement", "GuildAnnouncement"),
    ("announcement_thread", "AnnouncementThread"),
    ("public_thread", "PublicThread"),
    ("private_thread", "PrivateThread"),
    ("stage_voice", "GuildStageVoice"),
    ("directory", "GuildDirectory"),
    ("forum", "GuildForum"),
    ("media", "GuildMedia"),
];

/// `cooldown(<bucket>, ..)`: herald's names → `Bucket` variants.
const BUCKETS: &[(&str, &str)] = &[
    ("user", "User"),
    ("member", "Member"),
    ("channel", "Channel"),
    ("guild", "Guild"),
];

/// A context menu command's kind.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Menu {
    User,
    Message,
}

/// `localize("fr", name = "..", description = "..")`.
pub(crate) struct Localization {
    pub(crate) locale: LitStr,
    pub(crate) name: Option<LitStr>,
    pub(crate) description: Option<LitStr>,
}

/// `cooldown(user, 10s)` or `cooldown(member, 3 per 60s)`.
pub(crate) struct Cooldown {
    /// The `Bucket` variant.
    pub(crate) bucket: Ident,
    pub(crate) uses: u32,
    pub(crate) seconds: u64,
}

/// An option's key and the values listed in its parentheses.
pub(crate) struct Listed<T> {
    pub(crate) key: Ident,
    pub(crate) items: Vec<T>,
}

/// The options of `#[command(..)]`.
#[derive(Default)]
pub(crate) struct CommandOptions {
    pub(crate) name: Option<LitStr>,
    pub(crate) description: Option<LitStr>,
    pub(crate) menu: Option<(Menu, Ident)>,
    pub(crate) subcommands: Option<Listed<Path>>,
    pub(crate) default_member_permissions: Option<Listed<Ident>>,
    pub(crate) contexts: Option<Listed<Ident>>,
    pub(crate) nsfw: Option<Ident>,
    pub(crate) guild_only: Option<Ident>,
    pub(crate) owner_only: Option<Ident>,
    pub(crate) required_permissions: Option<Listed<Ident>>,
    pub(crate) bot_permissions: Option<Listed<Ident>>,
    pub(crate) checks: Vec<Path>,
    pub(crate) cooldown: Option<(Ident, Cooldown)>,
    pub(crate) localizations: Vec<Localization>,
    pub(crate) krate: Option<Path>,
}

/// A number written in `min = ..` / `max = ..`.
pub(crate) struct Number {
    pub(crate) value: f64,
    /// Written with a fraction or an exponent (`2.5`), which an integer option cannot take.
    pub(crate) float: bool,
    /// The tokens as written, for errors.
    pub(crate) tokens: TokenStream,
}

/// The options of `#[option(..)]` on a command's parameter.
#[derive(Default)]
pub(crate) struct OptionAttr {
    pub(crate) name: Option<LitStr>,
    pub(crate) description: Option<LitStr>,
    pub(crate) min: Option<(Ident, Number)>,
    pub(crate) max: Option<(Ident, Number)>,
    pub(crate) min_length: Option<(Ident, LitInt, u16)>,
    pub(crate) max_length: Option<(Ident, LitInt, u16)>,
    pub(crate) channel_types: Option<Listed<Ident>>,
    pub(crate) autocomplete: Option<(Ident, Path)>,
    pub(crate) localizations: Vec<Localization>,
}

impl CommandOptions {
    pub(crate) fn parse(args: TokenStream, errors: &mut Errors) -> Self {
        let mut options = CommandOptions::default();
        parse_options(args, COMMAND_OPTIONS, "#[command]", errors, |key, meta| {
            let o = &mut options;
            match key.to_string().as_str() {
                "name" => set(meta, &key, &mut o.name, meta.value()?.parse()?),
                "description" => set(meta, &key, &mut o.description, meta.value()?.parse()?),
                "user" | "message" => {
                    if let Some((_, first)) = &o.menu {
                        return Err(meta.error(if *first == key {
                            format!("duplicate option `{key}`")
                        } else {
                            format!(
                                "`{first}` and `{key}` exclude each other: a context menu command \
                                 is on users or on messages"
                            )
                        }));
                    }
                    let menu = if key == "user" {
                        Menu::User
                    } else {
                        Menu::Message
                    };
                    o.menu = Some((menu, key.clone()));
                    Ok(())
                }
                "subcommands" => {
                    let items = list(meta, Path::parse_mod_style)?;
                    set(
                        meta,
                        &key,
                        &mut o.subcommands,
                        Listed {
                            key: key.clone(),
                            items,
                        },
                    )
                }
                "default_member_permissions" => {
                    let items = permissions(meta, true)?;
                    let listed = Listed {
                        key: key.clone(),
                        items,
                    };
                    set(meta, &key, &mut o.default_member_permissions, listed)
                }
                "required_permissions" => {
                    let items = permissions(meta, false)?;
                    let listed = Listed {
                        key: key.clone(),
                        items,
                    };
                    set(meta, &key, &mut o.required_permissions, listed)
                }
                "bot_permissions" => {
                    let items = permissions(meta, false)?;
                    let listed = Listed {
                        key: key.clone(),
                        items,
                    };
                    set(meta, &key, &mut o.bot_permissions, listed)
                }
                "contexts" => {
                    let items = names(meta, "contexts", CONTEXTS)?;
                    set(
                        meta,
                        &key,
                        &mut o.contexts,
                        Listed {
                            key: key.clone(),
                            items,
                        },
                    )
                }
                "nsfw" => set(meta, &key, &mut o.nsfw, key.clone()),
                "guild_only" => set(meta, &key, &mut o.guild_only, key.clone()),
                "owner_only" => set(meta, &key, &mut o.owner_only, key.clone()),
                "check" => {
                    o.checks.push(meta.value()?.parse()?);
                    Ok(())
                }
                "cooldown" => {
                    let cooldown = parenthesized(meta, parse_cooldown)?;
                    set(meta, &key, &mut o.cooldown, (key.clone(), cooldown))
                }
                "localize" => {
                    o.localizations
                        .push(parenthesized(meta, parse_localization)?);
                    Ok(())
                }
                "crate" => {
                    let path = meta
                        .value()?
                        .parse::<LitStr>()?
                        .parse_with(Path::parse_mod_style)?;
                    set(meta, &key, &mut o.krate, path)
                }
                _ => unreachable!("checked against COMMAND_OPTIONS"),
            }
        });
        options
    }
}

impl OptionAttr {
    pub(crate) fn parse(args: TokenStream, errors: &mut Errors) -> Self {
        let mut options = OptionAttr::default();
        parse_options(args, OPTION_OPTIONS, "#[option]", errors, |key, meta| {
            let o = &mut options;
            match key.to_string().as_str() {
                "name" => set(meta, &key, &mut o.name, meta.value()?.parse()?),
                "description" => set(meta, &key, &mut o.description, meta.value()?.parse()?),
                "min" => {
                    let number = parse_number(meta.value()?)?;
                    set(meta, &key, &mut o.min, (key.clone(), number))
                }
                "max" => {
                    let number = parse_number(meta.value()?)?;
                    set(meta, &key, &mut o.max, (key.clone(), number))
                }
                "min_length" => {
                    let (lit, n) = parse_length(meta.value()?, 0)?;
                    set(meta, &key, &mut o.min_length, (key.clone(), lit, n))
                }
                "max_length" => {
                    let (lit, n) = parse_length(meta.value()?, 1)?;
                    set(meta, &key, &mut o.max_length, (key.clone(), lit, n))
                }
                "channel_types" => {
                    let items = names(meta, "channel types", CHANNEL_TYPES)?;
                    set(
                        meta,
                        &key,
                        &mut o.channel_types,
                        Listed {
                            key: key.clone(),
                            items,
                        },
                    )
                }
                "autocomplete" => {
                    let path = meta.value()?.parse()?;
                    set(meta, &key, &mut o.autocomplete, (key.clone(), path))
                }
                "localize" => {
                    o.localizations
                        .push(parenthesized(meta, parse_localization)?);
                    Ok(())
                }
                _ => unreachable!("checked against OPTION_OPTIONS"),
            }
        });
        options
    }
}

/// Runs `each` on every option of `args`, reporting unknown ones and every error `each` returns
/// (then going on with the next option).
fn parse_options(
    args: TokenStream,
    allowed: &[&str],
    attribute: &str,
    errors: &mut Errors,
    mut each: impl FnMut(Ident, &ParseNestedMeta<'_>) -> syn::Result<()>,
) {
    let mut found = Errors::default();
    let parser = syn::meta::parser(|meta| {
        let key = meta.path.get_ident().cloned();
        let Some(key) = key.filter(|k| allowed.contains(&k.to_string().as_str())) else {
            let option = quote::ToTokens::to_token_stream(&meta.path)
                .to_string()
                .replace(' ', "");
            found.push(meta.error(format!(
                "unknown option `{option}`; {attribute} takes: {}",
                allowed.join(", ")
            )));
            return skip_value(&meta);
        };
        if let Err(error) = each(key, &meta) {
            found.push(error);
            // Skip what is left of this option's value, to go on with the next option.
            skip_value(&meta)?;
        }
        Ok(())
    });
    if let Err(error) = parser.parse2(args) {
        found.push(error);
    }
    errors.extend(found);
}

/// Consumes the tokens up to the next top-level comma.
fn skip_value(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    meta.input.step(|cursor| {
        let mut rest = *cursor;
        while let Some((tt, next)) = rest.token_tree() {
            if matches!(&tt, proc_macro2::TokenTree::Punct(p) if p.as_char() == ',') {
                return Ok(((), rest));
            }
            rest = next;
        }
        Ok(((), rest))
    })
}

/// Stores an option, refusing a second occurrence.
fn set<T>(
    meta: &ParseNestedMeta<'_>,
    key: &Ident,
    slot: &mut Option<T>,
    value: T,
) -> syn::Result<()> {
    if slot.is_some() {
        return Err(meta.error(format!("duplicate option `{key}`")));
    }
    *slot = Some(value);
    Ok(())
}

/// `key(a, b, ..)`.
fn list<T>(
    meta: &ParseNestedMeta<'_>,
    item: fn(ParseStream<'_>) -> syn::Result<T>,
) -> syn::Result<Vec<T>> {
    parenthesized(meta, |content| {
        Ok(
            Punctuated::<T, Token![,]>::parse_terminated_with(content, item)?
                .into_iter()
                .collect(),
        )
    })
}

/// Parses `key(..)`'s parentheses with `parser`, on their own: a mistake inside them is one
/// error, and the options after them are still read.
fn parenthesized<T>(
    meta: &ParseNestedMeta<'_>,
    parser: impl FnOnce(ParseStream<'_>) -> syn::Result<T>,
) -> syn::Result<T> {
    let content;
    syn::parenthesized!(content in meta.input);
    let tokens: TokenStream = content.parse()?;
    parser.parse2(tokens)
}

/// `key(A, B)` naming `Permissions` constants; empty only where `empty` allows it.
fn permissions(meta: &ParseNestedMeta<'_>, empty: bool) -> syn::Result<Vec<Ident>> {
    let key = meta.path.get_ident().map(ToString::to_string);
    let key = key.unwrap_or_default();
    let idents = list(meta, |input| input.parse::<Ident>())?;
    if idents.is_empty() && !empty {
        return Err(meta.error(format!(
            "`{key}()` names no permission: list `Permissions` constants, e.g. \
             `{key}(MANAGE_MESSAGES)`"
        )));
    }
    if let Some(lower) = idents
        .iter()
        .find(|i| i.to_string().chars().any(char::is_lowercase))
    {
        return Err(syn::Error::new(
            lower.span(),
            format!(
                "permissions are `Permissions` constants, written in capitals: `{}`",
                lower.to_string().to_uppercase()
            ),
        ));
    }
    Ok(idents)
}

/// `key(a, b)` where each name is one of `known`; returns the variants, spanned on the names.
fn names(
    meta: &ParseNestedMeta<'_>,
    what: &str,
    known: &[(&str, &str)],
) -> syn::Result<Vec<Ident>> {
    let idents = list(meta, |input| input.parse::<Ident>())?;
    if idents.is_empty() {
        return Err(meta.error(format!("list at least one of the {what}")));
    }
    let mut variants: Vec<Ident> = Vec::new();
    for (index, ident) in idents.iter().enumerate() {
        let name = ident.to_string();
        let Some((_, variant)) = known.iter().find(|(n, _)| *n == name) else {
            let all: Vec<&str> = known.iter().map(|(n, _)| *n).collect();
            return Err(syn::Error::new(
                ident.span(),
                format!(
                    "unknown {what} `{name}`; the {what} are: {}",
                    all.join(", ")
                ),
            ));
        };
        if idents[..index].iter().any(|i| *i == name) {
            return Err(syn::Error::new(
                ident.span(),
                format!("`{name}` is listed twice"),
            ));
        }
        variants.push(Ident::new(variant, ident.span()));
    }
    Ok(variants)
}

syn::custom_keyword!(per);

/// `user, 10s` or `member, 3 per 60s`.
fn parse_cooldown(input: ParseStream<'_>) -> syn::Result<Cooldown> {
    let bucket: Ident = input.parse()?;
    let name = bucket.to_string();
    let Some((_, variant)) = BUCKETS.iter().find(|(n, _)| *n == name) else {
        let all: Vec<&str> = BUCKETS.iter().map(|(n, _)| *n).collect();
        return Err(syn::Error::new(
            bucket.span(),
            format!(
                "unknown cooldown bucket `{name}`; the buckets are: {}",
                all.join(", ")
            ),
        ));
    };
    let shape = "write `cooldown(user, 10s)` (once per 10 seconds) or `cooldown(user, 3 per 60s)`; \
                 periods are in s, m or h";
    let comma: Option<Token![,]> = input.parse()?;
    if comma.is_none() || input.is_empty() {
        return Err(syn::Error::new(bucket.span(), shape));
    }
    let first: LitInt = input
        .parse()
        .map_err(|e| syn::Error::new(e.span(), shape))?;
    let (uses, period) = if input.peek(per) {
        input.parse::<per>()?;
        let period: LitInt = input
            .parse()
            .map_err(|e| syn::Error::new(e.span(), shape))?;
        if !first.suffix().is_empty() {
            return Err(syn::Error::new(
                first.span(),
                "the number of uses is a plain number: `3 per 60s`",
            ));
        }
        let uses: u32 = first.base10_parse()?;
        if uses == 0 {
            return Err(syn::Error::new(
                first.span(),
                "a cooldown allows at least 1 use per period",
            ));
        }
        (uses, period)
    } else {
        (1, first)
    };
    let unit = match period.suffix() {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "" => {
            return Err(syn::Error::new(
                period.span(),
                format!(
                    "give the period's unit: `{0}s`, `{0}m` or `{0}h`",
                    period.base10_digits()
                ),
            ));
        }
        other => {
            return Err(syn::Error::new(
                period.span(),
                format!("unknown unit `{other}`; periods are in s, m or h (`10s`, `5m`, `1h`)"),
            ));
        }
    };
    let seconds = period
        .base10_parse::<u64>()?
        .checked_mul(unit)
        .filter(|s| *s > 0)
        .ok_or_else(|| syn::Error::new(period.span(), "a cooldown's period is longer than 0"))?;
    input.parse::<Option<Token![,]>>()?;
    if !input.is_empty() {
        return Err(input.error(shape));
    }
    Ok(Cooldown {
        bucket: Ident::new(variant, bucket.span()),
        uses,
        seconds,
    })
}

/// `"fr", name = "..", description = ".."`.
fn parse_localization(input: ParseStream<'_>) -> syn::Result<Localization> {
    let shape = "write `localize(\"fr\", name = \"..\", description = \"..\")` (name, description \
                 or both)";
    let locale: LitStr = input
        .parse()
        .map_err(|e| syn::Error::new(e.span(), shape))?;
    let mut localization = Localization {
        locale,
        name: None,
        description: None,
    };
    while !input.is_empty() {
        input.parse::<Token![,]>()?;
        if input.is_empty() {
            break;
        }
        let key: Ident = input.parse()?;
        input.parse::<Token![=]>()?;
        let value: LitStr = input.parse()?;
        let slot = match key.to_string().as_str() {
            "name" => &mut localization.name,
            "description" => &mut localization.description,
            _ => return Err(syn::Error::new(key.span(), shape)),
        };
        if slot.is_some() {
            return Err(syn::Error::new(key.span(), format!("duplicate `{key}`")));
        }
        *slot = Some(value);
    }
    if localization.name.is_none() && localization.description.is_none() {
        return Err(syn::Error::new(localization.locale.span(), shape));
    }
    Ok(localization)
}

/// An integer or a float, maybe negative.
fn parse_number(input: ParseStream<'_>) -> syn::Result<Number> {
    let minus: Option<Token![-]> = input.parse()?;
    let lit: Lit = input.parse()?;
    let value: f64 = match &lit {
        Lit::Int(int) => int.base10_parse()?,
        Lit::Float(float) => float.base10_parse()?,
        other => {
            return Err(syn::Error::new(
                other.span(),
                "expected a number: `min = 1`, `max = 2.5`",
            ));
        }
    };
    Ok(Number {
        value: if minus.is_some() { -value } else { value },
        float: matches!(lit, Lit::Float(_)),
        tokens: quote::quote!(#minus #lit),
    })
}

/// A length from `least` to 6000.
fn parse_length(input: ParseStream<'_>, least: u16) -> syn::Result<(LitInt, u16)> {
    let lit: LitInt = input.parse()?;
    let value: u16 = lit
        .base10_parse()
        .ok()
        .filter(|n| (least..=MAX_LENGTH).contains(n))
        .ok_or_else(|| {
            syn::Error::new(
                lit.span(),
                format!("a length is from {least} to {MAX_LENGTH}"),
            )
        })?;
    Ok((lit, value))
}
