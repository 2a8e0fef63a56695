"""`tutor serve`: the mock server on a real loopback port, for curl and real browsers."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import shlex
import socket
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from tutor import served
from tutor.cli.serve_tls import (
    CertificateError,
    LocalCertificate,
    local_certificate,
    server_context,
    tls_door,
)
from tutor.server.config import ServerConfig
from tutor.server.weaknesses import vulnerable_banner
from tutor.visible import visible

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Receive, Scope, Send

    from tutor.server.cluster import MockServer
    from tutor.server.hashing import HashPool

LOOPBACK_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost"})
# OWASP's minimum scrypt cost for stored passwords; scenes use a cheaper one to stay quick.
SERVE_SCRYPT_COST = 2**17
# Server events kept by a running `tutor serve` (nothing reads them there but a debugger);
# unbounded, the log grew by about 330 bytes per request for as long as it ran.
SERVE_EVENT_LOG_LIMIT = 1_000


class ServeError(Exception):
    """The server cannot start as asked; the message says why and what to do."""


def is_loopback(host: str) -> bool:
    """True for names and addresses that never leave this machine."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int, allow_remote: bool) -> socket.socket:
    """A listening socket, refusing anything but loopback unless explicitly allowed."""
    if not allow_remote and not is_loopback(host):
        raise ServeError(
            f"refusing to listen on {host!r}: the mock server has demo passwords and "
            "deliberate weaknesses, so it binds to loopback only. Pass --allow-remote "
            "if you really want other machines to reach it."
        )
    if not 0 <= port <= 65535:
        raise ServeError(f"port {port} is out of range (0-65535; 0 picks a free one)")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # With the protocol number given, asyncio sets TCP_NODELAY on every accepted
    # connection (it checks `sock.proto`); without it Nagle's algorithm holds each small
    # kept-alive response until the client's delayed ACK, about 40 ms later.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def base_url(sock: socket.socket, https: bool = False) -> str:
    """http(s)://host:port for a bound socket, bracketing IPv6 addresses."""
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"{'https' if https else 'http'}://{shown}:{port}"


def tls_lines(cert: LocalCertificate, url: str) -> list[str]:
    """The banner's certificate part: which one, its fingerprint, and how to trust it
    for one run only (nothing is added to a trust store)."""
    # The paths come from the environment (TUTOR_DATA_DIR): shown, not obeyed.
    lines = [f"TLS certificate: {visible(cert.made)}." if cert.made else "TLS certificate:",
             f"  {visible(str(cert.cert_path))}",
             f"  SHA-256 fingerprint {cert.fingerprint}",
             "It is in no trust store. curl trusts it with --cacert (below); Chromium for "
             "this run only, in a throwaway profile:",
             f"  chromium --user-data-dir=\"$(mktemp -d)\" "
             f"--ignore-certificate-errors-spki-list={cert.spki_hash} {url}/",
             "Other browsers warn once: compare the fingerprint above with the one the "
             "browser shows before accepting."]
    return lines


def banner(config: ServerConfig, url: str, cert: LocalCertificate | None = None) -> str:
    """What `tutor serve` prints: where it is, how to log in, three commands to paste
    (with `cert`, over https and trusting that certificate only)."""
    login_json = '{"username": "alice", "password": "wonderland"}'
    mode = config.server_mode
    lines = [
        f"tutor mock server ({mode.name} mode"
        + (f", {config.algorithm}" if mode.signs_tokens else "")
        + f") listening on {url}",
        f"Open {url}/ in a browser. Demo login: alice / wonderland (admin: queen / "
        "off-with-their-heads).",
    ]
    if enabled := config.vulnerabilities.enabled():
        lines.append(vulnerable_banner(enabled))
    if config.dpop:
        lines.append("DPoP is on (RFC 9449): every token request and every use of a token "
                     "needs a DPoP header, a proof signed by the client's own key. curl "
                     "cannot sign one, so the commands below show the refusals; the served "
                     "page's script does not sign proofs either.")
    if cert is not None:
        lines += tls_lines(cert, url)
    lines.append("Try it with curl:")
    curl = f"curl --cacert {shlex.quote(str(cert.cert_path))}" if cert is not None else "curl"
    post = f"-H 'Content-Type: application/json' -d {shlex.quote(login_json)}"
    if mode.browser_keeps == "localStorage":
        extract = "python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access_token\"])'"
        lines += [
            f"  TOKEN=$({curl} -s {post} {url}/login | {extract})",
            f'  {curl} -si -H "Authorization: {"DPoP" if config.dpop else mode.auth_scheme} '
            f'$TOKEN" {url}/profile',
            f"  {curl} -si {url}/profile    # no token: 401, the server does not remember you",
        ]
    else:
        jar = "tutor-cookies.txt"
        lines += [
            f"  {curl} -si {post} -c {jar} {url}/login",
            f"  {curl} -si -b {jar} {url}/profile",
            f"  {curl} -si {url}/profile    # no cookie: 401, the server does not remember you",
        ]
    lines.append("Press Ctrl+C to stop.")
    return "\n".join(lines)


