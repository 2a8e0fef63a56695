"""The progress document: `Progress` as versioned JSON and back, every field checked.

A document that does not fit is a ProgressFormatError saying where (a dotted path, or
line:column for bad JSON) and what; nothing in a file is trusted.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from typing import Any

from tutor.progress import (
    LEITNER_BOXES,
    STATUSES,
    LessonProgress,
    Progress,
    QuestionProgress,
    Settings,
)

PROGRESS_VERSION = 2
"""Version 2 added quiz results and the review-session counter; version 1 files migrate."""
MAX_SPEED = 100
"""The fastest playback speed a settings file may ask for."""


class ProgressFormatError(ValueError):
    """A progress document that does not fit the format, saying where and what."""

    def __init__(self, where: str, what: str) -> None:
        super().__init__(f"{where}: {what}" if where else what)
        self.where = where
        self.what = what



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

