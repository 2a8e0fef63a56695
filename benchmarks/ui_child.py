"""One measured run for benchmarks/ui_bench.py (a fresh interpreter per run)."""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any


def _report(values: dict[str, float]) -> None:
    values["max_rss_kb"] = float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    print(json.dumps(values))


def bare() -> None:
    from textual.app import App, ComposeResult
    from textual.containers import VerticalScroll
    from textual.widgets import Markdown

    text = (Path(__file__).resolve().parent.parent / "lessons" /
            "01-four-login-steps.md").read_text(encoding="utf-8")

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            with VerticalScroll():
                yield Markdown(text)

        def on_mount(self) -> None:
            self.call_after_refresh(self.exit)

    Bare().run(headless=True, size=(120, 40))
    _report({})


def tutor() -> None:
    """Start, draw the catalogue once, exit: the same work the bare app does."""
    from tutor.lessons.course import default_course_dir
    from tutor.progress import ProgressStore
    from tutor.ui.app import build_app
    from tutor.ui.config import AppConfig

    app = build_app(AppConfig(course_dir=default_course_dir(),
                              progress=ProgressStore(Path("/tmp/tutor-bench/p.json"))))

    async def auto_pilot(pilot: Any) -> None:
        app.call_after_refresh(app.exit)

    app.run(headless=True, size=(120, 40), auto_pilot=auto_pilot)
    _report({})


def tutor_extra() -> None:
    """Idle CPU after the first frame, then a lesson switch."""
    from tutor.lessons.course import default_course_dir
    from tutor.progress import ProgressStore
    from tutor.ui.app import build_app
    from tutor.ui.config import AppConfig

    measured: dict[str, float] = {}
    app = build_app(AppConfig(course_dir=default_course_dir(),
                              progress=ProgressStore(Path("/tmp/tutor-bench/p.json"))))

    async def auto_pilot(pilot: Any) -> None:
        await pilot.pause()
        measured["first_frame_in_process"] = time.perf_counter()
        idle_start, cpu_start = time.perf_counter(), time.process_time()
        await asyncio.sleep(2.0)
        measured["idle_cpu_fraction"] = (
            (time.process_time() - cpu_start) / (time.perf_counter() - idle_start))
        await app.workers.wait_for_complete()  # the warm-up, done while the learner reads
        from tutor.ui.widgets.stage import TrackStage

        start = time.perf_counter()
        app.open_lesson("cookie-jar")
        while not app.screen.query(TrackStage):
            await asyncio.sleep(0.001)
        await pilot.pause(0)
        measured["lesson_switch"] = time.perf_counter() - start
        app.exit()

    app.run(headless=True, size=(120, 40), auto_pilot=auto_pilot)
    _report(measured)


if __name__ == "__main__":
    {"bare": bare, "tutor": tutor, "tutor-extra": tutor_extra}[sys.argv[1]]()
