"""The course: a folder of lesson files, its catalogue, and where it is installed."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tutor.lessons import catalogue_cache
from tutor.lessons.model import LessonError, LessonMeta

if TYPE_CHECKING:
    from tutor.lessons.model import Lesson
    from tutor.lessons.quizspec import QuizKinds


def default_course_dir() -> Path:
    """The course shipped with tutor: inside the package when installed, else the repo's."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "_course"
    if installed.is_dir():
        return installed
    return package.parent / "lessons"


def lesson_files(paths: list[Path]) -> tuple[list[Path], list[LessonError]]:
    """Every `.md` file under the given files and folders, sorted, or errors for bad paths."""
    files: list[Path] = []
    errors: list[LessonError] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.glob("*.md") if p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            errors.append(LessonError(str(path), 1, 1, "no such file or folder"))
    return files, errors


@dataclass(frozen=True)
class Catalogue:
    """The course's front matter only: enough to list and order lessons, read fast."""

    lessons: tuple[LessonMeta, ...]
    errors: tuple[LessonError, ...]

    def get(self, lesson_id: str) -> LessonMeta | None:
        """A lesson's metadata by id."""
        return next((m for m in self.lessons if m.id == lesson_id), None)


def read_catalogue(folder: Path, cache: Path | None = None) -> Catalogue:
    """Front matter of every lesson in `folder`, ordered by `order` then id. With a
    `cache` file (`catalogue_cache`), files unchanged since they were last read are not
    read again, and PyYAML is not even imported when none changed."""
    files, errors = lesson_files([folder])
    remembered = catalogue_cache.recall(cache, folder) if cache is not None else {}
    fresh: catalogue_cache.Remembered = {}
    metas: list[LessonMeta] = []
    for path in files:
        stamp = catalogue_cache.stamp(path)
        known = remembered.get(path.name)
        if known is not None and stamp is not None and known[0] == stamp:
            meta: LessonMeta | None = dataclasses.replace(known[1], path=str(path))
            file_errors: list[LessonError] = []
        else:
            meta, file_errors = _read_meta(path)
        errors.extend(file_errors)
        if meta is not None:
            metas.append(meta)
            if stamp is not None and not file_errors:
                fresh[path.name] = (stamp, meta)
    if cache is not None and fresh != remembered:
        catalogue_cache.remember(cache, folder, fresh)
    errors.extend(check_course(metas))
    metas.sort(key=lambda m: (m.order, m.id))
    return Catalogue(tuple(metas), tuple(errors))


def _read_meta(path: Path) -> tuple[LessonMeta | None, list[LessonError]]:
    """One file's front matter (with its quiz count), or the errors that stop it."""
    # Imported here: PyYAML is a tenth of the first frame, and the cache usually spares it.
    from tutor.lessons.front_matter import (
        ErrorCollector,
        front_matter_text,
        parse_front_matter,
        read_lesson_text,
    )

    collector = ErrorCollector(str(path))
    try:
        lines = read_lesson_text(path).split("\n")
    except LessonError as exc:
        return None, [exc]
    found = front_matter_text(lines)
    meta = None
    if found is None:
        collector.add(1, 1, "a lesson starts with YAML front matter between two --- lines")
    else:
        meta = parse_front_matter(found[0], collector, line_offset=1)
        if meta is not None:
            quizzes = sum(1 for line in lines if line.strip() == "```quiz")
            meta = dataclasses.replace(meta, quizzes=quizzes)
    return meta, collector.errors


def check_course(metas: list[LessonMeta]) -> list[LessonError]:
    """Unique ids, resolvable `requires`, and no cycles among them."""
    errors: list[LessonError] = []
    by_id: dict[str, LessonMeta] = {}
    for meta in metas:
        if meta.id in by_id:
            errors.append(LessonError(meta.path, 1, 1, f"lesson id {meta.id!r} is also used "
                                      f"by {by_id[meta.id].path}"))
        else:
            by_id[meta.id] = meta
    for meta in metas:
        for required in meta.requires:
            if required not in by_id:
                errors.append(LessonError(meta.path, 1, 1, f"requires {required!r}, which "
                                          "no lesson in this course has as its id"))
    errors.extend(_cycles(by_id))
    return errors


def _cycles(by_id: dict[str, LessonMeta]) -> list[LessonError]:
    errors: list[LessonError] = []
    state: dict[str, str] = {}

    def visit(lesson_id: str, trail: list[str]) -> None:
        if state.get(lesson_id) == "done":
            return
        if state.get(lesson_id) == "active":
            loop = " -> ".join([*trail[trail.index(lesson_id):], lesson_id])
            meta = by_id[lesson_id]
            errors.append(LessonError(meta.path, 1, 1, f"requires form a cycle: {loop}"))
            return
        state[lesson_id] = "active"
        for required in by_id[lesson_id].requires:
            if required in by_id:
                visit(required, [*trail, lesson_id])
        state[lesson_id] = "done"

    for lesson_id in sorted(by_id):
        visit(lesson_id, [])
    return errors


def load_lessons(paths: list[Path], quiz_kinds: QuizKinds) -> tuple[list[Lesson],
                                                                      list[LessonError]]:
    """Every lesson file under the given files and folders, fully parsed (in file order),
    plus the errors of the files and paths; the course itself is not checked here."""
    # Imported here: the parser brings in markdown-it and the scene model, which listing
    # the course (read_catalogue, the first frame, `tutor lessons`) does not need.
    from tutor.lessons.parser import load_lesson

    files, errors = lesson_files(paths)
    lessons: list[Lesson] = []
    for path in files:
        lesson, problems = load_lesson(path, quiz_kinds)
        errors.extend(problems)
        if lesson is not None:
            lessons.append(lesson)
    return lessons, errors


def load_course(folder: Path, quiz_kinds: QuizKinds) -> tuple[list[Lesson], list[LessonError]]:
    """Every lesson in `folder`, fully parsed, in course order, plus all errors."""
    lessons, errors = load_lessons([folder], quiz_kinds)
    errors.extend(check_course([lesson.meta for lesson in lessons]))
    lessons.sort(key=lambda lesson: (lesson.meta.order, lesson.meta.id))
    return lessons, errors


def find_lesson(folder: Path, lesson_id: str,
                quiz_kinds: QuizKinds) -> tuple[Lesson | None, list[LessonError]]:
    """Load one lesson by id (reading only front matter to find it)."""
    catalogue = read_catalogue(folder)
    meta = catalogue.get(lesson_id)
    if meta is None:
        return None, []
    from tutor.lessons.parser import load_lesson

    return load_lesson(Path(meta.path), quiz_kinds)
