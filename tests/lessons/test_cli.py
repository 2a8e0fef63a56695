"""`tutor lint`, `tutor lessons` and `tutor play --plain` as a user runs them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.readiness import HANG_BOUND
from tutor.cli import main

GOOD = """---
id: good
title: Good lesson
summary: Works.
order: 1
level: beginner
minutes: 2
format_version: 1
---

# Good lesson

Logging in gives a **cookie**.

```scene
id: login
title: Alice logs in
steps:
  - narration: Alice logs in.
    login: {}
    expect: {status: 303, cookie_stored: __Host-sid}
```

## Sources

- RFC 6265bis
"""


@pytest.fixture
def course(tmp_path: Path) -> Path:
    (tmp_path / "good.md").write_text(GOOD)
    return tmp_path


def test_lint_clean_course_exits_zero(course: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", str(course)]) == 0
    assert capsys.readouterr().out == ""


def test_lint_reports_path_line_col_and_exits_one(
    course: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (course / "good.md").write_text(GOOD.replace("status: 303", "status: 200"))
    assert main(["lint", str(course)]) == 1
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1
    assert re.match(r"^.*good\.md:21:14: scene login, step 1 \(login\): expected status 200",
                    out[0]), out


def test_lint_never_shows_a_traceback_on_junk(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "junk.md").write_bytes(bytes(range(256)) * 10)
    (tmp_path / "empty.md").write_bytes(b"")
    assert main(["lint", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert len(captured.out.strip().splitlines()) == 2


def test_lessons_lists_the_course(course: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--lessons", str(course), "lessons"]) == 0
    assert capsys.readouterr().out == "good\tGood lesson\t2\tbeginner\n"


def test_play_unknown_lesson(course: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--lessons", str(course), "play", "nope", "--plain"]) == 2
    assert "no lesson 'nope'; lessons: good" in capsys.readouterr().err


@pytest.mark.slow
def test_play_plain_is_plain_text_for_dumb_terminals(course: Path) -> None:
    """Screen readers and pipes get words: no ANSI escapes, no cursor control."""
    env = {**os.environ, "TERM": "dumb"}
    result = subprocess.run(
        [sys.executable, "-m", "tutor", "--lessons", str(course), "play", "good", "--plain"],
        capture_output=True, text=True, env=env, timeout=HANG_BOUND, check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "\x1b" not in out
    assert out.isascii()
    assert "Lesson 1: Good lesson" in out
    assert "Logging in gives a cookie." in out
    assert "[login step 1: the user enters credentials]" in out
    assert "[login step 2, 3] POST https://bank.test/login" in out
    assert "response 303" in out
    assert "cookie __Host-sid stored in the cookie jar" in out
    assert "[server] The server compares the password with alice's stored hash" in out
    assert "[store] The server writes a new session row for alice into its store." in out
    assert "check ok: status 303" in out


def _predict(answer: int, scene: str = "login", step: int = 0) -> str:
    return GOOD.replace("## Sources", f"""```quiz
id: predict-it
kind: predict
question: What does the login return?
scene: {scene}
step: {step}
answer: {answer}
```

## Sources""")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (_predict(200), "answer 200, but step 0 of scene 'login' really returns 303"),
        (_predict(303, scene="nope"), "names scene 'nope', which this lesson does not have"),
        (_predict(303, step=5), "step 5 is outside scene 'login'"),
    ],
)
def test_a_predict_quiz_cannot_lie(
    course: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    (course / "good.md").write_text(text)
    assert main(["lint", str(course)]) == 1
    assert message in capsys.readouterr().out


def test_a_true_predict_quiz_lints_clean(course: Path) -> None:
    (course / "good.md").write_text(_predict(303))
    assert main(["lint", str(course)]) == 0


def test_one_file_is_linted_against_its_folder(
    course: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`requires` resolves against the lessons beside the file, not just the file."""
    second = GOOD.replace("id: good", "id: second").replace("order: 1", "order: 2")
    second = second.replace("format_version: 1", "requires: [good]\nformat_version: 1")
    (course / "second.md").write_text(second)
    assert main(["lint", str(course / "second.md")]) == 0, capsys.readouterr().out


def test_lessons_option_works_after_the_subcommand(
    course: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lessons", "--lessons", str(course)]) == 0
    assert capsys.readouterr().out.startswith("good\t")


def test_transcript_keeps_tables_readable() -> None:
    from tutor.lessons.transcript import markdown_to_text

    text = markdown_to_text("| claim | meaning |\n|---|---|\n| `exp` | expiry |\n")
    assert text.splitlines() == ["claim | meaning", "exp | expiry"]


def test_transcript_numbers_a_list_item_once_when_a_code_block_splits_it() -> None:
    """A paragraph after a code block inside item 1 is still item 1, so the items that
    follow keep the numbers the author wrote (issue 14's nit)."""
    from tutor.lessons.transcript import markdown_to_text

    markdown = (
        "1. Start the server:\n\n"
        "   ```sh\n   tutor serve\n   ```\n\n"
        "   Then read the banner.\n"
        "2. Open the page.\n"
        "   - look at the cookie\n\n"
        "   Then log in.\n"
        "3. Log out.\n"
    )
    assert markdown_to_text(markdown).splitlines() == [
        "1. Start the server:",
        "       tutor serve",
        "",
        "   Then read the banner.",
        "2. Open the page.",
        "  - look at the cookie",
        "   Then log in.",
        "3. Log out.",
    ]


def test_transcript_keeps_the_numbers_of_a_list_a_code_block_interrupts() -> None:
    """A code block between items at the top level ends the list; the next list starts
    at the number written, not at 1."""
    from tutor.lessons.transcript import markdown_to_text

    text = markdown_to_text("1. one\n2. two\n\n```sh\nx\n```\n\n3. three\n")
    assert [line for line in text.splitlines() if line[:1].isdigit()] == [
        "1. one", "2. two", "3. three"]


def test_lint_asks_for_words_where_a_learner_would_read_an_id(
    course: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = GOOD.replace("title: Alice logs in\n", "title: alice-logs-in\n").replace(
        "    expect: {status: 303, cookie_stored: __Host-sid}",
        "    expect: {status: 303, cookie_stored: __Host-sid}\n  - request: /profile")
    (course / "good.md").write_text(text)
    assert main(["lint", "--no-run", str(course)]) == 1
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 2
    assert out[0].endswith("scene login: the title 'alice-logs-in' reads like an id; "
                           "write it in words")
    assert re.match(r"^.*good\.md:\d+:\d+: scene login, step 2 \(request\): add a "
                    r"`narration:` saying what happens", out[1])
    # A step whose action says what it does needs no narration: the login above has one,
    # and without it the stage would still read "Alice logs in as alice."
    (course / "good.md").write_text(GOOD.replace("  - narration: Alice logs in.\n    login",
                                                 "  - login"))
    assert main(["lint", "--no-run", str(course)]) == 0
