//! Gateway events for router tests, deserialised from the JSON Discord sends, as the gateway
//! layer would.
#![allow(dead_code, unreachable_pub)]

use herald::prelude::*;
use serde_json::json;

pub fn message(id: u64, channel: u64, author: u64, content: &str) -> MessageCreate {
    serde_json::from_value(json!({
        "id": id.to_string(),
        "channel_id": channel.to_string(),
        "guild_id": "100",
        "author": {"id": author.to_string(), "username": format!("user{author}"), "discriminator": "0"},
        "content": content,
        "timestamp": "2024-01-01T00:00:00.000000+00:00",
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": false,
        "type": 0
    }))
    .expect("a valid MESSAGE_CREATE")
}

pub fn reaction(message: u64, user: u64, emoji: &str) -> RawReactionAdd {
    serde_json::from_value(json!({
        "user_id": user.to_string(),
        "channel_id": "200",
        "message_id": message.to_string(),
        "guild_id": "100",
        "emoji": {"id": null, "name": emoji},
        "burst": false,
        "type": 0
    }))
    .expect("a valid MESSAGE_REACTION_ADD")
}
