"""Learner progress, kept apart from the course in the user's data directory.

Written atomically (a temporary file, then a rename), so a crash never leaves half a
file. A file that cannot be read is moved aside, never deleted, and reported.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

PROGRESS_VERSION = 1
Status = Literal["new", "in_progress", "done"]
DATA_DIR_VARIABLE = "TUTOR_DATA_DIR"


def data_dir() -> Path:
    """Where progress lives: $TUTOR_DATA_DIR, else the platform's user data directory."""
    override = os.environ.get(DATA_DIR_VARIABLE)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir("tutor", appauthor=False))


@dataclass
class LessonProgress:
    """Where a learner is in one lesson."""

    status: Status = "new"
    scene: str | None = None
    """The scene block last shown."""
    step: int = 0
    """How many steps of that scene were applied."""
    hints_shown: int = 0


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

    def lesson(self, lesson_id: str) -> LessonProgress:
        """The progress of one lesson (created on first use)."""
        return self.lessons.setdefault(lesson_id, LessonProgress())

    def status(self, lesson_id: str) -> Status:
        """new, in_progress or done."""
        entry = self.lessons.get(lesson_id)
        return entry.status if entry else "new"


class ProgressError(Exception):
    """The progress file could not be used; the message says what happened to it."""


class ProgressStore:
    """Loads and saves `Progress` at one path."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or data_dir() / "progress.json"
        self.notice: str | None = None
        """Set when loading had to set a bad file aside: show it to the learner once."""

    def load(self) -> Progress:
        """The saved progress, or a fresh one (a bad file is moved aside, with a notice)."""
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return Progress()
        except (OSError, UnicodeDecodeError) as exc:
            return self._set_aside(f"could not be read ({exc.__class__.__name__})")
        try:
            data = json.loads(raw)
            return _from_json(data)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            return self._set_aside(str(exc) or exc.__class__.__name__)

    def save(self, progress: Progress) -> None:
        """Write atomically: readers see the old file or the new one, never a mix."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = json.dumps({"version": PROGRESS_VERSION, **asdict(progress)}, indent=2)
        handle, temporary = tempfile.mkstemp(prefix=".progress-", dir=self.path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(payload)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def reset(self) -> Path | None:
        """Start over: the old file is kept beside it as a backup, whose path is returned."""
        if not self.path.exists():
            return None
        backup = self.path.with_name(f"progress.reset-{time.strftime('%Y%m%d-%H%M%S')}.json")
        os.replace(self.path, backup)
        return backup

    def _set_aside(self, reason: str) -> Progress:
        backup = self.path.with_name(f"progress.corrupt-{time.strftime('%Y%m%d-%H%M%S')}.json")
        try:
            os.replace(self.path, backup)
            where = f"it was moved to {backup}"
        except OSError:
            where = "it was left where it is"
        self.notice = (f"Your progress file {self.path} could not be used ({reason}); {where} "
                       "and you are starting fresh.")
        return Progress()


def _from_json(data: Any) -> Progress:
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    version = data.get("version")
    if version != PROGRESS_VERSION:
        raise ValueError(f"version {version!r} is not {PROGRESS_VERSION}"
                         + (" (made by a newer tutor)" if isinstance(version, int)
                            and version > PROGRESS_VERSION else ""))
    lessons = {}
    for lesson_id, entry in dict(data.get("lessons", {})).items():
        item = LessonProgress(**entry)
        if item.status not in ("new", "in_progress", "done"):
            raise ValueError(f"lesson {lesson_id}: unknown status {item.status!r}")
        lessons[str(lesson_id)] = item
    settings = Settings(**data.get("settings", {}))
    last = data.get("last_lesson")
    return Progress(lessons, last if isinstance(last, str) else None, settings)
