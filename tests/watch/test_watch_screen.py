"""The watch screen without a browser: what it says when Chromium cannot start, and
that it saves nothing before the browser has sent anything."""

from __future__ import annotations

import asyncio
import importlib.util
from pathlib import Path

import pytest
from textual.widgets import RichLog, Static

from tests.readiness import HANG_BOUND
from tests.ui.shown import shown_text
from tutor.lessons.course import default_course_dir
from tutor.progress_store import ProgressStore
from tutor.ui.app import build_app
from tutor.ui.config import AppConfig
from tutor.ui.screens.watch import WatchScreen
from tutor.watch.driver import WatchOptions
from tutor.watch.target import parse_target


async def test_a_browser_that_cannot_start_is_explained_on_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    if importlib.util.find_spec("playwright") is None:
        pytest.skip("playwright is not installed (pip install -e '.[test]')")
    monkeypatch.setenv("TUTOR_CHROMIUM", str(tmp_path / "no-chromium"))
    options = WatchOptions(parse_target("http://127.0.0.1:9/"), headless=True)
    app = build_app(AppConfig(course_dir=default_course_dir(),
                              progress=ProgressStore(tmp_path / "progress.json"),
                              open_watch=options))
    app.animation_level = "none"
    ended = asyncio.Event()

    def hook(message: object) -> None:
        if isinstance(message, WatchScreen.Ended):
            ended.set()

    async with app.run_test(size=(100, 30), message_hook=hook) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, WatchScreen)
        policy = shown_text(screen.query_one("#watch-policy", Static))
        assert "Only loopback and http://127.0.0.1:9 may be reached" in policy
        await asyncio.wait_for(ended.wait(), HANG_BOUND)
        await pilot.pause()
        log = "\n".join(line.text for line in screen.query_one("#watch-log", RichLog).lines)
        assert "TUTOR_CHROMIUM" in log and "does not exist" in log
        assert not screen.running
        screen.har_folder = tmp_path / "hars"
        await pilot.press("f9")
        await pilot.pause()
        assert not (tmp_path / "hars").exists()  # nothing seen, nothing written
        assert "nothing has happened yet" in shown_text(
            screen.query_one("#watch-sequence", Static))
