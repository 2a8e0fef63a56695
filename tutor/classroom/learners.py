"""Learner names and where each learner's progress lives.

A served tutor (`tutor web`) runs one app process per browser tab. Each learner gets a
folder of their own under `<class folder>/learners/<name>/`, passed to the app as its
data directory, so thirty tabs never share or overwrite one progress file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

LEARNER_VARIABLE = "TUTOR_LEARNER"
"""Set in a served tab's process to the learner's name (the app shows whose it is)."""
LEARNERS_FOLDER = "learners"
PROGRESS_FILE = "progress.json"
MAX_NAME_LENGTH = 40

_NOT_NAME = re.compile(r"[^\w.-]+")
"""Anything but letters, digits (any script), `_`, `.` and `-` becomes one `-`."""


class LearnerNameError(ValueError):
    """A name that cannot become a learner folder; the message says why."""


@dataclass(frozen=True)
class Learner:
    """One learner of a class: the folder name is the learner's name as written, made
    safe for a path."""

    name: str
    folder: Path

    @property
    def progress_file(self) -> Path:
        """The learner's progress file (the app's own `progress.json`)."""
        return self.folder / PROGRESS_FILE


def learner_name(raw: str) -> str:
    """The folder-safe form of a typed name: `Zoë K.` → `Zoë-K.`; raises LearnerNameError.

    Case is kept but names compare without it, so `alice` and `Alice` are one learner.
    """
    # No leading dot (no hidden folder, no `..`) and no dash at either end.
    name = _NOT_NAME.sub("-", raw.strip()).lstrip(".-").rstrip("-")
    if not name:
        raise LearnerNameError("a name needs at least one letter or digit")
    if len(name) > MAX_NAME_LENGTH:
        raise LearnerNameError(f"a name has at most {MAX_NAME_LENGTH} characters")
    return name


def learner(class_folder: Path, raw_name: str) -> Learner:
    """The learner called `raw_name` in the class kept at `class_folder`."""
    name = learner_name(raw_name)
    folder = class_folder / LEARNERS_FOLDER
    if folder.is_dir():
        for existing in folder.iterdir():
            if existing.name.casefold() == name.casefold():
                return Learner(existing.name, existing)
    return Learner(name, folder / name)


def learners_in(class_folder: Path) -> list[Learner]:
    """Every learner with a folder in the class, by name."""
    folder = class_folder / LEARNERS_FOLDER
    if not folder.is_dir():
        return []
    found = [Learner(path.name, path) for path in folder.iterdir() if path.is_dir()]
    return sorted(found, key=lambda item: item.name.casefold())
