"""single, multiple and true_false: options with a right or wrong mark and feedback each.

The three differ only in how many options may be right and how many are listed, so they
are one class with three instances.
"""

from __future__ import annotations

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
from tutor.quiz.grading import Grade, OptionVerdict
from tutor.quiz.kinds.base import (
    LIMITED_RETRY,
    Answer,
    BadAnswer,
    Question,
    expect_answer,
    read_numbers,
)
from tutor.suggest import unknown_key_message

OPTION_KEYS = {"text", "correct", "feedback"}


@dataclass(frozen=True)
class Option:
    """One option, as written."""

    text: str
    correct: bool
    feedback: str


@dataclass(frozen=True)
class ChoiceSpec(QuizSpec):
    """A choice question: its options, as written."""

    options: tuple[Option, ...]


@dataclass(frozen=True)
class Picked(Answer):
    """Option or item numbers (0-based here, 1-based on screen), in the order given."""

    indexes: tuple[int, ...]


@dataclass(frozen=True)
class ChoiceKind:
    """single (one right option), multiple (one or more), true_false (one of two)."""

    name: str
    label: str
    one_right: bool
    """Exactly one option is right, and one is picked."""
    two_options: bool = False
    limited_tries: bool = True
    retry_prompt: str = LIMITED_RETRY

    def parse_spec(self, data: Mapping[str, Any]) -> ChoiceSpec:
        common, problems = parse_common(data, self.name, {"options"})
        options = self._options(data.get("options"), problems)
        if problems:
            raise QuizSpecError(problems)
        return ChoiceSpec(common.kind, common.question, common.hints, common.explanation,
                          options)

    def _options(self, options: Any, problems: list[SpecProblem]) -> tuple[Option, ...]:
        if not isinstance(options, list) or len(options) < 2:
            problems.append(SpecProblem("options", "a choice quiz needs at least two "
                                        "`options`"))
            return ()
        parsed: list[Option] = []
        for index, option in enumerate(options):
            path = f"options[{index}]"
            if not isinstance(option, Mapping):
                problems.append(SpecProblem(path, "an option is a mapping with text, correct "
                                            "and feedback"))
                continue
            for key in option:
                if key not in OPTION_KEYS:
                    problems.append(SpecProblem(f"{path}.{key}", unknown_key_message(
                        "option", str(key), OPTION_KEYS)))
            if not is_text(option.get("text")):
                problems.append(SpecProblem(path, "an option needs `text`"))
            feedback = option.get("feedback")
            if isinstance(feedback, bool):
                problems.append(SpecProblem(f"{path}.feedback", "feedback must be text: quote "
                                            "it, since YAML reads yes/no/on/off as true/false"))
            elif not is_text(feedback):
                problems.append(SpecProblem(path, "every option needs `feedback` saying why "
                                            "it is right or wrong"))
            correct = option.get("correct", False)
            if not isinstance(correct, bool):
                problems.append(SpecProblem(f"{path}.correct", "correct must be true or false"))
                correct = False
            parsed.append(Option(str(option.get("text", "")), correct,
                                 str(option.get("feedback", ""))))
        right = sum(1 for option in parsed if option.correct)
        if self.one_right and right != 1:
            problems.append(SpecProblem("options", f"a {self.name} quiz has exactly one "
                                        f"correct option (found {right})"))
        if not self.one_right and right < 1:
            problems.append(SpecProblem("options", f"a {self.name} quiz has at least one "
                                        "correct option"))
        if self.two_options and len(options) != 2:
            problems.append(SpecProblem("options", f"a {self.name} quiz has exactly two "
                                        "options"))
        return tuple(parsed)

    def question(self, lesson: Lesson, quiz: QuizBlock) -> Question:
        spec = quiz.spec
        assert isinstance(spec, ChoiceSpec)
        return Question(lesson.meta.id, quiz, self, tuple(o.text for o in spec.options))

    def instructions(self, question: Question) -> str:
        count = len(question.choices)
        if self.one_right:
            return f"Answer with one option number (1-{count})."
        return (f"Answer with every right option number, separated by commas "
                f"(for example 1,3; options 1-{count}).")

    def parse_answer(self, question: Question, text: str) -> Picked | BadAnswer:
        numbers = read_numbers(text, len(question.choices))
        if isinstance(numbers, BadAnswer):
            return numbers
        if self.one_right and len(numbers) != 1:
            return BadAnswer("Pick exactly one option.")
        return Picked(tuple(n - 1 for n in numbers))

    async def grade(self, question: Question, answer: Answer, state: dict[str, Any]) -> Grade:
        return self.grade_picked(question, expect_answer(answer, Picked))

    def grade_picked(self, question: Question, answer: Picked) -> Grade:
        """Right only if exactly the correct options are chosen; a multiple question
        says how far from right a partial answer is."""
        chosen = set(answer.indexes)
        verdicts = tuple(OptionVerdict(i + 1, o.text, i in chosen, o.correct, o.feedback)
                         for i, o in enumerate(question.spec_as(ChoiceSpec).options))
        wrong = [v for v in verdicts if v.chosen and not v.correct]
        missed = [v for v in verdicts if v.correct and not v.chosen]
        if not wrong and not missed:
            summary = "Right."
        elif self.one_right:
            summary = "Not right."
        elif not wrong:
            summary = (f"Partly right: every option you chose is right, but {len(missed)} "
                       f"more {'is' if len(missed) == 1 else 'are'} right too.")
        else:
            right = sum(1 for v in verdicts if v.chosen and v.correct)
            summary = (f"Not right: {right} of your choices {'is' if right == 1 else 'are'} "
                       f"right, {len(wrong)} {'is' if len(wrong) == 1 else 'are'} wrong.")
        return Grade(not wrong and not missed, summary, options=verdicts)

    def feedback(self, question: Question, grade: Grade, settled: bool) -> list[str]:
        lines = []
        for verdict in grade.options:
            if verdict.chosen:
                mark = "right" if verdict.correct else "wrong"
            elif verdict.correct and settled:
                mark = "missed"
            else:
                continue
            lines.append(f"  [{mark}] {verdict.number}. {verdict.text}: {verdict.feedback}")
        return lines

    def answer_lines(self, question: Question) -> list[str]:
        options = question.spec_as(ChoiceSpec).options
        if self.one_right:
            number, option = next((i + 1, o) for i, o in enumerate(options) if o.correct)
            return [f"The answer: {number}. {option.text}", f"  {option.feedback}"]
        return ["The right options:", *(f"  {i + 1}. {o.text}: {o.feedback}"
                                        for i, o in enumerate(options) if o.correct)]

    async def check(self, quiz: QuizBlock, run: LessonRun) -> list[SpecProblem]:
        return []


SINGLE = ChoiceKind("single", "one answer", one_right=True)
MULTIPLE = ChoiceKind("multiple", "every right answer", one_right=False)
TRUE_FALSE = ChoiceKind("true_false", "true or false", one_right=True, two_options=True)
