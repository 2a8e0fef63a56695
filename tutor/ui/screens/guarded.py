"""A screen that knows when it has gone.

Keys, worker results and queued callbacks can all arrive after a screen was popped, even
before its own `on_mount` ran (the monkey test does this on purpose). Screens that act
on such things check `alive` first, and their actions only run while they are on top.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any, ClassVar, TypeVar

from textual.screen import Screen

from tutor.ui.screens import SCREEN_STYLES

ResultType = TypeVar("ResultType")


def on_stack(screen: Screen[Any]) -> bool:
    """Whether `screen` is still on its app's screen stack (a pop removes it at once)."""
    return screen.is_attached and any(each is screen for each in screen.app.screen_stack)


class GuardedScreen(Screen[ResultType]):
    """`alive` is False once the screen has been popped (or is being taken down)."""

    CSS_PATH: ClassVar[str | PurePath | list[str | PurePath] | None] = SCREEN_STYLES
    _gone = False
    COLLECT_WHEN_CLOSED: ClassVar[bool] = False
    """Ask for a full garbage collection once the screen is gone (`TutorApp.leave`): for
    screens big enough that their cycles, freed at a random later moment, would stall
    whatever the learner does next."""

    @property
    def alive(self) -> bool:
        """Still on the app's screen stack and not unmounted: its widgets can be queried.

        (A pop takes the screen off the stack at once, but its Mount or a worker's
        message may still be queued, and its children may already be gone.)
        """
        return not self._gone and on_stack(self)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Only a live screen on top acts: keys queued before a pop do nothing."""
        if not (self.alive and self.is_current):
            return False
        return self.allows(action, parameters)

    def allows(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Whether `action` means something on this screen now, on top or not (the
        command palette asks while it covers the screen): True, False (hidden) or None
        (shown disabled)."""
        return True

    def on_unmount(self) -> None:
        self._gone = True
