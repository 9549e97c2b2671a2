//! What the gateway and memory benches share: realistic gateway payloads, shaped as Discord sends
//! them (a message with its author's avatar and member object; a guild with members, roles and
//! channels), and a mock Discord gateway that sends prebuilt frames over a real WebSocket as fast
//! as the client reads them, so that what is measured is the client.

#![allow(dead_code, unreachable_pub)] // each bench uses part of it

use std::fmt::Write as _;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::{SinkExt as _, StreamExt as _};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use tokio_websockets::{Message, Payload, ServerBuilder};

pub const GUILD_ID: u64 = 800_000_000_000_000_001;
pub const BOT_ID: u64 = 800_000_000_000_000_002;
/// The guild's text channels: messages go round them.
pub const CHANNELS: u64 = 10;
const FIRST_CHANNEL: u64 = 810_000_000_000_000_000;
const FIRST_ROLE: u64 = 820_000_000_000_000_000;
const FIRST_USER: u64 = 830_000_000_000_000_000;
const FIRST_MESSAGE: u64 = 900_000_000_000_000_000;

/// ~260 characters of chat.
const CONTENT: &str = "hey everyone, quick update on the raid tonight: we start at 21:00 \
    sharp, bring potions and your best gear. if you cannot make it, react below so we can find \
    a replacement in time. also, the new dungeon drops are in the pinned sheet, have a look!!";

fn user(out: &mut String, n: u64) {
    let _ = write!(
        out,
        r#"{{"username":"member_{n}","public_flags":0,"id":"{id}","global_name":"Member {n}","discriminator":"0","clan":null,"avatar_decoration_data":null,"avatar":"{avatar:032x}","primary_guild":null}}"#,
        id = FIRST_USER + n,
        avatar = 0x5f3a_9c1d_u128 * u128::from(n + 1),
    );
}

fn member_fields(out: &mut String, n: u64) {
    let _ = write!(
        out,
        r#""roles":["{r1}","{r2}"],"premium_since":null,"pending":false,"nick":null,"mute":false,"joined_at":"2024-03-0{d}T12:00:00.000000+00:00","flags":0,"deaf":false,"communication_disabled_until":null,"banner":null,"avatar":null"#,
        r1 = FIRST_ROLE + 1 + n % 5,
        r2 = FIRST_ROLE + 6 + n % 3,
        d = 1 + n % 9,
    );
}

