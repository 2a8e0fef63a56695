"""Progress version 2: migration from version 1, lesson scores, export, import, reset."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tutor.progress import Progress, QuestionProgress, lesson_score
from tutor.progress_format import PROGRESS_VERSION, ProgressFormatError, parse_progress
from tutor.progress_store import ProgressStore
from tutor.progress_transfer import (
    TransferError,
    export_progress,
    forget_lesson,
    import_progress,
    merge_progress,
    read_progress_file,
)

VERSION_1 = {
    "version": 1,
    "lessons": {"cookie-jar": {"status": "done", "scene": "jar", "step": 3,
                               "hints_shown": 1}},
    "last_lesson": "cookie-jar",
    "settings": {"theme": "nord", "reduced_motion": True, "speed": 2.0},
}


def test_a_version_1_file_migrates_and_is_saved_as_version_2(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    path.write_text(json.dumps(VERSION_1))
    store = ProgressStore(path)
    progress = store.load()
    assert store.notice is None
    assert progress.lesson("cookie-jar").step == 3 and progress.settings.theme == "nord"
    assert progress.quiz == {} and progress.review_sessions == 0
    store.save(progress)
    saved = json.loads(path.read_text())
    assert saved["version"] == PROGRESS_VERSION == 2
    assert saved["lessons"] == VERSION_1["lessons"] and saved["quiz"] == {}


def test_version_1_may_not_carry_version_2_fields() -> None:
    with pytest.raises(ProgressFormatError, match="quiz: unknown field"):
        parse_progress({**VERSION_1, "quiz": {}})


@pytest.mark.parametrize(("document", "where", "what"), [
    ({"version": 2, "quiz": {"a/b": {"box": 9}}}, "quiz.a/b.box", "1 to 5"),
    ({"version": 2, "quiz": {"a/b": {"last_correct": "yes"}}}, "quiz.a/b.last_correct",
     "true, false or null"),
    ({"version": 2, "lessons": {"x": {"status": "weird"}}}, "lessons.x.status",
     "unknown status"),
    ({"version": 2, "lessons": []}, "lessons", "JSON object"),
    ({"version": 2, "review_sessions": -1}, "review_sessions", "whole number"),
    ({"version": 3}, "version", "newer tutor"),
    ({"version": "2"}, "version", "not a progress version"),
])
def test_problems_say_where_and_what(document: dict[str, object], where: str, what: str) -> (
    None
):
    with pytest.raises(ProgressFormatError) as caught:
        parse_progress(document)
    assert caught.value.where == where and what in caught.value.what


def test_lesson_score_counts_last_results_of_that_lesson_only() -> None:
    progress = Progress(quiz={
        "jwt-bearer/a": QuestionProgress(last_correct=True),
        "jwt-bearer/b": QuestionProgress(last_correct=False),
        "jwt-bearer/c": QuestionProgress(last_correct=True),
        "jwt-bearer-two/a": QuestionProgress(last_correct=True),
    })
    assert lesson_score(progress, "jwt-bearer", 4) == (2, 4)
    assert lesson_score(progress, "cookie-jar", 5) == (0, 5)
    assert lesson_score(progress, "jwt-bearer", 1) == (1, 1), "never more than the total"


def sample() -> Progress:
    progress = Progress(review_sessions=4, last_lesson="jwt-bearer")
    progress.lesson("jwt-bearer").status = "in_progress"
    progress.quiz["jwt-bearer/a"] = QuestionProgress(3, 2, 1, True, 2, 6)
    return progress


def test_export_then_import_round_trips(tmp_path: Path) -> None:
    exported = tmp_path / "out" / "mine.json"
    export_progress(sample(), exported)
    assert read_progress_file(exported) == sample()
    store = ProgressStore(tmp_path / "fresh" / "progress.json")
    lines = import_progress(store, exported)
    assert store.load() == sample()
    assert "lessons: 1 added" in lines[1] and "quiz results: 1 added" in lines[2]
    assert not any("kept at" in line for line in lines), "nothing to back up"


def test_import_merges_without_losing_what_is_here(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "progress.json")
    here = Progress(review_sessions=10)
    here.lesson("jwt-bearer").status = "done"
    here.lesson("cookie-jar").status = "new"
    here.quiz["jwt-bearer/a"] = QuestionProgress(1, 1, 1, True, 2, 12)
    here.quiz["cookie-jar/z"] = QuestionProgress(5, 5, 2, False, 1, 11)
    here.settings.theme = "mine"
    store.save(here)
    there = sample()
    there.lesson("cookie-jar").status = "in_progress"
    there.settings.theme = "theirs"
    source = tmp_path / "there.json"
    export_progress(there, source)
    lines = import_progress(store, source)
    merged = store.load()
    assert merged.lesson("jwt-bearer").status == "done", "further along here: kept"
    assert merged.lesson("cookie-jar").status == "in_progress", "further along there"
    assert merged.quiz["cookie-jar/z"] == here.quiz["cookie-jar/z"]
    # More history in the file: replaced, and its due date moved onto this counter.
    assert merged.quiz["jwt-bearer/a"].times_asked == 2
    assert merged.quiz["jwt-bearer/a"].due == 6 + (10 - 4)
    assert merged.review_sessions == 10 and merged.settings.theme == "mine"
    text = "\n".join(lines)
    assert "1 replaced (further along in the file), 1 kept" in text
    assert "settings were kept" in text
    backup = Path(lines[-1].rsplit(" ", 1)[1])
    assert json.loads(backup.read_text())["lessons"]["jwt-bearer"]["status"] == "done"


def test_merging_shifts_due_dates_of_the_side_with_fewer_sessions() -> None:
    here = Progress(review_sessions=2, quiz={"a/q": QuestionProgress(due=3)})
    merged, _ = merge_progress(here, Progress(review_sessions=7))
    assert merged.review_sessions == 7 and merged.quiz["a/q"].due == 8


@pytest.mark.parametrize(("content", "problem"), [
    (b"{not json", ":1:2: not valid JSON"),
    (b"\xff\xfe", "not UTF-8"),
    (json.dumps({"version": 99}).encode(), "newer tutor"),
    (json.dumps({"version": 2, "quiz": {"a/b": {"box": 0}}}).encode(), "quiz.a/b.box"),
])
def test_a_bad_import_changes_nothing(tmp_path: Path, content: bytes, problem: str) -> None:
    store = ProgressStore(tmp_path / "progress.json")
    store.save(sample())
    before = store.path.read_bytes()
    source = tmp_path / "bad.json"
    source.write_bytes(content)
    with pytest.raises(TransferError, match=problem) as caught:
        import_progress(store, source)
    assert str(caught.value).startswith(str(source))
    assert store.path.read_bytes() == before and source.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json", "progress.json"]


def test_a_missing_import_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(TransferError, match="cannot read"):
        read_progress_file(tmp_path / "nope.json")


def test_forget_one_lesson_keeps_the_others() -> None:
    progress = sample()
    progress.lesson("cookie-jar").status = "done"
    progress.quiz["cookie-jar/x"] = QuestionProgress()
    assert forget_lesson(progress, "jwt-bearer") == 2
    assert list(progress.lessons) == ["cookie-jar"] and list(progress.quiz) == ["cookie-jar/x"]
    assert progress.last_lesson is None
    assert forget_lesson(progress, "jwt-bearer") == 0
