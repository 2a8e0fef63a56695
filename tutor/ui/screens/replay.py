"""`tutor replay FILE.har`: a recorded session on a timeline, each exchange explained.

Everything shown comes from `tutor.har.analysis` (the same analysis as `tutor inspect`);
tokens are decoded locally and marked UNVERIFIED, and nothing is sent anywhere.
"""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.reactive import var
from textual.timer import Timer
from textual.widgets import OptionList, Static

from tutor.har.analysis import Analysis
from tutor.har.render import analysis_notes, entry_lines
from tutor.har.stage import staged_exchanges, story_of_exchanges
from tutor.redaction import redact_url
from tutor.scenes.beats import Story
from tutor.ui.render._text import CREDENTIAL_HEADERS, CREDENTIAL_STYLE
from tutor.ui.render.exchange import URL_HEADERS
from tutor.ui.render.story import render_story
from tutor.ui.render.timeline import timeline_row
from tutor.ui.screens.guarded import GuardedScreen
from tutor.ui.widgets.footer import TutorFooter
from tutor.ui.widgets.option_list import PagedOptionList
from tutor.visible import visible, visible_shortened

DIAGRAM_ROWS = 14
"""Lines of the diagram; it plays the recording up to the selected exchange, and older
rows fold away."""
SPEEDS = (0.5, 1.0, 1.5, 2.0, 3.0)
"""Autoplay speeds, as in the player."""
SHORTENED = 48
"""Credential header values are cut to this: a replay is for reading, not for copying
secrets off the screen."""


def headers_text(title: str, headers: tuple[tuple[str, str], ...]) -> Text:
    """Headers with the credential ones highlighted and their values shortened."""
    text = Text()
    text.append(f"{title}\n", style="bold")  # on its span: a Text's style is every line's
    for name, value in headers:
        # visible first, then shortened: a cut can never leave half an escape sequence.
        if name.lower() in CREDENTIAL_HEADERS:
            shown = visible_shortened(value, SHORTENED + 1)
            text.append(f"  {visible(name)}: {shown}\n", style=CREDENTIAL_STYLE)
        else:
            if name.lower() in URL_HEADERS:
                value = redact_url(value)
            text.append(f"  {visible(name)}: {visible(value)}\n", style="dim")
    return text


