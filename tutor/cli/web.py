"""`tutor web`: the tutor in browser tabs, one app process per tab, through textual-serve.

textual-serve runs a command per WebSocket and relays its terminal to xterm.js in the
page. Three things are added here:

- a learner name per tab (`/?name=alice`, or a small form asking for one), and each
  learner's own data folder passed to that tab's process as `TUTOR_DATA_DIR`, so tabs
  never share a progress file; one open tab per learner at a time;
- loopback only unless `--allow-remote`, as `tutor serve` does, and requests whose
  `Host` is not an address the server is bound to are refused (the DNS-rebinding
  shape), as are WebSocket upgrades from another origin (a page elsewhere must not
  drive a learner's tutor);
- the process command is fixed here and never built from the request: the name only
  travels in the environment, after `learner_name` made it a plain folder name.
"""

from __future__ import annotations

import os
import shlex
import socket
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote, urlsplit

import aiohttp_jinja2
import jinja2
from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server

from tutor.classroom.learners import LEARNER_VARIABLE, Learner, LearnerNameError, learner
from tutor.cli.serve import base_url, bind
from tutor.cli.serve_limits import allowed_hosts, host_allowed
from tutor.visible import visible


class LearnerAppService(AppService):
    """One tab's app process, with the learner's own data folder."""

    def __init__(self, command: str, learner: Learner, **kwargs: Any) -> None:
        super().__init__(command, **kwargs)
        self.learner = learner

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(width=width, height=height)
        environment["TUTOR_DATA_DIR"] = str(self.learner.folder)
        environment[LEARNER_VARIABLE] = self.learner.name
        return environment


class TutorWebServer(Server):
    """textual-serve's server with learners, host checks and a socket bound beforehand."""

    def __init__(self, sock: socket.socket, class_folder: Path, command: str,
                 extra_hosts: frozenset[str] = frozenset()) -> None:
        self.sock = sock
        url = base_url(sock)
        super().__init__(command, host=urlsplit(url).hostname or "127.0.0.1",
                         port=sock.getsockname()[1], title="tutor", public_url=url)
        self.class_folder = class_folder
        self.allowed_hosts = allowed_hosts(sock.getsockname()[0], extra_hosts)
        self.open_learners: set[str] = set()

    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._check_host])
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path))
        app.add_routes([
            web.get("/", self.handle_start, name="index"),
            web.get("/ws/{learner}", self.handle_learner_socket, name="websocket"),
            web.get("/download/{key}", self.handle_download, name="download"),
            web.static("/static", self.statics_path, name="static"),
        ])
        app.on_startup.append(self.on_startup)
        return app

    @web.middleware
    async def _check_host(self, request: web.Request,
                          handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
                          ) -> web.StreamResponse:
        if not host_allowed(request.host, self.allowed_hosts):
            return web.Response(status=421, text=(
                f"tutor web does not answer for the host {visible(request.host)!r}: only "
                f"for the addresses it listens on ({', '.join(sorted(self.allowed_hosts))})."
                " Add a name with --allowed-host."))
        return await handler(request)

    async def on_startup(self, app: web.Application) -> None:
        return None  # `run` prints the banner; textual-serve's logo is not ours

    async def handle_start(self, request: web.Request) -> web.StreamResponse:
        """The name form, or the tutor itself once a name is given."""
        raw = request.query.get("name")
        if raw is None:
            return _name_form("")
        try:
            who = learner(self.class_folder, raw)
        except LearnerNameError as exc:
            return _name_form(str(exc), raw)
        if who.name.casefold() in self.open_learners:
            return _name_form(f"{who.name} already has the tutor open in another tab: "
                              "use that tab, or close it first.", raw)
        # The host the browser used (checked above), so the socket's Origin matches it.
        context = {
            "font_size": _int(request.query.get("fontsize"), 16),
            "app_websocket_url": f"ws://{request.host}/ws/{quote(who.name)}",
            "config": {"static": {"url": f"http://{request.host}/static/"}},
            "application": {"name": f"tutor: {who.name}"},
        }
        return aiohttp_jinja2.render_template("app_index.html", request, context)

    async def handle_learner_socket(self, request: web.Request) -> web.StreamResponse:
        """One tab: its own app process, with the learner's folder."""
        origin = request.headers.get("Origin")
        if origin is not None and not host_allowed(urlsplit(origin).netloc, self.allowed_hosts):
            return web.Response(status=403, text="WebSocket from another origin refused")
        try:
            who = learner(self.class_folder, request.match_info["learner"])
        except LearnerNameError as exc:
            return web.Response(status=400, text=str(exc))
        key = who.name.casefold()
        if key in self.open_learners:
            return web.Response(status=409, text=f"{who.name} is open in another tab")
        self.open_learners.add(key)
        websocket = web.WebSocketResponse(heartbeat=15)
        service: LearnerAppService | None = None
        try:
            await websocket.prepare(request)
            service = LearnerAppService(
                self.command, who, write_bytes=websocket.send_bytes,
                write_str=websocket.send_str, close=websocket.close,
                download_manager=self.download_manager, debug=self.debug)
            await service.start(_int(request.query.get("width"), 80),
                                _int(request.query.get("height"), 24))
            await self._relay(websocket, service)
        finally:
            self.open_learners.discard(key)
            if service is not None:
                await service.stop()
        return websocket

    async def _relay(self, websocket: web.WebSocketResponse, service: AppService) -> None:
        # The browser's messages, as textual-serve's own handler reads them.
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            envelope = message.json()
            if not isinstance(envelope, list) or not envelope:
                continue
            kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
            if kind == "stdin" and isinstance(data, str):
                await service.send_bytes(data.encode("utf-8"))
            elif kind == "resize" and isinstance(data, dict):
                await service.set_terminal_size(_int(data.get("width"), 80),
                                                _int(data.get("height"), 24))
            elif kind == "ping":
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await service.blur()
            elif kind == "focus":
                await service.focus()

    def run(self) -> None:
        """Serve until interrupted (Ctrl+C)."""
        self.initialize_logging()
        web.run_app(self._make_app(), sock=self.sock, print=None, handle_signals=True)


