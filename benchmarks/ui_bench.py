"""TUI benchmarks: start-up and memory against a bare Textual app measured in the same run.

    python -m benchmarks.ui_bench [--runs N]

1. Time to first frame of `tutor` (catalogue) vs a bare Textual app that shows lesson 1's
   Markdown, each in a fresh interpreter, whole process wall time. Target ≤ 1.25×
   (stretch: ≤ 300 ms here).
2. Peak memory (max RSS) of the same two processes. Target ≤ 1.3×.
3. A lesson switch (catalogue → player with its stage drawn). Target ≤ 150 ms.
4. CPU while idle for 2 s after the first frame. Target ≈ 0.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

CHILD = "benchmarks.ui_child"


def run_child(kind: str) -> dict[str, float]:
    """One fresh interpreter; returns its wall time and what it measured itself."""
    env = {**os.environ, "TEXTUAL_ANIMATIONS": "none", "TUTOR_DATA_DIR": "/tmp/tutor-bench"}
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", CHILD, kind], capture_output=True,
                            text=True, env=env, timeout=120, check=True)
    wall = time.perf_counter() - start
    measured: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    measured["wall"] = wall
    return measured


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    ours: list[dict[str, float]] = []
    bare: list[dict[str, float]] = []
    for _ in range(args.runs):  # interleaved, so machine noise hits both
        ours.append(run_child("tutor"))
        bare.append(run_child("bare"))
    extra = [run_child("tutor-extra") for _ in range(max(1, args.runs // 2))]

    def median(rows: list[dict[str, float]], key: str) -> float:
        return statistics.median(row[key] for row in rows)

    first_ours, first_bare = median(ours, "wall"), median(bare, "wall")
    print(f"first frame (process wall)   tutor {first_ours * 1e3:7.0f} ms   bare "
          f"{first_bare * 1e3:7.0f} ms   ratio {first_ours / first_bare:.2f}x "
          "(target ≤ 1.25x; stretch ≤ 300 ms)")
    rss_ours, rss_bare = median(ours, "max_rss_kb"), median(bare, "max_rss_kb")
    print(f"peak memory (max RSS)        tutor {rss_ours / 1024:7.1f} MB   bare "
          f"{rss_bare / 1024:7.1f} MB   ratio {rss_ours / rss_bare:.2f}x (target ≤ 1.3x)")
    switch = median(extra, "lesson_switch")
    print(f"lesson switch until drawn    {switch * 1e3:7.0f} ms (target ≤ 150 ms)")
    idle = median(extra, "idle_cpu_fraction")
    print(f"CPU while idle (2 s)         {idle * 100:7.2f} % of one core (target ≈ 0)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
