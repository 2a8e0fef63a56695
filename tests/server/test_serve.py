"""`tutor serve` for real: a subprocess on a loopback port, reached over a real socket.

Each mode's server is started once for the module (see `tests.server.live`).
"""

from __future__ import annotations

import asyncio
import io
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tests.conftest import TEST_SCRYPT_COST
from tests.readiness import HANG_BOUND
from tests.server.helpers import ALICE, bearer
from tests.server.live import STOP_LINE, RunningServer, no_proxy_env, running_server
from tutor import cli, served
from tutor.cli import serve as serve_module
from tutor.cli.serve import BuiltInBackground, ServeError, is_loopback
from tutor.server.config import ServerConfig

MARKER = "@@@ next command @@@"


@pytest.fixture(scope="module", params=["cookie", "jwt"])
def running(request: pytest.FixtureRequest) -> Iterator[RunningServer]:
    """One real server per mode, shared by this module's tests, hashing at the tests'
    scrypt cost (`test_serve_publishes_its_address_while_it_runs` starts one at the
    default cost)."""
    with running_server(request.param, "--scrypt-cost", str(TEST_SCRYPT_COST)) as server:
        yield server


def _client(server: RunningServer) -> httpx.Client:
    return httpx.Client(base_url=server.url, timeout=HANG_BOUND, trust_env=False)


@pytest.mark.slow
def test_serve_prints_a_loopback_url_and_three_curl_commands(running: RunningServer) -> None:
    """OWASP ASVS V14.1 (secure deployment): a demo server with demo passwords listens on
    loopback by default, and says where and how to try it."""
    assert f"({running.mode} mode" in running.banner[0]
    host = httpx.URL(running.url).host
    assert host == "127.0.0.1"
    assert httpx.URL(running.url).port not in (None, 0)
    assert len(running.curl_lines) == 3
    assert all(running.url in line for line in running.curl_lines)
    assert running.banner[-1] == STOP_LINE


@pytest.mark.slow
def test_serve_logs_in_and_shows_the_profile_over_a_real_socket(
    running: RunningServer,
) -> None:
    """RFC 6265 §5.4 / RFC 6750 §2.1: over real TCP, the credential from /login is what
    /profile recognises, and a client without one gets 401 with a challenge."""
    with _client(running) as client:
        login = client.post("/login", json=ALICE)
        assert login.status_code == 200, login.text
        if running.mode == "jwt":
            profile = client.get("/profile", headers=bearer(login.json()["access_token"]))
        else:
            set_cookie = login.headers["set-cookie"]
            assert set_cookie.startswith("sid=") and "HttpOnly" in set_cookie
            profile = client.get("/profile")  # the client's jar re-sends the cookie
        assert profile.status_code == 200, profile.text
        assert profile.json()["username"] == "alice"
    with _client(running) as stranger:
        anonymous = stranger.get("/profile")
    assert anonymous.status_code == 401
    scheme = "Bearer" if running.mode == "jwt" else "Cookie"
    assert anonymous.headers["www-authenticate"].startswith(scheme)


@pytest.mark.slow
def test_the_banners_curl_commands_work(running: RunningServer, tmp_path: Path) -> None:
    """RFC 9110 §15.3.1, §15.5.2: the pasted commands log in (200), show the profile
    (200) and, with no credential, get 401 — exactly as the banner promises."""
    if shutil.which("curl") is None or shutil.which("bash") is None:
        pytest.skip("curl or bash is not installed")
    if running.mode == "jwt" and shutil.which("python3") is None:
        pytest.skip("the jwt banner pipes through python3, which is not on PATH")
    script = f"\necho '{MARKER}'\n".join(running.curl_lines)
    # Run where the cookie jar (a relative file name) can be written and thrown away.
    result = subprocess.run(
        ["bash", "-c", script],
        cwd=tmp_path,
        env=no_proxy_env(),
        capture_output=True,
        text=True,
        timeout=HANG_BOUND,
        check=False,
    )
    outputs = result.stdout.split(f"{MARKER}\n")
    assert len(outputs) == 3, (result.stdout, result.stderr)
    login, profile, anonymous = outputs
    if running.mode == "jwt":
        assert login == "", login  # the token went into $TOKEN
    else:
        assert login.startswith("HTTP/1.1 200"), login
        assert "sid" in (tmp_path / "tutor-cookies.txt").read_text()
    assert profile.startswith("HTTP/1.1 200"), (profile, result.stderr)
    assert '"username":"alice"' in profile
    assert anonymous.startswith("HTTP/1.1 401"), anonymous