def _int(value: object, default: int) -> int:
    try:
        number = int(str(value))
    except ValueError:
        return default
    return number if 1 <= number <= 1000 else default


_FORM = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tutor</title>
<style>body {{ font-family: system-ui, sans-serif; margin: 4rem auto; max-width: 32rem; }}
input, button {{ font-size: 1.1rem; padding: .4rem; }} .error {{ color: #b00020; }}</style>
</head><body><h1>tutor</h1>
<p>How web login really works: session cookies versus JWTs.</p>
<form method="get" action="/"><label for="name">Your name</label><br>
<input id="name" name="name" value="{value}" maxlength="40" autofocus required>
<button type="submit">Start</button></form>
<p class="error">{error}</p>
<p>Your progress is kept under this name on the teacher's machine; use the same name
next time to carry on.</p></body></html>
"""


def _name_form(error: str, value: str = "") -> web.Response:
    from html import escape

    return web.Response(text=_FORM.format(error=escape(error), value=escape(value)),
                        content_type="text/html", status=400 if error else 200)


def tutor_command(lessons: Path | None) -> str:
    """The command each tab runs: this Python's tutor, with the course chosen."""
    parts = [sys.executable, "-m", "tutor"]
    if lessons is not None:
        parts += ["--lessons", str(lessons.resolve())]
    return " ".join(shlex.quote(part) for part in parts)


def serve_web(class_folder: Path, lessons: Path | None, host: str, port: int,
              allow_remote: bool, extra_hosts: frozenset[str], out: TextIO) -> None:
    """Bind, print where, and serve until interrupted; raises ServeError."""
    sock = bind(host, port, allow_remote)
    class_folder.mkdir(parents=True, exist_ok=True)
    server = TutorWebServer(sock, class_folder, tutor_command(lessons), extra_hosts)
    url = base_url(sock)
    print(f"tutor web: open {url}/ in a browser (one tab per learner; "
          f"{url}/?name=NAME skips the name question).\n"
          f"Progress is kept per learner under {class_folder}{os.sep}learners\n"
          f"Class report: tutor classroom report {shlex.quote(str(class_folder))}\n"
          "Press Ctrl+C to stop.", file=out, flush=True)
    server.run()
