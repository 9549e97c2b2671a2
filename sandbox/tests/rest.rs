//! A real twilight-http 0.18 client against the sandbox REST API: every
//! answer deserialises into twilight's models.

mod common;

use std::time::Duration;

use common::{WAIT, all_intents, api_code, http, ready, shard, until};
use herald_sandbox::{RestFault, Sandbox, World};
use twilight_gateway::Event;
use twilight_http::request::AuditLogReason as _;
use twilight_http::{error::ErrorType, request::channel::reaction::RequestReactionType};
use twilight_model::{
    channel::message::MessageFlags,
    guild::audit_log::AuditLogEventType,
    http::interaction::{InteractionResponse, InteractionResponseData, InteractionResponseType},
};

#[tokio::test]
async fn bot_post_is_recorded_stored_and_echoed() {
    let sb = Sandbox::start().await.unwrap();
    let mut shard = shard(&sb, all_intents());
    ready(&mut shard).await;
    let http = http(&sb);
    let general = sb.channel("general");
    let sent = http
        .create_message(general)
        .content("Welcome!")
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(sent.content, "Welcome!");
    assert_eq!(sent.author.id, sb.bot_user_id());

    let echoed = until(&mut shard, "MESSAGE_CREATE echo", |e| match e {
        Event::MessageCreate(m) => Some(m),
        _ => None,
    })
    .await;
    assert_eq!(echoed.id, sent.id);
    assert_eq!(echoed.content, "Welcome!");
    assert!(echoed.member.is_some());

    let request = sb
        .records()
        .wait_for_request(|r| r.is("POST", "/channels/"), WAIT)
        .await
        .unwrap();
    assert_eq!(
        request.path,
        format!("/api/v10/channels/{general}/messages")
    );
    assert_eq!(request.route(), format!("/channels/{general}/messages"));
    assert_eq!(request.status, 200);
    assert_eq!(request.body.unwrap()["content"], "Welcome!");
    let stored = sb.records().messages(general);
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].author_id, sb.bot_user_id());
}

#[tokio::test]
async fn rate_limited_twice_then_success() {
    let sb = Sandbox::start().await.unwrap();
    let http = http(&sb);
    let general = sb.channel("general");
    sb.faults().rest(
        "POST",
        "/channels/",
        RestFault::RateLimited {
            times: 2,
            retry_after: Duration::from_millis(50),
        },
    );
    let message = tokio::time::timeout(WAIT, http.create_message(general).content("hi"))
        .await
        .expect("twilight-http retries after the advertised wait")
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(message.content, "hi");
    let attempts = sb.records().requests();
    let statuses: Vec<u16> = attempts.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [429, 429, 200]);
    assert_eq!(attempts[0].response.as_ref().unwrap()["retry_after"], 0.05);
    // Faulted attempts change nothing: one message.
    assert_eq!(sb.records().messages(general).len(), 1);
}

