"""jwt mode: what is in a token, what a correct server refuses, and how revocation works.

Issue 2, behaviours 12–21. Time only moves through the `clock` fixture.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from typing import Any

import httpx
import jwt
import pytest

from tests.conftest import ServerFactory
from tests.server.helpers import ALICE, QUEEN, bearer, bearer_login, login_json
from tutor.clock import SimulatedClock
from tutor.server import MockServer
from tutor.server.events import RefreshFamilyRevoked, TokenDenylisted
from tutor.server.keys import public_pem

# 64 bytes: long enough even for HS512 (RFC 7518 §3.2), which one test signs with.
STRONG_SECRET = "a-fixed-test-secret-long-enough-for-hs256-hs384-and-hs512-000000"
NEW_PASSWORD = "a-brand-new-password"


# --- hand-made JWT pieces (no JWT library: the point is that none is needed) -------------


def b64url_encode(data: bytes) -> str:
    """base64url without padding (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(segment: str) -> bytes:
    """Inverse of `b64url_encode`: put the padding back, then decode."""
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def decode_segment(segment: str) -> dict[str, Any]:
    """One JWT segment as JSON, read with nothing but base64 and json."""
    data: dict[str, Any] = json.loads(b64url_decode(segment))
    return data


def encode_segment(data: dict[str, Any]) -> str:
    """A JSON object as a compact base64url segment."""
    return b64url_encode(json.dumps(data, separators=(",", ":")).encode())


def header_of(token: str) -> dict[str, Any]:
    return decode_segment(token.split(".")[0])


def claims_of(token: str) -> dict[str, Any]:
    return decode_segment(token.split(".")[1])


def unsigned_token(claims: dict[str, Any], alg: str = "none") -> str:
    """A token whose header says it needs no signature, with an empty signature part."""
    return f"{encode_segment({'alg': alg, 'typ': 'at+jwt'})}.{encode_segment(claims)}."


def good_claims(server: MockServer, **changes: Any) -> dict[str, Any]:
    """Claims this server would accept for alice right now, with `changes` applied."""
    now = int(server.clock.now())
    claims: dict[str, Any] = {
        "iss": server.config.issuer,
        "sub": "alice",
        "aud": server.config.audience,
        "iat": now,
        "exp": now + server.config.access_token_ttl,
        "jti": secrets.token_urlsafe(16),
        "sid": "hand-made",
        "role": "reader",
    }
    claims.update(changes)
    return claims


def sign_with_server_key(server: MockServer, claims: dict[str, Any], typ: str = "at+jwt") -> str:
    """Mint a token with the server's own signing key (what a bug in its issuer could do)."""
    return jwt.encode(
        claims,
        server.keys.signing_key,
        algorithm=server.config.algorithm,
        headers={"typ": typ, "kid": server.keys.kid},
    )


async def profile(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.get("/profile", headers=bearer(token))


async def refresh(client: httpx.AsyncClient, refresh_token: str) -> httpx.Response:
    return await client.post("/refresh", json={"refresh_token": refresh_token})


def assert_invalid_token(response: httpx.Response, stage: str) -> None:
    """A 401 refusing a bad token, with the RFC 6750 challenge and our stage."""
    assert response.status_code == 401, response.text
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    assert response.headers["www-authenticate"].startswith("Bearer ")
    body = response.json()
    assert body["error"] == "invalid_token"
    assert body["stage"] == stage, body


# --- 12. claims, bearer use, the login response ------------------------------------------


async def test_access_token_carries_the_registered_claims(make_server: ServerFactory) -> None:
    """Access tokens carry sub, iat, exp, jti, iss and aud [RFC 7519 §4.1]."""
    server = make_server(mode="jwt")
    async with server.client() as client:
        body = await bearer_login(client)
    claims = claims_of(body["access_token"])
    for name in ("sub", "iat", "exp", "jti", "iss", "aud"):
        assert name in claims, f"missing {name}"
    assert claims["sub"] == "alice"
    assert claims["iss"] == server.config.issuer
    assert claims["aud"] == server.config.audience
    assert claims["iat"] == int(server.clock.now())
    assert claims["exp"] - claims["iat"] == server.config.access_token_ttl
    assert header_of(body["access_token"])["typ"] == "at+jwt"
    assert header_of(body["refresh_token"])["typ"] == "rt+jwt"


async def test_each_token_gets_a_unique_jti(make_server: ServerFactory) -> None:
    """jti is a unique identifier for each token [RFC 7519 §4.1.7]."""
    server = make_server(mode="jwt")
    async with server.client() as client:
        ids = set()
        for _ in range(20):
            body = await bearer_login(client)
            ids.add(claims_of(body["access_token"])["jti"])
            ids.add(claims_of(body["refresh_token"])["jti"])
    assert len(ids) == 40


async def test_login_answers_with_a_bearer_token_body_and_no_cookie(
    make_server: ServerFactory,
) -> None:
    """Token response: access_token, token_type Bearer, expires_in, refresh_token
    [RFC 6749 §5.1]; jwt mode sets no cookie."""
    server = make_server(mode="jwt")
    async with server.client() as client:
        response = await login_json(client)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == server.config.access_token_ttl
    assert "set-cookie" not in response.headers
    assert response.headers["cache-control"] == "no-store"


async def test_bearer_header_authenticates(make_server: ServerFactory) -> None:
    """`Authorization: Bearer <token>` → 200 [RFC 6750 §2.1]."""
    server = make_server(mode="jwt")
    async with server.client() as client:
        token = (await bearer_login(client))["access_token"]
        response = await profile(client, token)
        anonymous = await client.get("/profile")
    assert response.status_code == 200
    assert response.json()["username"] == "alice"
    assert response.json()["token"]["jti"] == claims_of(token)["jti"]
    assert anonymous.status_code == 401


async def test_token_in_query_string_is_refused(make_server: ServerFactory) -> None:
    """A valid token in `?access_token=` is refused: URLs leak into logs and Referer
    [RFC 6750 §2.3, §5.3]; only the header is accepted [RFC 6750 §2.1]."""
    server = make_server(mode="jwt")
    async with server.client() as client:
        token = (await bearer_login(client))["access_token"]
        response = await client.get("/profile", params={"access_token": token})
        both = await client.get(
            "/profile", params={"access_token": token}, headers=bearer(token)
        )
    for refused in (response, both):
        assert refused.status_code == 400
        assert refused.json()["error"] == "invalid_request"
        assert 'error="invalid_request"' in refused.headers["www-authenticate"]


# --- 13. the payload is readable -----------------------------------------------------------


async def test_payload_decodes_without_any_key(make_server: ServerFactory) -> None:
    """A JWS payload is base64url-encoded JSON, readable by anyone: signing is not
    encryption [RFC 7515 §2, §3]."""
    server = make_server(mode="jwt", secret=STRONG_SECRET)
    async with server.client() as client:
        token = (await bearer_login(client, QUEEN))["access_token"]
    header_part, payload_part, signature_part = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(payload_part + "=" * (-len(payload_part) % 4)))
    assert payload["sub"] == "queen"
    assert payload["role"] == "admin"
    assert decode_segment(header_part)["alg"] == "HS256"
    # The secret itself never appears in the token.
    assert STRONG_SECRET.encode() not in b64url_decode(payload_part)
    assert STRONG_SECRET not in token
    assert len(b64url_decode(signature_part)) == 32  # an HMAC-SHA256 tag, not the data


# --- 14. tampering -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "edit",
    [{"role": "admin"}, {"sub": "queen"}, {"exp": 9_999_999_999}],
    ids=["role", "sub", "exp"],
)
async def test_edited_payload_with_old_signature_is_rejected(
    make_server: ServerFactory, edit: dict[str, Any]
) -> None:
    """Changing the payload breaks the signature → 401 invalid_token [RFC 7515 §5.2]."""
    server = make_server(mode="jwt")
    async with server.client() as client:
        token = (await bearer_login(client))["access_token"]
        header_part, payload_part, signature_part = token.split(".")
        edited = {**decode_segment(payload_part), **edit}
        forged = f"{header_part}.{encode_segment(edited)}.{signature_part}"
        response = await profile(client, forged)
        admin = await client.get("/admin", headers=bearer(forged))
        original = await profile(client, token)
    assert_invalid_token(response, "signature")
    assert_invalid_token(admin, "signature")
    assert original.status_code == 200


