"""The sandbox: drafts sent raw and recorded like scene exchanges, a timeline whose
back and forward restore browsers, server and clock exactly, and edit-and-resend."""

from __future__ import annotations

import pytest

from tests.repeater.helpers import bearer_draft, body_of, login_draft, sandbox
from tutor.repeater.draft import DraftError, RequestDraft
from tutor.repeater.sandbox import Sandbox, SandboxError
from tutor.server.events import RequestHandled


async def test_sent_drafts_are_recorded_with_the_servers_own_log_line() -> None:
    box = sandbox("jwt")
    await box.start()
    entry = await box.send(login_draft())
    assert entry.main is not None and entry.main.response.status == 200
    assert entry.login_steps == (2, 3)
    assert [h.event.status for h in entry.handled] == [200]
    line = entry.handled[0]
    assert (line.event.method, line.event.path, line.event.principal, line.sender) == (
        "POST", "/login", "alice", "you")
    assert line.exchange is entry.main
    # Raw like curl: nothing added, nothing stored in the jar.
    assert entry.main.request.header("origin") is None
    assert box.you.jar.cookies() == []


async def test_back_and_forward_restore_state_exactly() -> None:
    box = sandbox("cookie", victim="alice")
    await box.start()
    start = box.fingerprint()
    victim = box.victim
    assert victim is not None and victim.jar.cookies(), "the victim is logged in at start"
    await box.send(login_draft())
    await box.advance_clock(1000)  # past the idle timeout: the sessions expire
    after_clock = box.fingerprint()
    assert after_clock != start
    box.back()
    box.back()
    assert box.position == 0
    assert box.fingerprint() == start
    assert len(box.world.server.store.authenticated_sessions()) == 1
    box.forward()
    box.forward()
    assert box.fingerprint() == after_clock
    with pytest.raises(SandboxError, match="end of the timeline"):
        box.forward()


async def test_acting_while_stepped_back_starts_a_new_branch() -> None:
    box = sandbox("jwt")
    await box.start()
    await box.send(login_draft())
    await box.send(RequestDraft("GET", "/profile"))
    box.back()
    entry = await box.send(RequestDraft("GET", "/admin"))
    assert [e.index for e in box.entries] == [0, 1]
    assert entry.index == 1 and box.position == 2
    assert [h.event.path for h in box.accepted()] == ["/login", "/admin"]


async def test_resend_pairs_the_new_answer_with_the_old_one() -> None:
    box = sandbox("jwt")
    await box.start()
    token = body_of(await box.send(login_draft()))["access_token"]
    first = await box.send(bearer_draft("/profile", token))
    edited = box.draft_of(first.index).with_header("Authorization", "Bearer not-a-token")
    resent = await box.resend(first.index, edited)
    assert resent.old is first.main
    diff = resent.diff
    assert (diff.old_status, diff.new_status, diff.status_changed) == (200, 401, True)
    assert [c.name for c in diff.request_headers] == ["authorization"]
    assert any(c.name == "www-authenticate" and not c.old for c in diff.response_headers)
    assert any('"error": "invalid_token"' in line for line in diff.response_body)
    assert "status: 200 → 401" in diff.summary()
    same = await box.resend(first.index, box.draft_of(first.index))
    assert same.diff.summary() == ["status: 200 both times"]  # nothing else differs


async def test_the_victim_can_be_lured_to_evil_test() -> None:
    box = sandbox("cookie", "samesite_none", "no_csrf_check", victim="alice")
    await box.start()
    entry = await box.victim_cross_site("/logout")
    assert entry.sender == "victim"
    assert entry.main is not None and entry.main.request.header("origin") == "https://evil.test"
    line = entry.handled[0]
    assert (line.event.path, line.event.status, line.event.principal, line.sender) == (
        "/logout", 303, "alice", "victim")
    assert box.world.server.store.authenticated_sessions() == []


async def test_lax_cookies_stay_home_on_a_cross_site_post() -> None:
    box = sandbox("cookie", victim="alice")
    await box.start()
    entry = await box.victim_cross_site("/logout")
    assert [h.event.status for h in entry.handled] == [401]
    assert any(not d.sent for d in entry.exchanges[-1].cookies_sent)


async def test_bad_input_is_a_message_and_changes_nothing() -> None:
    box = sandbox("jwt")
    with pytest.raises(SandboxError, match="start"):
        await box.send(RequestDraft())
    await box.start()
    before = box.fingerprint()
    with pytest.raises(DraftError, match="header 1"):
        await box.send(RequestDraft("GET", "/", (("Bad Name", "x"),)))
    with pytest.raises(SandboxError, match="no victim"):
        await box.victim_cross_site("/logout")
    with pytest.raises(SandboxError, match="no entry 3"):
        box.draft_of(3)
    with pytest.raises(SandboxError, match="mode 'jtw'"):
        sandbox("jtw")
    with pytest.raises(SandboxError, match="not a demo user"):
        sandbox("jwt", victim="mallory")
    assert box.fingerprint() == before and box.entries == []


async def test_repeated_headers_are_combined_as_http_allows() -> None:
    box = sandbox("jwt")
    await box.start()
    entry = await box.send(RequestDraft("GET", "/", (("X-A", "1"), ("x-a", "2"))))
    assert entry.main is not None and entry.main.request.header("x-a") == "1, 2"
    assert isinstance(entry.handled[0].event, RequestHandled)


async def test_a_scene_world_can_be_borrowed_and_given_back_exactly() -> None:
    from tutor.lessons.course import default_course_dir, find_lesson
    from tutor.quiz.kinds import KINDS
    from tutor.scenes.engine import SceneEngine
    from tutor.scenes.events import ExchangeSeen

    lesson, _ = find_lesson(default_course_dir(), "session-cookies", KINDS)
    assert lesson is not None
    engine = SceneEngine(lesson.scenes[0].tracks[0][1])
    await engine.goto(2)  # logged in, the profile fetched with the cookie
    fingerprint = engine.world.fingerprint()
    with_cookie = next(event.exchange for record in engine.records[:2]
                       for event in record.events if isinstance(event, ExchangeSeen)
                       and event.exchange.request.url.endswith("/profile")
                       and event.exchange.request.header("cookie"))
    borrowed = Sandbox(world=engine.world)
    await borrowed.start()
    replayed = await borrowed.send(RequestDraft.from_exchange(with_cookie))
    assert replayed.main is not None and replayed.main.response.status == 200
    logged_out = await borrowed.send(RequestDraft.from_exchange(with_cookie).without_header(
        "Cookie"))
    assert logged_out.main is not None and logged_out.main.response.status == 401
    borrowed.release()
    assert engine.world.fingerprint() == fingerprint
    assert "you" not in engine.world.browsers
