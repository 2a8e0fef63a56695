"""A real browser against `tutor serve`: headless Chromium logs in with the page's own
form in cookie and jwt mode, reuses the credential, logs out, and records a HAR.

One recording per mode is shared by the module (Chromium is launched once, and both
servers start side by side). The first
group of tests checks what a learner sees in devtools; the second runs `tutor inspect`
on the recorded HAR. Everything skips, with the reason, where Chromium or Playwright is
missing.
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.readiness import HANG_BOUND
from tests.server.chromium import (
    PASSWORD,
    USERNAME,
    BrowserRecording,
    launched_chromium,
    missing_tools,
    record_session,
)
from tests.server.live import no_proxy_env, running_servers
from tutor.cli.serve_tls import local_certificate
from tutor.server.modes import get_mode

pytestmark = pytest.mark.slow

MODES = ("cookie", "jwt")
HTTPS = "cookie-https"
"""The recording of `tutor serve --mode cookie --https`."""
RECORDINGS = (*MODES, HTTPS)


@pytest.fixture(scope="module")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, BrowserRecording]:
    """One login, reuse and logout per mode against a real `tutor serve` (and cookie mode
    once more over https), recorded by one headless Chromium that trusts that server's
    certificate only; the servers start side by side to save seconds."""
    if reason := missing_tools():
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("har")
    data_dir = tmp_path_factory.mktemp("data")
    # Made before Chromium starts, which must be told the key's hash at launch.
    cert = local_certificate(data_dir / "tls")
    specs = (*MODES, ("cookie", "--https"))
    with running_servers(*specs, data_dir=data_dir) as servers, \
            launched_chromium(trusted_spki=(cert.spki_hash,)) as browser:
        names = [*MODES, HTTPS]
        return {name: record_session(browser, server.mode, server.url, folder / f"{name}.har")
                for name, server in zip(names, servers, strict=True)}


@pytest.fixture(params=["cookie", HTTPS])
def cookie_recording(
    request: pytest.FixtureRequest, recordings: dict[str, BrowserRecording]
) -> BrowserRecording:
    """Chromium against `tutor serve --mode cookie`, over http and over https."""
    return recordings[request.param]


@pytest.fixture
def https_recording(recordings: dict[str, BrowserRecording]) -> BrowserRecording:
    """Chromium against `tutor serve --mode cookie --https`."""
    return recordings[HTTPS]


@pytest.fixture
def jwt_recording(recordings: dict[str, BrowserRecording]) -> BrowserRecording:
    """Chromium against `tutor serve --mode jwt`."""
    return recordings["jwt"]


@pytest.fixture(params=RECORDINGS)
def recording(
    request: pytest.FixtureRequest, recordings: dict[str, BrowserRecording]
) -> BrowserRecording:
    """Each mode's recording in turn, for checks that hold in both."""
    return recordings[request.param]


def _credential_requests(recording: BrowserRecording) -> list[tuple[str, str]]:
    paths = {"/login", "/profile", "/logout"}
    return [(sent.method, sent.path) for sent in recording.sent if sent.path in paths]


def _cookie_name(recording: BrowserRecording) -> str:
    """The session cookie's name as the server names it for this recording's scheme."""
    name = get_mode(recording.mode).cookie_name(recording.base_url.startswith("https:"))
    assert name is not None
    return name


def _session_cookie(recording: BrowserRecording,
                    cookies: list[dict[str, Any]]) -> dict[str, Any]:
    matching = [cookie for cookie in cookies if cookie["name"] == _cookie_name(recording)]
    assert len(matching) == 1, cookies
    return matching[0]


# --- what devtools shows ------------------------------------------------------------------


def test_the_page_logs_in_reuses_the_credential_and_logs_out(
    recording: BrowserRecording,
) -> None:
    """The four login steps in a real browser: the form's credentials reach /login, the
    credential comes back, /profile recognises it, and logout ends it (issue 6)."""
    # The JSON from /profile, compact as served (cookie) or indented by the page (jwt).
    assert re.search(rf'"username":\s*"{USERNAME}"', recording.texts["profile"]), recording.texts
    if recording.mode == "jwt":
        expected = [("POST", "/login"), ("GET", "/profile"), ("GET", "/profile"),
                    ("POST", "/logout")]
        assert "logged_out" in recording.texts["logout"]
    else:
        expected = [("POST", "/login"), ("GET", "/profile"), ("POST", "/logout")]
        assert f"Logged in as {USERNAME}" in recording.texts["home"]
        assert "Log in" in recording.texts["logout"]  # back on the login form
    assert _credential_requests(recording) == expected


def test_the_console_stays_empty(recording: BrowserRecording) -> None:
    """CSP Level 3 §5.5 reports violations to the console, as Chromium does uncaught
    script errors and form-field advice: the pages run without any of them."""
    assert recording.console == []


