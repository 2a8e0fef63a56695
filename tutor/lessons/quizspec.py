"""What the lesson format knows of ```quiz blocks, and the seam the quiz kinds plug into.

Every kind of quiz (tutor.quiz.kinds) parses its block into a typed, frozen spec: a
subclass of `QuizSpec`. The lesson parser sits below the quiz package, so it is handed
the kinds as a `QuizKinds` (dependency inversion, as with a codec registry): lessons never
import tutor.quiz or tutor.repeater, yet every `QuizBlock` holds a typed spec, and every
problem carries the key path it was found at, which the parser turns into path:line:col.
"""

from __future__ import annotations

from collections.abc import Awaitable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from tutor.suggest import unknown_key_message

if TYPE_CHECKING:
    from tutor.lessons.model import Lesson, QuizBlock

COMMON_KEYS = frozenset({"id", "kind", "question", "hints", "explanation"})
"""Keys every quiz block may have, whatever its kind."""


@dataclass(frozen=True)
class SpecProblem:
    """One problem in a quiz block, at a key path such as `options[1].feedback`."""

    path: str
    message: str


class QuizSpecError(Exception):
    """A quiz block that cannot be used; every problem found, each with its key path."""

    def __init__(self, problems: Sequence[SpecProblem]) -> None:
        super().__init__("; ".join(f"{p.path}: {p.message}" for p in problems))
        self.problems = tuple(problems)


@dataclass(frozen=True)
class QuizSpec:
    """What every quiz has; each kind subclasses it with its own typed fields."""

    kind: str
    question: str
    hints: tuple[str, ...]
    explanation: str
    """Shown once the question is settled (may be empty)."""


@dataclass(frozen=True)
class LessonRun:
    """What `tutor lint` learned by running a lesson's scenes, for quiz kinds to check
    their own claims against (a predict answer, for one)."""

    lesson: Lesson
    statuses: Mapping[tuple[str, str], Sequence[int | None]]
    """Per (scene id, track label): the status of each step's main exchange (None: none)."""


class QuizKinds(Protocol):
    """The quiz kinds a lesson may use (tutor.quiz.kinds.KINDS is the built-in set)."""

    def parse(self, data: Mapping[str, Any]) -> QuizSpec:
        """The typed spec of one block's data, or `QuizSpecError`."""
        ...

    def check(self, quiz: QuizBlock, run: LessonRun) -> Awaitable[list[SpecProblem]]:
        """Lint's live check of one quiz (run its scene, its reference solution...)."""
        ...


def parse_common(data: Mapping[str, Any], kind: str,
                 kind_keys: Collection[str]) -> tuple[QuizSpec, list[SpecProblem]]:
    """The fields every kind shares, and the problems with them and with unknown keys.

    Kinds call this first, then check their own keys and add to the problems.
    """
    problems: list[SpecProblem] = []
    allowed = set(COMMON_KEYS) | set(kind_keys)
    for key in data:
        if key not in allowed:
            problems.append(SpecProblem(str(key), unknown_key_message(f"{kind} quiz", str(key),
                                                                      allowed)))
    question = data.get("question")
    if not is_text(question):
        problems.append(SpecProblem("question", "a quiz needs a `question`"))
    hints = data.get("hints", [])
    if not isinstance(hints, list) or not all(is_text(h) for h in hints):
        problems.append(SpecProblem("hints", "hints must be a list of text"))
        hints = []
    explanation = data.get("explanation", "")
    common = QuizSpec(kind, str(question or "").strip(), tuple(str(h) for h in hints),
                      str(explanation or "").strip())
    return common, problems


def is_text(value: Any) -> bool:
    """Non-blank text."""
    return isinstance(value, str) and bool(value.strip())
