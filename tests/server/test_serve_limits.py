"""`tutor serve`'s guards: the Host check, whole-request read timeouts, the connection
cap, one quiet line for "too many open files" (never a traceback per accept), and the
https port's door (plain http gets a 400 that names the https URL)."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import io
import logging
import socket
import ssl
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
import uvicorn
from starlette.types import ASGIApp

from tests.conftest import TEST_SCRYPT_COST
from tests.readiness import HANG_BOUND
from tutor.cli.serve_limits import (
    HostGuard,
    QuietLog,
    QuietServer,
    allowed_hosts,
    guarded_h11,
    host_name,
    quiet_accept_errors,
)
from tutor.cli.serve_tls import LocalCertificate, local_certificate, server_context, tls_door
from tutor.clock import SimulatedClock
from tutor.server import MockServer, ServerConfig
from tutor.server.events import RequestHandled


@pytest.mark.parametrize(("header", "name"), [
    ("127.0.0.1:8000", "127.0.0.1"), ("LOCALHOST:80", "localhost"), ("localhost.", "localhost"),
    ("[::1]:8000", "[::1]"), ("[::1]", "[::1]"), ("evil.test", "evil.test"),
    ("evil.test:notaport", "evil.test:notaport"),
])
def test_host_name_drops_the_port(header: str, name: str) -> None:
    assert host_name(header) == name


def _guarded(allowed: frozenset[str]) -> ASGIApp:
    server = MockServer(ServerConfig(scrypt_cost=TEST_SCRYPT_COST), SimulatedClock())
    return HostGuard(server.app, allowed)


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:8000", "[::1]:8000",
                                  "tutor.lan:8000"])
async def test_loopback_and_allowed_names_are_served(host: str) -> None:
    app = _guarded(allowed_hosts("127.0.0.1", ["tutor.lan"]))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url=f"http://{host}") as client:
        assert (await client.get("/")).status_code == 200


async def test_another_host_is_421_with_the_names_served() -> None:
    """DNS rebinding: a page on attacker.test whose name now points at 127.0.0.1 sends
    `Host: attacker.test`; the loopback server must not answer it."""
    app = _guarded(allowed_hosts("127.0.0.1", []))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://attacker.test:8000") as client:
        response = await client.get("/profile")
    assert response.status_code == 421
    body = response.json()
    assert body["error"] == "misdirected_request"
    assert "attacker.test" in body["error_description"]
    assert "127.0.0.1, [::1], ip6-localhost, localhost" in body["error_description"]
    assert "--allowed-host" in body["error_description"]


async def test_a_star_allows_any_host() -> None:
    app = _guarded(allowed_hosts("127.0.0.1", ["*"]))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://anything.example") as client:
        assert (await client.get("/")).status_code == 200


def test_the_bound_name_is_served_and_ipv6_is_bracketed() -> None:
    assert "[::1]" in allowed_hosts("::1", [])
    assert "192.168.1.5" in allowed_hosts("192.168.1.5", [])
    assert "[fe80::1]" in allowed_hosts("127.0.0.1", ["fe80::1"])


def test_a_flood_of_one_trouble_prints_one_line_with_a_count() -> None:
    out = io.StringIO()
    log = QuietLog(out, every=3600)
    for _ in range(1000):
        log.note("accept", "cannot accept connections")
    log.note("other", "something else")
    assert out.getvalue().splitlines() == ["tutor serve: cannot accept connections",
                                           "tutor serve: something else"]
    log.every = 0
    log.note("accept", "cannot accept connections")
    assert "999 more like it" in out.getvalue().splitlines()[-1]


async def test_out_of_files_on_accept_is_one_line_not_a_traceback_each() -> None:
    out = io.StringIO()
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()
    try:
        quiet_accept_errors(QuietLog(out, every=3600))
        for _ in range(500):
            loop.call_exception_handler({
                "message": "socket.accept() out of system resource",
                "exception": OSError(errno.EMFILE, "Too many open files"),
            })
    finally:
        loop.set_exception_handler(previous)
    [line] = out.getvalue().splitlines()
    assert "Too many open files" in line and "Traceback" not in out.getvalue()


@contextlib.asynccontextmanager
async def _uvicorn(app: ASGIApp, read_timeout: float, max_connections: int,
                   out: io.StringIO, tls: LocalCertificate | None = None,
                   ) -> AsyncIterator[tuple[str, int, uvicorn.Server]]:
    """A real uvicorn on a free loopback port in this loop, with tutor serve's guards
    (and with `tls`, its https door, whose handshake timeout is `read_timeout` too)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    log = QuietLog(out, every=3600)
    protocol = guarded_h11(log, read_timeout=read_timeout, max_connections=max_connections)
    if tls is not None:
        url = f"https://127.0.0.1:{sock.getsockname()[1]}"
        protocol = tls_door(protocol, server_context(tls), url, log, read_timeout)
    server = QuietServer(log, lambda: None, uvicorn.Config(
        app, log_level="warning", lifespan="off", http=protocol,
    ))
    task = asyncio.ensure_future(server.serve(sockets=[sock]))
    try:
        await _until(lambda: server.started or task.done())
        assert not task.done(), "uvicorn stopped before it started"
        host, port = sock.getsockname()[:2]
        yield host, port, server
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, HANG_BOUND)
        sock.close()