# --- 15. expiry ----------------------------------------------------------------------------


async def test_token_expires_exactly_at_exp(
    make_server: ServerFactory, clock: SimulatedClock
) -> None:
    """The current time must be before `exp`: at the exp second the token is already
    expired [RFC 7519 §4.1.4]."""
    server = make_server(mode="jwt")
    ttl = server.config.access_token_ttl
    async with server.client() as client:
        token = (await bearer_login(client))["access_token"]
        clock.advance(ttl - 1)
        assert clock.now() == claims_of(token)["exp"] - 1
        before = await profile(client, token)
        clock.advance(1)
        assert clock.now() == claims_of(token)["exp"]
        at_exp = await profile(client, token)
    assert before.status_code == 200
    assert_invalid_token(at_exp, "claims")
    assert "expired" in at_exp.json()["error_description"]


# --- 16. exp is required -------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["HS256", "RS256"])
async def test_token_without_exp_is_rejected(make_server: ServerFactory, algorithm: str) -> None:
    """A token with no `exp` would never expire: the server requires it (PyJWT only
    checks claims that are present unless told to `require` them) [RFC 8725 §3.10]."""
    server = make_server(mode="jwt", algorithm=algorithm)
    with_exp = sign_with_server_key(server, good_claims(server))
    claims = good_claims(server)
    del claims["exp"]
    without_exp = sign_with_server_key(server, claims)
    async with server.client() as client:
        control = await profile(client, with_exp)
        response = await profile(client, without_exp)
    assert control.status_code == 200, control.text
    assert_invalid_token(response, "claims")
    assert "exp" in response.json()["error_description"]


