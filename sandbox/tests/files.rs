//! World files and scene files against a real twilight-gateway shard and
//! twilight-http client playing the bot.

mod common;

use std::time::Duration;

use common::{all_intents, http, shard};
use herald_sandbox::{Sandbox, SceneError, scene_from_toml, world_from_toml};
use twilight_gateway::{Event, EventTypeFlags, Shard, StreamExt as _, queue::InMemoryQueue};
use twilight_model::gateway::payload::incoming::GuildCreate;

const WORLD: &str = r#"
users = ["mod", "alice", "bob", "dave"]

[[guilds]]
name = "Herald Test"
owner = "mod"
channels = [{ name = "general" }, { name = "Voice", type = "voice" }]
roles = [
    { name = "Member" },
    { name = "Moderator", permissions = ["BAN_MEMBERS", "KICK_MEMBERS"] },
]
members = [
    { user = "mod", roles = ["Member", "Moderator"] },
    { user = "alice", roles = ["Member"] },
    { user = "bob", roles = ["Member"] },
]
emojis = ["party"]

[[guilds]]
name = "Big Guild"
channels = [{ name = "lobby" }]
members = [{ user = "mod" }]
generated_members = 300
"#;

/// What the test bot saw of one guild in its GUILD_CREATE.
#[derive(Debug)]
struct SeenGuild {
    name: String,
    member_count: Option<u64>,
    large: bool,
}

/// A tiny bot: answers `!ping` with `reply` over REST (once more if REST
/// fails), and notes the GUILD_CREATEs. Runs until the shard ends; the
/// tests stop it by dropping it when the scene is done.
async fn bot(
    shard: &mut Shard<InMemoryQueue>,
    http: &twilight_http::Client,
    reply: &str,
    guilds: &mut Vec<SeenGuild>,
) {
    while let Some(event) = shard.next_event(EventTypeFlags::all()).await {
        match event {
            Ok(Event::GuildCreate(g)) => {
                if let GuildCreate::Available(g) = *g {
                    guilds.push(SeenGuild {
                        name: g.name,
                        member_count: g.member_count,
                        large: g.large,
                    });
                }
            }
            Ok(Event::MessageCreate(m)) if m.content == "!ping" => {
                if http
                    .create_message(m.channel_id)
                    .content(reply)
                    .await
                    .is_err()
                {
                    http.create_message(m.channel_id)
                        .content(&format!("{reply} (retried)"))
                        .await
                        .expect("the retry succeeds");
                }
            }
            // Reconnects after faults surface as errors; twilight recovers.
            Ok(_) | Err(_) => {}
        }
    }
}

#[tokio::test]
async fn world_file_and_ping_scene() {
    let world = world_from_toml(WORLD).unwrap();
    let sb = Sandbox::builder().world(world).start().await.unwrap();
    let mut shard = shard(&sb, all_intents());
    let http = http(&sb);
    let scene = scene_from_toml(
        r#"
ready_timeout = "10s"

[[steps]]
say = { user = "alice", channel = "general", text = "!ping" }

[[steps]]
expect = { channel = "general", contains = "pong", within = "5s" }

[[steps]]
react = { user = "bob", channel = "general", emoji = "party" }

[[steps]]
join = { user = "dave", guild = "Herald Test" }
"#,
    )
    .unwrap();

    let mut guilds = Vec::new();
    let report = tokio::select! {
        report = scene.run(&sb) => report.unwrap(),
        () = bot(&mut shard, &http, "pong", &mut guilds) => panic!("the shard ended"),
    };

    assert_eq!(report.steps_run, 4);
    assert_eq!(report.expectations.len(), 1);
    let matched = &report.expectations[0];
    assert_eq!((matched.step, matched.line), (2, 8));
    assert_eq!(matched.contains, "pong");
    assert_eq!(matched.message.content, "pong");
    assert_eq!(matched.message.author_id, sb.bot_user_id());
    assert_eq!(matched.message.channel_id, sb.channel("general"));
    assert!(report.to_string().starts_with("4 steps in "), "{report}");

    // `react` reacted to the last message (the bot's pong) with the
    // world's custom emoji.
    let general = sb.records().messages(sb.channel("general"));
    let last = general.last().unwrap();
    assert_eq!(last.content, "pong");
    assert_eq!(last.reactions[0].0, sb.emoji("party"));
    assert_eq!(last.reactions[0].1, [sb.user("bob")]);
    assert!(
        sb.member_roles(sb.guild("Herald Test"), sb.user("dave"))
            .is_some()
    );

    // The generated members: 300, plus mod and the bot.
    let big = guilds
        .iter()
        .find(|g| g.name == "Big Guild")
        .expect("Big Guild's GUILD_CREATE");
    assert_eq!(big.member_count, Some(302), "{guilds:?}");
    assert!(big.large, "{guilds:?}");
    assert!(
        sb.member_roles(sb.guild("Big Guild"), sb.user("member-300"))
            .is_some()
    );
    let test = guilds.iter().find(|g| g.name == "Herald Test").unwrap();
    assert_eq!(test.member_count, Some(4), "{guilds:?}");
    assert!(!test.large);
}

