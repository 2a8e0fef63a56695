"""One measured run for benchmarks/ui_bench.py (a fresh interpreter per run).

    python -m benchmarks.ui_child KIND FD

KIND is `minimal` (Header, Static, Footer), `floor` (the same, then the required stack
imported by a warm-up thread), `markdown` (lesson 1 in Textual's Markdown
widget, the old baseline), `tutor` (the catalogue) or `tutor-tour` (every lesson opened
in turn). Each writes `frame` to file descriptor FD as soon as the first frame of its
first real screen (the catalogue for the tutor) has been composed, so the parent can
time the process from its start to that frame, then prints one JSON line of what it
measured itself.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

LESSON_1 = Path(__file__).resolve().parent.parent / "lessons" / "01-four-login-steps.md"
SIZE = (120, 40)


def rss_kb() -> float:
    """Resident memory now (not the peak), in KiB, after a full collection."""
    gc.collect()
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):  # not Linux: the peak is the best there is
        return float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    return pages * os.sysconf("SC_PAGE_SIZE") / 1024


def signal_first_frame(app: Any, fd: int, screen_type: type[Any],
                       measured: dict[str, Any] | None = None) -> None:
    """Write `frame` to `fd` when the first frame of a `screen_type` screen is composed,
    then (given `measured`) note the CPU time and resident memory at that moment.

    Headless, Textual still lays out and renders every visible widget for each frame; it
    only skips writing to the terminal, in `App._display`, which is wrapped here.
    """
    display = app._display
    signalled = False

    def displayed(screen: Any, update: Any) -> None:
        nonlocal signalled
        display(screen, update)
        if update is not None and not signalled and isinstance(screen, screen_type):
            signalled = True
            os.write(fd, b"frame\n")
            if measured is not None:
                # CPU since the process started (all threads): steadier than the wall
                # time on a busy machine, where the other processes set the pace.
                measured["cpu_at_first_frame"] = time.process_time()
                measured["rss_at_first_frame_kb"] = rss_kb()

    setattr(app, "_display", displayed)  # noqa: B010 (mypy refuses assigning a method)


def report(values: dict[str, Any]) -> None:
    values["max_rss_kb"] = float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    print(json.dumps(values))


REQUIRED_STACK = ("httpx", "jwt", "starlette.applications")
"""What any in-process mock auth server built as the project requires must import: the
in-process transport (httpx), PyJWT (which imports cryptography whenever it is installed)
and Starlette."""


def minimal(fd: int, load_required_stack: bool = False) -> None:
    """Header, Static, Footer. With `load_required_stack` (the `floor` kind), a thread
    imports the required stack after the first frame, as the tutor's warm-up does: the
    least any tutor could hold once ready to open a lesson."""
    import importlib

    from textual import work
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Header, Static

    class Minimal(App[None]):
        def compose(self) -> ComposeResult:
            yield Header()
            yield Static("tutor — how web login really works")
            yield Footer()

        def on_mount(self) -> None:
            if load_required_stack:
                self.call_after_refresh(self._warm_up)

        @work(thread=True)
        def _warm_up(self) -> None:
            for module in REQUIRED_STACK:
                importlib.import_module(module)

    from textual.screen import Screen

    measured: dict[str, Any] = {}
    app = Minimal()
    signal_first_frame(app, fd, Screen, measured)

    async def auto_pilot(pilot: Any) -> None:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        measured["rss_after_warm_up_kb"] = rss_kb()
        app.exit()

    app.run(headless=True, size=SIZE, auto_pilot=auto_pilot)
    report(measured)


def markdown(fd: int) -> None:
    from textual.app import App, ComposeResult
    from textual.containers import VerticalScroll
    from textual.widgets import Markdown

    text = LESSON_1.read_text(encoding="utf-8")

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            with VerticalScroll():
                yield Markdown(text)

    from textual.screen import Screen

    measured: dict[str, Any] = {}
    app = Bare()
    signal_first_frame(app, fd, Screen)

    async def auto_pilot(pilot: Any) -> None:
        await pilot.pause()
        # It has no warm-up: what it holds once its lesson is drawn is its steady state.
        measured["rss_after_warm_up_kb"] = rss_kb()
        app.exit()

    app.run(headless=True, size=SIZE, auto_pilot=auto_pilot)
    report(measured)


def _tutor_app() -> Any:
    from tutor.lessons.course import default_course_dir
    from tutor.progress_store import ProgressStore
    from tutor.ui.app import build_app
    from tutor.ui.config import AppConfig

    folder = Path(os.environ.get("TUTOR_DATA_DIR", "/tmp/tutor-bench"))
    return build_app(AppConfig(course_dir=default_course_dir(),
                               progress=ProgressStore(folder / "progress.json")))


def tutor(fd: int) -> None:
    """The catalogue's first frame; then memory once the warm-up thread has loaded the
    engine, the server and the player (what the app holds while the learner reads)."""
    from tutor.ui.screens.catalogue import CatalogueScreen

    measured: dict[str, Any] = {}
    app = _tutor_app()
    signal_first_frame(app, fd, CatalogueScreen, measured)

    async def auto_pilot(pilot: Any) -> None:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        measured["rss_after_warm_up_kb"] = rss_kb()
        app.exit()

    app.run(headless=True, size=SIZE, auto_pilot=auto_pilot)
    report(measured)


def tutor_tour(fd: int) -> None:
    """Idle CPU on the catalogue, then every lesson opened in turn (timed until the first
    frame with its stage drawn), stepped twice and closed; before each, a minimal screen
    pushed and popped the same way, as the baseline; memory after each tour."""
    from textual import events
    from textual.screen import Screen
    from textual.widgets import Footer, Static

    from tutor.ui.screens.player import PlayerScreen
    from tutor.ui.widgets.stage import TrackStage

    class MinimalScreen(Screen[None]):
        # No Header: a Header watches the app's title, and Textual keeps that watcher
        # (and so the closed screen) alive (Textual issue #6666), which would add the
        # baseline's leak to the tutor's memory figures measured in this process.
        def compose(self) -> Any:
            yield Static("a minimal screen")
            yield Footer()

    measured: dict[str, Any] = {"switch": {}, "switch_cpu": {}, "ready": {}, "key": {},
                                "minimal_screen": [],
                                "rss_after_tour_kb": []}
    app = _tutor_app()
    drawn = asyncio.Event()
    frame_at = [0.0, 0.0]
    """perf_counter and process_time when the awaited frame was composed."""
    display = app._display

    def displayed(screen: Any, update: Any) -> None:
        # Headless, the compositor still renders every visible widget for each frame;
        # only the terminal write is skipped. A frame of the player with a stage that
        # has a size is the frame the learner would see; timed here, not when the
        # waiting coroutine next runs.
        display(screen, update)
        if update is None or drawn.is_set():
            return
        if isinstance(screen, MinimalScreen) or (isinstance(screen, PlayerScreen) and any(
                stage.region.area for stage in screen.query(TrackStage))):
            frame_at[:] = [time.perf_counter(), time.process_time()]
            drawn.set()

    setattr(app, "_display", displayed)  # noqa: B010 (mypy refuses assigning a method)
    signal_first_frame(app, fd, Screen)
    handled: list[float] = []
    """When the player last acted on `d` (its next detail view)."""
    next_detail = PlayerScreen.action_next_detail

    def timed_next_detail(screen: PlayerScreen) -> None:
        handled.append(time.perf_counter())
        next_detail(screen)

    setattr(PlayerScreen, "action_next_detail", timed_next_detail)  # noqa: B010

    async def auto_pilot(pilot: Any) -> None:
        await pilot.pause()
        idle_start, cpu_start = time.perf_counter(), time.process_time()
        await asyncio.sleep(2.0)
        measured["idle_cpu_fraction"] = (
            (time.process_time() - cpu_start) / (time.perf_counter() - idle_start))
        await app.workers.wait_for_complete()  # the warm-up, done while the learner reads
        await pilot.pause()
        measured["rss_after_warm_up_kb"] = rss_kb()
        lesson_ids = [meta.id for meta in app.catalogue.lessons]
        for _ in range(int(os.environ.get("TOURS", "2"))):
            for lesson_id in lesson_ids:
                drawn.clear()
                start = time.perf_counter()
                app.push_screen(MinimalScreen())
                await drawn.wait()
                measured["minimal_screen"].append(frame_at[0] - start)
                await pilot.pause()
                app.pop_screen()
                await pilot.pause()

                drawn.clear()
                start, cpu = time.perf_counter(), time.process_time()
                app.open_lesson(lesson_id)
                await drawn.wait()
                measured["switch"].setdefault(lesson_id, []).append(frame_at[0] - start)
                measured["switch_cpu"].setdefault(lesson_id, []).append(frame_at[1] - cpu)
                # A key pressed as soon as the stage shows: how long until it acts.
                handled.clear()
                app.post_message(events.Key("d", "d"))
                await pilot.pause()
                if not handled:
                    raise SystemExit(f"{lesson_id}: the key pressed at the first frame was lost")
                measured["key"].setdefault(lesson_id, []).append(handled[0] - start)
                # Idle again: the prose mounted, measured and drawn, so a key is handled
                # at once (the stage's frame comes first; the prose's work follows it).
                measured["ready"].setdefault(lesson_id, []).append(time.perf_counter() - start)
                for _ in range(2):
                    await pilot.press("n")
                    await app.workers.wait_for_complete()
                await pilot.press("q")
                await pilot.pause()
            measured["rss_after_tour_kb"].append(rss_kb())
        app.exit()

    app.run(headless=True, size=SIZE, auto_pilot=auto_pilot)
    report(measured)


if __name__ == "__main__":
    kinds = {"minimal": minimal, "floor": lambda fd: minimal(fd, load_required_stack=True),
             "markdown": markdown, "tutor": tutor, "tutor-tour": tutor_tour}
    kinds[sys.argv[1]](int(sys.argv[2]))
