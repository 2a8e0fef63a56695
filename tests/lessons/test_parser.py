"""The lesson parser: every mistake is a LessonError at path:line:col, never a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor.lessons.front_matter import decode_lesson_bytes
from tutor.lessons.model import Lesson, LessonError, Prose, QuizBlock, SceneBlock
from tutor.lessons.parser import load_lesson, parse_lesson
from tutor.quiz.kinds import KINDS

FRONT = """---
id: demo
title: Demo
summary: A demo lesson.
order: 1
level: beginner
minutes: 3
requires: []
tags: [demo]
format_version: 1
---
"""

SCENE = """
```scene
id: hello
server: {mode: cookie}
steps:
  - login: {}
    expect: {status: 303}
```
"""


def parse(body: str, front: str = FRONT) -> tuple[Lesson | None, list[LessonError]]:
    return parse_lesson(front + body, "demo.md", quiz_kinds=KINDS)


def messages(errors: list[LessonError]) -> list[str]:
    return [str(e) for e in errors]


def test_a_valid_lesson_has_prose_scenes_quizzes_hints_and_sources() -> None:
    body = "# Title\n\nSome prose.\n" + SCENE + """
More prose.

```quiz
id: q
kind: true_false
question: Cookies live in localStorage.
options:
  - {text: "True", feedback: "No: they live in the cookie jar."}
  - {text: "False", correct: true, feedback: "Right: the jar, not web storage."}
```

## Hints

- first
- second

## Sources

- RFC 6265bis
"""
    lesson, errors = parse(body)
    assert errors == []
    assert lesson is not None
    kinds = [type(s) for s in lesson.segments]
    assert kinds == [Prose, SceneBlock, Prose, QuizBlock, Prose]
    assert lesson.hints == ("first", "second")
    assert lesson.sources == ("RFC 6265bis",)
    scene = lesson.scenes[0]
    assert scene.id == "hello" and scene.line == 16


def test_missing_front_matter_is_reported_at_the_top() -> None:
    _, errors = parse_lesson("# No front matter\n", "x.md", quiz_kinds=KINDS)
    assert messages(errors) == [
        "x.md:1:1: a lesson starts with YAML front matter between two --- lines"
    ]


def test_unclosed_front_matter() -> None:
    _, errors = parse_lesson("---\nid: x\n", "x.md", quiz_kinds=KINDS)
    assert "front matter is not closed" in messages(errors)[0]


def test_unknown_front_matter_key_suggests_the_right_one() -> None:
    _, errors = parse("", FRONT.replace("minutes: 3", "minutes: 3\nlevle: beginner"))
    assert any("did you mean 'level'" in m and m.startswith("demo.md:8:") for m in
               messages(errors))


@pytest.mark.parametrize(
    ("replace", "message"),
    [
        (("id: demo", "id: Not An Id"), "id must be lower-case"),
        (("level: beginner", "level: expert"), "level must be one of"),
        (("minutes: 3", "minutes: 0"), "minutes must be a whole number from 1 to 120"),
        (("order: 1", "order: first"), "order must be a whole number"),
        (("requires: []", "requires: intro"), "requires must be a list"),
        (("format_version: 1", "format_version: 2"), "newer than this tutor understands"),
        (("title: Demo\n", ""), "front matter needs `title`"),
    ],
)
def test_front_matter_values_are_checked(replace: tuple[str, str], message: str) -> None:
    _, errors = parse("", FRONT.replace(*replace))
    assert any(message in m for m in messages(errors)), messages(errors)


def test_unknown_block_kind_is_an_error_with_a_suggestion() -> None:
    _, errors = parse("\n```secne\nid: x\n```\n")
    assert messages(errors) and "did you mean 'scene'" in messages(errors)[0]
    assert messages(errors)[0].startswith("demo.md:13:1:")


def test_display_code_blocks_are_allowed() -> None:
    _, errors = parse("\n```http\nGET / HTTP/1.1\n```\n\n```\nplain\n```\n")
    assert errors == []


def test_unclosed_scene_fence() -> None:
    _, errors = parse("\n```scene\nid: x\nsteps: []\n")
    assert any("never closed" in m for m in messages(errors))


def test_scene_error_points_at_the_misspelled_key() -> None:
    body = SCENE.replace("login: {}", "loign: {}")
    _, errors = parse(body)
    assert len(errors) == 1
    error = errors[0]
    assert (error.line, error.column) == (17, 5)
    assert "did you mean 'login'" in error.message


def test_scene_needs_an_id() -> None:
    _, errors = parse(SCENE.replace("id: hello\n", ""))
    assert any("needs an `id`" in m for m in messages(errors))


def test_duplicate_block_ids() -> None:
    _, errors = parse(SCENE + SCENE)
    assert any("used twice" in m for m in messages(errors))


def test_yaml_alias_bombs_are_refused_quickly() -> None:
    bomb = "\n```scene\nid: bomb\na: &a [x, x, x, x, x, x, x, x, x]\n"
    for index in range(20):
        bomb += f"b{index}: &b{index} [*{'a' if index == 0 else f'b{index - 1}'}] \n"
    bomb += "steps: [*b19]\n```\n"
    _, errors = parse(bomb)
    assert any("aliases" in m for m in messages(errors))


def test_invalid_yaml_is_located() -> None:
    _, errors = parse("\n```scene\nid: x\nsteps: [\n```\n")
    assert errors and errors[0].line >= 14 and "invalid YAML" in errors[0].message


def test_quiz_shape_errors() -> None:
    quiz = """
