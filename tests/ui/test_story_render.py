"""The stage's diagram for every step of every scene in the course, at three terminal
sizes: nothing wider than the track, no arrow without its method or status, and the
newest exchange always on screen. Plus the drawing rules one by one.

The widths and heights are the ones the player gives a track at 80×24, 120×36 and
200×60 (measured with the pilot); several tracks share the width when they fit side
by side (`tracks_fit`) and take turns at full width otherwise.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from rich.console import Console
from rich.text import Text

from tutor.lessons.course import default_course_dir, find_lesson, read_catalogue
from tutor.quiz.kinds import KINDS
from tutor.scenes import SceneEngine, parse_scene
from tutor.scenes.beats import Beat, Story, story_of
from tutor.ui.render import render_browser, render_server
from tutor.ui.render.records import Records
from tutor.ui.render.story import render_story
from tutor.ui.render.story_rows import beat_row, story_layout
from tutor.ui.render.track_layout import (
    MIN_TRACK_WIDTH,
    TRACK_GUTTER,
    aligned_rows,
    sequence_rows,
    track_bar,
    tracks_fit,
)

TRACK_AREAS = {"80x24": (78, 16), "120x36": (70, 30), "200x60": (118, 55)}
"""(width, height) of the stage's track area at each terminal size."""
CATALOGUE = read_catalogue(default_course_dir())


async def stories_at_every_step(scene: Any) -> list[Story]:
    engine = SceneEngine(scene)
    stories = []
    while not engine.at_end:
        await engine.forward()
        stories.append(story_of(scene, [e for r in engine.records for e in r.events]))
    return stories


def words_of(beat: Beat) -> str:
    """What an arrow must always show: the method of a request, the status of an answer."""
    if beat.kind == "request":
        return beat.label.split(" ", 1)[0]
    return str(beat.status) if beat.kind == "response" else ""


def check_drawing(story: Story, width: int, height: int, align: dict[int, int] | None,
                  where: str) -> None:
    text = render_story(story, None, width, sequence_rows(height), align=align,
                        follow_newest_step=True)
    lines = text.split("\n")
    assert len(lines) <= sequence_rows(height), where
    for line in lines:
        assert line.cell_len <= width, f"{where}: {line.plain!r} is wider than {width}"
    layout = story_layout(width, story)
    for beat in story.beats:
        row = beat_row(story, beat, layout).plain
        assert words_of(beat) in row, f"{where}: {row!r} lost {words_of(beat)!r}"
    shown = [line.plain for line in lines]
    requests = [b for b in story.beats if b.kind == "request"]
    last_step = story.beats[-1].step_index if story.beats else None
    if requests and requests[-1].step_index == last_step:
        newest = beat_row(story, requests[-1], layout).plain.rstrip()
        assert any(newest in line for line in shown), (
            f"{where}: the newest step's request is off screen")
    elif story.beats:
        # A step that sent nothing: what it did is on screen (the clock's jump, an
        # expiry, a write), not pushed away by an older exchange.
        last = beat_row(story, story.beats[-1], layout).plain.rstrip()
        assert any(last in line for line in shown), f"{where}: the newest beat is off screen"


DETAIL_WIDTHS = (28, 38, 56, 76)
"""Detail views are checked from a third of 80 columns up to a full 80-column stage."""


def plain_lines(renderable: Any, width: int) -> list[str]:
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    console.print(renderable)
    return console.export_text().splitlines()


def check_no_letter_by_letter(renderable: Any, where: str) -> None:
    """No run of lines holding a character or two each: a word folded letter by letter."""
    for width in DETAIL_WIDTHS:
        lines = [line.strip() for line in plain_lines(renderable, width)]
        for above, line, below in zip(lines, lines[1:], lines[2:], strict=False):
            assert not all(0 < len(x) <= 2 for x in (above, line, below)), (
                f"{where} at {width} columns: folded letter by letter near {line!r}")


