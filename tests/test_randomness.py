"""Randomness is unpredictable by default and repeatable only inside `deterministic()`."""

from __future__ import annotations

from tutor import randomness
from tutor.scenes import SceneEngine, parse_scene

SCENE = {"server": {"mode": "jwt"}, "steps": [{"login": {}}]}


async def _token() -> str:
    engine = SceneEngine(parse_scene(SCENE))
    await engine.run_all()
    return engine.world.browser("user").storage("localStorage", "https://bank.test")[
        "access_token"
    ]


async def test_tokens_repeat_inside_deterministic() -> None:
    with randomness.deterministic(7):
        first = await _token()
    with randomness.deterministic(7):
        second = await _token()
    assert first == second


async def test_tokens_differ_outside_deterministic() -> None:
    assert await _token() != await _token()


def test_helpers_return_the_requested_sizes() -> None:
    assert len(randomness.token_bytes(32)) == 32
    assert len(randomness.token_urlsafe(32)) == 43
    with randomness.deterministic():
        assert len(randomness.token_bytes(16)) == 16
        assert randomness.choice(["a"]) == "a"
