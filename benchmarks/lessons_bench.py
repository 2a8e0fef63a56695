"""Lesson parsing benchmarks: absolute times against targets, and ratios to a baseline.

    python -m benchmarks.lessons_bench [--check]

Targets (issue 4): parse one lesson ≤ 5 ms; read the catalogue (front matter of every
lesson) ≤ 15 ms. The baseline, measured in the same run, is markdown-it alone parsing
the same files: the ratio shows what validation and YAML add on top of Markdown.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from markdown_it import MarkdownIt

from tutor.lessons.course import default_course_dir, lesson_files, read_catalogue
from tutor.lessons.parser import parse_lesson
from tutor.quiz.kinds import KINDS

REPEATS = 30


def median_seconds(run: Callable[[], object], repeats: int = REPEATS) -> float:
    """The median wall time of `repeats` calls."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--lessons", type=Path, default=default_course_dir())
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    files, _ = lesson_files([args.lessons])
    if not files:
        print(f"no lessons in {args.lessons}")
        return 1
    texts = [(str(path), path.read_text(encoding="utf-8")) for path in files]
    markdown = MarkdownIt("commonmark")
    ok = True
    worst_name, worst = "", 0.0
    for name, text in texts:
        elapsed = median_seconds(partial(parse_lesson, text, name, quiz_kinds=KINDS))
        if elapsed > worst:
            worst_name, worst = name, elapsed
    baseline = max(median_seconds(partial(markdown.parse, text)) for _, text in texts)
    ok &= worst <= 0.005
    print(f"parse one lesson (slowest: {Path(worst_name).name}) {worst * 1e3:6.2f} ms "
          f"(target ≤ 5 ms: {'ok' if worst <= 0.005 else 'OVER'}); markdown-it alone "
          f"{baseline * 1e3:.2f} ms, ratio {worst / baseline:.1f}x")
    catalogue = median_seconds(lambda: read_catalogue(args.lessons))
    ok &= catalogue <= 0.015
    print(f"catalogue of {len(files)} lessons {catalogue * 1e3:6.2f} ms "
          f"(target ≤ 15 ms: {'ok' if catalogue <= 0.015 else 'OVER'})")
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
