"""`tutor watch` with a real headless Chromium: against the test's own site (which logs
in by itself when its page loads) and against `tutor serve`, whose form is filled in as
a learner would. Each check is about what is reported live: the login steps, the
cookie's attributes, the storage write, a finding, a blocked request; in plain text, in
a `tutor watch --plain` process, and on the TUI screen. Skips where Chromium or
Playwright is missing.
"""

from __future__ import annotations

import asyncio
import io
import os
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.readiness import HANG_BOUND, HANG_BOUND_MS
from tests.server.chromium import PASSWORD, USERNAME, missing_tools
from tests.server.live import no_proxy_env, running_servers
from tests.watch.site import BLOCKED_ORIGIN, SESSION_COOKIE, running_site
from tutor.har.analysis import analyse
from tutor.har.reader import read_har
from tutor.watch.driver import Drive, WatchOptions
from tutor.watch.plain import watch_plain
from tutor.watch.target import parse_target

if TYPE_CHECKING:
    from playwright.async_api import Page

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _chromium(monkeypatch: pytest.MonkeyPatch) -> None:
    if reason := missing_tools():
        pytest.skip(reason)
    for name, value in no_proxy_env().items():
        monkeypatch.setenv(name, value)
    for name in [n for n in os.environ if "proxy" in n.lower() and n.lower() != "no_proxy"]:
        monkeypatch.delenv(name)


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    """The test's own site, shared by the module."""
    with running_site() as url:
        yield url


async def _until_done(page: Page) -> None:
    """The site's page says "done" once its script has logged in and called the API."""
    from playwright.async_api import expect

    await expect(page.locator("#out")).to_contain_text("done 200", timeout=HANG_BOUND_MS)


def _watch_text(options: WatchOptions) -> str:
    out, err = io.StringIO(), io.StringIO()
    status = asyncio.run(watch_plain(options, out, err))
    assert status == 0, err.getvalue()
    return out.getvalue()


def test_plain_mode_reports_a_login_on_the_tests_own_site(site: str, tmp_path: Path) -> None:
    har = tmp_path / "site.har"
    text = _watch_text(WatchOptions(parse_target(site + "/"), headless=True,
                                    drive=_until_done, record=True, har=har))
    for step in (1, 2, 3, 4):
        assert f"★ first seen: login step {step}," in text
    assert f"blocked GET {BLOCKED_ORIGIN}/pixel.png: origin not allowed" in text
    assert f"POST {site}/api/login  → 200" in text
    assert "! missing-httponly: Cookie site_session" in text
    cookie_line = next(line for line in text.splitlines()
                       if line.startswith(f"cookie stored: {SESSION_COOKIE}="))
    assert "SameSite=Lax" in cookie_line and "HttpOnly" not in cookie_line
    assert "Path=/" in cookie_line and "session cookie" in cookie_line
    assert "localStorage set access_token=eyJhbG" in text
    assert "sessionStorage set visited=yes" in text
    assert "JWT   in response.body:$.access_token, alg HS256, UNVERIFIED: sub=ada" in text
    # The saved session is a HAR like any other: tutor inspect's analysis finds the same.
    assert f"Saved 3 exchanges to {har}" in text and "closed: 3 exchanges seen." in text
    recorded = analyse(read_har(har))
    steps = {s for item in recorded.entries for s in item.login_steps}
    assert steps == {1, 2, 3, 4}
    assert "missing-httponly" in {f.kind for f in recorded.findings}


def test_a_site_that_is_not_running_is_reported_not_a_traceback() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on `port` now: the page load fails, and the watch says so.

    async def look(page: Page) -> None:
        return None

    text = _watch_text(WatchOptions(parse_target(f"http://127.0.0.1:{port}/"),
                                    headless=True, drive=look))
    assert f"Could not load http://127.0.0.1:{port}/: " in text
    assert (f"#0  GET http://127.0.0.1:{port}/  → no answer (failed or blocked)\n"
            "    reason: net::ERR_CONNECTION_REFUSED") in text
    assert "The browser closed: 1 exchange seen." in text


def _fill_login(mode: str) -> Drive:
    async def drive(page: Page) -> None:
        from playwright.async_api import expect

        await page.fill("#login input[name=username]", USERNAME)
        await page.fill("#login input[name=password]", PASSWORD)
        if mode == "jwt":
            await page.click("#login button")
            await expect(page.locator("#out")).to_contain_text("GET /profile -> 200",
                                                               timeout=HANG_BOUND_MS)
        else:
            async with page.expect_navigation(url="**/profile", timeout=HANG_BOUND_MS):
                await page.click("#login button")
    return drive


