"""What keeps `tutor serve` reachable under abuse: the Host check, read timeouts, a
connection cap, and one quiet line instead of a traceback storm when files run out.

Uvicorn's own settings cover the time between kept-alive requests (`timeout_keep_alive`)
and a 503 once too many requests run (`limit_concurrency`), but nothing bounds how long
a client may take to send a request's head and body, and a socket is accepted however
many are open: 1,100 half-sent requests made the server unreachable under a 1,024 file
limit. `guarded_h11` adds both to uvicorn's h11 protocol.
"""

from __future__ import annotations

import asyncio
import errno
import json
import resource
import socket
import time
from collections.abc import Callable, Iterable
from typing import Any, TextIO

from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn import Config, Server
from uvicorn.protocols.http.h11_impl import H11Protocol

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]", "ip6-localhost")
"""Names a loopback server always answers for."""
READ_TIMEOUT = 20.0
"""Seconds a client has to send a whole request (head and body) once it starts one."""
KEEP_ALIVE = 5
"""Seconds an idle kept-alive connection stays open (uvicorn's default)."""
MAX_CONNECTIONS = 512
"""Open connections at most; further ones are closed as soon as they are accepted."""
FILE_HEADROOM = 64
"""File descriptors kept free of connections (the listening socket, logs, imports)."""
LOG_EVERY = 10.0
"""Seconds between two lines about the same kind of trouble."""


class QuietLog:
    """One line per kind of trouble, at most every LOG_EVERY seconds, with a count of
    the repeats in between: a flood of the same failure must not flood the terminal."""

    def __init__(self, out: TextIO, every: float = LOG_EVERY) -> None:
        self.out = out
        self.every = every
        self._last: dict[str, float] = {}
        self._held: dict[str, int] = {}

    def note(self, kind: str, line: str) -> None:
        """Print `line` unless a line of this kind was printed less than `every` ago."""
        now = time.monotonic()
        last = self._last.get(kind)
        if last is not None and now - last < self.every:
            self._held[kind] = self._held.get(kind, 0) + 1
            return
        held = self._held.pop(kind, 0)
        more = f" ({held} more like it since the last report)" if held else ""
        print(f"tutor serve: {line}{more}", file=self.out, flush=True)
        self._last[kind] = now


def connection_cap(wanted: int = MAX_CONNECTIONS) -> int:
    """Connections allowed: `wanted`, or fewer when the open-file limit is lower.

    The soft limit is raised to the hard one first (a process may do that itself).
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 4096)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return max(1, min(wanted, soft - FILE_HEADROOM))


def guarded_h11(log: QuietLog, read_timeout: float = READ_TIMEOUT,
                max_connections: int = MAX_CONNECTIONS) -> type[H11Protocol]:
    """Uvicorn's h11 protocol with a whole-request read timeout and a connection cap."""

    class GuardedH11(H11Protocol):
        _read_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if len(self.connections) > max_connections:
                log.note("connections", f"{max_connections} connections are open; new ones "
                         "are closed until some end")
                self.connections.discard(self)
                transport.abort()
                return
            self._arm()

        def data_received(self, data: bytes) -> None:
            if self._read_timer is None:
                self._arm()  # the first bytes of the next request on a kept-alive connection
            super().data_received(data)

        def on_response_complete(self) -> None:
            self._disarm()
            super().on_response_complete()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _arm(self) -> None:
            self._read_timer = self.loop.call_later(read_timeout, self._read_timed_out)

        def _disarm(self) -> None:
            if self._read_timer is not None:
                self._read_timer.cancel()
                self._read_timer = None

        def _read_timed_out(self) -> None:
            self._read_timer = None
            cycle = self.cycle
            if cycle is not None and not cycle.more_body and not cycle.response_complete:
                return  # the whole request arrived; the app is still answering it
            if not self.transport.is_closing():
                log.note("read-timeout", f"dropped a connection that sent no complete "
                         f"request within {read_timeout:g} s")
                # A body cut short reaches the route as a disconnect (ClientDisconnect).
                self.transport.close()

    return GuardedH11


