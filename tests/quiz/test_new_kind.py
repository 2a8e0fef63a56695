"""Adding a quiz kind is one module: a tiny "yesno" kind, defined here and nowhere in the
tutor, goes from a lesson's block through parsing, lint, a question, typed answers and
grades to the plain `tutor quiz` transcript and the learner's progress."""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tutor.cli.quiz import _play_plain
from tutor.lessons.lint import lint_paths
from tutor.lessons.model import Lesson, QuizBlock
from tutor.lessons.parser import parse_lesson
from tutor.lessons.quizspec import (
    LessonRun,
    QuizSpec,
    QuizSpecError,
    SpecProblem,
    parse_common,
)
from tutor.progress_store import ProgressStore
from tutor.quiz.grading import Grade, Grader
from tutor.quiz.kinds import KINDS
from tutor.quiz.kinds.base import LIMITED_RETRY, Answer, BadAnswer, Question, expect_answer
from tutor.quiz.questions import lesson_questions, parse_answer
from tutor.quiz.session import QuizSession

# --- the whole kind: what a new module under tutor/quiz/kinds/ would hold ----------------


@dataclass(frozen=True)
class YesNoSpec(QuizSpec):
    answer: bool


@dataclass(frozen=True)
class Said(Answer):
    yes: bool


@dataclass(frozen=True)
class YesNoKind:
    name: str = "yesno"
    label: str = "yes or no"
    limited_tries: bool = True
    retry_prompt: str = LIMITED_RETRY

    def parse_spec(self, data: Mapping[str, Any]) -> YesNoSpec:
        common, problems = parse_common(data, self.name, {"answer"})
        if not isinstance(data.get("answer"), bool):
            problems.append(SpecProblem("answer", "answer must be yes or no"))
        if problems:
            raise QuizSpecError(problems)
        return YesNoSpec(common.kind, common.question, common.hints, common.explanation,
                         bool(data["answer"]))

    def question(self, lesson: Lesson, quiz: QuizBlock) -> Question:
        return Question(lesson.meta.id, quiz, self)

    def instructions(self, question: Question) -> str:
        return "Answer yes or no."

    def parse_answer(self, question: Question, text: str) -> Said | BadAnswer:
        word = text.lower()
        if word not in ("yes", "no"):
            return BadAnswer(f"{text!r}: type yes or no.")
        return Said(word == "yes")

    async def grade(self, question: Question, answer: Answer, state: dict[str, Any]) -> Grade:
        right = expect_answer(answer, Said).yes == question.spec_as(YesNoSpec).answer
        return Grade(right, "Right." if right else "Not right.")

    def feedback(self, question: Question, grade: Grade, settled: bool) -> list[str]:
        return []

    def answer_lines(self, question: Question) -> list[str]:
        return [f"The answer: {'yes' if question.spec_as(YesNoSpec).answer else 'no'}."]

    async def check(self, quiz: QuizBlock, run: LessonRun) -> list[SpecProblem]:
        return []


WITH_YESNO = KINDS.with_kind(YesNoKind())

LESSON = """\
---
id: demo
title: Demo
summary: A demo.
order: 1
level: beginner
minutes: 1
format_version: 1
---

# Demo

```quiz
id: stateless
kind: yesno
question: Is HTTP stateless?
explanation: Each request stands alone; cookies add the memory.
answer: {answer}
```

## Sources

- RFC 9110 §3.3: HTTP's requests stand alone.
"""


def test_the_kind_parses_to_a_typed_spec_and_reports_where() -> None:
    lesson, errors = parse_lesson(LESSON.format(answer="yes"), "demo.md",
                                  quiz_kinds=WITH_YESNO)
    assert errors == [] and lesson is not None
    assert lesson.quizzes[0].spec == YesNoSpec(
        "yesno", "Is HTTP stateless?", (), "Each request stands alone; cookies add the "
        "memory.", True)
    _, errors = parse_lesson(LESSON.format(answer="maybe"), "demo.md", quiz_kinds=WITH_YESNO)
    assert [str(e) for e in errors] == [
        "demo.md:18:1: quiz stateless: answer: answer must be yes or no"]
    _, errors = parse_lesson(LESSON.format(answer="yes"), "demo.md", quiz_kinds=KINDS)
    assert "kind must be one of single, multiple" in str(errors[0])
    assert "yesno" not in str(errors[0]), "the shipped registry does not know it"


def test_lint_asks_the_kind(tmp_path: Path) -> None:
    path = tmp_path / "01-demo.md"
    path.write_text(LESSON.format(answer="no"), encoding="utf-8")
    assert lint_paths([path], WITH_YESNO) == []


async def test_parse_question_answer_grade() -> None:
    lesson, _ = parse_lesson(LESSON.format(answer="yes"), quiz_kinds=WITH_YESNO)
    assert lesson is not None
    (question,) = lesson_questions(lesson, WITH_YESNO)
    assert question.quiz_kind.label == "yes or no"
    assert isinstance(parse_answer(question, "perhaps"), BadAnswer)
    answer = parse_answer(question, " YES ")
    assert answer == Said(True)
    grade = await Grader().grade(question, answer)
    assert grade.correct and grade.summary == "Right."


async def test_the_plain_quiz_asks_it_and_progress_keeps_it(tmp_path: Path) -> None:
    lesson, _ = parse_lesson(LESSON.format(answer="yes"), quiz_kinds=WITH_YESNO)
    assert lesson is not None
    store = ProgressStore(tmp_path / "progress.json")
    progress = store.load()
    session = QuizSession(lesson_questions(lesson, WITH_YESNO))
    out = io.StringIO()
    await _play_plain(session, "lesson demo", store, progress, io.StringIO("perhaps\nno\nyes\n"),
                      out)
    lines = out.getvalue().splitlines()
    assert "Question 1 of 1 (yes or no, lesson demo):" in lines
    assert "Answer yes or no. (s to skip)" in lines
    assert "'perhaps': type yes or no." in lines
    assert lines[lines.index("> no") + 1:lines.index("> yes")] == [
        "Not right.", "Try once more (h for a hint)."]
    assert "Each request stands alone; cookies add the memory." in lines
    assert lines[-1] == "score: 0/1", "right at the second try: not a first try"
    saved = ProgressStore(tmp_path / "progress.json").load().quiz["demo/stateless"]
    assert saved.attempts == 2 and saved.last_correct
