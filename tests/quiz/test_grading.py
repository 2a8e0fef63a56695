"""Grading of every quiz kind, with feedback that says why."""

from __future__ import annotations

from typing import Any

import pytest

from tests.quiz.helpers import MULTIPLE, ORDER, SINGLE, TRUE_FALSE, course_question, question
from tutor.quiz.feedback import answer_lines, feedback_lines
from tutor.quiz.grading import Grade, Grader
from tutor.quiz.kinds import challenge
from tutor.quiz.kinds.challenge import Words
from tutor.quiz.kinds.choice import ChoiceKind, Picked
from tutor.quiz.kinds.order import OrderKind, OrderSpec
from tutor.quiz.kinds.predict import PredictSpec, StatusGuess
from tutor.quiz.questions import BadAnswer, Question, parse_answer
from tutor.repeater.challenges import ChallengeResult


def grade_choice(q: Question, answer: Picked) -> Grade:
    kind = q.quiz_kind
    assert isinstance(kind, ChoiceKind)
    return kind.grade_picked(q, answer)


def grade_order(q: Question, answer: Picked) -> Grade:
    kind = q.quiz_kind
    assert isinstance(kind, OrderKind)
    return kind.grade_picked(q, answer)


def order_answer(q: Question, items: list[str]) -> Picked:
    """The numbers to type to put `items` in that order."""
    return Picked(tuple(q.choices.index(item) for item in items))


def test_single_right_and_wrong() -> None:
    q = question(SINGLE)
    right = grade_choice(q, Picked((1,)))
    assert right.correct and right.summary == "Right."
    wrong = grade_choice(q, Picked((0,)))
    assert not wrong.correct
    lines = feedback_lines(q, wrong, settled=False)
    assert any("[wrong] 1. In localStorage: No: that is web storage." in line for line in lines)
    assert not any("jar" in line for line in lines), "a first miss must not give the answer"
    settled = feedback_lines(q, wrong, settled=True)
    assert any(line.startswith("  [missed] 2. In its cookie jar") for line in settled)


def test_true_false_has_feedback_for_the_chosen_option() -> None:
    q = question(TRUE_FALSE)
    grade = grade_choice(q, Picked((0,)))
    assert not grade.correct
    assert "[wrong] 1. True: No: it still sends it." in feedback_lines(q, grade, False)[1]
    assert grade_choice(q, Picked((1,))).correct


def test_multiple_partly_right_says_so_without_naming_the_missing_option() -> None:
    q = question(MULTIPLE)
    partial = grade_choice(q, Picked((0,)))
    assert not partial.correct
    assert partial.summary.startswith("Partly right") and "1 more" in partial.summary
    lines = feedback_lines(q, partial, settled=False)
    assert lines[1:] == ["  [right] 1. Deletes the row: Yes: the row goes."]
    mixed = grade_choice(q, Picked((0, 2)))
    assert not mixed.correct and "1 is wrong" in mixed.summary
    assert grade_choice(q, Picked((1, 0))).correct


def test_order_names_the_first_misplaced_item() -> None:
    q = question(ORDER)
    items = q.spec_as(OrderSpec).items
    assert q.choices != items and sorted(q.choices) == sorted(items)
    assert grade_order(q, order_answer(q, ["enter", "travel", "verify", "attach"])).correct
    grade = grade_order(q, order_answer(q, ["enter", "verify", "travel", "attach"]))
    assert not grade.correct and grade.placed == 1
    number = q.choices.index("verify") + 1
    assert f"item {number} ('verify') does not come second" in grade.summary
    reveal = answer_lines(q)
    assert reveal[1:] == ["  1. enter", "  2. travel", "  3. verify", "  4. attach"]


@pytest.mark.parametrize(("line", "problem"), [
    ("", "Type an answer"), ("x", "not a list of option numbers"), ("4", "no option 4"),
    ("0", "no option 0"), ("1,1", "only once"), ("1,2", "exactly one"),
])
def test_bad_single_answers_are_explained(line: str, problem: str) -> None:
    answer = parse_answer(question(SINGLE), line)
    assert isinstance(answer, BadAnswer) and problem in answer.message


