"""Tracks stepped in lockstep: the first leads, a shorter one waits at its end."""

from __future__ import annotations

from typing import Any

from tutor.scenes.lockstep import Lockstep
from tutor.scenes.model import Scene, parse_scene


def scene(steps: int, mode: str = "cookie") -> Scene:
    data: dict[str, Any] = {"server": {"mode": mode, "scrypt_cost": 1024},
                            "steps": [{"visit": "/"}] * steps}
    return parse_scene(data)


async def test_tracks_move_together_and_a_shorter_one_waits_at_its_end() -> None:
    both = Lockstep([scene(3), scene(2, "jwt")])
    lead, short = both.engines
    start = [e.world.fingerprint() for e in both.engines]
    assert both.back() is False
    for _ in range(3):
        assert await both.forward() is True
    assert (lead.position, short.position, both.at_end) == (3, 2, True)
    assert await both.forward() is False
    assert both.back() is True
    assert (lead.position, short.position) == (2, 2)
    both.back()
    assert (lead.position, short.position) == (1, 1)
    await both.goto(5)
    assert (lead.position, short.position) == (3, 2)
    both.restart()
    assert [e.world.fingerprint() for e in both.engines] == start
    assert both.position == 0


async def test_no_tracks_is_an_empty_scene_at_its_end() -> None:
    none = Lockstep([])
    assert (none.lead, none.position, none.at_end) == (None, 0, True)
    assert await none.forward() is False and none.back() is False
