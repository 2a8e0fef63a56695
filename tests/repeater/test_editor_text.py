"""The Repeater editor's text form of a draft."""

from __future__ import annotations

import pytest

from tutor.repeater.draft import DraftError
from tutor.repeater.editor_text import draft_from_editor, editor_headers


def test_editor_text_round_trips_through_a_draft() -> None:
    draft = draft_from_editor("get /profile?x=1", "Accept: text/html\nCookie: a=1; b=2", "")
    assert (draft.method, draft.path, draft.cookies) == ("GET", "/profile?x=1",
                                                         (("a", "1"), ("b", "2")))
    assert draft_from_editor("GET /profile?x=1", editor_headers(draft), "") == draft


@pytest.mark.parametrize(("line", "headers", "where"), [
    ("GET", "", "request line"),
    ("GET /a /b", "", "request line"),
    ("GET /", "Accept text/html", "headers, line 1"),
    ("GET /", "Accept: a\n: no name", "headers, line 2"),
])
def test_bad_editor_text_says_where(line: str, headers: str, where: str) -> None:
    with pytest.raises(DraftError) as caught:
        draft_from_editor(line, headers, "")
    assert where in str(caught.value)
