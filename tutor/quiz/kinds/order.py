"""order: items written in the right order, shown shuffled; the learner puts them back."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tutor.lessons.model import Lesson, QuizBlock
from tutor.lessons.quizspec import (
    LessonRun,
    QuizSpec,
    QuizSpecError,
    SpecProblem,
    is_text,
    parse_common,
)
from tutor.quiz.grading import Grade
from tutor.quiz.kinds.base import (
    LIMITED_RETRY,
    Answer,
    BadAnswer,
    Question,
    expect_answer,
    read_numbers,
)
from tutor.quiz.kinds.choice import Picked


@dataclass(frozen=True)
class OrderSpec(QuizSpec):
    """The items in the correct order."""

    items: tuple[str, ...]


def shuffled_items(key: str, items: tuple[str, ...]) -> tuple[str, ...]:
    """The items in a repeatable shuffled order that is never already the answer."""
    shown = list(items)
    random.Random(key).shuffle(shown)  # a string seed is stable across runs
    if tuple(shown) == items and len(items) > 1:
        shown = shown[1:] + shown[:1]
    return tuple(shown)


@dataclass(frozen=True)
class OrderKind:
    """Put the shown items in order; the grade names the first misplaced one."""

    name: str = "order"
    label: str = "put in order"
    limited_tries: bool = True
    retry_prompt: str = LIMITED_RETRY

    def parse_spec(self, data: Mapping[str, Any]) -> OrderSpec:
        common, problems = parse_common(data, self.name, {"items"})
        items = data.get("items")
        if not isinstance(items, list) or len(items) < 2 or not all(is_text(i) for i in items):
            problems.append(SpecProblem("items", "an order quiz lists at least two `items`, "
                                        "in the correct order"))
        elif len(set(items)) != len(items):
            problems.append(SpecProblem("items", "items must all differ"))
        if problems:
            raise QuizSpecError(problems)
        assert isinstance(items, list)
        return OrderSpec(common.kind, common.question, common.hints, common.explanation,
                         tuple(str(i) for i in items))

    def question(self, lesson: Lesson, quiz: QuizBlock) -> Question:
        spec = quiz.spec
        assert isinstance(spec, OrderSpec)
        key = f"{lesson.meta.id}/{quiz.id}"
        return Question(lesson.meta.id, quiz, self, shuffled_items(key, spec.items))

    def instructions(self, question: Question) -> str:
        count = len(question.choices)
        return (f"Answer with all {count} item numbers in the right order, separated by "
                "commas (for example " + ",".join(str(n) for n in range(count, 0, -1)) + ").")

    def parse_answer(self, question: Question, text: str) -> Picked | BadAnswer:
        count = len(question.choices)
        numbers = read_numbers(text, count)
        if isinstance(numbers, BadAnswer):
            return numbers
        if len(numbers) != count:
            return BadAnswer(f"Put all {count} items in order: type each number 1 to {count} "
                             "once.")
        return Picked(tuple(n - 1 for n in numbers))

    async def grade(self, question: Question, answer: Answer, state: dict[str, Any]) -> Grade:
        return self.grade_picked(question, expect_answer(answer, Picked))

    def grade_picked(self, question: Question, answer: Picked) -> Grade:
        """Right only if every item is in its place; names the first misplaced one."""
        shown = question.choices
        given = [shown[i] for i in answer.indexes]
        expected = list(question.spec_as(OrderSpec).items)
        placed = next((i for i, (a, b) in enumerate(zip(given, expected, strict=True))
                       if a != b), len(expected))
        if placed == len(expected):
            return Grade(True, "Right: every step is in its place.", placed=placed)
        number = shown.index(given[placed]) + 1
        lead = (f"The first {placed} {'is' if placed == 1 else 'are'} in place, but"
                if placed else "Not right:")
        return Grade(False, f"{lead} item {number} ({given[placed]!r}) does not come "
                     f"{_ordinal(placed + 1)}.", placed=placed)

    def feedback(self, question: Question, grade: Grade, settled: bool) -> list[str]:
        return []

    def answer_lines(self, question: Question) -> list[str]:
        items = question.spec_as(OrderSpec).items
        numbers = ",".join(str(question.choices.index(item) + 1) for item in items)
        return [f"The right order ({numbers}):", *(f"  {i + 1}. {item}"
                                                   for i, item in enumerate(items))]

    async def check(self, quiz: QuizBlock, run: LessonRun) -> list[SpecProblem]:
        return []


def _ordinal(n: int) -> str:
    return {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth",
            7: "seventh", 8: "eighth"}.get(n, f"at position {n}")


ORDER = OrderKind()
