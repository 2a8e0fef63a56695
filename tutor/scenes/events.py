"""What the scene engine reports, in order, for the UI and the tests to consume."""

from __future__ import annotations

from dataclasses import dataclass

from tutor.browser.events import BrowserEvent, Exchange, RequestBlocked
from tutor.scenes.model import Expectation, Step
from tutor.server.events import ServerEvent


@dataclass(frozen=True)
class SceneEvent:
    """Something happened while a scene ran."""

    step_index: int
    """Which step (0-based) it belongs to."""


@dataclass(frozen=True)
class StepStarted(SceneEvent):
    step: Step


@dataclass(frozen=True)
class UserActed(SceneEvent):
    """The person did something outside HTTP (typed a password, opened devtools...)."""

    browser: str
    text: str
    login_step: int | None = None


@dataclass(frozen=True)
class ExchangeSeen(SceneEvent):
    """An HTTP request and response, tagged with the login steps it shows."""

    exchange: Exchange
    login_steps: tuple[int, ...]
    replica: str | None


@dataclass(frozen=True)
class RequestRefused(SceneEvent):
    """The browser did not send a request (CORS preflight failed)."""

    blocked: RequestBlocked


@dataclass(frozen=True)
class BrowserChanged(SceneEvent):
    """Cookie stored, rejected or removed; storage written; a script read something."""

    event: BrowserEvent


@dataclass(frozen=True)
class ServerChanged(SceneEvent):
    """Session created or destroyed, token issued or denylisted, request logged..."""

    event: ServerEvent


@dataclass(frozen=True)
class ClockMoved(SceneEvent):
    before: float
    after: float


@dataclass(frozen=True)
class ExpectationChecked(SceneEvent):
    expectation: Expectation
    passed: bool
    detail: str


@dataclass(frozen=True)
class StepFinished(SceneEvent):
    passed: bool
    error: str | None = None
    """Set when the step itself could not run (a scene mistake, not a failed expectation)."""


@dataclass(frozen=True)
class SteppedBack(SceneEvent):
    """Time travel: the world is back as it was before step `step_index`."""
