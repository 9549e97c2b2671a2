#!/usr/bin/env python3
"""The standalone sandbox driven from Python, with the standard library only.

Starts `herald-sandbox serve` with the demo world file, reads the gateway as a small client of its
own (plain text frames, then zlib-stream compressed ones), and drives the sandbox over the
control API while it does: a user speaks, the client sees MESSAGE_CREATE and answers over REST,
the control API waits for the answer; `large` follows IDENTIFY's large_threshold; heartbeats,
the transcript, recorded requests and close codes; an encoding the sandbox does not speak is
refused with 4002.

    python3 sandbox/tests/python/control_api.py [path/to/herald-sandbox]

(default: target/debug/herald-sandbox, built by `cargo build -p herald-sandbox`). Prints one line
per check and `N passed, M failed`; exits non-zero on a failure.
"""

import base64
import json
import os
import socket
import struct
import subprocess
import sys
import threading
import zlib
from urllib.parse import urlparse

from common import Checks, http

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
WORLD = os.path.join(ROOT, "sandbox", "examples", "worlds", "demo.toml")
INTENTS = 1 | 512 | 32768  # GUILDS | GUILD_MESSAGES | MESSAGE_CONTENT
TIMEOUT = 10


# ---- a minimal WebSocket client (RFC 6455), enough for a gateway ---------------------------