# Two tutor serve processes and two Chromiums: the long run has it; by default the test's
# own site shows the same live beats.
@pytest.mark.long
def test_plain_mode_reports_a_login_on_tutor_serve() -> None:
    with running_servers("cookie", "jwt") as servers:
        texts = {server.mode: _watch_text(WatchOptions(
            parse_target(server.url + "/"), headless=True,
            drive=_fill_login(server.mode))) for server in servers}
    cookie, jwt = texts["cookie"], texts["jwt"]
    for text in (cookie, jwt):
        for step in (1, 2, 3, 4):
            assert f"★ first seen: login step {step}," in text, text
    for text in (cookie, jwt):
        assert "login step 1: the user enters credentials (typing in password field " \
            "'password' on http://127.0.0.1:" in text
        assert PASSWORD not in text  # typed, reported, never shown
    sid = next(line for line in cookie.splitlines() if line.startswith("cookie stored: sid="))
    assert "HttpOnly" in sid and "SameSite=Lax" in sid
    assert "POST " in cookie and "/login  → 303" in cookie
    assert "localStorage set access_token=" in jwt
    assert "sent  Authorization: Bearer" in jwt


def _read_until(process: subprocess.Popen[bytes], wanted: str) -> str:
    """stdout until a line containing `wanted` (a hang fails after HANG_BOUND)."""
    assert process.stdout is not None
    fd = process.stdout.fileno()
    seen = b""
    deadline = time.monotonic() + HANG_BOUND
    while wanted.encode() not in seen:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"tutor watch hung; printed {seen.decode(errors='replace')}"
        ready, _, _ = select.select([fd], [], [], remaining)
        if ready:
            chunk = os.read(fd, 65536)
            assert chunk, f"tutor watch exited ({process.wait()}): {seen.decode()}"
            seen += chunk
    return seen.decode()


def test_the_command_prints_beats_live_and_saves_the_har_on_ctrl_c(
    site: str, tmp_path: Path,
) -> None:
    har = tmp_path / "watched.har"
    process = subprocess.Popen(
        [sys.executable, "-m", "tutor", "watch", site + "/", "--headless", "--plain",
         "--har", str(har)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
        env=no_proxy_env())
    try:
        # The page logs in by itself; the last beat of its login is step 4 on /api/me.
        early = _read_until(process, "first seen: login step 4")
        process.send_signal(signal.SIGINT)
        rest, err = process.communicate(timeout=HANG_BOUND)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err.decode()
    assert "login step 2" in early and "localStorage set access_token" in early + rest.decode()
    assert f"to {har}" in rest.decode()
    assert len(read_har(har).entries) >= 3


async def test_the_screen_shows_the_login_as_it_happens(site: str, tmp_path: Path) -> None:
    from textual.widgets import RichLog, Static

    from tests.ui.shown import shown_text
    from tutor.lessons.course import default_course_dir
    from tutor.progress_store import ProgressStore
    from tutor.ui.app import build_app
    from tutor.ui.config import AppConfig
    from tutor.ui.screens.watch import WatchScreen
    from tutor.watch.session import ExchangeWatched, StorageWritten

    options = WatchOptions(parse_target(site + "/"), headless=True)
    app = build_app(AppConfig(course_dir=default_course_dir(),
                              progress=ProgressStore(tmp_path / "progress.json"),
                              open_watch=options))
    app.animation_level = "none"
    seen_all = asyncio.Event()
    ended = asyncio.Event()
    steps: set[int] = set()
    stored: list[bool] = []

    def hook(message: object) -> None:
        if isinstance(message, WatchScreen.Ended):
            ended.set()
        if isinstance(message, WatchScreen.Watched):
            event = message.event
            if isinstance(event, ExchangeWatched):
                steps.update(event.item.login_steps)
            stored.append(isinstance(event, StorageWritten))
            if steps >= {2, 3, 4} and any(stored):
                seen_all.set()

    async with app.run_test(size=(160, 45), message_hook=hook) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, WatchScreen)
        assert "blocked" in shown_text(screen.query_one("#watch-policy", Static))
        await asyncio.wait_for(seen_all.wait(), HANG_BOUND)
        await pilot.pause()
        log = "\n".join(line.text for line in screen.query_one("#watch-log", RichLog).lines)
        assert "first seen: login step 3" in log and "localStorage set access_token" in log
        assert "! missing-httponly" in log
        diagram = shown_text(screen.query_one("#watch-sequence", Static))
        assert "POST /api/login" in diagram and "localStorage" in diagram
        assert "login steps seen: 1, 2, 3, 4" in diagram
        screen.har_folder = tmp_path / "hars"
        await pilot.press("f9")
        await pilot.pause()
        saved = list((tmp_path / "hars").glob("tutor-watch-redacted-*.har"))
        assert len(saved) == 1 and len(read_har(saved[0]).entries) >= 3
        await pilot.press("s")
        await asyncio.wait_for(ended.wait(), HANG_BOUND)
        await pilot.pause()
        assert not screen.running
