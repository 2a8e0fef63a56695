"""Shown instead of a garbled layout when the terminal is too small."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from tutor.ui.screens import SCREEN_STYLES

MIN_WIDTH = 60
MIN_HEIGHT = 16


class TooSmallScreen(Screen[None]):
    """Says how big the terminal is and how big it needs to be; goes away on its own."""

    CSS_PATH = SCREEN_STYLES

    def compose(self) -> ComposeResult:
        yield Static(id="too-small-message")

    def on_mount(self) -> None:
        self._update()

    def on_resize(self) -> None:
        self._update()

    def _update(self) -> None:
        width, height = self.app.size
        if width >= MIN_WIDTH and height >= MIN_HEIGHT:
            if self.is_current:
                self.app.pop_screen()
            return
        self.query_one("#too-small-message", Static).update(
            f"The terminal is {width}×{height}.\ntutor needs at least {MIN_WIDTH}×{MIN_HEIGHT}."
            "\nMake the window larger and the lesson comes back."
        )
