"""``trainer serve``: the guard in front of textual-serve (in process, with aiohttp's test
client), and the whole thing in a real browser (headless Chromium from the Debian
packages, driven by Playwright): load the page on a phone-sized screen, reveal and grade
by key and by touch, find the reviews in SQLite; without the token, 403 and no app."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from aiohttp import WSServerHandshakeError
from aiohttp.test_utils import TestClient, TestServer

from trainer.cli.main import main
from trainer.cli.serve import TOKEN_PARAM, TrainerServer, is_loopback

TOKEN = "s3cret-token-for-tests"


async def client_for(server: TrainerServer) -> TestClient:
    client = TestClient(TestServer(await server._make_app()))
    await client.start_server()
    return client


def test_loopback_or_not():
    assert is_loopback("127.0.0.1") and is_loopback("127.0.0.2") and is_loopback("::1")
    assert is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
    assert not is_loopback("example.com") and not is_loopback("::")


async def test_token_on_every_request_and_on_the_websocket():
    server = TrainerServer("false", port=8000, token=TOKEN)
    client = await client_for(server)
    try:
        for path in ("/", "/static/js/textual.js", "/ws", f"/?{TOKEN_PARAM}=wrong",
                     f"/?{TOKEN_PARAM}={TOKEN}x", f"/?{TOKEN_PARAM}="):
            response = await client.get(path)
            assert response.status == 403, path
        with pytest.raises(WSServerHandshakeError) as refused:
            await client.ws_connect("/ws")
        assert refused.value.status == 403
        assert server.apps_started == 0

        page = await client.get(f"/?{TOKEN_PARAM}={TOKEN}")
        assert page.status == 200
        html = await page.text()
        assert 'name="viewport" content="width=device-width' in html
        host = f"{client.server.host}:{client.server.port}"
        assert f'data-session-websocket-url="ws://{host}/ws"' in html  # not 0.0.0.0
        cookie = page.cookies[server.cookie]
        assert cookie.value == TOKEN and cookie["httponly"] and cookie["samesite"] == "Strict"
        # The page's own requests carry the cookie (the test client keeps it)
        assert (await client.get("/static/js/textual.js")).status == 200
        client.session.cookie_jar.clear()
        assert (await client.get("/static/js/textual.js")).status == 403
    finally:
        await client.close()


async def test_loopback_without_token_refuses_other_hosts_and_origins():
    server = TrainerServer("false", port=8000, token=None)
    client = await client_for(server)
    try:
        assert (await client.get("/")).status == 200
        # DNS rebinding: a page of evil.example whose name now points at 127.0.0.1
        assert (await client.get("/", headers={"Host": "evil.example:8000"})).status == 403
        # Another site's script opening the websocket (browsers always send Origin)
        with pytest.raises(WSServerHandshakeError) as refused:
            await client.ws_connect("/ws", headers={"Origin": "http://evil.example"})
        assert refused.value.status == 403
        assert server.apps_started == 0
    finally:
        await client.close()


def test_any_other_address_gets_a_token(monkeypatch, capsys, tmp_path):
    """``--host 0.0.0.0`` prints a URL with a fresh random token (the server is not
    started: ``serve`` is replaced by the printing of that URL)."""
    started = []

    def fake_serve(self, debug=False):
        started.append(self)
        self._on_ready(self)

    monkeypatch.setattr(TrainerServer, "serve", fake_serve)
    home = ["--home", str(tmp_path / "home")]
    assert main([*home, "serve", "--host", "0.0.0.0", "--port", "8123"]) == 0
    assert main([*home, "serve", "--host", "0.0.0.0", "--port", "8123"]) == 0
    out = capsys.readouterr().out
    tokens = re.findall(rf"http://[^ ]+:8123/\?{TOKEN_PARAM}=([\w-]+)", out)
    assert len(tokens) >= 2 and len(set(tokens)) == 2 and all(len(t) >= 32 for t in tokens)
    assert started[0].token == tokens[0] and "Plain HTTP" in out
    assert main([*home, "serve"]) == 0  # 127.0.0.1: no token
    assert started[-1].token is None and "token=" not in capsys.readouterr().out
    assert main([*home, "serve", "--port", "0"]) == 2
    assert capsys.readouterr().err == "trainer: --port 0: give a port from 1 to 65535\n"


def test_a_port_in_use_is_one_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "trainer", "--home", str(tmp_path / "home"), "serve",
             "--port", str(port)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr == f"trainer: 127.0.0.1:{port}: cannot listen (Address already " \
                            "in use)\n"
    assert "open http" not in result.stdout


# -- in a real browser ------------------------------------------------------------------------
PHONE = {"width": 390, "height": 844}  # CSS pixels of a mid-size phone
DECK = """---
topic: conv
title: Convolution
---

## Output size of a convolution? {#conv-size}

$\\lfloor (H + 2P - K) / S \\rfloor + 1$

## Parameters of a 3x3 conv from 64 to 128 channels? {#conv-params}

$64 \\cdot 128 \\cdot 9 + 128 = 73{,}856$ with bias.

