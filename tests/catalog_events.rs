//! Every event of the catalog, driven through the sandbox's gateway: a user or admin acts, the
//! sandbox sends what Discord would, and a listener receives the typed event with the right
//! values, before/after from the cache included.
//!
//! The test fails if a catalog entry has no case here, so a new event cannot be added without one.

#[path = "common/bot.rs"]
mod bot;

use std::any::Any;
use std::collections::BTreeSet;
use std::fmt::Debug;
use std::sync::{Arc, Mutex};

use bot::WAIT;
use herald::model::channel::message::EmojiReactionType;
use herald::model::gateway::payload::outgoing::UpdateVoiceState;
use herald::model::gateway::presence::Status;
use herald::prelude::*;
use herald::sandbox::Sandbox;
use tokio::sync::Notify;

/// What the recording listeners received, by event name, until a case claims it.
#[derive(Default)]
struct Recorder {
    seen: Mutex<Vec<(&'static str, Arc<dyn Any + Send + Sync>)>>,
    changed: Notify,
    /// Event names a case has checked.
    covered: Mutex<BTreeSet<&'static str>>,
    /// Event names a recording listener was registered for.
    recorded: Mutex<BTreeSet<&'static str>>,
}

impl Recorder {
    /// A listener that records every `E` it receives.
    fn listener<E: Event + Clone>(self: &Arc<Self>) -> Listener {
        self.recorded.lock().unwrap().insert(E::NAME);
        let recorder = Arc::clone(self);
        Listener::new(move |event: &E| {
            let event: Arc<dyn Any + Send + Sync> = Arc::new(event.clone());
            recorder.seen.lock().unwrap().push((E::NAME, event));
            recorder.changed.notify_waiters();
            async {}
        })
        .name(format!("record_{}", E::NAME))
    }

