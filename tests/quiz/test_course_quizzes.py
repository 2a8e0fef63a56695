"""The shipped course has the quizzes the tutor promises, and every predict answer is
what the live server really says."""

from __future__ import annotations

import pytest

from tests.quiz.helpers import course
from tutor.lessons.model import QuizBlock, SceneBlock
from tutor.lessons.parser import parse_lesson
from tutor.quiz.grading import Grader
from tutor.quiz.kinds import KINDS
from tutor.quiz.kinds.predict import PredictSpec, StatusGuess
from tutor.quiz.questions import lesson_questions

MIN_PER_LESSON = 3
MIN_IN_COURSE = 45
MIN_PREDICT_SHARE = 0.3


@pytest.mark.parametrize("lesson_id", [lesson.meta.id for lesson in course()])
def test_every_lesson_ends_with_at_least_three_questions(lesson_id: str) -> None:
    lesson = next(lesson for lesson in course() if lesson.meta.id == lesson_id)
    last_scene = max(i for i, s in enumerate(lesson.segments) if isinstance(s, SceneBlock))
    closing = [s for s in lesson.segments[last_scene + 1:] if isinstance(s, QuizBlock)]
    assert len(closing) >= MIN_PER_LESSON, f"{lesson_id}: {len(closing)} closing questions"
    assert any(q.kind == "predict" for q in lesson.quizzes), f"{lesson_id}: no predict"


def test_the_course_has_enough_questions_and_a_good_share_of_predict() -> None:
    quizzes = [q for lesson in course() for q in lesson.quizzes]
    predict = [q for q in quizzes if q.kind == "predict"]
    assert len(quizzes) >= MIN_IN_COURSE
    assert len(predict) / len(quizzes) >= MIN_PREDICT_SHARE, f"{len(predict)}/{len(quizzes)}"
    assert len({f"{lesson.meta.id}/{q.id}" for lesson in course() for q in lesson.quizzes}) \
        == len(quizzes), "question keys are unique"


async def test_every_predict_question_is_right_about_the_live_server() -> None:
    grader = Grader()
    checked = 0
    for lesson in course():
        for question in lesson_questions(lesson):
            if question.kind != "predict":
                continue
            answer = question.spec_as(PredictSpec).answer
            grade = await grader.grade(question, StatusGuess(answer))
            assert grade.correct, f"{question.key}: {grade.summary}"
            assert grade.live is not None and grade.live.status == answer
            checked += 1
    assert checked >= MIN_IN_COURSE * MIN_PREDICT_SHARE


def test_predict_feedback_must_be_text() -> None:
    text = """---
id: x
title: X
summary: X.
order: 1
level: beginner
minutes: 1
format_version: 1
---

# X

```scene
id: s
steps:
  - login: {}
```

```quiz
id: q
kind: predict
question: What?
scene: s
step: 0
answer: 303
feedback: [not, text]
```
"""
    _, errors = parse_lesson(text, quiz_kinds=KINDS)
    assert any("feedback must be text" in e.message for e in errors)
