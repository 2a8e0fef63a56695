"""`tutor classroom report` over learners' progress files, corrupt and hostile ones too."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tutor.classroom.learners import LearnerNameError, learner, learner_name
from tutor.classroom.render import report_html, report_text
from tutor.classroom.report import build_report, read_class
from tutor.cli.main import main
from tutor.lessons.course import default_course_dir, load_course
from tutor.lessons.model import Lesson
from tutor.progress import Progress, QuestionProgress
from tutor.progress_format import progress_document
from tutor.quiz.kinds import KINDS

STEP_FOUR = "four-login-steps/what-step-four-sends"
WRONG_STATUS = "four-login-steps/wrong-password-status"
STRANGER = "http-is-stateless/stranger-status"


@pytest.fixture(scope="module")
def course() -> list[Lesson]:
    lessons, errors = load_course(default_course_dir(), KINDS)
    assert not errors
    return lessons


def _write(path: Path, progress: Progress) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(progress_document(progress)), encoding="utf-8")
    return path


def _asked(right: bool, attempts: int = 1) -> QuestionProgress:
    return QuestionProgress(attempts=attempts, times_asked=1, times_correct=int(right),
                            last_correct=right)


def _class(folder: Path) -> dict[str, Path]:
    alice = Progress(quiz={STEP_FOUR: _asked(False, 2), WRONG_STATUS: _asked(True),
                           STRANGER: _asked(True)})
    alice.lesson("four-login-steps").status = "done"
    alice.lesson("http-is-stateless").status = "in_progress"
    bob = Progress(quiz={STEP_FOUR: _asked(False, 2), WRONG_STATUS: _asked(False, 2)})
    bob.lesson("four-login-steps").status = "in_progress"
    files = {
        "alice": _write(folder / "learners" / "alice" / "progress.json", alice),
        "bob": _write(folder / "learners" / "bob" / "progress.json", bob),
    }
    corrupt = folder / "learners" / "carol" / "progress.json"
    corrupt.parent.mkdir(parents=True)
    corrupt.write_text('{"version": 2, "lessons": {"x": ', encoding="utf-8")
    files["carol"] = corrupt
    return files


def test_per_learner_and_lesson_status_and_scores(tmp_path: Path,
                                                  course: list[Lesson]) -> None:
    _class(tmp_path)
    learners, skipped = read_class([tmp_path])
    report = build_report(learners, course, skipped)
    assert [row.name for row in report.learners] == ["alice", "bob"]
    ids = [lesson_id for lesson_id, _ in report.lessons]
    alice, bob = report.learners
    first = alice.cells[ids.index("four-login-steps")]
    assert (first.status, first.right, first.asked) == ("done", 1, 2)
    assert first.total == len(course[ids.index("four-login-steps")].quizzes)
    assert alice.cells[ids.index("http-is-stateless")].status == "in_progress"
    assert (alice.done, bob.done) == (1, 0)
    assert bob.cells[ids.index("http-is-stateless")].status == "new"


def test_the_corrupt_file_is_reported_skipped_and_left_as_it_was(
        tmp_path: Path, course: list[Lesson]) -> None:
    files = _class(tmp_path)
    before = files["carol"].read_bytes()
    learners, skipped = read_class([tmp_path])
    assert "carol" not in [item.name for item in learners]
    assert len(skipped) == 1 and "carol" in str(skipped[0].source)
    assert "not valid JSON" in skipped[0].reason
    assert files["carol"].read_bytes() == before
    assert list(files["carol"].parent.iterdir()) == [files["carol"]]  # nothing set aside


def test_most_missed_first_with_the_misconceptions_its_wrong_options_name(
        tmp_path: Path, course: list[Lesson]) -> None:
    _class(tmp_path)
    learners, _ = read_class([tmp_path])
    report = build_report(learners, course)
    keys = [item.info.key for item in report.most_missed]
    # Missed by both learners asked, then by one of two; never-missed ones are left out.
    assert keys == [STEP_FOUR, WRONG_STATUS]
    top = report.most_missed[0]
    assert (top.learners_asked, top.learners_missed, top.wrong_tries) == (2, 2, 4)
    assert top.info.misconceptions  # a single-choice question: its wrong options
    assert all(why.startswith("No") for _, why in top.info.misconceptions)


def test_exported_files_and_learner_folders_are_read_too(tmp_path: Path,
                                                         course: list[Lesson]) -> None:
    files = _class(tmp_path / "class")
    exported = _write(tmp_path / "exports" / "alice.json", Progress())
    learners, skipped = read_class([tmp_path / "class" / "learners" / "bob", exported,
                                    files["alice"].parent, tmp_path / "missing"])
    assert [item.name for item in learners] == ["bob", "alice", "alice (2)"]
    assert [item.reason for item in skipped] == [
        f"{tmp_path / 'missing'}: no such file or folder"]


def test_hostile_names_never_reach_the_terminal_or_the_page(tmp_path: Path,
                                                            course: list[Lesson]) -> None:
    name = "<script>window.pwned=1</script>\x1b]0;owned\x07"
    _write(tmp_path / f"{name.replace('/', '')}.json", Progress())
    learners, _ = read_class([next(tmp_path.iterdir())])
    report = build_report(learners, course)
    text, page = report_text(report), report_html(report)
    assert "\x1b" not in text and "\x07" not in text
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_the_command_prints_the_report_and_writes_the_page(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _class(tmp_path / "class")
    page = tmp_path / "report.html"
    assert main(["classroom", "report", str(tmp_path / "class"), "--html", str(page)]) == 0
    out = capsys.readouterr().out
    assert "Class report: 2 learners" in out
    assert "Skipped 1 file" in out
    assert "Missed most:" in out
    assert page.read_text(encoding="utf-8").startswith("<!doctype html>")


def test_the_page_shows_the_grid_in_a_real_browser(tmp_path: Path) -> None:
    from tests.server.chromium import launched_chromium, missing_tools

    if missing_tools():
        pytest.skip(str(missing_tools()))
    _class(tmp_path / "class")
    _write(tmp_path / "class" / "learners" / "<i>eve" / "progress.json", Progress())
    page_file = tmp_path / "report.html"
    assert main(["classroom", "report", str(tmp_path / "class"), "--html",
                 str(page_file)]) == 0
    with launched_chromium() as browser:
        page = browser.new_page()
        errors: list[Any] = []
        page.on("pageerror", lambda error: errors.append(error))
        page.goto(page_file.as_uri())
        rows = page.locator("tbody tr")
        assert rows.count() == 3
        assert rows.nth(0).locator("td").nth(0).inner_text() == "<i>eve"
        lessons = page.locator("thead th").count() - 2  # less Learner and Done
        assert rows.nth(1).locator("td").nth(1).inner_text() == f"1/{lessons}"  # alice
        assert "Missed most" in page.inner_text("h2")
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        assert not errors


@given(st.text(max_size=60))
@example(".:0")  # once a leading dash was left behind after the dot went
def test_a_learner_name_is_always_one_plain_folder_name(raw: str) -> None:
    try:
        name = learner_name(raw)
    except LearnerNameError:
        return
    assert name and len(name) <= 40
    assert "/" not in name and "\\" not in name and not name.startswith(".")
    assert all(ch.isprintable() for ch in name)
    assert learner_name(name) == name


def test_names_differing_only_in_case_are_one_learner(tmp_path: Path) -> None:
    (tmp_path / "learners" / "Alice").mkdir(parents=True)
    assert learner(tmp_path, "alice").folder == tmp_path / "learners" / "Alice"
    assert learner(tmp_path, "Zoë K.").name == "Zoë-K."