def test_the_password_travels_only_in_the_login_body(recording: BrowserRecording) -> None:
    """OWASP ASVS V8.3.1: the password is never in a URL, in cookie or jwt mode."""
    assert recording.sent, "the browser sent nothing"
    assert all(PASSWORD not in sent.path for sent in recording.sent)
    har = json.loads(recording.har.read_text(encoding="utf-8"))
    urls = [entry["request"]["url"] for entry in har["log"]["entries"]]
    assert all(PASSWORD not in url for url in urls)
    posted = [entry["request"].get("postData", {}).get("text", "")
              for entry in har["log"]["entries"]
              if urlsplit(entry["request"]["url"]).path == "/login"]
    assert len(posted) == 1 and PASSWORD in posted[0]


def test_cookie_mode_session_cookie_is_httponly_and_hidden_from_scripts(
    cookie_recording: BrowserRecording,
) -> None:
    """RFC 6265bis §4.1.2.6 and §5.8.3: the session cookie sits in the browser's cookie
    store marked HttpOnly, so `document.cookie` does not show it to page scripts."""
    cookie = _session_cookie(cookie_recording, cookie_recording.cookies_logged_in)
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"
    assert cookie["path"] == "/"
    assert _cookie_name(cookie_recording) not in cookie_recording.document_cookie_logged_in
    assert cookie["value"] not in cookie_recording.document_cookie_logged_in


def test_cookie_mode_every_later_request_carries_the_cookie_and_logout_drops_it(
    cookie_recording: BrowserRecording,
) -> None:
    """RFC 6265bis §5.8.3 / §5.7: the browser attaches the cookie by itself (the page
    never touches it), and the logout's Max-Age=0 removes it from the store."""
    session_id = _session_cookie(cookie_recording, cookie_recording.cookies_logged_in)["value"]
    carrying = [sent for sent in cookie_recording.sent
                if f"{_cookie_name(cookie_recording)}={session_id}"
                in sent.headers.get("cookie", "")]
    assert [(sent.method, sent.path) for sent in carrying] == [
        ("GET", "/profile"), ("GET", "/"), ("POST", "/logout")
    ]
    assert all("authorization" not in sent.headers for sent in cookie_recording.sent)
    values_after = [cookie["value"] for cookie in cookie_recording.cookies_after_logout]
    assert session_id not in values_after


def test_jwt_mode_token_is_in_local_storage_and_sent_as_bearer(
    jwt_recording: BrowserRecording,
) -> None:
    """RFC 6750 §2.1: in jwt mode the page's script keeps the token in localStorage
    (where any script can read it) and adds `Authorization: Bearer` itself; no cookie
    is involved, and logout deletes the token from storage."""
    token = jwt_recording.storage_logged_in.get("access_token", "")
    assert token.count(".") == 2, jwt_recording.storage_logged_in
    assert "refresh_token" in jwt_recording.storage_logged_in
    assert jwt_recording.cookies_logged_in == []
    assert jwt_recording.document_cookie_logged_in == ""
    reused = [sent for sent in jwt_recording.sent
              if sent.headers.get("authorization") == f"Bearer {token}"]
    assert [(sent.method, sent.path) for sent in reused] == [
        ("GET", "/profile"), ("GET", "/profile"), ("POST", "/logout")
    ]
    assert all("cookie" not in sent.headers for sent in jwt_recording.sent)
    assert "still in localStorage" in jwt_recording.texts["reload"]
    assert jwt_recording.storage_after_logout == {}


# --- what `tutor inspect` finds in the HAR ----------------------------------------------


