"""The catalogue's first frame parses only the styles it needs; every other screen's are
read right after it, so that opening a lesson does not make Textual parse every
stylesheet again (ui_bench measures the time; this checks the order of things)."""

from __future__ import annotations

from typing import Any

import pytest
from textual.css.stylesheet import Stylesheet

from tests.ui.conftest import AppFactory
from tutor.ui.screens import SCREEN_STYLES
from tutor.ui.screens.catalogue import CatalogueScreen
from tutor.ui.screens.player import PlayerScreen


def _screen_styles_read(app: Any) -> bool:
    return bool(app.stylesheet.has_source(str(SCREEN_STYLES), ""))


async def test_screen_styles_wait_for_the_first_frame_and_a_lesson_reparses_nothing(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = make_app()
    at_first_frame: list[bool] = []
    display = app._display

    def displayed(screen: Any, update: Any) -> None:
        display(screen, update)
        if update is not None and isinstance(screen, CatalogueScreen) and not at_first_frame:
            at_first_frame.append(_screen_styles_read(app))

    monkeypatch.setattr(app, "_display", displayed)
    reparsed: list[str] = []
    reparse = Stylesheet.reparse

    def counted(self: Stylesheet) -> None:
        reparsed.append("reparse")
        reparse(self)

    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert at_first_frame == [False], "the first frame waited for every screen's styles"
        assert _screen_styles_read(app)
        monkeypatch.setattr(Stylesheet, "reparse", counted)
        app.open_lesson("session-cookies")
        await pilot.pause()
        player = app.screen
        assert isinstance(player, PlayerScreen)
        assert reparsed == []
        # Styled from screens.tcss: the prose and the stage side by side, 2fr to 3fr.
        prose, stage = player.query_one("#prose"), player.query_one("#stage")
        assert prose.region.y == stage.region.y and prose.region.right <= stage.region.x
        assert 1.3 < stage.region.width / prose.region.width < 1.7


async def test_a_screen_opened_at_start_has_its_styles(make_app: AppFactory) -> None:
    """`tutor play LESSON`: the player is the first frame."""
    app = make_app(open_lesson="session-cookies")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        player = app.screen
        assert isinstance(player, PlayerScreen)
        assert player.has_class("narrow")
        # Narrow: the Lesson/Stage tabs above the one pane shown, styled from screens.tcss.
        tabs = player.query_one("#pane-tabs")
        assert tabs.display and tabs.region.y == 1
        assert not player.query_one("#stage").display


async def test_the_hints_and_the_track_bar_are_mounted_in_their_place_when_shown(
    make_app: AppFactory,
) -> None:
    """Not composed with the stage (hidden, they cost every lesson switch their styling)."""
    app = make_app(open_lesson="csrf-samesite")
    async with app.run_test(size=(300, 50)) as pilot:
        await pilot.pause()
        stage = app.screen.query_one("#stage")
        assert [child.id for child in stage.children] == ["scene-title", "narration", "tracks"]
        for _ in range(2):  # to the scene with three tracks, side by side at 300 columns
            await pilot.press("right_square_bracket")
            await app.workers.wait_for_complete()
            await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        assert [child.id for child in stage.children] == [
            "scene-title", "narration", "hints", "tracks"]
        await pilot.resize_terminal(120, 36)  # three tracks no longer fit side by side
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        ids = [child.id for child in stage.children]
        assert ids == ["scene-title", "narration", "hints", "track-bar", "tracks"]
        assert all(child.display for child in stage.children)
