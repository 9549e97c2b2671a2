//! What `#[command]` and `#[derive(Choice)]` generate, checked on the definitions Discord would
//! get (`AppCommand::definition`): no bot, no network. Running the commands is
//! `tests/commands.rs`'s part.

use std::collections::HashMap;
use std::sync::Arc;

use herald::command::{AppCommand, FromOption};
use herald::model::application::command::{
    Command, CommandOption, CommandOptionChoice, CommandOptionChoiceValue, CommandOptionType,
    CommandOptionValue, CommandType,
};
use herald::model::application::interaction::{InteractionChannel, InteractionContextType};
use herald::model::channel::{Attachment, ChannelType, Message};
use herald::model::guild::{Permissions, Role};
use herald::model::id::marker::UserMarker;
use herald::model::user::User;
use herald::prelude::*;

/// Warns a member.
///
/// This second paragraph is documentation only.
#[command(
    guild_only,
    required_permissions(MODERATE_MEMBERS),
    bot_permissions(MODERATE_MEMBERS, SEND_MESSAGES),
    cooldown(user, 10s),
    default_member_permissions(MODERATE_MEMBERS, KICK_MEMBERS),
    contexts(guild),
    localize("fr", name = "avertir", description = "Avertit un membre"),
    localize("de", description = "Verwarnt ein Mitglied")
)]
async fn warn(
    ctx: Context,
    command: &ApplicationCommand,
    #[option(
        description = "Who",
        localize("fr", name = "membre", description = "Qui")
    )]
    member: User,
    #[option(description = "Why", min_length = 3, max_length = 200)] reason: Option<String>,
) -> herald::Result {
    ctx.reply(command, &format!("warned {}: {reason:?}", member.name))
        .await?;
    Ok(())
}

async fn is_staff(_ctx: Context, _command: Arc<ApplicationCommand>) -> bool {
    true
}

async fn fallible_check(
    _ctx: Context,
    _command: Arc<ApplicationCommand>,
) -> Result<bool, herald::Error> {
    Ok(true)
}

async fn complete_fruit(_ctx: Context, _event: Arc<Autocomplete>) -> Vec<String> {
    vec!["apple".to_owned(), "banana".to_owned()]
}

/// Every option kind,
/// with a description on two lines.
#[command(
    name = "kinds",
    nsfw,
    owner_only,
    check = is_staff,
    check = fallible_check,
    cooldown(member, 3 per 1m),
    contexts(guild, bot_dm, private_channel)
)]
async fn every_kind(
    #[option(description = "A text", autocomplete = complete_fruit)] text: String,
    #[option(min = -5, max = 10)] int: i64,
    #[option(min = 0.5, max = 2.5)] number: f64,
    flag: bool,
    user: User,
    role: Role,
    #[option(channel_types(text, announcement, forum))] channel: InteractionChannel,
    anyone: Mentionable,
    file: Attachment,
    #[option(name = "user-id")] _user_id: Id<UserMarker>,
    color: Color,
    maybe_color: Option<Color>,
    r#type: Option<u32>,
) {
    let _ = (
        text,
        int,
        number,
        flag,
        user,
        role,
        channel,
        anyone,
        file,
        color,
        maybe_color,
        r#type,
    );
}

/// A color.
#[derive(Choice, Debug, PartialEq)]
enum Color {
    Red,
    #[choice(name = "Dark blue")]
    DarkBlue,
    #[choice(name = "Green!", value = "g")]
    Green,
}

/// Manages tags.
#[command(
    subcommands(tag_add, tag_list, tag_alias),
    default_member_permissions()
)]
async fn tag() {}

/// Adds a tag.
#[command(name = "add")]
async fn tag_add(
    ctx: Context,
    #[option(description = "The tag's name")] name: String,
    #[option(description = "What it says")] content: String,
) -> Result<(), herald::BoxError> {
    let _ = (ctx, name, content);
    Ok(())
}

/// Lists the tags.
#[command(name = "list")]
async fn tag_list(command: &ApplicationCommand) {
    let _ = command;
}

/// Manages aliases.
#[command(name = "alias", subcommands(alias_set))]
async fn tag_alias() {}

