"""A lesson holding escape sequences (raw in the file, or as YAML escapes): `tutor lint`
reports each at file:line, and `tutor lessons`, `tutor play --plain` and `tutor lint`
print them visibly, never to the terminal raw."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.lessons.test_cli import GOOD
from tutor.cli import main

OSC_52 = "\x1b]52;c;aGk=\x07"
RAW_LESSON = (GOOD.replace("title: Good lesson", 'title: "Good \\x1b]0;retitled\\x07 lesson"')
              .replace("Logging in gives", f"Logging {OSC_52}in\x1b[2J gives")
              .replace("narration: Alice logs in.", "narration: Alice \x9b31m logs in."))


def _clean(text: str) -> bool:
    return not {"\x1b", "\x07", "\x9b"} & set(text)


@pytest.fixture
def course(tmp_path: Path) -> Path:
    (tmp_path / "good.md").write_text(RAW_LESSON, encoding="utf-8")
    return tmp_path


def test_lint_reports_each_control_character_at_its_line(
        course: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "--no-run", str(course)]) == 1
    out = capsys.readouterr().out
    assert _clean(out)
    lines = [line for line in out.splitlines() if ": control character " in line]
    assert [line.split(":")[1] for line in lines] == ["13", "13", "13", "19"]


def test_a_yaml_escape_is_reported_at_its_block(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "good.md").write_text(
        GOOD.replace("title: Good lesson", 'title: "Good \\x1b[2J lesson"'), encoding="utf-8")
    assert main(["lint", "--no-run", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "good.md:1:1: control character ␛" in out and _clean(out)


def test_lessons_and_play_show_the_characters_instead_of_sending_them(
        course: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["lessons", "--lessons", str(course)])
    main(["play", "good", "--plain", "--lessons", str(course)])
    captured = capsys.readouterr()
    assert "Good ␛]0;retitled␇ lesson" in captured.out
    assert "␛]52;c;aGk=␇" in captured.out
    assert _clean(captured.out) and _clean(captured.err)
