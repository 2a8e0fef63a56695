"""The scene engine: the events it reports, the four login steps it tags, expectations,
and exact time travel (forward, back, goto, restart).

The login steps follow the issue's model of every login: (1) the user enters
credentials, (2) they travel to the server, (3) the server verifies them and returns a
credential, (4) the client attaches that credential to later requests.
"""

from __future__ import annotations

import asyncio
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.long_run import examples
from tutor.browser.events import CookieStored, StorageWritten
from tutor.scenes import SceneEngine, parse_scene
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
from tutor.server.events import RequestHandled, SessionCreated, SessionLookedUp

E = TypeVar("E", bound=SceneEvent)
MODES = ("cookie", "signed-cookie", "jwt")


def engine_for(*steps: Any, browsers: tuple[str, ...] = ("user", "attacker"),
               **server: Any) -> SceneEngine:
    """An engine for `steps`, with cheap password hashing."""
    config = {"mode": "cookie", "scrypt_cost": 1024, **server}
    return SceneEngine(parse_scene({"server": config, "browsers": list(browsers),
                                    "lab_sites": ["https://widget.test"],
                                    "steps": list(steps)}))


def listen(engine: SceneEngine) -> list[SceneEvent]:
    events: list[SceneEvent] = []
    engine.subscribe(events.append)
    return events


def of_type(events: list[SceneEvent], kind: type[E]) -> list[E]:
    return [e for e in events if isinstance(e, kind)]


# --- events ------------------------------------------------------------------------------


async def test_each_step_is_framed_by_started_and_finished() -> None:
    """Every step opens with StepStarted (carrying the step) and closes with StepFinished."""
    engine = engine_for({"login": {}}, {"request": "/profile"})
    events = listen(engine)
    await engine.run_all()
    starts = of_type(events, StepStarted)
    assert [(s.step_index, s.step.action) for s in starts] == [(0, "login"), (1, "request")]
    assert isinstance(events[0], StepStarted) and isinstance(events[-1], StepFinished)
    finished = of_type(events, StepFinished)
    assert [(f.step_index, f.passed, f.error) for f in finished] == [(0, True, None),
                                                                      (1, True, None)]
    assert [r.events for r in engine.records] == [
        events[: events.index(finished[0]) + 1], events[events.index(finished[0]) + 1:]
    ]


async def test_user_acted_marks_login_step_one() -> None:
    """Typing the password is login step 1: once the login page is there, before the
    credentials travel."""
    engine = engine_for({"login": {"username": "bob", "password": "builder123"}})
    events = listen(engine)
    await engine.forward()
    [typed] = of_type(events, UserActed)
    assert (typed.browser, typed.login_step) == ("user", 1)
    assert "bob" in typed.text
    page, login = of_type(events, ExchangeSeen)[:2]
    assert page.exchange.request.method == "GET" and login.login_steps == (2, 3)
    assert events.index(page) < events.index(typed) < events.index(login)


@pytest.mark.parametrize("mode", ["cookie", "jwt"])
async def test_login_step_tags(mode: str) -> None:
    """POST /login is steps 2 and 3 when a credential comes back, only 2 when it fails;
    later requests carrying the credential are step 4; a request without one is none."""
    engine = engine_for(
        {"login": {"password": "wrong"}, "expect": {"status": 401, "login_step": 2}},
        {"login": {}, "expect": {"login_step": 3}},
        {"request": "/profile", "expect": {"status": 200, "login_step": 4}},
        {"request": {"path": "/profile", "credential": "none"}, "expect": {"status": 401}},
        mode=mode,
    )
    events = listen(engine)
    records = await engine.run_all()
    assert all(r.passed for r in records), [r.failures for r in records]
    seen = of_type(events, ExchangeSeen)

    def tags(index: int, method: str, path: str) -> list[tuple[int, ...]]:
        return [e.login_steps for e in seen if e.step_index == index
                and e.exchange.request.method == method
                and e.exchange.request.url.endswith(path)]

    assert tags(0, "POST", "/login") == [(2,)]
    assert tags(1, "POST", "/login") == [(2, 3)]
    assert tags(2, "GET", "/profile") == [(4,)]
    assert tags(3, "GET", "/profile") == [()]
    assert records[3].outcome.login_steps == {0: ()}
    assert all(e.replica is None for e in seen)  # one replica: no balancer header


