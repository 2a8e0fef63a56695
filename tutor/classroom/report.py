"""The teacher's view of a class: per learner and lesson, what is finished and the quiz
scores; across the class, the questions missed most and what their wrong answers mean.

Progress files are read with the importer's own validation (`read_progress_file`), so a
corrupt or hostile file is reported and skipped, never trusted and never changed: the
report only reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tutor.classroom.learners import LEARNERS_FOLDER, PROGRESS_FILE, learners_in
from tutor.lessons.model import Lesson
from tutor.progress import Progress, Status
from tutor.progress_transfer import TransferError, read_progress_file

MOST_MISSED = 5
"""How many questions the class summary lists."""


@dataclass(frozen=True)
class LearnerProgress:
    """One learner's progress as read from one file."""

    name: str
    source: Path
    progress: Progress


@dataclass(frozen=True)
class Unreadable:
    """A progress file the report skipped, and why (the importer's message)."""

    source: Path
    reason: str


@dataclass(frozen=True)
class QuestionInfo:
    """What the course says about one quiz question."""

    key: str
    """`lesson-id/quiz-id`, as progress keys it."""
    lesson_id: str
    text: str
    misconceptions: tuple[tuple[str, str], ...]
    """(wrong option, the feedback that names the mistake it reveals), per wrong option."""


@dataclass(frozen=True)
class LessonCell:
    """One learner in one lesson."""

    status: Status
    right: int
    """Questions answered right the last time they were asked."""
    asked: int
    """Questions of this lesson the learner has been asked at least once."""
    total: int
    """Questions the lesson has."""


@dataclass(frozen=True)
class LearnerRow:
    """One learner across the course."""

    name: str
    cells: tuple[LessonCell, ...]
    """In the order of `ClassReport.lessons`."""

    @property
    def done(self) -> int:
        """Lessons finished."""
        return sum(cell.status == "done" for cell in self.cells)

    @property
    def right(self) -> int:
        """Questions answered right the last time, over the course."""
        return sum(cell.right for cell in self.cells)


@dataclass(frozen=True)
class MissedQuestion:
    """A question the class found hard."""

    info: QuestionInfo
    learners_asked: int
    learners_missed: int
    """Learners whose last answer to it was wrong (or who gave up on it)."""
    wrong_tries: int
    """Wrong answers given by the whole class, retries included."""


@dataclass(frozen=True)
class ClassReport:
    """Everything `tutor classroom report` shows, in display order."""

    lessons: tuple[tuple[str, str], ...]
    """(id, title) of every lesson in course order."""
    learners: tuple[LearnerRow, ...]
    most_missed: tuple[MissedQuestion, ...]
    skipped: tuple[Unreadable, ...]


def read_class(paths: Sequence[Path]) -> tuple[list[LearnerProgress], list[Unreadable]]:
    """Every learner's progress found at `paths`: a class folder served by `tutor web`
    (its `learners/` are read), one learner's folder, or exported progress files."""
    found: list[LearnerProgress] = []
    skipped: list[Unreadable] = []
    for name, source in _sources(paths, skipped):
        try:
            found.append(LearnerProgress(name, source, read_progress_file(source)))
        except TransferError as exc:
            skipped.append(Unreadable(source, str(exc)))
    return _distinct_names(found), skipped


def _sources(paths: Sequence[Path],
             skipped: list[Unreadable]) -> Iterable[tuple[str, Path]]:
    for path in paths:
        if (path / LEARNERS_FOLDER).is_dir():
            for learner in learners_in(path):
                if learner.progress_file.is_file():
                    yield learner.name, learner.progress_file
        elif (path / PROGRESS_FILE).is_file():
            yield path.name, path / PROGRESS_FILE
        elif path.is_file():
            yield path.stem, path
        elif path.is_dir():
            skipped.append(Unreadable(path, f"{path}: no {LEARNERS_FOLDER}/ folder and no "
                                      f"{PROGRESS_FILE} in it"))
        else:
            skipped.append(Unreadable(path, f"{path}: no such file or folder"))


def _distinct_names(found: list[LearnerProgress]) -> list[LearnerProgress]:
    """Two files of one name (alice.json from two folders) stay two rows: `alice (2)`."""
    seen: dict[str, int] = {}
    result = []
    for item in found:
        key = item.name.casefold()
        seen[key] = seen.get(key, 0) + 1
        name = item.name if seen[key] == 1 else f"{item.name} ({seen[key]})"
        result.append(LearnerProgress(name, item.source, item.progress))
    return result


def questions_of(lessons: Sequence[Lesson]) -> dict[str, QuestionInfo]:
    """Every quiz question of the course by progress key."""
    questions: dict[str, QuestionInfo] = {}
    for lesson in lessons:
        for block in lesson.quizzes:
            key = f"{lesson.meta.id}/{block.id}"
            questions[key] = QuestionInfo(key, lesson.meta.id, block.spec.question,
                                          _misconceptions(block.spec))
    return questions


def _misconceptions(spec: object) -> tuple[tuple[str, str], ...]:
    # Choice kinds only: a wrong option is a belief, and its feedback names it.
    options = getattr(spec, "options", ())
    return tuple((option.text, option.feedback) for option in options
                 if not getattr(option, "correct", False))


def build_report(learners: Sequence[LearnerProgress], lessons: Sequence[Lesson],
                 skipped: Sequence[Unreadable] = ()) -> ClassReport:
    """The report of `learners` over the course `lessons`."""
    questions = questions_of(lessons)
    per_lesson: dict[str, list[str]] = {}
    for key, info in questions.items():
        per_lesson.setdefault(info.lesson_id, []).append(key)
    rows = tuple(
        LearnerRow(item.name, tuple(_cell(item.progress, lesson.meta.id,
                                          per_lesson.get(lesson.meta.id, []))
                                    for lesson in lessons))
        for item in sorted(learners, key=lambda learner: learner.name.casefold()))
    return ClassReport(
        lessons=tuple((lesson.meta.id, lesson.meta.title) for lesson in lessons),
        learners=rows,
        most_missed=_most_missed(learners, questions),
        skipped=tuple(skipped),
    )


def _cell(progress: Progress, lesson_id: str, keys: list[str]) -> LessonCell:
    entries = [progress.quiz[key] for key in keys if key in progress.quiz]
    return LessonCell(progress.status(lesson_id),
                      sum(1 for entry in entries if entry.last_correct),
                      sum(1 for entry in entries if entry.times_asked), len(keys))


def _most_missed(learners: Sequence[LearnerProgress],
                 questions: dict[str, QuestionInfo]) -> tuple[MissedQuestion, ...]:
    missed: list[MissedQuestion] = []
    for key, info in questions.items():
        entries = [item.progress.quiz[key] for item in learners
                   if key in item.progress.quiz and item.progress.quiz[key].times_asked]
        if not entries:
            continue
        wrong_tries = sum(max(entry.attempts - entry.times_correct, 0) for entry in entries)
        learners_missed = sum(1 for entry in entries if entry.last_correct is False)
        if learners_missed or wrong_tries:
            missed.append(MissedQuestion(info, len(entries), learners_missed, wrong_tries))
    missed.sort(key=lambda item: (-item.learners_missed / item.learners_asked,
                                  -item.wrong_tries, item.info.key))
    return tuple(missed[:MOST_MISSED])
