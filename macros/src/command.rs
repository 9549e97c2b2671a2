//! Expands `#[command]`.
//!
//! ```text
//! /// Warns a member.
//! #[command(guild_only, cooldown(user, 10s))]
//! async fn warn(ctx: Context, #[option(description = "Who")] member: User) -> herald::Result { .. }
//! ```
//! becomes `fn warn() -> AppCommand`, holding the original function (its `#[option]`s removed)
//! and returning `AppCommand::slash("warn", "Warns a member.").option(OptionSpec::new::<User>(
//! "member", "Who")).guild_only().cooldown(..).handler(|ctx, inv| ..)`, where the handler reads
//! each option from the invocation and calls the function. `.command(warn)` registers it.
//! Discord's rules (names, descriptions, counts, required options first, locales) are checked
//! here, each mistake spanned on its tokens; option and target types where the handler reads them
//! (`OptionSpec::new::<T>`, `__private::command::user_target::<T>`), spanned on the type.

use proc_macro2::{Literal, Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Attribute, FnArg, Ident, LitStr, Pat, Path, Signature, Type, parse_quote};

use crate::command_attr::{CommandOptions, Localization, Menu, OptionAttr};
use crate::discord;
use crate::errors::Errors;
use crate::func::ItemFn;

/// What a command's parameter is.
enum Role {
    /// `ctx: Context`.
    Context,
    /// `command: &ApplicationCommand`.
    Command,
    /// A slash command's option.
    Option(Box<CommandOption>),
    /// A context menu command's target.
    Target,
    /// `Data<T>`: the bot's state, as listeners take it.
    Extract,
}

struct CommandOption {
    name: String,
    description: String,
    attr: OptionAttr,
}

struct Param {
    ty: Type,
    role: Role,
}

/// What the command is.
enum Kind {
    Slash {
        description: String,
    },
    /// A slash command with subcommands: its function never runs.
    Parent {
        description: String,
    },
    Menu(Menu),
}

/// A valid command function, as the expansion needs it.
struct Command {
    name: String,
    kind: Kind,
    params: Vec<Param>,
}

pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let item: ItemFn = match syn::parse2(item.clone()) {
        Ok(item) => item,
        Err(error) => {
            let mut errors = Errors::default();
            errors.push(error);
            errors.push(syn::Error::new(
                Span::call_site(),
                "#[command] goes on an `async fn`",
            ));
            let errors = errors.into_compile_errors();
            return quote!(#item #errors);
        }
    };
    let mut errors = Errors::default();
    let options = CommandOptions::parse(args, &mut errors);
    for attr in item.attrs.iter().filter(|a| is_command(a)) {
        errors.at(
            attr,
            format!(
                "`{}` has two `#[command]`s: keep one (each command is its own function)",
                item.sig.ident
            ),
        );
    }
    let command = validate(&item, &options, &mut errors);
    match (errors.into_compile_errors(), command) {
        // Without its `#[option]`s, which only #[command] understands.
        (compile_errors @ Some(_), _) | (compile_errors @ None, None) => {
            item.as_written(is_command, &strip_option_attrs(&item.sig), compile_errors)
        }
        (None, Some(command)) => generate(&item, &options, &command),
    }
}

/// Whether `attr` is `#[command]` (any path ending so: `#[herald::command]`).
fn is_command(attr: &Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|s| s.ident == "command")
}

fn is_option_attr(attr: &Attribute) -> bool {
    attr.path().is_ident("option")
}

fn strip_option_attrs(sig: &Signature) -> Signature {
    let mut sig = sig.clone();
    for input in &mut sig.inputs {
        if let FnArg::Typed(arg) = input {
            arg.attrs.retain(|a| !is_option_attr(a));
        }
    }
    sig
}

/// The last segment of a plain path type (`herald::Context` → `Context`).
fn last_segment(ty: &Type) -> Option<&Ident> {
    match ty {
        Type::Path(path) if path.qself.is_none() => path.path.segments.last().map(|s| &s.ident),
        _ => None,
    }
}