@pytest.mark.parametrize("missing", ["sub", "iat", "jti", "iss", "aud"])
async def test_token_missing_a_required_claim_is_rejected(
    make_server: ServerFactory, missing: str
) -> None:
    """Every registered claim the server relies on is required [RFC 7519 §4.1]."""
    server = make_server(mode="jwt")
    claims = good_claims(server)
    del claims[missing]
    async with server.client() as client:
        response = await profile(client, sign_with_server_key(server, claims))
    assert_invalid_token(response, "claims")


# --- 17. time and audience claims ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "changes"),
    [
        ("future nbf", {"nbf": "+60"}),
        ("future iat", {"iat": "+60", "exp": "+360"}),
        ("wrong aud", {"aud": "some-other-api"}),
        ("wrong iss", {"iss": "https://evil.example"}),
    ],
)
async def test_token_with_bad_time_audience_or_issuer_is_rejected(
    make_server: ServerFactory, name: str, changes: dict[str, Any]
) -> None:
    """Validate nbf, iat, aud and iss; a signature from the right key is not enough
    [RFC 8725 §3.8, §3.9; RFC 7519 §4.1.1, §4.1.3, §4.1.5, §4.1.6]."""
    server = make_server(mode="jwt")
    now = int(server.clock.now())
    resolved = {
        key: now + int(value) if isinstance(value, str) and value.startswith("+") else value
        for key, value in changes.items()
    }
    token = sign_with_server_key(server, good_claims(server, **resolved))
    control = sign_with_server_key(server, good_claims(server))
    async with server.client() as client:
        accepted = await profile(client, control)
        response = await profile(client, token)
    assert accepted.status_code == 200
    assert_invalid_token(response, "claims")


async def test_not_before_token_becomes_valid_at_nbf(
    make_server: ServerFactory, clock: SimulatedClock
) -> None:
    """A token is not accepted before `nbf`, and is from that second on [RFC 7519 §4.1.5]."""
    server = make_server(mode="jwt")
    now = int(clock.now())
    token = sign_with_server_key(server, good_claims(server, nbf=now + 60))
    async with server.client() as client:
        clock.advance(59)
        early = await profile(client, token)
        clock.advance(1)
        on_time = await profile(client, token)
    assert_invalid_token(early, "claims")
    assert on_time.status_code == 200


async def test_audience_list_containing_ours_is_accepted(make_server: ServerFactory) -> None:
    """`aud` may be an array; the token is for us if it contains our audience
    [RFC 7519 §4.1.3]."""
    server = make_server(mode="jwt")
    claims = good_claims(server, aud=["another-api", server.config.audience])
    async with server.client() as client:
        response = await profile(client, sign_with_server_key(server, claims))
    assert response.status_code == 200


# --- 18. insufficient scope ----------------------------------------------------------------


