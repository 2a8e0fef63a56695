"""curl out and back in: the rendered command is what a shell would pass to curl, and
parsing it gives the same draft; unsupported options are refused, not ignored."""

from __future__ import annotations

import shlex

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.long_run import examples
from tutor.repeater.curl import CurlError, parse_curl, to_curl
from tutor.repeater.draft import RequestDraft

DRAFTS = [
    RequestDraft("GET", "/profile"),
    RequestDraft("GET", "/admin", (("Authorization", "Bearer a.b."),), (("sid", "x"),)),
    RequestDraft("POST", "/login", (("Content-Type", "application/json"),), (),
                 '{"username": "alice", "password": "it\'s $HOME"}'),
    RequestDraft("POST", "/logout", (("X-CSRF-Token", "t"),), (("__Host-sid", "s"),)),
    RequestDraft("PUT", "/logout", (), (), "a=1"),
    RequestDraft("HEAD", "/"),
    RequestDraft("GET", "/search?q=1&r=2", (), (), "body on a GET"),
]


@pytest.mark.parametrize("draft", DRAFTS, ids=lambda d: d.summary())
def test_render_then_parse_gives_the_same_draft(draft: RequestDraft) -> None:
    command = to_curl(draft)
    assert command.startswith("curl ")
    assert "http://127.0.0.1:8000" + draft.path in shlex.split(command)
    assert parse_curl(command) == draft


def test_the_base_url_is_a_parameter() -> None:
    command = to_curl(RequestDraft("GET", "/profile"), "http://127.0.0.1:9999/")
    assert command == "curl http://127.0.0.1:9999/profile"


header_text = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1,
                      max_size=20)


@settings(max_examples=examples(50))
@given(value=header_text, body=st.text(max_size=40))
def test_any_quoting_survives_the_round_trip(value: str, body: str) -> None:
    draft = RequestDraft("POST", "/login", (("X-Value", value),), (), body)
    assert parse_curl(to_curl(draft)) == draft


def test_parsing_fills_in_what_curl_would_send() -> None:
    form = parse_curl("curl -si -d username=alice -d password=wonderland 127.0.0.1:8000/login")
    assert form == RequestDraft("POST", "/login",
                                (("Content-Type", "application/x-www-form-urlencoded"),),
                                (), "username=alice&password=wonderland")
    json_draft = parse_curl("curl --json '{\"a\": 1}' http://localhost/login")
    assert json_draft.headers == (("Content-Type", "application/json"),
                                  ("Accept", "application/json"))
    combined = parse_curl("curl -XDELETE -H 'Cookie: a=1' -b 'b=2' \\\n  https://h/x#frag")
    assert (combined.method, combined.path, combined.cookies) == (
        "DELETE", "/x", (("a", "1"), ("b", "2")))


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("wget http://x/", "starts with the word curl"),
        ("curl", "names no URL"),
        ("curl -L http://x/", "option -L"),
        ("curl --location http://x/", "option --location"),
        ('curl -H "Authorization: Bearer $TOKEN" http://x/', "$TOKEN is a shell variable"),
        ('curl -H "Authorization: Bearer $(cat t)" http://x/', "$(cat"),
        ("curl -d @body.json http://x/", "from a file"),
        ("curl -b jar.txt http://x/", "from a file"),
        ("curl -H 'NoColon' http://x/", "'Name: value'"),
        ("curl 'http://x/", "unclosed quote"),
        ("curl http://x/a | jq .", "two URLs"),
        ("curl -X", "needs a value"),
        ("curl ftp://x/", "only http and https"),
    ],
)
def test_unreadable_commands_get_a_clear_message(line: str, expected: str) -> None:
    with pytest.raises(CurlError) as caught:
        parse_curl(line)
    assert expected in str(caught.value)


def test_a_dollar_inside_single_quotes_is_literal() -> None:
    draft = parse_curl("curl --data-raw 'price=$5' http://x/")
    assert draft.body == "price=$5"


def test_backslash_newline_joins_lines_except_inside_single_quotes() -> None:
    assert parse_curl("curl \\\n -X PUT \\\r\n http://x/a").method == "PUT"
    assert parse_curl("curl --data-raw 'a\\\nb' http://x/").body == "a\\\nb"