async def test_exchange_seen_names_the_replica() -> None:
    """Behind a balancer each exchange says which replica answered."""
    engine = engine_for({"visit": "/"}, {"visit": "/"}, replicas=2)
    events = listen(engine)
    await engine.run_all()
    assert [e.replica for e in of_type(events, ExchangeSeen)] == ["A", "B"]


async def test_request_refused_when_the_preflight_fails() -> None:
    """A cross-origin request with a custom header needs a CORS preflight; evil.test's
    page does not allow it, so the browser refuses and the engine reports it."""
    engine = engine_for({"request": {"path": "https://evil.test/", "headers": {"X-Api": "1"}},
                         "expect": {"blocked": True}})
    events = listen(engine)
    [record] = await engine.run_all()
    assert record.passed
    [refused] = of_type(events, RequestRefused)
    assert (refused.step_index, refused.blocked.method) == (0, "GET")
    assert refused.blocked.url == "https://evil.test/"
    assert record.outcome.blocked == [refused.blocked]
    methods = [e.exchange.request.method for e in of_type(events, ExchangeSeen)]
    assert methods == ["GET", "OPTIONS"]  # the page, then only the question


async def test_browser_and_server_changes_are_reported() -> None:
    """The jar storing the session cookie and the server creating the session are events;
    the access log (RequestHandled) is not repeated as a ServerChanged."""
    engine = engine_for({"login": {}})
    events = listen(engine)
    await engine.forward()
    stored = [e.event for e in of_type(events, BrowserChanged)
              if isinstance(e.event, CookieStored)]
    assert [(s.browser, s.cookie.name) for s in stored] == [("user", "__Host-sid")] * 2
    server = [e.event for e in of_type(events, ServerChanged)]
    assert not any(isinstance(e, RequestHandled) for e in server)
    created = [e for e in server if isinstance(e, SessionCreated)]
    assert [c.username for c in created] == [None, "alice"]
    assert any(isinstance(e, RequestHandled) for e in engine.records[0].outcome.server_events)


async def test_storage_writes_are_browser_changes_in_jwt_mode() -> None:
    """In jwt mode the page keeps its tokens in localStorage: each write is an event."""
    engine = engine_for({"login": {}}, mode="jwt")
    events = listen(engine)
    await engine.forward()
    writes = [e.event for e in of_type(events, BrowserChanged)
              if isinstance(e.event, StorageWritten)]
    assert [(w.area, w.key) for w in writes] == [("localStorage", "access_token"),
                                                 ("localStorage", "refresh_token")]
    assert all(w.value for w in writes)


async def test_clock_moved_only_when_time_passes() -> None:
    """All time comes from the scene clock; moving it is an event with before and after."""
    engine = engine_for({"login": {}}, {"advance_clock": 300})
    events = listen(engine)
    start = engine.world.clock.now()
    await engine.run_all()
    [moved] = of_type(events, ClockMoved)
    assert (moved.step_index, moved.before, moved.after) == (1, start, start + 300)


async def test_expectation_checked_carries_what_was_seen() -> None:
    """Each expectation is reported with whether it held and what actually happened."""
    engine = engine_for({"request": "/profile",
                         "expect": {"status": 401, "header_present": "WWW-Authenticate"}})
    events = listen(engine)
    await engine.forward()
    checked = of_type(events, ExpectationChecked)
    assert [(c.expectation.kind, c.passed, c.detail) for c in checked] == [
        ("status", True, "status was 401"),
        ("header_present", True, "all present"),
    ]


async def test_failing_expectations_are_reported_and_fail_the_step() -> None:
    """A wrong promise fails the step, says what was seen, and does not stop the others."""
    engine = engine_for(
        {"login": {}},
        {"request": "/profile",
         "expect": {"status": 404, "cookie_sent": "sid", "jar_has": "__Host-sid"}},
        {"request": "/profile", "expect": {"status": 200}},
    )
    records = await engine.run_all()
    failed = records[1]
    assert not failed.passed and failed.error is None
    assert [(f.expectation.kind, f.detail) for f in failed.failures] == [
        ("status", "status was 200"),
        ("cookie_sent", "sid was not sent (not in the jar)"),
    ]
    assert [e.passed for e in of_type(failed.events, StepFinished)] == [False]
    assert records[2].passed


