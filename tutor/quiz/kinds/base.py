"""The one protocol every quiz kind implements, and what kinds share: questions, answers.

A kind is one module under tutor/quiz/kinds/ holding a `QuizKind`: it parses its block
to a typed spec, builds the question, reads a typed answer from a line of text (the plain
front end), grades it, words its feedback and its instructions, and checks its own claims
for `tutor lint`. The registry (tutor/quiz/kinds/__init__.py) is the only list of kinds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from tutor.lessons.model import Lesson, QuizBlock
from tutor.lessons.quizspec import LessonRun, QuizSpec, SpecProblem

if TYPE_CHECKING:
    from tutor.quiz.grading import Grade

SpecT = TypeVar("SpecT", bound=QuizSpec)
AnswerT = TypeVar("AnswerT", bound="Answer")
LIMITED_RETRY = "Try once more (h for a hint)."
"""What a learner is told after a first miss of a question with a limited number of tries."""


@dataclass(frozen=True)
class Answer:
    """A typed answer; each kind defines its own (option numbers, a status, a command)."""


@dataclass(frozen=True)
class BadAnswer:
    """An answer that cannot be graded; it does not use up an attempt."""

    message: str


@dataclass(frozen=True)
class Question:
    """One quiz block, ready to ask."""

    lesson_id: str
    quiz: QuizBlock
    quiz_kind: QuizKind = field(compare=False, repr=False)
    """The kind that asks, reads and grades it."""
    choices: tuple[str, ...] = ()
    """What is listed with numbers, in the order shown (options, or shuffled items)."""

    @property
    def key(self) -> str:
        """`lesson-id/quiz-id`: how progress remembers the question."""
        return f"{self.lesson_id}/{self.quiz.id}"

    @property
    def kind(self) -> str:
        """The kind's name (single, order, predict, ...)."""
        return self.quiz.kind

    @property
    def spec(self) -> QuizSpec:
        """The block's typed spec."""
        return self.quiz.spec

    @property
    def prompt(self) -> str:
        """The question text."""
        return self.spec.question

    @property
    def hints(self) -> tuple[str, ...]:
        """Hints, revealed one at a time."""
        return self.spec.hints

    @property
    def explanation(self) -> str:
        """Shown once the question is settled (may be empty)."""
        return self.spec.explanation

    def spec_as(self, spec_type: type[SpecT]) -> SpecT:
        """The spec as the kind's own type (a kind asking for another's is a bug)."""
        spec = self.spec
        if not isinstance(spec, spec_type):
            raise TypeError(f"{self.key} has a {type(spec).__name__}, not a "
                            f"{spec_type.__name__}")
        return spec


class QuizKind(Protocol):
    """One kind of quiz question, from the lesson's block to the feedback."""

    @property
    def name(self) -> str:
        """What lessons write after `kind:`."""
        ...

    @property
    def label(self) -> str:
        """How the kind is named to the learner ("one answer", "put in order")."""
        ...

    @property
    def limited_tries(self) -> bool:
        """True when a second miss settles the question (a challenge takes any number)."""
        ...

    @property
    def retry_prompt(self) -> str:
        """What to say after a miss that leaves another try."""
        ...

    def parse_spec(self, data: Mapping[str, Any]) -> QuizSpec:
        """The block's typed spec, or `QuizSpecError` naming every problem's key path."""
        ...

    def question(self, lesson: Lesson, quiz: QuizBlock) -> Question:
        """The question for one of the lesson's blocks of this kind."""
        ...

    def instructions(self, question: Question) -> str:
        """How to answer with a line of text, in one line."""
        ...

    def parse_answer(self, question: Question, text: str) -> Answer | BadAnswer:
        """Read a stripped, non-empty answer line, or say what is wrong with it."""
        ...

    async def grade(self, question: Question, answer: Answer, state: dict[str, Any]) -> Grade:
        """The verdict; `state` is this question's memory across attempts (a live run)."""
        ...

    def feedback(self, question: Question, grade: Grade, settled: bool) -> list[str]:
        """The kind's lines between the summary and the explanation, limited to what may
        be said yet (a first miss never gives the answer away)."""
        ...

    def answer_lines(self, question: Question) -> list[str]:
        """The right answer, for after the last miss or a skip."""
        ...

    async def check(self, quiz: QuizBlock, run: LessonRun) -> list[SpecProblem]:
        """`tutor lint`'s check of the block against the running course."""
        ...


def expect_answer(answer: Answer, answer_type: type[AnswerT]) -> AnswerT:
    """The answer as the kind's own type (its `parse_answer` made it)."""
    if not isinstance(answer, answer_type):
        raise TypeError(f"expected {answer_type.__name__}, got {type(answer).__name__}")
    return answer


def read_numbers(text: str, count: int) -> list[int] | BadAnswer:
    """1-based numbers typed with commas or spaces, each from 1 to `count` and once only."""
    parts = [p.strip() for p in re.split(r"[,\s]+", text) if p.strip()]
    if not all(p.isdigit() for p in parts):
        return BadAnswer(f"{text!r} is not a list of option numbers: type numbers from 1 "
                         f"to {count}, separated by commas.")
    numbers = [int(p) for p in parts]
    outside = [n for n in numbers if not 1 <= n <= count]
    if outside:
        return BadAnswer(f"There is no option {outside[0]}: the options are 1 to {count}.")
    if len(set(numbers)) != len(numbers):
        return BadAnswer("Each number may appear only once.")
    return numbers