    /// Waits for a received `E` that passes `check`, claims it and returns it.
    async fn expect<E: Event + Clone + Debug>(&self, check: impl Fn(&E) -> bool) -> E {
        self.covered.lock().unwrap().insert(E::NAME);
        let found = tokio::time::timeout(WAIT, async {
            loop {
                let changed = self.changed.notified();
                tokio::pin!(changed);
                changed.as_mut().enable();
                {
                    let mut seen = self.seen.lock().unwrap();
                    let position = seen.iter().position(|(name, event)| {
                        *name == E::NAME && event.downcast_ref::<E>().is_some_and(&check)
                    });
                    if let Some(i) = position {
                        let (_, event) = seen.remove(i);
                        return event.downcast_ref::<E>().unwrap().clone();
                    }
                }
                changed.await;
            }
        })
        .await;
        found.unwrap_or_else(|_| {
            let seen: Vec<String> = self
                .seen
                .lock()
                .unwrap()
                .iter()
                .filter(|(name, _)| *name == E::NAME)
                .map(|(_, e)| format!("{:?}", e.downcast_ref::<E>().unwrap()))
                .collect();
            panic!(
                "no `{}` passing the check arrived; received instead: {seen:#?}",
                E::NAME
            )
        })
    }
}

fn emoji(reaction: &EmojiReactionType) -> &str {
    match reaction {
        EmojiReactionType::Unicode { name } => name,
        EmojiReactionType::Custom { name, .. } => name.as_deref().unwrap_or(""),
    }
}

/// Registers a recording listener for each type.
macro_rules! record {
    ($builder:expr, $recorder:expr; $($ty:ty),* $(,)?) => {
        $builder $(.listener($recorder.listener::<$ty>()))*
    };
}

#[listener]
async fn fails_on_command(msg: &MessageCreate) -> herald::Result {
    if msg.content == "!fail" {
        return Err("the command failed".into());
    }
    Ok(())
}

#[listener]
async fn explodes(command: &ApplicationCommand) -> herald::Result {
    if command.data.name == "explode" {
        return Err("boom".into());
    }
    Ok(())
}

#[tokio::test]
async fn every_catalog_event_arrives_typed_through_the_gateway() {
    let sb = Sandbox::start().await.unwrap();
    let guild = sb.guild("Herald Test");
    let general = sb.channel("general");
    let (alice, bob, carol, dave) = (
        sb.actor("alice"),
        sb.actor("bob"),
        sb.actor("carol"),
        sb.actor("dave"),
    );
    // Sent before the bot connects: never cached.
    let uncached = alice.say(general, "from before the bot");
    let never_cached = alice.say(general, "also from before the bot");

    let rec = Arc::new(Recorder::default());
    let builder = record!(Bot::builder(), rec;
        Connect, Disconnect, Ready, Resumed, ShardConnect, ShardDisconnect, ShardReady,
        ShardResumed, ListenerError,
        MessageCreate, MessageEdit, MessageDelete, BulkMessageDelete, RawMessageEdit,
        RawMessageDelete, RawBulkMessageDelete, TypingStart,
        ReactionAdd, ReactionRemove, ReactionClear, ReactionClearEmoji, RawReactionAdd,
        RawReactionRemove, RawReactionClear, RawReactionClearEmoji,
        MemberAdd, MemberRemove, MemberUpdate, UserUpdate, BanAdd, BanRemove, PresenceUpdate,
        MemberChunk,
        GuildJoin, GuildRemove, GuildUpdate, GuildAvailable, GuildUnavailable, ChannelCreate,
        ChannelDelete, ChannelUpdate, ChannelPinsUpdate, RoleCreate, RoleDelete, RoleUpdate,
        GuildEmojisUpdate, GuildStickersUpdate,
        VoiceStateUpdate, StageInstanceCreate, StageInstanceDelete, StageInstanceUpdate,
        InteractionCreate, ApplicationCommand, Autocomplete, MessageInteraction, ButtonClick, Dropdown,
        ModalSubmit, ApplicationCommandError,
        ThreadCreate, ThreadUpdate, ThreadDelete, RawThreadUpdate, RawThreadDelete,
        ThreadMemberJoin, ThreadMemberRemove,
        GuildScheduledEventCreate, ScheduledEventUpdate, GuildScheduledEventDelete,
        GuildScheduledEventUserAdd, GuildScheduledEventUserRemove,
        AutoModerationRuleCreate, AutoModerationRuleUpdate, AutoModerationRuleDelete,
        AutoModerationActionExecution, GatewayDispatch,
        InviteCreate, InviteDelete, WebhooksUpdate, IntegrationCreate, IntegrationUpdate,
        IntegrationDelete, GuildAuditLogEntryCreate, MessagePollVoteAdd, MessagePollVoteRemove,
        EntitlementCreate, EntitlementUpdate, EntitlementDelete, VoiceServerUpdate,
    )
    .listener(fails_on_command)
    .listener(explodes)
    .add_intents(Intents::MESSAGE_CONTENT);
    let bot = builder.sandbox(&sb).build().unwrap();
    let running = bot.start().await.unwrap();

    // Lifecycle: connect, the READY guild becomes available, shard ready, ready.
    rec.expect(|e: &ShardConnect| e.shard_id == 0).await;
    rec.expect(|_: &Connect| true).await;
    rec.expect(|e: &GuildAvailable| e.guild.id == guild && e.guild.name == "Herald Test")
        .await;
    rec.expect(|e: &ShardReady| e.shard_id == 0 && e.guilds == 1)
        .await;
    rec.expect(|e: &Ready| e.guilds == 1).await;

    // Messages.
    let hello = alice.say(general, "hello");
    let msg = rec.expect(|e: &MessageCreate| e.id == hello).await;
    assert_eq!(
        (msg.content.as_str(), msg.author.name.as_str()),
        ("hello", "alice")
    );
    alice.edit(general, hello, "hello, edited");
    rec.expect(|e: &RawMessageEdit| e.id == hello && e.content == "hello, edited")
        .await;
    let edit = rec.expect(|e: &MessageEdit| e.after.id == hello).await;
    assert_eq!(edit.before.as_ref().map(|m| m.content()), Some("hello"));
    assert_eq!(edit.after.content, "hello, edited");
    // Edits of messages the cache never saw still fire, with no `before`.
    alice.edit(general, uncached, "edited later");
    rec.expect(|e: &RawMessageEdit| e.id == uncached).await;
    let edit = rec.expect(|e: &MessageEdit| e.after.id == uncached).await;
    assert!(edit.before.is_none());
    assert_eq!(edit.after.content, "edited later");

    // Reactions.
    bob.react(general, hello, "👍");
    rec.expect(|e: &RawReactionAdd| e.message_id == hello && emoji(&e.emoji) == "👍")
        .await;
    let add = rec.expect(|e: &ReactionAdd| e.message_id == hello).await;
    assert_eq!(add.user_id, sb.user("bob"));
    assert_eq!(add.user.as_ref().map(|u| u.name.as_str()), Some("bob"));
    let message = add.message.expect("the message is cached");
    assert_eq!(message.content(), "hello, edited");
    assert_eq!(message.reactions().len(), 1);
    assert_eq!(emoji(&message.reactions()[0].emoji), "👍");
    bob.unreact(general, hello, "👍");
    rec.expect(|e: &RawReactionRemove| e.message_id == hello)
        .await;
    let remove = rec.expect(|e: &ReactionRemove| e.message_id == hello).await;
    assert!(remove.message.expect("cached").reactions().is_empty());
    bob.react(general, hello, "👍");
    carol.react(general, hello, "🎉");
    rec.expect(|e: &ReactionAdd| e.user_id == sb.user("carol"))
        .await;
    sb.admin().clear_reaction_emoji(general, hello, "🎉");
    rec.expect(|e: &RawReactionClearEmoji| e.message_id == hello)
        .await;
    let clear = rec
        .expect(|e: &ReactionClearEmoji| e.message_id == hello)
        .await;
    let before: Vec<&str> = clear
        .message
        .as_ref()
        .unwrap()
        .reactions()
        .iter()
        .map(|r| emoji(&r.emoji))
        .collect();
    assert_eq!(before, ["👍", "🎉"]);
    sb.admin().clear_reactions(general, hello);
    rec.expect(|e: &RawReactionClear| e.message_id == hello)
        .await;
    let clear = rec.expect(|e: &ReactionClear| e.message_id == hello).await;
    let before: Vec<&str> = clear
        .message
        .as_ref()
        .unwrap()
        .reactions()
        .iter()
        .map(|r| emoji(&r.emoji))
        .collect();
    assert_eq!(before, ["👍"], "the reactions before the clear");

    alice.typing(general);
    rec.expect(|e: &TypingStart| e.user_id == sb.user("alice") && e.channel_id == general)
        .await;

    alice.delete(general, hello);
    rec.expect(|e: &RawMessageDelete| e.id == hello).await;
    let delete = rec.expect(|e: &MessageDelete| e.id == hello).await;
    assert_eq!(
        delete.message.as_ref().map(|m| m.content()),
        Some("hello, edited")
    );

    let (first, second) = (alice.say(general, "one"), alice.say(general, "two"));
    rec.expect(|e: &MessageCreate| e.id == second).await;
    sb.admin()
        .bulk_delete(general, &[first, never_cached, second, uncached]);
    rec.expect(|e: &RawBulkMessageDelete| e.ids.len() == 4)
        .await;
    let bulk = rec.expect(|e: &BulkMessageDelete| e.ids.len() == 4).await;
    let contents: Vec<&str> = bulk.messages.iter().map(|m| m.content()).collect();
    // The edit brought `uncached` into the cache; `never_cached` is missing from the list.
    assert_eq!(
        contents,
        ["one", "two", "edited later"],
        "the cached ones, in order"
    );

    // A failing listener becomes `error`.
    alice.say(general, "!fail");
    let error = rec
        .expect(|e: &ListenerError| e.listener.as_ref() == "fails_on_command")
        .await;
    assert_eq!(error.event, "message");
    assert_eq!(error.error.to_string(), "the command failed");

    // Members and users.
    dave.join(guild);
    rec.expect(|e: &MemberAdd| e.user.name == "dave").await;
    dave.set_nick(guild, Some("Davy"));
    let update = rec
        .expect(|e: &MemberUpdate| e.after.nick.as_deref() == Some("Davy"))
        .await;
    assert_eq!(update.before.expect("cached").nick(), None);
    let dave_id = sb.user("dave");
    sb.admin().rename_user(dave_id, "david");
    let renamed = rec.expect(|e: &UserUpdate| e.after.name == "david").await;
    assert_eq!(renamed.before.name, "dave");
    sb.admin().set_user_presence(sb.user("alice"), "online");
    rec.expect(|e: &PresenceUpdate| e.after.status == Status::Online)
        .await;
    sb.admin().set_user_presence(sb.user("alice"), "idle");
    let presence = rec
        .expect(|e: &PresenceUpdate| e.after.user.id() == sb.user("alice") && e.before.is_some())
        .await;
    assert_eq!(presence.after.status, Status::Idle);
    assert_eq!(presence.before.map(|p| p.status()), Some(Status::Online));
    sb.actor("mod").ban(guild, dave_id, "spam");
    rec.expect(|e: &BanAdd| e.user.id == dave_id).await;
    let gone = rec.expect(|e: &MemberRemove| e.user.id == dave_id).await;
    assert_eq!(gone.member.expect("cached").nick(), Some("Davy"));
    sb.actor("mod").unban(guild, dave_id);
    rec.expect(|e: &BanRemove| e.user.id == dave_id).await;

    // Guilds.
    sb.admin().update_guild(guild, "Herald Test 2");
    let update = rec.expect(|e: &GuildUpdate| e.after.id == guild).await;
    assert_eq!(update.before.expect("cached").name(), "Herald Test");
    assert_eq!(update.after.name, "Herald Test 2");
    let second_guild = sb.admin().add_bot_to_guild("Second");
    rec.expect(|e: &GuildJoin| e.guild.id == second_guild && e.guild.name == "Second")
        .await;
    sb.admin().guild_outage(second_guild);
    let outage = rec
        .expect(|e: &GuildUnavailable| e.id == second_guild)
        .await;
    assert_eq!(outage.guild.expect("cached").name(), "Second");
    sb.admin().guild_restored(second_guild);
    rec.expect(|e: &GuildAvailable| e.guild.id == second_guild)
        .await;
    sb.admin().remove_bot_from_guild(second_guild);
    let removed = rec.expect(|e: &GuildRemove| e.id == second_guild).await;
    assert_eq!(removed.guild.expect("cached").name(), "Second");

    let plans = sb.admin().create_channel(guild, "plans");
    rec.expect(|e: &ChannelCreate| e.id == plans && e.name.as_deref() == Some("plans"))
        .await;
    sb.admin().rename_channel(plans, "plans-2");
    let update = rec.expect(|e: &ChannelUpdate| e.after.id == plans).await;
    assert_eq!(update.before.and_then(|c| c.name).as_deref(), Some("plans"));
    assert_eq!(update.after.name.as_deref(), Some("plans-2"));
    let pinned = alice.say(general, "pin me");
    sb.admin().pin(general, pinned);
    rec.expect(|e: &ChannelPinsUpdate| e.channel_id == general && e.last_pin_timestamp.is_some())
        .await;
    sb.admin().delete_channel(plans);
    rec.expect(|e: &ChannelDelete| e.id == plans).await;

    let helpers = sb.admin().create_role(guild, "Helpers");
    rec.expect(|e: &RoleCreate| e.role.id == helpers && e.role.name == "Helpers")
        .await;
    sb.admin().rename_role(helpers, "Helpers+");
    let update = rec.expect(|e: &RoleUpdate| e.after.id == helpers).await;
    assert_eq!(update.before.map(|r| r.name).as_deref(), Some("Helpers"));
    assert_eq!(update.after.name, "Helpers+");
    sb.admin().delete_role(guild, helpers);
    let deleted = rec.expect(|e: &RoleDelete| e.role_id == helpers).await;
    assert_eq!(deleted.role.map(|r| r.name).as_deref(), Some("Helpers+"));

    sb.admin().set_emojis(guild, &["herald", "wave"]);
    let emojis = rec
        .expect(|e: &GuildEmojisUpdate| e.guild_id == guild)
        .await;
    let mut before: Vec<&str> = emojis.before.iter().map(|e| e.name()).collect();
    before.sort_unstable();
    let after: Vec<&str> = emojis.after.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        (before, after),
        (vec!["herald", "party"], vec!["herald", "wave"])
    );
    sb.admin().set_stickers(guild, &["hello"]);
    let stickers = rec
        .expect(|e: &GuildStickersUpdate| e.after.len() == 1)
        .await;
    assert!(stickers.before.is_empty());
    assert_eq!(stickers.after[0].name, "hello");
    sb.admin().set_stickers(guild, &["hello", "bye"]);
    let stickers = rec
        .expect(|e: &GuildStickersUpdate| e.after.len() == 2)
        .await;
    let before: Vec<&str> = stickers.before.iter().map(|s| s.name()).collect();
    assert_eq!(before, ["hello"]);

