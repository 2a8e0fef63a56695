"""The Repeater's four ways to send, chosen by a pure function and carried out in the core."""

from __future__ import annotations

import pytest

from tests.repeater.helpers import login_draft, sandbox
from tutor.repeater.draft import RequestDraft
from tutor.repeater.goal import CrossSite
from tutor.repeater.sandbox import SandboxError
from tutor.repeater.sending import SendWay, choose_way, deliver

DRAFT = RequestDraft("GET", "/profile")
LURE = CrossSite("/logout")


@pytest.mark.parametrize(("attempt", "editing", "in_challenge", "way"), [
    (DRAFT, None, True, SendWay.CHALLENGE_ATTEMPT),
    (LURE, 2, True, SendWay.CHALLENGE_ATTEMPT),
    (LURE, None, False, SendWay.LURE_VICTIM),
    (LURE, 2, False, SendWay.LURE_VICTIM),
    (DRAFT, 0, False, SendWay.RESEND),
    (DRAFT, None, False, SendWay.SEND),
])
def test_the_way_to_send(attempt: RequestDraft | CrossSite, editing: int | None,
                         in_challenge: bool, way: SendWay) -> None:
    assert choose_way(attempt, editing, in_challenge=in_challenge) is way


async def test_a_send_then_a_resend_of_it_replaces_it_on_a_new_branch() -> None:
    box = sandbox("cookie")
    await box.start()
    sent = await deliver(box, login_draft(), None)
    await deliver(box, DRAFT, None)
    assert sent.resent is None and sent.verdict is None and len(box.entries) == 2
    again = await deliver(box, login_draft(password="wrong"), 0)
    assert again.resent is not None and again.resent.old is sent.entry.main
    assert (again.resent.diff.old_status, again.resent.diff.new_status) == (200, 401)
    assert [e.label for e in box.entries] == [again.entry.label]


async def test_a_lure_makes_the_victims_browser_send_it() -> None:
    box = sandbox("cookie", victim="alice")
    await box.start()
    lured = await deliver(box, CrossSite("/profile", "GET", "navigate"), None)
    assert lured.entry.sender == "victim"
    assert [line.event.path for line in lured.entry.handled] == ["/profile"]


async def test_a_challenge_grades_and_an_unsendable_attempt_is_refused() -> None:
    from tests.repeater.test_challenges import _run

    run = _run("challenge-alg-none")
    delivered = await deliver(run.sandbox, DRAFT, None, run)
    assert not delivered.passed and delivered.verdict is not None
    assert delivered.verdict.startswith("Not yet")
    with pytest.raises(SandboxError, match="Not sent"):
        await deliver(run.sandbox, CrossSite("/x", kind="teleport"), None, run)
