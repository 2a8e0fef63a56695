"""Challenge quizzes: reach a goal against a live sandboxed server, graded from the
server's own access log.

The grade never comes from what the learner says they did: only a `RequestHandled`
line the server wrote (what it was asked, what it answered, whom it recognised) can meet
the goal. Each challenge runs in a `Sandbox` with the quiz's server settings and a
victim, alice, logged in from the start in her own browser.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tutor.repeater.draft import DraftError, RequestDraft
from tutor.repeater.goal import (
    Attempt,
    AttemptError,
    CrossSite,
    Goal,
    Problems,
    parse_attempt,
    parse_solution_step,
)
from tutor.repeater.sandbox import HandledRequest, Sandbox, SandboxError, TimelineEntry
from tutor.server.config import ServerConfig

VICTIM_USER = "alice"
BODY_SHOWN = 1500
"""Characters of a response body shown in feedback: enough to copy a token from."""


@dataclass(frozen=True)
class ChallengeResult:
    """Whether the goal is met now, and what the server did, in words."""

    passed: bool
    message: str
    entry: TimelineEntry | None = None
    """The timeline entry an attempt made (None for a line that could not be sent)."""


class ChallengeRun:
    """One learner's go at a challenge: a sandbox, the goal, and attempts."""

    def __init__(self, goal: Goal, config: ServerConfig, solution: Sequence[Any]) -> None:
        self.goal = goal
        self.sandbox = Sandbox(config, victim=VICTIM_USER)
        self.solution: list[Any] = list(solution)
        """The reference solution's steps, as written (curl text or cross_site mappings)."""

    async def start(self) -> None:
        """Log the victim in; attempts call this themselves."""
        await self.sandbox.start()

    async def attempt(self, attempt: Attempt) -> ChallengeResult:
        """Send one request (yours, or the lured victim's) and grade from the log."""
        await self.start()
        try:
            if isinstance(attempt, CrossSite):
                entry = await self.sandbox.victim_cross_site(
                    attempt.path, attempt.method, attempt.kind, dict(attempt.fields))
            else:
                entry = await self.sandbox.send(attempt)
        except (SandboxError, DraftError) as exc:
            return ChallengeResult(False, f"Not sent: {exc}")
        verdict = self._verdict(closest=False)
        lines = [_answer(line) for line in entry.handled] or [
            "The server received no request (the browser did not send it)."]
        lines += [f"The browser refused: {b.reason}" for b in entry.blocked]
        main = entry.main
        if main is not None and main.response.body and entry.sender == "you":
            lines.append(f"The answer's body: {_excerpt(main.response.text)}")
        lines.append(verdict.message)
        return ChallengeResult(verdict.passed, "\n".join(lines), entry)

    async def attempt_line(self, line: str) -> ChallengeResult:
        """One typed line: a curl command, or `cross-site [form|fetch|navigate] METHOD /path`."""
        try:
            attempt = parse_attempt(line)
        except AttemptError as exc:
            return ChallengeResult(False, f"Not sent: {exc}")
        return await self.attempt(attempt)

    def goal_met(self) -> ChallengeResult:
        """Whether the server's log (as of the timeline's position) shows the goal."""
        return self._verdict(closest=True)

    def _verdict(self, closest: bool) -> ChallengeResult:
        accepted = self.sandbox.accepted()
        for line in accepted:
            if self._matches(line):
                event = line.event
                who = f" and recognised {event.principal}" if event.principal else ""
                how = f" ({event.credential})" if event.credential else ""
                return ChallengeResult(True, f"Goal met: the server's own log shows "
                                       f"{event.method} {event.path} answered {event.status}"
                                       f"{who}{how}, sent by {_sender(line.sender)}.")
        wanted = f"Not yet: the goal is {self.goal.describe()}."
        near = [line for line in accepted if line.event.path == self.goal.path]
        if not closest:
            return ChallengeResult(False, wanted)
        if not near:
            return ChallengeResult(False, f"{wanted} Nothing has reached {self.goal.path} yet.")
        return ChallengeResult(False, f"{wanted} Closest so far: {_answer(near[-1])}")

    def _matches(self, line: HandledRequest) -> bool:
        event = line.event
        return self.goal.matches(event.method, event.path, event.status, event.principal,
                                 event.credential, line.sender)


async def verify_challenge(bare: ChallengeRun, run: ChallengeRun) -> Problems:
    """For lint, on two fresh runs of one challenge: neither doing nothing nor a bare
    request with no credential meets the goal, and the reference solution does."""
    await bare.start()
    idle = bare.goal_met()
    if idle.passed:
        return [("goal", f"the goal is met before the learner does anything ({idle.message})")]
    goal = bare.goal
    if (await bare.attempt(RequestDraft(goal.method, goal.path))).passed:
        return [("goal", f"a bare {goal.method} {goal.path} with no credential already "
                 "meets the goal: ask for something only the attack achieves")]
    await run.start()
    problems: Problems = []
    for index, step in enumerate(run.solution):
        result = await run.attempt(parse_solution_step(step))
        if result.entry is None:
            problems.append((f"solution[{index}]", result.message))
    final = run.goal_met()
    if not final.passed:
        problems.append(("solution", f"the reference solution does not reach the goal. "
                         f"{final.message}"))
    return problems


def _answer(line: HandledRequest) -> str:
    event = line.event
    who = f", recognised {event.principal}" if event.principal else ""
    reason = f": {event.reason}" if event.reason else ""
    return (f"{event.method} {event.path} from {_sender(line.sender)} → {event.status}"
            f"{who}{reason}")


def _sender(sender: str) -> str:
    return "you" if sender == "you" else f"{VICTIM_USER}'s browser"


def _excerpt(text: str) -> str:
    text = text.strip()
    return text if len(text) <= BODY_SHOWN else text[:BODY_SHOWN] + " …"