/// Sets an alias.
#[command(name = "set")]
async fn alias_set(#[option(description = "The alias")] alias: String) {
    let _ = alias;
}

#[command(user, name = "Show avatar", localize("fr", name = "Voir l'avatar"))]
async fn avatar(ctx: Context, command: &ApplicationCommand, user: User) -> herald::Result {
    ctx.reply(command, &user.name).await?;
    Ok(())
}

#[command(message)]
async fn quote(message: Message) {
    let _ = message;
}

/// Takes no parameter at all.
#[command(description = "Pong", crate = "::herald")]
async fn ping() {}

fn option<'a>(command: &'a Command, name: &str) -> &'a CommandOption {
    command
        .options
        .iter()
        .find(|o| o.name == name)
        .unwrap_or_else(|| panic!("no option `{name}` in {:?}", command.options))
}

fn map(pairs: &[(&str, &str)]) -> Option<HashMap<String, String>> {
    Some(
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    )
}

#[test]
fn a_slash_command_from_a_function() {
    let command = warn();
    assert_eq!(command.name(), "warn");
    let definition = command.definition();
    assert_eq!(definition.kind, CommandType::ChatInput);
    assert_eq!(definition.description, "Warns a member.");
    assert_eq!(
        definition.default_member_permissions,
        Some(Permissions::MODERATE_MEMBERS | Permissions::KICK_MEMBERS)
    );
    assert_eq!(
        definition.contexts,
        Some(vec![InteractionContextType::Guild])
    );
    assert_eq!(definition.nsfw, None);
    assert_eq!(definition.name_localizations, map(&[("fr", "avertir")]));
    assert_eq!(
        definition.description_localizations,
        map(&[("fr", "Avertit un membre"), ("de", "Verwarnt ein Mitglied")])
    );

    // The context and the command are not options; the others are, in order.
    let names: Vec<&str> = definition.options.iter().map(|o| &*o.name).collect();
    assert_eq!(names, ["member", "reason"]);
    let member = option(&definition, "member");
    assert_eq!(member.kind, CommandOptionType::User);
    assert_eq!(member.description, "Who");
    assert_eq!(member.required, Some(true));
    assert_eq!(member.name_localizations, map(&[("fr", "membre")]));
    assert_eq!(member.description_localizations, map(&[("fr", "Qui")]));
    let reason = option(&definition, "reason");
    assert_eq!(reason.kind, CommandOptionType::String);
    assert_eq!(reason.required, Some(false));
    assert_eq!((reason.min_length, reason.max_length), (Some(3), Some(200)));
}

#[test]
fn option_kinds_bounds_channel_types_and_choices() {
    let definition = every_kind().definition();
    assert_eq!(definition.name, "kinds");
    assert_eq!(
        definition.description,
        "Every option kind, with a description on two lines."
    );
    assert_eq!(definition.nsfw, Some(true));
    assert_eq!(
        definition.contexts,
        Some(vec![
            InteractionContextType::Guild,
            InteractionContextType::BotDm,
            InteractionContextType::PrivateChannel
        ])
    );

    let kinds: Vec<(&str, CommandOptionType, Option<bool>)> = definition
        .options
        .iter()
        .map(|o| (&*o.name, o.kind, o.required))
        .collect();
    use CommandOptionType as K;
    assert_eq!(
        kinds,
        [
            ("text", K::String, Some(true)),
            ("int", K::Integer, Some(true)),
            ("number", K::Number, Some(true)),
            ("flag", K::Boolean, Some(true)),
            ("user", K::User, Some(true)),
            ("role", K::Role, Some(true)),
            ("channel", K::Channel, Some(true)),
            ("anyone", K::Mentionable, Some(true)),
            ("file", K::Attachment, Some(true)),
            ("user-id", K::User, Some(true)),
            ("color", K::String, Some(true)),
            ("maybe_color", K::String, Some(false)),
            ("type", K::Integer, Some(false)),
        ]
    );
    // Options without a description get Discord's required one: "-".
    assert_eq!(option(&definition, "int").description, "-");

    let text = option(&definition, "text");
    assert_eq!(text.autocomplete, Some(true));
    let int = option(&definition, "int");
    assert_eq!(int.min_value, Some(CommandOptionValue::Integer(-5)));
    assert_eq!(int.max_value, Some(CommandOptionValue::Integer(10)));
    let number = option(&definition, "number");
    assert_eq!(number.min_value, Some(CommandOptionValue::Number(0.5)));
    assert_eq!(number.max_value, Some(CommandOptionValue::Number(2.5)));
    assert_eq!(
        option(&definition, "channel").channel_types,
        Some(vec![
            ChannelType::GuildText,
            ChannelType::GuildAnnouncement,
            ChannelType::GuildForum
        ])
    );

    let choice = |name: &str, value: &str| CommandOptionChoice {
        name: name.to_owned(),
        name_localizations: None,
        value: CommandOptionChoiceValue::String(value.to_owned()),
    };
    let colors = Some(vec![
        choice("Red", "red"),
        choice("Dark blue", "dark_blue"),
        choice("Green!", "g"),
    ]);
    assert_eq!(option(&definition, "color").choices, colors);
    assert_eq!(option(&definition, "maybe_color").choices, colors);
}

