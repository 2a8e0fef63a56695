"""The stage: one scene track, drawn from the scene engine's state after each step.

A thin view: everything shown is rendered from the engine's records and world by the
pure functions in `tutor.ui.render`; the widget only decides what is selected.
"""

from __future__ import annotations

import json
from typing import Any

from rich.console import Group
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.reactive import reactive, var
from textual.widgets import Static

from tutor.browser.events import Exchange
from tutor.scenes.beats import Story, StoryBook, login_steps_covered
from tutor.scenes.engine import SceneEngine
from tutor.scenes.events import ExchangeSeen
from tutor.server.weaknesses import vulnerable_banner
from tutor.ui.render import (
    render_browser,
    render_cookie_decisions,
    render_exchange,
    render_jwt,
    render_server,
    render_stepper,
    render_timeline,
)
from tutor.ui.render.story import render_story
from tutor.ui.render.track_layout import sequence_rows
from tutor.ui.widgets.detail_bar import DetailBar


def shown_exchanges(engine: SceneEngine) -> list[ExchangeSeen]:
    """Every exchange of the steps applied so far, in order."""
    return [event for record in engine.records[: engine.position] for event in record.events
            if isinstance(event, ExchangeSeen)]


def token_in(exchange: Exchange) -> str | None:
    """The JWT an exchange carries: the Bearer header, else one in the JSON answer."""
    header = exchange.request.header("authorization") or ""
    if header.lower().startswith("bearer "):
        return header.split(" ", 1)[1].strip()
    try:
        body: Any = json.loads(exchange.response.body)
    except ValueError:
        return None
    token = body.get("access_token") if isinstance(body, dict) else None
    return token if isinstance(token, str) else None


def failed_stage(exchange: Exchange) -> str | None:
    """Where the server said token verification failed (its 401 body's `stage`)."""
    try:
        body: Any = json.loads(exchange.response.body)
    except ValueError:
        return None
    stage = body.get("stage") if isinstance(body, dict) else None
    return stage if isinstance(stage, str) else None


DETAIL_TABS = (("exchange", "Exchange"), ("timeline", "Timeline"), ("browser", "Browser"),
               ("server", "Server"), ("jwt", "JWT"))
"""The stage's detail views: (name, tab label)."""


