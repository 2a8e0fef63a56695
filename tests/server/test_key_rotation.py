"""Keys per algorithm, and rotation: a JWKS with two keys, old tokens verifying while
their key is published, and replicas whose cached key set goes stale."""

from __future__ import annotations

import jwt
import pytest

from tests.conftest import ServerFactory
from tests.server.helpers import bearer, bearer_login
from tests.server.test_jwt import header_of
from tutor.clock import SimulatedClock
from tutor.server.config import ConfigError, ServerConfig
from tutor.server.events import KeyRetired, KeysFetched, KeysRotated
from tutor.server.jwks_cache import JWKS_MAX_AGE
from tutor.server.keys import Keyring

ALGORITHMS = ["HS256", "RS256", "PS256", "ES256", "EdDSA"]


@pytest.mark.parametrize("algorithm", ALGORITHMS)
async def test_every_algorithm_signs_and_verifies(make_server: ServerFactory,
                                                  algorithm: str) -> None:
    server = make_server(mode="jwt", algorithm=algorithm)
    async with server.client() as client:
        token = (await bearer_login(client))["access_token"]
        assert header_of(token)["alg"] == algorithm
        assert (await client.get("/profile", headers=bearer(token))).status_code == 200
        jwks = await client.get("/.well-known/jwks.json")
    if algorithm == "HS256":
        assert jwks.status_code == 404
    else:
        key = jwt.PyJWK(jwks.json()["keys"][0])
        # An independent check with the published key alone, as any client would make it.
        claims = jwt.decode(token, key.key, algorithms=[algorithm], audience="tutor-api",
                            options={"verify_exp": False, "verify_iat": False})
        assert claims["sub"] == "alice"


def test_key_seed_fixes_the_key_pair() -> None:
    first = Keyring.create(ServerConfig(mode="jwt", algorithm="EdDSA", key_seed="lesson"))
    again = Keyring.create(ServerConfig(mode="jwt", algorithm="EdDSA", key_seed="lesson"))
    other = Keyring.create(ServerConfig(mode="jwt", algorithm="EdDSA", key_seed="other"))
    assert first.kid == again.kid != other.kid
    with pytest.raises(ConfigError, match="key_seed works with ES256 or EdDSA only"):
        ServerConfig(mode="jwt", algorithm="RS256", key_seed="lesson")


async def test_rotation_keeps_old_tokens_until_the_key_is_retired(
    make_server: ServerFactory,
) -> None:
    server = make_server(mode="jwt", algorithm="ES256")
    async with server.client() as client:
        old = (await bearer_login(client))["access_token"]
        old_kid = header_of(old)["kid"]
        server.rotate_keys()
        new = (await bearer_login(client))["access_token"]
        assert header_of(new)["kid"] == server.keys.kid != old_kid
        kids = [k["kid"] for k in (await client.get("/.well-known/jwks.json")).json()["keys"]]
        assert kids == [server.keys.kid, old_kid]
        for token in (old, new):
            assert (await client.get("/profile", headers=bearer(token))).status_code == 200
        assert server.retire_key() == old_kid
        refused = await client.get("/profile", headers=bearer(old))
        assert (await client.get("/profile", headers=bearer(new))).status_code == 200
    assert refused.status_code == 401
    assert refused.json()["stage"] == "key"
    assert [type(e) for e in server.log.events if isinstance(e, KeysRotated | KeyRetired)] \
        == [KeysRotated, KeyRetired]


async def test_a_replica_with_a_stale_key_set(make_server: ServerFactory,
                                              clock: SimulatedClock) -> None:
    """Replica B keeps its copy of the JWKS for max-age: a retired key still verifies
    there until the copy is refreshed; a new key is fetched at once (unknown kid)."""
    server = make_server(mode="jwt", algorithm="EdDSA", replicas=2)
    async with server.client() as client:
        old = (await bearer_login(client))["access_token"]
        server.rotate_keys()
        new = (await bearer_login(client))["access_token"]
        at_b = {"X-Tutor-Replica": "B"}
        assert (await client.get("/profile", headers={**bearer(new), **at_b})).status_code \
            == 200
        fetches = [e for e in server.log.events if isinstance(e, KeysFetched)]
        assert fetches and fetches[-1].replica == "B"
        server.retire_key()
        at_a = await client.get("/profile", headers={**bearer(old), "X-Tutor-Replica": "A"})
        stale = await client.get("/profile", headers={**bearer(old), **at_b})
        clock.advance(JWKS_MAX_AGE - 60)
        assert (await client.get("/profile", headers={**bearer(new), **at_b})).status_code \
            == 200
        clock.advance(60)
        fresh = await client.get("/profile", headers={**bearer(new), **at_b})
        refused = await client.get("/profile", headers={**bearer(old), **at_b})
    assert at_a.status_code == 401
    assert stale.status_code == 200
    assert fresh.status_code == 401  # access tokens live 300 s too: this one expired
    assert fresh.json()["stage"] == "claims"
    assert refused.status_code == 401
    assert refused.json()["stage"] == "key"


async def test_snapshots_restore_the_keys(make_server: ServerFactory) -> None:
    server = make_server(mode="jwt", algorithm="ES256", replicas=2)
    before = server.snapshot()
    kid = server.keys.kid
    server.rotate_keys()
    server.retire_key()
    server.restore(before)
    assert server.keys.kid == kid and not server.keys.older
    async with server.client() as client:
        token = (await bearer_login(client))["access_token"]
    assert header_of(token)["kid"] == kid


@pytest.mark.parametrize(("algorithm", "weakness", "message"), [
    ("HS256", "alg_confusion", "needs an asymmetric algorithm"),
    ("EdDSA", "kid_path_injection", "use HS256"),
])
def test_weaknesses_that_need_an_algorithm_say_so(algorithm: str, weakness: str,
                                                  message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        ServerConfig.from_mapping({"mode": "jwt", "algorithm": algorithm,
                                   "vulnerabilities": [weakness]})