async def test_expectation_on_a_step_without_http() -> None:
    """An HTTP expectation on a step that sent nothing fails with a plain reason."""
    engine = engine_for({"advance_clock": 1, "expect": {"status": 200}})
    [record] = await engine.run_all()
    assert [f.detail for f in record.failures] == ["the step made no HTTP request to check"]


async def test_step_failed_sets_error_and_skips_expectations() -> None:
    """A step that cannot run as written (refresh tokens do not exist in cookie mode) is
    an author's error, distinct from a failed expectation."""
    engine = engine_for({"refresh": {}, "expect": {"status": 200}}, {"visit": "/"})
    events = listen(engine)
    records = await engine.run_all()
    assert records[0].error == "refresh tokens exist only in jwt mode"
    assert not records[0].passed
    assert of_type(records[0].events, ExpectationChecked) == []
    assert of_type(events, StepFinished)[0].error == records[0].error
    assert records[1].passed  # the scene goes on


async def test_an_unknown_host_is_a_step_error_not_a_crash() -> None:
    """A scene that sends the browser to a host nobody serves fails that step, and the
    engine stays usable (the step is recorded and can be stepped over and back)."""
    engine = engine_for({"cross_site_request": {"from": "https://other.test", "path": "/"}},
                        {"visit": "/"})
    records = await engine.run_all()
    assert records[0].error == "no server at other.test"
    assert not records[0].passed
    assert records[1].passed
    engine.back()
    engine.back()
    assert engine.position == 0


# --- time travel ---------------------------------------------------------------------------


async def test_a_steps_record_ties_server_events_to_the_request_that_caused_them() -> None:
    engine = engine_for({"login": {}}, {"request": "/profile"})
    login, profile = await engine.run_all()
    [line] = [h for h in login.outcome.handled if h.event.path == "/login"]
    assert line.exchange is login.outcome.main and line.sender == "user"
    assert any(isinstance(e, SessionCreated) for e in line.caused)
    assert [h.event.path for h in profile.outcome.handled] == ["/profile"]
    # A cookie request's one server event: the store lookup of its session id.
    [lookup] = profile.outcome.handled[0].caused
    assert isinstance(lookup, SessionLookedUp) and lookup.found and lookup.username == "alice"


async def test_forward_after_back_replays_identical_events_without_rerunning() -> None:
    """Stepping back and forward shows the same exchanges, ids and tokens: nothing is
    sent again, so the server's log does not grow."""
    engine = engine_for({"login": {}}, {"request": "/profile"}, mode="jwt")
    events = listen(engine)
    await engine.run_all()
    first = [e.exchange for e in of_type(events, ExchangeSeen) if e.step_index == 1]
    log_length = len(engine.world.server.log.events)
    at_end = engine.world.fingerprint()
    engine.back()
    assert of_type(events, SteppedBack)[-1].step_index == 1
    assert len(engine.world.server.log.events) < log_length
    events.clear()
    record = await engine.forward()
    assert events == record.events
    assert [e.exchange for e in of_type(events, ExchangeSeen)] == first
    assert first[0].request.header("authorization") is not None  # the same token
    assert len(engine.world.server.log.events) == log_length
    assert engine.world.fingerprint() == at_end


async def test_back_at_start_and_forward_at_end_raise() -> None:
    """There is nothing before the start or after the end: the UI must disable the keys."""
    engine = engine_for({"visit": "/"})
    with pytest.raises(IndexError):
        engine.back()
    await engine.forward()
    assert engine.at_end
    with pytest.raises(IndexError):
        await engine.forward()


