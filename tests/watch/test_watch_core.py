"""`tutor.watch` without a browser: the URL rules, Playwright's data → the HAR model,
the session's events (login steps, jar, storage, findings), their text, the HAR saved."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from tutor.har.analysis import analyse
from tutor.har.folder import HAR_DIR_VARIABLE, har_folder
from tutor.har.reader import parse_har
from tutor.scenes.story import Beat
from tutor.watch.observed import ObservedExchange, entry_json, to_entry
from tutor.watch.plain import save_session
from tutor.watch.session import (
    CookieChanged,
    ExchangeWatched,
    StorageWritten,
    WatchSession,
)
from tutor.watch.target import TargetError, origin_of, parse_target
from tutor.watch.text import event_lines

SITE = "http://127.0.0.1:5000"
TOKEN = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhZGEifQ."
         "c2lnbmF0dXJlLW5vdC1jaGVja2Vk")
LOGIN_PAGE = b'<form method=post><input name=password type="password"></form>'


def _login_flow() -> list[ObservedExchange]:
    """A form page, a JSON login answered with a careless cookie and a token, a call
    carrying both."""
    return [
        ObservedExchange("GET", f"{SITE}/", (("Accept", "text/html"),), 200,
                         (("Content-Type", "text/html"),), response_body=LOGIN_PAGE,
                         started=1_700_000_000.0),
        ObservedExchange("POST", f"{SITE}/api/login",
                         (("Content-Type", "application/json"),), 200,
                         (("Content-Type", "application/json"),
                          ("Set-Cookie", "site_session=abcdefghijklmnop; Path=/")),
                         request_body=b'{"username": "ada", "password": "pw"}',
                         response_body=json.dumps({"access_token": TOKEN}).encode(),
                         started=1_700_000_001.0),
        ObservedExchange("GET", f"{SITE}/api/me",
                         (("Authorization", f"Bearer {TOKEN}"),
                          ("Cookie", "site_session=abcdefghijklmnop")), 200,
                         (("Content-Type", "application/json"),),
                         response_body=b'{"user": "ada"}', started=1_700_000_002.0),
    ]


# --- what may be watched and reached ---------------------------------------------------


def test_loopback_urls_are_accepted_and_their_origin_kept() -> None:
    for url in ("http://127.0.0.1:8000/", "http://localhost:3000/login", "https://[::1]/",
                "http://app.localhost/"):
        assert parse_target(url).origin == origin_of(url)
    assert origin_of("HTTPS://Example.COM:443/x") == "https://example.com"
    assert origin_of("http://example.com:8080/") == "http://example.com:8080"


@pytest.mark.parametrize(("url", "words"), [
    ("example.com", "not an http(s) URL"),
    ("ftp://127.0.0.1/", "not an http(s) URL"),
    ("http:///nohost", "not an http(s) URL"),
    ("http://127.0.0.1:99999/", "port"),
    ("https://example.com/", "--allow-origin https://example.com"),
])
def test_bad_targets_are_refused_with_a_reason(url: str, words: str) -> None:
    with pytest.raises(TargetError, match=None) as caught:
        parse_target(url)
    assert words in str(caught.value)


def test_a_remote_site_needs_its_origin_named() -> None:
    target = parse_target("https://example.com/app", ["https://example.com"])
    assert target.allows("https://example.com/api") and target.allows("http://127.0.0.1:9/")
    assert not target.allows("https://cdn.example.net/lib.js")
    with pytest.raises(TargetError, match="has no path"):
        parse_target("http://127.0.0.1/", ["https://cdn.example.net/lib.js"])


def test_only_loopback_and_the_own_origin_are_reached_unless_allowed() -> None:
    target = parse_target(f"{SITE}/", ["https://cdn.test"])
    assert target.allows(f"{SITE}/api") and target.allows("http://localhost:1234/")
    assert target.allows("https://cdn.test/x.js") and target.allows("data:text/plain,hi")
    assert not target.allows("http://192.0.2.7/pixel.png")
    assert not target.allows("wss://push.example.com/socket")
    assert "https://cdn.test" in target.policy_line()
    everything = parse_target(f"{SITE}/", ["*"])
    assert everything.allows("https://anywhere.example/") and "*" in everything.policy_line()


# --- Playwright's data → the HAR model ---------------------------------------------------


def test_an_observed_exchange_reads_back_through_the_har_reader() -> None:
    seen = _login_flow()[1]
    entry = to_entry(seen, 7)
    assert entry.index == 7 and entry.request.method == "POST"
    assert entry.request.path == "/api/login"
    assert entry.request.body is not None and b"password" in entry.request.body.data
    assert entry.response.header("set-cookie") == "site_session=abcdefghijklmnop; Path=/"
    assert entry.response.body is not None and entry.response.body.json == {
        "access_token": TOKEN}
    assert entry.started == pytest.approx(1_700_000_001.0)


def test_binary_bodies_and_failures_survive_the_conversion() -> None:
    png = bytes(range(256))
    image = ObservedExchange("GET", f"{SITE}/a.png", (), 200, (("Content-Type", "image/png"),),
                             response_body=png)
    assert entry_json(image)["response"]["content"]["encoding"] == "base64"
    body = to_entry(image, 0).response.body
    assert body is not None and body.data == png == base64.b64decode(
        entry_json(image)["response"]["content"]["text"])
    failed = ObservedExchange("GET", f"{SITE}/down", (), 0, failure="net::ERR_CONNECTION_REFUSED")
    entry = to_entry(failed, 1)
    assert entry.response.status == 0
    session = WatchSession(parse_target(f"{SITE}/"))
    lines = event_lines(session.exchange(failed))
    assert lines[0].endswith("→ no answer (failed or blocked)")
    assert lines[1] == "    reason: net::ERR_CONNECTION_REFUSED"


# --- the session's events --------------------------------------------------------------


def test_a_live_login_gets_the_steps_and_findings_a_recording_gets() -> None:
    session = WatchSession(parse_target(f"{SITE}/"))
    events = [session.exchange(seen) for seen in _login_flow()]
    assert [e.new_steps for e in events] == [(1,), (2, 3), (4,)]
    assert session.steps_seen == {1, 2, 3, 4}
    kinds = {f.kind for f in events[1].findings}
    assert {"missing-httponly", "missing-secure", "missing-samesite"} <= kinds
    assert any(t.claims.get("sub") == "ada" for t in events[1].item.tokens)
    # The same exchanges saved and read back as a file: the same analysis.
    recorded = analyse(parse_har(session.har(redact=False).encode()))
    assert [i.login_steps for i in recorded.entries] == [
        e.item.login_steps for e in events]
    assert [f.kind for f in recorded.findings] == [f.kind for f in session.findings]


def test_the_cookie_jar_is_compared_with_the_last_one() -> None:
    session = WatchSession(parse_target(f"{SITE}/"))
    row = {"name": "sid", "value": "one", "domain": "127.0.0.1", "path": "/",
           "expires": -1, "httpOnly": True, "secure": False, "sameSite": "Lax"}
    stored = session.cookie_jar([row])
    assert [(c.change, c.name) for c in stored] == [("stored", "sid")]
    assert stored[0].attributes() == ("Domain=127.0.0.1, Path=/, HttpOnly, SameSite=Lax, "
                                      "session cookie")
    assert session.cookie_jar([row]) == []
    changed = session.cookie_jar([{**row, "value": "two", "expires": 1.9e9}])
    assert [(c.change, c.value) for c in changed] == [("changed", "two")]
    assert "persistent" in changed[0].attributes()
    assert [(c.change, c.name) for c in session.cookie_jar([])] == [("removed", "sid")]


def test_storage_writes_and_blocks_become_beats_in_the_browser_lane() -> None:
    session = WatchSession(parse_target(f"{SITE}/"))
    flow = _login_flow()
    session.exchange(flow[0])
    session.blocked("GET", "http://192.0.2.7/pixel.png")
    session.exchange(flow[1])
    assert session.storage("localStorage", SITE, "set", "access_token", TOKEN) is not None
    assert session.storage("cookieStore", SITE, "set", "x", "y") is None  # not storage
    session.exchange(flow[2])
    beats: list[Beat] = list(session.story().beats)
    labels = [b.label for b in beats]
    assert labels.index("blocked 192.0.2.7") < labels.index("POST /api/login")
    kept = next(b for b in beats if b.kind == "kept")
    assert kept.label == "localStorage +access_token" and kept.source == kept.target
    assert labels.index("localStorage +access_token") < labels.index("GET /api/me")


def test_typing_a_password_is_step_1_live_and_never_shows_the_value() -> None:
    session = WatchSession(parse_target(f"{SITE}/"))
    first = session.typed(SITE, "password")
    again = session.typed(SITE, "confirm")
    assert first.new_step and not again.new_step and session.steps_seen == {1}
    lines = event_lines(first)
    assert lines == [f"login step 1: the user enters credentials (typing in password "
                     f"field 'password' on {SITE}; the value is not shown)",
                     "    ★ first seen: login step 1, the user enters credentials"]
    assert len(event_lines(again)) == 1
    beat = session.story().beats[0]
    assert (beat.kind, beat.label, beat.login_steps) == ("typed", "password typed", (1,))
    # The form page after typing adds no new step 1.
    assert session.exchange(_login_flow()[0]).new_steps == ()


def test_plain_lines_say_what_happened_and_show_control_characters() -> None:
    session = WatchSession(parse_target(f"{SITE}/"))
    lines = [line for seen in _login_flow() for line in event_lines(session.exchange(seen))]
    text = "\n".join(lines)
    assert "★ first seen: login step 2" in text and "★ first seen: login step 4" in text
    assert "! missing-httponly" in text and "UNVERIFIED" in text
    assert TOKEN not in text  # shortened, as in tutor inspect
    write = StorageWritten("sessionStorage", SITE, "set", "k\x1b[2J", "v")
    assert event_lines(write) == [f"sessionStorage set k␛[2J=v (script on {SITE})"]
    cookie = CookieChanged("removed", "sid", "secret", "127.0.0.1", "/", True, True,
                           "Strict", -1)
    assert "secret" not in event_lines(cookie)[0]
    assert isinstance(session.events[0], ExchangeWatched)
    kept = event_lines(StorageWritten("localStorage", SITE, "set", "access_token", TOKEN))
    assert kept[1].startswith("    JWT   in localStorage.access_token, alg HS256, "
                              "UNVERIFIED: sub=ada")


# --- where HAR files go ------------------------------------------------------------------


def test_the_har_folder_is_the_learners_choice_else_downloads_else_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(HAR_DIR_VARIABLE, str(tmp_path / "mine"))
    assert har_folder() == tmp_path / "mine"
    monkeypatch.delenv(HAR_DIR_VARIABLE)
    import platformdirs

    monkeypatch.setattr(platformdirs, "user_downloads_dir", lambda: str(tmp_path))
    assert har_folder() == tmp_path
    monkeypatch.setattr(platformdirs, "user_downloads_dir", lambda: str(tmp_path / "none"))
    monkeypatch.setattr(platformdirs, "user_data_dir",
                        lambda *a, **k: str(tmp_path / "data"))
    assert har_folder() == tmp_path / "data" / "har"
    assert har_folder() != Path.cwd()


def test_a_session_is_saved_where_asked_and_never_overwrites(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    session = WatchSession(parse_target(f"{SITE}/"))
    for seen in _login_flow():
        session.exchange(seen)
    monkeypatch.setenv(HAR_DIR_VARIABLE, str(tmp_path / "hars"))
    first = save_session(session, None, redact=True)
    second = save_session(session, None, redact=True)
    assert first.parent == second.parent == tmp_path / "hars" and first != second
    assert TOKEN not in first.read_text() and "REDACTED" in first.read_text()
    named = save_session(session, tmp_path / "named.har", redact=False)
    assert named == tmp_path / "named.har"
    assert len(parse_har(named.read_bytes()).entries) == 3
