"""What a long-running server keeps is bounded: pre-login sessions and the event log.

A crawler of the login page opens a pre-login session per visit (the page carries a
CSRF token kept in the session, as PHP's session_start or express-session with a CSRF
secret do), and `tutor serve` used to keep every server event for as long as it ran.
"""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import TEST_SCRYPT_COST, ServerFactory
from tests.server.helpers import ALICE
from tutor.cli.serve import SERVE_EVENT_LOG_LIMIT, build_server
from tutor.clock import SimulatedClock
from tutor.server import MockServer, ServerConfig, Vulnerabilities
from tutor.server.events import EventLog, RequestHandled, SessionCreated, SessionDestroyed


async def _visit(server: MockServer, cookie: str | None = None) -> httpx.Response:
    """GET / as a fresh visitor, or one sending `sid=cookie`."""
    headers = {"Cookie": f"sid={cookie}"} if cookie else {}
    async with server.client() as client:
        return await client.get("/", headers=headers)


def _sid(response: httpx.Response) -> str:
    return response.headers["set-cookie"].split(";")[0].removeprefix("sid=")


async def test_a_crawler_cannot_fill_the_store_with_pre_login_sessions(
    make_server: ServerFactory,
) -> None:
    """OWASP Session Management (session exhaustion): pre-login sessions are capped; the
    one seen least recently is evicted first, and a visitor who came back is kept."""
    server = make_server(mode="cookie")
    ctx = server.replicas[0].context
    ctx.max_anonymous_sessions = 3
    first, second, third = [_sid(await _visit(server)) for _ in range(3)]
    assert (await _visit(server, first)).status_code == 200  # first comes back: now the newest
    fourth = _sid(await _visit(server))
    assert set(ctx.store.sessions) == {first, third, fourth}
    evicted = [(e.session_id, e.reason) for e in server.log.events
               if isinstance(e, SessionDestroyed)]
    assert evicted == [(second, "evicted")]
    for _ in range(20):
        await _visit(server)
    assert len(ctx.store.sessions) == 3
    assert len(ctx.store.session_due) <= 2 * 3 + 64 + 1


async def test_logged_in_sessions_are_never_evicted_for_visitors(
    make_server: ServerFactory,
) -> None:
    """Only pre-login rows count against the cap: logging in leaves the anonymous list
    (a new id, or the same one under the session-fixation weakness)."""
    for fixation in (False, True):
        server = make_server(mode="cookie",
                             vulnerabilities=Vulnerabilities(no_session_rotation=fixation))
        ctx = server.replicas[0].context
        ctx.max_anonymous_sessions = 2
        async with server.client() as client:
            await client.get("/")
            login = await client.post("/login", json=ALICE,
                                      headers={"Origin": "http://tutor.local"})
            assert login.status_code == 200, login.text
        logged_in = [r.session_id for r in ctx.store.authenticated_sessions()]
        assert len(logged_in) == 1 and logged_in[0] not in ctx.store.anonymous
        for _ in range(5):
            await _visit(server)
        assert logged_in[0] in ctx.store.sessions
        assert len(ctx.store.anonymous) == 2


async def test_the_default_cap_leaves_scenes_alone(make_server: ServerFactory) -> None:
    """Lesson 3's first visit still opens a pre-login session: the cap is far above what
    any scene or real visitor makes."""
    server = make_server(mode="cookie")
    response = await _visit(server)
    assert response.headers["set-cookie"].startswith("sid=")
    created = [e for e in server.log.events if isinstance(e, SessionCreated)]
    assert [e.username for e in created] == [None]
    assert server.replicas[0].context.max_anonymous_sessions >= 1_000


def test_a_bounded_event_log_keeps_the_newest_events() -> None:
    """The log keeps between `limit` and twice as many of the newest events, in order,
    and listeners still hear every one."""
    clock = SimulatedClock()
    log = EventLog(clock, limit=10)
    heard: list[int] = []
    log.subscribe(lambda event: heard.append(int(event.at)))
    for n in range(1, 101):
        log.emit(SessionCreated(at=float(n), replica="A", session_id=str(n), username=None))
        assert 1 <= len(log.events) < 20
        assert [int(e.at) for e in log.events] == list(range(n - len(log.events) + 1, n + 1))
    assert heard == list(range(1, 101))
    with pytest.raises(ValueError):
        EventLog(clock, limit=0)


async def test_scenes_keep_every_event_and_tutor_serve_keeps_a_bounded_log(
    make_server: ServerFactory,
) -> None:
    """Snapshots remember the log's length, so scenes keep it whole; `tutor serve` runs
    for hours, so its log stops growing after SERVE_EVENT_LOG_LIMIT events."""
    scene_server = make_server()
    assert scene_server.log.limit is None
    served = build_server(ServerConfig(scrypt_cost=TEST_SCRYPT_COST))
    assert served.log.limit == SERVE_EVENT_LOG_LIMIT
    served.log.limit = 50  # the same trimming, reached with fewer requests
    for _ in range(200):
        await _visit(served)
    assert len(served.log.events) < 100
    assert isinstance(served.log.events[-1], RequestHandled)