@pytest.mark.parametrize("lesson_id", [meta.id for meta in CATALOGUE.lessons])
async def test_every_step_of_every_scene_fits_at_every_size(lesson_id: str) -> None:
    lesson, errors = find_lesson(default_course_dir(), lesson_id, KINDS)
    assert lesson is not None, errors
    for block in lesson.scenes:
        tracks = [await stories_at_every_step(scene) for _, scene in block.tracks]
        for size, (area_width, height) in TRACK_AREAS.items():
            side_by_side = tracks_fit(area_width, len(tracks))
            width = (area_width // len(tracks) if side_by_side else area_width) - 2
            for step in range(len(tracks[0])):
                stories = [track[step] for track in tracks]
                align = aligned_rows(stories) if side_by_side and len(stories) > 1 else None
                for (label, _), story in zip(block.tracks, stories, strict=True):
                    where = f"{lesson_id}/{block.id}/{label or '-'} step {step + 1} at {size}"
                    check_drawing(story, width, height, align, where)
        # The detail views of the scene's end state, at narrow and full widths.
        for label, scene in block.tracks:
            engine = SceneEngine(scene)
            await engine.run_all()
            world = engine.world
            where = f"{lesson_id}/{block.id}/{label or '-'}"
            check_no_letter_by_letter(render_server(world.server), f"{where} server view")
            for name in world.browsers:
                check_no_letter_by_letter(render_browser(world.browser(name), world.site),
                                          f"{where} browser {name}")


# --- the rules, one by one ------------------------------------------------------------------


def login_story() -> Story:
    import asyncio

    scene = parse_scene({"server": {"mode": "cookie", "scrypt_cost": 1024},
                         "browsers": ["user", "attacker"],
                         "steps": [{"login": {}}, {"capture": {}},
                                   {"advance_clock": {"seconds": 60}},
                                   {"replay": {"path": "/profile"}, "as": "attacker"}]})
    return asyncio.run(stories_at_every_step(scene))[-1]


def test_a_short_arrow_keeps_its_method_and_status() -> None:
    story = login_story()
    for width in (30, 40, 60, 100):
        layout = story_layout(width, story)
        for beat in story.beats:
            assert words_of(beat) in beat_row(story, beat, layout).plain


def test_old_rows_fold_away_and_say_so() -> None:
    story = login_story()
    text = render_story(story, None, 80, 6)
    lines = text.plain.split("\n")
    assert len(lines) == 6
    assert lines[1].startswith("↑ ") and "earlier rows" in lines[1]
    assert "GET /profile" in text.plain  # the replay, the newest, is there


def test_a_selected_exchange_stays_on_screen_when_older() -> None:
    story = login_story()
    first = render_story(story, 0, 80, 6).plain
    assert "GET /" in first and "GET /profile" not in first


def test_a_step_with_no_request_keeps_its_own_rows_in_view() -> None:
    # Lesson 3: fifteen quiet minutes pass after a GET /profile; the jump and the expired
    # row are that step's news, so the earlier exchange must not push them off screen.
    import asyncio

    scene = parse_scene({"server": {"mode": "cookie", "scrypt_cost": 1024,
                                    "session_idle_timeout": 900},
                         "steps": [{"login": {}}, {"request": "/profile"},
                                   {"advance_clock": 900}]})
    story = asyncio.run(stories_at_every_step(scene))[-1]
    newest = max(b.exchange for b in story.beats if b.exchange is not None)
    followed = render_story(story, newest, 80, 5, follow_newest_step=True).plain
    assert "+15 min" in followed and "expires" in followed, followed
    chosen = render_story(story, newest, 80, 5).plain  # the learner picked the exchange
    assert "GET /profile" in chosen and "expires" not in chosen, chosen


def test_the_clock_row_spans_the_lanes() -> None:
    story = login_story()
    clock = next(b for b in story.beats if b.kind == "clock")
    row = beat_row(story, clock, story_layout(80, story)).plain
    assert "◷ +1 min" in row and "│" not in row


def test_replays_are_marked_in_the_gutter() -> None:
    story = login_story()
    replay = next(b for b in story.beats if b.replay and b.kind == "request")
    assert beat_row(story, replay, story_layout(80, story)).plain.startswith("   replay")
    assert "RP" in beat_row(story, replay, story_layout(40, story)).plain


def test_parallel_tracks_line_up_step_by_step() -> None:
    short = Story(login_story().lanes, tuple(b for b in login_story().beats
                                             if b.step_index != 1))
    tall = login_story()
    align = aligned_rows([short, tall])
    a = render_story(short, None, 60, align=align).plain.split("\n")
    b = render_story(tall, None, 60, align=align).plain.split("\n")
    assert len(a) == len(b)
    assert [i for i, line in enumerate(a) if "◷" in line] == [
        i for i, line in enumerate(b) if "◷" in line]


def test_tracks_take_turns_when_too_narrow() -> None:
    assert tracks_fit(120, 2) and not tracks_fit(118, 3) and tracks_fit(10, 1)
    # Each track needs MIN_TRACK_WIDTH columns after the gutter between them.
    assert tracks_fit(2 * MIN_TRACK_WIDTH + TRACK_GUTTER, 2)
    assert not tracks_fit(2 * MIN_TRACK_WIDTH + TRACK_GUTTER - 1, 2)
    bar = track_bar([("lax", "401"), ("none", "403")], 1)
    assert isinstance(bar, Text)
    assert bar.plain.startswith(" lax: 401  │  none: 403 ")
    assert "T: next track" in bar.plain


def test_a_table_that_would_fold_becomes_records() -> None:
    records = Records(("session id", "user", "ends in"), first_bold=True)
    records.add_row("gEjRNS…KATFs", "alice", "15m")
    wide = plain_lines(records, 80)
    assert wide[0].split() == ["session", "id", "user", "ends", "in"]
    assert "gEjRNS…KATFs" in wide[2]
    narrow = plain_lines(records, 26)
    assert narrow == ["session id: gEjRNS…KATFs", "      user: alice", "   ends in: 15m"]


def test_the_newest_request_travels_and_what_follows_waits() -> None:
    story = login_story()
    frames = [render_story(story, None, 100, progress=p / 10).plain.split("\n")
              for p in range(11)]
    heads = [frame[-1].find("◀") for frame in frames[:-1]]
    # The replay travels right to left, from the Attacker towards bank.test.
    assert heads == sorted(heads, reverse=True) and len(set(heads)) > 3
    assert "401" not in frames[5][-1]  # the answer has not come back yet
    assert frames[-1] == render_story(story, None, 100).plain.split("\n")
    assert render_story(story, None, 80, progress=float("nan")).plain == render_story(
        story, None, 80).plain


def test_a_recordings_control_characters_are_shown_never_sent_to_the_terminal() -> None:
    from tutor.har.analysis import analyse
    from tutor.har.reader import parse_har
    from tutor.har.stage import staged_exchanges, story_of_exchanges

    hostile = ('{"log": {"entries": [{"request": {"method": "GE\\u001bT", '
               '"url": "https://x.test/a\\u001b[2Jb\\u009b", "headers": []}, '
               '"response": {"status": 200, "headers": []}}]}}')
    story = story_of_exchanges(staged_exchanges(analyse(parse_har(hostile.encode()))))
    drawn = render_story(story, 0, 100).plain
    assert "\x1b" not in drawn and "\x9b" not in drawn
    assert "GE␛T /a␛[2Jb\\x9b" in drawn
