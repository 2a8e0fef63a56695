"""Credentials, login steps and every finding kind, on small hand-built HARs."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

from tests.har.builders import (
    basic,
    cookie_login_flow,
    entry,
    form,
    har_bytes,
    headers,
    token,
)
from tutor.har import findings
from tutor.har.analysis import Analysis, analyse
from tutor.har.reader import parse_har
from tutor.har.render import analysis_json


def analysed(*entries: dict[str, Any]) -> Analysis:
    return analyse(parse_har(har_bytes(*entries)))


def kinds(analysis: Analysis) -> list[tuple[str, int]]:
    return [(f.kind, f.entry) for f in analysis.findings]


def test_cookie_login_is_tagged_with_all_four_steps() -> None:
    analysis = analysed(*cookie_login_flow())
    assert [e.login_steps for e in analysis.entries] == [(1,), (2, 3), (4,), (4,), (4,)]
    assert [e.login_step for e in analysis.entries] == [1, 3, 4, 4, 4]


def test_jwt_login_step_three_is_the_token_in_the_body() -> None:
    access = token(exp=1_767_226_000)
    analysis = analysed(
        entry("POST", "https://api.test/login", post={
            "mimeType": "application/json",
            "text": json.dumps({"username": "alice", "password": "wonderland"})},
            body=json.dumps({"access_token": access, "token_type": "Bearer"}),
            mime="application/json"),
        entry(url="https://api.test/profile",
              request_headers=headers(authorization=f"Bearer {access}")),
        entry(url="https://api.test/style.css"),
    )
    login, profile, style = analysis.entries
    assert login.login_steps == (2, 3)
    assert [t.location for t in login.tokens] == ["response.body:$.access_token"]
    assert login.tokens[0].claims == {"sub": "alice", "exp": 1_767_226_000}
    assert login.tokens[0].header["alg"] == "HS256"
    assert profile.login_step == 4 and style.login_step is None
    assert [(c.type, c.name) for c in profile.sent] == [("bearer", "Authorization")]
    assert [t.location for t in profile.tokens] == ["request.header:Authorization"]


def test_a_failed_login_is_step_two_only_and_an_anonymous_cookie_is_not_step_three() -> None:
    analysis = analysed(
        entry(response_headers=headers(set_cookie="sid=anon123; Path=/; HttpOnly; Secure;"
                                       " SameSite=Lax")),
        entry("POST", "https://bank.test/login", 401, post=form(username="a", password="x")),
    )
    assert [e.login_steps for e in analysis.entries] == [(), (2,)]


def test_basic_authorization_is_step_two_with_the_user_name() -> None:
    analysis = analysed(entry(url="https://bank.test/admin",
                              request_headers=headers(authorization=basic("queen", "pw"))))
    item = analysis.entries[0]
    assert item.login_steps == (2, 3)
    assert [(c.type, c.user) for c in item.sent] == [("basic", "queen")]


def test_a_login_path_without_a_recorded_page_is_step_one() -> None:
    assert analysed(entry(url="https://bank.test/sign-in")).entries[0].login_step == 1
    assert analysed(entry(url="https://bank.test/about")).entries[0].login_step is None


def test_missing_cookie_attributes_are_each_a_finding() -> None:
    analysis = analysed(entry("POST", "https://bank.test/login", 200,
                              post=form(username="alice", password="pw"),
                              response_headers=headers(set_cookie="session=abc123; Path=/")))
    assert kinds(analysis) == [("missing-httponly", 0), ("missing-secure", 0),
                               ("missing-samesite", 0)]
    assert "document.cookie" in analysis.findings[0].message


def test_a_well_set_session_cookie_and_a_theme_cookie_raise_nothing() -> None:
    analysis = analysed(entry(response_headers=headers(
        set_cookie="sid=abc; Path=/; HttpOnly; Secure; SameSite=Strict\ntheme=dark")))
    assert [c.name for c in analysis.entries[0].set] == ["sid", "theme"]  # newline-joined
    assert kinds(analysis) == []


def test_credentials_in_the_url() -> None:
    analysis = analysed(
        entry(url=f"https://bank.test/cb?state=x&access_token={token()}"),
        entry(url="https://alice:pw@bank.test/"),
        entry(url="https://bank.test/search?q=password+reset"),
    )
    assert kinds(analysis) == [("credential-in-url", 0), ("credential-in-url", 1)]
    assert analysis.entries[0].tokens[0].location == "request.url:access_token"
    assert "access_token" in analysis.findings[0].message


def test_cookie_cleared_by_max_age_by_past_expiry_and_by_an_empty_value() -> None:
    analysis = analysed(
        entry(response_headers=headers(set_cookie="a=1; Max-Age=0")),
        entry(response_headers=headers(set_cookie="b=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT")),
        entry(response_headers=headers(set_cookie="c=; Max-Age=60")),
        entry(response_headers=headers(set_cookie="d=1; Max-Age=60; "
                                       "Expires=Thu, 01 Jan 1970 00:00:00 GMT")),
        entry(response_headers=headers(set_cookie="e=1; Expires=Fri, 01 Jan 2027 00:00:00 GMT")),
    )
    assert [e.set[0].cleared for e in analysis.entries] == [True, True, True, False, False]
    assert kinds(analysis) == [("cookie-cleared", 0), ("cookie-cleared", 1),
                               ("cookie-cleared", 2)]


def test_expiry_is_judged_against_the_entry_time() -> None:
    line = "sid=x; Expires=Thu, 01 Jan 2026 00:00:10 GMT"
    before = entry(started="2026-01-01T00:00:00Z", response_headers=headers(set_cookie=line))
    after = entry(started="2026-01-01T00:01:00Z", response_headers=headers(set_cookie=line))
    assert [e.set[0].cleared for e in analysed(before, after).entries] == [False, True]


def test_a_cleared_cookie_accepted_again_is_reuse_after_drop() -> None:
    analysis = analysed(*cookie_login_flow(reuse_status=200))
    assert ("credential-reused-after-drop", 4) in kinds(analysis)
    message = next(f.message for f in analysis.findings if f.entry == 4)
    assert "cookie sid" in message and "entry 3" in message
    # The same replay refused by the server is the logout working: no finding.
    refused = analysed(*cookie_login_flow(reuse_status=401))
    assert "credential-reused-after-drop" not in [k for k, _ in kinds(refused)]


def test_a_bearer_token_used_after_logout_or_refresh_is_reuse_after_drop() -> None:
    first, second = token(jti="1"), token(jti="2")
    analysis = analysed(
        entry(url="https://api.test/profile", request_headers=headers(
            authorization=f"Bearer {first}")),
        entry(url="https://api.test/profile", request_headers=headers(
            authorization=f"Bearer {second}")),  # refreshed: the first is replaced
        entry("POST", "https://api.test/logout", 204, request_headers=headers(
            authorization=f"Bearer {second}")),
        entry(url="https://api.test/profile", request_headers=headers(
            authorization=f"Bearer {first}")),
        entry(url="https://api.test/profile", request_headers=headers(
            authorization=f"Bearer {second}")),
    )
    assert kinds(analysis) == [("credential-reused-after-drop", 3),
                               ("credential-reused-after-drop", 4)]


def test_a_cookie_the_client_stopped_sending_then_sent_again() -> None:
    sid = "sid=abcdef0123456789"
    analysis = analysed(
        entry(url="https://bank.test/profile", request_headers=headers(cookie=sid)),
        entry(url="https://bank.test/profile", status=401,
              request_headers=headers(accept="text/html")),  # the user cleared cookies
        entry(url="https://bank.test/profile", request_headers=headers(cookie=sid)),
    )
    assert kinds(analysis) == [("credential-reused-after-drop", 2)]
    assert "no longer sent" in analysis.findings[0].message


def test_a_token_request_without_cookies_does_not_count_as_dropping_them() -> None:
    # fetch(url, {credentials: "omit", headers: {Authorization: ...}}) sends no cookie by
    # the page's choice; the session cookie sent again after it was never given up, and
    # saying the server "still honours a credential the client had given up" would be false.
    sid = "sid=abcdef0123456789"
    analysis = analysed(
        entry(url="https://bank.test/profile", request_headers=headers(cookie=sid)),
        entry(url="https://bank.test/api/me",
              request_headers=headers(authorization=f"Bearer {token()}")),
        entry(url="https://bank.test/profile", request_headers=headers(cookie=sid)),
    )
    assert kinds(analysis) == []


def test_only_login_cookies_count_as_given_up_and_honoured_again() -> None:
    # A theme or analytics cookie that goes missing and comes back is no credential the
    # server honours; a cookie a login issued is one, whatever its name.
    login = entry("POST", "https://bank.test/login", response_headers=headers(
        set_cookie="k=0123456789abcdef; Path=/; HttpOnly; Secure"),
        post=form(username="alice", password="pw"))
    jar = "k=0123456789abcdef; theme=dark; _ga=GA1.2.3; lang=en"
    analysis = analysed(
        login,
        entry(url="https://bank.test/profile", request_headers=headers(cookie=jar)),
        entry(url="https://bank.test/profile", request_headers=headers(accept="*/*")),
        entry(url="https://bank.test/profile", request_headers=headers(cookie=jar)),
    )
    reused = [f for f in analysis.findings if f.kind == "credential-reused-after-drop"]
    assert [(f.entry, f.message.split(" was ")[0]) for f in reused] == [
        (3, "The cookie k")]


def test_json_has_the_contract_fields_and_no_secret_values() -> None:
    analysis = analysed(*cookie_login_flow())
    document = analysis_json(analysis)
    assert set(document) == {"entries", "findings", "notes"}
    login = document["entries"][1]
    assert {"method", "url", "status", "login_step", "sent", "set", "tokens"} <= set(login)
    assert login["set"] == [{"name": "sid", "cleared": False, "attributes": {
        "domain": None, "path": "/", "expires": None, "max_age": None, "secure": True,
        "http_only": True, "same_site": "Lax"}}]
    assert document["entries"][2]["sent"] == [{"type": "cookie", "name": "sid"}]
    assert {f["kind"] for f in document["findings"]} <= declared_finding_kinds()
    assert "s3cr3t" not in json.dumps(document)


def test_a_bearer_token_the_page_stopped_sending_then_accepted_again() -> None:
    # The JWT "logout" that only deletes the page's copy: /profile goes without the
    # token (401), then someone replays the copy, and the server still accepts it.
    kept = token(jti="kept")
    analysis = analysed(
        entry(url="https://api.test/profile", request_headers=headers(
            authorization=f"Bearer {kept}")),
        entry(url="https://api.test/profile", status=401,
              request_headers=headers(accept="application/json")),
        entry(url="https://api.test/profile", request_headers=headers(
            authorization=f"Bearer {kept}")),
    )
    assert kinds(analysis) == [("credential-reused-after-drop", 2)]
    message = next(f.message for f in analysis.findings if f.entry == 2)
    assert "entry 1" in message and "same path went without it" in message


def test_a_request_elsewhere_without_the_token_drops_nothing() -> None:
    # Pages fetch images and scripts without Authorization all the time: only a request
    # to a path that carried the token before tells that the client gave it up.
    kept = token(jti="kept")
    analysis = analysed(
        entry(url="https://api.test/profile", request_headers=headers(
            authorization=f"Bearer {kept}")),
        entry(url="https://api.test/logo.png", request_headers=headers(accept="image/*")),
        entry("OPTIONS", "https://api.test/profile", 204),
        entry(url="https://api.test/profile", request_headers=headers(
            authorization=f"Bearer {kept}")),
    )
    assert kinds(analysis) == []


def test_a_navigation_to_the_tokens_path_drops_nothing() -> None:
    # Opening /api/me in the address bar sends no Authorization: a browser navigation
    # cannot carry a header the page's script set, so it tells nothing about a drop.
    kept = token(jti="kept")
    analysis = analysed(
        entry(url="https://api.test/api/me", request_headers=headers(
            authorization=f"Bearer {kept}", sec_fetch_mode="cors")),
        entry(url="https://api.test/api/me", status=401, request_headers=headers(
            accept="text/html", sec_fetch_mode="navigate", sec_fetch_dest="document")),
        entry(url="https://api.test/api/me", request_headers=headers(
            authorization=f"Bearer {kept}", sec_fetch_mode="cors")),
    )
    assert kinds(analysis) == []


def declared_finding_kinds() -> set[str]:
    """The values of the `FindingKind` Literal, read from findings.py's source (the alias
    exists for type checkers only, so typing stays unimported at run time)."""
    tree = ast.parse(Path(findings.__file__).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if (isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id == "FindingKind"):
            assert isinstance(node.value, ast.Subscript)
            assert isinstance(node.value.slice, ast.Tuple)
            return {element.value for element in node.value.slice.elts
                    if isinstance(element, ast.Constant) and isinstance(element.value, str)}
    raise AssertionError("findings.py declares no FindingKind")


def test_every_finding_kind_is_documented_and_no_other() -> None:
    text = (Path(__file__).parents[2] / "docs" / "har-inspect.md").read_text(encoding="utf-8")
    table = text.partition("| kind | raised when |")[2].partition("\n\n")[0]
    documented = set(re.findall(r"^\| `([a-z-]+)` \|", table, re.MULTILINE))
    assert len(declared_finding_kinds()) == 6
    assert documented == declared_finding_kinds()
