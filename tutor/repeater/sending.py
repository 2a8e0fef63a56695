"""How the Repeater sends what the learner asked for: one of four ways, chosen here.

A challenge grades every attempt against its goal; otherwise a lure makes the victim's
browser send the request from evil.test, an edit of a timeline entry is resent from the
moment before that entry (a new branch, compared with the original), and anything else
is a new request from your browser.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from tutor.repeater.draft import RequestDraft
from tutor.repeater.goal import CrossSite
from tutor.repeater.sandbox import Resent, Sandbox, SandboxError, TimelineEntry

if TYPE_CHECKING:
    from tutor.repeater.challenges import ChallengeRun


class SendWay(Enum):
    """The four ways a request leaves the Repeater."""

    CHALLENGE_ATTEMPT = "challenge attempt"
    """Sent by the challenge, which grades it from the server's log."""
    LURE_VICTIM = "lure victim"
    """The victim's browser, lured to evil.test, sends it."""
    RESEND = "resend"
    """An edit of a timeline entry, sent from the moment before that entry."""
    SEND = "send"
    """A new request from your browser, raw, as curl would send it."""


def choose_way(attempt: RequestDraft | CrossSite, editing: int | None, *,
               in_challenge: bool) -> SendWay:
    """Which way to send `attempt`; `editing` is the timeline entry it was loaded from."""
    if in_challenge:
        return SendWay.CHALLENGE_ATTEMPT
    if isinstance(attempt, CrossSite):
        return SendWay.LURE_VICTIM
    if editing is not None:
        return SendWay.RESEND
    return SendWay.SEND


@dataclass(frozen=True)
class Delivered:
    """What sending made: the timeline entry, and what the Repeater shows beside it."""

    entry: TimelineEntry
    resent: Resent | None = None
    """The original exchange beside the new one, for a resend."""
    verdict: str | None = None
    """For a challenge: whether the goal is met now, in words."""
    passed: bool = False
    """For a challenge: the attempt met the goal."""


async def deliver(sandbox: Sandbox, attempt: RequestDraft | CrossSite, editing: int | None,
                  challenge: ChallengeRun | None = None) -> Delivered:
    """Send `attempt` the way `choose_way` picks; a refusal is a `SandboxError`."""
    way = choose_way(attempt, editing, in_challenge=challenge is not None)
    if way is SendWay.CHALLENGE_ATTEMPT:
        assert challenge is not None
        if editing is not None:  # from the moment before the entry, as a resend would
            challenge.sandbox.goto(editing)
        result = await challenge.attempt(attempt)
        if result.entry is None:
            raise SandboxError(result.message)
        return Delivered(result.entry, verdict=challenge.goal_met().message,
                         passed=result.passed)
    if way is SendWay.LURE_VICTIM:
        assert isinstance(attempt, CrossSite)
        entry = await sandbox.victim_cross_site(attempt.path, attempt.method, attempt.kind,
                                                dict(attempt.fields))
        return Delivered(entry)
    assert isinstance(attempt, RequestDraft)
    if way is SendWay.RESEND:
        assert editing is not None
        # From the moment before the original, so the edit replaces it (a branch).
        sandbox.goto(editing)
        resent = await sandbox.resend(editing, attempt)
        return Delivered(resent.entry, resent=resent)
    return Delivered(await sandbox.send(attempt))
