"""Which questions a quiz asks: every question of the named lessons, or a review."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tutor.lessons.model import Lesson
from tutor.progress import Progress
from tutor.quiz.leitner import pick_review, start_review_session
from tutor.quiz.questions import Question, lesson_questions

REVIEW_SIZE = 10


@dataclass(frozen=True)
class QuizPlan:
    """The questions of one quiz run, and what to call it."""

    title: str
    questions: tuple[Question, ...]
    session: int
    """The review-session number this run counts as."""


def plan_quiz(lessons: Sequence[Lesson], lesson_ids: Sequence[str], progress: Progress,
              seed: int | None = None) -> QuizPlan:
    """Start a review session in `progress` and choose its questions.

    With lesson ids: every question of those lessons, in lesson order. Without: a mixed
    cookie-versus-JWT review from the whole course, due questions first.
    """
    wanted = list(dict.fromkeys(lesson_ids))
    by_id = {lesson.meta.id: lesson for lesson in lessons}
    chosen = [by_id[i] for i in wanted if i in by_id] if wanted else list(lessons)
    questions = [q for lesson in chosen for q in lesson_questions(lesson)]
    session = start_review_session(progress)
    if not wanted:
        questions = pick_review(questions, progress, session,
                                seed if seed is not None else session, REVIEW_SIZE)
        title = "a cookie-versus-JWT review"
    else:
        # Titles, as the catalogue names lessons: ids are for files and the command line.
        title = ", ".join(lesson.meta.title for lesson in chosen)
    return QuizPlan(title, tuple(questions), session)
