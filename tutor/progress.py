"""Learner progress, kept apart from the course in the user's data directory.

Written atomically (a temporary file, then a rename), so a crash never leaves half a
file. A file that cannot be read is moved aside, never deleted, and reported.
"""

from __future__ import annotations

import json
import math
import os
import stat
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

PROGRESS_VERSION = 2
"""Version 2 added quiz results and the review-session counter; version 1 files migrate."""
Status = Literal["new", "in_progress", "done"]
STATUSES: tuple[Status, ...] = ("new", "in_progress", "done")
LEITNER_BOXES = 5
MAX_SPEED = 100
"""The fastest playback speed a settings file may ask for."""
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


class ProgressStore:
    """Loads and saves `Progress` at one path."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or data_dir() / "progress.json"
        self.notice: str | None = None
        """Set when loading had to set a bad file aside: show it to the learner once."""
        self._seen: tuple[int, int, int] | None = None
        """The file as last read or written here (inode, size, mtime); None: no file."""

    def load(self) -> Progress:
        """The saved progress, or a fresh one (a bad file is moved aside, with a notice)."""
        remove_orphans(self.path)
        self._seen = self._stamp()
        try:
            return decode_progress(read_progress_bytes(self.path))
        except FileNotFoundError:
            return Progress()
        except OSError as exc:
            return self._set_aside(f"could not be read ({exc.__class__.__name__})")
        except ProgressFormatError as exc:
            return self._set_aside(str(exc))

    def save(self, progress: Progress) -> list[str]:
        """Write atomically: readers see the old file or the new one, never a mix.

        A file changed on disk since this store read or wrote it (another tutor, `tutor
        progress --import`) is never overwritten blindly: its progress is merged into
        `progress` first (in place, as an import merges), or, when it cannot be read, it
        is kept as a backup. Returns what to tell the learner (nothing, usually)."""
        told: list[str] = []
        if self._stamp() != self._seen:
            told = self._fold_in_disk(progress)
        write_atomically(self.path, json.dumps(progress_document(progress), indent=2))
        self._seen = self._stamp()
        return told

    def _stamp(self) -> tuple[int, int, int] | None:
        try:
            stat = self.path.stat()
        except OSError:
            return None
        return (stat.st_ino, stat.st_size, stat.st_mtime_ns)

    def _fold_in_disk(self, progress: Progress) -> list[str]:
        """Merge the file on disk, changed by someone else, into `progress`."""
        from tutor.progress_transfer import merge_progress  # it builds on this module

        try:
            disk = decode_progress(read_progress_bytes(self.path))
        except FileNotFoundError:
            return [f"Your progress file {self.path} was removed while the tutor ran; "
                    "it was written again from this session."]
        except (OSError, ValueError) as exc:
            backup = self.backup("conflict")
            return [f"Your progress file {self.path} changed on disk and could not be read "
                    f"({exc.__class__.__name__}); it was kept as {backup} and replaced "
                    "by this session's progress."]
        merged, report = merge_progress(progress, disk)
        progress.lessons, progress.quiz = merged.lessons, merged.quiz
        progress.last_lesson = merged.last_lesson
        progress.review_sessions = merged.review_sessions
        return [f"Your progress file {self.path} changed on disk since the tutor read it; "
                "the two were merged (" + "; ".join(report) + ")."]

    def reset(self) -> Path | None:
        """Start over: the old file is kept beside it as a backup, whose path is returned."""
        backup = self.backup("reset", move=True)
        self._seen = None  # gone on purpose: the next save is not a conflict
        return backup

    def backup(self, reason: str, move: bool = False) -> Path | None:
        """Copy (or move) the file to `progress.REASON-TIME.json` beside it; None if absent."""
        if not self.path.exists():
            return None
        stamp = time.strftime("%Y%m%d-%H%M%S")
        backup = self.path.with_name(f"progress.{reason}-{stamp}.json")
        counter = 1
        while backup.exists():  # two backups within a second must not overwrite each other
            counter += 1
            backup = self.path.with_name(f"progress.{reason}-{stamp}-{counter}.json")
        if move:
            os.replace(self.path, backup)
        else:
            write_atomically(backup, self.path.read_text(encoding="utf-8"))
        return backup

    def _set_aside(self, reason: str) -> Progress:
        try:
            backup = self.backup("corrupt", move=True)
            where = f"it was moved to {backup}"
        except OSError:
            where = "it was left where it is"
        self.notice = (f"Your progress file {self.path} could not be used ({reason}); {where} "
                       "and you are starting fresh.")
        return Progress()


MAX_PROGRESS_BYTES = 4 * 1024 * 1024
"""The largest progress file read (a whole course's progress is a few kilobytes)."""
ORPHAN_AGE = 600
"""Seconds after which a temporary file beside the progress file is an orphan: a write
takes milliseconds, so one this old was left by a process that was killed mid-write."""


def read_progress_bytes(path: Path) -> bytes:
    """The file's bytes, at most MAX_PROGRESS_BYTES: never hangs on a FIFO (opened
    without waiting for a writer) nor reads a device. OSError when it cannot be read,
    ProgressFormatError when it is not a file or too big."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(descriptor, "rb") as file:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise ProgressFormatError("", "not a regular file")
        raw = file.read(MAX_PROGRESS_BYTES + 1)
    if len(raw) > MAX_PROGRESS_BYTES:
        raise ProgressFormatError("", f"more than {MAX_PROGRESS_BYTES // 2**20} MiB, far "
                                  "more than any progress")
    return raw


def decode_progress(raw: bytes) -> Progress:
    """Progress from a file's bytes; every way it can be wrong is a ProgressFormatError
    (not UTF-8, not JSON, nested too deeply, a number too long, a bad field)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProgressFormatError("", f"not UTF-8 text (byte {exc.start})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProgressFormatError(f"{exc.lineno}:{exc.colno}",
                                  f"not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise ProgressFormatError("", "JSON nested too deeply") from None
    except ValueError as exc:  # an integer with more digits than Python converts
        raise ProgressFormatError("", f"not valid JSON ({exc})") from None
    try:
        return parse_progress(data)
    except RecursionError:
        raise ProgressFormatError("", "JSON nested too deeply") from None


def remove_orphans(path: Path) -> None:
    """Delete the temporary files `write_atomically` left beside `path` when a kill
    interrupted it (older than ORPHAN_AGE, so another process's write in progress is
    left alone)."""
    try:
        candidates = list(path.parent.glob(f".{path.stem}-*"))
    except OSError:
        return
    now = time.time()
    for candidate in candidates:
        try:
            if now - candidate.stat().st_mtime > ORPHAN_AGE:
                candidate.unlink()
        except OSError:
            continue  # gone already, or not ours to delete


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` so readers see the old file or the new one, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.stem}-", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class ProgressFormatError(ValueError):
    """A progress document that does not fit the format, saying where and what."""

    def __init__(self, where: str, what: str) -> None:
        super().__init__(f"{where}: {what}" if where else what)
        self.where = where
        self.what = what


def parse_progress(data: Any) -> Progress:
    """A progress document (version 1 or 2) as `Progress`; raises ProgressFormatError."""
    if not isinstance(data, dict):
        raise ProgressFormatError("", "not a JSON object")
    version = data.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and (
            version > PROGRESS_VERSION):
        raise ProgressFormatError("version", f"version {version} was made by a newer tutor "
                                  f"(this one reads up to {PROGRESS_VERSION})")
    if version not in (1, PROGRESS_VERSION):
        raise ProgressFormatError("version", f"version {version!r} is not a progress "
                                  f"version (1 to {PROGRESS_VERSION})")
    allowed = {"version", "lessons", "last_lesson", "settings"}
    if version == PROGRESS_VERSION:
        allowed |= {"quiz", "review_sessions"}
    _only_keys(data, allowed, "")
    lessons = {str(k): _lesson(v, f"lessons.{k}")
               for k, v in _mapping(data.get("lessons", {}), "lessons").items()}
    quiz = {str(k): _question(v, f"quiz.{k}")
            for k, v in _mapping(data.get("quiz", {}), "quiz").items()}
    settings = _settings(data.get("settings", {}), "settings")
    last = data.get("last_lesson")
    if last is not None and not isinstance(last, str):
        raise ProgressFormatError("last_lesson", "must be a lesson id or null")
    sessions = _count(data.get("review_sessions", 0), "review_sessions")
    return Progress(lessons, last, settings, quiz, sessions)


def progress_document(progress: Progress) -> dict[str, Any]:
    """The JSON document for `progress`, at the current version."""
    return {"version": PROGRESS_VERSION, **asdict(progress)}


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ProgressFormatError(where, "must be a JSON object")
    return value


def _only_keys(data: dict[str, Any], allowed: set[str], where: str) -> None:
    for key in data:
        if key not in allowed:
            place = f"{where}.{key}" if where else str(key)
            raise ProgressFormatError(place, f"unknown field (known: {', '.join(sorted(allowed))})")


def _count(value: Any, where: str, low: int = 0, high: int | None = None) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < low or (
            high is not None and value > high):
        span = f"{low} to {high}" if high is not None else f"{low} or more"
        raise ProgressFormatError(where, f"must be a whole number, {span} (got "
                                  f"{repr(value)[:40]})")
    return value


def _lesson(value: Any, where: str) -> LessonProgress:
    data = _mapping(value, where)
    _only_keys(data, {"status", "scene", "step", "hints_shown"}, where)
    status = data.get("status", "new")
    if status not in STATUSES:
        raise ProgressFormatError(f"{where}.status", f"unknown status {status!r} "
                                  f"(one of {', '.join(STATUSES)})")
    scene = data.get("scene")
    if scene is not None and not isinstance(scene, str):
        raise ProgressFormatError(f"{where}.scene", "must be a scene id or null")
    return LessonProgress(status, scene, _count(data.get("step", 0), f"{where}.step"),
                          _count(data.get("hints_shown", 0), f"{where}.hints_shown"))


def _question(value: Any, where: str) -> QuestionProgress:
    data = _mapping(value, where)
    _only_keys(data, {"attempts", "times_asked", "times_correct", "last_correct", "box",
                      "due"}, where)
    last = data.get("last_correct")
    if last is not None and not isinstance(last, bool):
        raise ProgressFormatError(f"{where}.last_correct", "must be true, false or null")
    return QuestionProgress(
        attempts=_count(data.get("attempts", 0), f"{where}.attempts"),
        times_asked=_count(data.get("times_asked", 0), f"{where}.times_asked"),
        times_correct=_count(data.get("times_correct", 0), f"{where}.times_correct"),
        last_correct=last,
        box=_count(data.get("box", 1), f"{where}.box", 1, LEITNER_BOXES),
        due=_count(data.get("due", 0), f"{where}.due"),
    )


def _settings(value: Any, where: str) -> Settings:
    data = _mapping(value, where)
    _only_keys(data, {"theme", "reduced_motion", "speed"}, where)
    settings = Settings()
    theme = data.get("theme", settings.theme)
    motion = data.get("reduced_motion", settings.reduced_motion)
    speed = data.get("speed", settings.speed)
    if not isinstance(theme, str):
        raise ProgressFormatError(f"{where}.theme", "must be a theme name")
    if not isinstance(motion, bool):
        raise ProgressFormatError(f"{where}.reduced_motion", "must be true or false")
    if (not isinstance(speed, int | float) or isinstance(speed, bool)
            or not math.isfinite(speed) or not 0 < speed <= MAX_SPEED):
        raise ProgressFormatError(f"{where}.speed", f"must be a number above 0, at most "
                                  f"{MAX_SPEED}")
    return Settings(theme, motion, float(speed))


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
