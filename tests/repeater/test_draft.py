"""Drafts: made from recorded exchanges, edited one part at a time, refused with reasons."""

from __future__ import annotations

import pytest

from tutor.browser.events import RecordedRequest
from tutor.repeater.draft import DraftError, RequestDraft


def test_a_recorded_request_becomes_a_draft_without_computed_headers() -> None:
    request = RecordedRequest(
        "POST", "https://bank.test/logout?next=%2F",
        (("host", "bank.test"), ("content-length", "3"), ("x-csrf-token", "abc"),
         ("cookie", "__Host-sid=s1; theme=dark")),
        b"a=1",
    )
    draft = RequestDraft.from_request(request)
    assert draft.method == "POST"
    assert draft.path == "/logout?next=%2F"
    assert draft.headers == (("X-Csrf-Token", "abc"),)
    assert draft.cookies == (("__Host-sid", "s1"), ("theme", "dark"))
    assert draft.body == "a=1"
    assert draft.wire_headers()[-1] == ("Cookie", "__Host-sid=s1; theme=dark")


def test_edits_return_new_drafts_and_keep_order() -> None:
    draft = RequestDraft("GET", "/profile", (("Accept", "*/*"), ("X-A", "1")))
    edited = (draft.with_header("x-a", "2").with_header("X-B", "3").with_cookie("sid", "v")
              .with_method("POST").with_path("/admin").with_body("x"))
    assert draft.headers == (("Accept", "*/*"), ("X-A", "1"))
    assert edited.headers == (("Accept", "*/*"), ("X-A", "2"), ("X-B", "3"))
    assert edited.header("cookie") == "sid=v"
    assert edited.without_header("accept").without_cookie("sid").headers == (
        ("X-A", "2"), ("X-B", "3"))
    assert edited.with_header("Cookie", "a=1; b=2").cookies == (("a", "1"), ("b", "2"))
    assert edited.summary() == "POST /admin (cookie sid)"


@pytest.mark.parametrize(
    ("draft", "expected"),
    [
        (RequestDraft("GE T", "/"), "method 'GE T'"),
        (RequestDraft("GET", "admin"), "must start with '/'"),
        (RequestDraft("GET", "/a b"), "a space at position 2"),
        (RequestDraft("GET", "/", (("X Bad", "v"),)), "header 1 ('X Bad'): a header name"),
        (RequestDraft("GET", "/", (("X-Name", "café"),)), "non-ASCII character 'é' at "
         "position 3"),
        (RequestDraft("GET", "/", (("X-Name", "a\r\nInjected: 1"),)), "line break"),
        (RequestDraft("GET", "/", (), (("sid", "a;b"),)), "cookie 1 ('sid')"),
    ],
)
def test_bad_drafts_are_refused_with_where_and_what(draft: RequestDraft, expected: str) -> None:
    with pytest.raises(DraftError) as caught:
        draft.validate()
    assert expected in str(caught.value)


def test_a_good_draft_validates_to_itself() -> None:
    draft = RequestDraft("GET", "/profile?x=1", (("Authorization", "Bearer a.b.c"),),
                         (("sid", "abc-_=="),))
    assert draft.validate() is draft
    assert draft.problems() == []
