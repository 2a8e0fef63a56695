"""Stage redraw benchmarks: the story renderer against a frame budget and a floor.

    python -m benchmarks.stage_bench [--rounds N] [--check]

1. The longest scene of the course (most beats), told and drawn at the size a track has
   in a 200×60 terminal, per redraw, against a 60 fps frame (16.7 ms) and against the
   floor: building a Rich Text of the same number of plain lines.
2. Growth: a 400-step scene, one redraw at step 10 and at step 400 (the rows drawn are
   the same; telling the story grows with the steps), alternated round by round.
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
from tutor.scenes import SceneEngine, parse_scene
from tutor.scenes.beats import story_of
from tutor.scenes.events import SceneEvent
from tutor.scenes.model import Scene
from tutor.ui.render.story import render_story, sequence_rows

WIDTH, HEIGHT = 116, 55
"""A track's width and height in a 200×60 terminal (measured with the pilot)."""
FRAME = 1 / 60
REDRAWS = 200


async def _events(scene: Scene, steps: int | None = None) -> list[SceneEvent]:
    engine = SceneEngine(scene)
    while not engine.at_end and (steps is None or engine.position < steps):
        await engine.forward()
    return [event for record in engine.records for event in record.events]


async def longest_scene() -> tuple[str, Scene, list[SceneEvent]]:
    best: tuple[str, Scene, list[SceneEvent]] | None = None
    best_beats = -1
    folder = default_course_dir()
    for meta in read_catalogue(folder).lessons:
        lesson, _ = find_lesson(folder, meta.id)
        if lesson is None:
            continue
        for block in lesson.scenes:
            for _, scene in block.tracks:
                events = await _events(scene)
                beats = len(story_of(scene, events).beats)
                if beats > best_beats:
                    best, best_beats = (f"{meta.id}/{block.id}", scene, events), beats
    assert best is not None
    return best


def redraw(scene: Scene, events: list[SceneEvent]) -> Text:
    story = story_of(scene, events)
    return render_story(story, None, WIDTH, sequence_rows(HEIGHT))


def floor(lines: int) -> Text:
    return Text("\n").join(Text("│" + " " * (WIDTH - 2) + "│") for _ in range(lines))


def frame_budget(rounds: int) -> bool:
    name, scene, events = asyncio.run(longest_scene())
    lines = len(redraw(scene, events).split("\n"))
    ours: list[float] = []
    base: list[float] = []
    for round_number in range(rounds + 1):
        start = time.perf_counter()
        for _ in range(REDRAWS):
            redraw(scene, events)
        mine = time.perf_counter() - start
        start = time.perf_counter()
        for _ in range(REDRAWS):
            floor(lines)
        theirs = time.perf_counter() - start
        if round_number:  # the first round warms up
            ours.append(mine)
            base.append(theirs)
    per_redraw = statistics.median(ours) / REDRAWS
    spread = (max(ours) - min(ours)) / REDRAWS
    print(f"longest scene: {name}, {len(story_of(scene, events).beats)} beats, "
          f"{lines} lines drawn at {WIDTH} columns")
    print(f"{'redraw (tell + draw)':<44} {per_redraw * 1e3:8.3f} ms per redraw "
          f"(spread {spread * 1e3:.3f} ms): {per_redraw / FRAME:.1%} of a 60 fps frame")
    report("redraw vs plain Text of the same lines", ours, base, REDRAWS, 25.0)
    return per_redraw < FRAME / 4


def _long_scene(requests: int) -> dict[str, Any]:
    steps: list[dict[str, Any]] = [{"login": {}}]
    steps += [{"request": "/profile"} for _ in range(requests)]
    return {"server": {"mode": "cookie", "scrypt_cost": 1024}, "steps": steps}


def growth(rounds: int) -> bool:
    scene = parse_scene(_long_scene(399))
    early = asyncio.run(_events(scene, 10))
    late = asyncio.run(_events(scene))
    at_10: list[float] = []
    at_400: list[float] = []
    for round_number in range(rounds + 1):
        for events, times in ((early, at_10), (late, at_400)) if round_number % 2 else (
                (late, at_400), (early, at_10)):
            start = time.perf_counter()
            for _ in range(20):
                redraw(scene, events)
            if round_number:
                times.append(time.perf_counter() - start)
    return report("redraw at step 400 vs at step 10", at_400, at_10, 20, 1.2)


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
