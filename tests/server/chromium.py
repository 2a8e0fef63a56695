"""Drive headless Chromium through the mock server's login page, as a learner would.

`record_session` logs in with the page's own form, reuses the credential, logs out, and
returns what devtools would show at each point, plus the HAR Chromium recorded. The
system's Chromium is launched through Playwright (`executable_path`), so no browser is
downloaded. Playwright is imported lazily: without it the tests skip instead of failing
to import.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from tests.readiness import HANG_BOUND_MS
from tests.server.live import no_proxy_env

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Request

# Playwright waits for readiness (an element, a navigation, a text); its timeouts are
# only the bound against a real hang, never a guess at how long a step takes.
STEP_TIMEOUT_MS = HANG_BOUND_MS
LAUNCH_TIMEOUT_MS = HANG_BOUND_MS
USERNAME = "alice"
PASSWORD = "wonderland"
CHROMIUM_NAMES = ("chromium", "chromium-browser")


def chromium_path() -> str | None:
    """The system's Chromium (Debian's `chromium`), or `TUTOR_CHROMIUM` when set."""
    override = os.environ.get("TUTOR_CHROMIUM")
    if override:
        return override if Path(override).exists() else None
    for name in CHROMIUM_NAMES:
        if found := shutil.which(name):
            return found
    return None


def missing_tools() -> str | None:
    """Why the real-browser tests cannot run here, or None when they can."""
    if importlib.util.find_spec("playwright") is None:
        return "playwright is not installed (pip install -e '.[test]')"
    if chromium_path() is None:
        if override := os.environ.get("TUTOR_CHROMIUM"):
            return f"TUTOR_CHROMIUM names {override!r}, which does not exist"
        return "chromium is not installed (apt-get install chromium)"
    return None


@contextmanager
def launched_chromium(trusted_spki: tuple[str, ...] = ()) -> Iterator[Browser]:
    """Headless Chromium for the block, closed however the block ends.

    `trusted_spki`: base64 SHA-256 hashes of public keys whose certificates Chromium
    accepts although no authority signed them (`tutor serve --https`'s own): only
    those, unlike `ignore_https_errors`, which would accept any certificate at all."""
    from playwright.sync_api import sync_playwright

    # Playwright types env values more widely than os.environ holds them.
    env: dict[str, str | float | bool] = dict(no_proxy_env())
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(),
            headless=True,
            timeout=LAUNCH_TIMEOUT_MS,
            env=env,
            # Chromium honours this flag only with --user-data-dir, which Playwright sets.
            args=[f"--ignore-certificate-errors-spki-list={','.join(trusted_spki)}"]
            if trusted_spki else [],
        )
        try:
            yield browser
        finally:
            browser.close()


@dataclass(frozen=True)
class SentRequest:
    """One request as the Network panel lists it: method, path and every header sent."""

    method: str
    path: str
    headers: dict[str, str]


@dataclass
class BrowserRecording:
    """What a learner would have seen in devtools during one login, reuse and logout."""

    mode: str
    har: Path
    base_url: str = ""
    """The server's origin, http or https."""
    """The HAR Chromium recorded (bodies embedded), written when the context closed."""
    cookies_logged_in: list[dict[str, Any]] = field(default_factory=list)
    """Application → Cookies while logged in (the browser's own cookie store)."""
    document_cookie_logged_in: str = ""
    """What `document.cookie` returned to the page's scripts while logged in."""
    cookies_after_logout: list[dict[str, Any]] = field(default_factory=list)
    """The cookie store once logout has answered (and its redirect, in cookie modes)."""
    storage_logged_in: dict[str, str] = field(default_factory=dict)
    """Application → Local Storage while logged in."""
    storage_after_logout: dict[str, str] = field(default_factory=dict)
    """Local Storage once the page's logout has run."""
    texts: dict[str, str] = field(default_factory=dict)
    """What the page showed at named moments (`profile`, `home`, `reload`, `logout`)."""
    sent: list[SentRequest] = field(default_factory=list)
    """Every request the browser sent to the server, in order."""
    console: list[str] = field(default_factory=list)
    """The Console panel: messages and uncaught errors, CSP violations among them."""


def record_session(browser: Browser, mode: str, base_url: str, har: Path) -> BrowserRecording:
    """Log in on the page, reuse the credential, log out; the HAR lands in `har`."""
    context = browser.new_context(record_har_path=str(har), record_har_content="embed")
    context.set_default_timeout(STEP_TIMEOUT_MS)
    context.set_default_navigation_timeout(STEP_TIMEOUT_MS)
    requests: list[Request] = []
    # A plain function: Playwright tags its handlers with an attribute, which a bound
    # builtin such as list.append cannot carry.
    context.on("request", lambda request: requests.append(request))
    recording = BrowserRecording(mode, har, base_url)
    try:
        page = context.new_page()
        page.on("console", lambda message: recording.console.append(
            f"{message.type}: {message.text} ({message.location.get('url', '?')})"))
        page.on("pageerror", lambda error: recording.console.append(f"uncaught: {error}"))
        page.goto(base_url + "/")
        page.fill("#login input[name=username]", USERNAME)
        page.fill("#login input[name=password]", PASSWORD)
        if mode == "jwt":
            _jwt_session(context, page, recording)
        else:
            _cookie_session(context, page, recording)
        recording.sent = [_sent(request) for request in requests if _ours(request, base_url)]
    finally:
        context.close()  # writes the HAR
    return recording


def _cookie_session(context: BrowserContext, page: Page, recording: BrowserRecording) -> None:
    # The form posts; the server answers 303 to /profile, which the cookie unlocks.
    with page.expect_navigation(url="**/profile"):
        page.click("#login button")
    recording.texts["profile"] = page.inner_text("body")
    page.goto(page.url.removesuffix("profile"))
    recording.texts["home"] = page.inner_text("body")
    recording.cookies_logged_in = [dict(cookie) for cookie in context.cookies()]
    recording.document_cookie_logged_in = str(page.evaluate("document.cookie"))
    with page.expect_navigation():
        page.click("#logout button")
    recording.texts["logout"] = page.inner_text("body")
    recording.cookies_after_logout = [dict(cookie) for cookie in context.cookies()]


def _jwt_session(context: BrowserContext, page: Page, recording: BrowserRecording) -> None:
    # The page's script posts JSON, keeps the tokens in localStorage, then calls /profile.
    page.click("#login button")
    recording.texts["profile"] = _wait_for_output(page, "GET /profile -> 200")
    recording.storage_logged_in = _local_storage(page)
    recording.cookies_logged_in = [dict(cookie) for cookie in context.cookies()]
    recording.document_cookie_logged_in = str(page.evaluate("document.cookie"))
    page.reload()
    recording.texts["reload"] = _wait_for_output(page, "still in localStorage")
    page.click("#profile")
    recording.texts["home"] = _wait_for_output(page, "GET /profile -> 200")
    page.click("#logout")
    recording.texts["logout"] = _wait_for_output(page, "POST /logout -> 200")
    recording.storage_after_logout = _local_storage(page)
    recording.cookies_after_logout = [dict(cookie) for cookie in context.cookies()]


def _wait_for_output(page: Page, text: str) -> str:
    """The page's output box once it contains `text` (a hang fails after STEP_TIMEOUT_MS)."""
    from playwright.sync_api import expect

    output = page.locator("#out")
    expect(output).to_contain_text(text, timeout=STEP_TIMEOUT_MS)
    return output.inner_text()


def _local_storage(page: Page) -> dict[str, str]:
    stored = page.evaluate("Object.fromEntries(Object.entries(localStorage))")
    return {str(key): str(value) for key, value in stored.items()}


def _ours(request: Request, base_url: str) -> bool:
    # Chromium also asks for /favicon.ico on its own; the learner's page did not send that.
    return request.url.startswith(base_url) and urlsplit(request.url).path != "/favicon.ico"


def _sent(request: Request) -> SentRequest:
    # all_headers() includes Cookie, which Chromium adds below the page's view.
    return SentRequest(request.method, urlsplit(request.url).path, request.all_headers())
