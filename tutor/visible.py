"""Text from a file or the network, made safe to put on a terminal.

A URL in a HAR file, a header a server sent or a lesson value can hold control
characters; written raw, an escape sequence would move the cursor, recolour or clear the
learner's terminal, retitle its window or (OSC 52) write its clipboard. `visible` shows
each C0 control as its one-cell Unicode control picture (ESC → ␛), so columns still line
up, and the C1 controls as `\\x9b`. It also shows what would reorder or break the line
without being a control (bidirectional overrides, the line and paragraph separators)
and lone surrogates (which no terminal encoding can write) as `\\u202e`.

Shorten after, never before: `visible` turns an escape sequence into plain characters,
so cutting its result can lose text but can never leave half a sequence to the terminal
(`visible_shortened`).
"""

from __future__ import annotations

import functools
import re

# False at run time without importing typing, which would cost every command's start
# (docs/architecture.md, "Start-up"); type checkers take the name as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TextIO

_SHOWN = r"\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff"
"""What `visible` shows, as a character class's contents: none of it is printable
(str.isprintable), so text that is printable has none of it."""


@functools.cache
def _controls(but_lines: bool = False) -> re.Pattern[str]:
    """The characters `visible` shows (`but_lines`: except line breaks and tabs), compiled
    on first use: compiling the class took 2 ms of every start (of `tutor inspect`'s
    too, which seldom needs it), and str.isprintable rules out most text first."""
    shown = _SHOWN.replace(r"\x00-\x1f", r"\x00-\x08\x0b-\x1f") if but_lines else _SHOWN
    return re.compile(f"[{shown}]")


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    if code <= 0x9F:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` with every control character shown instead of obeyed."""
    if text.isprintable():  # no control, format or separator character: the usual case
        return text
    controls = _controls()
    return controls.sub(_picture, text) if controls.search(text) else text


def visible_shortened(text: str, limit: int, ellipsis: str = "…") -> str:
    """`visible(text)` cut to at most `limit` characters, ending with `ellipsis` when cut."""
    shown = visible(text)
    if len(shown) <= limit:
        return shown
    return shown[:max(limit - len(ellipsis), 0)] + ellipsis


def has_controls(text: str) -> bool:
    """Whether `visible` would change `text` (lint reports such lesson text)."""
    return not text.isprintable() and _controls().search(text) is not None


class Shown(str):
    """Text whose every part from outside already went through `visible` (or an escape
    as thorough): VisibleWriter writes it as it is. `tutor inspect` marks its report so,
    where a second look at every character cost about 4% of its time."""

    __slots__ = ()


class VisibleWriter:
    """A text stream that shows control characters instead of writing them, keeping only
    line breaks and tabs: what the plain commands (inspect, replay --plain, lessons, lint,
    play --plain, quiz --plain) print goes through it, so no value they print from a
    file or the network can reach the terminal raw, whichever line forgot `visible`."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        """Write `text`, controls shown (`Shown` text as it is)."""
        if text.__class__ is not Shown:
            text = visible_text(text)
        self._stream.write(text)
        return len(text)

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


def visible_text(text: str) -> str:
    """`text` with control characters shown, keeping its line breaks and tabs (prose)."""
    if text.isprintable() or text.replace("\n", "").replace("\t", "").isprintable():
        return text  # the usual case: nothing to show (and the pattern is not compiled)
    controls = _controls(but_lines=True)
    return controls.sub(_picture, text) if controls.search(text) else text
