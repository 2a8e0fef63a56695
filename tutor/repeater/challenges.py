"""Challenge quizzes: reach a goal against a live sandboxed server, graded from the
server's own access log.

The grade never comes from what the learner says they did: only a `RequestHandled`
line the server wrote (what it was asked, what it answered, whom it recognised) can meet
the goal. Each challenge runs in a `Sandbox` with the quiz's server settings and a
victim, alice, logged in from the start in her own browser.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from tutor.repeater.draft import DraftError, RequestDraft
from tutor.repeater.goal import (
    Attempt,
    AttemptError,
    CrossSite,
    Goal,
    Problems,
    challenge_config,
    challenge_problems,
    parse_attempt,
    parse_goal,
    parse_solution_step,
)
from tutor.repeater.sandbox import HandledRequest, Sandbox, SandboxError, TimelineEntry
from tutor.server.config import ConfigError

VICTIM_USER = "alice"
BODY_SHOWN = 1500
"""Characters of a response body shown in feedback: enough to copy a token from."""
STATE_KEY = "challenge_run"
T = TypeVar("T")


class ChallengeError(ValueError):
    """The challenge itself is written wrongly (lint reports the same problems)."""


@dataclass(frozen=True)
class ChallengeResult:
    """Whether the goal is met now, and what the server did, in words."""

    passed: bool
    message: str
    entry: TimelineEntry | None = None
    """The timeline entry an attempt made (None for a line that could not be sent)."""


class ChallengeRun:
    """One learner's go at a challenge: a sandbox, the goal, and attempts."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        problems = challenge_problems(data)
        if problems:
            raise ChallengeError("; ".join(f"{key}: {message}" for key, message in problems))
        self.goal: Goal = parse_goal(data["goal"])
        try:
            config = challenge_config(data)
        except ConfigError as exc:  # checked above; kept for type narrowing
            raise ChallengeError(str(exc)) from None
        self.sandbox = Sandbox(config, victim=VICTIM_USER)
        self.solution: list[Any] = list(data["solution"])

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


def start_challenge(quiz_data: Mapping[str, Any]) -> ChallengeRun:
    """A fresh run of a challenge quiz (`ChallengeError` if the quiz is written wrongly)."""
    return ChallengeRun(quiz_data)


def grade_challenge_line(
    quiz: Mapping[str, Any], line: str, state: dict[str, Any]
) -> tuple[bool, str]:
    """Plain-text quizzes: one answer line is one attempt; `state` keeps the run (and so
    the server's memory) across retries of the same question."""
    run = state.get(STATE_KEY)
    if not isinstance(run, ChallengeRun):
        try:
            run = start_challenge(quiz)
        except ChallengeError as exc:
            return False, f"This challenge is written wrongly: {exc}"
        state[STATE_KEY] = run
    result = run_sync(run.attempt_line(line))
    return result.passed, result.message


async def verify_challenge(data: Mapping[str, Any]) -> Problems:
    """For lint: neither doing nothing nor a bare request with no credential meets the
    goal, and the reference solution, run against a fresh server, does."""
    try:
        bare = start_challenge(data)
        run = start_challenge(data)
    except ChallengeError:
        return []  # the parser already reported the shape problems, where they are
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


def run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to the end from plain code (in a thread if a loop is running)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


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
