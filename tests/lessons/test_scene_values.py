"""Hostile scene values (every action's parameters, server settings): parsing gives a
Scene or a SceneError saying where, and a scene that parses runs (as lint and play run
it) without an exception escaping: what a step cannot do is that step's error."""

from __future__ import annotations

import asyncio
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.long_run import examples
from tutor.scenes import SceneEngine, parse_scene
from tutor.scenes.model import ACTION_PARAMETERS, SceneError
from tutor.scenes.sentences import step_sentence

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(),
    st.just(2**40), st.just(10**400), st.text(max_size=10),
    st.sampled_from(["/a\x1bb", "/\x00", "\x1b]52;c;aGk=\x07", "/profile", "GET", "auto",
                     "none", "current", "alice", "session", "/a b", "http://[::1/x"]))
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=3),
                   st.dictionaries(st.text(max_size=4), SCALARS, max_size=3))
SERVER = st.dictionaries(st.sampled_from(["scrypt_cost", "access_token_ttl", "replicas",
                                          "session_idle_timeout", "mode"]),
                         SCALARS, max_size=2)


@st.composite
def steps(draw: st.DrawFn) -> dict[str, Any]:
    action = draw(st.sampled_from(sorted(ACTION_PARAMETERS)))
    names = sorted(ACTION_PARAMETERS[action])
    if not names or (draw(st.booleans()) and action in ("advance_clock", "visit", "request")):
        return {action: draw(SCALARS)}
    chosen = draw(st.lists(st.sampled_from(names), max_size=3, unique=True)) if names else []
    return {action: {name: draw(VALUES) for name in chosen}}


@settings(max_examples=examples(60), deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(server=SERVER, hostile=st.lists(steps(), min_size=1, max_size=3))
def test_scene_values_parse_or_say_where_and_never_crash_a_run(
        server: dict[str, Any], hostile: list[dict[str, Any]]) -> None:
    data = {"server": {"mode": "cookie", **server}, "browsers": ["user", "attacker"],
            "steps": [{"login": {}}, *hostile]}
    try:
        scene = parse_scene(data)
    except SceneError as exc:
        assert exc.path
        return
    for step in scene.steps:
        step_sentence(step)  # lint's wording check and the transcript read these
    asyncio.run(SceneEngine(scene).run_all())


def test_the_reported_values_are_refused_where_they_are() -> None:
    for data, where in (
            ({"steps": [{"visit": "/a\x1bb"}]}, "steps[0].visit.path"),
            ({"steps": [{"advance_clock": float("inf")}]}, "steps[0].advance_clock.seconds"),
            ({"steps": [{"advance_clock": float("nan")}]}, "steps[0].advance_clock.seconds"),
            ({"server": {"scrypt_cost": 2**40}, "steps": [{"visit": "/"}]}, "server")):
        try:
            parse_scene(data)
        except SceneError as exc:
            assert exc.path == where, exc
        else:
            raise AssertionError(f"{data} was accepted")
