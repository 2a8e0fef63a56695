"""Time claims on the server's clock: `nbf` from the issuer, leeway for clock skew, and
replicas whose clocks are off [RFC 7519 §4.1.4, §4.1.5, §4.1.6]."""

from __future__ import annotations

from typing import Any

import httpx
import jwt
import pytest

from tests.conftest import ServerFactory
from tests.server.helpers import bearer, bearer_login
from tutor.clock import OffsetClock, SimulatedClock
from tutor.server.config import ConfigError, ServerConfig


async def pinned_profile(client: httpx.AsyncClient, token: str, replica: str) -> httpx.Response:
    return await client.get("/profile", headers={**bearer(token), "X-Tutor-Replica": replica})


async def login_on(client: httpx.AsyncClient, replica: str) -> dict[str, Any]:
    response = await client.post("/login", json={"username": "alice", "password": "wonderland"},
                                 headers={"X-Tutor-Replica": replica})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_offset_clock_follows_its_base() -> None:
    base = SimulatedClock(1000)
    ahead = OffsetClock(base, 20)
    base.advance(5)
    assert ahead.now() == 1025 and OffsetClock(base, -90).now() == 915


async def test_the_issuer_writes_nbf_when_asked(make_server: ServerFactory) -> None:
    """nbf = iat when `write_nbf` is on; absent otherwise (lesson 6 says so)."""
    for write_nbf, expected in ((True, True), (False, False)):
        server = make_server(mode="jwt", write_nbf=write_nbf)
        async with server.client() as client:
            body = await bearer_login(client)
        claims = jwt.decode(body["access_token"], options={"verify_signature": False})
        assert ("nbf" in claims) is expected
        if expected:
            assert claims["nbf"] == claims["iat"]


@pytest.mark.parametrize(("leeway", "status"), [(0, 401), (30, 200)])
async def test_a_token_from_a_replica_whose_clock_is_ahead(
    make_server: ServerFactory, leeway: int, status: int
) -> None:
    """Replica B's clock is 20 s ahead: its token's nbf is in A's future. A refuses it with
    no leeway and accepts it with 30 s [RFC 7519 §4.1.5: "some small leeway"]."""
    server = make_server(mode="jwt", replicas=2, write_nbf=True, clock_offsets=(("B", 20),),
                         clock_skew_leeway=leeway)
    async with server.client() as client:
        token = (await login_on(client, "B"))["access_token"]
        on_a = await pinned_profile(client, token, "A")
        on_b = await pinned_profile(client, token, "B")
    assert on_a.status_code == status
    assert on_b.status_code == 200
    if status == 401:
        assert "nbf is 20s ahead of this server's clock" in on_a.json()["error_description"]


async def test_skew_beyond_the_leeway_is_refused_until_the_clock_catches_up(
    make_server: ServerFactory, clock: SimulatedClock
) -> None:
    """Two minutes of skew is more than 30 s of leeway; once A's clock reaches nbf minus
    the leeway, the token is good [RFC 7519 §4.1.5]."""
    server = make_server(mode="jwt", replicas=2, write_nbf=True, clock_offsets=(("B", 120),),
                         clock_skew_leeway=30)
    async with server.client() as client:
        token = (await login_on(client, "B"))["access_token"]
        early = await pinned_profile(client, token, "A")
        clock.advance(89)
        still_early = await pinned_profile(client, token, "A")
        clock.advance(1)
        on_time = await pinned_profile(client, token, "A")
    assert [early.status_code, still_early.status_code, on_time.status_code] == [401, 401, 200]
    assert "beyond the 30s leeway" in early.json()["error_description"]


@pytest.mark.parametrize(("leeway", "after_exp", "status"),
                         [(0, 0, 401), (10, 9, 200), (10, 10, 401)])
async def test_leeway_stretches_exp_too(
    make_server: ServerFactory, clock: SimulatedClock, leeway: int, after_exp: int, status: int
) -> None:
    """With leeway L a token is accepted until L seconds past exp [RFC 7519 §4.1.4]."""
    server = make_server(mode="jwt", clock_skew_leeway=leeway, access_token_ttl=60)
    async with server.client() as client:
        token = (await bearer_login(client))["access_token"]
        clock.advance(60 + after_exp)
        response = await client.get("/profile", headers=bearer(token))
    assert response.status_code == status


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"clock_skew_leeway": 301}, "0 to 300 seconds"),
        ({"clock_skew_leeway": -1}, "0 to 300 seconds"),
        ({"clock_skew_leeway": True}, "must be a whole number"),
        ({"clock_offsets": {"C": 5}}, "no replica 'C'"),
        ({"clock_offsets": {"A": 1.5}}, "whole number of seconds"),
        ({"clock_offsets": {"A": 10**6}}, "-86400 to 86400"),
        ({"clock_offsets": [1, 2]}, "mapping of replica: seconds"),
        ({"write_nbf": True, "mode": "cookie"}, "write_nbf applies to modes that sign"),
    ],
)
def test_bad_time_settings_say_what_is_wrong(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        ServerConfig.from_mapping({"mode": "jwt", "replicas": 2, **data})


def test_clock_offsets_from_a_scene_mapping() -> None:
    config = ServerConfig.from_mapping({"mode": "jwt", "replicas": 2, "clock_offsets": {"b": -5}})
    assert config.clock_offset("B") == -5 and config.clock_offset("A") == 0