/// Checks `item` and `options`, recording every mistake in `errors`.
fn validate(item: &ItemFn, options: &CommandOptions, errors: &mut Errors) -> Option<Command> {
    let sig = &item.sig;
    if sig.asyncness.is_none() {
        errors.at(
            sig.fn_token,
            "commands must be `async fn`: add `async` before `fn`",
        );
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.at(
            &sig.generics,
            "commands cannot be generic: option types must be concrete",
        );
    }
    if let Some(variadic) = &sig.variadic {
        errors.at(variadic, "commands cannot be variadic");
    }

    let menu = options.menu.as_ref().map(|(menu, _)| *menu);
    let parent = options.subcommands.is_some();
    if let (Some((_, key)), Some(subcommands)) = (&options.menu, &options.subcommands) {
        errors.at(
            &subcommands.key,
            format!("a `{key}` context menu command has no subcommands: remove `subcommands`"),
        );
    }

    // The name.
    let (name, name_tokens) = match &options.name {
        Some(lit) => (lit.value(), lit.to_token_stream()),
        None => (sig.ident.unraw().to_string(), sig.ident.to_token_stream()),
    };
    let name_error = match menu {
        Some(_) => discord::menu_name_error(&name),
        None => discord::slash_name_error(&name).map(|e| {
            if options.name.is_none() {
                format!("{e}\nnote: the command is named after its function; #[command(name = \"..\")] names it otherwise")
            } else {
                e
            }
        }),
    };
    if let Some(error) = name_error {
        errors.at(&name_tokens, format!("invalid command name: {error}"));
    }

    // The description.
    let description = match (menu, &options.description) {
        (Some(_), Some(lit)) => {
            errors.at(
                lit,
                "context menu commands have no description (Discord shows none): remove it",
            );
            None
        }
        (Some(_), None) => None,
        (None, Some(lit)) => {
            if let Some(error) = discord::description_error(&lit.value()) {
                errors.at(lit, error);
            }
            Some(lit.value())
        }
        (None, None) => match doc_description(&item.attrs) {
            Some((text, attr)) => {
                if let Some(error) = discord::description_error(&text) {
                    errors.at(
                        attr,
                        format!(
                            "{error} (the description is the doc comment's first paragraph; \
                             #[command(description = \"..\")] gives another)"
                        ),
                    );
                }
                Some(text)
            }
            None => {
                errors.at(
                    &sig.ident,
                    format!(
                        "the slash command `{name}` needs a description (Discord requires one): \
                         add a doc comment (`/// What it does.`) or #[command(description = \
                         \"..\")]"
                    ),
                );
                None
            }
        },
    };

    check_localizations(&options.localizations, menu, "command", errors);

    if let Some(subcommands) = &options.subcommands {
        if subcommands.items.is_empty() {
            errors.at(
                &subcommands.key,
                "`subcommands()` lists no subcommand: name the `#[command]` functions, e.g. \
                 `subcommands(add, remove)`",
            );
        }
        if let Some(extra) = subcommands.items.get(discord::MAX_CHILDREN) {
            errors.at(
                extra,
                format!(
                    "a command has at most {} subcommands (Discord's limit); group some under a \
                     subcommand with its own `subcommands(..)`",
                    discord::MAX_CHILDREN
                ),
            );
        }
    }

    let params = params(sig, menu, parent, errors)?;
    let kind = match (menu, description) {
        (Some(menu), _) => Kind::Menu(menu),
        (None, Some(description)) if parent => Kind::Parent { description },
        (None, Some(description)) => Kind::Slash { description },
        (None, None) => return None,
    };
    Some(Command { name, kind, params })
}

/// The first paragraph of the doc comment, lines trimmed and joined with spaces, and the
/// attribute it starts in.
fn doc_description(attrs: &[Attribute]) -> Option<(String, &Attribute)> {
    let mut lines: Vec<String> = Vec::new();
    let mut first = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("doc")) {
        let syn::Meta::NameValue(meta) = &attr.meta else {
            continue;
        };
        let syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(lit),
            ..
        }) = &meta.value
        else {
            continue;
        };
        // `split`, not `lines`: an empty `///` is an attribute of its own whose value is "".
        for line in lit.value().split('\n').map(str::trim) {
            if line.is_empty() {
                if lines.is_empty() {
                    continue;
                }
                return Some((lines.join(" "), first?));
            }
            first.get_or_insert(attr);
            lines.push(line.to_owned());
        }
    }
    (!lines.is_empty()).then(|| lines.join(" ")).zip(first)
}

