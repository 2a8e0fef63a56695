"""What every step action shares: how it reports to the engine, and how it fails."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from tutor.browser.events import Exchange, RequestBlocked
from tutor.scenes.model import Step
from tutor.scenes.world import World


class StepFailed(Exception):
    """The step could not be carried out as written (say why, for the lesson author)."""


class StepIO(Protocol):
    """How an action talks to the engine while it runs."""

    def user(self, text: str, login_step: int | None = None) -> None:
        """Report something the person did outside HTTP."""

    def primary(self) -> None:
        """The next request is the step's main one: expectations look at it."""

    def clock_moved(self, before: float, after: float) -> None:
        """Time passed (reported before what it caused, such as expired sessions)."""


Action = Callable[[World, Step, StepIO], Awaitable[None]]


def response_json(exchange: Exchange | RequestBlocked | None) -> dict[str, Any]:
    """A response's JSON object body, or {} (no response, not JSON, not an object)."""
    if not isinstance(exchange, Exchange):
        return {}
    try:
        body = json.loads(exchange.response.body)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