@pytest.mark.slow
def test_serve_refuses_a_non_loopback_host_and_exits_2() -> None:
    """OWASP ASVS V14.1: `--host 0.0.0.0` without `--allow-remote` exits 2 with advice
    and never starts listening (no banner)."""
    result = subprocess.run(
        [sys.executable, "-m", "tutor", "serve", "--host", "0.0.0.0", "--port", "0"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=HANG_BOUND,
        check=False,
    )
    assert result.returncode == 2, result
    assert "--allow-remote" in result.stderr
    assert "listening" not in result.stdout


def test_non_loopback_host_is_refused_before_any_socket_exists(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """OWASP ASVS V14.1: the refusal happens before a socket is even created."""

    def no_socket(*args: object, **kwargs: object) -> socket.socket:
        raise AssertionError("a socket was created for a refused host")

    monkeypatch.setattr(socket, "socket", no_socket)
    with pytest.raises(ServeError, match="--allow-remote"):
        serve_module.bind("0.0.0.0", 0, allow_remote=False)
    assert cli.main(["serve", "--host", "10.0.0.1", "--port", "0"]) == 2
    assert "--allow-remote" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("LOCALHOST", True),
        ("127.5.5.5", True),
        ("0.0.0.0", False),
        ("::", False),
        ("10.0.0.1", False),
        ("192.168.1.10", False),
        ("example.com", False),
        ("localhost.example.com", False),
    ],
)
def test_is_loopback(host: str, expected: bool) -> None:
    """RFC 1122 §3.2.1.3 (127/8 is loopback) and RFC 4291 §2.5.3 (::1): only names and
    addresses that never leave the machine count; 0.0.0.0 means every interface."""
    assert is_loopback(host) is expected


def test_the_banner_comes_before_the_server_is_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The banner is printed as soon as the socket listens, while the demo passwords are
    still being hashed (seconds at a real scrypt cost), not after."""
    import uvicorn

    release = threading.Event()
    built = threading.Event()

    def slow_build(config: ServerConfig, hashing: object = None) -> object:
        release.wait(HANG_BOUND)
        built.set()
        return object()

    out = io.StringIO()
    seen_at_run: list[tuple[str, bool]] = []

    def fake_run(self: uvicorn.Server, sockets: list[socket.socket]) -> None:
        seen_at_run.append((out.getvalue(), built.is_set()))
        release.set()

    monkeypatch.setattr(serve_module, "_build_app", slow_build)
    monkeypatch.setattr(uvicorn.Server, "run", fake_run)
    serve_module.serve(ServerConfig(), "127.0.0.1", 0, allow_remote=False, out=out)
    [(printed, was_built)] = seen_at_run
    assert STOP_LINE in printed and not was_built


async def test_early_requests_wait_for_the_build_and_a_failed_build_is_raised() -> None:
    """A request that arrives while the server is being built is answered once it is
    built, never refused; a build that fails hands its error to the waiting request."""
    release = threading.Event()
    answered: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        answered.append(scope["path"])

    def build() -> ASGIApp:
        release.wait(HANG_BOUND)
        return app

    async def no_receive() -> Message:
        raise AssertionError("not read")

    async def no_send(message: Message) -> None:
        raise AssertionError("not sent")

    waiting = BuiltInBackground(build)
    request = asyncio.ensure_future(waiting({"type": "http", "path": "/"}, no_receive, no_send))
    await asyncio.sleep(0)
    assert not request.done() and answered == []
    release.set()
    await asyncio.wait_for(request, HANG_BOUND)
    assert answered == ["/"]

    def broken() -> ASGIApp:
        raise RuntimeError("no keys")

    with pytest.raises(RuntimeError, match="no keys"):
        await BuiltInBackground(broken)({"type": "http", "path": "/"}, no_receive, no_send)


def test_a_build_that_fails_stops_the_server_and_is_raised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A server that cannot be built must not sit there answering nothing: the error stops
    uvicorn and comes out of `serve` (a traceback), after the banner and "stopped."."""
    import uvicorn

    def broken_build(config: ServerConfig, hashing: object = None) -> object:
        raise RuntimeError("no keys")

    def run_until_told_to_exit(self: uvicorn.Server, sockets: list[socket.socket]) -> None:
        # As uvicorn's own loop does: look at should_exit now and then (a hang fails).
        deadline = time.monotonic() + HANG_BOUND
        while not self.should_exit:
            assert time.monotonic() < deadline, "the failed build never stopped the server"
            time.sleep(0.01)

    out = io.StringIO()
    monkeypatch.setattr(serve_module, "_build_app", broken_build)
    monkeypatch.setattr(uvicorn.Server, "run", run_until_told_to_exit)
    with pytest.raises(RuntimeError, match="no keys"):
        serve_module.serve(ServerConfig(), "127.0.0.1", 0, allow_remote=False, out=out)
    assert out.getvalue().splitlines()[-1] == "stopped."


@pytest.mark.slow
def test_serve_publishes_its_address_while_it_runs(tmp_path: Path) -> None:
    # The Repeater's f6 aims its curl commands here when tutor serve is on another port.
    with running_server("cookie", data_dir=tmp_path) as server:
        assert served.published_url(tmp_path) == server.url
        assert not server.url.endswith(f":{served.DEFAULT_PORT}")  # port 0: another one
    assert served.published_url(tmp_path) is None
    assert not (tmp_path / served.ADDRESS_FILE).exists(), "left behind after a clean stop"