async def test_admin_needs_the_admin_role(make_server: ServerFactory) -> None:
    """A valid token without the needed privilege → 403 insufficient_scope [RFC 6750 §3.1]."""
    server = make_server(mode="jwt")
    async with server.client() as client:
        alice = (await bearer_login(client, ALICE))["access_token"]
        queen = (await bearer_login(client, QUEEN))["access_token"]
        forbidden = await client.get("/admin", headers=bearer(alice))
        allowed = await client.get("/admin", headers=bearer(queen))
        nobody = await client.get("/admin")
    assert forbidden.status_code == 403
    assert 'error="insufficient_scope"' in forbidden.headers["www-authenticate"]
    assert forbidden.json()["error"] == "insufficient_scope"
    assert allowed.status_code == 200
    assert allowed.json()["username"] == "queen"
    assert nobody.status_code == 401


# --- 19. algorithm pinning -----------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["HS256", "RS256", "EdDSA"])
@pytest.mark.parametrize("alg_value", ["none", "None", "NONE"])
async def test_alg_none_token_is_rejected(
    make_server: ServerFactory, algorithm: str, alg_value: str
) -> None:
    """An unsigned `alg: none` token is refused, whatever the case of "none"
    [RFC 8725 §2.1, §3.1; RFC 7518 §3.6]."""
    server = make_server(mode="jwt", algorithm=algorithm)
    async with server.client() as client:
        real = (await bearer_login(client))["access_token"]
        claims = {**claims_of(real), "role": "admin"}
        forged = unsigned_token(claims, alg_value)
        response = await client.get("/admin", headers=bearer(forged))
        # Keeping the real signature does not help either.
        with_signature = forged + real.split(".")[2]
        signed_response = await client.get("/admin", headers=bearer(with_signature))
    assert_invalid_token(response, "algorithm")
    assert_invalid_token(signed_response, "algorithm")


async def test_rs256_public_key_used_as_hs256_secret_is_rejected(
    make_server: ServerFactory,
) -> None:
    """Algorithm confusion: an HS256 token keyed with the server's public RSA key (which
    anyone can download) is refused because the algorithm is pinned to RS256
    [RFC 8725 §2.1, §3.1]."""
    server = make_server(mode="jwt", algorithm="RS256")
    assert server.keys.public_key is not None
    pem = public_pem(server.keys.public_key)
    async with server.client() as client:
        real = (await bearer_login(client))["access_token"]
        claims = {**claims_of(real), "role": "admin"}
        header = {"alg": "HS256", "typ": "at+jwt", "kid": server.keys.kid}
        signing_input = f"{encode_segment(header)}.{encode_segment(claims)}"
        # By hand: PyJWT refuses to use a PEM key as an HMAC secret.
        tag = hmac.new(pem, signing_input.encode("ascii"), hashlib.sha256).digest()
        forged = f"{signing_input}.{b64url_encode(tag)}"
        response = await client.get("/admin", headers=bearer(forged))
        real_response = await profile(client, real)
    assert real_response.status_code == 200
    assert_invalid_token(response, "algorithm")


@pytest.mark.parametrize(
    ("algorithm", "other_alg"),
    [("HS256", "HS384"), ("HS256", "HS512"), ("RS256", "RS512"), ("RS256", "PS256")],
)
async def test_algorithm_is_pinned_not_read_from_the_token(
    make_server: ServerFactory, algorithm: str, other_alg: str
) -> None:
    """Even signed with the right key, a token declaring another algorithm is refused:
    the server's allowed list has exactly one entry [RFC 8725 §3.1]."""
    server = make_server(mode="jwt", algorithm=algorithm, secret=STRONG_SECRET)
    token = jwt.encode(
        good_claims(server),
        server.keys.signing_key,
        algorithm=other_alg,
        headers={"typ": "at+jwt", "kid": server.keys.kid},
    )
    async with server.client() as client:
        response = await profile(client, token)
    assert_invalid_token(response, "algorithm")
    assert algorithm in response.json()["error_description"]