#[tokio::test]
async fn faults_from_a_scene() {
    let sb = Sandbox::start().await.unwrap();
    let mut shard = shard(&sb, all_intents());
    let http = http(&sb);
    let scene = scene_from_toml(
        r#"
[[steps]]
fault = { shard = 0, kind = "reconnect" }
[[steps]]
rest_fault = { method = "POST", path = "/channels/", status = 500, times = 1 }
[[steps]]
say = { user = "alice", channel = "general", text = "!ping" }
[[steps]]
expect = { channel = "general", contains = "pong", within = "10s" }
"#,
    )
    .unwrap();
    let mut guilds = Vec::new();
    let report = tokio::select! {
        report = scene.run(&sb) => report.unwrap(),
        () = bot(&mut shard, &http, "pong", &mut guilds) => panic!("the shard ended"),
    };
    // The first POST got the 500; the bot's retry is what matched.
    assert_eq!(report.expectations[0].message.content, "pong (retried)");
    let posts: Vec<u16> = sb
        .records()
        .requests()
        .iter()
        .filter(|r| r.is("POST", "/channels/"))
        .map(|r| r.status)
        .collect();
    assert_eq!(posts, [500, 200]);
    // op 7: twilight reconnects and resumes (maybe only now: the frames
    // after op 7 may still have reached it on the old connection).
    let records = sb.records();
    let resumes = tokio::select! {
        resumes = records.wait_for_resumes(1, Duration::from_secs(10)) => resumes.unwrap(),
        () = bot(&mut shard, &http, "pong", &mut guilds) => panic!("the shard ended"),
    };
    assert!(resumes[0].accepted, "{resumes:?}");
    assert_eq!(sb.records().identifies().len(), 1);
}

#[tokio::test]
async fn a_failed_expect_says_what_the_bot_said() {
    let sb = Sandbox::start().await.unwrap();
    let mut shard = shard(&sb, all_intents());
    let http = http(&sb);
    let scene = scene_from_toml(
        r#"
[[steps]]
say = { user = "alice", channel = "general", text = "!ping" }
[[steps]]
expect = { channel = "general", contains = "pong", within = "1s" }
"#,
    )
    .unwrap();
    let mut guilds = Vec::new();
    let error = tokio::select! {
        report = scene.run(&sb) => report.unwrap_err(),
        () = bot(&mut shard, &http, "pang", &mut guilds) => panic!("the shard ended"),
    };
    let SceneError::Expectation { step, line, what } = &error else {
        panic!("{error}");
    };
    assert_eq!((*step, *line), (2, 5));
    assert!(what.contains("containing \"pong\" in #general"), "{what}");
    assert!(what.contains("alice: \"!ping\""), "{what}");
    assert!(what.contains("herald-bot: \"pang\""), "{what}");
}

