"""Chaining in the core: a login's token captured into a variable and sent to /profile
without retyping; each bad rule, name or placeholder is a clear message."""

from __future__ import annotations

import json

import pytest

from tutor.browser.events import RecordedResponse
from tutor.repeater.draft import RequestDraft
from tutor.repeater.sandbox import Sandbox
from tutor.repeater.variables import (
    Chain,
    VariableError,
    capture,
    capture_all,
    parse_rule,
    parse_variables,
    substitute,
    variables_text,
)

LOGIN = RequestDraft("POST", "/login", (("Content-Type", "application/json"),), (),
                     '{"username": "alice", "password": "wonderland"}')
PROFILE = RequestDraft("GET", "/profile", (("Authorization", "Bearer {{access_token}}"),))


async def test_a_login_token_chains_into_profile_without_retyping() -> None:
    sandbox = Sandbox.choose("jwt")
    await sandbox.start()
    chain = Chain()
    chain.add_rule("access_token = json.access_token")
    login = await sandbox.send(chain.fill(LOGIN))
    assert login.main is not None
    found, missed = chain.after(login.main.response)
    token = json.loads(login.main.response.body)["access_token"]
    assert found == {"access_token": token} and missed == []
    profile = await sandbox.send(chain.fill(PROFILE))
    assert profile.main is not None and profile.main.response.status == 200
    assert profile.main.request.header("authorization") == f"Bearer {token}"
    assert profile.handled[0].event.principal == "alice"


async def test_the_cookie_jar_carries_the_session_and_off_is_raw() -> None:
    sandbox = Sandbox.choose("cookie")
    await sandbox.start()
    assert sandbox.cookie_jar  # on by default
    await sandbox.send(LOGIN)
    kept = await sandbox.send(RequestDraft("GET", "/profile"))
    assert kept.main is not None and kept.main.response.status == 200
    sandbox.cookie_jar = False  # raw, as curl with no -b
    raw = await sandbox.send(RequestDraft("GET", "/profile"))
    assert raw.main is not None and raw.main.response.status == 401
    assert raw.main.request.header("cookie") is None
    # A cookie the draft names itself wins over the jar's.
    sandbox.cookie_jar = True
    mine = await sandbox.send(RequestDraft("GET", "/profile", (), (("__Host-sid", "nope"),)))
    assert mine.main is not None and mine.main.request.header("cookie") == "__Host-sid=nope"
    assert mine.main.response.status == 401


def _response(body: object, *headers: tuple[str, str]) -> RecordedResponse:
    return RecordedResponse(200, tuple(headers), json.dumps(body).encode())


def test_capture_from_json_headers_and_set_cookie() -> None:
    response = _response({"access_token": "t", "user": {"id": 7, "roles": ["a", "b"]},
                          "ok": True}, ("Location", "/x"),
                         ("Set-Cookie", "__Host-sid=abc; Path=/; Secure"))
    assert capture(parse_rule("t = json.access_token"), response) == "t"
    assert capture(parse_rule("id=json.user.id"), response) == "7"
    assert capture(parse_rule("r = json.user.roles.1"), response) == "b"
    assert capture(parse_rule("where = header.location"), response) == "/x"
    assert capture(parse_rule("sid = cookie.__Host-sid"), response) == "abc"
    assert capture_all(response) == {"access_token": "t", "ok": "true", "__Host-sid": "abc"}


@pytest.mark.parametrize(("rule", "expected"), [
    ("t = json.refresh",
     "json.refresh: the JSON body has no 'refresh' (it has: access_token, user)"),
    ("t = json.user.name", "json.user has no 'name' (it has: id)"),
    ("t = json.user", "is an object or list"),
    ("t = header.X-None", "has no X-None header"),
    ("t = cookie.sid", "set no cookie 'sid' (it set: none)"),
])
def test_a_rule_that_finds_nothing_says_what_is_there(rule: str, expected: str) -> None:
    response = _response({"access_token": "t", "user": {"id": 7}})
    with pytest.raises(VariableError) as caught:
        capture(parse_rule(rule), response)
    assert expected in str(caught.value)
    text = RecordedResponse(200, (), b"<html>")
    with pytest.raises(VariableError, match="not JSON"):
        capture(parse_rule("t = json.a"), text)


@pytest.mark.parametrize(("text", "expected"), [
    ("access_token", "write a rule as name = json.path"),
    ("= json.a", "write a rule"),
    ("t = body.a", "does not start with json., header. or cookie."),
    ("t = json.", "does not start with"),
    ("9t = json.a", "variable name '9t'"),
    ("a b = json.a", "variable name 'a b'"),
])
def test_a_bad_rule_is_a_clear_message(text: str, expected: str) -> None:
    with pytest.raises(VariableError, match=expected):
        parse_rule(text)


def test_unknown_placeholders_are_named_with_where_they_are() -> None:
    draft = RequestDraft("GET", "/u/{{id}}", (("Authorization", "Bearer {{tokn}}"),),
                         (("sid", "{{ sid }}"),), "x={{id}}")
    with pytest.raises(VariableError) as caught:
        substitute(draft, {"token": "t"})
    message = str(caught.value)
    for part in ("path: {{id}}", "header Authorization: {{tokn}}", "cookie sid: {{sid}}",
                 "body: {{id}}", "known: token"):
        assert part in message
    filled = substitute(draft, {"id": "7", "tokn": "t", "sid": "s"})
    assert filled == RequestDraft("GET", "/u/7", (("Authorization", "Bearer t"),),
                                  (("sid", "s"),), "x=7")


def test_the_variables_box_reads_and_writes_name_value_lines() -> None:
    values = parse_variables("# notes\na = 1\n\nb=x=y\n")
    assert values == {"a": "1", "b": "x=y"}
    assert parse_variables(variables_text(values)) == values
    with pytest.raises(VariableError, match="variables, line 2: write name = value"):
        parse_variables("a = 1\nnonsense")
    with pytest.raises(VariableError, match="variables, line 1: variable name"):
        parse_variables("{{a}} = 1")
    chain = Chain({"keep": "1"})
    with pytest.raises(VariableError):
        chain.set_text("bad")
    assert chain.values == {"keep": "1"}