class TrackStage(Vertical):
    """Stepper, sequence diagram and detail tabs for one scene track.

    The detail tabs share one Static and only the visible one is rendered: four panes of
    widgets per track made opening a lesson slower, and hidden views cost a render per step.
    """

    selected: reactive[int | None] = reactive(None, init=False)
    """Index (in `shown_exchanges`) of the exchange shown in detail; None = the latest."""
    arrow_progress: var[float] = var(1.0)
    """0 → 1 while the newest request travels from browser to server."""
    detail: reactive[str] = reactive("exchange", init=False)
    """Which detail view is shown: a name from DETAIL_TABS."""

    def __init__(self, engine: SceneEngine, label: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.engine = engine
        self.label = label
        self.align: dict[int, int] | None = None
        """Rows per step shared with the tracks beside this one, so steps line up."""
        self._book = StoryBook(engine.scene)
        self._story: Story | None = None
        self._story_key: tuple[int, int] = (-1, -1)

    def compose(self) -> ComposeResult:
        if self.label:
            yield Static(f"{self.label} track", classes="track-label", markup=False)
        # On the stage itself, not only in the Server view: what the learner watches
        # happen is a server weakened on purpose.
        enabled = self.engine.world.server.config.vulnerabilities.enabled()
        if enabled:
            yield Static(Text(vulnerable_banner(enabled), style="bold red"),
                         classes="vulnerable")
        yield Static(classes="stepper")
        yield Static(classes="sequence")
        yield DetailBar(DETAIL_TABS, self.detail, classes="detail-tabs")
        with VerticalScroll(classes="details"):
            yield Static(classes="detail")

    def on_mount(self) -> None:
        self.refresh_view()

    def on_resize(self) -> None:
        self._story = None
        self._draw_stepper()
        self._draw_sequence()

    def story(self) -> Story:
        """The story at the engine's position (kept until the engine moves)."""
        key = (self.engine.position, len(self.engine.records))
        if self._story is None or self._story_key != key:
            steps = [record.events for record in self.engine.records[: self.engine.position]]
            self._story, self._story_key = self._book.story(steps), key
        return self._story

    def outcome(self) -> str:
        """The latest answer's status on this track ("401"), for the track bar."""
        statuses = [b.status for b in self.story().beats if b.status is not None]
        return str(statuses[-1]) if statuses else ""

    def lit_steps(self) -> tuple[int, ...]:
        """Every login step the selected exchange shows, or the latest step's beats."""
        story = self.story()
        if self.selected is not None:
            return login_steps_covered(b for b in story.beats if b.exchange == self.selected)
        if not story.beats:
            return ()
        last = story.beats[-1].step_index
        return login_steps_covered(b for b in story.beats if b.step_index == last)

    def _draw_stepper(self) -> None:
        # One line at any width: the labels shrink before they would wrap.
        self._set(".stepper", render_stepper(self.lit_steps(),
                                             width=max(self.size.width - 2, 20)))

    def watch_selected(self) -> None:
        self.refresh_view()

    def watch_detail(self, name: str) -> None:
        # The bar only draws: it sends nothing back, so fast `d` presses cannot echo.
        for bar in self.query(DetailBar).results(DetailBar):
            bar.active = name
        self.refresh_view()

    @on(DetailBar.Chosen)
    def _detail_chosen(self, event: DetailBar.Chosen) -> None:
        event.stop()
        if event.view in dict(DETAIL_TABS):
            self.detail = event.view

    def show_detail(self, step: int) -> None:
        """Move to the next (+1) or previous (-1) detail tab, wrapping around."""
        names = [name for name, _ in DETAIL_TABS]
        self.detail = names[(names.index(self.detail) + step) % len(names)]

    def watch_arrow_progress(self) -> None:
        self._draw_sequence()

    def stepped(self, animate: bool) -> None:
        """Redraw after the engine moved; animate the newest arrow if asked."""
        self.selected = None
        self.refresh_view()
        if animate and shown_exchanges(self.engine):
            self.arrow_progress = 0.0
            self.animate("arrow_progress", 1.0, duration=0.5)

    def select(self, delta: int) -> None:
        """Move the detail view to an earlier (-1) or later (+1) exchange."""
        exchanges = shown_exchanges(self.engine)
        if not exchanges:
            return
        current = len(exchanges) - 1 if self.selected is None else self.selected
        self.selected = max(0, min(len(exchanges) - 1, current + delta))

    def current_exchange(self) -> ExchangeSeen | None:
        """The exchange shown in detail (the latest, unless one was selected)."""
        return self._current()

    def _current(self) -> ExchangeSeen | None:
        exchanges = shown_exchanges(self.engine)
        if not exchanges:
            return None
        index = len(exchanges) - 1 if self.selected is None else self.selected
        return exchanges[min(index, len(exchanges) - 1)]

    def _set(self, selector: str, content: Any) -> None:
        # Quietly nothing when the stage is being taken down (a scene switch can race a
        # redraw); a learner pressing keys fast must never see a crash.
        for widget in self.query(selector).results(Static):
            widget.update(content)

    def refresh_view(self) -> None:
        if not self.is_mounted:
            return
        current = self._current()
        self._draw_stepper()
        self._draw_sequence()
        self._set(".detail", self.render_detail(self.detail, current))

    def render_detail(self, name: str, current: ExchangeSeen | None) -> Any:
        """The content of one detail view for the selected exchange."""
        world = self.engine.world
        actor = "user" if "user" in world.browsers else next(iter(world.browsers))
        if name == "exchange":
            if current is None:
                return "No request yet: press n to step."
            return Group(render_exchange(current.exchange),
                         render_cookie_decisions(current.exchange))
        if name == "timeline":
            return render_timeline(shown_exchanges(self.engine), self.selected)
        if name == "browser":
            return render_browser(world.browser(actor), world.site)
        if name == "server":
            return render_server(world.server)
        token = token_in(current.exchange) if current else None
        if token is None:
            token = world.browser(actor).storage("localStorage", world.site).get("access_token")
        if token is None:
            return "No JWT in this exchange or in localStorage."
        stage = failed_stage(current.exchange) if current else None
        return render_jwt(token, world.clock.now(), stage)

    def _draw_sequence(self) -> None:
        if not self.is_mounted:
            return
        story = self.story()
        exchanges = {b.exchange for b in story.beats if b.exchange is not None}
        width = max(self.size.width - 2, 20)
        newest = max(exchanges) if exchanges else None
        selected = self.selected if self.selected is not None else newest
        rows = sequence_rows(self.size.height)
        text = render_story(story, selected, width, rows, progress=self.arrow_progress,
                            align=self.align, follow_newest_step=self.selected is None)
        self._set(".sequence", text)
