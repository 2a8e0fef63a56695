"""Reading one lesson file: front matter, Markdown prose, ```scene and ```quiz blocks.

Every problem becomes a `LessonError` at `path:line:col`; nothing else escapes, whatever
the file holds (binary junk, bad UTF-8, unclosed fences, YAML bombs, huge files).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from tutor.lessons import yamlsafe
from tutor.lessons.model import (
    FORMAT_VERSION,
    LEVELS,
    Lesson,
    LessonError,
    LessonMeta,
    Prose,
    QuizBlock,
    SceneBlock,
    Segment,
)
from tutor.lessons.quizspec import QuizKinds, QuizSpecError
from tutor.scenes.model import SceneError, parse_tracks
from tutor.suggest import unknown_key_message

MAX_LESSON_BYTES = 1_000_000
INTERACTIVE_KINDS = ("scene", "quiz")
# Code shown to the learner as-is; anything else in an info string is probably a typo.
DISPLAY_LANGUAGES = frozenset({
    "", "text", "http", "json", "sh", "bash", "console", "shell", "yaml", "javascript", "js",
    "html", "python", "jwt", "curl", "ini", "diff",
})
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
FRONT_MATTER_KEYS = {"id", "title", "summary", "order", "level", "minutes", "requires", "tags",
                     "format_version"}
# Only the block structure matters here (fences, headings, lists): inline parsing is
# skipped, which leaves each inline token's raw text in `content`.
# Rules that cannot hold a fence or a heading we look for are off too: it is 10-20% of the
# time of parsing a lesson.
_MARKDOWN = MarkdownIt("commonmark").disable(["inline", "html_block", "reference", "hr"])


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
        size = path.stat().st_size
        if size > MAX_LESSON_BYTES:
            raise LessonError(shown, 1, 1, f"file is {size} bytes; lessons must be under "
                              f"{MAX_LESSON_BYTES} bytes")
        raw = path.read_bytes()
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


def parse_lesson(text: str, path: str = "<lesson>", *,
                 quiz_kinds: QuizKinds) -> tuple[Lesson | None, list[LessonError]]:
    """Parse a lesson; returns it (None if unusable) and every error found. `quiz_kinds`
    parses the ```quiz blocks (tutor.quiz.kinds.KINDS for the built-in kinds)."""
    errors = ErrorCollector(path)
    lines = text.split("\n")
    meta, body_start = _front_matter(lines, errors)
    body = "\n".join(lines[body_start:])
    try:
        tokens = _MARKDOWN.parse(body)
    except RecursionError:
        errors.add(body_start + 1, 1, "Markdown is nested too deeply")
        return None, errors.errors
    segments = _segments(tokens, lines, body_start, errors, quiz_kinds)
    hints = _bullets_under(tokens, "hints")
    sources = _bullets_under(tokens, "sources")
    _check_unique_block_ids(segments, errors)
    if meta is None:
        return None, errors.errors
    lesson = Lesson(meta, tuple(segments), tuple(hints), tuple(sources), Path(path))
    return lesson, errors.errors


def load_lesson(path: Path, quiz_kinds: QuizKinds) -> tuple[Lesson | None, list[LessonError]]:
    """Read and parse a lesson file."""
    try:
        text = read_lesson_text(path)
    except LessonError as exc:
        return None, [exc]
    return parse_lesson(text, str(path), quiz_kinds=quiz_kinds)


# --- front matter ------------------------------------------------------------------------


def front_matter_text(lines: list[str]) -> tuple[str, int] | None:
    """The YAML between the opening and closing `---`, and the line after it (0-based)."""
    if not lines or lines[0].strip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "\n".join(lines[1:index]), index + 1
    return None


def _front_matter(lines: list[str], errors: ErrorCollector) -> tuple[LessonMeta | None, int]:
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


class _YamlInFile:
    """A YAML snippet of a lesson file: its data, and errors placed at file positions."""

    def __init__(self, located: yamlsafe.LocatedYaml, line_offset: int,
                 errors: ErrorCollector) -> None:
        self.data = located.data
        self._located = located
        self._line_offset = line_offset
        self._errors = errors

    @classmethod
    def load(cls, text: str, line_offset: int, errors: ErrorCollector, label: str) -> (
        _YamlInFile | None
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
    snippet = _YamlInFile.load(text, line_offset, errors, "front matter")
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


# --- body ----------------------------------------------------------------------------------


def _segments(
    tokens: list[Token], lines: list[str], body_start: int, errors: ErrorCollector,
    quiz_kinds: QuizKinds,
) -> list[Segment]:
    segments: list[Segment] = []
    prose_from = body_start
    for token in tokens:
        if token.type != "fence" or token.map is None:
            continue
        kind = token.info.strip().split(maxsplit=1)[0] if token.info.strip() else ""
        fence_line = body_start + token.map[0]  # 0-based line of the opening fence
        if kind not in INTERACTIVE_KINDS:
            if kind.lower() not in DISPLAY_LANGUAGES:
                close = unknown_key_message("block", kind, set(INTERACTIVE_KINDS), "kind")
                errors.add(fence_line + 1, 1, f"{close} (code to show can use: "
                           f"{', '.join(sorted(DISPLAY_LANGUAGES - {''}))})")
            continue
        if not _is_closed(token, lines, body_start):
            errors.add(fence_line + 1, 1, f"```{kind} block is never closed")
            continue
        prose = "\n".join(lines[prose_from:fence_line]).strip("\n")
        if prose.strip():
            segments.append(Prose(prose, prose_from + 1))
        prose_from = body_start + token.map[1]
        block = _block(kind, token.content, fence_line + 1, errors, quiz_kinds)
        if block is not None:
            segments.append(block)
    prose = "\n".join(lines[prose_from:]).strip("\n")
    if prose.strip():
        segments.append(Prose(prose, prose_from + 1))
    return segments


