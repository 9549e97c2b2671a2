//! Slash commands played as Discord plays them, against a real twilight
//! shard and twilight-http client: subcommand paths, attachment and
//! mentionable options, autocomplete, context menus, and Discord's clock
//! (3 s to answer, 15 minutes of token, no followup before the answer).

mod common;

use std::time::Duration;

use common::{all_intents, api_code, http, ready, shard, until};
use herald_sandbox::{OptionValue, Sandbox, SentInteraction};
use twilight_gateway::{Event, Shard, queue::InMemoryQueue};
use twilight_model::{
    application::{
        command::{
            CommandOption, CommandOptionChoice, CommandOptionChoiceValue, CommandOptionType,
        },
        interaction::{
            Interaction, InteractionData, InteractionType,
            application_command::{CommandData, CommandDataOption, CommandOptionValue},
        },
    },
    channel::message::MessageFlags,
    http::interaction::{InteractionResponse, InteractionResponseData, InteractionResponseType},
    id::{Id, marker::GenericMarker},
};

/// A command option (twilight's `CommandOption` has no `Default`).
fn option(
    kind: CommandOptionType,
    name: &str,
    options: Option<Vec<CommandOption>>,
) -> CommandOption {
    CommandOption {
        autocomplete: None,
        channel_types: None,
        choices: None,
        description: format!("the {name}"),
        description_localizations: None,
        kind,
        max_length: None,
        max_value: None,
        min_length: None,
        min_value: None,
        name: name.to_owned(),
        name_localizations: None,
        options,
        file_types: None,
        required: None,
    }
}

/// `/tag` with `add name:<string>`, `show name:<string, autocomplete>
/// limit:<integer, autocomplete>`, and the group `admin` with `reset`.
fn tag_options() -> Vec<CommandOption> {
    let autocompleted = |kind, name| CommandOption {
        autocomplete: Some(true),
        ..option(kind, name, None)
    };
    vec![
        option(
            CommandOptionType::SubCommand,
            "add",
            Some(vec![option(CommandOptionType::String, "name", None)]),
        ),
        option(
            CommandOptionType::SubCommand,
            "show",
            Some(vec![
                autocompleted(CommandOptionType::String, "name"),
                autocompleted(CommandOptionType::Integer, "limit"),
            ]),
        ),
        option(
            CommandOptionType::SubCommandGroup,
            "admin",
            Some(vec![option(
                CommandOptionType::SubCommand,
                "reset",
                Some(Vec::new()),
            )]),
        ),
    ]
}

/// The next INTERACTION_CREATE.
async fn next_interaction(shard: &mut Shard<InMemoryQueue>) -> Interaction {
    until(shard, "INTERACTION_CREATE", |e| match e {
        Event::InteractionCreate(i) => Some(i.0),
        _ => None,
    })
    .await
}

fn command_data(interaction: &Interaction) -> &CommandData {
    match &interaction.data {
        Some(InteractionData::ApplicationCommand(data)) => data,
        other => panic!("not a command: {other:?}"),
    }
}

fn sub_options<'a>(option: &'a CommandDataOption, name: &str) -> &'a [CommandDataOption] {
    assert_eq!(option.name, name);
    match &option.value {
        CommandOptionValue::SubCommand(inner) | CommandOptionValue::SubCommandGroup(inner) => inner,
        other => panic!("{name} is not a subcommand or group: {other:?}"),
    }
}

fn message_response(content: &str) -> InteractionResponse {
    InteractionResponse {
        kind: InteractionResponseType::ChannelMessageWithSource,
        data: Some(InteractionResponseData {
            content: Some(content.to_owned()),
            flags: Some(MessageFlags::empty()),
            ..Default::default()
        }),
    }
}

fn deferral() -> InteractionResponse {
    InteractionResponse {
        kind: InteractionResponseType::DeferredChannelMessageWithSource,
        data: None,
    }
}

/// A started sandbox with a connected shard and a REST client.
async fn setup() -> (Sandbox, Shard<InMemoryQueue>, twilight_http::Client) {
    let sb = Sandbox::start().await.unwrap();
    let mut shard = shard(&sb, all_intents());
    ready(&mut shard).await;
    let http = http(&sb);
    (sb, shard, http)
}