def test_order_answer_must_use_every_item() -> None:
    answer = parse_answer(question(ORDER), "1,2")
    assert isinstance(answer, BadAnswer) and "all 4 items" in answer.message
    assert parse_answer(question(ORDER), " 4, 3 2,1 ") == Picked((3, 2, 1, 0))


def test_status_answers_are_three_digits() -> None:
    q = course_question("session-cookies/replay-after-logout")
    assert parse_answer(q, "401") == StatusGuess(401)
    for bad in ("40", "4011", "abc", "700", "099"):
        assert isinstance(parse_answer(q, bad), BadAnswer)


async def test_predict_runs_the_scene_live_and_reports_the_real_response() -> None:
    q = course_question("session-cookies/replay-after-logout")
    grader = Grader()
    right = await grader.grade(q, StatusGuess(401))
    assert right.correct and right.live is not None
    live = right.live
    assert (live.method, live.url, live.status) == ("GET", "https://bank.test/profile", 401)
    assert dict(live.request_headers)["cookie"].startswith("__Host-sid=")
    assert "www-authenticate" in dict(live.response_headers)
    assert "session id is unknown" in live.body
    wrong = await grader.grade(q, StatusGuess(200))
    assert not wrong.correct and wrong.live is not None and wrong.live.status == 401
    assert "Not 200" in wrong.summary
    before = feedback_lines(q, wrong, settled=False)
    assert not any("401" in line for line in before), "the first miss keeps the proof back"
    after = feedback_lines(q, wrong, settled=True)
    # A cookie did come (replayed after logout): "no valid credential came" was untrue.
    assert ("  response 401 (Unauthorized: the credential that came with the request was not "
            "accepted (expired, ended, revoked or forged))") in after


async def test_predict_with_a_track_runs_that_track() -> None:
    q = course_question("logout-revocation/compared-jwt-replay")
    assert q.spec_as(PredictSpec).track == "jwt"
    grade = await Grader().grade(q, StatusGuess(401))
    assert not grade.correct and grade.live is not None
    assert grade.live.status == 200, "the cookie track would answer 401; this is the jwt one"
    assert dict(grade.live.request_headers)["authorization"].startswith("Bearer ")
    assert "jwt track, step 4" in feedback_lines(q, grade, settled=True)[1]


async def test_predict_whose_scene_is_missing_is_left_out_not_crashed() -> None:
    q = question("""
id: ghost
kind: predict
question: What happens?
scene: nowhere
step: 0
answer: 200
""")
    grade = await Grader().grade(q, StatusGuess(200))
    assert grade.unavailable and "no scene 'nowhere'" in grade.summary


CHALLENGE = """
id: forge
kind: challenge
question: Get a 200 from /admin with an alg none token.
goal: {path: /admin, status: 200}
solution: ["curl -H 'Authorization: Bearer eyJ...' http://bank.test/admin"]
"""


class FakeRun:
    """Stands for the challenge server: counts lines, accepts one that names /admin."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    async def attempt_line(self, line: str) -> ChallengeResult:
        self.lines.append(line)
        passed = "admin" in line
        return ChallengeResult(passed, f"the server answered {200 if passed else 401}")


async def test_challenge_lines_go_to_the_questions_run(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_run(question: Question, state: dict[str, Any]) -> FakeRun:
        run: FakeRun = state.setdefault("fake", FakeRun())
        return run

    monkeypatch.setattr(challenge, "challenge_run", fake_run)
    grader = Grader()
    q = question(CHALLENGE)
    first = await grader.grade(q, Words("curl http://bank.test/profile"))
    second = await grader.grade(q, Words("curl http://bank.test/admin"))
    assert not first.correct and first.detail == "the server answered 401"
    assert second.correct and second.summary.startswith("Goal reached")
    assert grader.state(q)["fake"].lines == ["curl http://bank.test/profile",
                                             "curl http://bank.test/admin"], \
        "state is kept between lines of one challenge"
    assert answer_lines(q)[1].startswith("  curl -H")
