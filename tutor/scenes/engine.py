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
from tutor.scenes.actions import ACTION_RUNNERS, StepFailed
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
from tutor.scenes.expectations import CheckContext, check
from tutor.scenes.model import Scene, Step
from tutor.scenes.recorder import Happening, Recorder, Recording, Timeline, login_steps_of
from tutor.scenes.world import World
from tutor.server.events import RequestHandled

__all__ = ["SceneEngine", "StepRecord", "login_steps_of"]

Listener = Callable[[SceneEvent], None]


@dataclass
class StepRecord:
    """What one step did the first time it ran."""

    index: int
    events: list[SceneEvent] = field(default_factory=list)
    """The scene events, in order, replayed when stepping forward again."""
    outcome: Recording = field(default_factory=Recording)
    """Everything the step caused, as the recorder filed it."""
    passed: bool = True
    error: str | None = None

    @property
    def failures(self) -> list[ExpectationChecked]:
        """The expectations that did not hold."""
        return [e for e in self.events if isinstance(e, ExpectationChecked) and not e.passed]


class _StepIO:
    """What an action may tell the engine while it runs one step.

    A module-level class: defining it inside `_run` built a new class on every step.
    """

    def __init__(self, index: int, step: Step, outcome: Recording,
                 emit: Callable[[SceneEvent], None]) -> None:
        self.index = index
        self.step = step
        self.outcome = outcome
        self.emit = emit

    def user(self, text: str, login_step: int | None = None) -> None:
        self.emit(UserActed(self.index, self.step.actor, text, login_step))

    def primary(self) -> None:
        self.outcome.mark_primary()

    def clock_moved(self, before: float, after: float) -> None:
        self.emit(ClockMoved(self.index, before, after))


def scene_event_of(index: int, happening: Happening) -> SceneEvent | None:
    """What the UI hears about a browser or server event (None for access-log lines,
    which the exchange they belong to already shows)."""
    if isinstance(happening, Exchange):
        return ExchangeSeen(index, happening, login_steps_of(happening),
                            happening.response.header("x-tutor-replica"))
    if isinstance(happening, RequestBlocked):
        return RequestRefused(index, happening)
    if isinstance(happening, RequestHandled):
        return None
    if isinstance(happening, BrowserEvent):
        return BrowserChanged(index, happening)
    return ServerChanged(index, happening)


class SceneEngine:
    """Steps a scene forward and backward against a fresh in-process world."""

    def __init__(self, scene: Scene) -> None:
        self.scene = scene
        self.world = World(scene)
        self.timeline: Timeline[StepRecord] = Timeline(self.world)
        """One record per step run so far, with the world after it; kept when stepping
        back (the engine only adds a step at the end, so nothing is ever dropped)."""
        self.timeline.begin()
        self._listeners: list[Listener] = []

    @property
    def records(self) -> list[StepRecord]:
        """One record per step run so far, kept when stepping back."""
        return self.timeline.entries

    @property
    def position(self) -> int:
        """How many steps have been applied (0 = the start)."""
        return self.timeline.position

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
            self.timeline.goto(index + 1)
            record = self.records[index]
            for event in record.events:
                self._emit(event)
        else:
            record = await self._run(index)
            self.timeline.add(record)
        return record

    def back(self) -> None:
        """Undo the last applied step exactly."""
        if self.position == 0:
            raise IndexError("the scene is already at its start")
        self.timeline.goto(self.position - 1)
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
            self.timeline.goto(0)
            self._emit(SteppedBack(0))

    async def _run(self, index: int) -> StepRecord:
        step = self.scene.steps[index]
        record = StepRecord(index)

        def emit(event: SceneEvent) -> None:
            record.events.append(event)
            self._emit(event)

        def heard(happening: Happening) -> None:
            event = scene_event_of(index, happening)
            if event is not None:
                emit(event)

        emit(StepStarted(index, step))
        try:
            with Recorder(self.world, record.outcome, sender=step.actor, listener=heard):
                await ACTION_RUNNERS[step.action](
                    self.world, step, _StepIO(index, step, record.outcome, emit))
        except (StepFailed, NetworkError, RedirectLoop) as exc:
            # A host no server answers, or a redirect loop, is a scene mistake too.
            record.error = str(exc)
        if record.error is None:
            context = CheckContext(record.outcome, self.world, step.actor)
            for expectation in step.expect:
                passed, detail = check(expectation, context)
                emit(ExpectationChecked(index, expectation, passed, detail))
                record.passed = record.passed and passed
        else:
            record.passed = False
        emit(StepFinished(index, record.passed, record.error))
        return record