#[tokio::test]
async fn unknown_names_and_refused_actions_are_step_errors() {
    let sb = Sandbox::start().await.unwrap();
    let mut shard = shard(&sb, all_intents());
    let http = http(&sb);
    let mut guilds = Vec::new();
    for (text, step, line, what) in [
        (
            "[[steps]]\nwait = \"1ms\"\n[[steps]]\nsay = { user = \"zed\", channel = \"general\", text = \"hi\" }\n",
            2,
            4,
            "no user named \"zed\"",
        ),
        (
            "[[steps]]\nsay = { user = \"alice\", channel = \"Voice\", text = \"hi\" }\n",
            1,
            2,
            "voice",
        ),
        (
            "[[steps]]\nleave = { user = \"dave\", guild = \"Herald Test\" }\n",
            1,
            2,
            "not a member",
        ),
        (
            "[[steps]]\nfault = { shard = 3, kind = \"zombie\" }\n",
            1,
            2,
            "shard 3 has no live gateway connection",
        ),
    ] {
        let scene = scene_from_toml(text).unwrap();
        let error = tokio::select! {
            report = scene.run(&sb) => report.unwrap_err(),
            () = bot(&mut shard, &http, "pong", &mut guilds) => panic!("the shard ended"),
        };
        match &error {
            SceneError::Step {
                step: s,
                line: l,
                what: w,
            } => {
                assert_eq!((*s, *l), (step, line), "{error}");
                assert!(w.contains(what), "{error}");
            }
            other => panic!("{other}"),
        }
    }
}

#[tokio::test]
async fn a_scene_waits_for_the_bot() {
    let sb = Sandbox::start().await.unwrap();
    let scene = scene_from_toml("ready_timeout = \"200ms\"\n[[steps]]\nwait = \"1ms\"\n").unwrap();
    // A scene runs in a spawned task too.
    let error = tokio::spawn(async move { scene.run(&sb).await })
        .await
        .unwrap()
        .unwrap_err();
    assert!(matches!(error, SceneError::NotReady { .. }), "{error}");
    assert!(error.to_string().contains("1 shard(s)"), "{error}");
}

/// A bot on interactions: `/roll sides:6` answers with a button `reroll`; a click on it answers
/// "rolled again". The options it got are echoed in its first answer.
async fn interaction_bot(
    shard: &mut Shard<InMemoryQueue>,
    http: &twilight_http::Client,
    sb: &Sandbox,
) {
    use twilight_model::{
        application::interaction::InteractionData,
        channel::message::{
            Component,
            component::{ActionRow, Button, ButtonStyle},
        },
        http::interaction::{
            InteractionResponse, InteractionResponseData, InteractionResponseType,
        },
    };
    let client = http.interaction(sb.application_id());
    while let Some(event) = shard.next_event(EventTypeFlags::all()).await {
        let Ok(Event::InteractionCreate(interaction)) = event else {
            continue;
        };
        let (content, components) = match &interaction.data {
            Some(InteractionData::ApplicationCommand(command)) => {
                let options: Vec<String> = command
                    .options
                    .iter()
                    .map(|o| format!("{}={:?}", o.name, o.value))
                    .collect();
                let button = Component::Button(Button {
                    custom_id: Some("reroll".to_owned()),
                    disabled: false,
                    emoji: None,
                    label: Some("Reroll".to_owned()),
                    style: ButtonStyle::Primary,
                    url: None,
                    sku_id: None,
                    id: None,
                });
                let row = Component::ActionRow(ActionRow {
                    components: vec![button],
                    id: None,
                });
                (
                    format!("/{} {}", command.name, options.join(" ")),
                    vec![row],
                )
            }
            Some(InteractionData::MessageComponent(click)) => {
                (format!("clicked {}", click.custom_id), Vec::new())
            }
            _ => continue,
        };
        let response = InteractionResponse {
            kind: InteractionResponseType::ChannelMessageWithSource,
            data: Some(InteractionResponseData {
                content: Some(content),
                components: Some(components),
                ..Default::default()
            }),
        };
        client
            .create_response(interaction.id, &interaction.token, &response)
            .await
            .expect("the sandbox takes the response");
    }
}

