"""`tutor quiz --plain` driven through standard input, and `tutor progress`."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from tests.quiz.helpers import course_lesson
from tutor.cli import main
from tutor.progress_store import ProgressStore
from tutor.quiz.kinds.order import OrderSpec
from tutor.quiz.questions import lesson_questions

LESSON = "session-cookies"


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("TUTOR_DATA_DIR", str(folder))
    return folder


def quiz(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], answers: str,
         *args: str) -> tuple[int, list[str]]:
    monkeypatch.setattr("sys.stdin", io.StringIO(answers))
    status = main(["quiz", *args, "--plain"])
    return status, capsys.readouterr().out.splitlines()


def right_order() -> str:
    order = next(q for q in lesson_questions(course_lesson(LESSON)) if q.kind == "order")
    items = order.spec_as(OrderSpec).items
    return ",".join(str(order.choices.index(item) + 1) for item in items)


def test_a_whole_lesson_answered_through_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    # predict: wrong then right; single: wrong twice; multiple: partly, then right;
    # true_false: right; order: right.
    answers = f"200\n401\n1\n3\n1\n1,2\n2\n{right_order()}\n"
    status, out = quiz(monkeypatch, capsys, answers, LESSON)
    assert status == 0
    assert out[-1] == "score: 2/5"
    assert out[-2] == "2 of 5 right at the first try; 2 more at the second."
    assert out[0] == "Quiz: Session cookies, 5 questions."
    assert "Question 1 of 5 (predict the response, lesson session-cookies):" in out
    assert "Try once more (h for a hint)." in out
    # A cookie did come (replayed after logout): "no valid credential came" was untrue.
    assert ("  response 401 (Unauthorized: the credential that came with the request was not "
            "accepted (expired, ended, revoked or forged))") in out
    assert "  2. A random id that points at a row in the server's session store" in out
    assert "The answer: 2. A random id that points at a row in the server's session store" in out
    assert any(line.startswith("Partly right") for line in out)
    progress = ProgressStore(data_dir / "progress.json").load()
    assert progress.review_sessions == 1
    single = progress.quiz[f"{LESSON}/what-the-cookie-holds"]
    assert (single.box, single.last_correct, single.attempts) == (1, False, 2)
    assert progress.quiz[f"{LESSON}/idle-clock"].box == 2


def test_end_of_input_mid_quiz_ends_cleanly_with_the_score_so_far(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    status, out = quiz(monkeypatch, capsys, "401\n1", LESSON)
    assert status == 0
    # Before: "score: 1/1" for a five-question quiz.
    assert out[-1] == "score: 1/5"
    assert out[-2] == ("1 of 5 right at the first try; 4 questions not answered, counted as "
                       "missed.")
    assert "(end of input)" in out
    progress = ProgressStore(data_dir / "progress.json").load()
    assert list(progress.quiz) == [f"{LESSON}/replay-after-logout"]


def test_bad_answers_are_explained_and_asked_again(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out = quiz(monkeypatch, capsys, "four oh one\n9999\n401\n7\nx\n2\n", LESSON)
    assert status == 0
    assert "'four oh one' is not an HTTP status: type three digits, 100 to 599." in out
    assert "'9999' is not an HTTP status: type three digits, 100 to 599." in out
    assert "There is no option 7: the options are 1 to 3." in out
    assert "'x' is not a list of option numbers: type numbers from 1 to 3, separated by " \
           "commas." in out
    assert out[-1] == "score: 2/5", "bad lines used no attempt: both right at the first try"
    assert ("2 of 5 right at the first try; 3 questions not answered, counted as missed."
            in out)


def test_hints_and_skip_in_plain_mode(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out = quiz(monkeypatch, capsys, "h\ns\n", "logout-revocation")
    assert status == 0
    assert "Hint 1: Did the logout response say the access token was revoked?" in out
    assert "The answer: 200 (OK: the server accepted the request and answered it)." in out


class InterruptedInput:
    """Standard input where the learner presses Ctrl-C after the given lines."""

    def __init__(self, *lines: str) -> None:
        self.lines = list(lines)

    def isatty(self) -> bool:
        return False

    def readline(self) -> str:
        if not self.lines:
            raise KeyboardInterrupt
        return self.lines.pop(0)


def test_ctrl_c_keeps_what_was_answered(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    monkeypatch.setattr("sys.stdin", InterruptedInput("401\n"))
    assert main(["quiz", LESSON, LESSON, "--plain"]) == 130
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Quiz: Session cookies, 5 questions.", "a lesson named twice is asked once"
    assert out[-1] == "(interrupted) score: 1/5"
    assert ProgressStore(data_dir / "progress.json").load().quiz[
        f"{LESSON}/replay-after-logout"].last_correct is True


def test_unknown_lesson_is_exit_two(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["quiz", "no-such-lesson", "--plain"]) == 2
    err = capsys.readouterr().err
    assert "no lesson 'no-such-lesson'" in err and "session-cookies" in err


def test_the_review_picks_ten_and_is_repeatable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    status, out = quiz(monkeypatch, capsys, "", "--seed", "3")
    assert status == 0 and out[0] == "Quiz: a cookie-versus-JWT review, 10 questions."
    first = [line for line in out if line.startswith("Question 1 of")]
    (data_dir / "progress.json").unlink()
    _, again = quiz(monkeypatch, capsys, "", "--seed", "3")
    assert [line for line in again if line.startswith("Question 1 of")] == first
    assert again[-1] == "score: 0/10"


def test_without_a_terminal_the_quiz_points_to_plain(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["quiz", LESSON]) == 2
    assert "--plain" in capsys.readouterr().err


def test_quiz_help_documents_the_answering_rules(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["quiz", "--help"])
    text = capsys.readouterr().out
    for phrase in ("h or hint", "s or skip", "score: N/M", "after a second miss"):
        assert phrase in text


def test_progress_summary_export_import_and_reset(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], data_dir: Path,
    tmp_path: Path,
) -> None:
    quiz(monkeypatch, capsys, "401\n2\n", LESSON)
    assert main(["progress"]) == 0
    summary = capsys.readouterr().out.splitlines()
    assert any(line.split()[:3] == [LESSON, "new", "2/5"] for line in summary)
    exported = tmp_path / "export.json"
    assert main(["progress", "--export", str(exported)]) == 0
    assert json.loads(exported.read_text())["version"] == 2
    capsys.readouterr()
    assert main(["progress", "--reset", LESSON]) == 0
    assert "Progress of lesson session-cookies reset (2 entries)" in capsys.readouterr().out
    assert ProgressStore(data_dir / "progress.json").load().quiz == {}
    assert main(["progress", "--import", str(exported)]) == 0
    out = capsys.readouterr().out
    assert "quiz results: 2 added" in out and "kept at" in out
    assert len(ProgressStore(data_dir / "progress.json").load().quiz) == 2
    assert main(["progress", "--reset"]) == 0
    assert "Progress reset. The old progress is kept at" in capsys.readouterr().out


def test_progress_import_of_a_bad_file_reports_and_changes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, data_dir: Path
) -> None:
    bad = tmp_path / "future.json"
    bad.write_text(json.dumps({"version": 7}))
    assert main(["progress", "--import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "newer tutor" in err and "Nothing was imported" in err
    assert not (data_dir / "progress.json").exists()


def test_progress_reset_of_an_unknown_lesson_is_exit_two(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["progress", "--reset", "nope"]) == 2
    assert "no lesson 'nope'" in capsys.readouterr().err
