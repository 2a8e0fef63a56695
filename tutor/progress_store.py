"""Where progress lives, and how it is kept: the user's data directory, one JSON file.

Written atomically (a temporary file, then a rename), so a crash never leaves half a
file. A file that cannot be read is moved aside, never deleted, and reported.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
import time
from pathlib import Path

from tutor.progress import Progress
from tutor.progress_format import ProgressFormatError, decode_progress, progress_document

DATA_DIR_VARIABLE = "TUTOR_DATA_DIR"


def data_dir() -> Path:
    """Where progress lives: $TUTOR_DATA_DIR, else the platform's user data directory."""
    override = os.environ.get(DATA_DIR_VARIABLE)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir("tutor", appauthor=False))


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