fn has_line(sb: &Sandbox, line: &str) -> bool {
    sb.transcript().iter().any(|l| l == line)
}

#[tokio::test]
async fn subcommand_paths_arrive_nested_under_the_registered_command() {
    let (sb, mut shard, http) = setup().await;
    let general = sb.channel("general");
    let client = http.interaction(sb.application_id());
    let options = tag_options();
    let tag = client
        .create_global_command()
        .chat_input("tag", "Tags")
        .command_options(&options)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();

    sb.actor("alice")
        .slash_command(general, "tag add", &[("name", "faq".into())]);
    let added = next_interaction(&mut shard).await;
    let data = command_data(&added);
    assert_eq!((data.name.as_str(), Some(data.id)), ("tag", tag.id));
    let [add] = data.options.as_slice() else {
        panic!("one subcommand option: {:?}", data.options)
    };
    assert!(matches!(add.value, CommandOptionValue::SubCommand(_)));
    let inner = sub_options(add, "add");
    assert_eq!(inner.len(), 1);
    assert_eq!(inner[0].name, "name");
    assert_eq!(inner[0].value, CommandOptionValue::String("faq".into()));

    sb.actor("bob")
        .slash_command(general, "/tag admin reset", &[]);
    let reset = next_interaction(&mut shard).await;
    let data = command_data(&reset);
    assert_eq!(Some(data.id), tag.id);
    let [admin] = data.options.as_slice() else {
        panic!("one group option: {:?}", data.options)
    };
    assert!(matches!(
        admin.value,
        CommandOptionValue::SubCommandGroup(_)
    ));
    let [reset_option] = sub_options(admin, "admin") else {
        panic!("one subcommand in the group")
    };
    assert!(matches!(
        reset_option.value,
        CommandOptionValue::SubCommand(_)
    ));
    assert!(sub_options(reset_option, "reset").is_empty());

    assert!(
        has_line(&sb, "alice used /tag add name:faq"),
        "{:#?}",
        sb.transcript()
    );
    assert!(
        has_line(&sb, "bob used /tag admin reset"),
        "{:#?}",
        sb.transcript()
    );
}

#[tokio::test]
async fn attachment_and_mentionable_options_are_resolved() {
    let (sb, mut shard, _http) = setup().await;
    let general = sb.channel("general");
    let bob = sb.user("bob");
    let member_role = sb.role("Member");
    let bob_mention: Id<GenericMarker> = bob.cast();
    sb.actor("alice").slash_command(
        general,
        "report",
        &[
            ("proof", OptionValue::Attachment("Screen Shot.PNG".into())),
            ("who", bob_mention.into()),
            ("team", OptionValue::Mentionable(member_role.cast())),
        ],
    );
    let interaction = next_interaction(&mut shard).await;
    let data = command_data(&interaction);
    let resolved = data.resolved.as_ref().expect("resolved data");

    let CommandOptionValue::Attachment(file) = data.options[0].value else {
        panic!("an attachment option: {:?}", data.options[0])
    };
    let attachment = &resolved.attachments[&file];
    assert_eq!(attachment.id, file);
    assert_eq!(attachment.filename, "Screen Shot.PNG");
    assert_eq!(attachment.content_type.as_deref(), Some("image/png"));
    assert!(attachment.size > 0);
    let base = format!("http://{}/", sb.http_proxy());
    assert!(attachment.url.starts_with(&base), "{}", attachment.url);
    assert!(
        attachment.proxy_url.starts_with(&base),
        "{}",
        attachment.proxy_url
    );
    assert!(
        attachment.url.contains(&file.to_string()),
        "{}",
        attachment.url
    );

    assert_eq!(
        data.options[1].value,
        CommandOptionValue::Mentionable(bob_mention)
    );
    assert_eq!(resolved.users[&bob].name, "bob");
    assert!(resolved.members.contains_key(&bob), "a member in a guild");
    assert_eq!(
        data.options[2].value,
        CommandOptionValue::Mentionable(member_role.cast())
    );
    assert_eq!(resolved.roles[&member_role].name, "Member");
    assert_eq!(
        resolved.users.len(),
        1,
        "the role is not resolved as a user"
    );

    assert!(
        has_line(
            &sb,
            "alice used /report proof:Screen Shot.PNG who:bob team:Member"
        ),
        "{:#?}",
        sb.transcript()
    );
}

