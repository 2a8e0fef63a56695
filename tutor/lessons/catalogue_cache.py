"""The catalogue's front matter, remembered between runs so that start-up reads no YAML.

Importing PyYAML and parsing seventeen front matters was a quarter of what the tutor's
first frame costs beyond a bare Textual app's (valgrind: 105 of 424 million
instructions). Each lesson file's metadata is kept in the data directory with the
file's modification time (ns) and size; a file whose stamp differs, or that is new, is
read again. Only files that parsed without an error are remembered, so a broken lesson
is reported on every run. The file is a cache: a damaged, foreign or unwritable one is
read as empty, and writing it never fails the caller.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from pathlib import Path
from typing import Any

from tutor.lessons.model import LessonMeta

CACHE_FILE = "catalogue.json"
CACHE_FORMAT = 1
MAX_CACHE_BYTES = 2_000_000
MAX_FOLDERS = 8
"""Course folders remembered (a teacher may switch between a few with --lessons)."""

Stamp = tuple[int, int]
"""A lesson file's (st_mtime_ns, st_size)."""
Remembered = dict[str, tuple[Stamp, LessonMeta]]
"""File name in the folder → its stamp and metadata."""

_FIELDS = {field.name: str(field.type) for field in dataclasses.fields(LessonMeta)}
"""Each field's annotation as written ("str", "int", "tuple[str, ...]")."""


def stamp(path: Path) -> Stamp | None:
    """The file's stamp, or None if it cannot be read (the parser then says why)."""
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


def recall(cache: Path, folder: Path) -> Remembered:
    """What was remembered for `folder` (resolved), or nothing."""
    entries = _read(cache).get(str(folder.resolve()))
    if not isinstance(entries, dict):
        return {}
    remembered: Remembered = {}
    for name, entry in entries.items():
        found = _entry(entry)
        if isinstance(name, str) and found is not None:
            remembered[name] = found
    return remembered


def remember(cache: Path, folder: Path, entries: Remembered) -> None:
    """Keep `entries` for `folder`, the most recent of at most MAX_FOLDERS folders."""
    data = _read(cache)
    key = str(folder.resolve())
    data.pop(key, None)
    data[key] = {name: {"stamp": list(stamp_), "meta": _plain(meta)}
                 for name, (stamp_, meta) in entries.items()}
    while len(data) > MAX_FOLDERS:
        del data[next(iter(data))]  # the least recently read (dicts keep order)
    from tutor.progress_store import write_atomically

    with contextlib.suppress(OSError):  # a read-only or full data directory: read the
        # YAML next time too
        write_atomically(cache, json.dumps({"format": CACHE_FORMAT, "folders": data}))


def _read(cache: Path) -> dict[str, Any]:
    try:
        with cache.open("rb") as file:
            raw = file.read(MAX_CACHE_BYTES + 1)
        data = json.loads(raw) if len(raw) <= MAX_CACHE_BYTES else None
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
        return {}
    folders = data.get("folders")
    return folders if isinstance(folders, dict) else {}


def _plain(meta: LessonMeta) -> dict[str, Any]:
    return {name: list(value) if isinstance(value, tuple) else value
            for name, value in dataclasses.asdict(meta).items()}


def _entry(entry: object) -> tuple[Stamp, LessonMeta] | None:
    """An entry as written by `remember`, or None for anything else (an older LessonMeta
    with other fields included: the file is then read again)."""
    if not isinstance(entry, dict):
        return None
    stamp_, meta = entry.get("stamp"), entry.get("meta")
    if (not isinstance(stamp_, list) or len(stamp_) != 2
            or not all(type(n) is int for n in stamp_)):
        return None
    if not isinstance(meta, dict) or set(meta) != set(_FIELDS):
        return None
    values: dict[str, Any] = {}
    for name, value in meta.items():
        kind = _FIELDS[name]
        if kind.startswith("tuple") and isinstance(value, list) and all(
                isinstance(item, str) for item in value):
            values[name] = tuple(value)
        elif (kind == "str" and isinstance(value, str)) or (kind == "int" and type(value) is int):
            values[name] = value
        else:
            return None
    return (stamp_[0], stamp_[1]), LessonMeta(**values)
