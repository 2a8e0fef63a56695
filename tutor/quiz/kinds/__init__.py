"""The quiz kinds, and the registry that is the one list of them.

Adding a kind is one module here (a `QuizKind`, see base.py) added to `KINDS`, plus one
answer widget in tutor/ui/widgets/answers.py. The lesson parser, `tutor lint`, the plain
quiz and the TUI all ask the registry; nothing else compares kind names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from tutor.lessons.model import QuizBlock
from tutor.lessons.quizspec import LessonRun, QuizSpec, QuizSpecError, SpecProblem
from tutor.quiz.kinds.base import QuizKind
from tutor.quiz.kinds.challenge import CHALLENGE
from tutor.quiz.kinds.choice import MULTIPLE, SINGLE, TRUE_FALSE
from tutor.quiz.kinds.order import ORDER
from tutor.quiz.kinds.predict import PREDICT


class KindRegistry:
    """Quiz kinds by name; what the lesson parser is handed as its `QuizKinds`."""

    def __init__(self, kinds: Iterable[QuizKind]) -> None:
        self._kinds: dict[str, QuizKind] = {kind.name: kind for kind in kinds}

    @property
    def names(self) -> tuple[str, ...]:
        """Every kind's name, in the order registered."""
        return tuple(self._kinds)

    def get(self, name: str) -> QuizKind:
        """The kind called `name` (KeyError if there is none)."""
        return self._kinds[name]

    def with_kind(self, kind: QuizKind) -> KindRegistry:
        """A new registry with one more kind (or one replaced)."""
        return KindRegistry([*self._kinds.values(), kind])

    def parse(self, data: Mapping[str, Any]) -> QuizSpec:
        """The typed spec of one quiz block's data, or `QuizSpecError`."""
        kind = data.get("kind")
        if not isinstance(kind, str) or kind not in self._kinds:
            raise QuizSpecError([SpecProblem("kind", f"kind must be one of "
                                             f"{', '.join(self._kinds)}")])
        return self._kinds[kind].parse_spec(data)

    async def check(self, quiz: QuizBlock, run: LessonRun) -> list[SpecProblem]:
        """Lint's live check of one quiz, by its kind."""
        return await self.get(quiz.kind).check(quiz, run)


KINDS = KindRegistry([SINGLE, MULTIPLE, TRUE_FALSE, ORDER, PREDICT, CHALLENGE])
"""The built-in kinds."""
