"""Issue 17, the words on screen: prose reflowed, code whole, colours apart, counts in
proper English, a refused login called one, VULNERABLE on the stage."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from rich.style import Style
from textual.pilot import Pilot
from textual.widgets import Static

from tests.ui.conftest import AppFactory
from tests.ui.shown import shown_text
from tutor.lessons.course import default_course_dir, find_lesson
from tutor.plural import plural
from tutor.quiz.kinds import KINDS
from tutor.quiz.statuses import status_meaning
from tutor.ui.render.jwt_view import SEGMENT_STYLES
from tutor.ui.render.markdown import Code, Prose, one_line, split_code
from tutor.ui.render.prose import prose_parts
from tutor.ui.widgets.stage import TrackStage


def _lines(renderable: Any, width: int) -> list[str]:
    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    console.print(renderable)
    return console.export_text().splitlines()


def _styles(renderable: Any, width: int = 80) -> list[tuple[str, Style | None]]:
    console = Console(width=width, color_system="truecolor", file=io.StringIO())
    return [(segment.text, segment.style) for segment in console.render(renderable)]


def test_prose_reflows_hard_line_breaks_and_marks_inline_code() -> None:
    text = "Send the\ncookie back with\n`Cookie: sid=1` on every request."
    lines = [line.rstrip() for line in _lines(Prose(text), 80) if line.strip()]
    assert lines == ["Send the cookie back with Cookie: sid=1 on every request."]
    code = [style for chunk, style in _styles(Prose(text)) if "sid=1" in chunk]
    assert code and code[0] is not None and code[0].bold


def test_inline_code_sits_on_no_black_box_in_the_light_theme() -> None:
    for dark in (True, False):
        styles = [style for chunk, style in _styles(Prose("a `b` c", dark)) if chunk == "b"]
        assert styles and styles[0] is not None
        background = styles[0].bgcolor
        # Rich's default paints inline code "on black", a black box on a white screen.
        assert background is None or background.get_truecolor() != (0, 0, 0), dark


def test_the_jwt_attacks_snippet_is_never_wrapped() -> None:
    lesson, _ = find_lesson(default_course_dir(), "jwt-attacks", KINDS)
    assert lesson is not None
    blocks = [text for kind, text in prose_parts(lesson) if isinstance(text, Code)]
    snippet = next(block for block in blocks if "def cracks" in block.source)
    assert snippet.language == "python"
    shown = _lines(snippet.view(), 46)
    source = snippet.source.splitlines()
    assert len(shown) == len(source), "a wrapped line broke the indentation"
    for written, drawn in zip(source, shown, strict=True):
        indent = len(written) - len(written.lstrip())
        assert drawn.startswith(" " + written[:40].rstrip()[:indent + 4]), drawn


def test_split_code_keeps_prose_around_top_level_code_only() -> None:
    parts = split_code("Before.\n\n```python\nx = 1\n```\n\n- item\n\n  ```\n  nested\n  ```\n")
    assert parts[0] == "Before."
    assert parts[1] == Code("x = 1", "python")
    assert isinstance(parts[2], str) and "nested" in parts[2]


def test_one_line_drops_marks_and_breaks() -> None:
    assert one_line("What does\n`Set-Cookie` do **here**?") == "What does Set-Cookie do here?"
    assert one_line("word " * 40, limit=20).endswith("…")


def test_jwt_header_and_payload_are_different_colours() -> None:
    colours = [Style.parse(style).color for style in SEGMENT_STYLES]
    rgb = [colour.get_truecolor() for colour in colours if colour is not None]
    assert len(set(rgb)) == 3
    header, payload = rgb[0], rgb[1]
    # Far apart, not two names a theme may paint as the same pink (red and magenta).
    assert sum(abs(a - b) for a, b in zip(header, payload, strict=True)) > 150


def test_counts_are_in_proper_english() -> None:
    assert plural(1, "exchange") == "1 exchange"
    assert plural(2, "exchange") == "2 exchanges"
    assert plural(0, "request") == "0 requests"
    assert plural(1, "entry") == "1 entry" and plural(3, "entry") == "3 entries"


def test_a_401_after_a_wrong_password_is_called_a_refused_login() -> None:
    login = status_meaning(401, "POST", "http://bank.test/login")
    assert "wrong username or password" in login
    assert "no valid credential" not in login
    assert "not accepted" in status_meaning(401, "GET", "http://bank.test/profile", True)
    assert "no valid credential" in status_meaning(401, "GET", "http://bank.test/profile")


async def _settle(pilot: Pilot[Any]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_vulnerable_shows_on_the_stage_itself(make_app: AppFactory) -> None:
    app = make_app(open_lesson="jwt-attacks")
    async with app.run_test(size=(200, 60)) as pilot:
        await _settle(pilot)
        stages = list(app.screen.query(TrackStage))
        banners = [shown_text(widget) for stage in stages
                   for widget in stage.query(".vulnerable").results(Static)]
        assert any("VULNERABLE" in banner for banner in banners)
        # The fixed track of the same scene has no banner.
        assert len(banners) < len(stages)


async def test_hints_are_reflowed_markdown(make_app: AppFactory) -> None:
    app = make_app(open_lesson="session-cookies")
    async with app.run_test(size=(200, 60)) as pilot:
        await _settle(pilot)
        await pilot.press("h")
        await _settle(pilot)
        hints = shown_text(app.screen.query_one("#hints", Static))
        assert "`" not in hints, "backticks shown literally"
        assert "server: lines" in hints
        assert "a session created, destroyed" in hints, "the source's line break was kept"


async def test_the_transcript_calls_her_browser_by_her_name() -> None:
    from tutor.lessons.transcript import write_transcript

    lesson, _ = find_lesson(default_course_dir(), "session-cookies", KINDS)
    assert lesson is not None
    out = io.StringIO()
    await write_transcript(lesson, out)
    text = out.getvalue()
    assert "Alice's browser: " in text
    assert "browser (user)" not in text, "the scene's id, where the lesson says Alice"


async def test_the_prose_follows_a_theme_change(make_app: AppFactory) -> None:
    app = make_app(open_lesson="jwt-anatomy")
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(pilot)
        await _settle(pilot)
        proses = [w for w in app.screen.query(".prose-prose").results(Static)]
        assert proses and all(isinstance(w.content, Prose) and w.content.dark for w in proses)
        app.theme = "textual-light"
        await _settle(pilot)
        assert all(isinstance(w.content, Prose) and not w.content.dark for w in proses)