#[tokio::test]
async fn a_scene_runs_a_slash_command_and_clicks_the_bots_button() {
    let sb = Sandbox::start().await.unwrap();
    let mut shard = shard(&sb, all_intents());
    let http = http(&sb);
    let scene = scene_from_toml(
        r#"
[[steps]]
command = { user = "alice", channel = "general", name = "roll", options = { sides = 6, public = true } }

[[steps]]
expect = { channel = "general", contains = "/roll", within = "5s" }

[[steps]]
click = { user = "bob", channel = "general", custom_id = "reroll" }

[[steps]]
expect = { channel = "general", contains = "clicked reroll", within = "5s" }

[[steps]]
click = { user = "bob", channel = "general", custom_id = "nothing-has-this" }
"#,
    )
    .unwrap();
    let error = tokio::select! {
        report = scene.run(&sb) => report.unwrap_err(),
        () = interaction_bot(&mut shard, &http, &sb) => panic!("the shard ended"),
    };
    // The first four steps ran; the fifth names the missing component.
    let SceneError::Step { step, line, what } = &error else {
        panic!("{error}");
    };
    assert_eq!((*step, *line), (5, 15));
    assert!(
        what.contains("no message in #general has a component \"nothing-has-this\""),
        "{what}"
    );
    let general = sb.records().messages(sb.channel("general"));
    let contents: Vec<&str> = general.iter().map(|m| m.content.as_str()).collect();
    assert_eq!(contents.len(), 2, "{contents:?}");
    assert!(contents[0].starts_with("/roll "), "{contents:?}");
    assert!(
        contents[0].contains("sides=Integer(6)") && contents[0].contains("public=Boolean(true)"),
        "the options arrive typed: {contents:?}"
    );
    assert_eq!(contents[1], "clicked reroll");
}

/// Permissions follow roles and channel overwrites, as Discord computes them: the bot's post in a
/// channel that denies it SEND_MESSAGES is refused with 403 Missing Permissions (50013), its post
/// where a member overwrite allows it goes through only for that member; the overwrites and the
/// system channel reach the bot in GUILD_CREATE.
#[tokio::test]
async fn permissions_follow_roles_and_overwrites_and_a_refused_post_is_403() {
    use twilight_model::{
        channel::permission_overwrite::PermissionOverwriteType, guild::Permissions,
    };
    let path = format!("{}/examples/worlds/demo.toml", env!("CARGO_MANIFEST_DIR"));
    let world = herald_sandbox::world_from_file(std::path::Path::new(&path)).unwrap();
    let big = world.guild_id("Big Guild").unwrap();
    let sb = Sandbox::builder().world(world).start().await.unwrap();
    let mut shard = shard(&sb, all_intents());
    let http = http(&sb);
    let guild = common::until(&mut shard, "Big Guild's GUILD_CREATE", |e| match e {
        Event::GuildCreate(g) => match *g {
            GuildCreate::Available(g) if g.id == big => Some(g),
            _ => None,
        },
        _ => None,
    })
    .await;
    let announcements = sb.guild_channel(big, "announcements");
    let lobby = sb.guild_channel(big, "lobby");
    assert_eq!(guild.system_channel_id, Some(lobby));
    let channel = guild
        .channels
        .iter()
        .find(|c| c.id == announcements)
        .unwrap();
    let overwrites = channel.permission_overwrites.as_ref().unwrap();
    assert_eq!(overwrites.len(), 2);
    assert!(
        overwrites
            .iter()
            .any(|o| o.kind == PermissionOverwriteType::Role
                && o.id.cast() == big
                && o.deny == Permissions::SEND_MESSAGES)
    );

    let refused = http
        .create_message(announcements)
        .content("news")
        .await
        .unwrap_err();
    let twilight_http::error::ErrorType::Response { status, error, .. } = refused.kind() else {
        panic!("{refused}");
    };
    assert_eq!(status.get(), 403);
    assert!(
        matches!(error, twilight_http::api_error::ApiError::General(e) if e.code == 50013),
        "{error:?}"
    );
    assert!(
        sb.transcript()
            .iter()
            .any(|l| l.contains("#announcements/messages failed: 403 Missing Permissions")),
        "{:?}",
        sb.transcript()
    );
    assert!(sb.records().messages(announcements).is_empty());
    http.create_message(lobby).content("hello").await.unwrap();

    // The same computation for anyone: alice's member overwrite allows her; a generated member
    // is denied by @everyone's; the owner has everything.
    let perms = |user: &str| sb.permissions_in(sb.user(user), announcements);
    assert!(perms("alice").contains(Permissions::SEND_MESSAGES));
    assert!(!perms("member-1").contains(Permissions::SEND_MESSAGES));
    assert!(perms("member-1").contains(Permissions::VIEW_CHANNEL));
    assert_eq!(perms("mod"), Permissions::all());
}