class BuiltInBackground:
    """An ASGI app that builds the real one on a thread and holds requests until it is up.

    Building the mock server hashes the demo passwords at a real scrypt cost, which takes
    a second or more; the socket is already listening, so a request that comes early
    waits for the build instead of being refused.
    """

    def __init__(self, build: Callable[[], ASGIApp]) -> None:
        self.built: Future[ASGIApp] = Future()
        """The app once built (or why it could not be)."""
        self._app: ASGIApp | None = None
        threading.Thread(target=self._build, args=(build,), name="tutor-serve-build",
                         daemon=True).start()

    def _build(self, build: Callable[[], ASGIApp]) -> None:
        try:
            self.built.set_result(build())
        except BaseException as exc:  # handed to whoever waits, not lost on this thread
            self.built.set_exception(exc)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = self._app
        if app is None:
            # Waiting on a thread's future wakes the loop through its self-pipe: once per
            # early request, not on every request after the build.
            app = self._app = await asyncio.wrap_future(self.built)
        await app(scope, receive, send)


def build_server(config: ServerConfig, hashing: HashPool | None = None) -> MockServer:
    """The server `tutor serve` runs: the real clock, a bounded event log, and scrypt in
    a bounded thread pool so that the event loop keeps answering while passwords hash."""
    from tutor.clock import SystemClock
    from tutor.server.cluster import MockServer
    from tutor.server.hashing import HashPool

    return MockServer(config, SystemClock(), event_log_limit=SERVE_EVENT_LOG_LIMIT,
                      hashing=hashing or HashPool())


def _build_app(config: ServerConfig, hashing: HashPool | None = None) -> ASGIApp:
    return build_server(config, hashing).app


def serve(config: ServerConfig, host: str, port: int, allow_remote: bool, out: TextIO,
          allowed_hosts: tuple[str, ...] = (), err: TextIO | None = None, *,
          https: bool = False, quiet: bool = False, tls_folder: Path | None = None) -> None:
    """Run until interrupted. The banner comes as soon as the socket listens; the server
    itself (imports, password hashing) is built meanwhile, and early requests wait.

    Requests for a Host other than loopback, `host` and `allowed_hosts` get 421; trouble
    with connections is reported to `err` one line at a time (see `serve_limits`). With
    `https`, TLS with the certificate kept in `tls_folder` (see `serve_tls`); unless
    `quiet`, one access-log line per request goes to `out` (see `serve_log`)."""
    from tutor.cli import serve_limits
    from tutor.cli.serve_log import AccessLog
    from tutor.server.hashing import HashPool

    cert = None
    if https:
        try:
            cert = local_certificate(tls_folder)
        except CertificateError as exc:
            raise ServeError(f"--https: {exc}") from None
    sock = bind(host, port, allow_remote)
    pool = HashPool()
    app = BuiltInBackground(lambda: _build_app(config, pool))
    guarded: ASGIApp = serve_limits.HostGuard(
        app, serve_limits.allowed_hosts(host, allowed_hosts))
    if not quiet:
        # Outside the Host check, so that refused requests are logged too.
        guarded = AccessLog(guarded, out)
    url = base_url(sock, https)
    print(banner(config, url, cert), file=out, flush=True)
    from tutor.progress_store import data_dir

    folder = data_dir()
    address_folder: Path | None = folder
    try:
        served.publish(folder, url, cookie_names=config.served_cookie_names(https))
    except OSError:
        address_folder = None  # a read-only data directory: serve all the same

    import uvicorn

    def withdraw_address() -> None:
        if address_folder is not None:
            with contextlib.suppress(OSError):
                served.withdraw(address_folder)

    def stopping() -> None:
        # Queued hashes are dropped (their requests get 503), so Ctrl+C waits for at
        # most the hashes already running, not for the whole queue. The address goes
        # now: uvicorn ends the process with a SIGTERM it caught once it has shut down.
        pool.shutdown()
        withdraw_address()

    log = serve_limits.QuietLog(err or sys.stderr)
    protocol = serve_limits.guarded_h11(log, max_connections=serve_limits.connection_cap())
    if cert is not None:
        # TLS comes in through the protocol, not uvicorn's `ssl`: the door answers plain
        # http with a 400 that names the https URL.
        protocol = tls_door(protocol, server_context(cert), url, log,
                            handshake_timeout=serve_limits.READ_TIMEOUT)
    uv_server = serve_limits.QuietServer(log, stopping, uvicorn.Config(
        guarded, log_level="warning", lifespan="off", http=protocol,
        timeout_keep_alive=serve_limits.KEEP_ALIVE,
        # limit_concurrency stays unset: a connection runs one request at a time, so the
        # connection cap bounds running requests too, and earlier (at accept, not after
        # a request has been read).
    ))

    def stop_if_broken(built: Future[ASGIApp]) -> None:
        if built.exception() is not None:  # called once done: does not wait
            uv_server.should_exit = True

    app.built.add_done_callback(stop_if_broken)

    try:
        uv_server.run(sockets=[sock])
    finally:
        sock.close()
        withdraw_address()
        print("stopped.", file=out if out is not sys.stdout else sys.stdout, flush=True)
    # Stopped while still building is a plain stop; a build that failed is an error.
    if app.built.done() and (error := app.built.exception()) is not None:
        raise error
