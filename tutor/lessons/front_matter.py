"""A lesson file's front matter: all the catalogue reads, with PyYAML and no Markdown.

`tutor lessons`, the catalogue screen and `find_lesson` read only this, so this module
imports neither markdown-it nor the scene or quiz models: listing the course costs about
as much as a PyYAML script reading the same front matter (benchmarks/lessons_bench.py).
The lesson parser (parser.py) reads the rest of the file on top of it.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tutor.lessons import yamlsafe
from tutor.lessons.model import FORMAT_VERSION, LEVELS, LessonError, LessonMeta
from tutor.suggest import unknown_key_message

MAX_LESSON_BYTES = 1_000_000
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
FRONT_MATTER_KEYS = {"id", "title", "summary", "order", "level", "minutes", "requires", "tags",
                     "format_version"}


class ErrorCollector:
    """Gathers errors for one file, so lint can report them all at once."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.errors: list[LessonError] = []

    def add(self, line: int, column: int, message: str) -> None:
        self.errors.append(LessonError(self.path, max(line, 1), max(column, 1), message))


def read_lesson_text(path: Path) -> str:
    """The file as text, or a `LessonError` saying why it cannot be read as a lesson."""
    shown = str(path)
    try:
        # Opened without waiting for a writer (a FIFO cannot hang lint), and read no
        # further than the limit whatever the file is (/dev/zero cannot fill memory).
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(descriptor, "rb") as file:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                raise LessonError(shown, 1, 1, "not a regular file")
            raw = file.read(MAX_LESSON_BYTES + 1)
        if len(raw) > MAX_LESSON_BYTES:
            raise LessonError(shown, 1, 1, f"file is over {MAX_LESSON_BYTES} bytes; lessons "
                              f"must be under {MAX_LESSON_BYTES} bytes")
    except OSError as exc:
        raise LessonError(shown, 1, 1, f"cannot read file: {exc.strerror or exc}") from None
    return decode_lesson_bytes(raw, shown)


def decode_lesson_bytes(raw: bytes, shown: str) -> str:
    """UTF-8 text (a byte-order mark is allowed), or an error at the first bad byte."""
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise LessonError(shown, line, 1, "file contains NUL bytes: is it binary?")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise LessonError(shown, line, column, "file is not valid UTF-8") from None


def front_matter_text(lines: list[str]) -> tuple[str, int] | None:
    """The YAML between the opening and closing `---`, and the line after it (0-based)."""
    if not lines or lines[0].strip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "\n".join(lines[1:index]), index + 1
    return None


def read_front_matter(lines: list[str], errors: ErrorCollector) -> tuple[LessonMeta | None, int]:
    found = front_matter_text(lines)
    if found is None:
        if lines and lines[0].strip() == "---":
            errors.add(1, 1, "front matter is not closed: add a line with --- after it")
        else:
            errors.add(1, 1, "a lesson starts with YAML front matter between two --- lines")
        return None, 0
    text, body_start = found
    meta = parse_front_matter(text, errors, line_offset=1)
    return meta, body_start


class YamlInFile:
    """A YAML snippet of a lesson file: its data, and errors placed at file positions."""

    def __init__(self, located: yamlsafe.LocatedYaml, line_offset: int,
                 errors: ErrorCollector) -> None:
        self.data = located.data
        self._located = located
        self._line_offset = line_offset
        self._errors = errors

    @classmethod
    def load(cls, text: str, line_offset: int, errors: ErrorCollector, label: str) -> (
        YamlInFile | None
    ):
        """Parse the snippet that starts at 0-based file line `line_offset`."""
        try:
            return cls(yamlsafe.load(text), line_offset, errors)
        except yamlsafe.YamlProblem as exc:
            errors.add(line_offset + exc.line + 1, exc.column + 1, f"{label}: {exc.message}")
            return None

    def locate(self, path: str) -> tuple[int, int]:
        """1-based (line, column) in the file of a data path."""
        line, column = self._located.locate(path)
        return self._line_offset + line + 1, column + 1

    def fail(self, path: str, message: str) -> None:
        """Report a problem at the place `path` is written."""
        self._errors.add(*self.locate(path), message)


def parse_front_matter(text: str, errors: ErrorCollector, line_offset: int) -> LessonMeta | None:
    """Validate the front matter; `line_offset` is the 0-based line the YAML starts on."""
    snippet = YamlInFile.load(text, line_offset, errors, "front matter")
    if snippet is None:
        return None
    data, fail = snippet.data, snippet.fail
    if not isinstance(data, Mapping):
        errors.add(line_offset + 1, 1, "front matter must be a mapping of keys to values")
        return None
    ok = True
    for key in data:
        if key not in FRONT_MATTER_KEYS:
            fail(str(key), unknown_key_message("front matter", str(key), FRONT_MATTER_KEYS))
            ok = False
    version = data.get("format_version")
    if version != FORMAT_VERSION:
        if isinstance(version, int) and not isinstance(version, bool) and version > 1:
            fail("format_version", f"format_version {version} is newer than this tutor "
                 f"understands ({FORMAT_VERSION}); update tutor")
        else:
            fail("format_version", f"format_version must be {FORMAT_VERSION}")
        ok = False
    checks: list[tuple[str, bool, str]] = [
        ("id", isinstance(data.get("id"), str) and bool(ID_PATTERN.match(data["id"])),
         "id must be lower-case letters, digits and dashes (e.g. http-is-stateless)"),
        ("title", _text(data.get("title")), "title must be non-empty text"),
        ("summary", _text(data.get("summary")), "summary must be non-empty text"),
        ("order", _whole(data.get("order")), "order must be a whole number"),
        ("level", data.get("level") in LEVELS, f"level must be one of {', '.join(LEVELS)}"),
        ("minutes", _whole(data.get("minutes")) and 1 <= data["minutes"] <= 120,
         "minutes must be a whole number from 1 to 120"),
        ("requires", _text_list(data.get("requires", [])), "requires must be a list of ids"),
        ("tags", _text_list(data.get("tags", [])), "tags must be a list of words"),
    ]
    for key, valid, message in checks:
        if not valid:
            fail(key, message if key in data or key in ("requires", "tags")
                 else f"front matter needs `{key}`")
            ok = False
    if not ok:
        return None
    return LessonMeta(
        id=data["id"], title=data["title"].strip(), summary=data["summary"].strip(),
        order=data["order"], level=data["level"], minutes=data["minutes"],
        requires=tuple(data.get("requires", [])), tags=tuple(data.get("tags", [])),
        format_version=FORMAT_VERSION, path=errors.path,
    )


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _text_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v for v in value)
