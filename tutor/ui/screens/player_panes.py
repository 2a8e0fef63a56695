"""The player in a narrow terminal: the lesson and the stage take turns.

Below NARROW_WIDTH columns the screen has the `narrow` class and a Lesson/Stage tab bar;
`show-prose` or `show-stage` says which pane the styles show (screens/screens.tcss), and the pane
shown gets the focus. `tab` switches them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Tab, Tabs

if TYPE_CHECKING:
    from tutor.ui.screens.player import PlayerScreen

NARROW_WIDTH = 110
"""Narrower than this, the lesson and the stage take turns."""


def pane_tabs() -> Tabs:
    """The Lesson/Stage tab bar."""
    tabs = Tabs(Tab("Lesson", id="tab-prose"), Tab("Stage", id="tab-stage"), id="pane-tabs")
    # Never focused: Tabs takes ←/→ for itself, and → must step the scene; tab (the
    # player's key) switches panes, and the pane shown gets the focus.
    tabs.can_focus = False
    return tabs


def apply_width(screen: PlayerScreen) -> None:
    """Narrow or not after a resize: the class, the tab bar, a pane to show."""
    narrow = screen.size.width < NARROW_WIDTH
    if narrow != screen.has_class("narrow"):
        screen.set_class(narrow, "narrow")
        screen.refresh_bindings()
    if narrow and not screen.query("#pane-tabs"):
        # Made only once the terminal is narrow: hidden, its seven widgets still cost
        # a lesson switch their styling and layout.
        screen.mount(pane_tabs(), before="#prose")
    if narrow and not (screen.has_class("show-prose") or screen.has_class("show-stage")):
        screen.add_class("show-stage")


def switch_pane(screen: PlayerScreen) -> None:
    """`tab`: the other pane's tab (its activation shows the pane)."""
    if not screen.has_class("narrow"):
        return
    tabs = next(iter(screen.query("#pane-tabs").results(Tabs)), None)
    if tabs is None:
        return
    tabs.active = "tab-prose" if tabs.active == "tab-stage" else "tab-stage"


def show_pane(screen: PlayerScreen, stage: bool) -> bool:
    """Show the stage (or the lesson) and focus it; False when it was shown already."""
    if screen.has_class("show-stage") == stage and screen.has_class("show-prose") != stage:
        return False  # unchanged: a class change restyles the whole screen
    screen.set_class(stage, "show-stage")
    screen.set_class(not stage, "show-prose")
    if stage:
        details = next(iter(screen.query("TrackStage .details")), None)
        if details is not None:
            details.focus()
    else:
        for prose in screen.query("#prose"):
            prose.focus()
    return True
