"""Moving progress between machines, and forgetting one lesson.

Export writes the progress document (versioned JSON) to a file. Import validates a file
and merges it into the current progress: nothing already here is lost without being
said, and the progress from before the import is kept as a backup beside the file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

from tutor.progress import STATUSES, Progress, QuestionProgress
from tutor.progress_format import ProgressFormatError, decode_progress, progress_document
from tutor.progress_store import ProgressStore, read_progress_bytes, write_atomically


class TransferError(Exception):
    """A file that could not be exported to or imported from; says where and what."""


def export_progress(progress: Progress, target: Path) -> None:
    """Write `progress` to `target` atomically; raises TransferError."""
    try:
        write_atomically(target, json.dumps(progress_document(progress), indent=2) + "\n")
    except OSError as exc:
        raise TransferError(f"{target}: cannot write ({exc.strerror or exc})") from exc


def read_progress_file(source: Path) -> Progress:
    """A progress file to import, fully validated and of bounded size; raises
    TransferError (file untouched)."""
    try:
        return decode_progress(read_progress_bytes(source))
    except OSError as exc:
        raise TransferError(f"{source}: cannot read ({exc.strerror or exc})") from exc
    except ProgressFormatError as exc:
        # A position (line:column) joins the path as compilers write it: file:1:2.
        joint = ":" if exc.where[:1].isdigit() else ": "
        raise TransferError(f"{source}{joint}{exc}") from exc


@dataclass
class MergeCounts:
    """How many entries of one kind were added, replaced or kept."""

    added: int = 0
    replaced: int = 0
    kept: int = 0

    def describe(self, what: str, replaced_why: str, kept_why: str) -> str:
        """One clause, e.g. `lessons: 2 added, 1 replaced (...), 3 kept (...)`."""
        return (f"{what}: {self.added} added, {self.replaced} replaced ({replaced_why}), "
                f"{self.kept} kept ({kept_why})")


def merge_progress(current: Progress, incoming: Progress) -> tuple[Progress, list[str]]:
    """`incoming` folded into `current`: for each lesson the further-along entry wins; for
    each question the one with more history wins; settings stay. Returns what happened."""
    merged = Progress(dict(current.lessons), current.last_lesson or incoming.last_lesson,
                      current.settings, {}, max(current.review_sessions,
                                                incoming.review_sessions))
    lessons = MergeCounts()
    for lesson_id, entry in incoming.lessons.items():
        mine = current.lessons.get(lesson_id)
        if mine is None:
            lessons.added += 1
            merged.lessons[lesson_id] = entry
        elif STATUSES.index(entry.status) > STATUSES.index(mine.status):
            lessons.replaced += 1
            merged.lessons[lesson_id] = entry
        else:
            lessons.kept += 1
    # Each side counts review sessions on its own: shift due dates onto the merged count.
    shift_current = merged.review_sessions - current.review_sessions
    shift_incoming = merged.review_sessions - incoming.review_sessions
    merged.quiz = {key: _shifted(entry, shift_current) for key, entry in current.quiz.items()}
    questions = MergeCounts()
    for key, result in incoming.quiz.items():
        known = current.quiz.get(key)
        if known is None:
            questions.added += 1
        elif result.times_asked > known.times_asked:
            questions.replaced += 1
        else:
            questions.kept += 1
            continue
        merged.quiz[key] = _shifted(result, shift_incoming)
    report = [
        lessons.describe("lessons", "further along in the file", "as far or further here"),
        questions.describe("quiz results", "more answers in the file",
                           "as many or more answers here"),
        "your settings were kept",
    ]
    return merged, report


def _shifted(entry: QuestionProgress, sessions: int) -> QuestionProgress:
    return replace(entry, due=max(0, entry.due + sessions)) if sessions else entry


def import_progress(store: ProgressStore, source: Path) -> list[str]:
    """Merge a progress file into the store; returns the lines to tell the learner.
    Raises TransferError (and changes nothing) when the file cannot be used."""
    incoming = read_progress_file(source)
    current = store.load()
    merged, report = merge_progress(current, incoming)
    backup = store.backup("before-import")
    store.save(merged)
    lines = [f"Imported {source}.", *(f"  {line}" for line in report)]
    if backup is not None:
        lines.append(f"Your progress from before the import is kept at {backup}")
    return lines


def forget_lesson(progress: Progress, lesson_id: str) -> int:
    """Remove one lesson's progress and quiz results; returns how many entries went."""
    removed = int(progress.lessons.pop(lesson_id, None) is not None)
    prefix = f"{lesson_id}/"
    for key in [k for k in progress.quiz if k.startswith(prefix)]:
        del progress.quiz[key]
        removed += 1
    if progress.last_lesson == lesson_id:
        progress.last_lesson = None
    return removed
