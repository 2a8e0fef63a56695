"""`tutor lint`: every check a lesson author needs before a learner sees the lesson.

Parsing and course checks come first; then every scene runs headless, and an
expectation that does not hold is an error at the line where it is written.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from tutor.lessons.course import check_course, load_lessons, read_catalogue
from tutor.lessons.model import Lesson, LessonError, SceneBlock
from tutor.lessons.quizspec import LessonRun, QuizKinds
from tutor.lessons.setup_claims import setup_errors
from tutor.scenes.engine import SceneEngine
from tutor.scenes.sentences import step_sentence


def lint_paths(paths: list[Path], quiz_kinds: QuizKinds,
               run_scenes: bool = True) -> list[LessonError]:
    """All errors in the lesson files and folders given, sorted by file and line."""
    lessons, errors = load_lessons(paths, quiz_kinds)
    errors.extend(_course_errors(paths, lessons))
    for lesson in lessons:
        errors.extend(_control_errors(lesson))
        errors.extend(wording_errors(lesson))
        errors.extend(sources_errors(lesson))
        errors.extend(setup_errors(lesson))
    if run_scenes:
        for lesson in lessons:
            errors.extend(asyncio.run(run_lesson_scenes(lesson, quiz_kinds)))
    return sorted(errors, key=lambda e: (e.path, e.line, e.column, e.message))


def _control_errors(lesson: Lesson) -> list[LessonError]:
    from tutor.lessons.controls import control_errors
    from tutor.lessons.front_matter import read_lesson_text

    if lesson.path is None:
        return []
    try:
        text = read_lesson_text(lesson.path)
    except LessonError as exc:
        return [exc]
    return control_errors(lesson, text)


def _course_errors(paths: list[Path], lessons: list[Lesson]) -> list[LessonError]:
    """Course checks; a file linted on its own is checked against its folder's lessons."""
    linted = {str(lesson.path) for lesson in lessons}
    metas = {m.path: m for lesson in lessons for m in [lesson.meta]}
    for folder in {path.parent for path in paths if path.is_file()}:
        for meta in read_catalogue(folder).lessons:
            metas.setdefault(meta.path, meta)
    return [e for e in check_course(list(metas.values())) if e.path in linted]


def wording_errors(lesson: Lesson) -> list[LessonError]:
    """What a learner would read as an internal name: a scene with no title or an id for
    one, a step with no narration whose action does not describe itself."""
    errors: list[LessonError] = []
    path = str(lesson.path)
    for block in lesson.scenes:
        scene = block.scene
        title = scene.title.strip()
        if not title:
            line, column = block.locate("id")
            errors.append(LessonError(path, line, column, f"scene {block.id}: add a `title:` "
                                      "in words; the stage would show the id instead"))
        elif " " not in title and any(mark in title for mark in "-_"):
            line, column = block.locate("title")
            errors.append(LessonError(path, line, column, f"scene {block.id}: the title "
                                      f"{title!r} reads like an id; write it in words"))
        for number, step in enumerate(scene.steps, start=1):
            if not step.narration.strip() and step_sentence(step) is None:
                line, column = block.locate(step.path)
                errors.append(LessonError(
                    path, line, column,
                    f"scene {block.id}, step {number} ({step.action}): add a `narration:` "
                    f"saying what happens; a {step.action} step does not describe itself"))
    return errors


def sources_errors(lesson: Lesson) -> list[LessonError]:
    """A lesson without a `## Sources` list: what no scene shows must be cited there."""
    if lesson.sources:
        return []
    return [LessonError(str(lesson.path), 1, 1, "add a `## Sources` section with a bullet "
                        "per source: every claim a scene does not show must be cited")]


# Statuses each step's main exchange returned, per (scene id, track label).
Statuses = dict[tuple[str, str], list[int | None]]


async def run_lesson_scenes(lesson: Lesson, quiz_kinds: QuizKinds) -> list[LessonError]:
    """Run every scene (every track) of a lesson; each broken promise is an error, and so
    is a quiz whose kind finds it false against the running course (a predict answer that
    is not what its scene returns, a challenge whose solution does not reach its goal)."""
    errors: list[LessonError] = []
    statuses: Statuses = {}
    for block in lesson.scenes:
        errors.extend(await run_scene_block(block, str(lesson.path), statuses))
    run = LessonRun(lesson, statuses)
    for quiz in lesson.quizzes:
        for problem in await quiz_kinds.check(quiz, run):
            line, column = quiz.locate(problem.path)
            errors.append(LessonError(str(lesson.path), line, column,
                                      f"quiz {quiz.id}: {problem.message}"))
    return errors


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