#[test]
fn choices_parse_their_values_back() {
    use herald::model::application::interaction::application_command::CommandOptionValue as Value;
    let parse = |value: &str| Color::from_option(Some(&Value::String(value.to_owned())), None);
    assert_eq!(parse("red"), Ok(Color::Red));
    assert_eq!(parse("dark_blue"), Ok(Color::DarkBlue));
    assert_eq!(parse("g"), Ok(Color::Green));
    let unknown = parse("purple").unwrap_err();
    assert!(
        unknown.contains("`purple`") && unknown.contains("`red`, `dark_blue`, `g`"),
        "{unknown}"
    );
    assert!(Color::from_option(Some(&Value::Integer(1)), None).is_err());
    assert!(Color::from_option(None, None).is_err());
    assert_eq!(<Option<Color>>::from_option(None, None), Ok(None));
    assert_eq!(Color::KIND, CommandOptionType::String);
}

#[test]
fn subcommands_and_groups_nest() {
    let definition = tag().definition();
    assert_eq!(definition.description, "Manages tags.");
    assert_eq!(
        definition.default_member_permissions,
        Some(Permissions::empty())
    );
    let children: Vec<(&str, CommandOptionType)> = definition
        .options
        .iter()
        .map(|o| (&*o.name, o.kind))
        .collect();
    assert_eq!(
        children,
        [
            ("add", CommandOptionType::SubCommand),
            ("list", CommandOptionType::SubCommand),
            ("alias", CommandOptionType::SubCommandGroup),
        ]
    );
    let add = option(&definition, "add");
    assert_eq!(add.description, "Adds a tag.");
    let add_options: Vec<&str> = add.options.iter().flatten().map(|o| &*o.name).collect();
    assert_eq!(add_options, ["name", "content"]);
    assert_eq!(option(&definition, "list").options, Some(Vec::new()));
    let alias = option(&definition, "alias");
    let set = &alias.options.as_ref().unwrap()[0];
    assert_eq!(
        (&*set.name, set.kind, &*set.description),
        ("set", CommandOptionType::SubCommand, "Sets an alias.")
    );
    assert_eq!(set.options.as_ref().unwrap()[0].name, "alias");
}

#[test]
fn context_menus() {
    let avatar = avatar().definition();
    assert_eq!(avatar.kind, CommandType::User);
    assert_eq!(avatar.name, "Show avatar");
    assert_eq!(avatar.description, "");
    assert!(avatar.options.is_empty());
    assert_eq!(avatar.name_localizations, map(&[("fr", "Voir l'avatar")]));

    let quote = quote().definition();
    assert_eq!(quote.kind, CommandType::Message);
    assert_eq!(quote.name, "quote");
}

#[test]
fn description_option_and_crate_path() {
    let definition = ping().definition();
    assert_eq!(definition.description, "Pong");
    assert!(definition.options.is_empty());
}

#[test]
fn the_builder_takes_them() {
    let commands: [fn() -> AppCommand; 6] = [warn, every_kind, tag, avatar, quote, ping];
    let mut builder = Bot::builder();
    for command in commands {
        builder = builder.command(command);
    }
    builder.build().expect("valid commands build");
}
