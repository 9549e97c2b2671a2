//! `examples/{events_basics,welcome,voice_logs}.rs`: each scene, run on a sandbox, produces the
//! expected logs. Each causal chain is checked in its own order (chains may interleave).

#[path = "common/scene.rs"]
mod scene;

#[path = "../examples/events_basics.rs"]
#[allow(dead_code)]
mod events_basics;

#[path = "../examples/welcome.rs"]
#[allow(dead_code)]
mod welcome;

#[path = "../examples/voice_logs.rs"]
#[allow(dead_code)]
mod voice_logs;

use scene::{assert_absent, assert_in_order, play};

#[tokio::test]
async fn events_basics_scene() {
    let transcript = play(events_basics::bot()).await;
    assert_in_order(
        &transcript,
        &["shard 0 set presence: online, playing Managing the server!"],
    );
    // Auto-reactions.
    assert_in_order(
        &transcript,
        &[
            "alice in #general: Hello everyone!",
            "herald-bot reacted 👋 to a message in #general",
        ],
    );
    assert_in_order(
        &transcript,
        &[
            "bob in #general: good bot",
            "herald-bot reacted 😊 to a message in #general",
        ],
    );
    // A cached message: the text before the edit, and the deleted text.
    assert_in_order(
        &transcript,
        &[
            "alice edited a message in #general: see you tomorrow",
            "herald-bot in #moderation-logs: [embed] Message edited — alice in #general: \
             “see you tomorow” → “see you tomorrow”",
        ],
    );
    assert_in_order(
        &transcript,
        &[
            "bob deleted a message in #general",
            "herald-bot in #moderation-logs: [embed] Message deleted — bob's message in \
             #general: “oops, wrong channel”",
        ],
    );
    // Messages pushed out of the cache: the edit without `before`, the deletion by id.
    assert_in_order(
        &transcript,
        &[
            "bob sent 1000 messages in #general (burst)",
            "carol edited a message in #general: first! (edited much later)",
            "herald-bot in #moderation-logs: [embed] Message edited — carol in #general, an \
             older message (not cached, text before unknown) → “first! (edited much later)”",
        ],
    );
    assert_in_order(
        &transcript,
        &[
            "bob sent 1000 messages in #general (burst)",
            "alice deleted a message in #general",
            "in #general (not cached: author and text unknown)",
        ],
    );
    // A new guild gets a greeting in its first text channel.
    assert_in_order(
        &transcript,
        &[
            "[admin] added herald-bot to Side Project",
            "herald-bot in #general: [embed] Thanks for adding me!",
            "[admin] removed herald-bot from Side Project",
        ],
    );
    // No request of the bot failed.
    assert_absent(&transcript, "failed");
}

#[tokio::test]
async fn welcome_scene() {
    let transcript = play(welcome::bot()).await;
    // dave joins: welcome, role, DM; each in its own chain.
    for chain in [
        &[
            "dave joined Herald Test",
            "herald-bot in #welcome: [embed] Welcome to Herald Test! — Hello dave, welcome to \
             our community! (2 fields)",
        ][..],
        &[
            "dave joined Herald Test",
            "herald-bot gave dave the role Member (reason: Auto-role on join)",
            "herald-bot in #member-logs: [embed] Roles updated — dave: added Member",
        ],
        &[
            "dave joined Herald Test",
            "herald-bot sent a DM to dave: [embed] Welcome to Herald Test! — Thanks for joining!",
        ],
    ] {
        assert_in_order(&transcript, chain);
    }
    // Nickname and role changes, from the cached member.
    assert_in_order(
        &transcript,
        &[
            "dave set their nickname to \"Dave the Brave\"",
            "herald-bot in #member-logs: [embed] Nickname changed — dave: dave → Dave the Brave",
        ],
    );
    assert_in_order(
        &transcript,
        &[
            "dave got the role Regular",
            "herald-bot in #member-logs: [embed] Roles updated — dave: added Regular",
        ],
    );
    assert_in_order(
        &transcript,
        &[
            "dave lost the role Member",
            "herald-bot in #member-logs: [embed] Roles updated — dave: removed Member",
        ],
    );
    // The departure lists the roles the cache knew.
    assert_in_order(
        &transcript,
        &[
            "dave left Herald Test",
            "herald-bot in #member-logs: [embed] Member left — dave left the server. Roles: \
             Regular",
        ],
    );
    // The ban, with moderator and reason from the audit log; bob was there before the bot
    // started, and the guild's members were asked for: his departure lists his roles.
    assert_in_order(
        &transcript,
        &[
            "mod banned bob from Herald Test (reason: Spamming invite links)",
            "herald-bot in #moderation-logs: [embed] Member banned — bob was banned by mod: \
             Spamming invite links",
        ],
    );
    assert_in_order(
        &transcript,
        &[
            "mod banned bob from Herald Test",
            "herald-bot in #member-logs: [embed] Member left — bob left the server. Roles: Member \
             (2 fields)",
        ],
    );
    assert_in_order(
        &transcript,
        &[
            "mod unbanned bob from Herald Test",
            "herald-bot in #moderation-logs: [embed] Member unbanned — bob was unbanned by mod",
        ],
    );
    // bob returns with his DMs closed: welcomed, given the role, and the failed DM is noted.
    for chain in [
        &[
            "bob joined Herald Test",
            "herald-bot in #welcome: [embed] Welcome to Herald Test! — Hello bob",
        ][..],
        &[
            "bob joined Herald Test",
            "herald-bot gave bob the role Member",
            "herald-bot in #member-logs: [embed] Roles updated — bob: added Member",
        ],
        &[
            "bob joined Herald Test",
            "herald-bot could not DM bob (DMs closed)",
            "herald-bot in #member-logs: Could not DM bob the welcome tips: they do not accept \
             DMs.",
        ],
    ] {
        assert_in_order(&transcript, chain);
    }
    assert_absent(&transcript, "failed");
}

#[tokio::test]
async fn voice_logs_scene() {
    let transcript = play(voice_logs::bot()).await;
    // `voice_log` is sequential: alice's and bob's lines each come in the order of their
    // updates.
    assert_in_order(
        &transcript,
        &[
            "alice joined voice Voice",
            "herald-bot in #voice-logs: [embed] Voice channel joined — alice joined Voice",
            "herald-bot in #voice-logs: [embed] Voice state changed — alice in Voice: self mute on",
            "herald-bot in #voice-logs: [embed] Voice state changed — alice in Voice: self \
             deafen on",
            "herald-bot in #voice-logs: [embed] Voice channel switched — alice moved from Voice \
             to Gaming",
            "herald-bot in #voice-logs: [embed] Voice state changed — alice in Gaming: self \
             deafen off",
            "herald-bot in #voice-logs: [embed] Voice channel left — alice left Gaming",
        ],
    );
    assert_in_order(
        &transcript,
        &[
            "bob joined voice Voice",
            "herald-bot in #voice-logs: [embed] Voice channel joined — bob joined Voice",
            "[admin] server-muted bob in Voice",
            "herald-bot in #voice-logs: [embed] Voice state changed — bob in Voice: server mute on",
            "herald-bot in #voice-logs: [embed] Voice state changed — bob in Voice: server \
             deafen on",
            "herald-bot in #voice-logs: [embed] Voice state changed — bob in Voice: server mute \
             off",
            "herald-bot in #voice-logs: [embed] Voice state changed — bob in Voice: server \
             deafen off",
            "herald-bot in #voice-logs: [embed] Voice channel left — bob left Voice",
        ],
    );
    assert_absent(&transcript, "failed");
}