    // Voice and stages.
    let voice = sb.channel("Voice");
    alice.voice_join(voice);
    let joined = rec
        .expect(|e: &VoiceStateUpdate| e.after.user_id == sb.user("alice") && !e.after.self_mute)
        .await;
    assert!(joined.before.is_none());
    assert_eq!(joined.after.channel_id, Some(voice));
    alice.set_self_mute(true);
    let muted = rec.expect(|e: &VoiceStateUpdate| e.after.self_mute).await;
    assert_eq!(muted.before.as_ref().map(|v| v.self_mute()), Some(false));
    assert_eq!(muted.channel_before(), Some(voice));
    let hall = sb.admin().create_stage_channel(guild, "Town Hall");
    let stage = sb.admin().start_stage(hall, "Q&A");
    rec.expect(|e: &StageInstanceCreate| e.id == stage && e.topic == "Q&A")
        .await;
    sb.admin().update_stage(stage, "AMA");
    let update = rec
        .expect(|e: &StageInstanceUpdate| e.after.id == stage)
        .await;
    assert_eq!(update.before.map(|s| s.topic).as_deref(), Some("Q&A"));
    assert_eq!(update.after.topic, "AMA");
    sb.admin().end_stage(stage);
    rec.expect(|e: &StageInstanceDelete| e.id == stage).await;

