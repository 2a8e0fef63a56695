"""Stage redraw benchmarks: the story renderer against a frame budget and a floor.

    python -m benchmarks.stage_bench [--rounds N] [--check]

1. The longest scene of the course (most beats), drawn after its last step at the size a
   track has in a 200×60 terminal (the new step told, the earlier ones reused, the rows
   drawn), against a 60 fps frame (16.7 ms) and against the floor: a Rich Text of the
   same number of plain lines. Telling the whole scene from nothing is printed too.
2. Growth: a 400-step scene, the redraw after step 10 and after step 400, alternated
   round by round; the rows drawn are as many, so the cost should not grow.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from typing import Any

from rich.text import Text

from benchmarks.common import report
from tutor.lessons.course import default_course_dir, find_lesson, read_catalogue
from tutor.quiz.kinds import KINDS
from tutor.scenes import SceneEngine, parse_scene
from tutor.scenes.beats import StoryBook
from tutor.scenes.events import SceneEvent
from tutor.scenes.model import Scene
from tutor.ui.render.story import render_story
from tutor.ui.render.track_layout import sequence_rows

WIDTH, HEIGHT = 116, 55
"""A track's width and height in a 200×60 terminal (measured with the pilot)."""
FRAME = 1 / 60
REDRAWS = 200


Steps = list[list[SceneEvent]]


async def _steps(scene: Scene, count: int | None = None) -> Steps:
    """Each step's events, as the engine recorded them."""
    engine = SceneEngine(scene)
    while not engine.at_end and (count is None or engine.position < count):
        await engine.forward()
    return [list(record.events) for record in engine.records]


def after_new_step(book: StoryBook, steps: Steps) -> Text:
    """The stage's work after a step: tell the new step (a fresh list, so the book tells
    it again), reuse the rest, draw the rows."""
    fresh = [*steps[:-1], list(steps[-1])]
    return render_story(book.story(fresh), None, WIDTH, sequence_rows(HEIGHT))


async def longest_scene() -> tuple[str, Scene, Steps]:
    best: tuple[str, Scene, Steps] | None = None
    best_beats = -1
    folder = default_course_dir()
    for meta in read_catalogue(folder).lessons:
        lesson, _ = find_lesson(folder, meta.id, KINDS)
        if lesson is None:
            continue
        for block in lesson.scenes:
            for _, scene in block.tracks:
                steps = await _steps(scene)
                beats = len(StoryBook(scene).story(steps).beats)
                if beats > best_beats:
                    best, best_beats = (f"{meta.id}/{block.id}", scene, steps), beats
    assert best is not None
    return best


def floor(lines: int) -> Text:
    return Text("\n").join(Text("│" + " " * (WIDTH - 2) + "│") for _ in range(lines))


def frame_budget(rounds: int) -> bool:
    name, scene, steps = asyncio.run(longest_scene())
    book = StoryBook(scene)
    lines = len(after_new_step(book, steps).split("\n"))
    ours: list[float] = []
    base: list[float] = []
    cold: list[float] = []
    for round_number in range(rounds + 1):
        start = time.perf_counter()
        for _ in range(REDRAWS):
            after_new_step(book, steps)
        mine = time.perf_counter() - start
        start = time.perf_counter()
        for _ in range(REDRAWS):
            floor(lines)
        theirs = time.perf_counter() - start
        start = time.perf_counter()
        for _ in range(REDRAWS // 10):
            after_new_step(StoryBook(scene), steps)
        scratch = time.perf_counter() - start
        if round_number:  # the first round warms up
            ours.append(mine)
            base.append(theirs)
            cold.append(scratch)
    per_redraw = statistics.median(ours) / REDRAWS
    spread = (max(ours) - min(ours)) / REDRAWS
    beats = len(book.story(steps).beats)
    print(f"longest scene: {name}, {len(steps)} steps, {beats} beats, {lines} lines drawn "
          f"at {WIDTH} columns")
    print(f"{'redraw after a step':<44} {per_redraw * 1e3:8.3f} ms "
          f"(spread {spread * 1e3:.3f} ms): {per_redraw / FRAME:.1%} of a 60 fps frame")
    print(f"{'the whole scene told from nothing + drawn':<44} "
          f"{statistics.median(cold) / (REDRAWS // 10) * 1e3:8.3f} ms")
    report("redraw vs plain Text of the same lines", ours, base, REDRAWS, 3.0)
    return per_redraw < FRAME / 4


def _long_scene(requests: int) -> dict[str, Any]:
    steps: list[dict[str, Any]] = [{"login": {}}]
    steps += [{"request": "/profile"} for _ in range(requests)]
    return {"server": {"mode": "cookie", "scrypt_cost": 1024}, "steps": steps}


def growth(rounds: int) -> bool:
    scene = parse_scene(_long_scene(399))
    late = asyncio.run(_steps(scene))
    early = late[:10]
    books = {10: StoryBook(scene), 400: StoryBook(scene)}
    books[10].story(early)
    books[400].story(late)
    at_10: list[float] = []
    at_400: list[float] = []
    for round_number in range(rounds + 1):
        order = ((10, early, at_10), (400, late, at_400))
        for size, steps, times in order if round_number % 2 else order[::-1]:
            start = time.perf_counter()
            for _ in range(20):
                after_new_step(books[size], steps)
            if round_number:
                times.append(time.perf_counter() - start)
    return report("redraw after step 400 vs after step 10", at_400, at_10, 20, 1.2)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    ok = frame_budget(args.rounds)
    ok = growth(args.rounds) and ok
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
