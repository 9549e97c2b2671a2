//! `herald-sandbox serve`: the sandbox as a standalone local Discord, for a bot
//! in any language. REST (`/api/v10`), the gateway (the URL `GET /gateway/bot`
//! returns) and the control API (`/_sandbox`) share one port.
//!
//! ```text
//! cargo run -p herald-sandbox -- serve --world sandbox/examples/worlds/demo.toml
//! ```

use std::{net::SocketAddr, path::PathBuf, process::ExitCode, time::Duration};

use herald_sandbox::{Sandbox, World};

const USAGE: &str = "\
herald-sandbox: a local Discord on loopback (REST, gateway and a control API on one port)

USAGE:
    herald-sandbox serve [OPTIONS]

OPTIONS:
    --world FILE        the world (guilds, channels, roles, users, members) from a TOML file;
                        default: the demo world (guild \"Herald Test\", users alice, bob, carol)
    --scene FILE        a scene to play once a bot is connected (TOML); its result is printed
    --address ADDR      where to listen (default 127.0.0.1:8765; port 0 picks a free one)
    --token TOKEN       the bot token to accept (default: sandbox-token)
    --heartbeat-ms MS   the heartbeat interval in HELLO (default 41250, as Discord)
    --record-limit N    records of each kind kept: transcript lines, requests, ... (default 100000)
    --quiet             do not print the transcript
    -h, --help          this text

See docs/local-discord.md: pointing disnake, discord.py, serenity or twilight at it, world and
scene files, and the control API.";

/// The default address: a fixed port, so a bot's configuration can name it.
const DEFAULT_ADDRESS: &str = "127.0.0.1:8765";

struct Options {
    world: Option<PathBuf>,
    scene: Option<PathBuf>,
    address: SocketAddr,
    token: Option<String>,
    heartbeat: Option<Duration>,
    record_limit: Option<usize>,
    quiet: bool,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut args = args.iter();
    match args.next().map(String::as_str) {
        Some("serve") => {}
        Some("-h" | "--help") | None => return Err(String::new()),
        Some(other) => return Err(format!("unknown command {other:?}: try `serve`")),
    }
    let mut options = Options {
        world: None,
        scene: None,
        address: DEFAULT_ADDRESS.parse().map_err(|_| "bad default address")?,
        token: None,
        heartbeat: None,
        record_limit: None,
        quiet: false,
    };
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match arg.as_str() {
            "--world" => options.world = Some(value("--world")?.into()),
            "--scene" => options.scene = Some(value("--scene")?.into()),
            "--address" => {
                let text = value("--address")?;
                options.address = text.parse().map_err(|_| {
                    format!("--address {text:?} is not an address like 127.0.0.1:8765")
                })?;
            }
            "--token" => options.token = Some(value("--token")?),
            "--heartbeat-ms" => {
                let text = value("--heartbeat-ms")?;
                let ms = text
                    .parse()
                    .map_err(|_| format!("--heartbeat-ms {text:?} is not a number"))?;
                options.heartbeat = Some(Duration::from_millis(ms));
            }
            "--record-limit" => {
                let text = value("--record-limit")?;
                options.record_limit = Some(
                    text.parse()
                        .map_err(|_| format!("--record-limit {text:?} is not a number"))?,
                );
            }
            "--quiet" => options.quiet = true,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    Ok(options)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let options = match parse(&args) {
        Ok(options) => options,
        Err(error) if error.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(error) => {
            eprintln!("herald-sandbox: {error}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match serve(options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("herald-sandbox: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(options: Options) -> Result<(), String> {
    let world = match &options.world {
        Some(path) => herald_sandbox::world_from_file(path).map_err(|e| e.to_string())?,
        None => World::demo(),
    };
    let scene = match &options.scene {
        Some(path) => Some(herald_sandbox::scene_from_file(path).map_err(|e| e.to_string())?),
        None => None,
    };
    let mut builder = Sandbox::builder()
        .world(world)
        .address(options.address)
        .print_transcript(!options.quiet);
    if let Some(token) = options.token {
        builder = builder.token(token);
    }
    if let Some(heartbeat) = options.heartbeat {
        builder = builder.heartbeat_interval(heartbeat);
    }
    if let Some(limit) = options.record_limit {
        builder = builder.record_limit(limit);
    }
    let sb = builder.start().await.map_err(|error| {
        format!("{error} (is another sandbox running there? pick a port: --address 127.0.0.1:0)")
    })?;
    let base = format!("http://{}", sb.http_proxy());
    // The first line says where; tests and scripts read it.
    println!("herald-sandbox listening on {base}");
    println!("  REST        {}", sb.http_base_url());
    println!("  gateway     {}", sb.gateway_url());
    println!("  control     {base}/_sandbox");
    println!("  token       {}", sb.token());
    println!("stop with Ctrl-C");
    if let Some(scene) = scene {
        let sb = sb.clone();
        tokio::spawn(async move {
            match scene.run(&sb).await {
                Ok(report) => println!("[scene] passed: {report}"),
                Err(error) => println!("[scene] failed: {error}"),
            }
        });
    }
    shutdown_signal().await;
    println!("herald-sandbox: stopped");
    Ok(())
}

/// Ctrl-C, or SIGTERM on Unix.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
