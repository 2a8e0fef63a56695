"""tutor.visible: escape sequences (ESC, OSC 52, CSI, C1) are shown, never obeyed, and a
shortened value never ends inside half a sequence."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.visible import VisibleWriter, visible, visible_shortened, visible_text

SEQUENCES = ["\x1b]0;title\x07", "\x1b]52;c;aGk=\x07", "\x1b[2J", "\x9b31m", "\x1b[8m",
             "\u202e", "\ud800"]
RAW = set("\x1b\x07\x9b\u202e\ud800")


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(st.lists(st.one_of(st.sampled_from(SEQUENCES), st.text(max_size=5)), max_size=6),
       st.integers(0, 40))
def test_nothing_raw_survives_showing_or_shortening(parts: list[str], limit: int) -> None:
    text = "".join(parts)
    for shown in (visible(text), visible_shortened(text, limit), visible_text(text)):
        assert not RAW & set(shown)
        shown.encode("utf-8")
    assert len(visible_shortened(text, limit)) <= max(limit, 1)


def test_prose_and_plain_output_keep_their_lines() -> None:
    assert visible_text("a\n\tb\x1b[2J") == "a\n\tb␛[2J"
    out = io.StringIO()
    VisibleWriter(out).write("1\tx\x1b]52;c;aGk=\x07\n")
    assert out.getvalue() == "1\tx␛]52;c;aGk=␇\n"
