"""Mutated lesson files: the parser answers with located LessonErrors, never a crash."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.long_run import examples
from tutor.lessons.front_matter import decode_lesson_bytes
from tutor.lessons.model import LessonError
from tutor.lessons.parser import parse_lesson
from tutor.quiz.kinds import KINDS

SEED = """---
id: seed
title: Seed
summary: A lesson to mutate.
order: 1
level: beginner
minutes: 2
requires: []
tags: [fuzz]
format_version: 1
---

# Seed

Text with `code` and a [link](https://example.test).

```scene
id: seed-scene
server: {mode: jwt, denylist: true}
browsers: [user, attacker]
steps:
  - narration: Log in.
    login: {username: alice, password: wonderland}
    expect: {status: 200, storage_has: access_token}
  - request: {path: /profile, credential: none}
    expect: {status: 401, header_present: [WWW-Authenticate]}
  - advance_clock: 300
```

```quiz
id: seed-quiz
kind: single
question: Which?
options:
  - {text: a, correct: true, feedback: "a is right"}
  - {text: b, feedback: "b is wrong"}
```

## Hints

- one

## Sources

- RFC 7519
"""

LINES = SEED.split("\n")
SETTINGS = settings(max_examples=examples(100), deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


@st.composite
def mutated(draw: st.DrawFn) -> str:
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            lines.append("")
        index = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "insert", "duplicate", "swap", "truncate",
                                       "garble"]))
        if action == "delete":
            del lines[index]
        elif action == "insert":
            lines.insert(index, draw(st.sampled_from([
                "```", "```scene", "```quiz", "---", "- *alias", "&anchor x", "  - login:",
                "steps: [[[[", "\t", "id: other", "{", "expect: {status: nope}",
            ]) | st.text(max_size=40)))
        elif action == "duplicate":
            lines.insert(index, lines[index])
        elif action == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        elif action == "truncate":
            lines[index] = lines[index][: draw(st.integers(0, len(lines[index])))]
        else:
            position = draw(st.integers(0, len(lines[index])))
            noise = draw(st.text(min_size=1, max_size=8))
            lines[index] = lines[index][:position] + noise + lines[index][position:]
    return "\n".join(lines)


@SETTINGS
@given(mutated())
def test_mutated_lessons_give_located_errors_only(text: str) -> None:
    lesson, errors = parse_lesson(text, "fuzz.md", quiz_kinds=KINDS)
    for error in errors:
        assert isinstance(error, LessonError)
        assert error.line >= 1 and error.column >= 1
        assert error.message
        assert str(error).startswith(f"fuzz.md:{error.line}:{error.column}: ")
    assert lesson is not None or errors


@settings(max_examples=examples(60), deadline=None, derandomize=True, database=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_decode_or_give_a_located_error(raw: bytes) -> None:
    try:
        text = decode_lesson_bytes(raw, "junk.md")
    except LessonError as error:
        assert error.line >= 1 and error.column >= 1
        return
    _, errors = parse_lesson(text, "junk.md", quiz_kinds=KINDS)
    assert all(isinstance(e, LessonError) for e in errors)


def test_the_seed_itself_is_valid() -> None:
    lesson, errors = parse_lesson(SEED, "seed.md", quiz_kinds=KINDS)
    assert errors == [] and lesson is not None
