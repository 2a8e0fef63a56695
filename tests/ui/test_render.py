"""The stage's pure renderers, checked as plain text (and, for highlighting, as styles).

Test data comes from real scenes run through the scene engine, so the views are checked
against the exchanges, jars and stores the learner will actually see.
"""

from __future__ import annotations

import asyncio
import base64
import json
import subprocess
import sys
from collections.abc import Callable
from functools import cache
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console, Group, RenderableType
from rich.text import Text

from tests.long_run import examples
from tests.readiness import HANG_BOUND
from tutor.browser.cookies import CookieJar, RequestContext
from tutor.browser.events import Exchange, RecordedRequest, RecordedResponse
from tutor.clock import SimulatedClock
from tutor.har.stage import story_of_exchanges
from tutor.login_steps import LOGIN_STEP_NAMES
from tutor.scenes import SceneEngine, parse_scene
from tutor.scenes.events import ExchangeSeen
from tutor.ui.render import (
    render_browser,
    render_cookie_decisions,
    render_exchange,
    render_jwt,
    render_server,
    render_stepper,
)
from tutor.ui.render.jwt_view import SEGMENT_STYLES, render_pipeline
from tutor.ui.render.stepper import STEP_LABELS
from tutor.ui.render.story import render_story

NARROW, WIDE = 30, 140
START = 1_767_225_600  # the simulated clock's start: 2026-01-01T00:00:00Z
Scene = tuple[SceneEngine, list[ExchangeSeen]]


def text_of(renderable: RenderableType, width: int = 100) -> str:
    console = Console(record=True, width=width, color_system=None)
    console.print(renderable)
    return console.export_text()


def ansi_of(renderable: RenderableType, width: int = 100) -> str:
    """The output with ANSI styles, to check what is highlighted."""
    console = Console(record=True, width=width, color_system="standard", force_terminal=True)
    console.print(renderable)
    return console.export_text(styles=True)


def flat(text: str) -> str:
    """`text` without any whitespace, to find values that were wrapped across lines."""
    return "".join(text.split())


def styled(text: Text) -> list[tuple[str, str]]:
    """(covered text, style) for each span of `text`."""
    return [(text.plain[s.start:s.end], str(s.style)) for s in text.spans]


def run_scene(steps: list[Any], browsers: tuple[str, ...] = ("user",), **server: Any) -> Scene:
    """A scene run to its end, and every exchange it showed."""
    config = {"mode": "cookie", "scrypt_cost": 1024, **server}
    engine = SceneEngine(parse_scene({"server": config, "browsers": list(browsers),
                                      "steps": steps}))
    seen: list[ExchangeSeen] = []
    engine.subscribe(lambda event: seen.append(event) if isinstance(event, ExchangeSeen)
                     else None)
    asyncio.run(engine.run_all())
    assert all(record.error is None for record in engine.records)
    return engine, seen


@cache
def cookie_scene() -> Scene:
    """Visit, log in, read the profile, log out, and be refused."""
    return run_scene([{"visit": "/"}, {"login": {}}, {"request": "/profile"}, {"logout": {}},
                      {"request": "/profile"}])


@cache
def jwt_scene() -> Scene:
    """Log in with a JWT, use it, wait 30 s, log out (the token is denylisted)."""
    return run_scene([{"login": {}}, {"request": "/profile"}, {"advance_clock": 30},
                      {"logout": {}}], mode="jwt", denylist=True)


@cache
def forged_scene() -> Scene:
    """Log in with a JWT, make yourself admin in devtools: refused at the signature."""
    return run_scene([{"login": {}}, {"tamper_token": {"claims": {"role": "admin"}}},
                      {"request": "/profile"}], mode="jwt")


@cache
def cross_site_scene() -> Scene:
    """A logged-in user on the attacker's page, which posts a form to the bank."""
    return run_scene([{"login": {}}, {"cross_site_request": {"path": "/transfer",
                                                             "fields": {"to": "eve"}}}])


def find(scene: Scene, method: str, path: str, status: int | None = None) -> ExchangeSeen:
    return next(s for s in scene[1] if s.exchange.request.method == method
                and s.exchange.request.url.endswith(path)
                and (status is None or s.exchange.response.status == status))


def make_exchange(status: int = 200, body: bytes = b"", content_type: str | None = None,
                  headers: tuple[tuple[str, str], ...] = ()) -> Exchange:
    response_headers = headers + ((("content-type", content_type),) if content_type else ())
    return Exchange(at=START, browser="user",
                    request=RecordedRequest("GET", "https://bank.test/data?x=1",
                                            (("host", "bank.test"),)),
                    response=RecordedResponse(status, response_headers, body),
                    context=RequestContext("https://bank.test/data?x=1"))


