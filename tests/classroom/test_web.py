"""`tutor web` as a teacher runs it: a real server process, real Chromium tabs.

xterm.js draws into a canvas with WebGL; with WebGL switched off it falls back to its DOM
renderer, whose rows are text Playwright can wait for, as a learner reads the screen.
Each wait is for what the learner would see next (the catalogue, the stage's exchange),
bounded only against a real hang.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.readiness import HANG_BOUND, HANG_BOUND_MS
from tests.server.chromium import chromium_path, missing_tools
from tests.server.live import no_proxy_env

pytestmark = pytest.mark.skipif(missing_tools() is not None, reason=str(missing_tools()))

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`tutor web` on a free loopback port: (its URL, its class folder)."""
    pytest.importorskip("textual_serve")
    class_dir = tmp_path_factory.mktemp("class")
    env = {**os.environ, **no_proxy_env(), "PYTHONPATH": str(ROOT),
           "TUTOR_DATA_DIR": str(tmp_path_factory.mktemp("data"))}
    process = subprocess.Popen(
        [sys.executable, "-m", "tutor", "web", "--port", "0", "--class-dir", str(class_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()  # printed once the socket listens
        found = re.search(r"http://[\d.]+:\d+", first)
        assert found, f"tutor web printed no URL: {first!r}"
        yield found.group(0), class_dir
    finally:
        process.terminate()
        process.wait(timeout=HANG_BOUND)


def _terminal_text(page: Any) -> Any:
    return page.locator(".xterm-rows")


def _open_tab(browser: Any, url: str, name: str) -> Any:
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.set_default_timeout(HANG_BOUND_MS)
    page.goto(f"{url}/?name={name}")
    expect(_terminal_text(page)).to_contain_text("The course", timeout=HANG_BOUND_MS)
    page.locator(".xterm-helper-textarea").focus()  # keys go where the learner clicked
    return page


@pytest.mark.long  # two app processes driven in a real browser: about 40 s on two cores
def test_two_learners_step_a_lesson_in_two_tabs_and_keep_their_own_progress(
        web: tuple[str, Path], tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, class_dir = web
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True,
                                             args=["--disable-webgl"],
                                             timeout=HANG_BOUND_MS)
        try:
            alice = _open_tab(browser, url, "alice")
            bob = _open_tab(browser, url, "Bob")
            # The same learner in a second tab is told, not given a second writer.
            third = browser.new_page()
            third.goto(f"{url}/?name=ALICE")
            assert "already has the tutor open" in third.inner_text("body")
            third.close()

            expect(_terminal_text(bob)).to_contain_text("· Bob")  # whose tab this is
            alice.keyboard.press("Enter")  # lesson 1
            expect(_terminal_text(alice)).to_contain_text("Next step", timeout=HANG_BOUND_MS)
            for _ in range(3):
                alice.keyboard.press("n")
            expect(_terminal_text(alice)).to_contain_text("POST /login",
                                                          timeout=HANG_BOUND_MS)
            alice.screenshot(path=str(tmp_path / "alice.png"))
            assert (tmp_path / "alice.png").stat().st_size > 10_000

            bob.keyboard.press("ArrowDown")
            bob.keyboard.press("Enter")  # lesson 2
            expect(_terminal_text(bob)).to_contain_text("Next step", timeout=HANG_BOUND_MS)
            for page in (alice, bob):
                page.keyboard.press("q")  # back to the catalogue: progress is saved
                expect(_terminal_text(page)).to_contain_text("The course",
                                                             timeout=HANG_BOUND_MS)
        finally:
            browser.close()
    alice_file = class_dir / "learners" / "alice" / "progress.json"
    bob_file = class_dir / "learners" / "Bob" / "progress.json"
    alice_progress = json.loads(alice_file.read_text(encoding="utf-8"))
    bob_progress = json.loads(bob_file.read_text(encoding="utf-8"))
    assert alice_progress["last_lesson"] == "four-login-steps"
    assert bob_progress["last_lesson"] == "http-is-stateless"
    assert "four-login-steps" not in bob_progress["lessons"]


def _status(url: str, path: str, headers: dict[str, str]) -> tuple[int, str]:
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=HANG_BOUND)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def test_a_foreign_host_header_is_refused(web: tuple[str, Path]) -> None:
    url, _ = web
    status, body = _status(url, "/", {"Host": "rebound.evil.test"})
    assert status == 421
    assert "rebound.evil.test" in body
    assert _status(url, "/", {})[0] == 200


def test_web_and_serve_share_one_host_rule(web: tuple[str, Path]) -> None:
    """Case, a trailing dot and the port do not change the name (`serve_limits.host_name`),
    as for `tutor serve`; a name that only ends like a served one is still refused."""
    url, _ = web
    port = url.rsplit(":", 1)[1]
    for accepted in (f"LOCALHOST.:{port}", "127.0.0.1", f"[::1]:{port}"):
        assert _status(url, "/", {"Host": accepted})[0] == 200, accepted
    assert _status(url, "/", {"Host": f"evil-localhost:{port}"})[0] == 421


def test_a_websocket_from_another_origin_is_refused(web: tuple[str, Path]) -> None:
    url, _ = web
    status, body = _status(url, "/ws/mallory", {
        "Origin": "http://evil.test", "Connection": "Upgrade", "Upgrade": "websocket",
        "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="})
    assert status == 403
    assert "origin" in body


def test_a_name_that_is_no_name_gets_the_form_again(web: tuple[str, Path]) -> None:
    url, class_dir = web
    status, body = _status(url, "/?name=..%2F..", {})
    assert status == 400
    assert "at least one letter" in body
    assert not (class_dir.parent / "learners").exists()
