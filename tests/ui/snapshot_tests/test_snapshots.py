"""SVG snapshots of what a learner sees. Update only after reading the report:

    pytest tests/ui/snapshot_tests --snapshot-update
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Tabs
from textual.widgets._tabs import Underline

from tutor import randomness
from tutor.lessons.course import default_course_dir
from tutor.progress_store import ProgressStore
from tutor.ui.app import TutorApp, build_app
from tutor.ui.config import AppConfig
from tutor.ui.widgets.detail_bar import DetailBar

SnapCompare = Any


@pytest.fixture(autouse=True)
def repeatable_ids() -> Iterator[None]:
    """Session ids and tokens drawn inside the test repeat from run to run."""
    with randomness.deterministic(2026):
        yield


def _app(tmp_path: Path, lesson: str | None = None) -> TutorApp:
    app = build_app(AppConfig(course_dir=default_course_dir(),
                              progress=ProgressStore(tmp_path / "progress.json"),
                              open_lesson=lesson))
    app.animation_level = "none"
    return app


async def _steps(pilot: Pilot[None], count: int) -> None:
    await pilot.pause()
    for _ in range(count):
        await pilot.press("n")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    await _settled(pilot)


async def _settled(pilot: Pilot[None]) -> None:
    """Wait until what a step scheduled has been drawn. A tab bar places its underline
    after a refresh, from its tab's laid-out width; on a busy machine that can come
    before the layout, and the bar waits for its next resize. Readiness, not a deadline:
    the bound only turns a hang into a failure."""
    await pilot.wait_for_scheduled_animations()
    for _ in range(200):
        await pilot.pause()
        bars = [u for u in pilot.app.screen.query(Underline) if u.region]
        if all(u.highlight_end > u.highlight_start for u in bars):
            return
        for tabs in pilot.app.screen.query(Tabs):
            # Ask again, as a resize would: the layout has happened by now.
            tabs.post_message(events.Resize(tabs.size, tabs.size))
    raise AssertionError("a tab bar never placed its underline")


def test_catalogue(snap_compare: SnapCompare, tmp_path: Path) -> None:
    assert snap_compare(_app(tmp_path), terminal_size=(100, 30))


def test_player_mid_scene_80x24(snap_compare: SnapCompare, tmp_path: Path) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await _steps(pilot, 2)

    assert snap_compare(_app(tmp_path, "session-cookies"), terminal_size=(80, 24),
                        run_before=run_before)


def test_player_mid_scene_140x45(snap_compare: SnapCompare, tmp_path: Path) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await _steps(pilot, 2)

    assert snap_compare(_app(tmp_path, "session-cookies"), terminal_size=(140, 45),
                        run_before=run_before)


def test_jwt_inspector_with_failing_signature(snap_compare: SnapCompare, tmp_path: Path) -> (
    None
):
    async def run_before(pilot: Pilot[None]) -> None:
        await _steps(pilot, 4)  # the first scene: tampered payload, old signature
        bar = pilot.app.screen.query_one(DetailBar)
        await pilot.click(bar, offset=(bar.offset_of("jwt"), 0))  # as a learner would
        await pilot.pause()

    assert snap_compare(_app(tmp_path, "jwt-anatomy"), terminal_size=(140, 45),
                        run_before=run_before)


def test_help(snap_compare: SnapCompare, tmp_path: Path) -> None:
    assert snap_compare(_app(tmp_path), terminal_size=(100, 40), press=["question_mark"])


def _scene_steps(scenes: int, steps: int, *, stage_tab: bool = False) -> Any:
    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        for _ in range(scenes):
            await pilot.press("right_square_bracket")
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
        await _steps(pilot, steps)
        if stage_tab:
            await pilot.press("tab")
            await _settled(pilot)

    return run_before


def test_stage_cookie_login_then_a_store_lookup(snap_compare: SnapCompare,
                                                tmp_path: Path) -> None:
    assert snap_compare(_app(tmp_path, "session-cookies"), terminal_size=(120, 36),
                        run_before=_scene_steps(0, 3))


def test_stage_jwt_request_with_no_store_arrow(snap_compare: SnapCompare,
                                              tmp_path: Path) -> None:
    assert snap_compare(_app(tmp_path, "jwt-bearer"), terminal_size=(120, 36),
                        run_before=_scene_steps(0, 2))


def test_stage_attacker_replay_in_its_own_lane(snap_compare: SnapCompare,
                                               tmp_path: Path) -> None:
    assert snap_compare(_app(tmp_path, "session-cookies"), terminal_size=(200, 60),
                        run_before=_scene_steps(1, 5))


def test_stage_clock_jump_row_at_80x24(snap_compare: SnapCompare, tmp_path: Path) -> None:
    assert snap_compare(_app(tmp_path, "session-cookies"), terminal_size=(80, 24),
                        run_before=_scene_steps(2, 6, stage_tab=True))


def test_stage_three_tracks_at_120x36(snap_compare: SnapCompare, tmp_path: Path) -> None:
    assert snap_compare(_app(tmp_path, "csrf-samesite"), terminal_size=(120, 36),
                        run_before=_scene_steps(2, 2))


def test_repeater_at_80x24_names_its_boxes(snap_compare: SnapCompare, tmp_path: Path) -> None:
    # Each box's name is its border title (Headers, Body, Variables, Capture rule): they
    # must read as labels at the smallest size, not fade into the border.
    assert snap_compare(_app(tmp_path), terminal_size=(80, 24), press=["R"])


def test_stage_eviction_row_above_fifty_cookies_at_80x24(snap_compare: SnapCompare,
                                                         tmp_path: Path) -> None:
    """Lesson 17's last scene: fifty stored cookies fold into one row, and the red
    eviction of the session cookie stays on screen right under the answer."""
    assert snap_compare(_app(tmp_path, "browser-cookie-rules"), terminal_size=(80, 24),
                        run_before=_scene_steps(9, 4, stage_tab=True))