    // Interactions.
    alice.slash_command(general, "ping", &[]);
    rec.expect(|e: &InteractionCreate| e.channel.as_ref().is_some_and(|c| c.id == general))
        .await;
    let command = rec
        .expect(|e: &ApplicationCommand| e.data.name == "ping")
        .await;
    assert_eq!(command.author_id(), Some(sb.user("alice")));
    // Typing in an option that completes is an autocomplete, not a use of the command.
    alice.autocomplete(general, "tag get", &[], ("name", "he"));
    let typed = rec.expect(|e: &Autocomplete| e.data.name == "tag").await;
    assert_eq!(typed.focused(), Some(("name", "he")));
    alice.slash_command(general, "explode", &[]);
    let failed = rec
        .expect(|e: &ApplicationCommandError| e.command.data.name == "explode")
        .await;
    assert_eq!(
        (failed.listener.as_ref(), failed.error.to_string().as_str()),
        ("explodes", "boom")
    );
    let panel = alice.say(general, "panel");
    alice.click_button(panel, "confirm");
    rec.expect(|e: &MessageInteraction| e.data.custom_id == "confirm")
        .await;
    let click = rec
        .expect(|e: &ButtonClick| e.data.custom_id == "confirm")
        .await;
    assert_eq!(click.message.as_ref().map(|m| m.id), Some(panel));
    alice.select(panel, "colour", &["red", "blue"]);
    let chosen = rec
        .expect(|e: &Dropdown| e.data.custom_id == "colour")
        .await;
    assert_eq!(chosen.data.values, ["red", "blue"]);
    alice.submit_modal(general, "feedback", &[("text", "great bot")]);
    rec.expect(|e: &ModalSubmit| e.data.custom_id == "feedback")
        .await;