def token_of(scene: Scene) -> str:
    """The bearer token of the scene's first request that carried one."""
    header = next(s.exchange.request.header("authorization") for s in scene[1]
                  if s.exchange.request.header("authorization"))
    return (header or "").split(" ", 1)[1]


# --- every renderer at a narrow and a wide width ------------------------------------------

RENDERERS: dict[str, Callable[[int], RenderableType]] = {
    "render_story": lambda w: render_story(story_of_exchanges(cookie_scene()[1]), 1, w),
    "render_stepper": lambda w: render_stepper((2, 3)),
    "render_exchange": lambda w: render_exchange(find(jwt_scene(), "POST", "/login").exchange),
    "render_cookie_decisions": lambda w: render_cookie_decisions(cookie_scene()[1][1].exchange),
    "render_browser": lambda w: render_browser(cookie_scene()[0].world.browser("user"),
                                               "https://bank.test"),
    "render_server": lambda w: render_server(jwt_scene()[0].world.server),
    "render_jwt": lambda w: render_jwt(token_of(jwt_scene()), START, "signature"),
}


@pytest.mark.parametrize("width", [NARROW, WIDE])
@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_renders_at_narrow_and_wide_widths(name: str, width: int) -> None:
    output = text_of(RENDERERS[name](width), width)
    assert output.strip()
    assert all(len(line) <= width for line in output.splitlines())


