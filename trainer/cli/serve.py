"""``trainer serve``: the Textual app in a browser, through Textualize's textual-serve.

Each browser tab that connects gets its own ``trainer practice`` process (textual-serve's
``AppService``), all on the same database: the guarantees of two instances in two
terminals hold (one transaction per answer; a card answered in another tab is scheduled
on top of that answer).

Secure by default:

- bound to 127.0.0.1 (this machine only), requests must name the server as
  127.0.0.1/localhost/[::1] (a web page cannot reach it by rebinding a DNS name), and the
  websocket must come from the page's own origin (another site open in the browser cannot
  drive the app);
- bound to any other address (a phone on the network), or with ``token_required``, every
  request (page, static files, websocket) must carry the random token printed in the URL,
  as ``?token=`` or as the cookie the page sets from it; it is compared in constant time
  (``hmac.compare_digest``). Without it: 403, and no app process is started.

Not protected: the traffic itself (plain HTTP, no TLS): use it on a trusted network, or
behind a TLS proxy.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
import secrets
import shlex
import signal
import socket
import sys
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from textual_serve.server import Server

TOKEN_PARAM = "token"
_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}
_VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'

log = logging.getLogger("trainer.cli.serve")


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the server on this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a name: it may resolve to anything
        return False


def new_token() -> str:
    return secrets.token_urlsafe(24)  # 192 random bits


def app_command(settings_args: list[str]) -> str:
    """The shell command each tab runs: this Python, this trainer, the same database."""
    return shlex.join([sys.executable, "-m", "trainer", *settings_args, "practice"])


def lan_address() -> str | None:
    """This machine's address on its network, for the URL a phone opens (no packet is
    sent: connecting a UDP socket only picks the route)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed anywhere real
            return probe.getsockname()[0]
    except OSError:
        return None


class TrainerServer(Server):
    """textual-serve's server with the checks above on every request."""

    def __init__(self, command: str, *, host: str = "127.0.0.1", port: int = 8000,
                 token: str | None = None, title: str = "trainer",
                 on_ready: Callable[[TrainerServer], None] | None = None) -> None:
        super().__init__(command, host=host, port=port, title=title)
        self.token = token
        self.cookie = f"trainer_token_{port}"  # per port: two servers on one host
        self.apps_started = 0
        self._on_ready = on_ready

    # -- the URLs ----------------------------------------------------------------------
    def urls(self) -> list[str]:
        """Where to open the app: with the token when one is needed."""
        query = f"/?{TOKEN_PARAM}={self.token}" if self.token else "/"
        if self.host in ("0.0.0.0", "::", ""):
            hosts = [h for h in (lan_address(), "127.0.0.1") if h]
        else:
            hosts = [f"[{self.host}]" if ":" in self.host else self.host]
        return [f"http://{h}:{self.port}{query}" for h in hosts]

    # -- the checks --------------------------------------------------------------------
    def refusal(self, request: web.Request) -> str | None:
        """Why ``request`` is refused (None: let it through)."""
        if self.token is None:
            host = urlsplit(f"//{request.host}").hostname or ""
            if host not in _LOOPBACK_NAMES and not is_loopback(host):
                return "this server answers to 127.0.0.1 and localhost only"
        origin = request.headers.get("Origin")
        if request.path == "/ws" and origin is not None and urlsplit(origin).netloc != \
                request.host:
            return "the websocket must come from the app's own page"
        if self.token is not None:
            given = request.query.get(TOKEN_PARAM) or request.cookies.get(self.cookie) or ""
            if not hmac.compare_digest(given.encode(), self.token.encode()):
                return "a valid token is needed (open the URL 'trainer serve' printed)"
        return None

    @web.middleware
    async def guard(self, request: web.Request,
                    handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                    ) -> web.StreamResponse:
        reason = self.refusal(request)
        if reason is not None:
            log.warning("refused %s %s: %s", request.method, request.path, reason)
            return web.Response(status=403, text=f"403 Forbidden: {reason}\n")
        response = await handler(request)
        if self.token is not None and request.query.get(TOKEN_PARAM) \
                and not response.prepared:
            # The page's own requests (scripts, the websocket) carry the token as a cookie.
            response.set_cookie(self.cookie, self.token, httponly=True, samesite="Strict",
                                path="/")
        return response

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self.guard)
        return app

    # -- the page ----------------------------------------------------------------------
    async def handle_index(self, request: web.Request) -> web.Response:
        """textual-serve's page, with URLs relative to the address the browser used (not
        0.0.0.0) and a viewport that fits a phone's screen."""
        import aiohttp_jinja2

        secure = request.scheme == "https" or \
            request.headers.get("X-Forwarded-Proto", "").lower() == "https"
        origin = f"{'https' if secure else 'http'}://{request.host}"
        try:
            font_size = int(request.query.get("fontsize", "16"))
        except ValueError:
            font_size = 16
        context: dict[str, Any] = {
            "font_size": min(max(font_size, 6), 48),
            "app_websocket_url": f"{'wss' if secure else 'ws'}://{request.host}/ws",
            "config": {"static": {"url": f"{origin}/static/"}},
            "application": {"name": self.title},
        }
        page = aiohttp_jinja2.render_string("app_index.html", request, context)
        page = page.replace("<head>", f"<head>\n    {_VIEWPORT}", 1)
        return web.Response(text=page, content_type="text/html")

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        self.apps_started += 1  # one app process per tab (past the guard only)
        log.info("app %d started for %s", self.apps_started, request.remote)
        return await super().handle_websocket(request)

    async def on_startup(self, app: web.Application) -> None:
        """Quiet: ``on_ready`` says where to connect once the port is listened on."""

    # -- running -----------------------------------------------------------------------
    def _ready(self) -> None:
        if self._on_ready is not None:
            self._on_ready(self)

    def serve(self, debug: bool = False) -> None:
        """Run until Ctrl+C (or SIGTERM). Raises ``OSError`` when the address cannot be
        listened on."""
        self.debug = debug
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, self.request_exit)
            except (NotImplementedError, RuntimeError):
                pass
        try:
            # aiohttp calls ``print`` once the port is bound: the moment to give the URL
            web.run_app(self._make_app(), host=self.host, port=self.port,
                        handle_signals=False, loop=loop, print=lambda *args: self._ready())
        finally:
            loop.close()
            asyncio.set_event_loop(None)