    // Threads.
    let thread = alice.create_thread(general, "ideas");
    rec.expect(|e: &ThreadCreate| e.id == thread && e.name.as_deref() == Some("ideas"))
        .await;
    sb.admin().rename_thread(thread, "ideas-2");
    rec.expect(|e: &RawThreadUpdate| e.id == thread).await;
    let update = rec.expect(|e: &ThreadUpdate| e.after.id == thread).await;
    assert_eq!(update.before.and_then(|t| t.name).as_deref(), Some("ideas"));
    assert_eq!(update.after.name.as_deref(), Some("ideas-2"));
    sb.admin().thread_add_member(thread, sb.user("bob"));
    rec.expect(|e: &ThreadMemberJoin| {
        e.thread_id == thread && e.member.user_id == Some(sb.user("bob"))
    })
    .await;
    sb.admin().thread_remove_member(thread, sb.user("bob"));
    rec.expect(|e: &ThreadMemberRemove| e.thread_id == thread && e.user_id == sb.user("bob"))
        .await;
    sb.admin().delete_thread(thread);
    rec.expect(|e: &RawThreadDelete| e.id == thread).await;
    let deleted = rec.expect(|e: &ThreadDelete| e.id == thread).await;
    assert_eq!(
        deleted.thread.and_then(|t| t.name).as_deref(),
        Some("ideas-2")
    );

