"""Issue 17, finding the keys: the footer ranks and fits them, help opens where you are,
the palette has the screen's actions, focus is where the keyboard works."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import HelpPanel, Select, Static

from tests.har.builders import cookie_login_flow, har_bytes
from tests.ui.conftest import AppFactory
from tests.ui.shown import shown_text
from tutor.har.analysis import analyse
from tutor.har.reader import parse_har
from tutor.ui.app import screen_commands
from tutor.ui.screens.help import HelpScreen
from tutor.ui.screens.player import PlayerScreen
from tutor.ui.screens.replay import ReplayScreen
from tutor.ui.widgets.footer import SEPARATOR, ShownKey, TutorFooter


async def _settle(pilot: Pilot[Any]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def _footer_keys(pilot: Pilot[Any]) -> tuple[ShownKey, ...]:
    return pilot.app.screen.query_one(TutorFooter).shown_keys()




async def test_the_player_footer_shows_its_important_keys_first(make_app: AppFactory) -> None:
    app = make_app(open_lesson="session-cookies")
    async with app.run_test(size=(200, 60)) as pilot:
        await _settle(pilot)
        keys = [(key.display, key.description) for key in _footer_keys(pilot)]
        # Before: d, z, [, ], +, - and T had show=False and never appeared at any width.
        assert keys[:2] == [("n", "Next step"), ("p", "Previous")]
        for shown in (("[ ]", "Scene"), ("d", "Details"), ("z", "Zoom"), ("+ -", "Speed")):
            assert shown in keys
        assert "Lesson/Stage" not in dict(keys).values(), (
            "tab means nothing while the panes sit side by side")
        await pilot.resize_terminal(80, 24)
        await _settle(pilot)
        narrow = [key.description for key in _footer_keys(pilot)]
        assert narrow == ["Next step", "Previous", "Lesson/Stage", "Scene", "Details", "Zoom"]


async def test_no_footer_key_is_cut_at_any_width(make_app: AppFactory) -> None:
    app = make_app(open_lesson="session-cookies")
    async with app.run_test(size=(120, 36)) as pilot:
        for width in (80, 97, 120, 143, 200):
            await pilot.resize_terminal(width, 36)
            await _settle(pilot)
            footer = app.screen.query_one(TutorFooter)
            line = footer.render_line(0).text  # what the terminal shows
            assert len(line) == width
            palette = line.rindex(SEPARATOR)
            assert line[palette:].rstrip() == f"{SEPARATOR}^p palette", (width, line)
            keys = _footer_keys(pilot)
            assert len(keys) >= 6, (width, line)
            at = 0
            for key in keys:
                # Before: the last key ran under the palette key ("t Tran│^p palette").
                whole = f"{key.display} {key.description}"
                at = line.index(whole, at) + len(whole)
                assert at <= palette, (width, key.key, line)
            assert line[at:palette].strip() == "", "a key drawn that shown_keys() leaves out"


async def test_help_opens_at_the_section_of_the_screen_it_was_asked_from(
    make_app: AppFactory,
) -> None:
    app = make_app(open_lesson="session-cookies")
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(pilot)
        await pilot.press("question_mark")
        await _settle(pilot)
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        box = help_screen.query_one("#help-box")
        section = help_screen.query_one("#help-PlayerScreen", Static)
        assert box.scroll_y > 0, "opened at the top, not at the player's keys"
        assert box.region.y <= section.region.y < box.region.y + 3
        assert "this screen" in shown_text(section)


async def test_the_palette_offers_every_action_of_the_screen(make_app: AppFactory) -> None:
    app = make_app(open_lesson="session-cookies")
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(pilot)
        player = app.screen
        names = [command.title for command in app.get_system_commands(player)]
        for wanted in ("Details (d)", "Zoom (z)", "Next scene (])", "Faster (+)",
                       "Hint (h)", "Edit & resend (e)", "Save HAR (f9)"):
            assert wanted in names
        assert not any(name.startswith("Lesson/Stage") for name in names), (
            "tab does nothing while the panes sit side by side")
        details = next(c for c in screen_commands(player) if c.title == "Details (d)")
        app.call_later(details.callback)  # as the palette runs a chosen command
        await _settle(pilot)
        assert player.query_one("TrackStage").detail == "timeline"  # type: ignore[attr-defined]


async def test_focus_is_visible_and_the_lesson_scrolls_by_keyboard_from_the_start(
    make_app: AppFactory,
) -> None:
    app = make_app(open_lesson="session-cookies")
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(pilot)
        prose = app.screen.query_one("#prose")
        assert app.focused is prose
        assert prose.styles.border_left[0] != "", "the focused pane is outlined"
        await pilot.press("pagedown")
        await _settle(pilot)
        assert prose.scroll_y > 0
        await pilot.press("home")
        await _settle(pilot)
        assert prose.scroll_y == 0


async def test_at_80x24_arrows_step_and_the_lesson_tab_follows_the_stage(
    make_app: AppFactory,
) -> None:
    app = make_app(open_lesson="session-cookies")
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        player = app.screen
        assert isinstance(player, PlayerScreen)
        assert app.focused is player.query_one("#prose"), "the tab bar took focus and ←/→"
        await pilot.press("right")
        await _settle(pilot)
        assert player.engines[0].position == 1
        await pilot.press("tab")  # to the stage
        await _settle(pilot)
        assert player.has_class("show-stage")
        await pilot.press("right_square_bracket")
        await _settle(pilot)
        assert player.scene_index == 1
        await pilot.press("tab")  # back to the lesson: it shows scene 2's text
        for _ in range(3):
            await _settle(pilot)
        prose = player.query_one("#prose")
        marker = player.query_one("#scene-marker-1")
        assert prose.region.y <= marker.region.y < prose.region.bottom
        assert app.focused is prose


async def test_the_server_dialog_opens_focused(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(pilot)
        await pilot.press("R")
        await _settle(pilot)
        await pilot.press("f8")
        await _settle(pilot)
        assert isinstance(app.focused, Select)
        assert app.focused.id == "settings-mode"


async def test_escape_closes_the_keys_panel_and_the_diagram_never_wraps(
    make_app: AppFactory,
) -> None:
    analysis = analyse(parse_har(har_bytes(*cookie_login_flow())))
    app = make_app(open_replay=(analysis, "login.har"))
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        await pilot.press("n", "n")
        await _settle(pilot)
        sequence = screen.query_one("#replay-sequence", Static)
        rows = sequence.region.height
        app.action_show_help_panel()
        await _settle(pilot)
        assert screen.query(HelpPanel)
        assert sequence.region.height == rows, "the diagram wrapped beside the Keys panel"
        await pilot.press("escape")
        await _settle(pilot)
        assert not screen.query(HelpPanel)
        assert app.screen is screen, "Esc closed the panel, and only the panel"


async def test_replay_then_q_quits(make_app: AppFactory) -> None:
    analysis = analyse(parse_har(har_bytes(*cookie_login_flow())))
    app = make_app(open_replay=(analysis, "login.har"))
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(pilot)
        await pilot.press("q")
        await _settle(pilot)
        assert not app.is_running, "q landed in the catalogue instead of quitting"
    assert app.return_code == 0


async def test_a_quiz_opened_by_tutor_quiz_quits_when_left(make_app: AppFactory) -> None:
    app = make_app(open_quiz=(["session-cookies"], None))
    async with app.run_test(size=(120, 36)) as pilot:
        await _settle(pilot)
        await pilot.press("escape")
        await _settle(pilot)
        assert not app.is_running
