"""Driving the real app with Textual's pilot: navigate, step, travel in time, quit."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console
from textual import events
from textual.widgets import DataTable, Static

from tests.ui.conftest import AppFactory
from tutor.lessons.course import default_course_dir
from tutor.ui.screens.catalogue import CatalogueScreen
from tutor.ui.screens.help import HelpScreen
from tutor.ui.screens.player import PlayerScreen
from tutor.ui.screens.too_small import TooSmallScreen
from tutor.ui.widgets.stage import TrackStage, shown_exchanges


def _text(widget: Static) -> str:
    """What a Static shows, as plain text."""
    console = Console(width=200, record=True, color_system=None, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


async def test_catalogue_lists_the_course_and_opens_a_lesson(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, CatalogueScreen)
        table = app.screen.query_one("#lessons", DataTable)
        assert table.row_count == len(app.catalogue.lessons) >= 14
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PlayerScreen)
        assert app.screen.lesson.meta.id == "four-login-steps"
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, CatalogueScreen)
        await pilot.press("q")
    assert app.return_code == 0


async def test_stepping_shows_exchanges_and_the_store_row(make_app: AppFactory) -> None:
    app = make_app(open_lesson="session-cookies")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        player = app.screen
        assert isinstance(player, PlayerScreen)
        stage = player.query_one(TrackStage)
        for _ in range(2):
            await pilot.press("n")
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
        engine = stage.engine
        assert engine.position == 2
        assert shown_exchanges(engine)
        assert len(engine.world.server.store.authenticated_sessions()) == 1
        assert "GET /profile" in _text(stage.query_one(".detail", Static))
        await pilot.press("d")  # exchange → timeline
        await pilot.pause()
        timeline = _text(stage.query_one(".detail", Static))
        assert "GET /profile → 200  [cookie]" in timeline and "step 4" in timeline
        for _ in range(2):  # → browser → server
            await pilot.press("d")
        await pilot.pause()
        assert stage.detail == "server"
        details = stage.query_one(".details")
        rows = details.size.height
        await pilot.press("z")  # the detail view takes the stage
        await pilot.pause()
        assert details.size.height > rows
        await pilot.press("z")
        await pilot.pause()
        assert details.size.height == rows
        server_text = _text(stage.query_one(".detail", Static))
        assert "alice" in server_text
        await pilot.press("p")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert engine.position == 1
        assert engine.world.server.store.authenticated_sessions() == []
        assert "alice" not in _text(stage.query_one(".detail", Static))


async def test_help_and_back(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = "".join(_text(section) for section in app.screen.query(".help-section")
                       if isinstance(section, Static))
        assert "Next step" in keys and "Open lesson" in keys
        assert "Lure victim" in keys and "Next finding" in keys and "Use token" in keys
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CatalogueScreen)


async def test_too_small_terminal_says_so_and_recovers(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.resize_terminal(40, 10)
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        assert "40×10" in _text(app.screen.query_one("#too-small-message", Static))
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert isinstance(app.screen, CatalogueScreen)


async def test_progress_is_saved_and_resumed(make_app: AppFactory) -> None:
    app = make_app(open_lesson="four-login-steps")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        for _ in range(3):
            await pilot.press("n")
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
    entry = app.config.progress.load().lessons["four-login-steps"]
    assert entry.step == 3 and entry.status == "in_progress"
    again = make_app(open_lesson="four-login-steps")
    async with again.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        stage = again.screen.query_one(TrackStage)
        assert stage.engine.position == 3


async def test_shrinking_mid_lesson_shows_the_size_notice_and_growing_returns(
    make_app: AppFactory,
) -> None:
    # The guard must judge the new size, not the one Textual still reports for a frame.
    app = make_app(open_lesson="cookie-jar")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PlayerScreen)
        await pilot.resize_terminal(40, 10)
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert isinstance(app.screen, PlayerScreen)


async def test_fast_detail_presses_settle_instead_of_echoing(make_app: AppFactory) -> None:
    # Keys queued faster than the tab bar answers once made two views swap forever.
    app = make_app(open_lesson="session-cookies")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        stage = app.screen.query_one(TrackStage)
        changes: list[str] = []

        def changed(name: str) -> None:
            changes.append(name)

        stage.watch(stage, "detail", changed, init=False)
        assert app._driver is not None
        for _ in range(7):  # queued at once, as a fast typist's terminal would
            app._driver.send_message(events.Key("d", "d"))
        for _ in range(20):
            await pilot.pause()
        assert len(changes) == 7
        assert stage.detail == "browser"  # seven steps round five views: two past the start


async def test_square_brackets_in_a_lesson_summary_are_shown_not_parsed(
    make_app: AppFactory, tmp_path: Path,
) -> None:
    course = tmp_path / "course"
    course.mkdir()
    (course / "01-x.md").write_text(
        "---\nid: brackets\ntitle: \"Arrays [0] and [/b] tags\"\nsummary: \"Why [b]x[/i] "
        "is text\"\norder: 1\nlevel: beginner\nminutes: 1\nformat_version: 1\n---\n\n# X\n",
        encoding="utf-8")
    app = make_app(course_dir=course)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        summary = app.screen.query_one("#summary", Static)
        assert "Why [b]x[/i] is text" in str(summary.render())


async def test_lesson_text_with_square_brackets_is_shown_as_written(
    make_app: AppFactory, tmp_path: Path,
) -> None:
    course = tmp_path / "course"
    course.mkdir()
    (course / "01-x.md").write_text(
        "---\nid: brackets\ntitle: Brackets\nsummary: S.\norder: 1\nlevel: beginner\n"
        "minutes: 1\nformat_version: 1\n---\n\n# X\n\nSome prose.\n\n"
        "```scene\nid: s\ntitle: \"Arrays [0] and [/b]\"\nsteps:\n"
        "  - visit: /\n    narration: \"The page [/i] loads\"\n```\n\n"
        "## Hints\n\n- A hint with [brackets] and [/b].\n",
        encoding="utf-8")
    app = make_app(course_dir=course, open_lesson="brackets")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        player = app.screen
        assert isinstance(player, PlayerScreen)
        assert "Arrays [0] and [/b]" in _text(player.query_one("#scene-title", Static))
        await pilot.press("n", "h")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert "The page [/i] loads" in _text(player.query_one("#narration", Static))
        hints = player.query_one("#hints", Static)
        assert hints.display and "[brackets] and [/b]" in _text(hints)


async def test_lesson_and_stage_tabs_appear_when_the_terminal_narrows(
    make_app: AppFactory,
) -> None:
    app = make_app(open_lesson="cookie-jar")
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        player = app.screen
        assert isinstance(player, PlayerScreen)
        assert not player.query("#pane-tabs")  # wide: lesson and stage side by side
        await pilot.resize_terminal(90, 40)
        await pilot.pause()
        assert player.has_class("narrow") and player.query("#pane-tabs")
        await pilot.press("tab")
        await pilot.pause()
        assert player.has_class("show-stage") and not player.has_class("show-prose")
        await pilot.press("tab")
        await pilot.pause()
        assert player.has_class("show-prose") and not player.has_class("show-stage")


async def test_a_lesson_opened_narrow_has_its_tabs_at_once(make_app: AppFactory) -> None:
    app = make_app(open_lesson="cookie-jar")
    async with app.run_test(size=(90, 40)) as pilot:
        await pilot.pause()
        player = app.screen
        assert isinstance(player, PlayerScreen)
        assert len(player.query("#pane-tabs")) == 1
        assert player.has_class("narrow")


async def test_a_reopened_lesson_is_read_again_after_an_edit(
    make_app: AppFactory, tmp_path: Path,
) -> None:
    course = tmp_path / "course"
    course.mkdir()
    source = next(default_course_dir().glob("04-*.md"))
    lesson_file = course / source.name
    lesson_file.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    app = make_app(course_dir=course)
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        lesson_id = app.catalogue.lessons[0].id
        titles = []
        for edit in (False, False, True):
            if edit:
                text = lesson_file.read_text(encoding="utf-8")
                lesson_file.write_text(text.replace("\ntitle: ", "\ntitle: Edited "),
                                       encoding="utf-8")
            app.open_lesson(lesson_id)
            await pilot.pause()
            assert isinstance(app.screen, PlayerScreen)
            titles.append(app.screen.lesson.meta.title)
            await pilot.press("q")
            await pilot.pause()
        assert titles[0] == titles[1] and titles[2] == f"Edited {titles[0]}"
