"""`tutor lint`: every check a lesson author needs before a learner sees the lesson.

Parsing and course checks come first; then every scene runs headless, and an
expectation that does not hold is an error at the line where it is written.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from tutor.lessons.course import check_course, lesson_files, read_catalogue
from tutor.lessons.model import Lesson, LessonError, QuizBlock, SceneBlock
from tutor.lessons.parser import load_lesson
from tutor.repeater.challenges import verify_challenge
from tutor.scenes.engine import SceneEngine


def lint_paths(paths: list[Path], run_scenes: bool = True) -> list[LessonError]:
    """All errors in the lesson files and folders given, sorted by file and line."""
    files, errors = lesson_files(paths)
    lessons: list[Lesson] = []
    for path in files:
        lesson, problems = load_lesson(path)
        errors.extend(problems)
        if lesson is not None:
            lessons.append(lesson)
    errors.extend(_course_errors(paths, lessons))
    if run_scenes:
        for lesson in lessons:
            errors.extend(asyncio.run(run_lesson_scenes(lesson)))
    return sorted(errors, key=lambda e: (e.path, e.line, e.column, e.message))


def _course_errors(paths: list[Path], lessons: list[Lesson]) -> list[LessonError]:
    """Course checks; a file linted on its own is checked against its folder's lessons."""
    linted = {str(lesson.path) for lesson in lessons}
    metas = {m.path: m for lesson in lessons for m in [lesson.meta]}
    for folder in {path.parent for path in paths if path.is_file()}:
        for meta in read_catalogue(folder).lessons:
            metas.setdefault(meta.path, meta)
    return [e for e in check_course(list(metas.values())) if e.path in linted]


# Statuses each step's main exchange returned, per (scene id, track label).
Statuses = dict[tuple[str, str], list[int | None]]


async def run_lesson_scenes(lesson: Lesson) -> list[LessonError]:
    """Run every scene (every track) of a lesson; each broken promise is an error, and
    so is a predict quiz whose stated answer is not what its scene really returns, and a
    challenge whose reference solution does not reach its goal."""
    errors: list[LessonError] = []
    statuses: Statuses = {}
    for block in lesson.scenes:
        errors.extend(await run_scene_block(block, str(lesson.path), statuses))
    for quiz in lesson.quizzes:
        if quiz.kind == "predict":
            errors.extend(check_predict(quiz, lesson, statuses))
        elif quiz.kind == "challenge":
            errors.extend(await check_challenge(quiz, lesson))
    return errors


async def check_challenge(quiz: QuizBlock, lesson: Lesson) -> list[LessonError]:
    """A challenge must be winnable and not already won: lint runs its reference
    solution against a fresh challenge server, after checking that doing nothing fails."""
    errors: list[LessonError] = []
    for key, message in await verify_challenge(quiz.data):
        line, column = quiz.locate(key)
        errors.append(LessonError(str(lesson.path), line, column,
                                  f"quiz {quiz.id}: {message}"))
    return errors


def check_predict(quiz: QuizBlock, lesson: Lesson, statuses: Statuses) -> list[LessonError]:
    """A predict quiz cannot lie: its answer must be what the named step returns."""
    path = str(lesson.path)
    scene_id, step, answer = quiz.data["scene"], quiz.data["step"], quiz.data["answer"]
    block = next((b for b in lesson.scenes if b.id == scene_id), None)

    def error(key: str, message: str) -> list[LessonError]:
        line, column = quiz.locate(key)
        return [LessonError(path, line, column, f"quiz {quiz.id}: {message}")]

    if block is None:
        return error("scene", f"names scene {scene_id!r}, which this lesson does not have")
    labels = [label for label, _ in block.tracks]
    track = quiz.data.get("track", labels[0] if len(labels) == 1 else None)
    if track not in labels:
        return error("track", f"scene {scene_id!r} has tracks {', '.join(labels)}: "
                     "name one with `track:`")
    results = statuses.get((scene_id, track), [])
    if not 0 <= step < len(results):
        return error("step", f"step {step} is outside scene {scene_id!r} "
                     f"(steps 0 to {len(results) - 1})")
    actual = results[step]
    if actual is None:
        return error("step", f"step {step} of scene {scene_id!r} makes no HTTP request")
    if actual != answer:
        return error("answer", f"answer {answer}, but step {step} of scene {scene_id!r} "
                     f"really returns {actual}")
    return []


async def run_scene_block(
    block: SceneBlock, path: str, statuses: Statuses | None = None
) -> list[LessonError]:
    """Run one scene block and report what failed, where it is written."""
    errors: list[LessonError] = []
    for label, scene in block.tracks:
        track = f" ({label} track)" if label else ""
        engine = SceneEngine(scene)
        records = await engine.run_all()
        if statuses is not None:
            statuses[(block.id, label)] = [
                r.outcome.main.response.status if r.outcome.main else None for r in records
            ]
        for record in records:
            step = scene.steps[record.index]
            if record.error:
                line, column = block.locate(step.path)
                errors.append(LessonError(path, line, column, f"scene {block.id}{track}, step "
                                          f"{record.index + 1} ({step.action}): {record.error}"))
            for failure in record.failures:
                line, column = block.locate(failure.expectation.path)
                errors.append(LessonError(
                    path, line, column,
                    f"scene {block.id}{track}, step {record.index + 1} ({step.action}): "
                    f"expected {failure.expectation.kind} {failure.expectation.value!r}, "
                    f"but {failure.detail}",
                ))
    return errors