@pytest.mark.parametrize("algorithm", ["RS256", "EdDSA"])
async def test_asymmetric_login_profile_and_jwks(
    make_server: ServerFactory, algorithm: str
) -> None:
    """RS256/EdDSA servers publish their public key as a JWK Set, and a client can verify
    tokens with it [RFC 7517 §5; RFC 7518 §3.3; RFC 8037]."""
    server = make_server(mode="jwt", algorithm=algorithm)
    async with server.client() as client:
        token = (await bearer_login(client))["access_token"]
        response = await profile(client, token)
        jwks_response = await client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    assert header_of(token)["alg"] == algorithm
    assert jwks_response.status_code == 200
    keys = jwks_response.json()["keys"]
    assert len(keys) == 1
    jwk = keys[0]
    assert jwk["kid"] == header_of(token)["kid"] == server.keys.kid
    assert jwk["alg"] == algorithm
    assert jwk["use"] == "sig"
    assert "d" not in jwk, "the JWKS must not publish the private key"
    key = jwt.PyJWK(jwk)
    claims = jwt.decode(
        token,
        key.key,
        algorithms=[algorithm],
        audience=server.config.audience,
        issuer=server.config.issuer,
        # The server runs on a simulated clock; PyJWT would compare with the wall clock.
        options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
    )
    assert claims["sub"] == "alice"
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(
            tampered, key.key, algorithms=[algorithm], audience=server.config.audience,
            options={"verify_exp": False, "verify_iat": False},
        )


async def test_hs256_server_publishes_no_jwks(make_server: ServerFactory) -> None:
    """An HMAC secret is shared, never published: no JWKS for HS256 [RFC 7518 §3.2]."""
    server = make_server(mode="jwt")
    async with server.client() as client:
        response = await client.get("/.well-known/jwks.json")
    assert response.status_code == 404
    assert server.keys.hmac_secret.hex() not in response.text


# --- 20. logout and the denylist -----------------------------------------------------------


async def test_logout_without_denylist_leaves_access_token_valid_until_exp(
    make_server: ServerFactory, clock: SimulatedClock
) -> None:
    """A JWT is checked by signature alone: logging out cannot recall it, so a captured
    copy works until `exp` [RFC 7519 §4.1.4; issue 2 behaviour 20]."""
    server = make_server(mode="jwt")
    async with server.client() as client:
        token = (await bearer_login(client))["access_token"]
        logout = await client.post("/logout", headers=bearer(token))
        replay = await profile(client, token)
        clock.advance(server.config.access_token_ttl - 1)
        last_second = await profile(client, token)
        clock.advance(1)
        expired = await profile(client, token)
    assert logout.status_code == 200
    assert logout.json()["access_token_revoked"] is False
    assert replay.status_code == 200
    assert last_second.status_code == 200
    assert_invalid_token(expired, "claims")
    assert server.store.denylist == {}


async def test_logout_with_denylist_revokes_by_jti(
    make_server: ServerFactory, clock: SimulatedClock
) -> None:
    """With a denylist the server remembers the logged-out token's `jti` until it would
    have expired, and refuses it [RFC 7519 §4.1.7]."""
    server = make_server(mode="jwt", denylist=True)
    async with server.client() as client:
        token = (await bearer_login(client))["access_token"]
        other = (await bearer_login(client))["access_token"]
        logout = await client.post("/logout", headers=bearer(token))
        replay = await profile(client, token)
        other_session = await profile(client, other)
        claims = claims_of(token)
        assert server.store.denylist == {claims["jti"]: claims["exp"]}
        events = [e for e in server.log.events if isinstance(e, TokenDenylisted)]
        assert [(e.jti, e.expires_at) for e in events] == [(claims["jti"], claims["exp"])]
        clock.advance(server.config.access_token_ttl - 1)
        still_refused = await profile(client, token)
        clock.advance(1)
        after_exp = await profile(client, token)
    assert logout.status_code == 200
    assert logout.json()["access_token_revoked"] is True
    assert_invalid_token(replay, "revocation")
    assert_invalid_token(still_refused, "revocation")
    assert other_session.status_code == 200, "the denylist is keyed by jti, not by user"
    # Once expired the token fails on its own, so its denylist entry is dropped.
    assert_invalid_token(after_exp, "claims")
    assert claims["jti"] not in server.store.denylist


async def test_denylist_entry_dropped_by_sweep_after_exp(
    make_server: ServerFactory, clock: SimulatedClock
) -> None:
    """The denylist only needs an entry until the token's `exp` [RFC 7519 §4.1.4]."""
    server = make_server(mode="jwt", denylist=True)
    async with server.client() as client:
        token = (await bearer_login(client))["access_token"]
        await client.post("/logout", headers=bearer(token))
    jti = claims_of(token)["jti"]
    clock.advance(server.config.access_token_ttl - 1)
    server.sweep()
    assert jti in server.store.denylist
    clock.advance(1)
    server.sweep()
    assert jti not in server.store.denylist


# --- 21. refresh tokens ---------------------------------------------------------------------