    // Scheduled events.
    let night = sb.admin().create_scheduled_event(guild, "Game night");
    rec.expect(|e: &GuildScheduledEventCreate| e.id == night && e.name == "Game night")
        .await;
    sb.admin().update_scheduled_event(night, "Game night II");
    let update = rec
        .expect(|e: &ScheduledEventUpdate| e.after.id == night)
        .await;
    assert_eq!(update.before.map(|s| s.name).as_deref(), Some("Game night"));
    assert_eq!(update.after.name, "Game night II");
    alice.interested(night);
    rec.expect(|e: &GuildScheduledEventUserAdd| {
        e.guild_scheduled_event_id == night && e.user_id == sb.user("alice")
    })
    .await;
    alice.not_interested(night);
    rec.expect(|e: &GuildScheduledEventUserRemove| e.user_id == sb.user("alice"))
        .await;
    sb.admin().delete_scheduled_event(night);
    rec.expect(|e: &GuildScheduledEventDelete| e.id == night)
        .await;

    // Auto moderation.
    let rule = sb.admin().create_automod_rule(guild, "No spam", "spam");
    rec.expect(|e: &AutoModerationRuleCreate| e.id == rule && e.name == "No spam")
        .await;
    sb.admin()
        .update_automod_rule(rule, "No spam, really", "spam");
    rec.expect(|e: &AutoModerationRuleUpdate| e.id == rule && e.name == "No spam, really")
        .await;
    alice.say(general, "buy spam now");
    let hit = rec
        .expect(|e: &AutoModerationActionExecution| e.rule_id == rule)
        .await;
    assert_eq!(hit.matched_keyword.as_deref(), Some("spam"));
    assert_eq!(hit.user_id, sb.user("alice"));
    assert_eq!(hit.content, "buy spam now");
    sb.admin().delete_automod_rule(rule);
    rec.expect(|e: &AutoModerationRuleDelete| e.id == rule)
        .await;

    // Invites, webhooks and integrations.
    let code = alice.create_invite(general);
    let invite = rec.expect(|e: &InviteCreate| e.code == code).await;
    assert_eq!((invite.guild_id, invite.channel_id), (guild, general));
    assert_eq!(invite.inviter.map(|u| u.id), Some(sb.user("alice")));
    sb.admin().delete_invite(&code);
    rec.expect(|e: &InviteDelete| e.code == code && e.channel_id == general)
        .await;
    let hook = sb.admin().create_webhook(general, "Hooky");
    rec.expect(|e: &WebhooksUpdate| e.guild_id == guild && e.channel_id == general)
        .await;
    sb.admin().delete_webhook(hook);
    let integration = sb.admin().add_integration(guild, "Streamer");
    rec.expect(|e: &IntegrationCreate| e.0.id == integration && e.0.name == "Streamer")
        .await;
    sb.admin().rename_integration(integration, "Streamer Pro");
    rec.expect(|e: &IntegrationUpdate| e.0.id == integration && e.0.name == "Streamer Pro")
        .await;
    sb.admin().remove_integration(integration);
    rec.expect(|e: &IntegrationDelete| e.id == integration && e.guild_id == guild)
        .await;

    // The audit log, as entries are written.
    let entry = sb.admin().add_audit_log_entry(
        guild,
        sb.user("mod"),
        herald::model::guild::audit_log::AuditLogEventType::GuildUpdate,
        None,
        "new icon",
    );
    let logged = rec
        .expect(|e: &GuildAuditLogEntryCreate| e.0.id == entry)
        .await;
    assert_eq!(logged.0.user_id, Some(sb.user("mod")));
    assert_eq!(logged.0.reason.as_deref(), Some("new icon"));

    // Polls.
    let poll = alice.post_poll(general, "Lunch?", &["Pizza", "Salad"]);
    bob.vote(general, poll, 1);
    let vote = rec
        .expect(|e: &MessagePollVoteAdd| e.message_id == poll)
        .await;
    assert_eq!((vote.user_id, vote.answer_id), (sb.user("bob"), 1));
    bob.unvote(general, poll, 1);
    rec.expect(|e: &MessagePollVoteRemove| e.message_id == poll && e.user_id == sb.user("bob"))
        .await;

