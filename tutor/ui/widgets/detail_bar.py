"""The stage's detail views as one line of words; a click or the player's `d` picks one.

One Static per track instead of Textual's Tabs (a container, a row, a widget per tab and
an underline): opening a lesson composes, styles and draws every widget of every track,
and the tabs were a third of them. It never takes focus, so ←/→ keep stepping the scene.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import events
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static

GAP = 2
"""Cells between two labels."""


class DetailBar(Static, can_focus=False):
    """`Exchange  Timeline  Browser  Server  JWT`, the shown view lit."""

    DEFAULT_CSS = """
    DetailBar {
        height: 1;
        color: $text-muted;
    }
    """

    active: reactive[str] = reactive("", init=False)
    """The name of the view shown."""

    class Chosen(Message):
        """A view was clicked."""

        def __init__(self, bar: DetailBar, view: str) -> None:
            super().__init__()
            self.bar = bar
            """The bar that was clicked."""
            self.view = view
            """The name of the view clicked."""

    def __init__(self, views: Sequence[tuple[str, str]], active: str, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.views = tuple(views)
        """(name, label) of each view, in order."""
        self.set_reactive(DetailBar.active, active)

    def offset_of(self, name: str) -> int:
        """The column where a view's label starts (what a click there chooses)."""
        column = 1
        for each, label in self.views:
            if each == name:
                return column
            column += len(label) + GAP
        raise KeyError(name)

    def render(self) -> Text:
        bar = Text(" ", no_wrap=True, overflow="crop")
        for index, (name, label) in enumerate(self.views):
            if index:
                bar.append(" " * GAP)
            bar.append(label, style="bold reverse" if name == self.active else "")
        return bar

    def on_click(self, event: events.Click) -> None:
        for name, label in self.views:
            start = self.offset_of(name)
            if start <= event.x < start + len(label):
                event.stop()
                self.post_message(self.Chosen(self, name))
                return
