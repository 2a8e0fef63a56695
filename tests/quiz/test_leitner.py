"""The Leitner-box schedule, counted in review sessions."""

from __future__ import annotations

from tests.quiz.helpers import course
from tutor.progress import Progress, QuestionProgress
from tutor.quiz.leitner import (
    INTERVALS,
    is_due,
    pick_review,
    record_results,
    schedule,
    start_review_session,
)
from tutor.quiz.questions import lesson_questions
from tutor.quiz.session import QuestionResult


def result(correct: bool, attempts: int, key: str = "a/q") -> QuestionResult:
    return QuestionResult(key, "a", correct, attempts, 0)


def test_right_at_once_moves_up_a_box_and_comes_back_later() -> None:
    entry = schedule(QuestionProgress(box=2), result(True, 1), session=5)
    assert (entry.box, entry.due, entry.last_correct) == (3, 5 + INTERVALS[3], True)
    top = schedule(QuestionProgress(box=5), result(True, 1), session=1)
    assert top.box == 5


def test_right_at_the_second_try_stays_and_a_miss_drops_to_box_one() -> None:
    stays = schedule(QuestionProgress(box=3), result(True, 2), session=2)
    assert stays.box == 3
    missed = schedule(QuestionProgress(box=4, attempts=3, times_asked=2, times_correct=2),
                      result(False, 2), session=7)
    assert (missed.box, missed.due) == (1, 8)
    assert (missed.attempts, missed.times_asked, missed.times_correct) == (5, 3, 2)
    assert missed.last_correct is False


def test_a_missed_question_comes_back_next_session_a_known_one_does_not() -> None:
    progress = Progress()
    session = start_review_session(progress)
    record_results(progress, [result(False, 2, "a/missed"), result(True, 1, "a/known")])
    assert is_due(progress, "a/missed", session + 1)
    assert not is_due(progress, "a/known", session + 1)
    assert is_due(progress, "a/known", session + INTERVALS[2])
    assert not is_due(progress, "a/never", session + 100)


def test_review_is_mixed_capped_repeatable_and_takes_due_questions_first() -> None:
    questions = [q for lesson in course() for q in lesson_questions(lesson)]
    progress = Progress(review_sessions=10)
    due = [questions[3].key, questions[40].key]
    for key in due:
        progress.quiz[key] = QuestionProgress(box=1, due=10)
    for q in questions[:30]:
        progress.quiz.setdefault(q.key, QuestionProgress(box=4, due=30))
    picked = pick_review(questions, progress, 10, seed=1)
    assert len(picked) == 10
    assert {q.key for q in picked} >= set(due)
    never_asked = {q.key for q in questions[30:]} - set(due)
    assert sum(q.key in never_asked for q in picked) == 8, "then questions never asked"
    assert pick_review(questions, progress, 10, seed=1) == picked
    assert pick_review(questions, progress, 10, seed=2) != picked
    assert len({q.lesson_id for q in picked}) > 3, "mixed across the course"


def test_review_falls_back_to_the_soonest_due_when_nothing_else_is_left() -> None:
    questions = [q for lesson in course()[:2] for q in lesson_questions(lesson)]
    progress = Progress(review_sessions=1)
    for number, q in enumerate(questions):
        progress.quiz[q.key] = QuestionProgress(box=3, due=50 + number)
    picked = pick_review(questions, progress, 1, seed=0, size=2)
    assert {q.key for q in picked} == {questions[0].key, questions[1].key}
