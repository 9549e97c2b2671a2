//! The `herald-sandbox serve` binary as a child process, with the example world and scene files,
//! a twilight-gateway shard and twilight-http client playing the bot (zstd-stream compressed
//! frames, as twilight asks by default), and the control API driven over plain HTTP.

use std::{
    process::Stdio,
    time::{Duration, Instant},
};

use serde_json::{Value, json};
use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
    net::TcpStream,
    process::{Child, Command},
    sync::mpsc,
};
use twilight_gateway::{
    ConfigBuilder, Event, EventTypeFlags, Intents, Shard, ShardId, StreamExt as _,
    queue::InMemoryQueue,
};

const WAIT: Duration = Duration::from_secs(20);

fn example(path: &str) -> String {
    format!("{}/examples/{path}", env!("CARGO_MANIFEST_DIR"))
}

/// The server and the lines it prints.
struct Server {
    child: Child,
    lines: mpsc::UnboundedReceiver<String>,
    /// `http://127.0.0.1:PORT`.
    base: String,
}

impl Server {
    async fn start(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_herald-sandbox"))
            .arg("serve")
            .args(["--address", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("the binary starts");
        let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        let (tx, mut lines) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Ok(Some(line)) = stdout.next_line().await {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let first = tokio::time::timeout(WAIT, lines.recv())
            .await
            .expect("the server prints where it listens")
            .expect("the server prints a line");
        let base = first
            .strip_prefix("herald-sandbox listening on ")
            .unwrap_or_else(|| panic!("the first line says where: {first}"))
            .to_owned();
        Server { child, lines, base }
    }

    /// Waits for a printed line containing `text`.
    async fn line(&mut self, text: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.lines.recv()).await {
                Ok(Some(line)) if line.contains(text) => return line,
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => panic!("no line containing {text:?}"),
            }
        }
    }

    /// A control API call: `(status, JSON body)`.
    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let address = self.base.trim_start_matches("http://");
        let mut stream = TcpStream::connect(address).await.unwrap();
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        let (head, body) = answer.split_once("\r\n\r\n").expect("an HTTP answer");
        let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap();
        (status, serde_json::from_str(body).unwrap_or(Value::Null))
    }
}

