"""The four login steps in one line, the ones the current exchange shows lit."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

STEP_LABELS: dict[int, str] = {
    1: "enter credentials",
    2: "credentials travel",
    3: "verify & issue",
    4: "attach to requests",
}
"""Short labels for the stepper; `LOGIN_STEP_NAMES` has the full sentences."""
SHORT_LABELS: dict[int, str] = {1: "enter", 2: "travel", 3: "verify", 4: "attach"}
"""Labels for a narrow stepper."""
STEP_MARKS: dict[int, str] = {1: "①", 2: "②", 3: "③", 4: "④"}
"""One-cell marks for a step, used by the sequence diagram."""
LIT = "bold reverse"
UNLIT = "dim"
SEPARATOR = " › "


def render_stepper(current: Sequence[int], *, width: int | None = None) -> Text:
    """The steps "1 enter credentials › 2 credentials travel › ...", `current` lit.

    With `width`, labels shrink to one word, then to bare numbers, to stay on one line.
    """
    lit = set(current)
    for labels in (STEP_LABELS, SHORT_LABELS, None):
        text = _line(lit, labels)
        if width is None or text.cell_len <= width:
            return text
    return text


def _line(lit: set[int], labels: dict[int, str] | None) -> Text:
    text = Text(no_wrap=labels is None, overflow="ellipsis" if labels is None else "fold")
    for number in sorted(STEP_LABELS):
        if number > 1:
            text.append(SEPARATOR if labels is not None else " ", style=UNLIT)
        label = f" {number} {labels[number]} " if labels is not None else f" {number} "
        text.append(label, style=LIT if number in lit else UNLIT)
    return text