async def test_goto_moves_both_ways_and_checks_bounds() -> None:
    """goto(i) leaves the world exactly as after step i (0 is the start)."""
    engine = engine_for({"login": {}}, {"advance_clock": 60}, {"logout": {}})
    start = engine.world.fingerprint()
    await engine.goto(3)
    end = engine.world.fingerprint()
    await engine.goto(1)
    assert engine.position == 1
    assert engine.world.clock.now() == engine.records[0].outcome.exchanges[-1].at
    assert len(engine.world.server.store.authenticated_sessions()) == 1
    await engine.goto(0)
    assert engine.world.fingerprint() == start
    await engine.goto(3)
    assert engine.world.fingerprint() == end
    assert len(engine.records) == 3
    for bad in (-1, 4):
        with pytest.raises(IndexError):
            await engine.goto(bad)


async def test_restart_returns_to_the_start_and_keeps_the_records() -> None:
    """Restart is one jump back to the start; the steps replay from their records."""
    engine = engine_for({"login": {}}, {"request": "/profile"})
    start = engine.world.fingerprint()
    events = listen(engine)
    records = await engine.run_all()
    recorded = [list(r.events) for r in records]
    events.clear()
    engine.restart()
    assert engine.position == 0
    assert events == [SteppedBack(0)]
    assert engine.world.fingerprint() == start
    events.clear()
    await engine.run_all()
    assert events == [e for step in recorded for e in step]
    engine.restart()
    engine.restart()  # already at the start: nothing to report
    assert of_type(events, SteppedBack) == [SteppedBack(0)]


# --- the property: time travel is exact ----------------------------------------------------

COMMON_STEPS: list[dict[str, Any]] = [
    {"visit": "/"},
    {"login": {}},
    {"login": {"password": "wrong"}},
    {"login": {}, "as": "attacker"},
    {"request": "/profile"},
    {"request": {"path": "/admin", "credential": "none"}},
    {"request": {"path": "/profile", "via": "navigate"}},
    {"logout": {}},
    {"advance_clock": 200},
    {"advance_clock": 1000},
    {"cross_site_request": {"path": "/logout", "kind": "form"}},
    {"cross_site_request": {"path": "/logout", "kind": "fetch"}},
    {"cross_site_request": {"path": "/profile", "kind": "navigate", "method": "GET"}},
    {"xss_steal": {}},
    {"xss_request": {"path": "/profile"}},
    {"capture": {}},
    {"capture": {}, "as": "attacker"},
    {"plant_cookie": {"name": "__Host-sid"}},
    {"plant_cookie": {"name": "__Host-sid", "via": "script"}},
    {"set_cookie": {"url": "https://widget.test", "cookie": ["w=1; Secure; SameSite=None",
                                                             "p=1; Secure; Partitioned"],
                    "from": "https://bank.test"}},
    {"set_cookie": {"url": "https://widget.test", "cookie": "top=1"}},
    {"replay": "/profile", "as": "attacker"},
    {"switch_replica": "B"},
    {"switch_replica": "any"},
    {"change_password": {"new": "a-brand-new-password"}},
    {"clear_credential": {}},
    {"restart_browser": {}},
]
MODE_STEPS: dict[str, list[dict[str, Any]]] = {
    "cookie": [{"guess_session_id": {"offset": -2}, "as": "attacker"}],
    "signed-cookie": [{"tamper_cookie": {"set": {"role": "admin"}}}],
    "jwt": [
        {"refresh": {}},
        {"refresh": {"token": "previous"}},
        {"tamper_token": {"claims": {"role": "admin"}}},
        {"tamper_token": {"signature": "none"}},
        {"replay": {"path": "/profile", "use": "localStorage"}, "as": "attacker"},
        {"tamper_token": {"claims": {"role": "admin"}, "signature": "public_key"}},
        {"tamper_token": {"signature": "attacker_key", "embed": "jku"}},
        {"login": {"audience": "photos-api", "via": "json"}},
        {"rotate_keys": {}},
        {"retire_key": {}},
    ],
}


