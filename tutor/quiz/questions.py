"""Quiz questions as the quiz engine sees them, and the answers a learner can give.

A `Question` wraps one ```quiz block of a lesson with what asking it needs: the options
or items in the order they are shown, and for a predict question the scene it runs.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from dataclasses import dataclass

from tutor.lessons.model import Lesson, QuizBlock, SceneBlock
from tutor.lessons.quizshape import CHOICE_KINDS
from tutor.scenes.model import Scene

KIND_LABELS = {"single": "one answer", "multiple": "every right answer",
               "true_false": "true or false", "order": "put in order",
               "predict": "predict the response", "challenge": "challenge"}
"""How each kind of question is named to the learner."""


@dataclass(frozen=True)
class Option:
    """One option of a single, multiple or true_false question."""

    text: str
    correct: bool
    feedback: str


@dataclass(frozen=True)
class Question:
    """One quiz block, ready to ask."""

    lesson_id: str
    quiz: QuizBlock
    options: tuple[Option, ...] = ()
    """Choice kinds: the options, as written."""
    shown_items: tuple[str, ...] = ()
    """Order kind: the items in the (shuffled) order they are shown."""
    scene: Scene | None = None
    """Predict kind: the scene track whose step answers it."""

    @property
    def key(self) -> str:
        """`lesson-id/quiz-id`: how progress remembers the question."""
        return f"{self.lesson_id}/{self.quiz.id}"

    @property
    def kind(self) -> str:
        """single, multiple, true_false, order, predict or challenge."""
        return self.quiz.kind

    @property
    def prompt(self) -> str:
        """The question text."""
        return str(self.quiz.data.get("question", "")).strip()

    @property
    def hints(self) -> tuple[str, ...]:
        """Hints, revealed one at a time."""
        return tuple(str(h) for h in self.quiz.data.get("hints", []))

    @property
    def explanation(self) -> str:
        """Shown once the question is settled (may be empty)."""
        return str(self.quiz.data.get("explanation", "") or "").strip()

    @property
    def items(self) -> tuple[str, ...]:
        """Order kind: the items in the correct order."""
        return tuple(str(i) for i in self.quiz.data.get("items", []))

    @property
    def answer_status(self) -> int:
        """Predict kind: the status the lesson states (lint checked it against the scene)."""
        return int(self.quiz.data.get("answer", 0))

    @property
    def choices(self) -> tuple[str, ...]:
        """What is listed with numbers: option texts, or the order items as shown."""
        if self.kind == "order":
            return self.shown_items
        return tuple(option.text for option in self.options)


def shuffled_items(key: str, items: tuple[str, ...]) -> tuple[str, ...]:
    """The items in a repeatable shuffled order that is never already the answer."""
    shown = list(items)
    random.Random(key).shuffle(shown)  # a string seed is stable across runs
    if tuple(shown) == items and len(items) > 1:
        shown = shown[1:] + shown[:1]
    return tuple(shown)


def make_question(lesson: Lesson, quiz: QuizBlock) -> Question:
    """The question for one quiz block of a parsed lesson."""
    lesson_id = lesson.meta.id
    data = quiz.data
    if quiz.kind in CHOICE_KINDS:
        options = tuple(Option(str(o["text"]), bool(o.get("correct", False)),
                               str(o.get("feedback", ""))) for o in data["options"])
        return Question(lesson_id, quiz, options=options)
    if quiz.kind == "order":
        items = tuple(str(i) for i in data["items"])
        return Question(lesson_id, quiz, shown_items=shuffled_items(
            f"{lesson_id}/{quiz.id}", items))
    if quiz.kind == "predict":
        return Question(lesson_id, quiz, scene=_predict_scene(lesson.scenes, data))
    return Question(lesson_id, quiz)


def _predict_scene(blocks: Iterable[SceneBlock], data: dict[str, object]) -> Scene | None:
    block = next((b for b in blocks if b.id == data.get("scene")), None)
    if block is None:
        return None
    tracks = dict(block.tracks)
    label = data.get("track", block.tracks[0][0] if len(block.tracks) == 1 else None)
    return tracks.get(label) if isinstance(label, str) else None


def lesson_questions(lesson: Lesson) -> list[Question]:
    """Every quiz of a lesson, as written."""
    return [make_question(lesson, quiz) for quiz in lesson.quizzes]


# What a learner can type.

@dataclass(frozen=True)
class Picked:
    """Option or item numbers (0-based here, 1-based on screen), in the order given."""

    indexes: tuple[int, ...]


@dataclass(frozen=True)
class StatusGuess:
    """A predicted HTTP status."""

    status: int


@dataclass(frozen=True)
class Words:
    """A free answer: for a challenge, one curl command."""

    text: str


Answer = Picked | StatusGuess | Words


@dataclass(frozen=True)
class BadAnswer:
    """An answer that cannot be graded; it does not use up an attempt."""

    message: str


def answer_instructions(question: Question) -> str:
    """How to answer this question, in one line."""
    count = len(question.choices)
    if question.kind in ("single", "true_false"):
        return f"Answer with one option number (1-{count})."
    if question.kind == "multiple":
        return (f"Answer with every right option number, separated by commas "
                f"(for example 1,3; options 1-{count}).")
    if question.kind == "order":
        return (f"Answer with all {count} item numbers in the right order, separated by "
                "commas (for example " + ",".join(str(n) for n in range(count, 0, -1)) + ").")
    if question.kind == "predict":
        return "Answer with the HTTP status code the response will have (for example 200)."
    return "Answer with one curl command; each line is sent to the server."


def parse_answer(question: Question, line: str) -> Answer | BadAnswer:
    """Read one answer line for `question`, or say clearly what is wrong with it."""
    text = line.strip()
    if not text:
        return BadAnswer("Type an answer (or h for a hint, s to skip).")
    if question.kind == "challenge":
        return Words(text)
    if question.kind == "predict":
        if not re.fullmatch(r"\d{3}", text) or not 100 <= int(text) <= 599:
            return BadAnswer(f"{text!r} is not an HTTP status: type three digits, 100 to 599.")
        return StatusGuess(int(text))
    count = len(question.choices)
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
    if question.kind in ("single", "true_false") and len(numbers) != 1:
        return BadAnswer("Pick exactly one option.")
    if question.kind == "order" and len(numbers) != count:
        return BadAnswer(f"Put all {count} items in order: type each number 1 to {count} once.")
    return Picked(tuple(n - 1 for n in numbers))
