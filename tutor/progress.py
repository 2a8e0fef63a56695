"""Learner progress: what is remembered between runs, per lesson and per quiz question.

Plain data. `tutor.progress_store` keeps it in the user's data directory, and
`tutor.progress_format` reads and writes it as a versioned JSON document.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

Status = Literal["new", "in_progress", "done"]
STATUSES: tuple[Status, ...] = ("new", "in_progress", "done")
LEITNER_BOXES = 5


@dataclass
class LessonProgress:
    """Where a learner is in one lesson."""

    status: Status = "new"
    scene: str | None = None
    """The scene block last shown."""
    step: int = 0
    """How many steps of that scene were applied."""
    hints_shown: int = 0

    def opened(self) -> None:
        """The learner opened the lesson: a new one is in progress from now on."""
        if self.status == "new":
            self.status = "in_progress"

    def reached(self, scene_ids: Sequence[str], scene_index: int, step: int, *,
                scene_at_end: bool) -> None:
        """Remember where the learner is. The lesson is done once the last scene was
        played to its end, and stays done when they step back or replay it."""
        self.scene = scene_ids[scene_index]
        self.step = step
        if scene_index == len(scene_ids) - 1 and scene_at_end:
            self.status = "done"
        else:
            self.opened()

    def resume_point(self, scene_ids: Sequence[str]) -> tuple[int, int]:
        """(scene index, step) to reopen the lesson at: where the learner left off, or
        the start when that scene is no longer in the lesson."""
        ids = list(scene_ids)
        return (ids.index(self.scene), self.step) if self.scene in ids else (0, 0)


@dataclass
class QuestionProgress:
    """One quiz question's history and its Leitner box."""

    attempts: int = 0
    """Answers given, over every time the question was asked."""
    times_asked: int = 0
    times_correct: int = 0
    """Times it was answered right within the allowed attempts."""
    last_correct: bool | None = None
    """How the last time went (None: never settled)."""
    box: int = 1
    """Leitner box, 1 (comes back next review) to 5 (comes back rarely)."""
    due: int = 0
    """The review session from which it is due again."""


@dataclass
class Settings:
    """Choices the learner made in the app."""

    theme: str = "textual-dark"
    reduced_motion: bool = False
    speed: float = 1.0


@dataclass
class Progress:
    """Everything remembered between runs."""

    lessons: dict[str, LessonProgress] = field(default_factory=dict)
    last_lesson: str | None = None
    settings: Settings = field(default_factory=Settings)
    quiz: dict[str, QuestionProgress] = field(default_factory=dict)
    """Per question, keyed `lesson-id/quiz-id`."""
    review_sessions: int = 0
    """How many quiz sessions were started: the Leitner schedule counts in these."""

    def lesson(self, lesson_id: str) -> LessonProgress:
        """The progress of one lesson (created on first use)."""
        return self.lessons.setdefault(lesson_id, LessonProgress())

    def status(self, lesson_id: str) -> Status:
        """new, in_progress or done."""
        entry = self.lessons.get(lesson_id)
        return entry.status if entry else "new"



def lesson_due(progress: Progress, lesson_id: str) -> int:
    """How many of a lesson's questions the next review (`tutor quiz`) will ask again."""
    prefix = f"{lesson_id}/"
    upcoming = progress.review_sessions + 1
    return sum(1 for key, entry in progress.quiz.items()
               if key.startswith(prefix) and entry.due <= upcoming)


def lesson_score(progress: Progress, lesson_id: str, total: int) -> tuple[int, int]:
    """(questions answered right the last time, total) for one lesson's quiz."""
    prefix = f"{lesson_id}/"
    correct = sum(1 for key, entry in progress.quiz.items()
                  if key.startswith(prefix) and entry.last_correct)
    return min(correct, total), total