def _is_closed(token: Token, lines: list[str], body_start: int) -> bool:
    assert token.map is not None
    last = body_start + token.map[1] - 1
    if last >= len(lines) or last == body_start + token.map[0]:
        return False
    closing = lines[last].strip()
    return closing.startswith(token.markup[0] * len(token.markup)) and not closing.strip(
        token.markup[0]
    )


def _block(kind: str, content: str, line_offset: int, errors: ErrorCollector,
           quiz_kinds: QuizKinds) -> Segment | None:
    """Parse a block whose YAML starts at 0-based file line `line_offset`."""
    snippet = _YamlInFile.load(content, line_offset, errors, f"{kind} block")
    if snippet is None:
        return None
    data, fail_at, locate = snippet.data, snippet.fail, snippet.locate
    if not isinstance(data, Mapping):
        errors.add(line_offset + 1, 1, f"a {kind} block holds a YAML mapping")
        return None

    block_id = data.get("id")
    if not isinstance(block_id, str) or not ID_PATTERN.match(block_id):
        fail_at("id", f"a {kind} block needs an `id` (lower-case letters, digits, dashes) "
                "so progress and errors can point at it")
        return None
    if kind == "scene":
        try:
            tracks = parse_tracks(data, block_id)
        except SceneError as exc:
            fail_at(exc.path, f"scene {block_id}: {exc}")
            return None
        return SceneBlock(block_id, line_offset, tuple(tracks), locate)
    try:
        spec = quiz_kinds.parse(data)
    except QuizSpecError as exc:
        for problem in exc.problems:
            path = problem.path
            fail_at(path, f"quiz {block_id}: {path + ': ' if path else ''}{problem.message}")
        return None
    return QuizBlock(block_id, line_offset, spec, locate)


def _bullets_under(tokens: list[Token], heading: str) -> list[str]:
    """The bullet items of the `## Hints` (or Sources) section."""
    items: list[str] = []
    inside = False
    depth = 0
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            title = tokens[index + 1].content.strip().lower() if index + 1 < len(tokens) else ""
            inside = token.tag == "h2" and title == heading
            continue
        if not inside:
            continue
        if token.type == "bullet_list_open":
            depth += 1
        elif token.type == "bullet_list_close":
            depth -= 1
        elif token.type == "inline" and depth == 1 and tokens[index - 1].type == "paragraph_open":
            items.append(token.content.strip())
    return items


def _check_unique_block_ids(segments: list[Segment], errors: ErrorCollector) -> None:
    seen: dict[str, int] = {}
    for segment in segments:
        if isinstance(segment, SceneBlock | QuizBlock):
            if segment.id in seen:
                errors.add(segment.line, 1, f"block id {segment.id!r} is used twice "
                           f"(first at line {seen[segment.id]})")
            seen.setdefault(segment.id, segment.line)
