"""Lesson parsing benchmarks: ratios to baselines measured in the same run, per lesson.

    python -m benchmarks.lessons_bench [--rounds N] [--processes N]

1. Parse one lesson: `parse_lesson` against markdown-it alone parsing the same file,
   alternated round by round, a ratio per lesson (what validation, YAML and the scene
   and quiz models add on top of Markdown). The absolute time is shown against the old
   5 ms target for information only: on a shared machine it says more about the load.
2. The catalogue (front matter of every lesson): `read_catalogue` against PyYAML reading
   the same front matter, alternated.
3. `tutor lessons` as a whole process against a PyYAML script printing the same lines,
   alternated (what a learner waits for: interpreter, imports and all), with the
   catalogue's cache filled by a first run, as on every launch after the first.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import yaml
from markdown_it import MarkdownIt

from tutor.lessons.course import default_course_dir, lesson_files, read_catalogue
from tutor.lessons.parser import parse_lesson
from tutor.quiz.kinds import KINDS

PARSE_TARGET_S = 0.005
REPO = Path(__file__).resolve().parent.parent

FRONT_MATTER_SCRIPT = """
import sys
from pathlib import Path
import yaml
for path in sorted(Path(sys.argv[1]).glob("*.md")):
    lines = path.read_text(encoding="utf-8").split("\\n")
    end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    meta = yaml.load("\\n".join(lines[1:end]), Loader=yaml.CSafeLoader)
    print(f"{meta['id']}\\t{meta['title']}\\t{meta['minutes']}\\t{meta['level']}")
"""
"""The baseline for `tutor lessons`: the same lines, read with PyYAML's C loader."""


def alternate(ours: Callable[[], object], baseline: Callable[[], object],
              rounds: int) -> tuple[list[float], list[float]]:
    """Seconds per call of each side, A B A B …, after one warm-up call of each."""
    ours(), baseline()
    ours_times: list[float] = []
    base_times: list[float] = []
    for _ in range(rounds):
        for run, times in ((ours, ours_times), (baseline, base_times)):
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
    return ours_times, base_times


def pair_ratios(ours: list[float], baseline: list[float]) -> list[float]:
    return [a / b for a, b in zip(ours, baseline, strict=True)]


def describe(ratios: list[float]) -> str:
    return (f"{statistics.median(ratios):.2f}x (range {min(ratios):.2f}–{max(ratios):.2f}, "
            f"n={len(ratios)})")


def front_matter_with_pyyaml(paths: list[Path]) -> list[object]:
    """The baseline for the catalogue: each file's front matter through PyYAML."""
    metas = []
    for path in paths:
        lines = path.read_text(encoding="utf-8").split("\n")
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
        metas.append(yaml.load("\n".join(lines[1:end]), Loader=yaml.CSafeLoader))
    return metas


def parse_per_lesson(files: list[Path], rounds: int) -> None:
    markdown = MarkdownIt("commonmark")
    medians: dict[str, tuple[float, float]] = {}
    for path in files:
        text = path.read_text(encoding="utf-8")
        ours, base = alternate(partial(parse_lesson, text, str(path), quiz_kinds=KINDS),
                               partial(markdown.parse, text), rounds)
        medians[path.name] = (statistics.median(pair_ratios(ours, base)),
                              statistics.median(ours))
    ratios = [ratio for ratio, _ in medians.values()]
    worst = max(medians, key=lambda name: medians[name][0])
    slowest = max(medians, key=lambda name: medians[name][1])
    slowest_s = medians[slowest][1]
    print(f"parse one lesson vs markdown-it alone, per lesson: median {describe(ratios)}; "
          f"highest {worst} {medians[worst][0]:.2f}x")
    print(f"  slowest lesson {slowest} {slowest_s * 1e3:.2f} ms "
          f"(old absolute target ≤ {PARSE_TARGET_S * 1e3:.0f} ms, for information: "
          f"{'ok' if slowest_s <= PARSE_TARGET_S else 'over'})")


def catalogue(folder: Path, files: list[Path], rounds: int) -> None:
    ours, base = alternate(partial(read_catalogue, folder),
                           partial(front_matter_with_pyyaml, files), rounds)
    print(f"catalogue of {len(files)} lessons vs PyYAML reading the same front matter: "
          f"{describe(pair_ratios(ours, base))}; ours {statistics.median(ours) * 1e3:.2f} ms")


def whole_process(folder: Path, runs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="tutor-bench-") as data:
        # The first run below fills the catalogue's cache there, as a learner's first
        # launch does; the timed runs read it (PyYAML is then not even imported).
        _whole_process(folder, runs, {**os.environ, "PYTHONPATH": str(REPO),
                                      "TUTOR_DATA_DIR": data})


def _whole_process(folder: Path, runs: int, env: dict[str, str]) -> None:
    ours = [sys.executable, "-c", "import sys; from tutor.cli import main; "
            "sys.exit(main(['lessons', '--lessons', sys.argv[1]]))", str(folder)]
    base = [sys.executable, "-c", FRONT_MATTER_SCRIPT, str(folder)]

    def run(command: list[str]) -> Callable[[], object]:
        return partial(subprocess.run, command, env=env, check=True, capture_output=True)

    same = [subprocess.run(command, env=env, check=True, capture_output=True).stdout
            for command in (ours, base)]
    if same[0] != same[1]:
        raise SystemExit("`tutor lessons` and the PyYAML script print different lines")
    ours_t, base_t = alternate(run(ours), run(base), runs)
    print(f"`tutor lessons` process vs a PyYAML front-matter script: "
          f"{describe(pair_ratios(ours_t, base_t))}; ours "
          f"{statistics.median(ours_t) * 1e3:.0f} ms, script "
          f"{statistics.median(base_t) * 1e3:.0f} ms (wall)")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--lessons", type=Path, default=default_course_dir())
    parser.add_argument("--rounds", type=int, default=30, help="alternated rounds in process")
    parser.add_argument("--processes", type=int, default=10, help="alternated process pairs")
    args = parser.parse_args()
    files, _ = lesson_files([args.lessons])
    if not files:
        print(f"no lessons in {args.lessons}")
        return 1
    parse_per_lesson(files, args.rounds)
    catalogue(args.lessons, files, args.rounds)
    whole_process(args.lessons, args.processes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