## What does average pooling send back? {#pool-avg}

Each input of a $k \\times k$ window receives $g / k^2$.
"""


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        if found := shutil.which(name):
            return found
    return None


def browser_or_skip() -> str:
    """Chromium and Playwright, or the reason they cannot be had (a failure on CI)."""
    reasons = []
    for module, package in (("playwright.sync_api", "Playwright"), ("pyte", "pyte")):
        try:
            __import__(module)
        except ImportError:
            reasons.append(f"{package} is not installed (pip install -e '.[dev]')")
    path = chromium()
    if path is None:
        reasons.append("no chromium binary (apt-get install chromium)")
    if reasons:
        message = "browser test cannot run: " + "; ".join(reasons)
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


@pytest.fixture
def served(tmp_path):
    """``trainer serve --token-required`` on a free port, over a home of three cards."""
    home, decks = tmp_path / "home", tmp_path / "decks"
    home.mkdir()
    decks.mkdir()
    (decks / "conv.md").write_text(DECK, encoding="utf-8")
    (home / "config.toml").write_text(
        f"builtin_deck = false\nexercises = false\ndecks = [{json.dumps(str(decks))}]\n",
        encoding="utf-8")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRAINER_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "trainer", "--home", str(home), "serve", "--port", str(port),
         "--token-required"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=env, start_new_session=True)
    try:
        line = process.stdout.readline()
        match = re.search(r"open (http://\S+)", line)
        assert match, line + process.stderr.read()
        yield process, match.group(1), home / "trainer.sqlite3"
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # the server and the apps it started
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def ratings(db: Path) -> list[int]:
    with sqlite3.connect(db) as c:
        return [r for (r,) in c.execute("SELECT rating FROM reviews ORDER BY id")]


def test_in_a_browser_on_a_phone_sized_screen(served):
    executable = browser_or_skip()
    import pyte
    from playwright.sync_api import sync_playwright

    process, url, db = served
    base = url.split("?")[0]
    from urllib.error import HTTPError
    from urllib.request import urlopen

    # Without the token: 403 for the page and for the websocket, and no app process
    with pytest.raises(HTTPError) as refused:
        urlopen(base, timeout=10)
    assert refused.value.code == 403
    port = int(re.search(r":(\d+)/", base)[1])
    handshake = socket.create_connection(("127.0.0.1", port), timeout=10)
    handshake.sendall(b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                      b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                      b"Sec-WebSocket-Version: 13\r\n\r\n")
    assert handshake.recv(64).startswith(b"HTTP/1.1 403")
    handshake.close()
    assert children(process.pid) == []

    # The terminal as the browser draws it, rebuilt from the bytes the app sends
    screen = pyte.Screen(80, 24)
    stream = pyte.ByteStream(screen)

    def on_socket(ws):
        size = re.search(r"width=(\d+)&height=(\d+)", ws.url)
        screen.resize(int(size[2]), int(size[1]))
        ws.on("framereceived", lambda data: stream.feed(data) if isinstance(data, bytes)
              else None)
        ws.on("framesent", lambda data: resize(data))

    def resize(data) -> None:
        if isinstance(data, str) and data.startswith('["resize"'):
            size = json.loads(data)[1]
            screen.resize(size["height"], size["width"])

    def find(page, text: str, timeout: float = 20) -> tuple[int, int]:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for row, line in enumerate(screen.display):
                if (col := line.find(text)) >= 0:
                    return col, row
            page.wait_for_timeout(50)
        raise AssertionError(f"{text!r} not on screen:\n" + "\n".join(screen.display))

    def reviews_become(expected: list[int]) -> None:
        end = time.monotonic() + 20
        while ratings(db) != expected and time.monotonic() < end:
            time.sleep(0.05)
        assert ratings(db) == expected

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable,
                                    args=["--no-sandbox", "--disable-gpu"])
        try:
            context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
            page = context.new_page()
            # No network in tests: the page's web font is refused at once
            page.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/]).*"),
                       lambda route: route.abort())
            page.on("websocket", on_socket)
            page.goto(url)
            find(page, "show the answer")
            assert len(children(process.pid)) >= 1  # this tab's app
            assert screen.columns < 72  # a phone's width: the grades go two by two
            box = page.locator(".xterm-screen").bounding_box()

            def tap(text: str) -> None:
                col, row = find(page, text)
                cell_w, cell_h = box["width"] / screen.columns, box["height"] / screen.lines
                page.touchscreen.tap(box["x"] + (col + len(text) / 2) * cell_w,
                                     box["y"] + (row + 0.5) * cell_h)

            # Keys (a phone's keyboard or a laptop's): space shows, 4 grades Easy
            page.locator(".xterm-helper-textarea").focus()
            page.keyboard.press("Space")
            find(page, "Easy")
            page.keyboard.press("4")
            reviews_become([4])
            # Touch: the hint shows the answer, the Hard button grades
            tap("show the answer")
            assert find(page, "Good")[1] > find(page, "Again")[1]  # two rows of two
            tap("Hard")
            reviews_become([4, 2])
        finally:
            browser.close()