def quiet_accept_errors(log: QuietLog) -> None:
    """Make the running loop report "too many open files" as one line, not a traceback.

    asyncio retries accepting a second later by itself; each failure used to print a
    full traceback (58,437 of them in one run).
    """
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()

    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if isinstance(exc, OSError) and exc.errno in (errno.EMFILE, errno.ENFILE,
                                                      errno.ENOBUFS, errno.ENOMEM):
            log.note("accept", f"cannot accept connections: {exc.strerror} (open-file limit "
                     f"{resource.getrlimit(resource.RLIMIT_NOFILE)[0]}); retrying")
        elif previous is not None:
            previous(loop, context)
        else:
            loop.default_exception_handler(context)

    loop.set_exception_handler(handler)


class QuietServer(Server):
    """Uvicorn's server, with "too many open files" reported by `quiet_accept_errors`,
    and a hook for the start of shutting down."""

    def __init__(self, log: QuietLog, on_stopping: Callable[[], None], config: Config) -> (
        None
    ):
        super().__init__(config)
        self.log = log
        self.on_stopping = on_stopping
        """Called when shutting down starts, before waiting for requests in flight."""

    async def serve(self, sockets: list[socket.socket] | None = None) -> None:
        """Serve as uvicorn does, once the loop's exception handler is in place."""
        quiet_accept_errors(self.log)
        await super().serve(sockets=sockets)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """Let queued work go first, then shut down as uvicorn does."""
        self.on_stopping()
        await super().shutdown(sockets=sockets)


def allowed_hosts(bound: str, extra: Iterable[str]) -> frozenset[str]:
    """The Host names served: loopback, the address listened on, and the user's own."""
    names = {*LOOPBACK_HOSTS, _bracketed(bound)}
    names.update(_bracketed(name) for name in extra)
    return frozenset(name.lower().rstrip(".") for name in names)


def _bracketed(host: str) -> str:
    host = host.strip()
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def host_name(header: str) -> str:
    """The name in a Host header, without the port, lower-cased: `[::1]:8000` → `[::1]`."""
    header = header.strip().lower()
    if header.startswith("["):
        end = header.find("]")
        return header[: end + 1] if end > 0 else header
    name, colon, port = header.rpartition(":")
    return (name if colon and port.isdigit() else header).rstrip(".")


def host_allowed(header: str, allowed: frozenset[str]) -> bool:
    """Whether a Host header (or an Origin's host and port) names one of `allowed`
    (`allowed_hosts`; "*" allows any): the one rule `tutor serve` and `tutor web` share."""
    return "*" in allowed or host_name(header) in allowed


class HostGuard:
    """Answer only for the names this server is bound to (and those the user allowed).

    DNS rebinding points a name the attacker controls at 127.0.0.1, so that a page from
    that name can read a loopback server's answers as same-origin; the browser still
    sends the attacker's name in `Host`. Refusing unknown names stops it (the server-side
    defence in Jackson et al., "Protecting Browsers from DNS Rebinding Attacks", ACM CCS
    2007). RFC 9110 §15.5.20: an origin server sends 421 to reject a target that does not
    match an origin it is configured for (§4.3.1). Starlette's
    TrustedHostMiddleware does this check, but it cuts `[::1]:8000` at the first colon
    and answers a bare "Invalid host header"; this says which names are served.
    """

    def __init__(self, app: ASGIApp, allowed: frozenset[str]) -> None:
        self.app = app
        self.allowed = allowed
        self.any = "*" in allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.any:
            await self.app(scope, receive, send)
            return
        sent = next((v for k, v in scope["headers"] if k == b"host"), None)
        if sent is not None and host_allowed(sent.decode("latin-1"), self.allowed):
            await self.app(scope, receive, send)
            return
        names = ", ".join(sorted(self.allowed))
        if sent is None:
            status, error = 400, "a Host header is required"
        else:
            status = 421  # Misdirected Request (RFC 9110 §15.5.20)
            error = (f"this server does not answer for the host "
                     f"{json.dumps(sent.decode('latin-1'))}")
        body = json.dumps({
            "error": "misdirected_request" if status == 421 else "invalid_request",
            "error_description": f"{error}; it answers for {names}. Start it with "
            "--allowed-host NAME to add a name (a defence against DNS rebinding).",
        }).encode()
        await send({"type": "http.response.start", "status": status, "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"cache-control", b"no-store"),
        ]})
        await send({"type": "http.response.body", "body": body})