#[tokio::test]
async fn server_error_and_api_error_faults() {
    let sb = Sandbox::start().await.unwrap();
    let http = http(&sb);
    let general = sb.channel("general");
    sb.faults().rest(
        "*",
        "/api/v10/channels/",
        RestFault::ServerError {
            status: 502,
            times: 1,
        },
    );
    let error = http.create_message(general).content("x").await.unwrap_err();
    assert!(
        matches!(error.kind(), ErrorType::Response { status, .. } if status.get() == 502),
        "{error:?}"
    );
    sb.faults().rest_matching(
        |method, path| method == "PUT" && path.contains("/roles/"),
        RestFault::ApiError {
            status: 403,
            code: 50013,
            message: "Missing Permissions".into(),
            times: 1,
        },
    );
    let error = http
        .add_guild_member_role(
            sb.guild("Herald Test"),
            sb.user("alice"),
            sb.role("Moderator"),
        )
        .await
        .unwrap_err();
    assert_eq!(api_code(&error), (403, 50013));
    // The fault is used up: the next call works.
    http.add_guild_member_role(
        sb.guild("Herald Test"),
        sb.user("alice"),
        sb.role("Moderator"),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn rest_routes_deserialise_into_twilight_models() {
    let mut world = World::demo();
    let eve = world.add_user("eve");
    world.refuse_dms(eve);
    let sb = Sandbox::builder().world(world).start().await.unwrap();
    let http = http(&sb);
    let guild = sb.guild("Herald Test");
    let general = sb.channel("general");
    let alice = sb.user("alice");

    let gateway = http
        .gateway()
        .authed()
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(gateway.url, sb.gateway_url());
    assert_eq!(gateway.shards, 1);
    let me = http.current_user().await.unwrap().model().await.unwrap();
    assert_eq!(me.id, sb.bot_user_id());
    let user = http.user(alice).await.unwrap().model().await.unwrap();
    assert_eq!(user.name, "alice");
    let channel = http.channel(general).await.unwrap().model().await.unwrap();
    assert_eq!(channel.name.as_deref(), Some("general"));
    let g = http.guild(guild).await.unwrap().model().await.unwrap();
    assert_eq!(g.name, "Herald Test");
    let channels = http
        .guild_channels(guild)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(channels.len(), 7);
    let roles = http.roles(guild).await.unwrap().model().await.unwrap();
    assert_eq!(roles.len(), 4);
    let member = http
        .guild_member(guild, alice)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(member.user.id, alice);
    let members = http
        .guild_members(guild)
        .limit(100)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(members.len(), 5);

    // Messages: get, edit, react (unicode and custom), unreact, delete.
    let said = sb.actor("alice").say(general, "hello");
    let fetched = http
        .message(general, said)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(fetched.content, "hello");
    let mine = http
        .create_message(general)
        .content("v1")
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    let edited = http
        .update_message(general, mine.id)
        .content(Some("v2"))
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(edited.content, "v2");
    http.create_reaction(general, said, &RequestReactionType::Unicode { name: "✅" })
        .await
        .unwrap();
    let emoji = sb.emoji_id("herald");
    http.create_reaction(
        general,
        said,
        &RequestReactionType::Custom {
            id: emoji,
            name: Some("herald"),
        },
    )
    .await
    .unwrap();
    let stored = sb.records().messages(general);
    assert_eq!(stored[0].reactions.len(), 2);
    assert_eq!(stored[0].reactions[0].0, "✅");
    assert_eq!(stored[0].reactions[1].0, format!("herald:{emoji}"));
    http.delete_current_user_reaction(general, said, &RequestReactionType::Unicode { name: "✅" })
        .await
        .unwrap();
    assert_eq!(sb.records().messages(general)[0].reactions.len(), 1);
    http.delete_message(general, mine.id).await.unwrap();
    assert_eq!(sb.records().messages(general).len(), 1);

    // Roles.
    let moderator = sb.role("Moderator");
    http.add_guild_member_role(guild, alice, moderator)
        .await
        .unwrap();
    assert!(sb.member_roles(guild, alice).unwrap().contains(&moderator));
    http.remove_guild_member_role(guild, alice, moderator)
        .await
        .unwrap();
    assert!(!sb.member_roles(guild, alice).unwrap().contains(&moderator));

    // DMs, including a user who refuses them.
    let dm = http
        .create_private_channel(alice)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(dm.id, sb.dm_channel(alice));
    http.create_message(dm.id).content("psst").await.unwrap();
    let refused = http
        .create_private_channel(eve)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    let error = http
        .create_message(refused.id)
        .content("psst")
        .await
        .unwrap_err();
    assert_eq!(api_code(&error), (403, 50007));

    // Unknown channel and message.
    let unknown = twilight_model::id::Id::new(12_345);
    let error = http.channel(unknown).await.unwrap_err();
    assert_eq!(api_code(&error), (404, 10003));
    let error = http.message(general, unknown.cast()).await.unwrap_err();
    assert_eq!(api_code(&error), (404, 10008));

    // Unknown route: 404 naming the route, recorded.
    let error = http.guild_invites(guild).await.unwrap_err();
    assert_eq!(api_code(&error), (404, 0));
    let recorded = sb
        .records()
        .wait_for_request(|r| r.route().ends_with("/invites"), WAIT)
        .await
        .unwrap();
    assert_eq!(recorded.status, 404);
    let message = recorded.response.unwrap()["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.contains("GET /api/v10/guilds/"), "{message}");
}

#[tokio::test]
async fn audit_log_holds_ban_reasons() {
    let sb = Sandbox::start().await.unwrap();
    let http = http(&sb);
    let guild = sb.guild("Herald Test");
    let bob = sb.user("bob");
    sb.actor("mod").ban(guild, bob, "spamming links");
    assert!(sb.is_banned(guild, bob));
    assert_eq!(sb.member_roles(guild, bob), None);
    let log = http
        .audit_log(guild)
        .action_type(AuditLogEventType::MemberBanAdd)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(log.entries.len(), 1);
    let entry = &log.entries[0];
    assert_eq!(entry.reason.as_deref(), Some("spamming links"));
    assert_eq!(entry.target_id.map(|t| t.cast()), Some(bob));
    assert_eq!(entry.user_id, Some(sb.user("mod")));
    assert!(log.users.iter().any(|u| u.id == bob));

    // A ban by the bot, with the reason header.
    let carol = sb.user("carol");
    http.create_ban(guild, carol).reason("raid").await.unwrap();
    let request = sb
        .records()
        .wait_for_request(|r| r.method == "PUT", WAIT)
        .await
        .unwrap();
    assert_eq!(request.audit_log_reason.as_deref(), Some("raid"));
    let log = http.audit_log(guild).await.unwrap().model().await.unwrap();
    assert_eq!(log.entries.len(), 2);
    assert_eq!(log.entries[0].reason.as_deref(), Some("raid"));
}

#[tokio::test]
async fn interaction_response_posts_a_message_once() {
    let sb = Sandbox::start().await.unwrap();
    let mut shard = shard(&sb, all_intents());
    ready(&mut shard).await;
    let http = http(&sb);
    let general = sb.channel("general");
    let client = http.interaction(sb.application_id());
    let command = client
        .create_global_command()
        .chat_input("ping", "Replies pong")
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    let sent = sb.actor("alice").slash_command(general, "ping", &[]);
    let interaction = until(&mut shard, "INTERACTION_CREATE", |e| match e {
        Event::InteractionCreate(i) => Some(i),
        _ => None,
    })
    .await;
    assert_eq!(interaction.id, sent.id);
    let Some(twilight_model::application::interaction::InteractionData::ApplicationCommand(data)) =
        &interaction.data
    else {
        panic!("{:?}", interaction.data)
    };
    assert_eq!(Some(data.id), command.id, "the registered command id");
    let response = InteractionResponse {
        kind: InteractionResponseType::ChannelMessageWithSource,
        data: Some(InteractionResponseData {
            content: Some("pong".into()),
            flags: Some(MessageFlags::empty()),
            ..Default::default()
        }),
    };
    client
        .create_response(interaction.id, &interaction.token, &response)
        .await
        .unwrap();
    let echoed = until(&mut shard, "response MESSAGE_CREATE", |e| match e {
        Event::MessageCreate(m) => Some(m),
        _ => None,
    })
    .await;
    assert_eq!(echoed.content, "pong");
    assert_eq!(
        sb.records().messages(general).last().unwrap().content,
        "pong"
    );
    let original = client
        .response(&interaction.token)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(original.id, echoed.id);

    let error = client
        .create_response(interaction.id, &interaction.token, &response)
        .await
        .unwrap_err();
    assert_eq!(api_code(&error), (400, 40060));
    let followup = client
        .create_followup(&interaction.token)
        .content("more")
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(followup.content, "more");
    let callbacks: Vec<u16> = sb
        .records()
        .requests()
        .iter()
        .filter(|r| r.route().ends_with("/callback"))
        .map(|r| r.status)
        .collect();
    assert_eq!(callbacks, [204, 400]);

    // `with_response` answers 200 with the created message.
    let sent = sb.actor("bob").slash_command(general, "ping", &[]);
    let answered = client
        .create_response(sent.id, &sent.token, &response)
        .with_response()
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(answered.interaction.id, sent.id);
    let message = answered
        .resource
        .and_then(|r| r.message)
        .expect("message resource");
    assert_eq!(message.content, "pong");
}