/// Checks `localize(..)`s: known locales, once each, valid names and descriptions.
fn check_localizations(
    localizations: &[Localization],
    menu: Option<Menu>,
    what: &str,
    errors: &mut Errors,
) {
    for (index, localization) in localizations.iter().enumerate() {
        let locale = localization.locale.value();
        if let Some(error) = discord::locale_error(&locale) {
            errors.at(&localization.locale, error);
        }
        if localizations[..index]
            .iter()
            .any(|l| l.locale.value() == locale)
        {
            errors.at(
                &localization.locale,
                format!(
                    "the {what} is localized twice in `{locale}`: give its name and description \
                     in one localize(..)"
                ),
            );
        }
        if let Some(name) = &localization.name {
            let error = match menu {
                Some(_) => discord::menu_name_error(&name.value()),
                None => discord::slash_name_error(&name.value()),
            };
            if let Some(error) = error {
                errors.at(name, format!("invalid localized name: {error}"));
            }
        }
        if let Some(description) = &localization.description {
            if menu.is_some() {
                errors.at(
                    description,
                    "context menu commands have no description: localize only the name",
                );
            } else if let Some(error) = discord::description_error(&description.value()) {
                errors.at(description, error);
            }
        }
    }
}

/// Sorts the parameters into context, command, options and target; checks the options.
fn params(
    sig: &Signature,
    menu: Option<Menu>,
    parent: bool,
    errors: &mut Errors,
) -> Option<Vec<Param>> {
    let mut params = Vec::new();
    let mut context_seen = false;
    let mut command_seen = false;
    let mut targets = 0;
    let mut option_count = 0;
    // (name, its tokens) of the options so far, and the first optional one.
    let mut names: Vec<String> = Vec::new();
    let mut first_optional: Option<String> = None;
    let mut valid = true;
    for input in &sig.inputs {
        let arg = match input {
            FnArg::Receiver(receiver) => {
                errors.at(
                    receiver,
                    "commands cannot take `self`: write a free `async fn` (state goes in a \
                     static or the bot's data)",
                );
                valid = false;
                continue;
            }
            FnArg::Typed(arg) => arg,
        };
        let ty = (*arg.ty).clone();
        let option_attrs: Vec<&Attribute> =
            arg.attrs.iter().filter(|a| is_option_attr(a)).collect();

        // The bot's state, as listeners take it.
        if last_segment(&ty).is_some_and(|s| s == "Data") {
            for attr in &option_attrs {
                errors.at(
                    attr,
                    "#[option] is for the command's options; `Data<..>` is the bot's state",
                );
            }
            params.push(Param {
                ty,
                role: Role::Extract,
            });
            continue;
        }

        // The context and the command.
        let special = if last_segment(&ty).is_some_and(|s| s == "Context") {
            Some((Role::Context, &mut context_seen, "context (`Context`)"))
        } else if let Type::Reference(reference) = &ty
            && last_segment(&reference.elem).is_some_and(|s| s == "ApplicationCommand")
        {
            if reference.mutability.is_some() {
                errors.at(
                    reference,
                    "the command is shared: take `&ApplicationCommand`, not `&mut`",
                );
                valid = false;
            }
            Some((
                Role::Command,
                &mut command_seen,
                "command (`&ApplicationCommand`)",
            ))
        } else {
            None
        };
        if let Some((role, seen, what)) = special {
            if *seen {
                errors.at(&arg.ty, format!("a command takes its {what} once"));
                valid = false;
            }
            *seen = true;
            for attr in &option_attrs {
                errors.at(
                    attr,
                    format!("#[option] is for the command's options; this is its {what}"),
                );
            }
            if !matches!(*arg.pat, Pat::Ident(_) | Pat::Wild(_)) {
                errors.at(&arg.pat, "use a plain name for command parameters");
            }
            params.push(Param { ty, role });
            continue;
        }

        // A context menu's target.
        if let Some(menu) = menu {
            let what = match menu {
                Menu::User => "user",
                Menu::Message => "message",
            };
            targets += 1;
            if targets > 1 {
                errors.at(
                    arg,
                    format!(
                        "a {what} command takes one target (the {what} it was used on), besides \
                         `ctx: Context` and `command: &ApplicationCommand`; context menus have \
                         no options"
                    ),
                );
                valid = false;
            }
            for attr in &option_attrs {
                errors.at(
                    attr,
                    format!("this is the {what} the command was used on, not an option: remove #[option]"),
                );
            }
            params.push(Param {
                ty,
                role: Role::Target,
            });
            continue;
        }

        // An option.
        option_count += 1;
        if parent {
            errors.at(
                arg,
                "a command with subcommands is never run itself (Discord runs one of its \
                 subcommands): move the option to the subcommands",
            );
            valid = false;
            continue;
        }
        if option_count == discord::MAX_CHILDREN + 1 {
            errors.at(
                arg,
                format!(
                    "a command has at most {} options (Discord's limit)",
                    discord::MAX_CHILDREN
                ),
            );
            valid = false;
        }
        let mut attr = OptionAttr::default();
        for (index, option_attr) in option_attrs.iter().enumerate() {
            match option_attr.meta.require_list() {
                Ok(list) if index == 0 => attr = OptionAttr::parse(list.tokens.clone(), errors),
                Ok(_) => errors.at(
                    option_attr,
                    "give all of an option's settings in one #[option(..)]",
                ),
                Err(error) => errors.push(error),
            }
        }
        let name = match (&attr.name, &*arg.pat) {
            (Some(lit), _) => lit.value(),
            (None, Pat::Ident(pat)) => {
                let name = pat.ident.unraw().to_string();
                let trimmed = name.trim_start_matches('_');
                if trimmed.is_empty() {
                    name
                } else {
                    trimmed.to_owned()
                }
            }
            (None, _) => {
                errors.at(
                    &arg.pat,
                    "name this option: use a plain name for the parameter, or \
                     #[option(name = \"..\")]",
                );
                valid = false;
                continue;
            }
        };
        let name_tokens = match &attr.name {
            Some(lit) => lit.to_token_stream(),
            None => arg.pat.to_token_stream(),
        };
        if !matches!(*arg.pat, Pat::Ident(_) | Pat::Wild(_)) {
            errors.at(&arg.pat, "use a plain name for command parameters");
        }
        if let Some(error) = discord::slash_name_error(&name) {
            let note = if attr.name.is_none() {
                "\nnote: the option is named after its parameter; #[option(name = \"..\")] names \
                 it otherwise"
            } else {
                ""
            };
            errors.at(&name_tokens, format!("invalid option name: {error}{note}"));
        }
        if names.contains(&name) {
            errors.at(
                &name_tokens,
                format!("two options are named `{name}`: rename one with #[option(name = \"..\")]"),
            );
        }
        names.push(name.clone());
        let required = last_segment(&ty).is_none_or(|s| s != "Option");
        match (&first_optional, required) {
            (None, false) => first_optional = Some(name.clone()),
            (Some(optional), true) => errors.at(
                &arg.pat,
                format!(
                    "the required option `{name}` comes after the optional `{optional}`: Discord \
                     lists required options first; move `{name}` up"
                ),
            ),
            _ => {}
        }
        let description = match &attr.description {
            Some(lit) => {
                if let Some(error) = discord::description_error(&lit.value()) {
                    errors.at(lit, error);
                }
                lit.value()
            }
            None => "-".to_owned(),
        };
        check_option_attr(&attr, errors);
        params.push(Param {
            ty,
            role: Role::Option(Box::new(CommandOption {
                name,
                description,
                attr,
            })),
        });
    }
    if menu.is_some() && targets == 0 {
        let what = if menu == Some(Menu::User) {
            "user: User"
        } else {
            "message: Message"
        };
        errors.push(syn::Error::new(
            sig.paren_token.span.join(),
            format!(
                "a context menu command takes its target: add a parameter such as `{what}` (after \
                 `ctx: Context`, if any)"
            ),
        ));
        valid = false;
    }
    valid.then_some(params)
}

