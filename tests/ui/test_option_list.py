"""Page keys on an option list that has no room yet do nothing (the random-key test
found Textual's OptionList raising KeyError there, on a quiz squeezed to no height)."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.widgets import OptionList

from tutor.ui.widgets.option_list import PagedOptionList


class _Squeezed(App[None]):
    CSS = "OptionList { height: 0; }"

    def __init__(self, options: type[OptionList]) -> None:
        super().__init__()
        self.options = options

    def compose(self) -> ComposeResult:
        yield self.options("first", "second", "third", id="options")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 1
        options.focus()


@pytest.mark.parametrize("key", ["pageup", "pagedown"])
async def test_page_keys_wait_for_room(key: str) -> None:
    app = _Squeezed(PagedOptionList)
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.press(key)
        await pilot.pause()
        assert app.is_running
        assert app.query_one(OptionList).highlighted == 1
        # Given room, the keys page as before.
        app.query_one(OptionList).styles.height = 5
        await pilot.pause()
        await pilot.press("pagedown")
        await pilot.pause()
        assert app.query_one(OptionList).highlighted == 2


async def test_textuals_own_list_raises_there() -> None:
    # What PagedOptionList is for: if Textual fixes this, this test says the class can go.
    app = _Squeezed(OptionList)
    with pytest.raises(KeyError):
        async with app.run_test(size=(40, 10)) as pilot:
            await pilot.press("pageup")
            await pilot.pause()