def _fingerprints(mode: str, steps: list[dict[str, Any]], shared_store: bool,
                  algorithm: str = "HS256") -> tuple[Any, ...]:
    """Run forward, all the way back, and forward again, fingerprinting the world."""
    engine = engine_for(*steps, mode=mode, replicas=2, denylist=True, shared_store=shared_store,
                        algorithm=algorithm)

    async def travel() -> tuple[Any, ...]:
        start = engine.world.fingerprint()
        await engine.run_all()
        end = engine.world.fingerprint()
        first_events = [list(r.events) for r in engine.records]
        while engine.position:
            engine.back()
        back_at_start = engine.world.fingerprint()
        replayed: list[SceneEvent] = []
        engine.subscribe(replayed.append)
        await engine.run_all()
        again = engine.world.fingerprint()
        assert replayed == [e for step in first_events for e in step]
        return start, back_at_start, end, again

    return asyncio.run(travel())


@pytest.mark.parametrize("mode", MODES)
@settings(max_examples=examples(10), deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_stepping_back_restores_the_exact_state(mode: str, data: st.DataObject) -> None:
    """For any scene, forward to the end then back to the start gives exactly the initial
    browsers and server; forward again gives exactly the first end state (issue 3)."""
    pool = COMMON_STEPS + MODE_STEPS[mode]
    steps = data.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=8))
    # Separate stores split a session across replicas; a shared one lets more steps succeed.
    shared_store = data.draw(st.booleans())
    # ES256 lets keys rotate (and replicas cache the key set); HS256 has one secret.
    algorithm = data.draw(st.sampled_from(["HS256", "ES256"])) if mode == "jwt" else "HS256"
    start, back_at_start, end, again = _fingerprints(mode, steps, shared_store, algorithm)
    assert back_at_start == start
    assert again == end


def test_stepping_back_restores_a_dpop_scene_exactly() -> None:
    """With DPoP, the page's key and the server's remembered proof ids travel in time too:
    back to the start there is no key and no proof id; forward again is the same end."""
    steps = [{"login": {}}, {"request": "/profile"}, {"capture": {}},
             {"replay": {"path": "/profile", "dpop": "captured"}, "as": "attacker"},
             {"xss_steal": {"read": "dpop key"}}, {"xss_request": {"path": "/profile"}},
             {"refresh": {}}]
    engine = engine_for(*steps, mode="jwt", dpop=True)

    async def travel() -> None:
        start = engine.world.fingerprint()
        records = await engine.run_all()
        assert [r.error for r in records] == [None] * len(steps)
        assert engine.world.browser("user").keys and engine.world.server.store.dpop_proofs
        end = engine.world.fingerprint()
        while engine.position:
            engine.back()
        assert engine.world.fingerprint() == start
        assert not engine.world.browser("user").keys
        assert not engine.world.server.store.dpop_proofs
        await engine.run_all()
        assert engine.world.fingerprint() == end

    asyncio.run(travel())


def test_the_step_pool_covers_every_action() -> None:
    """The property above is only as good as its pool: every action appears in it."""
    from tutor.scenes.actions import ACTION_RUNNERS

    used = {action for step in COMMON_STEPS + [s for m in MODE_STEPS.values() for s in m]
            for action in step if action in ACTION_RUNNERS}
    assert used == set(ACTION_RUNNERS)
    for mode in MODES:  # and each pool parses in its mode
        for step in COMMON_STEPS + MODE_STEPS[mode]:
            engine_for(step, mode=mode, replicas=2)


async def test_login_without_rotation_still_shows_step_three() -> None:
    """Step 3 is the server accepting the credentials, even when it sends no new cookie."""
    scene = parse_scene({
        "server": {"mode": "cookie", "scrypt_cost": 1024,
                   "vulnerabilities": ["no_session_rotation"]},
        "steps": [{"visit": "/"}, {"login": {}, "expect": {"status": 303, "login_step": 3,
                                                            "header_absent": "Set-Cookie"}}],
    })
    records = await SceneEngine(scene).run_all()
    assert all(r.passed for r in records), [r.failures for r in records]


async def test_clock_moves_before_what_it_causes() -> None:
    """The transcript and the stage read events in order: time passes, then sessions end."""
    scene = parse_scene({"server": {"mode": "cookie", "session_idle_timeout": 60},
                         "steps": [{"login": {}}, {"advance_clock": 60}]})
    engine = SceneEngine(scene)
    await engine.forward()
    record = await engine.forward()
    kinds = [type(e).__name__ for e in record.events]
    assert kinds.index("ClockMoved") < kinds.index("ServerChanged")