/// MESSAGE_CREATE `n` (sequence `seq`) by member `n % members` in channel `n % CHANNELS`.
pub fn message_create(seq: u64, n: u64, members: u64) -> Bytes {
    let author = n % members;
    let mut d = String::with_capacity(1400);
    let _ = write!(
        d,
        r#"{{"t":"MESSAGE_CREATE","s":{seq},"op":0,"d":{{"type":0,"tts":false,"timestamp":"2026-12-02T18:00:00.000000+00:00","pinned":false,"nonce":"{nonce}","mentions":[],"mention_roles":[],"mention_everyone":false,"member":{{"#,
        nonce = 1_300_000_000_000_000_000 + n,
    );
    member_fields(&mut d, author);
    let _ = write!(
        d,
        r#"}},"id":"{id}","flags":0,"embeds":[],"edited_timestamp":null,"content":"{CONTENT}","components":[],"channel_id":"{channel}","author":"#,
        id = FIRST_MESSAGE + n,
        channel = FIRST_CHANNEL + n % CHANNELS,
    );
    user(&mut d, author);
    let _ = write!(d, r#","attachments":[],"guild_id":"{GUILD_ID}"}}}}"#);
    Bytes::from(d)
}

/// Frames `first_seq..` : `count` MESSAGE_CREATEs.
pub fn messages(first_seq: u64, count: usize, members: u64) -> Vec<Bytes> {
    (0..count as u64)
        .map(|n| message_create(first_seq + n, n, members))
        .collect()
}

/// READY (sequence 1), listing the guild as unavailable.
pub fn ready() -> Bytes {
    Bytes::from(format!(
        r#"{{"t":"READY","s":1,"op":0,"d":{{"v":10,"user_settings":{{}},"user":{{"verified":true,"username":"bench-bot","mfa_enabled":false,"id":"{BOT_ID}","global_name":null,"flags":0,"email":null,"discriminator":"0","bot":true,"avatar":null}},"session_type":"normal","session_id":"bench-session","resume_gateway_url":"ws://127.0.0.1:1","relationships":[],"private_channels":[],"presences":[],"guilds":[{{"unavailable":true,"id":"{GUILD_ID}"}}],"guild_join_requests":[],"geo_ordered_rtc_regions":[],"application":{{"id":"{BOT_ID}","flags":0}},"_trace":[]}}}}"#
    ))
}

/// GUILD_CREATE (sequence 2) of the guild with `members` members (the bot among them), 9 roles
/// and [`CHANNELS`] text channels.
pub fn guild_create(members: u64) -> Bytes {
    let mut d = String::with_capacity(600 * members as usize + 8192);
    let _ = write!(
        d,
        r#"{{"t":"GUILD_CREATE","s":2,"op":0,"d":{{"id":"{GUILD_ID}","name":"Benchmark Guild","icon":null,"splash":null,"discovery_splash":null,"owner_id":"{FIRST_USER}","afk_channel_id":null,"afk_timeout":300,"verification_level":1,"default_message_notifications":1,"explicit_content_filter":2,"features":["COMMUNITY","NEWS"],"mfa_level":0,"application_id":null,"system_channel_id":null,"system_channel_flags":0,"rules_channel_id":null,"max_members":500000,"vanity_url_code":null,"description":null,"banner":null,"premium_tier":1,"premium_subscription_count":3,"preferred_locale":"en-US","public_updates_channel_id":null,"nsfw_level":0,"premium_progress_bar_enabled":false,"joined_at":"2024-01-01T00:00:00.000000+00:00","large":{large},"unavailable":false,"member_count":{members},"voice_states":[],"threads":[],"presences":[],"stage_instances":[],"guild_scheduled_events":[],"stickers":[],"emojis":[],"roles":["#,
        large = members > 250,
    );
    for r in 0..9u64 {
        if r > 0 {
            d.push(',');
        }
        let id = if r == 0 { GUILD_ID } else { FIRST_ROLE + r };
        let _ = write!(
            d,
            r#"{{"id":"{id}","name":"role {r}","color":{color},"colors":{{"primary_color":{color},"secondary_color":null,"tertiary_color":null}},"hoist":false,"icon":null,"unicode_emoji":null,"position":{r},"permissions":"1071698660929","managed":false,"mentionable":false,"flags":0}}"#,
            color = r * 1000,
        );
    }
    d.push_str(r#"],"channels":["#);
    for c in 0..CHANNELS {
        if c > 0 {
            d.push(',');
        }
        let _ = write!(
            d,
            r#"{{"id":"{id}","type":0,"guild_id":"{GUILD_ID}","name":"channel-{c}","position":{c},"permission_overwrites":[],"nsfw":false,"topic":null,"last_message_id":null,"parent_id":null,"rate_limit_per_user":0,"flags":0}}"#,
            id = FIRST_CHANNEL + c,
        );
    }
    d.push_str(r#"],"members":["#);
    let _ = write!(
        d,
        r#"{{"user":{{"username":"bench-bot","id":"{BOT_ID}","discriminator":"0","bot":true,"avatar":null,"global_name":null,"public_flags":0}},"#
    );
    member_fields(&mut d, 0);
    d.push('}');
    for n in 0..members.saturating_sub(1) {
        d.push_str(r#",{"user":"#);
        user(&mut d, n);
        d.push(',');
        member_fields(&mut d, n);
        d.push('}');
    }
    d.push_str("]}}");
    Bytes::from(d)
}

/// One identified connection to the mock gateway: READY and GUILD_CREATE were sent.
pub struct MockConn {
    bursts: mpsc::UnboundedSender<(Arc<Vec<Bytes>>, oneshot::Sender<()>)>,
}

impl MockConn {
    /// Sends `frames` as fast as the client reads; resolves once written.
    pub async fn send(&self, frames: Arc<Vec<Bytes>>) {
        let (done, written) = oneshot::channel();
        if self.bursts.send((frames, done)).is_ok() {
            let _ = written.await;
        }
    }

    /// Queues `frames` without waiting for them to be written.
    pub fn start_sending(&self, frames: Arc<Vec<Bytes>>) {
        let (done, _) = oneshot::channel();
        let _ = self.bursts.send((frames, done));
    }
}

/// A gateway on loopback that answers IDENTIFY with READY and `guild_create`, heartbeats with
/// ACKs, and then sends the frames it is given.
pub struct MockGateway {
    pub url: String,
    conns: mpsc::UnboundedReceiver<MockConn>,
}

impl MockGateway {
    pub async fn start(guild_create: Bytes) -> MockGateway {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("ws://{}", listener.local_addr().unwrap());
        let (conns_tx, conns) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                let conns_tx = conns_tx.clone();
                let guild_create = guild_create.clone();
                tokio::spawn(async move {
                    let Ok((_, mut ws)) = ServerBuilder::new().accept(stream).await else {
                        return;
                    };
                    let hello = r#"{"t":null,"s":null,"op":10,"d":{"heartbeat_interval":41250}}"#;
                    if ws.send(Message::text(hello)).await.is_err() {
                        return;
                    }
                    let (tx, mut bursts) = mpsc::unbounded_channel();
                    let mut identified = false;
                    loop {
                        tokio::select! {
                            incoming = ws.next() => {
                                // A close is answered by the next poll, which then ends.
                                let Some(Ok(message)) = incoming else { return };
                                let Some(text) = message.as_text() else { continue };
                                if text.contains(r#""op":1"#) {
                                    let ack = r#"{"t":null,"s":null,"op":11,"d":null}"#;
                                    if ws.send(Message::text(ack)).await.is_err() { return; }
                                } else if text.contains(r#""op":2"#) && !identified {
                                    identified = true;
                                    let frames = [ready(), guild_create.clone()];
                                    for frame in frames {
                                        if ws.send(Message::text(Payload::from(frame))).await.is_err() {
                                            return;
                                        }
                                    }
                                    let _ = conns_tx.send(MockConn { bursts: tx.clone() });
                                }
                            }
                            Some((frames, done)) = bursts.recv() => {
                                let frames: Arc<Vec<Bytes>> = frames;
                                for chunk in frames.chunks(256) {
                                    for frame in chunk {
                                        if ws.feed(Message::text(Payload::from(frame.clone()))).await.is_err() {
                                            return;
                                        }
                                    }
                                    if ws.flush().await.is_err() { return; }
                                }
                                let _ = done.send(());
                            }
                        }
                    }
                });
            }
        });
        MockGateway { url, conns }
    }

    /// Forgets the connections that identified so far (of earlier clients): call it before
    /// starting a client.
    pub fn forget(&mut self) {
        while self.conns.try_recv().is_ok() {}
    }

    /// The next connection to identify.
    pub async fn identified(&mut self) -> MockConn {
        self.conns
            .recv()
            .await
            .expect("the mock gateway is running")
    }
}
