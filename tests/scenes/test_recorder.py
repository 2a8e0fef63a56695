"""The one recorder scenes and the Repeater share: what it files for an action, how it
ties server events to the request that caused them, and the timeline of snapshots."""

from __future__ import annotations

import json

import pytest

from tests.conftest import TEST_SCRYPT_COST
from tutor.browser.events import Exchange
from tutor.scenes.model import Scene
from tutor.scenes.recorder import Recorder, Recording, Timeline
from tutor.scenes.world import World
from tutor.server.config import ServerConfig
from tutor.server.events import PasswordChecked, RequestHandled, SessionCreated, SessionDestroyed

LOGIN = json.dumps({"username": "alice", "password": "wonderland"}).encode()
JSON = {"Content-Type": "application/json"}


def world(mode: str = "cookie") -> World:
    # A scene with no steps, as the Repeater's sandbox builds one.
    config = ServerConfig.from_mapping({"mode": mode, "scrypt_cost": TEST_SCRYPT_COST})
    return World(Scene("recorder", config, (), browsers=("user",)))


async def log_in(place: World) -> Exchange:
    return await place.browser("user").send_raw("POST", place.url("/login"), JSON, LOGIN)


async def test_a_log_line_is_paired_with_its_exchange_and_owns_what_it_caused() -> None:
    place = world()
    with Recorder(place, sender="user") as recording:
        recording.mark_primary()
        exchange = await log_in(place)
    assert recording.exchanges == [exchange] and recording.main is exchange
    assert recording.login_steps == {0: (2, 3)}
    [line] = recording.handled
    assert (line.event.path, line.exchange, line.sender) == ("/login", exchange, "user")
    created = [e for e in recording.server_events if isinstance(e, SessionCreated)]
    # Everything the server did for the request is its own: the password check, the row.
    assert [type(e) for e in line.caused] == [PasswordChecked, SessionCreated]
    assert created and line.caused[1:] == tuple(created)
    assert recording.cause_of(created[0]) is line
    assert recording.handled_for(exchange) is line
    # In the order it happened: what the server did, its log line, then the exchange.
    kinds = [type(h) for h in recording.happenings]
    assert kinds.index(SessionCreated) < kinds.index(RequestHandled) < kinds.index(Exchange)


async def test_events_no_request_caused_belong_to_none() -> None:
    place = world()
    await log_in(place)
    with Recorder(place) as recording:
        place.clock.advance(10 * 86_400)
        place.server.sweep()
    expired = [e for e in recording.server_events if isinstance(e, SessionDestroyed)]
    assert expired, "the idle session expired in the sweep"
    assert recording.handled == [] and recording.cause_of(expired[0]) is None
    assert recording.happenings == expired


async def test_listeners_hear_each_happening_once_it_is_filed() -> None:
    place = world("jwt")
    heard: list[object] = []
    recording = Recording()

    def listener(happening: object) -> None:
        heard.append(happening)
        assert happening in recording.happenings

    with Recorder(place, recording, listener=listener):
        await log_in(place)
    assert heard == recording.happenings
    # Leaving the block unsubscribes: later traffic is not recorded.
    await log_in(place)
    assert len(recording.exchanges) == 1


async def test_the_timeline_restores_snapshots_and_branches_when_stepped_back() -> None:
    place = world()
    timeline: Timeline[str] = Timeline(place)
    with pytest.raises(IndexError, match="not begun"):
        timeline.goto(0)
    timeline.begin()
    start = place.fingerprint()
    await log_in(place)
    timeline.add("login")
    after_login = place.fingerprint()
    place.clock.advance(60)
    timeline.add("a minute")
    timeline.goto(0)
    assert place.fingerprint() == start and timeline.applied == []
    timeline.goto(1)
    assert place.fingerprint() == after_login and not timeline.at_end
    timeline.add("another branch")
    assert timeline.entries == ["login", "another branch"] and timeline.at_end
    with pytest.raises(IndexError, match=r"outside 0\.\.2"):
        timeline.goto(3)
