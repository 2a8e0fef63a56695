"""`tutor lint`: every check a lesson author needs before a learner sees the lesson.

Parsing and course checks come first; then every scene runs headless, and an
expectation that does not hold is an error at the line where it is written.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from tutor.lessons.course import check_course, lesson_files
from tutor.lessons.model import Lesson, LessonError, SceneBlock
from tutor.lessons.parser import load_lesson
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
    errors.extend(check_course([lesson.meta for lesson in lessons]))
    if run_scenes:
        for lesson in lessons:
            errors.extend(asyncio.run(run_lesson_scenes(lesson)))
    return sorted(errors, key=lambda e: (e.path, e.line, e.column, e.message))


async def run_lesson_scenes(lesson: Lesson) -> list[LessonError]:
    """Run every scene (every track) of a lesson; each broken promise is an error."""
    errors: list[LessonError] = []
    for block in lesson.scenes:
        errors.extend(await run_scene_block(block, str(lesson.path)))
    return errors


async def run_scene_block(block: SceneBlock, path: str) -> list[LessonError]:
    """Run one scene block and report what failed, where it is written."""
    errors: list[LessonError] = []
    for label, scene in block.tracks:
        track = f" ({label} track)" if label else ""
        engine = SceneEngine(scene)
        records = await engine.run_all()
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