```quiz
id: q
kind: single
question: Pick one.
options:
  - {text: a, feedback: yes}
  - {text: b, feedback: "b is wrong"}
```
"""
    _, errors = parse(quiz)
    found = messages(errors)
    assert any("quote it" in m for m in found)
    assert any("exactly one correct option" in m for m in found)


def test_unknown_quiz_kind() -> None:
    _, errors = parse("\n```quiz\nid: q\nkind: essay\nquestion: Why?\n```\n")
    assert any("kind must be one of" in m for m in messages(errors))


def test_empty_file() -> None:
    _, errors = parse_lesson("", "empty.md", quiz_kinds=KINDS)
    assert messages(errors) == [
        "empty.md:1:1: a lesson starts with YAML front matter between two --- lines"
    ]


def test_binary_junk_and_bad_utf8_are_reported(tmp_path: Path) -> None:
    binary = tmp_path / "binary.md"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    _, errors = load_lesson(binary, KINDS)
    assert "NUL bytes" in errors[0].message
    bad = tmp_path / "bad.md"
    bad.write_bytes(FRONT.encode() + b"caf\xe9\n")
    _, errors = load_lesson(bad, KINDS)
    assert (errors[0].line, errors[0].column) == (12, 4)
    assert "not valid UTF-8" in errors[0].message


def test_byte_order_mark_is_accepted() -> None:
    assert decode_lesson_bytes(b"\xef\xbb\xbf---\n", "x.md") == "---\n"


def test_huge_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    huge = tmp_path / "huge.md"
    huge.write_bytes(FRONT.encode() + b"x" * 10_000_000)
    _, errors = load_lesson(huge, KINDS)
    assert len(errors) == 1 and "lessons must be under" in errors[0].message


def test_missing_file(tmp_path: Path) -> None:
    _, errors = load_lesson(tmp_path / "nope.md", KINDS)
    assert "cannot read file" in errors[0].message


def test_twin_track_scene_builds_one_scene_per_track() -> None:
    body = """
```scene
id: compare
tracks:
  - {label: cookie, server: {mode: cookie}}
  - {label: jwt, server: {mode: jwt}}
steps:
  - login: {}
    expect:
      cookie: {status: 303}
      jwt: {status: 200}
```
"""
    lesson, errors = parse(body)
    assert errors == []
    assert lesson is not None
    block = lesson.scenes[0]
    labels = [label for label, _ in block.tracks]
    assert labels == ["cookie", "jwt"]
    statuses = [scene.steps[0].expect[0].value for _, scene in block.tracks]
    assert statuses == [303, 200]