#[tokio::test]
async fn autocomplete_round_trip() {
    let (sb, mut shard, http) = setup().await;
    let general = sb.channel("general");
    let client = http.interaction(sb.application_id());
    let options = tag_options();
    client
        .create_global_command()
        .chat_input("tag", "Tags")
        .command_options(&options)
        .await
        .unwrap();

    let typing = sb.actor("alice").autocomplete(
        general,
        "tag show",
        &[("limit", 3_i64.into())],
        ("name", "fa"),
    );
    let interaction = next_interaction(&mut shard).await;
    assert_eq!(interaction.id, typing.id);
    assert_eq!(
        interaction.kind,
        InteractionType::ApplicationCommandAutocomplete
    );
    let data = command_data(&interaction);
    let inner = sub_options(&data.options[0], "show");
    assert_eq!(inner[0].value, CommandOptionValue::Integer(3));
    assert_eq!(inner[1].name, "name");
    assert_eq!(
        inner[1].value,
        CommandOptionValue::Focused("fa".into(), CommandOptionType::String)
    );
    assert_eq!(sb.interaction_response(&typing), None, "not answered yet");

    // The bot answers with choices (callback type 8).
    let choice = |name: &str| CommandOptionChoice {
        name: name.to_owned(),
        name_localizations: None,
        value: CommandOptionChoiceValue::String(name.to_owned()),
    };
    let answer = InteractionResponse {
        kind: InteractionResponseType::ApplicationCommandAutocompleteResult,
        data: Some(InteractionResponseData {
            choices: Some(vec![choice("faq"), choice("fame")]),
            ..Default::default()
        }),
    };
    client
        .create_response(interaction.id, &interaction.token, &answer)
        .await
        .unwrap();
    let body = sb.interaction_response(&typing).expect("the answer");
    assert_eq!(body["type"], 8);
    let names: Vec<&str> = body["data"]["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["faq", "fame"]);
    let lines = sb.transcript();
    let typed = lines
        .iter()
        .position(|l| l == "alice typed /tag show limit:3 name:fa (autocomplete)")
        .unwrap_or_else(|| panic!("{lines:#?}"));
    assert_eq!(lines[typed + 1], "herald-bot suggested: faq, fame");

    // The focused option's type comes from the registered definition.
    sb.actor("alice")
        .autocomplete(general, "tag show", &[], ("limit", "1"));
    let interaction = next_interaction(&mut shard).await;
    let inner = sub_options(&command_data(&interaction).options[0], "show");
    assert_eq!(
        inner[0].value,
        CommandOptionValue::Focused("1".into(), CommandOptionType::Integer)
    );
}

#[tokio::test]
async fn context_menus_carry_their_target() {
    let (sb, mut shard, http) = setup().await;
    let general = sb.channel("general");
    let bob = sb.user("bob");
    let client = http.interaction(sb.application_id());
    let warn = client
        .create_global_command()
        .user("Warn user")
        .await
        .unwrap()
        .model()
        .await
        .unwrap();

    sb.actor("alice").user_command(general, "Warn user", bob);
    let interaction = next_interaction(&mut shard).await;
    assert_eq!(interaction.kind, InteractionType::ApplicationCommand);
    let data = command_data(&interaction);
    assert_eq!(
        data.kind,
        twilight_model::application::command::CommandType::User
    );
    assert_eq!((data.name.as_str(), Some(data.id)), ("Warn user", warn.id));
    assert_eq!(data.target_id, Some(bob.cast()));
    let resolved = data.resolved.as_ref().expect("resolved data");
    assert_eq!(resolved.users[&bob].name, "bob");
    assert!(resolved.members.contains_key(&bob));

    let said = sb.actor("bob").say(general, "an important message");
    sb.actor("alice").message_command(general, "Bookmark", said);
    let interaction = next_interaction(&mut shard).await;
    let data = command_data(&interaction);
    assert_eq!(
        data.kind,
        twilight_model::application::command::CommandType::Message
    );
    assert_eq!(data.name, "Bookmark");
    assert_eq!(data.target_id, Some(said.cast()));
    let message = &data.resolved.as_ref().expect("resolved data").messages[&said];
    assert_eq!(message.content, "an important message");
    assert_eq!(message.author.id, bob);

    assert!(
        has_line(&sb, "alice used app \"Warn user\" on bob"),
        "{:#?}",
        sb.transcript()
    );
    assert!(
        has_line(&sb, "alice used app \"Bookmark\" on a message by bob"),
        "{:#?}",
        sb.transcript()
    );
}

/// Runs `/ping` as alice and returns the interaction the bot received.
async fn ping(sb: &Sandbox, shard: &mut Shard<InMemoryQueue>) -> SentInteraction {
    let sent = sb
        .actor("alice")
        .slash_command(sb.channel("general"), "ping", &[]);
    assert_eq!(next_interaction(shard).await.id, sent.id);
    sent
}

#[tokio::test]
async fn an_answer_after_three_seconds_is_refused() {
    let (sb, mut shard, http) = setup().await;
    let client = http.interaction(sb.application_id());
    let late = ping(&sb, &mut shard).await;
    sb.age_interactions(Duration::from_secs(4));
    let error = client
        .create_response(late.id, &late.token, &message_response("pong"))
        .await
        .unwrap_err();
    assert_eq!(api_code(&error), (404, 10062));
    assert_eq!(sb.interaction_response(&late), None);
    assert!(
        sb.transcript().iter().any(|l| l.starts_with(
            "herald-bot answered alice's /ping too late (4.0 s after it started; Discord allows \
             3 s): refused"
        )),
        "{:#?}",
        sb.transcript()
    );
    // Too late to follow up as well: it was never answered.
    let error = client
        .create_followup(&late.token)
        .content("pong")
        .await
        .unwrap_err();
    assert_eq!(api_code(&error), (404, 10015));

    // An interaction started after the aging is on time.
    let fresh = ping(&sb, &mut shard).await;
    client
        .create_response(fresh.id, &fresh.token, &message_response("pong"))
        .await
        .unwrap();
    assert_eq!(sb.interaction_response(&fresh).unwrap()["type"], 4);
}

#[tokio::test]
async fn a_callback_of_the_wrong_type_is_refused() {
    let (sb, mut shard, http) = setup().await;
    let client = http.interaction(sb.application_id());
    // Choices answer autocompletes only.
    let used = ping(&sb, &mut shard).await;
    let choices = InteractionResponse {
        kind: InteractionResponseType::ApplicationCommandAutocompleteResult,
        data: Some(InteractionResponseData {
            choices: Some(Vec::new()),
            ..Default::default()
        }),
    };
    let error = client
        .create_response(used.id, &used.token, &choices)
        .await
        .unwrap_err();
    assert_eq!(api_code(&error), (400, 50035));
    assert!(has_line(
        &sb,
        "herald-bot answered alice's /ping with a callback of type 8: refused, choices (type 8) \
         answer autocomplete interactions only"
    ));
    // Refused, so not acknowledged: the right answer still goes through.
    client
        .create_response(used.id, &used.token, &message_response("pong"))
        .await
        .unwrap();

    // An autocomplete is answered with choices, not a message.
    let typed = sb
        .actor("alice")
        .autocomplete(sb.channel("general"), "ping", &[], ("what", "x"));
    assert_eq!(next_interaction(&mut shard).await.id, typed.id);
    let error = client
        .create_response(typed.id, &typed.token, &message_response("no"))
        .await
        .unwrap_err();
    assert_eq!(api_code(&error), (400, 50035));
    client
        .create_response(typed.id, &typed.token, &choices)
        .await
        .unwrap();
}

#[tokio::test]
async fn the_token_expires_after_fifteen_minutes() {
    let (sb, mut shard, http) = setup().await;
    let client = http.interaction(sb.application_id());
    let sent = ping(&sb, &mut shard).await;
    client
        .create_response(sent.id, &sent.token, &deferral())
        .await
        .unwrap();
    client
        .create_followup(&sent.token)
        .content("working on it")
        .await
        .unwrap();
    sb.age_interactions(Duration::from_secs(16 * 60));

    let error = client
        .create_followup(&sent.token)
        .content("done")
        .await
        .unwrap_err();
    assert_eq!(api_code(&error), (401, 50027));
    let error = client
        .update_response(&sent.token)
        .content(Some("done"))
        .await
        .unwrap_err();
    assert_eq!(api_code(&error), (401, 50027));
    let error = client.response(&sent.token).await.unwrap_err();
    assert_eq!(api_code(&error), (401, 50027));
    assert!(
        sb.transcript().iter().any(|l| l.starts_with(
            "herald-bot followed up alice's /ping after its token expired (16 min after it \
             started; a token lasts 15 min): refused"
        )),
        "{:#?}",
        sb.transcript()
    );
    // A webhook token's 401 does not invalidate the bot's token.
    http.current_user().await.unwrap();
}

#[tokio::test]
async fn a_followup_before_the_answer_is_refused() {
    let (sb, mut shard, http) = setup().await;
    let client = http.interaction(sb.application_id());
    let sent = ping(&sb, &mut shard).await;
    let error = client
        .create_followup(&sent.token)
        .content("too soon")
        .await
        .unwrap_err();
    assert_eq!(api_code(&error), (404, 10015));
    let error = client
        .update_response(&sent.token)
        .content(Some("too soon"))
        .await
        .unwrap_err();
    assert_eq!(api_code(&error), (404, 10015));
    assert!(
        sb.transcript()
            .iter()
            .any(|l| l.starts_with("herald-bot followed up alice's /ping before answering it")),
        "{:#?}",
        sb.transcript()
    );
    assert!(
        sb.records()
            .messages(sb.channel("general"))
            .iter()
            .all(|m| m.content != "too soon"),
        "nothing was posted"
    );

    // Once answered, the token's webhook works.
    client
        .create_response(sent.id, &sent.token, &message_response("pong"))
        .await
        .unwrap();
    let followup = client
        .create_followup(&sent.token)
        .content("and more")
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(followup.content, "and more");
}

#[tokio::test]
async fn a_scene_plays_command_paths_autocomplete_and_context_menus() {
    let (sb, mut shard, _http) = setup().await;
    let general = sb.channel("general");
    let bob = sb.user("bob");
    let first = sb.actor("bob").say(general, "first");
    sb.actor("carol").say(general, "second");
    let scene = herald_sandbox::scene_from_toml(
        r#"
[[steps]]
command = { user = "alice", channel = "general", name = "tag add", options = { name = "faq" } }
[[steps]]
autocomplete = { user = "alice", channel = "general", name = "tag show", focused = "name", text = "fa" }
[[steps]]
user_command = { user = "alice", channel = "general", name = "Warn user", target = "bob" }
[[steps]]
message_command = { user = "alice", channel = "general", name = "Bookmark", message = -2 }
"#,
    )
    .unwrap();
    scene.check(&herald_sandbox::World::demo()).unwrap();
    let report = scene.run(&sb).await.unwrap();
    assert_eq!(report.steps_run, 4);

    let command = next_interaction(&mut shard).await;
    let inner = sub_options(&command_data(&command).options[0], "add");
    assert_eq!(inner[0].value, CommandOptionValue::String("faq".into()));
    let typing = next_interaction(&mut shard).await;
    assert_eq!(typing.kind, InteractionType::ApplicationCommandAutocomplete);
    let inner = sub_options(&command_data(&typing).options[0], "show");
    assert_eq!(
        inner[0].value,
        CommandOptionValue::Focused("fa".into(), CommandOptionType::String)
    );
    let warn = next_interaction(&mut shard).await;
    assert_eq!(command_data(&warn).target_id, Some(bob.cast()));
    let bookmark = next_interaction(&mut shard).await;
    assert_eq!(command_data(&bookmark).target_id, Some(first.cast()));

    // A message the channel does not have is the step's error, naming its line.
    let scene = herald_sandbox::scene_from_toml(
        "[[steps]]\nmessage_command = { user = \"alice\", channel = \"general\", name = \"B\", \
         message = -99 }\n",
    )
    .unwrap();
    let error = scene.run(&sb).await.unwrap_err().to_string();
    assert!(
        error.starts_with("scene step 1 (line 2): message_command: #general has"),
        "{error}"
    );
}