class ReplayScreen(GuardedScreen[None]):
    """Step through a HAR recording; the analysis of each exchange beside it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n,right", "move(1)", "Next", id="replay-next", tooltip="The next exchange"),
        Binding("p,left", "move(-1)", "Previous", id="replay-previous",
                tooltip="The previous exchange"),
        Binding("f", "next_finding", "Next finding", id="replay-finding",
                tooltip="Jump to the next exchange with something to notice"),
        Binding("space", "play_pause", "Play/pause", id="replay-play",
                tooltip="Step through the recording automatically at the current speed"),
        Binding("plus,equals_sign", "speed(1)", "Faster", id="replay-faster", show=False,
                tooltip="Play faster"),
        Binding("minus", "speed(-1)", "Slower", id="replay-slower", show=False,
                tooltip="Play slower"),
    ]
    FOOTER_KEYS: ClassVar[tuple[str, ...]] = (
        "replay-next", "replay-previous", "replay-finding", "replay-play", "replay-faster",
        "replay-slower", "help", "back")
    """The footer's keys, most useful first."""

    arrow_progress: var[float] = var(1.0)
    """0 → 1 while the selected request travels from the browser to the server."""

    def __init__(self, analysis: Analysis, name: str) -> None:
        super().__init__()
        self.analysis = analysis
        self.file_name = name
        self.staged = staged_exchanges(analysis)
        """The entries as the stage draws them."""
        self.story: Story = story_of_exchanges(self.staged)
        """The whole recording as beats; the diagram shows it up to the selection."""
        self.selected = 0
        self.speed_index = 1
        self._autoplay: Timer | None = None

    def compose(self) -> ComposeResult:
        har = self.analysis.har
        creator = f" · recorded by {visible(har.creator)}" if har.creator else ""
        yield Static(f"tutor — replay of {visible(self.file_name)}{creator}", id="title-bar",
                     markup=False)
        with Horizontal(id="replay"):
            yield PagedOptionList(id="replay-timeline")
            with VerticalScroll(id="replay-detail-pane"):
                yield Static(id="replay-sequence")
                yield Static(id="replay-detail")
        yield TutorFooter()

    def on_mount(self) -> None:
        if not self.alive:
            return
        timeline = self.query_one("#replay-timeline", OptionList)
        timeline.add_options(
            timeline_row(seen.step_index, seen.exchange, seen.login_steps,
                         findings=len(self.analysis.findings_for(seen.step_index)))
            for seen in self.staged)
        if self.analysis.entries:
            timeline.highlighted = 0
        else:
            self.query_one("#replay-detail", Static).update("This recording has no exchanges.")
        timeline.focus()
        for note in analysis_notes(self.analysis):  # e.g. Chrome's sanitized export
            self.notify(note, severity="warning", timeout=30)

    def watch_arrow_progress(self) -> None:
        self._draw_sequence()

    def _draw_sequence(self) -> None:
        if not self.staged or not self.is_mounted:
            return
        pane = self.query_one("#replay-detail-pane")
        width = max(pane.size.width - 4, 40)
        shown = Story(self.story.lanes, tuple(
            b for b in self.story.beats if b.exchange is not None
            and b.exchange <= self.selected))
        text = render_story(shown, self.selected, width, DIAGRAM_ROWS,
                            progress=self.arrow_progress)
        speed = f"  ·  autoplay {SPEEDS[self.speed_index]}×" if self._autoplay else ""
        text.append(f"\nexchange {self.selected + 1} of {len(self.staged)}{speed}",
                    style="dim")
        self.query_one("#replay-sequence", Static).update(text)

    def on_resize(self) -> None:
        self.call_after_refresh(self._draw_sequence)

    def action_play_pause(self) -> None:
        if self._autoplay is not None:
            self._stop_autoplay()
            self.notify("Paused", timeout=1.5)
        else:
            self._autoplay = self.set_interval(1.6 / SPEEDS[self.speed_index],
                                               self._autoplay_tick)
        self._draw_sequence()

    def _autoplay_tick(self) -> None:
        if not self.alive or self.selected + 1 >= len(self.staged):
            self._stop_autoplay()
            self._draw_sequence()
            return
        self.action_move(1)

    def _stop_autoplay(self) -> None:
        if self._autoplay is not None:
            self._autoplay.stop()
            self._autoplay = None

    def action_speed(self, delta: int) -> None:
        self.speed_index = max(0, min(len(SPEEDS) - 1, self.speed_index + delta))
        if self._autoplay is not None:
            self._stop_autoplay()
            self.action_play_pause()
        self._draw_sequence()

    def on_screen_suspend(self) -> None:
        self._stop_autoplay()

    def on_unmount(self) -> None:
        self._stop_autoplay()

    @on(OptionList.OptionHighlighted, "#replay-timeline")
    def _show(self, event: OptionList.OptionHighlighted) -> None:
        self.selected = event.option_index
        if self.app.animation_level != "none":
            self.arrow_progress = 0.0
            self.animate("arrow_progress", 1.0, duration=0.4)
        else:
            self._draw_sequence()
        item = self.analysis.entries[event.option_index]
        lines = entry_lines(item, self.analysis)
        summary = Text()
        summary.append(lines[0] + "\n", style="bold")
        for line in lines[1:]:
            style = "yellow" if line.lstrip().startswith("!") else (
                "magenta" if "login step" in line else "")
            summary.append(line + "\n", style=style)
        if not item.sent:
            summary.append("    No credential went with this request: to the server it "
                           "comes from a stranger.\n", style="dim")
        self.query_one("#replay-detail", Static).update(Group(
            summary, headers_text("Request headers", item.entry.request.headers),
            headers_text("Response headers", item.entry.response.headers)))

    def action_move(self, step: int) -> None:
        timeline = self.query_one("#replay-timeline", OptionList)
        if not self.analysis.entries:
            return
        current = timeline.highlighted or 0
        timeline.highlighted = max(0, min(len(self.analysis.entries) - 1, current + step))

    def action_next_finding(self) -> None:
        timeline = self.query_one("#replay-timeline", OptionList)
        current = timeline.highlighted if timeline.highlighted is not None else -1
        for item in self.analysis.entries[current + 1:]:
            if self.analysis.findings_for(item.entry.index):
                timeline.highlighted = self.analysis.entries.index(item)
                return
        self.notify("No more findings after this one.", timeout=3)