@functools.cache
def _inspect(har: Path) -> dict[str, Any]:
    """`tutor inspect HAR --json`, run once per file (the tests only read the result)."""
    result = subprocess.run(
        [sys.executable, "-m", "tutor", "inspect", str(har), "--json"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=HANG_BOUND,
        env=no_proxy_env(),
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    analysis: dict[str, Any] = json.loads(result.stdout)
    return analysis


def _index(entries: list[dict[str, Any]], method: str, path: str, start: int = 0) -> int:
    for index in range(start, len(entries)):
        entry = entries[index]
        if entry["method"] == method and urlsplit(entry["url"]).path == path:
            return index
    raise AssertionError(f"no {method} {path} after entry {start}: {entries}")


def _kinds(analysis: dict[str, Any]) -> set[str]:
    return {finding["kind"] for finding in analysis["findings"]}


def test_inspect_finds_the_login_the_credential_its_reuse_and_the_logout(
    recording: BrowserRecording,
) -> None:
    """`tutor inspect --json` on Chromium's own HAR (docs/har-inspect.md): the login is
    tagged step 2 or 3, the credential it returned is found, a later request carries it
    (step 4), and the logout is found; nothing is reported that did not happen."""
    analysis = _inspect(recording.har)
    entries: list[dict[str, Any]] = analysis["entries"]
    login = _index(entries, "POST", "/login")
    assert entries[login]["login_step"] in (2, 3)
    logout = _index(entries, "POST", "/logout", login)
    if recording.mode == "cookie":
        credential = {"type": "cookie", "name": _cookie_name(recording)}
        issued = [cookie for cookie in entries[login]["set"]
                  if cookie["name"] == _cookie_name(recording) and not cookie["cleared"]]
        assert issued, entries[login]
    else:
        credential = {"type": "bearer"}
        assert any(token["claims"].get("sub") == USERNAME and token["verified"] is False
                   for token in entries[login]["tokens"]), entries[login]
    reuse = _index(entries, "GET", "/profile", login)
    assert entries[reuse]["login_step"] == 4
    assert any(credential.items() <= sent.items() for sent in entries[reuse]["sent"])
    assert any(credential.items() <= sent.items() for sent in entries[logout]["sent"])
    assert "credential-in-url" not in _kinds(analysis)
    assert "credential-reused-after-drop" not in _kinds(analysis)


def test_inspect_sees_the_cookie_cleared_at_logout(cookie_recording: BrowserRecording) -> None:
    """RFC 6265bis §5.7: the logout's Set-Cookie with Max-Age=0 is a cleared cookie, and
    inspect says so; the session cookie's HttpOnly and SameSite are seen."""
    analysis = _inspect(cookie_recording.har)
    entries: list[dict[str, Any]] = analysis["entries"]
    logout = _index(entries, "POST", "/logout")
    cleared = [cookie for cookie in entries[logout]["set"] if cookie["cleared"]]
    assert [cookie["name"] for cookie in cleared] == [_cookie_name(cookie_recording)]
    assert any(finding["kind"] == "cookie-cleared" and finding["entry"] == logout
               for finding in analysis["findings"]), analysis["findings"]
    # Whether Secure is expected of plain http on loopback is the analyser's call; the
    # other two attributes are on the session cookie, so nothing may say they are not.
    kinds = _kinds(analysis)
    assert "missing-httponly" not in kinds
    assert "missing-samesite" not in kinds


def test_inspect_sees_the_bearer_logout_and_no_cookies(jwt_recording: BrowserRecording) -> None:
    """jwt mode sets no cookie at all: inspect reports a POST /logout that carried the
    bearer token (200) and no cookie findings."""
    analysis = _inspect(jwt_recording.har)
    entries: list[dict[str, Any]] = analysis["entries"]
    logout = _index(entries, "POST", "/logout")
    assert entries[logout]["status"] == 200
    assert any(sent["type"] == "bearer" for sent in entries[logout]["sent"])
    assert all(entry["set"] == [] for entry in entries)
    assert not _kinds(analysis) & {"missing-httponly", "missing-secure", "missing-samesite",
                                  "cookie-cleared"}



# --- over https ---------------------------------------------------------------------------


def test_over_https_chromium_stores_and_sends_the_host_prefixed_cookie(
    https_recording: BrowserRecording,
) -> None:
    """RFC 6265bis §4.1.3.2 and §5.7: from a secure origin Chromium keeps `__Host-sid`
    (Secure, Path=/, host-only: no Domain) and sends it on every later request; the
    certificate it trusted is the server's own, by its key's hash, and nothing else."""
    assert https_recording.base_url.startswith("https://127.0.0.1:")
    cookie = _session_cookie(https_recording, https_recording.cookies_logged_in)
    assert cookie["name"] == "__Host-sid"
    assert cookie["secure"] is True and cookie["path"] == "/"
    assert cookie["domain"] == "127.0.0.1"  # host-only: exactly the origin's host
    carrying = [sent.path for sent in https_recording.sent
                if f"__Host-sid={cookie['value']}" in sent.headers.get("cookie", "")]
    assert carrying == ["/profile", "/", "/logout"]


def test_over_https_inspect_finds_nothing_wrong_with_the_session_cookie(
    https_recording: BrowserRecording,
) -> None:
    """Over https the server's session cookie has every attribute inspect looks for
    (HttpOnly, Secure, SameSite): the only finding that names it is its deletion at
    logout, which is what a logout should do."""
    analysis = _inspect(https_recording.har)
    about_it = [finding for finding in analysis["findings"]
                if "__Host-sid" in finding["message"]]
    assert [finding["kind"] for finding in about_it] == ["cookie-cleared"], about_it
    assert not _kinds(analysis) & {"missing-httponly", "missing-secure", "missing-samesite",
                                  "credential-in-url", "credential-reused-after-drop"}
