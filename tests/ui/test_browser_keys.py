"""Actions a browser tab hides (its own F6, F7, F10...) are named in help, with the way
round them."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Static

from tests.ui.conftest import AppFactory
from tests.ui.test_app import _text
from tutor.ui.browser_keys import hidden_in_a_browser
from tutor.ui.screens.help import HelpScreen
from tutor.ui.screens.repeater import RepeaterScreen


def test_the_repeaters_f6_and_f7_are_listed_as_hidden_in_a_browser() -> None:
    hidden = hidden_in_a_browser([("Repeater", RepeaterScreen.BINDINGS)], {})
    keys = {key for _, key, _ in hidden}
    assert {"f6", "f7"} <= keys
    assert all(screen == "Repeater" for screen, _, _ in hidden)


def test_a_remapped_key_is_no_longer_hidden() -> None:
    curl = next(b for b in RepeaterScreen.BINDINGS if isinstance(b, Binding) and b.key == "f6")
    hidden = hidden_in_a_browser([("Repeater", [curl])], {curl.id or "": "ctrl+k"})
    assert hidden == []


async def test_help_says_what_a_browser_tab_hides_and_where_to_find_it(
        make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = _text(app.screen.query_one("#help-browser", Static))
        assert "In a browser tab (tutor web)" in text
        assert "command palette (Ctrl+P)" in text
        assert "Token editor (Repeater)" in text