async def _until(ready: Callable[[], bool]) -> None:
    """Poll for readiness; only a real hang (HANG_BOUND) fails."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + HANG_BOUND
    while not ready():
        assert loop.time() < deadline, "still not ready: hung"
        await asyncio.sleep(0.005)


async def _closed_by_server(reader: asyncio.StreamReader) -> bytes:
    """Everything the server sends until it closes the connection."""
    return await asyncio.wait_for(reader.read(), HANG_BOUND)


async def test_half_sent_requests_are_dropped_and_the_server_stays_up(
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = MockServer(ServerConfig(mode="jwt", scrypt_cost=TEST_SCRYPT_COST),
                        SimulatedClock())
    out = io.StringIO()
    caplog.set_level(logging.WARNING)
    async with _uvicorn(server.app, read_timeout=0.3, max_connections=50, out=out) as (
        host, port, _,
    ):
        # A head that never ends, a body that stops halfway, and a silent connection.
        stalls = [
            b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ",
            b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100\r\n\r\n{\"username\": ",
            b"",
        ]
        streams = [await asyncio.open_connection(host, port) for _ in stalls]
        for (_, writer), data in zip(streams, stalls, strict=True):
            writer.write(data)
            await writer.drain()
        for reader, writer in streams:
            await _closed_by_server(reader)
            writer.close()
        async with httpx.AsyncClient(base_url=f"http://{host}:{port}", trust_env=False) as c:
            assert (await c.get("/")).status_code == 200
    assert "Traceback" not in out.getvalue() + caplog.text
    assert "within 0.3 s" in out.getvalue()
    statuses = [e.status for e in server.log.events if isinstance(e, RequestHandled)]
    assert 499 in statuses  # the body cut short, recorded as a client that left


async def test_connections_over_the_cap_are_closed_at_once() -> None:
    server = MockServer(ServerConfig(scrypt_cost=TEST_SCRYPT_COST), SimulatedClock())
    out = io.StringIO()
    async with _uvicorn(server.app, read_timeout=HANG_BOUND, max_connections=3, out=out) as (
        host, port, uv,
    ):
        held = [await asyncio.open_connection(host, port) for _ in range(3)]
        reader, writer = await asyncio.open_connection(host, port)
        assert await _closed_by_server(reader) == b""
        writer.close()
        for _, held_writer in held:
            held_writer.close()
            await held_writer.wait_closed()
        # Once they are gone, new clients are served again.
        await _until(lambda: not uv.server_state.connections)
        async with httpx.AsyncClient(base_url=f"http://{host}:{port}", trust_env=False) as c:
            assert (await c.get("/")).status_code == 200
    assert "3 connections are open" in out.getvalue()


@pytest.mark.parametrize("cost", ["3", "0", "262144"])
def test_a_bad_scrypt_cost_is_refused_with_a_clear_message(
    cost: str, capsys: pytest.CaptureFixture[str],
) -> None:
    from tutor.cli.main import main

    assert main(["serve", "--scrypt-cost", cost]) == 2
    assert f"--scrypt-cost {cost}: must be a power of two" in capsys.readouterr().err


def test_serve_hands_the_allowed_hosts_to_the_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    from tutor.cli import serve as serve_module
    from tutor.cli.main import main

    seen: list[tuple[str, ...]] = []
    options: list[dict[str, bool]] = []

    def fake_serve(config: object, host: str, port: int, allow_remote: bool, out: object,
                   allowed: tuple[str, ...] = (), **given: bool) -> None:
        seen.append(allowed)
        options.append(given)

    monkeypatch.setattr(serve_module, "serve", fake_serve)
    assert main(["serve", "--allowed-host", "tutor.lan", "--allowed-host",
                          "x.test"]) == 0
    assert seen == [("tutor.lan", "x.test")]
    assert main(["serve", "--https", "--quiet"]) == 0
    assert options == [{"https": False, "quiet": False}, {"https": True, "quiet": True}]


async def test_the_https_port_answers_plain_http_with_a_400_and_serves_tls(
    tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    """One port, https only: a TLS client is served over TLS (and the app sees https);
    plain http gets a 400 that names the https URL, where a TLS server alone sends
    nothing it can read; a client that connects and says nothing is dropped."""
    cert = local_certificate(tmp_path / "tls")
    server = MockServer(ServerConfig(scrypt_cost=TEST_SCRYPT_COST), SimulatedClock())
    out = io.StringIO()
    caplog.set_level(logging.WARNING)
    async with _uvicorn(server.app, read_timeout=0.3, max_connections=50, out=out,
                        tls=cert) as (host, port, _):
        url = f"https://{host}:{port}"
        trusted = ssl.create_default_context(cafile=cert.cert_path)
        async with httpx.AsyncClient(base_url=url, verify=trusted, trust_env=False) as c:
            login = await c.post("/login", json={"username": "alice",
                                                 "password": "wonderland"})
            assert login.status_code == 200
            # The app saw https: the cookie has the __Host- prefix and Secure.
            assert "__Host-sid" in login.cookies
            assert (await c.get("/profile")).status_code == 200  # kept alive, over TLS
        async with httpx.AsyncClient(base_url=f"http://{host}:{port}", trust_env=False) as c:
            plain = await c.get("/profile")
        assert plain.status_code == 400
        assert plain.headers["connection"] == "close"
        assert f"Use {url}/ instead" in plain.text
        reader, writer = await asyncio.open_connection(host, port)  # says nothing
        assert await _closed_by_server(reader) == b""
        writer.close()
        # Still serving TLS after all that.
        async with httpx.AsyncClient(base_url=url, verify=trusted, trust_env=False) as c:
            assert (await c.get("/")).status_code == 200
    assert f"answered plain http with 400: this port speaks only https ({url})" in (
        out.getvalue())
    assert "Traceback" not in out.getvalue() + caplog.text
