"""Predict questions run their scene for real: the server's answer is the proof.

`LiveExchange` is what a front end gets to show (the plain lines, or the stage's view of
the whole exchange); `status_meaning` reads a status for feedback.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tutor.browser.events import Exchange
from tutor.lessons.transcript import REQUEST_HEADERS, RESPONSE_HEADERS, shorten
from tutor.quiz.statuses import status_meaning
from tutor.scenes.engine import SceneEngine
from tutor.scenes.model import Scene

BODY_EXCERPT = 200


@dataclass(frozen=True)
class LiveExchange:
    """The request and response a predict question's step really produced."""

    scene_id: str
    track: str
    step: int
    """0-based, as written in the quiz."""
    method: str
    url: str
    status: int
    request_headers: tuple[tuple[str, str], ...]
    response_headers: tuple[tuple[str, str], ...]
    body: str
    """The start of the response body."""
    exchange: Exchange | None = field(default=None, compare=False, repr=False)
    """The whole exchange, for a view that draws it (the stage's exchange view)."""

    def meaning(self, status: int | None = None) -> str:
        """What `status` (default: the real one) would mean for this very request."""
        sent = any(name.lower() in ("cookie", "authorization")
                   for name, _ in self.request_headers)
        return status_meaning(self.status if status is None else status, self.method,
                              self.url, sent)


async def run_predict_step(scene: Scene | None, scene_id: str, track: str,
                           step: int) -> LiveExchange | str:
    """Run the scene up to and including `step` (0-based); the step's main exchange, or a
    sentence saying why there is none."""
    if scene is None:
        return f"the lesson has no scene {scene_id!r} (or no such track)"
    if not 0 <= step < len(scene.steps):
        return f"step {step} is outside scene {scene_id!r}"
    engine = SceneEngine(scene)
    await engine.goto(step + 1)
    record = engine.records[step]
    if record.error:
        return f"step {step + 1} of scene {scene_id!r} could not run: {record.error}"
    main = record.outcome.main
    if main is None:
        return f"step {step + 1} of scene {scene_id!r} makes no HTTP request"
    return live_exchange(scene_id, track, step, main)


def live_exchange(scene_id: str, track: str, step: int, exchange: Exchange) -> LiveExchange:
    """The parts of an exchange that prove or refute a prediction."""
    request, response = exchange.request, exchange.response
    request_headers = tuple((name, value) for name in REQUEST_HEADERS
                            for value in [request.header(name)] if value is not None)
    response_headers = tuple((name, value) for name in RESPONSE_HEADERS
                             for value in response.header_values(name))
    body = response.text.strip()
    if len(body) > BODY_EXCERPT:
        body = body[:BODY_EXCERPT] + "..."
    return LiveExchange(scene_id, track, step, request.method, request.url, response.status,
                        request_headers, response_headers, body, exchange)


def live_lines(live: LiveExchange) -> list[str]:
    """The live exchange as plain text lines."""
    track = f", {live.track} track" if live.track else ""
    lines = [f"The scene ran live (scene {live.scene_id}{track}, step {live.step + 1}):",
             f"  {live.method} {live.url}"]
    lines += [f"    request header {name}: {shorten(value)}"
              for name, value in live.request_headers]
    lines.append(f"  response {live.status} ({live.meaning()})")
    lines += [f"    response header {name}: {shorten(value, 120)}"
              for name, value in live.response_headers]
    if live.body:
        lines.append(f"    body: {' '.join(live.body.split())}")
    return lines