/// A bot on twilight: answers `!ping` with "pong" over REST, and reports each GUILD_CREATE's
/// name, `large` and member count.
fn spawn_bot(info: &Value) -> mpsc::UnboundedReceiver<(String, bool, u64)> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let token = info["token"].as_str().unwrap().to_owned();
    let config = ConfigBuilder::new(
        token.clone(),
        Intents::GUILDS | Intents::GUILD_MESSAGES | Intents::MESSAGE_CONTENT,
    )
    .proxy_url(info["gateway_url"].as_str().unwrap().to_owned())
    .queue(InMemoryQueue::new(0, 0, Duration::ZERO, 0))
    .build();
    let mut shard = Shard::with_config(ShardId::ONE, config);
    let base = info["base_url"].as_str().unwrap();
    let http = twilight_http::Client::builder()
        .token(token)
        .proxy(base.trim_start_matches("http://").to_owned(), true)
        .build();
    let (tx, guilds) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(event) = shard.next_event(EventTypeFlags::all()).await {
            match event {
                Ok(Event::GuildCreate(guild)) => {
                    if let twilight_model::gateway::payload::incoming::GuildCreate::Available(g) =
                        *guild
                    {
                        let _ = tx.send((g.name, g.large, g.member_count.unwrap_or(0)));
                    }
                }
                Ok(Event::MessageCreate(msg)) if msg.content == "!ping" => {
                    http.create_message(msg.channel_id)
                        .content("pong")
                        .await
                        .expect("REST answers");
                }
                Ok(_) => {}
                Err(error) => panic!("the shard fails: {error}"),
            }
        }
    });
    guilds
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_plays_a_scene_file_against_a_twilight_bot_and_answers_the_control_api() {
    let mut server = Server::start(&[
        "--world",
        &example("worlds/demo.toml"),
        "--scene",
        &example("scenes/ping.toml"),
    ])
    .await;
    let (status, info) = server.call("GET", "/_sandbox", None).await;
    assert_eq!(status, 200, "{info}");
    assert_eq!(info["base_url"], server.base);
    assert_eq!(
        info["gateway_url"],
        server.base.replace("http://", "ws://"),
        "REST, the gateway and the control API share one port"
    );

    let mut guilds = spawn_bot(&info);
    // The scene (alice says !ping, expects pong) waits for the bot, then passes.
    let passed = server.line("[scene]").await;
    assert!(passed.starts_with("[scene] passed: 2 steps"), "{passed}");
    assert!(passed.contains("matched \"pong\""), "{passed}");

    // large follows twilight's large_threshold (50): the 303-member guild is large.
    let mut seen = Vec::new();
    while seen.len() < 2 {
        seen.push(
            tokio::time::timeout(WAIT, guilds.recv())
                .await
                .unwrap()
                .unwrap(),
        );
    }
    seen.sort();
    assert_eq!(
        seen,
        [
            ("Big Guild".to_owned(), true, 303),
            ("Herald Test".to_owned(), false, 5)
        ]
    );

    let (_, gateway) = server.call("GET", "/_sandbox/gateway", None).await;
    let identify = &gateway["identifies"][0];
    assert_eq!(identify["compression"], "zstd-stream", "{gateway}");
    assert_eq!(identify["large_threshold"], 50);
    assert_eq!(identify["accepted"], true);

    // A fault over the control API: op 7; the bot resumes and still answers.
    let (status, answer) = server
        .call(
            "POST",
            "/_sandbox/fault",
            Some(json!({ "kind": "reconnect" })),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    server.line("[gateway] shard 0 resumed").await;
    let (status, said) = server
        .call(
            "POST",
            "/_sandbox/say",
            Some(json!({ "user": "bob", "channel": "general", "text": "!ping" })),
        )
        .await;
    assert_eq!(status, 200, "{said}");
    let (status, waited) = server
        .call(
            "POST",
            "/_sandbox/wait/message",
            // After bob's message: the scene's pong is there already.
            Some(json!({
                "channel": "general",
                "contains": "pong",
                "after": said["message_id"],
                "timeout_ms": 10_000,
            })),
        )
        .await;
    assert_eq!(status, 200, "{waited}");
    let (_, requests) = server.call("GET", "/_sandbox/requests", None).await;
    let posts = requests["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["method"] == "POST")
        .count();
    assert_eq!(posts, 2, "one pong for the scene, one for bob: {requests}");

    // Scenes posted over the control API: one that is not TOML, one whose step fails (the
    // answer says what the bot said instead).
    let (status, failed) = raw_scene(&server, "say = ").await;
    assert_eq!(status, 400, "a body that is not a scene: {failed}");
    let (status, failed) = raw_scene(
        &server,
        "[[steps]]\nexpect = { channel = \"general\", contains = \"never\", within = \"200ms\" }\n",
    )
    .await;
    assert_eq!(status, 422, "{failed}");
    assert!(
        failed["error"].as_str().unwrap().contains("pong"),
        "the failure lists the bot's messages: {failed}"
    );

    // SIGTERM stops it cleanly.
    let pid = server.child.id().unwrap().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    server.line("herald-sandbox: stopped").await;
    let exit = tokio::time::timeout(WAIT, server.child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(exit.success(), "{exit}");
}

/// Posts a scene's TOML text as it is.
async fn raw_scene(server: &Server, toml: &str) -> (u16, Value) {
    let address = server.base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).await.unwrap();
    let request = format!(
        "POST /_sandbox/scene HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\
         Content-Length: {}\r\n\r\n{toml}",
        toml.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap();
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_mistake_in_a_world_file_names_its_line_and_the_server_does_not_start() {
    let dir = std::env::temp_dir().join(format!("herald-sandbox-world-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let world = dir.join("world.toml");
    std::fs::write(
        &world,
        "users = [\"alice\"]\n\n[[guilds]]\nname = \"G\"\nmembers = [{ user = \"carol\" }]\n",
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_herald-sandbox"))
        .args(["serve", "--address", "127.0.0.1:0", "--world"])
        .arg(&world)
        .output()
        .await
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("world.toml:5:") && stderr.contains("carol"),
        "{stderr}"
    );
}
