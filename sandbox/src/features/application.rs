//! The application and how to connect: `GET /gateway/bot` (shards, session
//! start limit, max concurrency), `GET /gateway`, and the bot's own
//! application (`GET /applications/@me`).

use twilight_model::{
    gateway::{
        SessionStartLimit,
        connection_info::{BotConnectionInfo, ConnectionInfo},
    },
    id::Id,
    oauth::{Application, ApplicationFlags},
};

use crate::core::{
    rest::{Answer, Call, Reply, Route},
    state::State,
    transcript::user,
    wire,
};

pub(crate) const ROUTES: &[Route] = &[
    Route::new("GET", "/gateway/bot", on_gateway_bot),
    // Discord serves the gateway's URL without a token.
    Route::new("GET", "/gateway", on_gateway).without_token(),
    Route::new("GET", "/applications/@me", on_current_application),
    Route::new("GET", "/oauth2/applications/@me", on_current_application),
];

fn on_gateway_bot(state: &mut State, call: &mut Call<'_>) -> Answer {
    let config = call.config;
    let (remaining, reset_after) = state.session_start_limit(config);
    Ok(Reply::json(&BotConnectionInfo {
        session_start_limit: SessionStartLimit {
            max_concurrency: u16::try_from(config.max_concurrency).unwrap_or(u16::MAX),
            remaining,
            reset_after: u64::try_from(reset_after.as_millis()).unwrap_or(u64::MAX),
            total: config.session_start_total,
        },
        shards: config.recommended_shards,
        url: config.gateway_url.clone(),
    }))
}

fn on_gateway(_: &mut State, call: &mut Call<'_>) -> Answer {
    Ok(Reply::json(&ConnectionInfo {
        url: call.config.gateway_url.clone(),
    }))
}

fn on_current_application(state: &mut State, _: &mut Call<'_>) -> Answer {
    let world = &state.world;
    Ok(Reply::json(&Application {
        approximate_guild_count: None,
        approximate_user_install_count: None,
        bot: None,
        bot_public: true,
        bot_require_code_grant: false,
        cover_image: None,
        custom_install_url: None,
        description: String::new(),
        flags: Some(ApplicationFlags::empty()),
        guild: None,
        guild_id: None,
        icon: None,
        id: Id::new(world.application_id),
        install_params: None,
        integration_types_config: None,
        interactions_endpoint_url: None,
        name: user(world, world.bot_id),
        owner: Some(wire::user(world, world.bot_id)),
        primary_sku_id: None,
        privacy_policy_url: None,
        redirect_uris: None,
        role_connections_verification_url: None,
        rpc_origins: Vec::new(),
        slug: None,
        tags: None,
        team: None,
        terms_of_service_url: None,
        verify_key: "0000".to_owned(),
    }))
}
