"""Questions built from small quiz blocks, and the real course."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from tutor.lessons.course import load_course
from tutor.lessons.model import Lesson, LessonMeta, QuizBlock
from tutor.quiz.kinds import KINDS
from tutor.quiz.questions import Question, lesson_questions, make_question

COURSE = Path(__file__).resolve().parents[2] / "lessons"

SINGLE = """
id: where
kind: single
question: Where does the browser keep a session cookie?
hints: [Think of what the browser sends without any script., It has a jar.]
options:
  - {text: In localStorage, feedback: "No: that is web storage."}
  - {text: In its cookie jar, correct: true, feedback: "Yes: the jar."}
  - {text: In the URL, feedback: "No: that would leak it."}
"""
MULTIPLE = """
id: logout
kind: multiple
question: What does logout do?
options:
  - {text: Deletes the row, correct: true, feedback: "Yes: the row goes."}
  - {text: Expires the cookie, correct: true, feedback: "Yes: Max-Age=0."}
  - {text: Keeps old copies working, feedback: "No: the row is gone."}
"""
TRUE_FALSE = """
id: idle
kind: true_false
question: The browser deletes the cookie after the idle timeout.
options:
  - {text: "True", feedback: "No: it still sends it."}
  - {text: "False", correct: true, feedback: "Right: the server decides."}
"""
ORDER = """
id: steps
kind: order
question: Put the login in order.
items: [enter, travel, verify, attach]
"""


def question(text: str, lesson_id: str = "demo") -> Question:
    """One question from a quiz block's YAML."""
    data: dict[str, Any] = yaml.safe_load(text)
    meta = LessonMeta(lesson_id, "Demo", "A demo.", 1, "beginner", 1)
    quiz = QuizBlock(data["id"], 1, KINDS.parse(data))
    return make_question(Lesson(meta, (quiz,)), quiz)


@cache
def course() -> tuple[Lesson, ...]:
    """The shipped course, parsed once per test run."""
    lessons, errors = load_course(COURSE, KINDS)
    assert not errors, errors
    return tuple(lessons)


def course_lesson(lesson_id: str) -> Lesson:
    return next(lesson for lesson in course() if lesson.meta.id == lesson_id)


def course_question(key: str) -> Question:
    lesson_id, _, quiz_id = key.partition("/")
    return next(q for q in lesson_questions(course_lesson(lesson_id)) if q.quiz.id == quiz_id)