    // Entitlements (a user subscribes to one of the app's SKUs).
    let sku = Id::new(1234);
    let entitlement = alice.subscribe(sku);
    rec.expect(|e: &EntitlementCreate| e.0.id == entitlement && e.0.sku_id == sku)
        .await;
    sb.admin().renew_entitlement(entitlement);
    rec.expect(|e: &EntitlementUpdate| e.0.id == entitlement)
        .await;
    sb.admin().delete_entitlement(entitlement);
    rec.expect(|e: &EntitlementDelete| {
        e.0.id == entitlement && e.0.user_id == Some(sb.user("alice"))
    })
    .await;

    // A member request (gateway op 8): its chunk.
    let chunked = running.context().request_members(guild).await.unwrap();
    rec.expect(|e: &MemberChunk| e.guild_id == guild && e.members.len() == chunked.members.len())
        .await;

    // The bot joins voice itself (gateway op 4): Discord tells it its voice server.
    let ctx = running.context().clone();
    let voice = sb.channel("Voice");
    ctx.shard(0)
        .unwrap()
        .command(&UpdateVoiceState::new(guild, Some(voice), false, false))
        .unwrap();
    let server = rec
        .expect(|e: &VoiceServerUpdate| e.guild_id == guild)
        .await;
    sb.admin().move_voice_server(guild);
    rec.expect(|e: &VoiceServerUpdate| e.guild_id == guild && e.token != server.token)
        .await;

    // Any dispatch, as JSON, including those herald has no type for.
    sb.admin().dispatch_raw(
        "GUILD_INTEGRATIONS_UPDATE",
        serde_json::json!({
            "guild_id": guild.to_string(),
            "channel_id": general.to_string(),
            "code": "herald",
        }),
    );
    let invite = rec
        .expect(|e: &GatewayDispatch| e.kind == "GUILD_INTEGRATIONS_UPDATE")
        .await;
    assert_eq!(invite.data["code"], "herald");
    assert_eq!(invite.shard_id, 0);
    let said = rec
        .expect(|e: &GatewayDispatch| e.kind == "MESSAGE_CREATE" && e.data["content"] == "pin me")
        .await;
    assert!(said.sequence > 0);

    // A reconnect: disconnect, connect again, resume.
    sb.shard(0).reconnect().unwrap();
    rec.expect(|e: &ShardDisconnect| e.shard_id == 0 && e.reason == DisconnectReason::Reconnect)
        .await;
    rec.expect(|_: &Disconnect| true).await;
    rec.expect(|e: &ShardResumed| e.shard_id == 0).await;
    rec.expect(|e: &Resumed| e.shard_id == 0).await;

    running.shutdown().await.unwrap();

    let catalog: BTreeSet<&str> = herald::event::catalog().iter().map(|e| e.name).collect();
    let recorded = rec.recorded.lock().unwrap().clone();
    let covered = rec.covered.lock().unwrap().clone();
    let no_listener: Vec<_> = catalog.difference(&recorded).collect();
    let no_case: Vec<_> = catalog.difference(&covered).collect();
    assert!(
        no_listener.is_empty(),
        "catalog events with no recording listener: {no_listener:?}"
    );
    assert!(
        no_case.is_empty(),
        "catalog events with no case: {no_case:?}"
    );
}

/// A bot whose cache holds at most 3 messages, recording `MessageCreate` and `E`.
async fn three_message_bot<E: Event + Clone>() -> (Sandbox, Arc<Recorder>, RunningBot) {
    let sb = Sandbox::start().await.unwrap();
    let rec = Arc::new(Recorder::default());
    let builder = Bot::builder()
        .listener(rec.listener::<MessageCreate>())
        .listener(rec.listener::<E>())
        .add_intents(Intents::MESSAGE_CONTENT)
        .max_messages(3);
    let running = bot::start(&sb, builder).await;
    (sb, rec, running)
}