class WebSocket:
    def __init__(self, url):
        u = urlparse(url)
        self.sock = socket.create_connection((u.hostname, u.port), timeout=TIMEOUT)
        key = base64.b64encode(os.urandom(16)).decode()
        path = (u.path or "/") + ("?" + u.query if u.query else "")
        self.sock.sendall(
            (
                f"GET {path} HTTP/1.1\r\nHost: {u.hostname}:{u.port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise ConnectionError("closed during the handshake")
            head += chunk
        status = head.split(b"\r\n", 1)[0]
        if b" 101 " not in status:
            raise ConnectionError(f"handshake refused: {status!r}")
        self.inflate = None
        self.buffer = b""

    def _exact(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("connection closed")
            data += chunk
        return data

    def recv(self):
        """(opcode, payload) of the next whole message (continuations joined)."""
        message, first = b"", None
        while True:
            b0, b1 = self._exact(2)
            opcode, fin, length = b0 & 0x0F, b0 & 0x80, b1 & 0x7F
            if length == 126:
                (length,) = struct.unpack(">H", self._exact(2))
            elif length == 127:
                (length,) = struct.unpack(">Q", self._exact(8))
            payload = self._exact(length)
            if opcode >= 8:  # control frames come whole, between fragments
                return opcode, payload
            first = opcode if first is None else first
            message += payload
            if fin:
                return first, message

    def send(self, opcode, payload):
        mask = os.urandom(4)
        head = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(head + mask + masked)

    def send_json(self, value):
        self.send(1, json.dumps(value).encode())

    def recv_json(self):
        """The next gateway payload; zlib-stream frames are inflated with one context."""
        while True:
            opcode, payload = self.recv()
            if opcode == 1:
                return json.loads(payload)
            if opcode == 2:
                if self.inflate is None:
                    self.inflate = zlib.decompressobj()
                self.buffer += payload
                if self.buffer.endswith(b"\x00\x00\xff\xff"):
                    text = self.inflate.decompress(self.buffer)
                    self.buffer = b""
                    return json.loads(text)
                continue
            if opcode == 8:
                code = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else None
                raise Closed(code, payload[2:].decode(errors="replace"))

    def close(self, code):
        self.send(8, struct.pack(">H", code))
        try:
            while self.recv()[0] != 8:
                pass
        except (ConnectionError, OSError):
            pass
        self.sock.close()


class Closed(Exception):
    def __init__(self, code, reason):
        super().__init__(f"closed with {code}: {reason}")
        self.code = code


check = Checks()


def identify(ws, info, **extra):
    """Sends IDENTIFY as the bot, with `extra` fields."""
    d = {
        "token": info["token"],
        "intents": INTENTS,
        "properties": {"os": "linux", "browser": "py", "device": "py"},
    }
    d.update(extra)
    ws.send_json({"op": 2, "d": d})


def session(base, info, compress, large_threshold):
    """Identify, check large, hear a user, answer over REST, heartbeat, close with 1000."""
    control = f"{base}/_sandbox"
    url = info["gateway_url"] + "/?v=10&encoding=json" + (f"&compress={compress}" if compress else "")
    label = compress or "plain"
    ws = WebSocket(url)
    hello = ws.recv_json()
    check(f"{label}: HELLO first", hello["op"] == 10, hello)
    identify(ws, info, shard=[0, 1], large_threshold=large_threshold)
    ready = ws.recv_json()
    check(f"{label}: READY", ready.get("t") == "READY", ready.get("t"))
    guilds = {}
    while len(guilds) < len(ready["d"]["guilds"]):
        event = ws.recv_json()
        if event.get("t") == "GUILD_CREATE":
            guilds[event["d"]["name"]] = event["d"]
    small = guilds.get("Herald Test")
    check(f"{label}: a small guild is not large", small is not None and small["large"] is False, small and small["large"])
    big = guilds.get("Big Guild")
    check(f"{label}: Big Guild arrives", big is not None, list(guilds))
    if big is not None:
        lists = ["stickers", "stage_instances", "guild_scheduled_events", "threads", "voice_states"]
        check(f"{label}: GUILD_CREATE carries its lists even empty", all(k in big for k in lists), sorted(big))
        many = big["member_count"] > large_threshold
        check(
            f"{label}: large follows large_threshold {large_threshold}",
            big["large"] == many and (not many or len(big["members"]) < big["member_count"]),
            (big["large"], big["member_count"], len(big["members"])),
        )

    text = f"hello over {label}"
    status, said = http("POST", f"{control}/say", {"user": "alice", "channel": "general", "text": text})
    check(f"{label}: control API says as alice", status == 200 and "message_id" in said, said)
    while True:
        event = ws.recv_json()
        if event.get("t") == "MESSAGE_CREATE":
            break
    message = event["d"]
    check(f"{label}: the client hears it", message["content"] == text, message["content"])

    status, _ = http(
        "POST",
        f"{info['api_url']}/channels/{message['channel_id']}/messages",
        {"content": f"pong over {label}"},
        token=info["token"],
    )
    check(f"{label}: the bot answers over REST", status == 200, status)
    status, waited = http(
        "POST",
        f"{control}/wait/message",
        {"channel": "general", "contains": f"pong over {label}", "after": said["message_id"]},
    )
    check(f"{label}: the control API sees the answer", status == 200, waited)

    ws.send_json({"op": 1, "d": ready.get("s")})
    while True:
        event = ws.recv_json()
        if event["op"] == 11:
            break
    check(f"{label}: heartbeat ACK", True)
    ws.close(1000)

    _, gateway = http("GET", f"{control}/gateway")
    last = gateway["identifies"][-1]
    check(
        f"{label}: identify recorded with its compression",
        last["compression"] == compress and last["large_threshold"] == large_threshold,
        last,
    )


SCENE = """
[[steps]]
say = { user = "bob", channel = "general", text = "!ping" }

[[steps]]
expect = { channel = "general", contains = "pong to bob", within = "5s" }
"""


def scene(base, info):
    """A scene posted to the control API plays bob while this client is the bot."""
    ws = WebSocket(info["gateway_url"] + "/?v=10&encoding=json&compress=zlib-stream")
    ws.recv_json()
    identify(ws, info)
    result = {}
    runner = threading.Thread(
        target=lambda: result.update(answer=http("POST", f"{base}/_sandbox/scene", SCENE))
    )
    runner.start()
    while True:
        event = ws.recv_json()
        if event.get("t") == "MESSAGE_CREATE" and event["d"]["content"] == "!ping":
            break
    http(
        "POST",
        f"{info['api_url']}/channels/{event['d']['channel_id']}/messages",
        {"content": "pong to bob"},
        token=info["token"],
    )
    runner.join(timeout=TIMEOUT + 10)
    status, report = result.get("answer", (None, None))
    check(
        "a scene posted to the control API runs while the bot answers",
        status == 200 and report["steps_run"] == 2 and report["expectations"][0]["message"]["content"] == "pong to bob",
        (status, report),
    )
    status, failed_scene = http("POST", f"{base}/_sandbox/scene", "[[steps]]\nsay = 3\n")
    check("a broken scene is a 400 naming its line", status == 400 and ":2:" in failed_scene["error"], failed_scene)
    ws.close(1000)


def commands(base, info):
    """A registered command used through the control API: names become ids, answers are read back."""
    control = f"{base}/_sandbox"
    ws = WebSocket(info["gateway_url"] + "/?v=10&encoding=json")
    ws.recv_json()
    identify(ws, info)
    _, app = http("GET", f"{info['api_url']}/applications/@me", token=info["token"])
    warn = {
        "name": "warn",
        "description": "Warns a member",
        "options": [
            {"type": 6, "name": "member", "description": "Who", "required": True},
            {"type": 3, "name": "reason", "description": "Why", "autocomplete": True},
        ],
    }
    status, _ = http("PUT", f"{info['api_url']}/applications/{app['id']}/commands", [warn], token=info["token"])
    check("commands: the bot registers /warn", status == 200, status)

    def interaction():
        while True:
            event = ws.recv_json()
            if event.get("t") == "INTERACTION_CREATE":
                return event["d"]

    status, sent = http(
        "POST", f"{control}/command", {"user": "mod", "channel": "general", "name": "warn", "options": {"member": "bob", "reason": "spam"}}
    )
    check("commands: POST /command", status == 200 and sent.get("token"), sent)
    used = interaction()
    options = {o["name"]: o["value"] for o in used["data"]["options"]}
    bob = next(u["id"] for u in info["users"] if u["name"] == "bob")
    check(
        "commands: a user option named by name arrives as the user's id, resolved",
        options["member"] == bob and bob in used["data"]["resolved"]["users"],
        used["data"],
    )
    http(
        "POST",
        f"{info['api_url']}/interactions/{used['id']}/{used['token']}/callback",
        {"type": 4, "data": {"content": "warned"}},
    )
    _, answer = http("GET", f"{control}/interaction?token={sent['token']}")
    check("commands: GET /interaction reads the answer", answer["response"]["type"] == 4, answer)

    _, sent = http(
        "POST",
        f"{control}/autocomplete",
        {"user": "mod", "channel": "general", "name": "warn", "focused": "reason", "text": "sp"},
    )
    typed = interaction()
    focused = [o for o in typed["data"]["options"] if o.get("focused")]
    check("commands: autocomplete arrives as type 4 with the focused option", typed["type"] == 4 and focused and focused[0]["value"] == "sp", typed["data"])
    http(
        "POST",
        f"{info['api_url']}/interactions/{typed['id']}/{typed['token']}/callback",
        {"type": 8, "data": {"choices": [{"name": "spam", "value": "spam"}]}},
    )
    _, answer = http("GET", f"{control}/interaction?token={sent['token']}")
    check("commands: the suggestions are read back", answer["response"]["data"]["choices"][0]["name"] == "spam", answer)
    ws.close(1000)


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target", "debug", "herald-sandbox")
    server = subprocess.Popen(
        [binary, "serve", "--world", WORLD, "--address", "127.0.0.1:0", "--quiet"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        first = server.stdout.readline().strip()
        check("the server says where it listens", first.startswith("herald-sandbox listening on http://"), first)
        base = first.rsplit(" ", 1)[-1]
        status, info = http("GET", f"{base}/_sandbox")
        check("GET /_sandbox describes the sandbox", status == 200 and info["token"], info)
        names = [g["name"] for g in info["guilds"]]
        check("the world file's guilds are there", "Herald Test" in names and "Big Guild" in names, names)

        session(base, info, None, 250)
        session(base, info, "zlib-stream", 50)
        _, said = http("POST", f"{base}/_sandbox/say", {"user": "alice", "channel": "general", "text": "later"})
        status, _ = http(
            "POST",
            f"{base}/_sandbox/wait/message",
            {"channel": "general", "contains": "pong over", "after": said["message_id"], "timeout_ms": 300},
        )
        check("wait/message after an id ignores the older answers (408)", status == 408, status)
        scene(base, info)
        commands(base, info)

        _, gateway = http("GET", f"{base}/_sandbox/gateway")
        codes = [c["code"] for c in gateway["closes"]]
        check("the close codes clients sent are recorded", codes.count(1000) >= 3, codes)

        _, transcript = http("GET", f"{base}/_sandbox/transcript")
        lines = transcript["lines"]
        check(
            "the transcript reads like a chat",
            "alice in #general: hello over plain" in lines
            and any(line.endswith("pong over zlib-stream") for line in lines),
            lines[-8:],
        )
        _, later = http("GET", f"{base}/_sandbox/transcript?since={transcript['next']}")
        check("transcript?since= gives only newer lines", later["lines"] == [], later)
        _, requests = http("GET", f"{base}/_sandbox/requests")
        posts = [r for r in requests["requests"] if r["method"] == "POST" and "/messages" in r["path"]]
        check("REST requests are recorded", len(posts) == 3 and posts[0]["status"] == 200, posts)

        status, _ = http("POST", f"{base}/_sandbox/say", {"user": "nobody", "channel": "general", "text": "x"})
        check("an unknown user is a 400 naming the users", status == 400)

        try:
            ws = WebSocket(info["gateway_url"] + "/?v=10&encoding=etf")
            ws.recv_json()
            check("encoding=etf is refused with 4002", False, "no close")
        except Closed as closed:
            check("encoding=etf is refused with 4002", closed.code == 4002, closed)

        status, _ = http("POST", f"{base}/_sandbox/reset")
        _, transcript = http("GET", f"{base}/_sandbox/transcript")
        check("reset empties the transcript", status == 200 and len(transcript["lines"]) == 1, transcript["lines"])
    finally:
        server.terminate()
        server.wait(timeout=10)
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
