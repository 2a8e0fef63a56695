"""The scene engine: runs a scene step by step, reports typed events, travels in time.

Every step runs between two snapshots of the whole world. Stepping backward restores
the snapshot taken before the step; stepping forward again restores the one taken after
it and replays the events recorded the first time, so a learner sees exactly the same
exchange, ids and tokens, however often they go back and forth.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tutor.browser.browser import RedirectLoop
from tutor.browser.events import BrowserEvent, Exchange, RequestBlocked
from tutor.browser.network import NetworkError
from tutor.scenes.actions import ACTIONS, StepFailed
from tutor.scenes.events import (
    BrowserChanged,
    ClockMoved,
    ExchangeSeen,
    ExpectationChecked,
    RequestRefused,
    SceneEvent,
    ServerChanged,
    StepFinished,
    SteppedBack,
    StepStarted,
    UserActed,
)
from tutor.scenes.expectations import CheckContext, StepOutcome, check
from tutor.scenes.model import Scene, Step
from tutor.scenes.world import World, WorldSnapshot
from tutor.server.state import RequestHandled, ServerEvent

Listener = Callable[[SceneEvent], None]
LOGIN_PATH = "/login"


@dataclass
class StepRecord:
    """What one step did the first time it ran."""

    index: int
    events: list[SceneEvent] = field(default_factory=list)
    outcome: StepOutcome = field(default_factory=StepOutcome)
    passed: bool = True
    error: str | None = None
    after: WorldSnapshot | None = None

    @property
    def failures(self) -> list[ExpectationChecked]:
        """The expectations that did not hold."""
        return [e for e in self.events if isinstance(e, ExpectationChecked) and not e.passed]


def login_steps_of(exchange: Exchange) -> tuple[int, ...]:
    """Which of the four login steps an exchange shows (none for a stranger's request)."""
    request, response = exchange.request, exchange.response
    path = request.url.split("://", 1)[-1].partition("/")[2].split("?")[0]
    if request.method == "POST" and "/" + path == LOGIN_PATH:
        # Step 3 happened when the server accepted the credentials, even if it answered
        # without a new cookie (a server that does not rotate the session id).
        return (2, 3) if response.status < 400 else (2,)
    if request.header("authorization") or request.header("cookie"):
        return (4,)
    return ()


class _StepIO:
    """What an action may tell the engine while it runs one step.

    A module-level class: defining it inside `_run` built a new class on every step.
    """

    def __init__(self, index: int, step: Step, outcome: StepOutcome,
                 emit: Callable[[SceneEvent], None]) -> None:
        self.index = index
        self.step = step
        self.outcome = outcome
        self.emit = emit

    def user(self, text: str, login_step: int | None = None) -> None:
        self.emit(UserActed(self.index, self.step.actor, text, login_step))

    def primary(self) -> None:
        if self.outcome.primary_index is None:
            self.outcome.primary_index = len(self.outcome.exchanges)

    def clock_moved(self, before: float, after: float) -> None:
        self.emit(ClockMoved(self.index, before, after))


class SceneEngine:
    """Steps a scene forward and backward against a fresh in-process world."""

    def __init__(self, scene: Scene) -> None:
        self.scene = scene
        self.world = World(scene)
        self.position = 0
        """How many steps have been applied (0 = the start)."""
        self.records: list[StepRecord] = []
        """One record per step run so far, kept when stepping back."""
        self._initial = self.world.snapshot()
        self._listeners: list[Listener] = []

    @property
    def at_end(self) -> bool:
        """True when every step has been applied."""
        return self.position >= len(self.scene.steps)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Hear every scene event; returns a function that unsubscribes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _emit(self, event: SceneEvent) -> None:
        for listener in list(self._listeners):
            listener(event)

    async def forward(self) -> StepRecord:
        """Apply the next step (replaying it exactly if it ran before)."""
        if self.at_end:
            raise IndexError("the scene is already at its last step")
        index = self.position
        if index < len(self.records):
            record = self.records[index]
            assert record.after is not None
            self.world.restore(record.after)
            for event in record.events:
                self._emit(event)
        else:
            record = await self._run(index)
            self.records.append(record)
        self.position += 1
        return record

    def back(self) -> None:
        """Undo the last applied step exactly."""
        if self.position == 0:
            raise IndexError("the scene is already at its start")
        self.position -= 1
        before = self._initial if self.position == 0 else self.records[self.position - 1].after
        assert before is not None
        self.world.restore(before)
        self._emit(SteppedBack(self.position))

    async def goto(self, position: int) -> None:
        """Move to `position` (0 = start, len(steps) = end), forward or back."""
        if not 0 <= position <= len(self.scene.steps):
            raise IndexError(f"position {position} is outside 0..{len(self.scene.steps)}")
        while self.position > position:
            self.back()
        while self.position < position:
            await self.forward()

    async def run_all(self) -> list[StepRecord]:
        """Apply every remaining step."""
        while not self.at_end:
            await self.forward()
        return self.records

    def restart(self) -> None:
        """Back to the start, forgetting nothing (forward replays the recorded steps)."""
        if self.position:
            self.position = 0
            self.world.restore(self._initial)
            self._emit(SteppedBack(0))

    async def _run(self, index: int) -> StepRecord:
        step = self.scene.steps[index]
        record = StepRecord(index)
        outcome = record.outcome

        def emit(event: SceneEvent) -> None:
            record.events.append(event)
            self._emit(event)

        def on_browser(event: BrowserEvent) -> None:
            if isinstance(event, Exchange):
                outcome.exchanges.append(event)
                steps = login_steps_of(event)
                outcome.login_steps[len(outcome.exchanges) - 1] = steps
                emit(ExchangeSeen(index, event, steps, event.response.header("x-tutor-replica")))
            elif isinstance(event, RequestBlocked):
                outcome.blocked.append(event)
                emit(RequestRefused(index, event))
            else:
                emit(BrowserChanged(index, event))

        def on_server(event: ServerEvent) -> None:
            outcome.server_events.append(event)
            if not isinstance(event, RequestHandled):
                emit(ServerChanged(index, event))

        emit(StepStarted(index, step))
        unsubscribe = [b.subscribe(on_browser) for b in self.world.browsers.values()]
        unsubscribe.append(self.world.server.log.subscribe(on_server))
        try:
            await ACTIONS[step.action](self.world, step, _StepIO(index, step, outcome, emit))
        except (StepFailed, NetworkError, RedirectLoop) as exc:
            # A host no server answers, or a redirect loop, is a scene mistake too.
            record.error = str(exc)
        finally:
            for stop in unsubscribe:
                stop()
        if record.error is None:
            context = CheckContext(outcome, self.world, step.actor)
            for expectation in step.expect:
                passed, detail = check(expectation, context)
                emit(ExpectationChecked(index, expectation, passed, detail))
                record.passed = record.passed and passed
        else:
            record.passed = False
        emit(StepFinished(index, record.passed, record.error))
        record.after = self.world.snapshot()
        return record
