"""The plain transcript of a lesson, inside the app (the same text `--plain` prints)."""

from __future__ import annotations

import io
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from tutor.lessons.model import Lesson
from tutor.lessons.transcript import write_transcript
from tutor.ui.screens.guarded import GuardedScreen
from tutor.ui.widgets.footer import TutorFooter


class TranscriptScreen(GuardedScreen[None]):
    """Every step of every scene, as text: for reading, searching and screen readers."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,t", "app.pop_screen", "Back to the player", id="close-transcript"),
    ]

    def __init__(self, lesson: Lesson) -> None:
        super().__init__()
        self.lesson = lesson

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="transcript"):
            yield Static("Running the lesson's scenes…", id="transcript-text", markup=False)
        yield TutorFooter()

    def on_mount(self) -> None:
        if self.alive:
            self._build()

    @work(exclusive=True, exit_on_error=False)
    async def _build(self) -> None:
        buffer = io.StringIO()
        await write_transcript(self.lesson, buffer)
        if self.alive:  # the learner may have gone back while the scenes ran
            self.query_one("#transcript-text", Static).update(buffer.getvalue())
