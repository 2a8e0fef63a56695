"""The verdict on one answer, and the `Grader` that asks each question's kind for it.

Each kind grades its own answers (tutor/quiz/kinds/); the grader only keeps what a
question remembers between attempts (a predict scene's live run, a challenge's server),
so a retry and the Repeater act on the same state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tutor.quiz.kinds.base import Answer, Question
    from tutor.quiz.live import LiveExchange


@dataclass(frozen=True)
class OptionVerdict:
    """How one option of a choice question relates to the answer given."""

    number: int
    """1-based, as shown."""
    text: str
    chosen: bool
    correct: bool
    feedback: str


@dataclass(frozen=True)
class Grade:
    """The verdict on one answer."""

    correct: bool
    summary: str
    """One sentence: right or not, and in brief why."""
    options: tuple[OptionVerdict, ...] = ()
    """Choice kinds: every option, chosen or not."""
    placed: int = 0
    """Order kind: how many items from the start are in the right place."""
    live: LiveExchange | None = None
    """Predict kind: what the server really answered (a front end may draw it)."""
    detail: str = ""
    """Challenge kind: what the Repeater reported."""
    unavailable: bool = False
    """The question could not be graded here (no attempt is used)."""


@dataclass
class Grader:
    """Grades answers through each question's kind; keeps each question's state."""

    _states: dict[str, dict[str, Any]] = field(default_factory=dict)

    async def grade(self, question: Question, answer: Answer) -> Grade:
        """The grade for one answer that the question's kind read."""
        return await question.quiz_kind.grade(question, answer, self.state(question))

    def state(self, question: Question) -> dict[str, Any]:
        """What a question keeps between attempts (a live run, once started): typed
        answers and the TUI's tools (the Repeater) share it, so they act on one server."""
        return self._states.setdefault(question.key, {})