/// The message cache holds at most `max_messages` in total across channels, oldest evicted
/// first; an evicted message's edit still fires `message_edit`, with no `before`.
#[tokio::test]
async fn the_message_cache_is_bounded_in_total() {
    let (sb, rec, running) = three_message_bot::<MessageEdit>().await;
    let ctx = running.context().clone();
    let alice = sb.actor("alice");
    let (general, welcome) = (sb.channel("general"), sb.channel("welcome"));

    let sent: Vec<_> = (0..5)
        .map(|i| {
            let channel = if i % 2 == 0 { general } else { welcome };
            (channel, alice.say(channel, &format!("message {i}")))
        })
        .collect();
    rec.expect(|e: &MessageCreate| e.id == sent[4].1).await;
    let cached: Vec<bool> = sent
        .iter()
        .map(|(_, id)| ctx.cache().message(*id).is_some())
        .collect();
    assert_eq!(cached, [false, false, true, true, true]);

    alice.edit(sent[0].0, sent[0].1, "message 0, edited");
    let edit = rec.expect(|e: &MessageEdit| e.after.id == sent[0].1).await;
    assert!(edit.before.is_none(), "evicted");
    // The edit brings message 0 back into the cache as the newest: the oldest goes, the total
    // stays 3.
    let cached: Vec<bool> = sent
        .iter()
        .map(|(_, id)| ctx.cache().message(*id).is_some())
        .collect();
    assert_eq!(cached, [true, false, false, true, true]);
    alice.edit(sent[4].0, sent[4].1, "message 4, edited");
    let edit = rec.expect(|e: &MessageEdit| e.after.id == sent[4].1).await;
    assert_eq!(
        edit.before.map(|m| m.content().to_owned()).as_deref(),
        Some("message 4")
    );
    running.shutdown().await.unwrap();
}

/// The message store through the sandbox: `full_message` is the message as listeners got it,
/// `channel_messages` lists a channel's cached ids newest first, and a deleted message frees its
/// place in the bound at once.
#[tokio::test]
async fn cached_messages_are_read_whole_by_channel_and_deletion_frees_their_place() {
    let (sb, rec, running) = three_message_bot::<MessageDelete>().await;
    let ctx = running.context().clone();
    let alice = sb.actor("alice");
    let (general, welcome) = (sb.channel("general"), sb.channel("welcome"));
    let first = alice.say(general, "first");
    let second = alice.say(welcome, "second");
    let third = alice.say(general, "third");
    let got = rec.expect(|e: &MessageCreate| e.id == third).await;

    let full = ctx.cache().full_message(third).expect("cached");
    assert_eq!(*full, got, "the message as its listener got it");
    assert_eq!(full.author.name, "alice");
    let in_general = ctx.cache().channel_messages(general).expect("cached");
    assert_eq!(*in_general.key(), general);
    assert_eq!(in_general.value(), &[third, first], "newest first");

    alice.delete(welcome, second);
    let deleted = rec.expect(|e: &MessageDelete| e.raw.id == second).await;
    assert_eq!(
        deleted.message.map(|m| m.content().to_owned()).as_deref(),
        Some("second")
    );
    assert!(ctx.cache().channel_messages(welcome).is_none());
    let fourth = alice.say(welcome, "fourth");
    rec.expect(|e: &MessageCreate| e.id == fourth).await;
    let cached: Vec<bool> = [first, second, third, fourth]
        .iter()
        .map(|id| ctx.cache().message(*id).is_some())
        .collect();
    assert_eq!(
        cached,
        [true, false, true, true],
        "the deleted one's place was free"
    );
    running.shutdown().await.unwrap();
}

/// Cache-backed events work for waiters too, with no listener of them: the waiter alone makes
/// herald deserialise MESSAGE_UPDATE and read the cache before applying it.
#[tokio::test]
async fn a_waiter_gets_the_cache_backed_event_with_its_before() {
    let sb = Sandbox::start().await.unwrap();
    let running = bot::start(
        &sb,
        Bot::builder()
            .add_intents(Intents::MESSAGE_CONTENT)
            .waits_for::<MessageEdit>()
            .waits_for::<MessageCreate>(),
    )
    .await;
    let ctx = running.context().clone();
    let general = sb.channel("general");
    let alice = sb.actor("alice");

    let created = ctx.wait_for::<MessageCreate>().timeout(WAIT).register();
    let id = alice.say(general, "first draft");
    created.await.unwrap();
    let edited = ctx
        .wait_for::<MessageEdit>()
        .on(id)
        .timeout(WAIT)
        .register();
    alice.edit(general, id, "final text");
    let edit = edited.await.unwrap();
    assert_eq!(
        edit.before.as_ref().map(|m| m.content()),
        Some("first draft")
    );
    assert_eq!(edit.after.content, "final text");
    running.shutdown().await.unwrap();
}
