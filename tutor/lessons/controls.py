"""Control characters in a lesson: `tutor lint` reports each at file:line.

A lesson is text shown on a learner's terminal; an escape sequence in it (written raw in
the file, or as a YAML escape such as "\\x1b" in a quoted value) could clear the screen,
retitle the window or, through OSC 52, write the clipboard. The player and
`play --plain` show such characters instead of obeying them (tutor.visible); lint tells
the author they are there.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

from tutor.lessons.model import Lesson, LessonError
from tutor.visible import visible

_RAW = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""Controls in the file itself: everything but tab and the line ends."""
_VALUE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""Controls in a parsed value (a YAML escape): the same set, newlines and tabs allowed."""


def control_errors(lesson: Lesson, text: str) -> list[LessonError]:
    """Each control character in the file's `text` (line and column), then each one a
    parsed value holds that the file does not show raw (reported at its block)."""
    path = str(lesson.path)
    errors: list[LessonError] = []
    for number, line in enumerate(text.split("\n"), start=1):
        for match in _RAW.finditer(line.removesuffix("\r")):
            errors.append(LessonError(path, number, match.start() + 1, _message(match.group())))
    if errors:
        return errors  # the raw ones explain the values that hold them
    for at, value in _values(lesson):
        found = _VALUE.search(value)
        if found:
            errors.append(LessonError(path, at, 1, _message(found.group())
                                      + f" (in {visible(value)[:60]!r})"))
    return errors


def _message(character: str) -> str:
    return (f"control character {visible(character)} ({ord(character):#04x}): a terminal "
            "would obey it (an escape sequence can clear the screen or write the "
            "clipboard); remove it or write it out in words")


def _values(lesson: Lesson) -> Iterator[tuple[int, str]]:
    """(line of the block, text) for every string the lesson's parts hold."""
    yield from ((lesson.meta.line, s) for s in _strings(lesson.meta))
    for segment in lesson.segments:
        line = getattr(segment, "line", 1)
        yield from ((line, s) for s in _strings(segment))
    yield from ((1, s) for s in (*lesson.hints, *lesson.sources))


def _strings(value: Any, depth: int = 0) -> Iterator[str]:
    if depth > 40:  # parsed YAML is bounded; this only guards the walk itself
        return
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            if field.name != "locate":
                yield from _strings(getattr(value, field.name), depth + 1)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key, depth + 1)
            yield from _strings(item, depth + 1)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _strings(item, depth + 1)