async def test_refresh_token_is_not_an_access_token(make_server: ServerFactory) -> None:
    """Explicit typing keeps the two kinds apart: a refresh token at /profile → 401
    [RFC 8725 §3.11; RFC 9068 §2.1]."""
    server = make_server(mode="jwt")
    async with server.client() as client:
        tokens = await bearer_login(client)
        response = await profile(client, tokens["refresh_token"])
        admin = await client.get("/admin", headers=bearer(tokens["refresh_token"]))
    assert_invalid_token(response, "claims")
    assert response.status_code == admin.status_code == 401


async def test_access_token_is_not_a_refresh_token(make_server: ServerFactory) -> None:
    """An access token sent to /refresh is not a grant: 400 invalid_grant, with no
    challenge, since /refresh is a token endpoint [RFC 8725 §3.11; RFC 6749 §5.2]."""
    server = make_server(mode="jwt")
    async with server.client() as client:
        tokens = await bearer_login(client)
        response = await refresh(client, tokens["access_token"])
        works = await refresh(client, tokens["refresh_token"])
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert response.json()["stage"] == "claims"
    assert "WWW-Authenticate" not in response.headers
    assert works.status_code == 200


async def test_refresh_rotates_the_refresh_token(make_server: ServerFactory) -> None:
    """Each refresh returns a new pair; the refresh token is rotated
    [OAuth 2.0 Security BCP (RFC 9700) §4.14.2]."""
    server = make_server(mode="jwt")
    async with server.client() as client:
        first = await bearer_login(client)
        response = await refresh(client, first["refresh_token"])
        second = response.json()
        new_profile = await profile(client, second["access_token"])
    assert response.status_code == 200
    assert second["token_type"] == "Bearer"
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    old, new = claims_of(first["refresh_token"]), claims_of(second["refresh_token"])
    assert old["jti"] != new["jti"]
    assert old["sid"] == new["sid"], "a rotated token stays in its family"
    assert new_profile.status_code == 200


async def test_reused_refresh_token_revokes_its_family(make_server: ServerFactory) -> None:
    """Reusing a rotated-out refresh token → 400 invalid_grant [RFC 6749 §5.2], and the
    whole family is revoked, so even the newest refresh token stops working
    [RFC 9700 §4.14.2; RFC 8725 §3.11]."""
    server = make_server(mode="jwt")
    async with server.client() as client:
        first = await bearer_login(client)
        unrelated = await bearer_login(client)
        second = (await refresh(client, first["refresh_token"])).json()
        third = (await refresh(client, second["refresh_token"])).json()
        reuse = await refresh(client, first["refresh_token"])
        newest = await refresh(client, third["refresh_token"])
        other_family = await refresh(client, unrelated["refresh_token"])
    assert reuse.status_code == newest.status_code == 400
    assert reuse.json()["error"] == newest.json()["error"] == "invalid_grant"
    assert "WWW-Authenticate" not in reuse.headers
    assert other_family.status_code == 200, "only the reused token's family is revoked"
    family = claims_of(first["refresh_token"])["sid"]
    revoked = [e for e in server.log.events if isinstance(e, RefreshFamilyRevoked)]
    assert [(e.family, e.reason) for e in revoked] == [(family, "reuse-detected")]
    assert server.store.families[family].revoked


async def test_logout_revokes_the_refresh_family(make_server: ServerFactory) -> None:
    """Logging out ends the login's refresh tokens too [RFC 7009 §2.1]."""
    server = make_server(mode="jwt")
    async with server.client() as client:
        tokens = await bearer_login(client)
        logout = await client.post("/logout", headers=bearer(tokens["access_token"]))
        response = await refresh(client, tokens["refresh_token"])
    assert logout.json()["refresh_tokens_revoked"] is True
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    family = claims_of(tokens["refresh_token"])["sid"]
    revoked = [e for e in server.log.events if isinstance(e, RefreshFamilyRevoked)]
    assert [(e.family, e.reason) for e in revoked] == [(family, "logout")]


async def test_expired_refresh_token_is_rejected(
    make_server: ServerFactory, clock: SimulatedClock
) -> None:
    """Refresh tokens expire too, exactly at their `exp` [RFC 7519 §4.1.4], refused as
    a bad grant [RFC 6749 §5.2]."""
    server = make_server(mode="jwt", refresh_token_ttl=600)
    async with server.client() as client:
        tokens = await bearer_login(client)
        clock.advance(600)
        response = await refresh(client, tokens["refresh_token"])
    assert response.status_code == 400
    assert response.json()["stage"] == "claims"


