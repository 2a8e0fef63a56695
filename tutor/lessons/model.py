"""Lessons as data: front matter, prose, interactive blocks, hints and sources."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # Annotations only: the catalogue reads LessonMeta without loading the scene model.
    from tutor.lessons.quizspec import QuizSpec
    from tutor.scenes.model import Scene

FORMAT_VERSION = 1
LEVELS = ("beginner", "intermediate", "advanced")


@dataclass(frozen=True)
class LessonError(Exception):
    """A problem in a lesson file, at a 1-based line and column."""

    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


@dataclass(frozen=True)
class LessonMeta:
    """The front matter: what the catalogue shows and how the course is ordered."""

    id: str
    title: str
    summary: str
    order: int
    level: str
    minutes: int
    requires: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    format_version: int = FORMAT_VERSION
    path: str = ""
    line: int = 1
    quizzes: int = 0
    """How many ```quiz blocks the lesson has (counted when the catalogue is read)."""


@dataclass(frozen=True)
class Prose:
    """Markdown text between interactive blocks."""

    markdown: str
    line: int


@dataclass(frozen=True)
class SceneBlock:
    """A ```scene block: one scene, or several tracks of it run side by side."""

    id: str
    line: int
    tracks: tuple[tuple[str, Scene], ...]
    """(label, scene) pairs; a single-track scene has the label ""."""
    locate: Callable[[str], tuple[int, int]] = field(
        default=lambda path: (0, 0), compare=False, repr=False
    )
    """1-based (line, column) in the file of a path such as `steps[2].expect.status`."""

    @property
    def scene(self) -> Scene:
        """The first (or only) track."""
        return self.tracks[0][1]


@dataclass(frozen=True)
class QuizBlock:
    """A ```quiz block, parsed by its kind into a typed spec (graded by the quiz engine)."""

    id: str
    line: int
    spec: QuizSpec
    """The kind's own frozen spec (a `QuizSpec` subclass)."""
    locate: Callable[[str], tuple[int, int]] = field(
        default=lambda path: (0, 0), compare=False, repr=False
    )
    """1-based (line, column) in the file of a key such as `answer`."""

    @property
    def kind(self) -> str:
        """The kind's name, as written after `kind:`."""
        return self.spec.kind


Segment = Prose | SceneBlock | QuizBlock


@dataclass(frozen=True)
class Lesson:
    """One lesson file, parsed."""

    meta: LessonMeta
    segments: tuple[Segment, ...]
    hints: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    path: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def scenes(self) -> list[SceneBlock]:
        """Every scene block, in order."""
        return [s for s in self.segments if isinstance(s, SceneBlock)]

    @property
    def quizzes(self) -> list[QuizBlock]:
        """Every quiz block, in order."""
        return [s for s in self.segments if isinstance(s, QuizBlock)]
