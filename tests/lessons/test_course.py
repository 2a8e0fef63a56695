"""The shipped course: it loads, lints clean, and every scene's expectations hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor.lessons.course import default_course_dir, load_course, read_catalogue
from tutor.lessons.lint import lint_paths, run_scene_block
from tutor.lessons.model import Lesson
from tutor.quiz.kinds import KINDS

COURSE = default_course_dir()
LESSONS, LOAD_ERRORS = load_course(COURSE, KINDS)


def test_the_course_is_found_and_loads_without_errors() -> None:
    assert COURSE.is_dir()
    assert LESSONS, "no lessons found"
    assert [str(e) for e in LOAD_ERRORS] == []


def test_the_catalogue_agrees_with_the_full_parse() -> None:
    catalogue = read_catalogue(COURSE)
    assert catalogue.errors == ()
    assert [m.id for m in catalogue.lessons] == [lesson.meta.id for lesson in LESSONS]


def test_lesson_order_numbers_are_unique() -> None:
    orders = [lesson.meta.order for lesson in LESSONS]
    assert len(set(orders)) == len(orders)


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.meta.id)
async def test_every_scene_of_every_lesson_keeps_its_promises(lesson: Lesson) -> None:
    """What is taught must be true: each expectation is checked against the live server."""
    assert lesson.scenes, f"{lesson.meta.id} has no scene"
    for block in lesson.scenes:
        errors = await run_scene_block(block, str(lesson.path))
        assert [str(e) for e in errors] == []


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.meta.id)
def test_every_lesson_cites_its_sources_and_has_hints(lesson: Lesson) -> None:
    assert lesson.sources, f"{lesson.meta.id} has no ## Sources list"
    assert lesson.hints, f"{lesson.meta.id} has no ## Hints list"


def test_requires_point_backwards_in_the_course() -> None:
    position = {lesson.meta.id: lesson.meta.order for lesson in LESSONS}
    for lesson in LESSONS:
        for required in lesson.meta.requires:
            assert position[required] < lesson.meta.order, (lesson.meta.id, required)


def test_lint_reports_course_errors(tmp_path: Path) -> None:
    """Duplicate ids, unknown requires and cycles are found across files."""
    template = (
        "---\nid: {id}\ntitle: T\nsummary: S\norder: {order}\nlevel: beginner\nminutes: 1\n"
        "requires: [{requires}]\nformat_version: 1\n---\n"
        "```scene\nid: s\nsteps:\n  - visit: /\n    expect: {{status: 200}}\n```\n"
    )
    (tmp_path / "a.md").write_text(template.format(id="a", order=1, requires="b"))
    (tmp_path / "b.md").write_text(template.format(id="b", order=2, requires="a"))
    (tmp_path / "c.md").write_text(template.format(id="a", order=3, requires="zzz"))
    messages = [str(e) for e in lint_paths([tmp_path], KINDS)]
    assert any("cycle" in m for m in messages)
    assert any("also used by" in m for m in messages)
    assert any("requires 'zzz'" in m for m in messages)
