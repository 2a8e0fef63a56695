"""`tutor lint`'s teaching-truth checks: every lesson cites its sources, and no quiz
accepts an answer that changes the setup its question states (issue 14)."""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import pytest

from tutor.lessons.lint import lint_paths
from tutor.lessons.parser import parse_lesson
from tutor.lessons.setup_claims import setting_keys, setup_errors, stated_settings
from tutor.quiz.kinds import KINDS
from tutor.server.config import ServerConfig
from tutor.server.weaknesses import weakness_names

REPO = Path(__file__).resolve().parents[2]

FRONT = """---
id: truth
title: Truth
summary: Checks.
order: 1
level: intermediate
minutes: 2
format_version: 1
---

# Truth

"""

SCENE = """```scene
id: logout-jwt
title: A copy replayed after logout
server:
  mode: jwt
  denylist: {denylist}
browsers: [user, attacker]
steps:
  - login: {{}}
  - capture: {{}}
  - logout: {{}}
  - narration: The copy is replayed.
    as: attacker
    replay: /profile
    expect:
      status: {status}
```

"""

CHOICE = """```quiz
id: what-ends-a-jwt
kind: multiple
question: With the denylist off, which of these stop a copied access token from working?
options:
  - text: The page deleting the token from localStorage
    feedback: "No: one copy gone."
  - text: Reaching the token's exp time
    correct: true
    feedback: "Yes: the claims stage."
{extra}```

"""

PREDICT = """```quiz
id: replay-status
kind: predict
question: With the denylist off, the copy is replayed after logout. What status comes back?
scene: logout-jwt
step: 3
answer: {status}
```

"""

SOURCES = """## Sources

- RFC 7519 §4.1.7: `jti`.
"""

DENYLIST_OPTION = """  - text: Turning on a server-side denylist before the logout
    correct: true
    feedback: "Yes: revocation stage."
"""


def lesson_text(*, denylist: str = "false", extra: str = "", sources: bool = True) -> str:
    status = 401 if denylist == "true" else 200
    return (FRONT + SCENE.format(denylist=denylist, status=status) + CHOICE.format(extra=extra)
            + PREDICT.format(status=status) + (SOURCES if sources else ""))


def lint_text(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "truth.md"
    path.write_text(text)
    return [f"{e.line}: {e.message}" for e in lint_paths([path], KINDS, run_scenes=True)]


def test_a_good_lesson_lints_clean(tmp_path: Path) -> None:
    assert lint_text(tmp_path, lesson_text()) == []


def test_an_option_that_turns_on_what_the_stem_turns_off_is_refused(tmp_path: Path) -> None:
    """Issue 14, item 6: the stem says the denylist is off; an accepted answer turns it
    on. Lint names the option and the line it is written on."""
    text = lesson_text(extra=DENYLIST_OPTION)
    errors = lint_text(tmp_path, text)
    option_line = text.splitlines().index(DENYLIST_OPTION.splitlines()[0]) + 1
    assert errors == [
        f"{option_line}: quiz what-ends-a-jwt: option 3 says 'Turning on a server-side "
        "denylist' but the question sets up 'the denylist off': an answer must hold in "
        "the setup the question states"]


def test_a_predict_stem_must_describe_its_scene(tmp_path: Path) -> None:
    """The stem says the denylist is off, but the scene runs with it on: the answer the
    scene proves (401) is not the answer to the question as asked."""
    errors = lint_text(tmp_path, lesson_text(denylist="true"))
    assert len(errors) == 1
    assert ("quiz replay-status: the question says 'the denylist off' but scene "
            "logout-jwt runs with denylist = True") in errors[0]


def test_a_lesson_without_sources_is_refused(tmp_path: Path) -> None:
    assert lint_text(tmp_path, lesson_text(sources=False)) == [
        "1: add a `## Sources` section with a bullet per source: every claim a scene does "
        "not show must be cited"]


def test_a_sources_heading_with_no_bullets_is_refused(tmp_path: Path) -> None:
    errors = lint_text(tmp_path, lesson_text(sources=False) + "## Sources\n\nSee the RFCs.\n")
    assert [e for e in errors if "Sources" in e]


def test_the_course_as_it_was_fails_and_the_course_as_it_is_passes() -> None:
    """The check finds the real mistake the review found in lesson 7 (before this fix),
    and nothing in the shipped course."""
    before = subprocess.run(
        ["git", "show", "3eb0401:lessons/07-logout-revocation.md"], cwd=REPO,
        capture_output=True, text=True, check=False)
    if before.returncode != 0:
        pytest.skip("the repository history is not available")
    old, _ = parse_lesson(before.stdout, "07-before.md", quiz_kinds=KINDS)
    assert old is not None
    assert [e.message.split(":")[0] for e in setup_errors(old)] == ["quiz what-ends-a-jwt"]
    for path in sorted((REPO / "lessons").glob("*.md")):
        lesson, _ = parse_lesson(path.read_text(), str(path), quiz_kinds=KINDS)
        assert lesson is not None
        assert setup_errors(lesson) == [], path.name
        assert lesson.sources, path.name


@pytest.mark.parametrize(("text", "expected"), [
    ("With the denylist off, what stops it?", {"denylist": False}),
    ("With the denylist on, the copy is replayed.", {"denylist": True}),
    ("Turning on a server-side denylist before the logout", {"denylist": True}),
    ("Without a denylist the copy works", {"denylist": False}),
    ("In cookie mode, what does logout do?", {"mode": "cookie"}),
    ("In signed-cookie mode the data rides along", {"mode": "signed-cookie"}),
    ("The RS256 server receives an HS256 token", {"algorithm": "RS256"}),
    ("With SameSite=None, the forged POST got 403.", {"samesite_none": True}),
    ("Alice's own page posts /logout.", {}),
])
def test_stated_settings(text: str, expected: dict[str, object]) -> None:
    assert {s.key: s.value for s in stated_settings(text)} == expected


def test_every_phrase_names_a_real_setting() -> None:
    """The phrase table names ServerConfig fields and registered weaknesses only, so a
    renamed setting breaks this test instead of silently matching nothing."""
    fields = {f.name for f in dataclasses.fields(ServerConfig)}
    assert setting_keys() <= fields | set(weakness_names())
