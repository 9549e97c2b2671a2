#!/usr/bin/env python3
"""Bots written with discord.py and disnake, unchanged but for their base URLs, against the
standalone sandbox, driven over its control API.

Each bot answers `!ping` with a message and `!members` with the member count it sees after
chunking the guild (op 8, since the 303-member "Big Guild" of the demo world file is `large`).
The libraries speak the gateway their own way: zlib-stream compression, large_threshold 250,
resume URLs from READY.

    python3 sandbox/tests/python/libraries.py [path/to/herald-sandbox]

Run it with a Python that has `discord.py` and `disnake` installed (.ci/run makes a virtual
environment for them); a library that is not installed is reported and skipped. Prints one line
per check and `N passed, M failed`. Close codes: discord.py's `close()` sends 4000, disnake's 1000.
"""

import importlib.util
import os
import subprocess
import sys

from common import Checks, http

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
WORLD = os.path.join(ROOT, "sandbox", "examples", "worlds", "demo.toml")


def bot(library, base):
    """The bot's side (run as `libraries.py --bot LIBRARY BASE`)."""
    if library == "discord":
        import discord as lib
        import yarl

        # The lines that point discord.py at a local Discord: REST, and the gateway it
        # connects to first (after that, READY's resume_gateway_url).
        lib.http.Route.BASE = f"{base}/api/v10"
        lib.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(base.replace("http", "ws", 1) + "/")
    else:
        import disnake as lib

        # disnake takes the gateway URL from GET /gateway/bot: the base URL is enough.
        lib.http.Route.BASE = f"{base}/api/v10"

    intents = lib.Intents.default()
    intents.message_content = True
    intents.members = True
    client = lib.Client(intents=intents)

    @client.event
    async def on_message(message):
        if message.content == "!ping":
            await message.channel.send(f"pong from {library}")
        elif message.content == "!members":
            await message.guild.chunk()
            await message.channel.send(f"{library} sees {len(message.guild.members)} members")
        elif message.content == "!bye":
            await client.close()

    client.run("sandbox-token")


check = Checks()


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target", "debug", "herald-sandbox")
    libraries = [name for name in ("discord", "disnake") if importlib.util.find_spec(name)]
    for missing in {"discord", "disnake"} - set(libraries):
        print(f"skip  {missing}: not installed in {sys.executable}")
    server = subprocess.Popen(
        [binary, "serve", "--world", WORLD, "--address", "127.0.0.1:0", "--quiet"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        base = server.stdout.readline().strip().rsplit(" ", 1)[-1]
        control = f"{base}/_sandbox"
        for library in libraries:
            _, before = http("GET", f"{control}/gateway")
            client = subprocess.Popen([sys.executable, __file__, "--bot", library, base])
            try:
                status, _ = http("POST", f"{control}/wait/connected", {"timeout_ms": 20000})
                check(f"{library}: connects and identifies", status == 200)
                for command, channel, answer in [
                    ("!ping", "general", f"pong from {library}"),
                    ("!members", "lobby", f"{library} sees 303 members"),
                ]:
                    _, said = http("POST", f"{control}/say", {"user": "alice", "channel": channel, "text": command})
                    status, waited = http(
                        "POST",
                        f"{control}/wait/message",
                        {"channel": channel, "contains": answer, "after": said["message_id"], "timeout_ms": 20000},
                    )
                    check(f"{library}: {command} is answered {answer!r}", status == 200, waited)
                _, gateway = http("GET", f"{control}/gateway")
                new = gateway["identifies"][len(before["identifies"]) :]
                last = ([i for i in new if i["accepted"]] or [None])[-1]
                check(
                    f"{library}: identified with zlib-stream and large_threshold 250",
                    last is not None
                    and last["compression"] == "zlib-stream"
                    and last["large_threshold"] == 250,
                    last,
                )
                http("POST", f"{control}/say", {"user": "alice", "channel": "general", "text": "!bye"})
                client.wait(timeout=20)
                _, gateway = http("GET", f"{control}/gateway")
                closes = gateway["closes"][len(before["closes"]) :]
                # The code is the library's choice (discord.py closes with 4000, disnake 1000):
                # what counts is that the sandbox recorded it.
                check(
                    f"{library}: its close frame is recorded with its code",
                    len(closes) == 1 and closes[0]["code"] in (1000, 4000),
                    closes,
                )
            finally:
                if client.poll() is None:
                    client.kill()
                client.wait()
    finally:
        server.terminate()
        server.wait(timeout=10)
    return check.summary()


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--bot":
        bot(sys.argv[2], sys.argv[3])
    else:
        sys.exit(main())
