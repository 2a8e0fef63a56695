"""`tutor serve`'s access log: a line per request, credentials named but never shown,
control characters made visible, and `--quiet` silent."""

from __future__ import annotations

import io

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from tests.readiness import HANG_BOUND
from tests.server.live import running_servers
from tutor.cli.serve_log import AccessLog

SECRET = "s3cr3t-session-value"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl"


async def _teapot(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["path"] == "/boom":
        raise RuntimeError("the app failed before answering")
    await send({"type": "http.response.start", "status": 418, "headers": []})
    await send({"type": "http.response.body", "body": b"short and stout"})


def _client(out: io.StringIO) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=AccessLog(_teapot, out))
    return httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000")


async def test_one_line_per_request_naming_credentials_without_their_values() -> None:
    """OWASP Logging Cheat Sheet ("data to exclude": session ids, access tokens,
    passwords): the line says which credential came, by cookie name or Authorization
    scheme, with the values redacted by the HAR export's rule."""
    out = io.StringIO()
    async with _client(out) as client:
        await client.get("/profile", headers={"Cookie": f"__Host-sid={SECRET}"})
        await client.get("/profile", headers={"Authorization": f"Bearer {JWT}"})
        await client.post("/login", params={"password": "wonderland", "next": JWT})
        await client.get("/")
        await client.get("/profile", headers={"Authorization": JWT})  # no scheme
    lines = out.getvalue().splitlines()
    assert len(lines) == 5, lines
    assert lines[0].endswith("GET /profile 418 (cookie __Host-sid=REDACTED)")
    assert lines[1].endswith("GET /profile 418 (authorization Bearer REDACTED)")
    assert lines[2].endswith("POST /login?password=REDACTED&next=REDACTED 418 (no credential)")
    assert lines[3].endswith("GET / 418 (no credential)")
    assert lines[4].endswith("GET /profile 418 (authorization REDACTED)")
    assert SECRET not in out.getvalue() and JWT not in out.getvalue()
    assert "wonderland" not in out.getvalue()


async def test_control_characters_in_paths_are_shown_not_obeyed() -> None:
    """An escape sequence in a path (percent-encoded, decoded by the server) reaches the
    terminal as a visible picture, never as a command to it."""
    out = io.StringIO()
    async with _client(out) as client:
        await client.get("/a%1b[2Jb%07")
    assert "\x1b" not in out.getvalue() and "\x07" not in out.getvalue()
    assert "GET /a␛[2Jb␇ 418" in out.getvalue()


async def test_a_request_that_failed_before_an_answer_is_logged_too() -> None:
    """The app's failure still gets its line (status `---`), and is not swallowed."""
    out = io.StringIO()
    async with _client(out) as client:
        with pytest.raises(RuntimeError):
            await client.get("/boom")
    assert out.getvalue().rstrip().endswith("GET /boom --- (no credential)")


async def test_a_closed_log_stops_logging_but_not_serving() -> None:
    """When the terminal goes away the server keeps answering."""
    out = io.StringIO()
    out.close()
    async with _client(out) as client:
        assert (await client.get("/")).status_code == 418
        assert (await client.get("/")).status_code == 418


@pytest.mark.slow
def test_quiet_prints_no_access_log() -> None:
    """`--quiet` turns the access log off; without it the same requests are logged."""
    with running_servers(("cookie", "--quiet"), "cookie",
                         extra_args=("--scrypt-cost", "16")) as (quiet, loud):
        for server in (quiet, loud):
            with httpx.Client(base_url=server.url, timeout=HANG_BOUND,
                              trust_env=False) as client:
                client.get("/profile")
                client.get("/nowhere")
        # The loud one logged the readiness check and both requests.
        logged = loud.wait_for_log(lambda log: any("/nowhere" in line for line in log))
        assert [line.split(" ", 1)[1] for line in logged] == [
            "GET / 200 (no credential)",
            "GET /profile 401 (no credential)",
            "GET /nowhere 404 (no credential)",
        ]
        quiet.process.terminate()
        assert not any("GET" in line for line in quiet.output_after_exit())