async def test_password_change_revokes_refresh_families(make_server: ServerFactory) -> None:
    """A password change ends every refresh family of the user (OWASP Session Management:
    renew on privilege change); without a denylist old access tokens live until exp."""
    server = make_server(mode="jwt")
    async with server.client() as client:
        first = await bearer_login(client)
        second = await bearer_login(client)
        bob = await bearer_login(client, {"username": "bob", "password": "builder123"})
        change = await client.post(
            "/password",
            headers=bearer(first["access_token"]),
            json={"current_password": ALICE["password"], "new_password": NEW_PASSWORD},
        )
        fresh = change.json()
        refused = [await refresh(client, t["refresh_token"]) for t in (first, second)]
        bob_refresh = await refresh(client, bob["refresh_token"])
        old_access = await profile(client, second["access_token"])
        fresh_refresh = await refresh(client, fresh["refresh_token"])
        old_login = await login_json(client, ALICE)
        new_login = await login_json(client, {"username": "alice", "password": NEW_PASSWORD})
    assert change.status_code == 200
    assert [r.status_code for r in refused] == [400, 400]
    assert bob_refresh.status_code == 200
    assert old_access.status_code == 200, "no denylist: old access tokens live until exp"
    assert fresh_refresh.status_code == 200
    assert old_login.status_code == 401
    assert new_login.status_code == 200
    families = {claims_of(t["refresh_token"])["sid"] for t in (first, second)}
    revoked = [e for e in server.log.events if isinstance(e, RefreshFamilyRevoked)]
    assert {e.family for e in revoked} == families
    assert {e.reason for e in revoked} == {"password-changed"}


async def test_password_change_with_denylist_revokes_old_access_tokens(
    make_server: ServerFactory,
) -> None:
    """With a denylist, a password change also revokes the user's live access tokens by
    jti; the pair it returns works [OWASP Session Management]."""
    server = make_server(mode="jwt", denylist=True)
    async with server.client() as client:
        first = await bearer_login(client)
        second = await bearer_login(client)
        queen = await bearer_login(client, QUEEN)
        change = await client.post(
            "/password",
            headers=bearer(first["access_token"]),
            json={"current_password": ALICE["password"], "new_password": NEW_PASSWORD},
        )
        old = [await profile(client, t["access_token"]) for t in (first, second)]
        fresh = await profile(client, change.json()["access_token"])
        queen_profile = await profile(client, queen["access_token"])
    assert change.status_code == 200
    for response in old:
        assert_invalid_token(response, "revocation")
    assert fresh.status_code == 200
    assert queen_profile.status_code == 200
    denied = {claims_of(t["access_token"])["jti"] for t in (first, second)}
    assert denied <= set(server.store.denylist)
    assert claims_of(queen["access_token"])["jti"] not in server.store.denylist


async def test_failed_jwt_login_sends_a_bare_bearer_challenge(make_server: ServerFactory) -> None:
    """No token was presented, so the challenge carries no error code (RFC 6750 §3.1)."""
    server = make_server(mode="jwt")
    async with server.client() as client:
        response = await client.post("/login", json={"username": "alice", "password": "nope"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="tutor"'
    assert response.json()["error"] == "invalid_credentials"


@pytest.mark.parametrize("case", ["expired", "malformed", "revoked"])
async def test_refresh_errors_are_token_endpoint_errors(
    make_server: ServerFactory, clock: SimulatedClock, case: str
) -> None:
    """An invalid, expired or revoked refresh token at the token endpoint is 400 with
    `error: invalid_grant`, a no-store JSON body and no WWW-Authenticate, which is the
    resource server's vocabulary [RFC 6749 §5.1, §5.2; RFC 6750 §3.1]."""
    server = make_server(mode="jwt", refresh_token_ttl=60)
    async with server.client() as client:
        tokens = await bearer_login(client)
        if case == "expired":
            clock.advance(60)
            token = tokens["refresh_token"]
        elif case == "malformed":
            token = "not.a.token"
        else:
            await client.post("/logout", headers=bearer(tokens["access_token"]))
            token = tokens["refresh_token"]
        response = await refresh(client, token)
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_grant"
    assert "WWW-Authenticate" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
