"""Importing a pasted curl command: import ∘ export is identity for every draft the
export can write, the options curl has that only print are named as ignored, and the
export names the server's cookies as the `tutor serve` it targets does."""

from __future__ import annotations

import base64
from urllib.parse import urlsplit

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.long_run import examples
from tutor.repeater.curl import CurlError, for_serve, import_curl, parse_curl, to_curl
from tutor.repeater.draft import COMPUTED_HEADERS, TOKEN, RequestDraft
from tutor.served import DEFAULT_PORT, DEFAULT_URL
from tutor.server.modes import get_mode

TOKEN_CHARS = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
COOKIE_CHARS = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in '",;\\')
PATH_CHARS = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) != "#")

tokens = st.text(st.sampled_from(TOKEN_CHARS), min_size=1, max_size=12)
header_names = tokens.filter(lambda n: n.lower() not in COMPUTED_HEADERS | {"cookie"})
# A header value as curl sends it: no surrounding blanks (curl trims them), not empty
# (an empty -H value removes the header).
header_values = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1,
                        max_size=24).map(str.strip).filter(bool)
cookie_names = tokens.filter(lambda n: "=" not in n)
paths = st.text(st.sampled_from(PATH_CHARS), max_size=24).map(lambda p: "/" + p)
methods = st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]) | tokens
drafts = st.builds(
    RequestDraft,
    method=methods.filter(lambda m: TOKEN.match(m) is not None),
    path=paths,
    headers=st.lists(st.tuples(header_names, header_values), max_size=4).map(tuple),
    cookies=st.lists(st.tuples(cookie_names, st.text(st.sampled_from(COOKIE_CHARS),
                                                     max_size=16)), max_size=3).map(tuple),
    body=st.text(st.characters(exclude_categories=["Cs"]), max_size=40),
)


@settings(max_examples=examples(150), deadline=None)
@example(draft=RequestDraft("GET", "/?", (), (), ""), base=DEFAULT_URL)  # found by the long run
@given(draft=drafts, base=st.sampled_from([DEFAULT_URL, "https://localhost:8443",
                                           "http://[::1]:9000/"]))
def test_import_of_the_export_is_the_same_draft(draft: RequestDraft, base: str) -> None:
    assert draft.problems() == []
    imported = import_curl(to_curl(draft, base))
    assert imported.draft == draft
    assert imported.ignored == ()
    assert imported.origin == base.rstrip("/")


def test_basic_credentials_and_get_data() -> None:
    draft = parse_curl("curl -u alice:wonder:land -G -d q=1 -d r=2 http://127.0.0.1:8000/s")
    assert draft.method == "GET" and draft.path == "/s?q=1&r=2" and draft.body == ""
    token = base64.b64encode(b"alice:wonder:land").decode()
    assert draft.headers == (("Authorization", f"Basic {token}"),)
    assert parse_curl("curl -G --data a=b 'http://h/x?y=z'").path == "/x?y=z&a=b"
    agent = parse_curl("curl -A tutor/1 -e http://h/ http://h/")
    assert agent.headers == (("User-Agent", "tutor/1"), ("Referer", "http://h/"))


def test_options_that_only_print_are_named_as_ignored() -> None:
    imported = import_curl("curl -si --compressed -o out.txt -m 5 --max-time 3 -w '%{http_code}'"
                           " -c jar.txt http://127.0.0.1:8123/profile")
    assert imported.draft == RequestDraft("GET", "/profile")
    assert imported.ignored == ("-s", "-i", "--compressed", "-o out.txt", "-m 5",
                                "--max-time 3", "-w %{http_code}", "-c jar.txt")
    assert "ignored -s, -i, --compressed" in imported.note()
    assert imported.origin == "http://127.0.0.1:8123"
    assert import_curl("curl /profile").origin is None
    assert import_curl("curl http://h/").note() == "Imported."


@pytest.mark.parametrize(("line", "expected"), [
    ("curl -u alice http://x/", "would ask for the password"),
    ("curl -F a=b http://x/", "option -F"),
    ("curl --form a=b http://x/", "option --form"),
    ("curl -o", "-o needs a value"),
    ("curl -H 'Authorization: Bearer {{' http://x/ 'more", "unclosed quote"),
])
def test_bad_imports_say_what_is_wrong(line: str, expected: str) -> None:
    with pytest.raises(CurlError) as caught:
        import_curl(line)
    assert expected in str(caught.value)


def test_the_export_names_cookies_as_the_target_server_does() -> None:
    sandbox_draft = RequestDraft("GET", "/profile", (), (("__Host-sid", "s"), ("theme", "x")))
    plain = for_serve(sandbox_draft, DEFAULT_URL)
    assert plain.cookies == ((get_mode("cookie").cookie_name(False), "s"), ("theme", "x"))
    assert plain.cookies[0][0] == "sid"
    assert for_serve(plain, "https://127.0.0.1:8443").cookies == sandbox_draft.cookies
    assert urlsplit(DEFAULT_URL).port == DEFAULT_PORT
    command = to_curl(for_serve(sandbox_draft, "http://127.0.0.1:8123"), "http://127.0.0.1:8123")
    assert command == "curl http://127.0.0.1:8123/profile -b 'sid=s; theme=x'"
