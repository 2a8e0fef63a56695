"""QuizSession rules: hints in order, a retry, the answer after two misses, the score."""

from __future__ import annotations

from tests.quiz.helpers import MULTIPLE, ORDER, SINGLE, TRUE_FALSE, question
from tutor.quiz.grading import Grader
from tutor.quiz.session import (
    AnswerGraded,
    AnswerRejected,
    AnswerRevealed,
    HintShown,
    QuestionShown,
    QuestionUnavailable,
    QuizEvent,
    QuizFinished,
    QuizSession,
    submit,
)


def kinds(events: list[QuizEvent]) -> list[str]:
    return [type(e).__name__ for e in events]


def make_session() -> QuizSession:
    return QuizSession([question(SINGLE), question(MULTIPLE), question(TRUE_FALSE)])


async def test_right_at_once_moves_on() -> None:
    session = make_session()
    first = session.start()
    assert isinstance(first[0], QuestionShown) and (first[0].number, first[0].total) == (1, 3)
    events = await submit(session, Grader(), "2")
    assert kinds(events) == ["AnswerGraded", "QuestionShown"]
    graded = events[0]
    assert isinstance(graded, AnswerGraded) and graded.settled and graded.attempt == 1


async def test_hints_come_one_at_a_time_in_order_and_cost_no_attempt() -> None:
    session = make_session()
    session.start()
    grader = Grader()
    shown = [await submit(session, grader, word) for word in ("h", "HINT", "h")]
    hints = [events[0] for events in shown]
    assert all(isinstance(h, HintShown) for h in hints)
    assert [(h.number, h.remaining) for h in hints if isinstance(h, HintShown)] == [
        (1, 1), (2, 0), (2, 0)]
    assert [h.text for h in hints if isinstance(h, HintShown)] == [
        "Think of what the browser sends without any script.", "It has a jar.", ""]
    assert session.attempts == 0
    await submit(session, grader, "2")
    assert session.results[0].hints_used == 2 and session.results[0].correct


async def test_a_miss_gets_a_retry_then_the_answer_after_the_second() -> None:
    session = make_session()
    session.start()
    grader = Grader()
    first = await submit(session, grader, "1")
    assert kinds(first) == ["AnswerGraded"]
    assert isinstance(first[0], AnswerGraded) and not first[0].settled
    second = await submit(session, grader, "3")
    assert kinds(second) == ["AnswerGraded", "AnswerRevealed", "QuestionShown"]
    revealed = second[1]
    assert isinstance(revealed, AnswerRevealed)
    assert revealed.lines[0] == "The answer: 2. In its cookie jar"
    result = session.results[0]
    assert (result.correct, result.attempts, result.first_try) == (False, 2, False)


async def test_right_at_the_second_try_counts_but_not_as_first_try() -> None:
    session = make_session()
    session.start()
    grader = Grader()
    for line in ("1", "2", "1", "1,2", "2"):
        await submit(session, grader, line)
    assert session.finished
    assert [r.correct for r in session.results] == [True, True, True]
    assert [r.attempts for r in session.results] == [2, 2, 1]
    score = session.score
    # The score counts first tries only: two right after a miss do not make "3/3".
    assert (score.correct, score.answered, score.first_try, str(score)) == (3, 3, 1, "1/3")
    assert score.summary() == "1 of 3 right at the first try; 2 more at the second."


async def test_bad_answers_do_not_use_an_attempt() -> None:
    session = make_session()
    session.start()
    grader = Grader()
    for line in ("9", "abc", "", "1,2"):
        events = await submit(session, grader, line)
        assert kinds(events) == ["AnswerRejected"]
        assert isinstance(events[0], AnswerRejected) and events[0].message
    assert session.attempts == 0 and session.index == 0


async def test_skip_counts_as_missed_and_shows_the_answer() -> None:
    session = QuizSession([question(ORDER)])
    session.start()
    events = await submit(session, Grader(), "s")
    assert kinds(events) == ["AnswerRevealed", "QuizFinished"]
    assert session.results[0].skipped and not session.results[0].correct
    finished = events[-1]
    assert isinstance(finished, QuizFinished) and str(finished.score) == "0/1"


async def test_stop_counts_the_questions_not_answered_as_missed() -> None:
    session = make_session()
    session.start()
    await submit(session, Grader(), "2")
    await submit(session, Grader(), "1")  # a first miss on question 2: not settled
    finished = session.stop()
    # Before: "1/1", as if a three-question quiz had one question.
    assert str(finished.score) == "1/3" and session.finished and session.current is None
    assert finished.score.unanswered == 2
    assert "2 questions not answered, counted as missed" in finished.score.summary()
    assert await submit(session, Grader(), "1") == []


async def test_unavailable_questions_are_left_out_of_the_score() -> None:
    ghost = question("{id: ghost, kind: predict, question: 'Q?', scene: none, step: 0, "
                     "answer: 200}")
    session = QuizSession([ghost, question(TRUE_FALSE)])
    session.start()
    events = await submit(session, Grader(), "200")
    assert kinds(events) == ["QuestionUnavailable", "QuestionShown"]
    assert isinstance(events[0], QuestionUnavailable)
    await submit(session, Grader(), "2")
    assert str(session.score) == "1/1"


def test_an_empty_quiz_finishes_at_once() -> None:
    events = QuizSession([]).start()
    assert kinds(events) == ["QuizFinished"]