@pytest.mark.slow
def test_importing_the_renderers_loads_neither_textual_nor_the_server_stack() -> None:
    probe = ("import sys, tutor.ui.render; print(sorted(m for m in "
             "('textual', 'jwt', 'httpx', 'starlette', 'yaml') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True, timeout=HANG_BOUND)
    assert result.stdout.strip() == "[]"


# --- stepper ------------------------------------------------------------------------------


def test_stepper_lights_the_current_steps_and_dims_the_rest() -> None:
    stepper = render_stepper((2, 3))
    assert text_of(stepper).strip() == (
        "1 enter credentials  ›  2 credentials travel  ›  3 verify & issue  ›  "
        "4 attach to requests")
    lit = [covered.strip() for covered, style in styled(stepper) if style == "bold reverse"]
    assert lit == ["2 credentials travel", "3 verify & issue"]
    dim = [covered.strip() for covered, style in styled(stepper) if style == "dim"]
    assert "1 enter credentials" in dim and "4 attach to requests" in dim


def test_stepper_with_no_current_step_lights_nothing() -> None:
    assert all(style == "dim" for _, style in styled(render_stepper(())))
    assert all(style == "dim" for _, style in styled(render_stepper((0, 9))))


def test_stepper_shrinks_to_a_width() -> None:
    assert render_stepper((4,), width=60).plain.strip().startswith("1 enter  ›  2 travel")
    tiny = render_stepper((4,), width=16)
    assert tiny.cell_len <= 16 and "4" in tiny.plain


def test_step_labels_match_the_engine_steps() -> None:
    assert set(STEP_LABELS) == set(LOGIN_STEP_NAMES)


# --- exchange -----------------------------------------------------------------------------


def test_exchange_shows_request_and_response_in_full() -> None:
    exchange = find(cookie_scene(), "POST", "/login").exchange
    lines = text_of(render_exchange(exchange), 200).splitlines()
    assert lines[0] == "POST /login HTTP/1.1"
    request_headers = [f"{name}: {value}" for name, value in exchange.request.headers]
    assert lines[1:1 + len(request_headers)] == request_headers
    after_request = lines.index("username=alice&password=wonderland")
    assert lines[after_request + 1] == ""
    assert lines[after_request + 2] == "HTTP/1.1 303 See Other"
    assert "location: /profile" in lines
    assert lines[-1] == "(no body)"


def test_credential_headers_are_highlighted_and_wrapped_not_cut() -> None:
    login = find(cookie_scene(), "POST", "/login").exchange
    output = ansi_of(render_exchange(login), 40)
    bold_yellow = "\x1b[1;33m"
    for header in ("cookie: ", "set-cookie: "):
        assert f"{bold_yellow}{header}" in output
    assert f"{bold_yellow}host: " not in output
    refused = cookie_scene()[1][-1].exchange
    assert f"{bold_yellow}www-authenticate: " in ansi_of(render_exchange(refused))
    bearer = find(jwt_scene(), "GET", "/profile", 200).exchange
    token = token_of(jwt_scene())
    narrow = text_of(render_exchange(bearer), 40)
    assert f"Bearer{token}" in flat(narrow)  # wrapped over several lines, not cut
    assert max(len(line) for line in narrow.splitlines()) <= 40
    assert f"{bold_yellow}authorization: " in ansi_of(render_exchange(bearer), 40)


def test_json_bodies_are_pretty_printed() -> None:
    login = find(jwt_scene(), "POST", "/login").exchange
    output = text_of(render_exchange(login), 200)
    assert '  "username": "alice",' in output  # the request body
    assert '  "token_type": "Bearer",' in output
    refused = find(forged_scene(), "GET", "/profile", 401).exchange
    assert '  "stage": "signature"' in text_of(render_exchange(refused), 200)


def test_long_bodies_are_cut_at_forty_lines() -> None:
    body = json.dumps({f"key{i}": i for i in range(60)}).encode()
    output = text_of(render_exchange(make_exchange(body=body, content_type="application/json")))
    assert '"key38": 38' in output and '"key39"' not in output  # "{" is the first line
    assert "… 22 more lines not shown" in output


def test_other_bodies_and_statuses_are_shown_as_they_came() -> None:
    output = text_of(render_exchange(make_exchange(599, b"<p>hi</p>\n", "text/html")))
    assert "GET /data?x=1 HTTP/1.1" in output
    assert "HTTP/1.1 599" in output and "<p>hi</p>" in output
    broken = text_of(render_exchange(make_exchange(200, b'{"a": ', "application/json")))
    assert '{"a":' in broken
    deep = make_exchange(200, b"[" * 100_000, "application/json")
    assert "[[[" in text_of(render_exchange(deep))


def test_cookie_decisions_say_sent_or_withheld_and_why() -> None:
    login = find(cookie_scene(), "POST", "/login").exchange
    output = text_of(render_cookie_decisions(login))
    assert "✓ sent     __Host-sid (bank.test/): same-site request" in output
    assert "✓ stored   __Host-sid: replaced the old value (creation time kept)" in output
    forged = find(cross_site_scene(), "POST", "/transfer").exchange
    output = text_of(render_cookie_decisions(forged))
    assert "✗ withheld __Host-sid" in output
    assert "SameSite=Lax: not sent on a cross-site POST" in output
    assert "(none)" in output


def test_cookie_decisions_report_deleted_and_rejected_cookies() -> None:
    logout = find(cookie_scene(), "POST", "/logout").exchange
    assert "deleted  __Host-sid: Max-Age=0: deleted the stored cookie" in text_of(
        render_cookie_decisions(logout))
    jar = CookieJar(SimulatedClock())
    context = RequestContext("http://bank.test/")
    rejected = make_exchange()
    rejected = Exchange(rejected.at, rejected.browser, rejected.request, rejected.response,
                        context, cookies_stored=tuple(jar.set_from_response(
                            context, ["x=1; Secure"])))
    output = text_of(render_cookie_decisions(rejected))
    assert "✗ rejected x: Secure: cannot be set from an http page" in output
    assert "(the jar had no cookies to consider)" in output


# --- browser ------------------------------------------------------------------------------


def test_browser_shows_the_jar_with_attributes() -> None:
    engine, _ = run_scene([{"login": {}}])
    browser = engine.world.browser("user")
    browser.receive_cookie_from("https://bank.test/", "theme=dark; Max-Age=60; Path=/")
    output = text_of(render_browser(browser, "https://bank.test"), 140)
    sid = next(c for c in browser.jar.cookies() if c.name == "__Host-sid")
    assert "__Host-sid" in output and sid.value not in output  # shortened ...
    assert sid.value[:6] in output and "…" in output  # ... in the middle
    assert "Path=/; Secure; HttpOnly; SameSite=Lax" in output
    assert "Max-Age=60" in output and "theme" in output
    assert "document.cookie = 'theme=dark'" in output
    assert "at https://bank.test/profile" in output


def test_browser_explains_an_empty_document_cookie() -> None:
    engine, _ = run_scene([{"login": {}}])
    output = text_of(render_browser(engine.world.browser("user"), "https://bank.test"), 120)
    assert "document.cookie is empty: HttpOnly cookies are hidden from scripts" in output
    exposed, _ = run_scene([{"login": {}}], vulnerabilities=["no_httponly"])
    output = text_of(render_browser(exposed.world.browser("user"), "https://bank.test"), 200)
    assert "document.cookie = '__Host-sid=" in output


def test_browser_empty_states_and_web_storage() -> None:
    engine, _ = run_scene([{"login": {}}], mode="jwt")
    browser = engine.world.browser("user")
    browser.store("sessionStorage", "https://bank.test", "draft", "hello")
    output = text_of(render_browser(browser, "https://bank.test"), 120)
    assert "(empty: no cookies)" in output
    assert "document.cookie is empty" in output
    assert "access_token" in output and "refresh_token" in output
    assert "draft" in output and "hello" in output
    other = text_of(render_browser(browser, "https://evil.test"), 120)
    assert "(empty: nothing in localStorage for https://evil.test)" in other


# --- server -------------------------------------------------------------------------------


def test_server_shows_the_clock_and_session_rows() -> None:
    engine, _ = run_scene([{"visit": "/"}, {"advance_clock": 300}])
    output = text_of(render_server(engine.world.server), 120)
    assert "clock 2026-01-01T00:05:00Z" in output
    assert "mode cookie" in output and "no deliberate weaknesses enabled" in output
    row = next(line for line in output.splitlines() if "(anonymous)" in line)
    assert "00:00:00" in row and "5m" in row
    assert "not used in cookie mode" in output


def test_server_session_row_appears_and_disappears() -> None:
    engine, _ = run_scene([{"login": {}}, {"logout": {}}])
    asyncio.run(engine.goto(1))
    during = text_of(render_server(engine.world.server), 120)
    asyncio.run(engine.goto(len(engine.scene.steps)))
    after = text_of(render_server(engine.world.server), 120)
    assert "alice" in during
    assert "no sessions" in after and "alice" not in after


def test_server_shows_denylist_and_refresh_families_in_jwt_mode() -> None:
    output = text_of(render_server(jwt_scene()[0].world.server), 120)
    assert "mode jwt · algorithm HS256" in output and "denylist on" in output
    assert "no sessions: JWTs carry the claims themselves" in output
    denied = next(line for line in output.splitlines() if line.rstrip().endswith("270s"))
    assert "…" in denied  # the jti, shortened
    family = next(line for line in output.splitlines() if "alice" in line)
    assert family.rstrip().endswith("revoked")


def test_server_with_replicas_shows_each_store_or_the_shared_one() -> None:
    separate, _ = run_scene([{"visit": "/"}, {"visit": "/"}], replicas=2)
    output = text_of(render_server(separate.world.server), 120)
    assert "Replica A" in output and "Replica B" in output
    assert "2 replicas, a store each" in output
    shared, _ = run_scene([{"visit": "/"}], replicas=3, shared_store=True)
    output = text_of(render_server(shared.world.server), 120)
    assert output.count("Shared store (replicas A, B, C)") == 1
    assert "Replica A" not in output


def test_server_marks_vulnerabilities_in_red() -> None:
    engine, _ = run_scene([{"visit": "/"}], mode="jwt", vulnerabilities=["accept_alg_none"])
    server = engine.world.server
    output = text_of(render_server(server), 120)
    assert "VULNERABLE accept_alg_none: accepts JWTs with alg none" in output
    assert "denylist off: a logged-out access token works until it expires" in output
    assert "\x1b[1;31mVULNERABLE" in ansi_of(render_server(server), 120)


# --- JWT ----------------------------------------------------------------------------------


def test_jwt_shows_three_coloured_segments_and_the_decoded_json() -> None:
    token = token_of(jwt_scene())
    view = render_jwt(token, START + 30)
    assert isinstance(view, Group)
    coloured = view.renderables[0]
    assert isinstance(coloured, Text)
    segments = [(c, s) for c, s in styled(coloured) if s in SEGMENT_STYLES]
    assert [c for c, _ in segments] == token.split(".")
    assert [s for _, s in segments] == list(SEGMENT_STYLES)
    output = text_of(view, 100)
    assert "decoded without verifying: anyone can read this" in output
    assert '"alg": "HS256"' in output and '"typ": "at+jwt"' in output
    assert '"sub": "alice"' in output
    assert "iat 2026-01-01 00:00:00 UTC  (issued 30s ago)" in output
    assert "exp 2026-01-01 00:05:00 UTC  (expires in 4m 30s)" in output
    assert "32 bytes" in output


def test_jwt_times_after_expiry() -> None:
    output = text_of(render_jwt(token_of(jwt_scene()), START + 330), 100)
    assert "(expired 30s ago)" in output


def test_pipeline_lights_the_failing_stage() -> None:
    pipeline = render_pipeline("signature")
    spans = styled(pipeline)
    assert [c for c, s in spans if s == "bold green"] == ["✓ decode", "✓ algorithm", "✓ key"]
    assert [c for c, s in spans if "on red" in s] == ["✗ signature"]
    assert [c for c, s in spans if s == "dim" and c.isalpha()] == ["claims", "revocation"]
    revoked = styled(render_pipeline("revocation"))
    assert len([c for c, s in revoked if s == "bold green"]) == 5
    neutral = render_pipeline(None)
    assert neutral.plain == "decode → algorithm → key → signature → claims → revocation"
    assert not any("green" in s or "red" in s for _, s in styled(neutral))
    assert "unknown stage 'later'" in render_pipeline("later").plain


def test_jwt_inspector_shows_the_stage_the_server_refused() -> None:
    refused = find(forged_scene(), "GET", "/profile", 401)
    stage = json.loads(refused.exchange.response.body)["stage"]
    forged = token_of(forged_scene())
    output = text_of(render_jwt(forged, START, stage), 100)
    assert '"role": "admin"' in output
    assert "✗ signature" in output and "the server refused the token at: signature" in output


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@pytest.mark.parametrize(("token", "says"), [
    ("random text", "this has 1"),
    ("abc.def", "this has 2"),
    ("", "the header is empty"),
    ("a.b.c.d.e", "encrypted JWE"),
    ("eyJ!.e30.sig", "the header is not base64url (it contains '!')"),
    ("a.b.c", "its length is impossible"),
    (f"{b64(b'not json')}.{b64(b'[1]')}.", "the header decodes, but not to JSON"),
    (f"{b64(b'{}')}.{b64(b'[1]')}.", "the payload is JSON but not an object"),
    (f"{b64(b'{}')}=.{b64(b'{}')}.x", "'=' padding"),
    (f"{b64(b'{}')}.{b64(bytes([0xff, 0xfe]))}.x", "\\xff\\xfe"),
    (f"{b64(b'{}')}.{b64(b'[' * 100_000)}.x", "not to JSON"),
])
def test_malformed_tokens_say_what_is_wrong(token: str, says: str) -> None:
    output = text_of(render_jwt(token, START, "decode"), 100)
    assert says in output
    assert "✗ decode" in output


def test_a_token_with_odd_claims_still_renders() -> None:
    payload = b'{"exp": 1e400, "iat": "soon", "nbf": 99999999999999, "n": "\\ud800"}'
    header = b64(b'{"alg": "none"}')
    output = text_of(render_jwt(f"{header}.{b64(payload)}.", START), 100)
    assert "exp inf: not a number of seconds" in output
    assert "iat 'soon': not a number of seconds" in output
    assert "nbf (not a representable time)" in output
    assert "an unsigned token (alg none)" in output
    assert '"n": "\\ud800"' in output


@settings(max_examples=examples(50), deadline=None)
@given(st.one_of(st.text(), st.lists(st.binary(max_size=40), max_size=4).map(
    lambda parts: ".".join(b64(p) for p in parts))))
def test_render_jwt_never_raises(token: str) -> None:
    text_of(render_jwt(token, START, None), 60)


def test_prose_parts_mark_each_scene_and_leave_the_hints_to_the_hint_key() -> None:
    from tutor.lessons.course import default_course_dir, find_lesson
    from tutor.quiz.kinds import KINDS
    from tutor.ui.render.prose import prose_parts

    lesson, _ = find_lesson(default_course_dir(), "session-cookies", KINDS)
    assert lesson is not None
    parts = prose_parts(lesson)
    markers = [text for kind, text in parts if kind == "scene" and isinstance(text, str)]
    assert len(markers) == len(lesson.scenes)
    assert markers[0].startswith("▶ Scene 1:")
    assert not any(isinstance(text, str) and "## Hints" in text for _, text in parts)
    assert sum(kind == "quiz" for kind, _ in parts) == len(lesson.quizzes)


def test_quiz_feedback_colours_the_verdict_and_each_option_mark() -> None:
    from tutor.ui.render.quiz_view import styled_feedback

    text = styled_feedback(["Not right.", "  [wrong] 2. A cookie [in] localStorage: no",
                            "  [right] 1. The jar: yes"], correct=False)
    assert text.plain.splitlines() == ["Not right.", "  [wrong] 2. A cookie [in] "
                                       "localStorage: no", "  [right] 1. The jar: yes"]
    styles = {str(span.style) for span in text.spans}
    assert {"bold red", "red", "green"} <= styles
