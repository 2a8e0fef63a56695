"""TUI benchmarks: start-up, memory and the lesson switch, against baselines in the same run.

    python -m benchmarks.ui_bench [--runs N] [--tours N] [--tours-only | --start-only]

Every figure is a ratio to a baseline measured in the same run, in fresh interpreters,
the sides alternated (the machine is shared and noisy: medians, with the spread):

1. First frame: process start until the first frame is composed, `tutor` (the
   catalogue) against a minimal Textual app (Header, Static, Footer). Target ≤ 1.3×.
   Also shown: the CPU each process used until then (less at the mercy of other load).
   Also shown: lesson 1 in Textual's Markdown widget (the old baseline; the tutor no
   longer uses that widget).
2. Memory after warm-up: resident memory once the warm-up thread has loaded the engine,
   the server and the player, against the floor: the minimal app whose own warm-up
   thread imports the stack any in-process mock server must (httpx, PyJWT, which brings
   cryptography, and Starlette). Target ≤ 1.3×. Also shown against the bare minimal app,
   with the floor's own ratio: the required stack alone is about 1.5× that app, so
   ≤ 1.3× of it cannot hold once a lesson can open without a wait (see
   docs/architecture.md, "Memory and the warm-up"). And against lesson 1 in Textual's
   Markdown, the baseline issue 13 first measured (it loads no engine, so it holds the
   same once its lesson is drawn).
3. Lesson switch: opening each lesson from the catalogue until the first frame with its
   stage drawn, against pushing a minimal screen (Static, Footer) in the same app,
   alternated. Target ≤ 150 ms (flagged; the ratio says how much of it is Textual's
   own cost of showing any screen on this machine). Also shown, with no target: how long
   after `open_lesson` a key pressed as soon as the stage shows is acted on (it waits
   for the prose to be mounted and laid out), and how long until the app is idle again,
   its whole prose mounted, measured and drawn.
4. Memory across tours: every lesson opened, stepped twice and closed, five times over.
   Target: flat (the last tour adds at most 1% to the one before). The first tours add
   what lessons load once (Rich's Markdown, Pygments' lexers) and fill bounded caches
   (Rich's and Textual's); measured here they level off by the fourth tour.
5. CPU while idle on the catalogue for 2 s. Target ≈ 0.

Every child loads compiled bytecode, as an installed tutor (and Textual) does: children
run with bytecode writing on (whatever PYTHONDONTWRITEBYTECODE says here) and their cache
in a folder of this run (PYTHONPYCACHEPREFIX), filled by the warm-up runs. Without it the
tutor's own modules were compiled from source in every run while Textual's came from
site-packages' caches: 60 ms of the first frame and 1.5 MB that a learner never pays.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

CHILD = "benchmarks.ui_child"
CATALOGUE_CACHE = "catalogue.json"
"""`tutor.lessons.catalogue_cache.CACHE_FILE` (not imported: the parent loads no tutor)."""
FIRST_FRAME_TARGET = 1.3
MEMORY_TARGET = 1.3
SWITCH_TARGET_S = 0.150
FLAT_TARGET = 1.01


def run_child(kind: str, pycache: str, tours: int = 1) -> dict[str, Any]:
    """One fresh interpreter: the wall time until it said `frame`, and what it measured.
    `pycache` is the bytecode cache every child of the run shares."""
    read_end, write_end = os.pipe()
    # A fresh progress file each run: lessons resume where an earlier run left them. The
    # catalogue's cache (`lessons/catalogue_cache.py`) is carried from run to run, as it
    # is from one launch to the next: the warm-up runs fill it.
    remembered = os.path.join(pycache, CATALOGUE_CACHE)
    with tempfile.TemporaryDirectory(prefix="tutor-bench-") as data:
        if os.path.exists(remembered):
            shutil.copy(remembered, os.path.join(data, CATALOGUE_CACHE))
        env = {**os.environ, "TEXTUAL_ANIMATIONS": "none", "TUTOR_DATA_DIR": data,
               "TOURS": str(tours), "PYTHONPYCACHEPREFIX": pycache}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        start = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", CHILD, kind, str(write_end)],
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                 text=True, env=env, pass_fds=(write_end,))
        os.close(write_end)
        with os.fdopen(read_end, "rb") as frames:
            line = frames.readline()  # blocks until the first frame, or the child's exit
            first_frame = time.perf_counter() - start
        stdout, _ = child.communicate(timeout=600)
        if os.path.exists(os.path.join(data, CATALOGUE_CACHE)):
            shutil.copy(os.path.join(data, CATALOGUE_CACHE), remembered)
    if child.returncode or line != b"frame\n":
        raise SystemExit(f"ui_child {kind} failed (exit {child.returncode})")
    measured: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    measured["first_frame"] = first_frame
    return measured


def spread(values: list[float]) -> str:
    """Median with the min–max range, for a ratio list."""
    return (f"{statistics.median(values):.2f}x "
            f"(range {min(values):.2f}–{max(values):.2f}, n={len(values)})")


def verdict(ok: bool) -> str:
    return "ok" if ok else "OVER TARGET"


def first_frame_and_memory(runs: int, pycache: str) -> bool:
    """Sections 1 and 2: alternated fresh processes, ratios pair by pair."""
    rows: dict[str, list[dict[str, Any]]] = {"tutor": [], "minimal": [], "floor": [],
                                             "markdown": []}
    order = list(rows)
    for kind in order:  # warm the disk cache and .pyc files for every side
        run_child(kind, pycache)
    for round_index in range(runs):
        # Rotate who goes first, so a trend in machine load does not favour one side.
        turn = round_index % len(order)
        for kind in order[turn:] + order[:turn]:
            rows[kind].append(run_child(kind, pycache))
    frame = [t["first_frame"] / m["first_frame"]
             for t, m in zip(rows["tutor"], rows["minimal"], strict=True)]
    markdown = [t["first_frame"] / m["first_frame"]
                for t, m in zip(rows["tutor"], rows["markdown"], strict=True)]
    ms = {kind: statistics.median(r["first_frame"] for r in rows[kind]) * 1e3
          for kind in rows}
    frame_ok = bool(statistics.median(frame) <= FIRST_FRAME_TARGET)
    print(f"first frame         tutor {ms['tutor']:5.0f} ms  minimal app {ms['minimal']:5.0f} ms"
          f"  ratio {spread(frame)}  target ≤ {FIRST_FRAME_TARGET}x: {verdict(frame_ok)}")
    cpu = [t["cpu_at_first_frame"] / m["cpu_at_first_frame"]
           for t, m in zip(rows["tutor"], rows["minimal"], strict=True)]
    cpu_ms = {kind: statistics.median(r["cpu_at_first_frame"] for r in rows[kind]) * 1e3
              for kind in ("tutor", "minimal")}
    print(f"                    CPU until then: tutor {cpu_ms['tutor']:.0f} ms, minimal app "
          f"{cpu_ms['minimal']:.0f} ms, ratio {spread(cpu)} (steadier when the machine is busy)")
    print(f"                    (lesson 1 in Textual's Markdown {ms['markdown']:.0f} ms; tutor "
          f"/ it {spread(markdown)})")
    def warm(kind: str, over: str) -> list[float]:
        return [t["rss_after_warm_up_kb"] / m["rss_after_warm_up_kb"]
                for t, m in zip(rows[kind], rows[over], strict=True)]

    mb = {kind: statistics.median(r["rss_after_warm_up_kb"] for r in rows[kind]) / 1024
          for kind in ("tutor", "minimal", "floor")}
    memory = warm("tutor", "floor")
    memory_ok = bool(statistics.median(memory) <= MEMORY_TARGET)
    print(f"memory after warm-up tutor {mb['tutor']:5.1f} MB  floor app {mb['floor']:5.1f} MB"
          f"  ratio {spread(memory)}  target ≤ {MEMORY_TARGET}x: {verdict(memory_ok)}")
    print(f"                    against the minimal app ({mb['minimal']:.1f} MB): tutor "
          f"{spread(warm('tutor', 'minimal'))}; the floor app itself "
          f"{spread(warm('floor', 'minimal'))} (the required stack alone)")
    markdown_mb = statistics.median(r["rss_after_warm_up_kb"] for r in rows["markdown"]) / 1024
    print(f"                    against lesson 1 in Textual's Markdown ({markdown_mb:.1f} MB, "
          f"issue 13's first baseline, which loads no engine): tutor "
          f"{spread(warm('tutor', 'markdown'))}")
    at_frame = [t["rss_at_first_frame_kb"] / m["rss_at_first_frame_kb"]
                for t, m in zip(rows["tutor"], rows["minimal"], strict=True)]
    print(f"  (at the first frame, before the warm-up: tutor "
          f"{statistics.median(r['rss_at_first_frame_kb'] for r in rows['tutor']) / 1024:.1f} "
          f"MB, ratio {spread(at_frame)})")
    peak = [t["max_rss_kb"] / m["max_rss_kb"]
            for t, m in zip(rows["tutor"], rows["minimal"], strict=True)]
    print(f"peak memory (max RSS, same processes) ratio {spread(peak)}")
    return frame_ok and memory_ok


def tours(count: int, pycache: str) -> bool:
    """Sections 3 to 5: one process touring every lesson `count` times."""
    measured = run_child("tutor-tour", pycache, tours=count)
    switches = [time for times in measured["switch"].values() for time in times]
    cpu = [time for times in measured["switch_cpu"].values() for time in times]
    baseline = measured["minimal_screen"]
    ratios = [ours / base for ours, base in zip(switches, baseline, strict=True)]
    slowest = max(measured["switch"], key=lambda lesson: statistics.median(
        measured["switch"][lesson]))
    median_switch = statistics.median(switches)
    switch_ok = bool(median_switch <= SWITCH_TARGET_S)
    print(f"lesson switch       median {median_switch * 1e3:5.0f} ms wall, "
          f"{statistics.median(cpu) * 1e3:.0f} ms CPU (max {max(switches) * 1e3:.0f} ms, "
          f"slowest lesson {slowest}); target ≤ {SWITCH_TARGET_S * 1e3:.0f} ms: "
          f"{verdict(switch_ok)}")
    ready = [time for times in measured["ready"].values() for time in times]
    latest = max(measured["ready"], key=lambda lesson: statistics.median(
        measured["ready"][lesson]))
    keys = [time for times in measured["key"].values() for time in times]
    latest_key = max(measured["key"], key=lambda lesson: max(measured["key"][lesson]))
    print(f"                    a key pressed as the stage shows acts at: median "
          f"{statistics.median(keys) * 1e3:.0f} ms (range {min(keys) * 1e3:.0f}–"
          f"{max(keys) * 1e3:.0f} ms, slowest {latest_key}); for information, no target")
    print(f"                    idle again (the whole prose drawn): median "
          f"{statistics.median(ready) * 1e3:.0f} ms (range {min(ready) * 1e3:.0f}–"
          f"{max(ready) * 1e3:.0f} ms, slowest {latest}); for information, no target")
    print(f"                    a minimal screen pushed in the same app "
          f"{statistics.median(baseline) * 1e3:.0f} ms; lesson / it {spread(ratios)}")
    warm = measured["rss_after_warm_up_kb"] / 1024
    after = [kb / 1024 for kb in measured["rss_after_tour_kb"]]
    lines = ", ".join(f"tour {n + 1} {mb:.1f}" for n, mb in enumerate(after))
    last = after[-1] / after[-2]
    flat = last <= FLAT_TARGET
    print(f"memory across tours  after warm-up {warm:.1f} MB; after {lines} MB")
    print(f"                    first tour / warm-up {after[0] / warm:.2f}x (what lessons "
          f"load once); last tour / the one before {last:.3f}x (target ≤ {FLAT_TARGET}x: "
          f"{verdict(flat)})")
    idle = measured["idle_cpu_fraction"]
    print(f"CPU while idle (2 s) {idle * 100:.2f} % of one core (target ≈ 0)")
    return switch_ok and flat


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--runs", type=int, default=9, help="rounds of fresh processes")
    parser.add_argument("--tours", type=int, default=5, help="tours of every lesson")
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--tours-only", action="store_true",
                      help="only sections 3 to 5 (the lesson switch and the tours)")
    only.add_argument("--start-only", action="store_true",
                      help="only sections 1 and 2 (the first frame and memory after warm-up)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tutor-bench-pyc-") as pycache:
        ok = True
        if args.tours_only:
            run_child("tutor", pycache)  # the bytecode cache, as the first section fills it
        else:
            ok = first_frame_and_memory(args.runs, pycache)
        if not args.start_only:
            ok &= tours(max(2, args.tours), pycache)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
