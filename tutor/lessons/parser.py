"""Reading one lesson file: front matter (front_matter.py), Markdown prose, ```scene and
```quiz blocks.

Every problem becomes a `LessonError` at `path:line:col`; nothing else escapes, whatever
the file holds (binary junk, bad UTF-8, unclosed fences, YAML bombs, huge files).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from tutor.lessons.front_matter import (
    ID_PATTERN,
    ErrorCollector,
    YamlInFile,
    read_front_matter,
    read_lesson_text,
)
from tutor.lessons.model import (
    Lesson,
    LessonError,
    Prose,
    QuizBlock,
    SceneBlock,
    Segment,
)
from tutor.lessons.quizspec import QuizKinds, QuizSpecError
from tutor.scenes.model import SceneError, parse_tracks
from tutor.suggest import unknown_key_message

INTERACTIVE_KINDS = ("scene", "quiz")
# Code shown to the learner as-is; anything else in an info string is probably a typo.
DISPLAY_LANGUAGES = frozenset({
    "", "text", "http", "json", "sh", "bash", "console", "shell", "yaml", "javascript", "js",
    "html", "python", "jwt", "curl", "ini", "diff",
})
# Only the block structure matters here (fences, headings, lists): inline parsing is
# skipped, which leaves each inline token's raw text in `content`.
# Rules that cannot hold a fence or a heading we look for are off too: it is 10-20% of the
# time of parsing a lesson.
_MARKDOWN = MarkdownIt("commonmark").disable(["inline", "html_block", "reference", "hr"])


def parse_lesson(text: str, path: str = "<lesson>", *,
                 quiz_kinds: QuizKinds) -> tuple[Lesson | None, list[LessonError]]:
    """Parse a lesson; returns it (None if unusable) and every error found. `quiz_kinds`
    parses the ```quiz blocks (tutor.quiz.kinds.KINDS for the built-in kinds)."""
    errors = ErrorCollector(path)
    lines = text.split("\n")
    meta, body_start = read_front_matter(lines, errors)
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
    snippet = YamlInFile.load(content, line_offset, errors, f"{kind} block")
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