/// Checks the numbers of `#[option(..)]` against each other and its localizations.
fn check_option_attr(attr: &OptionAttr, errors: &mut Errors) {
    if let (Some((_, min)), Some((_, max))) = (&attr.min, &attr.max)
        && min.value > max.value
    {
        errors.at(
            &max.tokens,
            format!("`max` ({}) is below `min` ({})", max.value, min.value),
        );
    }
    if let (Some((_, _, min)), Some((_, lit, max))) = (&attr.min_length, &attr.max_length)
        && min > max
    {
        errors.at(
            lit,
            format!("`max_length` ({max}) is below `min_length` ({min})"),
        );
    }
    check_localizations(&attr.localizations, None, "option", errors);
}

fn generate(item: &ItemFn, options: &CommandOptions, command: &Command) -> TokenStream {
    let krate: Path = options
        .krate
        .clone()
        .unwrap_or_else(|| parse_quote!(::herald));
    let private = quote!(#krate::__private);
    let cmd = quote!(#krate::command);
    let tm = quote!(#private::twilight_model);
    let ItemFn {
        attrs,
        vis,
        sig,
        body,
    } = item;
    let ident = &sig.ident;
    let (docs, other_attrs): (Vec<&Attribute>, Vec<&Attribute>) =
        attrs.iter().partition(|a| a.path().is_ident("doc"));
    let name = &command.name;

    let constructor = match &command.kind {
        Kind::Slash { description } | Kind::Parent { description } => {
            quote!(#cmd::AppCommand::slash(#name, #description))
        }
        Kind::Menu(Menu::User) => quote!(#cmd::AppCommand::user(#name)),
        Kind::Menu(Menu::Message) => quote!(#cmd::AppCommand::message(#name)),
    };

    // The builder calls, in the order the attribute's documentation lists them.
    let mut calls = Vec::new();
    for param in &command.params {
        if let Role::Option(option) = &param.role {
            calls.push(option_spec(&cmd, &tm, &param.ty, option));
        }
    }
    if let Some(subcommands) = &options.subcommands {
        for path in &subcommands.items {
            calls.push(quote!(.subcommand(#path)));
        }
    }
    let permissions = |idents: &[Ident]| {
        if idents.is_empty() {
            return quote!(#tm::guild::Permissions::empty());
        }
        let each = idents.iter().map(|i| quote!(#tm::guild::Permissions::#i));
        quote!(#(#each)|*)
    };
    if let Some(listed) = &options.default_member_permissions {
        let permissions = permissions(&listed.items);
        calls.push(quote!(.default_member_permissions(#permissions)));
    }
    if let Some(listed) = &options.contexts {
        let each = listed
            .items
            .iter()
            .map(|v| quote!(#tm::application::interaction::InteractionContextType::#v));
        calls.push(quote!(.contexts([#(#each),*])));
    }
    if options.nsfw.is_some() {
        calls.push(quote!(.nsfw()));
    }
    for localization in &options.localizations {
        calls.push(localize(localization));
    }
    if options.guild_only.is_some() {
        calls.push(quote!(.guild_only()));
    }
    if options.owner_only.is_some() {
        calls.push(quote!(.owner_only()));
    }
    if let Some(listed) = &options.required_permissions {
        let permissions = permissions(&listed.items);
        calls.push(quote!(.required_permissions(#permissions)));
    }
    if let Some(listed) = &options.bot_permissions {
        let permissions = permissions(&listed.items);
        calls.push(quote!(.bot_permissions(#permissions)));
    }
    for check in &options.checks {
        let check_name = check.to_token_stream().to_string().replace(' ', "");
        calls.push(quote!(.check(#check_name, #check)));
    }
    if let Some((_, cooldown)) = &options.cooldown {
        let bucket = &cooldown.bucket;
        let uses = Literal::u32_unsuffixed(cooldown.uses);
        let seconds = Literal::u64_unsuffixed(cooldown.seconds);
        calls.push(quote! {
            .cooldown(#cmd::Bucket::#bucket, #uses, ::core::time::Duration::from_secs(#seconds))
        });
    }

    let registration_doc = format!(
        "\n\nA herald command (generated by `#[command]`): `{ident}()` returns its `AppCommand`; \
         `Bot::builder().command({ident})` registers it."
    );

    if matches!(command.kind, Kind::Parent { .. }) {
        // Discord never runs a command that has subcommands: the function is not kept.
        return quote! {
            #(#docs)*
            #[doc = #registration_doc]
            #[must_use = "an AppCommand does nothing until it is registered"]
            #(#other_attrs)*
            #vis fn #ident() -> #cmd::AppCommand {
                #constructor #(#calls)*
            }
        };
    }

    let handler = handler(&private, sig, command);
    // What `Data<T>` parameters need of the bot: `build()` says when it was not given.
    let requires = command
        .params
        .iter()
        .filter(|p| matches!(p.role, Role::Extract))
        .map(|p| {
            let ty = &p.ty;
            quote!(.require(<#ty as #private::FromContext>::requirement()))
        });
    let checks = checks(&private, &cmd, command);
    let sig = strip_option_attrs(sig);
    quote! {
        #(#docs)*
        #[doc = #registration_doc]
        #[must_use = "an AppCommand does nothing until it is registered"]
        #vis fn #ident() -> #cmd::AppCommand {
            // A command's options are its parameters: Discord allows 25.
            #[allow(clippy::too_many_arguments)]
            #(#other_attrs)*
            #sig #body

            #checks

            #constructor #(#calls)* #(#requires)* #handler
        }
    }
}

/// `.option(OptionSpec::new::<T>("name", "description").min_value(..)..)`.
fn option_spec(
    cmd: &TokenStream,
    tm: &TokenStream,
    ty: &Type,
    option: &CommandOption,
) -> TokenStream {
    let CommandOption {
        name,
        description,
        attr,
    } = option;
    let mut calls = Vec::new();
    let number = |value: f64| {
        let literal = Literal::f64_suffixed(value.abs());
        if value < 0.0 {
            quote!(-#literal)
        } else {
            quote!(#literal)
        }
    };
    if let Some((_, min)) = &attr.min {
        let value = number(min.value);
        calls.push(quote!(.min_value(#value)));
    }
    if let Some((_, max)) = &attr.max {
        let value = number(max.value);
        calls.push(quote!(.max_value(#value)));
    }
    if let Some((_, _, n)) = &attr.min_length {
        let n = Literal::u16_unsuffixed(*n);
        calls.push(quote!(.min_length(#n)));
    }
    if let Some((_, _, n)) = &attr.max_length {
        let n = Literal::u16_unsuffixed(*n);
        calls.push(quote!(.max_length(#n)));
    }
    if let Some(listed) = &attr.channel_types {
        let each = listed
            .items
            .iter()
            .map(|v| quote!(#tm::channel::ChannelType::#v));
        calls.push(quote!(.channel_types([#(#each),*])));
    }
    if let Some((_, path)) = &attr.autocomplete {
        calls.push(quote!(.autocomplete(#path)));
    }
    for localization in &attr.localizations {
        calls.push(localize(localization));
    }
    quote! {
        .option(#cmd::OptionSpec::new::<#ty>(#name, #description) #(#calls)*)
    }
}

/// `.localize("fr", Some("name"), None)`.
fn localize(localization: &Localization) -> TokenStream {
    let some = |lit: &Option<LitStr>| match lit {
        Some(lit) => quote!(::core::option::Option::Some(#lit)),
        None => quote!(::core::option::Option::None),
    };
    let locale = &localization.locale;
    let name = some(&localization.name);
    let description = some(&localization.description);
    quote!(.localize(#locale, #name, #description))
}

/// `.handler(|ctx, inv| async move { let a = inv.get::<T>("a")?; .. f(ctx, a).await })`.
fn handler(private: &TokenStream, sig: &Signature, command: &Command) -> TokenStream {
    let ident = &sig.ident;
    let context = format_ident!("__herald_ctx");
    let invocation = format_ident!("__herald_invocation");
    let mut reads = Vec::new();
    let mut arguments = Vec::new();
    let (mut uses_context, mut uses_invocation) = (false, false);
    for (index, param) in command.params.iter().enumerate() {
        let ty = &param.ty;
        match &param.role {
            Role::Context => {
                uses_context = true;
                arguments.push(quote!(#context));
            }
            Role::Command => {
                uses_invocation = true;
                arguments.push(quote!(#invocation.command()));
            }
            Role::Option(option) => {
                uses_invocation = true;
                let variable = format_ident!("__herald_option_{index}");
                let name = &option.name;
                reads.push(quote!(let #variable = #invocation.get::<#ty>(#name)?;));
                arguments.push(quote!(#variable));
            }
            Role::Extract => {
                uses_context = true;
                let variable = format_ident!("__herald_data_{index}");
                let read = quote_spanned!(ty.span()=> <#ty as #private::FromContext>::from_context);
                reads.push(quote!(let #variable = #read(&#context)?;));
                arguments.push(quote!(#variable));
            }
            Role::Target => {
                uses_invocation = true;
                let variable = format_ident!("__herald_target");
                // A user menu's target is a user, a message menu's a message: the bound of
                // `user_target`/`message_target` says so, spanned on the type.
                let read = match command.kind {
                    Kind::Menu(Menu::Message) => quote!(message_target),
                    _ => quote!(user_target),
                };
                let read = quote_spanned!(ty.span()=> #private::command::#read::<#ty>);
                reads.push(quote!(let #variable = #read(&#invocation)?;));
                arguments.push(quote!(#variable));
            }
        }
    }
    let context_pattern = if uses_context {
        quote!(#context)
    } else {
        quote!(_)
    };
    let invocation_pattern = if uses_invocation {
        quote!(#invocation)
    } else {
        quote!(_)
    };
    // Spanned on the return type: a type that is no `ListenerOutput` is reported there.
    let output_span = match &sig.output {
        syn::ReturnType::Type(_, output) => output.span(),
        syn::ReturnType::Default => Span::call_site(),
    };
    let output = Ident::new("__herald_output", output_span);
    let into_result = quote_spanned!(output_span=> #private::ListenerOutput::into_result(#output));
    // Spanned on the function's name: a future that is not `Send` is reported there (with the
    // value held across an `.await`), once.
    let future = quote_spanned! {ident.span()=>
        async move {
            #(#reads)*
            let #output = #ident(#(#arguments),*).await;
            #into_result
        }
    };
    let closure = quote_spanned! {ident.span()=>
        |#context_pattern, #invocation_pattern| #future
    };
    quote_spanned!(ident.span()=> .handler(#closure))
}

/// Compile-time checks spanned on the user's tokens: that each option's settings suit its type. (Option and target types, and the return type, are checked where the
/// handler uses them, spanned on the types: `OptionSpec::new::<T>`, `Invocation::get::<T>`,
/// `Invocation::target::<T>` and `ListenerOutput::into_result`.)
fn checks(private: &TokenStream, cmd: &TokenStream, command: &Command) -> TokenStream {
    let mut consts = Vec::new();
    let tm = quote!(#private::twilight_model);
    let kind = quote!(#tm::application::command::CommandOptionType);
    for param in &command.params {
        let Role::Option(option) = &param.role else {
            continue;
        };
        let ty = &param.ty;
        let kind_of = quote!(<#ty as #cmd::FromOption>::KIND);
        let mut suits = |key: &Ident, pattern: TokenStream, message: String| {
            consts.push(quote_spanned! {key.span()=>
                const _: () = ::core::assert!(::core::matches!(#kind_of, #pattern), #message);
            });
        };
        let attr = &option.attr;
        let name = &option.name;
        for (key, _) in attr.min.iter().chain(&attr.max) {
            suits(
                key,
                quote!(#kind::Integer | #kind::Number),
                format!("`{key}` is for integer and number options; `{name}` is neither"),
            );
        }
        for (key, number) in attr.min.iter().chain(&attr.max) {
            if number.float {
                suits(
                    key,
                    quote!(#kind::Number),
                    format!(
                        "`{key}` of the integer option `{name}` is a whole number (or make it an \
                         `f64`)"
                    ),
                );
            }
        }
        for (key, _, _) in attr.min_length.iter().chain(&attr.max_length) {
            suits(
                key,
                quote!(#kind::String),
                format!("`{key}` is for string options; `{name}` is not one"),
            );
        }
        if let Some(listed) = &attr.channel_types {
            suits(
                &listed.key,
                quote!(#kind::Channel),
                format!("`channel_types` is for channel options; `{name}` is not one"),
            );
        }
        if let Some((key, _)) = &attr.autocomplete {
            suits(
                key,
                quote!(#kind::String | #kind::Integer | #kind::Number),
                format!(
                    "`autocomplete` is for string, integer and number options; `{name}` is none \
                     of them"
                ),
            );
        }
    }
    quote!(#(#consts)*)
}
