"""`tutor watch URL`: a real Chromium on the learner's site, told on the stage live.

Thin on purpose: an async worker runs `tutor.watch.driver.run_watch` (Playwright on the
app's own event loop) and posts each event back; the screen appends the event's lines
(`tutor.watch.text`, the same as `--plain`) and redraws the session's story with the
stage's renderer. Nothing here decides what happened.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.reactive import var
from textual.widgets import RichLog, Static

from tutor.har.folder import har_folder
from tutor.ui.render.story import render_story
from tutor.ui.screens.guarded import GuardedScreen
from tutor.ui.widgets.footer import TutorFooter
from tutor.watch.driver import WatchError, WatchOptions, run_watch
from tutor.watch.session import (
    ExchangeWatched,
    RequestBlocked,
    WatchEvent,
    WatchNote,
    WatchSession,
)
from tutor.watch.text import event_lines

DIAGRAM_ROWS = 18
"""Lines of the diagram; older rows fold away."""


class WatchScreen(GuardedScreen[None]):
    """What the browser does, as it does it: a log of events beside the story."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "stop", "Stop watching", id="watch-stop",
                tooltip="Close the browser; what was seen stays on screen"),
        Binding("f9", "save_har(True)", "Save HAR", id="watch-har",
                tooltip="Save the session so far as HAR, credential values redacted"),
        Binding("f10", "save_har(False)", "HAR+secrets", id="watch-har-full",
                tooltip="Save the session so far as HAR with the real credential values"),
    ]

    arrow_progress: var[float] = var(1.0)
    """0 → 1 while the newest request travels from the browser to the server."""

    class Watched(Message):
        """The browser did something (posted by the watch worker)."""

        def __init__(self, event: WatchEvent) -> None:
            super().__init__()
            self.event = event

    class Ended(Message):
        """The watch is over: the browser closed, or it could not start (`error`)."""

        def __init__(self, error: str | None) -> None:
            super().__init__()
            self.error = error

    def __init__(self, options: WatchOptions) -> None:
        super().__init__()
        self.options = options
        self.session = WatchSession(options.target)
        """Everything seen so far (the core's; the screen only shows it)."""
        self.stop_watching = asyncio.Event()
        self.har_folder = options.har if options.har and options.har.is_dir() else (
            har_folder())
        """Where f9/f10 save (tests point it at a temporary folder)."""
        self.running = False

    def compose(self) -> ComposeResult:
        target = self.options.target
        yield Static(Text(f"tutor — watching {target.url}", style="bold"), id="title-bar")
        yield Static(target.policy_line(), id="watch-policy", markup=False)
        with Horizontal(id="watch"):
            yield RichLog(id="watch-log", wrap=True, markup=False, highlight=False)
            with VerticalScroll(id="watch-stage"):
                yield Static(id="watch-sequence")
        yield TutorFooter()

    def on_mount(self) -> None:
        if not self.alive:
            return
        self._draw_story()
        self.running = True
        self._watch()

    @work(exclusive=True, exit_on_error=False, group="watch")
    async def _watch(self) -> None:
        """Run the browser until it closes or the screen stops it; post what it does."""
        error: str | None = None
        def emit(event: WatchEvent) -> None:
            self.post_message(self.Watched(event))

        try:
            await run_watch(self.session, self.options, emit, self.stop_watching)
        except WatchError as exc:
            error = str(exc)
        except Exception as exc:  # never a silent worker: whatever stopped it is shown
            error = f"The watch stopped: {type(exc).__name__}: {exc}"
        self.post_message(self.Ended(error))

    @on(Watched)
    def _show(self, message: Watched) -> None:
        if not self.alive:
            return
        log = self.query_one("#watch-log", RichLog)
        event = message.event
        style = ("magenta" if isinstance(event, ExchangeWatched) and event.new_steps
                 else "yellow" if isinstance(event, ExchangeWatched) and event.findings
                 else "red" if isinstance(event, RequestBlocked)
                 else "dim" if isinstance(event, WatchNote) else "")
        for line in event_lines(event):
            log.write(Text(line, style="yellow" if line.lstrip().startswith("!") else style))
        if isinstance(event, ExchangeWatched) and self.app.animation_level != "none":
            # The new request travels across the stage, as in the player and replay.
            self.arrow_progress = 0.0
            self.animate("arrow_progress", 1.0, duration=0.4)
        else:
            self._draw_story()

    def watch_arrow_progress(self) -> None:
        if self.alive and self.is_mounted:
            self._draw_story()

    @on(Ended)
    def _ended(self, message: Ended) -> None:
        self.running = False
        if not self.alive:
            return
        if message.error:
            self.query_one("#watch-log", RichLog).write(Text(message.error, style="red"))
            self.notify(message.error, severity="error", timeout=15)
            return
        if self.options.record:
            self._save(self.options.redact, self.options.har)

    def _draw_story(self) -> None:
        pane = self.query_one("#watch-stage")
        width = max(pane.size.width - 2, 40)
        story = self.session.story()
        last = len(self.session.entries) - 1
        text = render_story(story, last if last >= 0 else None, width, DIAGRAM_ROWS,
                            progress=self.arrow_progress)
        steps = ", ".join(str(s) for s in sorted(self.session.steps_seen)) or "none yet"
        text.append(f"\nlogin steps seen: {steps}  ·  {len(self.session.entries)} exchanges"
                    f"  ·  {len(self.session.findings)} findings", style="dim")
        self.query_one("#watch-sequence", Static).update(text)

    def on_resize(self) -> None:
        if self.alive:
            self._draw_story()

    def action_stop(self) -> None:
        self.stop_watching.set()

    def action_save_har(self, redact: bool) -> None:
        self._save(redact, None)

    def _save(self, redact: bool, destination: Path | None) -> None:
        """Into the HAR folder (f9, f10), or where `--har` said (at the end)."""
        from tutor.watch.plain import save_session

        if not self.session.entries:
            self.notify("Nothing to save yet: the browser has sent no request.", timeout=3)
            return
        try:
            path = save_session(self.session, destination or self.har_folder,
                                redact=redact, folder=destination is None)
        except OSError as exc:
            self.notify(f"Could not save the HAR file: {exc}", severity="error", timeout=8)
            return
        self.notify(f"Saved {len(self.session.entries)} exchanges to {path}"
                    + (" (credential values redacted)" if redact else ""), timeout=8)

    def on_unmount(self) -> None:
        self.stop_watching.set()
