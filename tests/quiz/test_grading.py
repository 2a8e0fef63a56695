"""Grading of every quiz kind, with feedback that says why."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

import pytest

from tests.quiz.helpers import MULTIPLE, ORDER, SINGLE, TRUE_FALSE, course_question, question
from tutor.quiz.feedback import answer_lines, feedback_lines
from tutor.quiz.grading import Grader, grade_choice, grade_order, load_challenge_grader
from tutor.quiz.questions import (
    BadAnswer,
    Picked,
    Question,
    StatusGuess,
    Words,
    parse_answer,
)


def order_answer(q: Question, items: list[str]) -> Picked:
    """The numbers to type to put `items` in that order."""
    return Picked(tuple(q.shown_items.index(item) for item in items))


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
    assert q.shown_items != q.items and sorted(q.shown_items) == sorted(q.items)
    assert grade_order(q, order_answer(q, ["enter", "travel", "verify", "attach"])).correct
    grade = grade_order(q, order_answer(q, ["enter", "verify", "travel", "attach"]))
    assert not grade.correct and grade.placed == 1
    number = q.shown_items.index("verify") + 1
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
    assert "  response 401 (Unauthorized: no valid credential came with the request)" in after


async def test_predict_with_a_track_runs_that_track() -> None:
    q = course_question("logout-revocation/compared-jwt-replay")
    assert q.quiz.data["track"] == "jwt"
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
solution: "curl -H 'Authorization: Bearer eyJ...' http://bank.test/admin"
"""


async def test_challenge_lines_go_to_the_repeater_with_their_state() -> None:
    calls: list[tuple[str, dict[str, Any]]] = []

    def fake(quiz: Mapping[str, Any], line: str, state: dict[str, Any]) -> tuple[bool, str]:
        state["lines"] = state.get("lines", 0) + 1
        calls.append((line, state))
        return "admin" in line, f"the server answered {200 if 'admin' in line else 401}"

    grader = Grader(challenge_grader=lambda: fake)
    q = question(CHALLENGE)
    first = await grader.grade(q, Words("curl http://bank.test/profile"))
    second = await grader.grade(q, Words("curl http://bank.test/admin"))
    assert not first.correct and first.detail == "the server answered 401"
    assert second.correct and second.summary.startswith("Goal reached")
    assert calls[1][1] == {"lines": 2}, "state is kept between lines of one challenge"
    assert answer_lines(q)[1].startswith("  curl -H")


async def test_challenge_without_the_repeater_is_left_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "tutor.repeater.challenges", None)  # as if absent
    assert load_challenge_grader() is None
    grade = await Grader().grade(question(CHALLENGE), Words("curl http://bank.test/"))
    assert grade.unavailable and "Repeater" in grade.summary
