"""Replicas behind a balancer, the deliberate vulnerabilities, and snapshot/restore.

Issue 2, behaviours 23 and 24.
"""

from __future__ import annotations

import base64
import copy
import json
import warnings
from typing import Any

import httpx
import jwt
import pytest

from tests.conftest import ServerFactory
from tests.server.helpers import ALICE, bearer, bearer_login, login_json
from tutor.clock import SimulatedClock
from tutor.server import ServerConfig, Vulnerabilities
from tutor.server.config import WEAK_SECRETS
from tutor.server.events import SessionCreated, TokenIssued
from tutor.server.weaknesses import WEAKNESSES, weakness_names

PIN = "X-Tutor-Replica"
EVIL_ORIGIN = "https://evil.example"


def pin(replica: str) -> dict[str, str]:
    """Headers that make the balancer send a request to one replica."""
    return {PIN: replica}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def claims_of(token: str) -> dict[str, Any]:
    segment = token.split(".")[1]
    data: dict[str, Any] = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    return data


def header_of(token: str) -> dict[str, Any]:
    segment = token.split(".")[0]
    data: dict[str, Any] = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    return data


def set_cookie(response: httpx.Response) -> str:
    """The one Set-Cookie header a login sent."""
    values = response.headers.get_list("set-cookie")
    assert len(values) == 1, values
    return values[0]


def cookie_attributes(header: str) -> set[str]:
    """The attributes of a Set-Cookie value, without the name=value pair."""
    return {part.strip() for part in header.split(";")[1:]}


# --- 23. replicas ---------------------------------------------------------------------------


async def test_round_robin_alternates_between_replicas(make_server: ServerFactory) -> None:
    """An unpinned request goes to the next replica in turn (issue 2 behaviour 23)."""
    server = make_server(replicas=3)
    async with server.client() as client:
        served = [(await client.get("/profile")).headers["x-tutor-replica"] for _ in range(6)]
    assert served == ["A", "B", "C", "A", "B", "C"]


async def test_single_replica_has_no_replica_header(make_server: ServerFactory) -> None:
    """With one replica there is no balancer, so nothing names a replica."""
    server = make_server()
    async with server.client() as client:
        response = await client.get("/profile")
    assert "x-tutor-replica" not in response.headers


async def test_pin_header_chooses_the_replica(make_server: ServerFactory) -> None:
    """`X-Tutor-Replica` pins a request, and does not move the round-robin position."""
    server = make_server(replicas=2)
    async with server.client() as client:
        pinned = [(await client.get("/profile", headers=pin("B"))).headers["x-tutor-replica"]
                  for _ in range(3)]
        unpinned = (await client.get("/profile")).headers["x-tutor-replica"]
    assert pinned == ["B", "B", "B"]
    assert unpinned == "A"


async def test_session_on_one_replica_is_unknown_on_another(make_server: ServerFactory) -> None:
    """Server-side sessions live in one process's memory: a session made on A is unknown
    on B unless the store is shared (issue 2 behaviour 23)."""
    server = make_server(replicas=2)
    async with server.client() as client:
        login = await login_json(client)
        assert login.headers["x-tutor-replica"] == "A"
        on_a = await client.get("/profile", headers=pin("A"))
        on_b = await client.get("/profile", headers=pin("B"))
    assert login.status_code == 200
    assert on_a.status_code == 200
    assert on_b.status_code == 401
    assert on_b.headers["x-tutor-replica"] == "B"
    assert len(server.store.authenticated_sessions()) == 1
    assert server.replica("B").context.store.sessions == {}


async def test_shared_store_lets_every_replica_see_the_session(
    make_server: ServerFactory,
) -> None:
    """With a shared store (like Redis behind every app server) a session made on A works
    on B, and a logout on B ends it on A."""
    server = make_server(replicas=2, shared_store=True)
    async with server.client() as client:
        login = await client.post("/login", json=ALICE, headers=pin("A"))
        csrf = login.json()["csrf_token"]
        on_b = await client.get("/profile", headers=pin("B"))
        logout = await client.post("/logout", headers={**pin("B"), "X-CSRF-Token": csrf})
        cookie = login.cookies["sid"]
        client.cookies.clear()
        replay = await client.get("/profile", headers={**pin("A"), "Cookie": f"sid={cookie}"})
    assert on_b.status_code == 200
    assert on_b.json()["username"] == "alice"
    assert logout.status_code == 200
    assert replay.status_code == 401
    assert server.replica("B").context.store is server.store


async def test_jwt_from_one_replica_verifies_on_another(make_server: ServerFactory) -> None:
    """A JWT carries its own proof: replica B verifies A's token with no shared state
    (issue 2 behaviour 23)."""
    server = make_server(mode="jwt", replicas=2)
    async with server.client() as client:
        login = await client.post("/login", json=ALICE, headers=pin("A"))
        token = login.json()["access_token"]
        on_b = await client.get("/profile", headers={**bearer(token), **pin("B")})
    assert login.headers["x-tutor-replica"] == "A"
    assert on_b.status_code == 200
    assert on_b.headers["x-tutor-replica"] == "B"
    assert server.replica("B").context.store is not server.store
    assert server.replica("B").context.store.families == {}


async def test_hs256_replica_can_mint(make_server: ServerFactory) -> None:
    """Every HS256 replica holds the shared secret, so each can issue tokens too."""
    server = make_server(mode="jwt", replicas=2)
    async with server.client() as client:
        login = await client.post("/login", json=ALICE, headers=pin("B"))
        token = login.json()["access_token"]
        on_a = await client.get("/profile", headers={**bearer(token), **pin("A")})
    assert login.status_code == 200
    assert login.headers["x-tutor-replica"] == "B"
    assert on_a.status_code == 200
    issued = [e for e in server.log.events if isinstance(e, TokenIssued)]
    assert {e.replica for e in issued} == {"B"}


@pytest.mark.parametrize("algorithm", ["RS256", "EdDSA"])
async def test_asymmetric_replica_verifies_but_cannot_mint(
    make_server: ServerFactory, algorithm: str
) -> None:
    """With RS256/EdDSA only the issuer holds the private key: replica B verifies A's
    tokens with the public key but refuses to issue (503) [RFC 7515 §5.2]."""
    server = make_server(mode="jwt", algorithm=algorithm, replicas=2)
    assert server.replica("B").context.keys.private_key is None
    async with server.client() as client:
        on_b = await client.post("/login", json=ALICE, headers=pin("B"))
        login = await client.post("/login", json=ALICE, headers=pin("A"))
        tokens = login.json()
        verified = await client.get(
            "/profile", headers={**bearer(tokens["access_token"]), **pin("B")}
        )
    assert on_b.status_code == 503
    assert on_b.json()["error"] == "cannot_issue"
    assert login.status_code == 200
    assert verified.status_code == 200
    assert verified.headers["x-tutor-replica"] == "B"


async def test_asymmetric_replica_cannot_refresh_even_with_a_shared_store(
    make_server: ServerFactory,
) -> None:
    """Refreshing signs a new pair, which a verify-only replica cannot do (503); the
    failed attempt does not use up the refresh token, which then works on A."""
    server = make_server(mode="jwt", algorithm="RS256", replicas=2, shared_store=True)
    async with server.client() as client:
        tokens = await bearer_login(client)
        body = {"refresh_token": tokens["refresh_token"]}
        on_b = await client.post("/refresh", json=body, headers=pin("B"))
        on_a = await client.post("/refresh", json=body, headers=pin("A"))
    assert on_b.status_code == 503
    assert on_b.json()["error"] == "cannot_issue"
    assert on_a.status_code == 200
    assert on_a.headers["x-tutor-replica"] == "A"


async def test_balancer_sends_minting_requests_to_the_issuer(make_server: ServerFactory) -> None:
    """In asymmetric mode the balancer routes /login to replica A, the one with the
    private key; other paths still rotate."""
    server = make_server(mode="jwt", algorithm="RS256", replicas=3)
    async with server.client() as client:
        logins = [await login_json(client) for _ in range(4)]
        token = logins[0].json()["access_token"]
        profiles = [await client.get("/profile", headers=bearer(token)) for _ in range(3)]
    assert [r.status_code for r in logins] == [200] * 4
    assert [r.headers["x-tutor-replica"] for r in logins] == ["A"] * 4
    assert [r.status_code for r in profiles] == [200] * 3
    assert sorted(r.headers["x-tutor-replica"] for r in profiles) == ["A", "B", "C"]


async def test_hs256_balancer_rotates_logins(make_server: ServerFactory) -> None:
    """In HS256 mode any replica can mint, so logins rotate like everything else."""
    server = make_server(mode="jwt", replicas=2)
    async with server.client() as client:
        served = [(await login_json(client)).headers["x-tutor-replica"] for _ in range(4)]
    assert served == ["A", "B", "A", "B"]


# --- 24. vulnerability toggles --------------------------------------------------------------

VULNERABILITY_NAMES = weakness_names()


def test_every_vulnerability_is_off_by_default() -> None:
    """A default server has no deliberate weakness (issue 2 behaviour 24)."""
    assert ServerConfig().vulnerabilities.enabled() == []
    assert Vulnerabilities().enabled() == []
    assert len(VULNERABILITY_NAMES) == 14


@pytest.mark.parametrize("name", VULNERABILITY_NAMES)
async def test_enabled_vulnerability_is_visibly_marked(
    make_server: ServerFactory, name: str
) -> None:
    """A toggled weakness is named on the page, so nobody mistakes it for the real thing
    (issue 2 behaviour 24)."""
    mode = WEAKNESSES[name].modes[0]  # a mode the weakness changes something in
    # Algorithm confusion is a public key used as a secret: it needs a key pair.
    algorithm = "EdDSA" if name == "alg_confusion" else "HS256"
    vulnerable = make_server(mode=mode, algorithm=algorithm,
                             vulnerabilities=Vulnerabilities(**{name: True}))
    safe = make_server(mode=mode, algorithm=algorithm)
    assert vulnerable.config.vulnerabilities.enabled() == [name]
    async with vulnerable.client() as client:
        marked = await client.get("/")
    async with safe.client() as client:
        plain = await client.get("/")
    assert 'id="vulnerable"' in marked.text
    assert name in marked.text
    assert 'id="vulnerable"' not in plain.text


def unsigned_admin_token(claims: dict[str, Any]) -> str:
    """An attacker's token: alg none, role admin, no signature."""
    header = b64url(json.dumps({"alg": "none", "typ": "at+jwt"}).encode())
    payload = b64url(json.dumps({**claims, "role": "admin"}).encode())
    return f"{header}.{payload}."


async def test_accept_alg_none_lets_an_unsigned_token_in(make_server: ServerFactory) -> None:
    """VULNERABLE: trusting the token's own `alg: none` lets anyone write their claims
    [RFC 8725 §2.1]; the safe server refuses the same token."""
    vulnerable = make_server(
        mode="jwt", vulnerabilities=Vulnerabilities(accept_alg_none=True)
    )
    safe = make_server(mode="jwt")
    results: dict[str, int] = {}
    for label, server in (("vulnerable", vulnerable), ("safe", safe)):
        async with server.client() as client:
            real = (await bearer_login(client))["access_token"]
            forged = unsigned_admin_token(claims_of(real))
            before = await client.get("/admin", headers=bearer(real))
            assert before.status_code == 403
            results[label] = (await client.get("/admin", headers=bearer(forged))).status_code
    assert results == {"vulnerable": 200, "safe": 401}


async def test_accept_alg_none_still_checks_audience_and_expiry(
    make_server: ServerFactory, clock: SimulatedClock
) -> None:
    """The alg-none weakness skips only the signature; claims are still validated
    [RFC 7519 §4.1.3, §4.1.4]."""
    server = make_server(mode="jwt", vulnerabilities=Vulnerabilities(accept_alg_none=True))
    async with server.client() as client:
        claims = claims_of((await bearer_login(client))["access_token"])
        wrong_aud = await client.get(
            "/admin", headers=bearer(unsigned_admin_token({**claims, "aud": "elsewhere"}))
        )
        clock.advance(server.config.access_token_ttl)
        expired = await client.get("/admin", headers=bearer(unsigned_admin_token(claims)))
    assert wrong_aud.status_code == 401
    assert expired.status_code == 401


def crack(token: str, words: tuple[str, ...]) -> str | None:
    """A learner's dictionary attack: the word whose HMAC matches the token's signature."""
    for word in words:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", jwt.InsecureKeyLengthWarning)
                jwt.decode(
                    token,
                    word,
                    algorithms=["HS256"],
                    options={"verify_aud": False, "verify_exp": False, "verify_iat": False},
                )
        except jwt.InvalidSignatureError:
            continue
        return word
    return None


async def test_weak_hmac_secret_is_cracked_and_forges_admin(make_server: ServerFactory) -> None:
    """VULNERABLE: an HS256 secret from a small word list falls to an offline dictionary
    attack, and the attacker can then mint any token [RFC 7518 §3.2; RFC 8725 §3.5]."""
    server = make_server(mode="jwt", vulnerabilities=Vulnerabilities(weak_hmac_secret=True))
    assert server.keys.hmac_secret.decode() in WEAK_SECRETS
    async with server.client() as client:
        token = (await bearer_login(client))["access_token"]
        found = crack(token, WEAK_SECRETS)
        assert found == server.keys.hmac_secret.decode()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", jwt.InsecureKeyLengthWarning)
            forged = jwt.encode(
                {**claims_of(token), "role": "admin"},
                found,
                algorithm="HS256",
                headers=header_of(token),
            )
        admin = await client.get("/admin", headers=bearer(forged))
    assert admin.status_code == 200
    assert admin.json()["username"] == "alice"


async def test_strong_secret_is_not_in_the_word_list(make_server: ServerFactory) -> None:
    """By default the HS256 secret is 32 random bytes, so the dictionary attack finds
    nothing [RFC 7518 §3.2]."""
    server = make_server(mode="jwt")
    assert len(server.keys.hmac_secret) >= 32
    async with server.client() as client:
        token = (await bearer_login(client))["access_token"]
    assert crack(token, WEAK_SECRETS) is None


def test_short_fixed_secret_needs_the_weak_secret_toggle() -> None:
    """A fixed secret under 32 bytes is refused unless the weakness is chosen on purpose
    [RFC 7518 §3.2]."""
    from tutor.server import ConfigError

    with pytest.raises(ConfigError):
        ServerConfig(mode="jwt", secret="secret")
    config = ServerConfig(
        mode="jwt", secret="secret", vulnerabilities=Vulnerabilities(weak_hmac_secret=True)
    )
    assert config.secret == "secret"


async def test_no_httponly_drops_httponly(make_server: ServerFactory) -> None:
    """VULNERABLE: without HttpOnly, page scripts can read the session cookie
    [RFC 6265bis §4.1.2.6]."""
    safe = make_server()
    vulnerable = make_server(vulnerabilities=Vulnerabilities(no_httponly=True))
    async with safe.client() as client:
        safe_cookie = cookie_attributes(set_cookie(await login_json(client)))
    async with vulnerable.client() as client:
        weak_cookie = cookie_attributes(set_cookie(await login_json(client)))
    assert "HttpOnly" in safe_cookie
    assert "HttpOnly" not in weak_cookie
    assert safe_cookie - {"HttpOnly"} == weak_cookie


async def test_samesite_none_sends_cookie_cross_site(make_server: ServerFactory) -> None:
    """VULNERABLE: `SameSite=None` lets the browser attach the cookie to cross-site
    requests; browsers require `Secure` with it [RFC 6265bis §4.1.2.7, §5.6.7]."""
    safe = make_server()
    vulnerable = make_server(vulnerabilities=Vulnerabilities(samesite_none=True))
    async with safe.client() as client:
        safe_cookie = cookie_attributes(set_cookie(await login_json(client)))
    async with vulnerable.client() as client:
        weak_cookie = cookie_attributes(set_cookie(await login_json(client)))
    assert "SameSite=Lax" in safe_cookie
    assert "SameSite=None" in weak_cookie
    assert "Secure" in weak_cookie
    assert "SameSite=Lax" not in weak_cookie


async def test_no_csrf_check_lets_a_cross_origin_logout_through(
    make_server: ServerFactory,
) -> None:
    """VULNERABLE: without origin and token checks a forged cross-site POST acts as the
    user (OWASP CSRF Prevention Cheat Sheet); the safe server refuses it."""
    statuses: dict[bool, int] = {}
    for toggle in (False, True):
        server = make_server(vulnerabilities=Vulnerabilities(no_csrf_check=toggle))
        async with server.client() as client:
            assert (await login_json(client)).status_code == 200
            forged = await client.post(
                "/logout", headers={"Origin": EVIL_ORIGIN, "Sec-Fetch-Site": "cross-site"}
            )
            statuses[toggle] = forged.status_code
            after = await client.get("/profile")
            assert after.status_code == (401 if toggle else 200)
    assert statuses == {False: 403, True: 200}


async def test_safe_server_refuses_cross_origin_logout_even_with_the_csrf_token(
    make_server: ServerFactory,
) -> None:
    """Origin checking is a second, separate defence: a cross-origin POST is refused even
    when it carries the right CSRF token (OWASP CSRF Prevention Cheat Sheet, "Verifying
    Origin With Standard Headers")."""
    server = make_server()
    async with server.client() as client:
        csrf = (await login_json(client)).json()["csrf_token"]
        cross = await client.post(
            "/logout", headers={"Origin": EVIL_ORIGIN, "X-CSRF-Token": csrf}
        )
        cross_site = await client.post(
            "/logout", headers={"Sec-Fetch-Site": "cross-site", "X-CSRF-Token": csrf}
        )
        still_in = await client.get("/profile")
        same_origin = await client.post(
            "/logout", headers={"Origin": "http://tutor.local", "X-CSRF-Token": csrf}
        )
    assert cross.status_code == 403
    assert cross_site.status_code == 403
    assert still_in.status_code == 200
    assert same_origin.status_code == 200


async def test_no_session_rotation_keeps_the_pre_login_id(make_server: ServerFactory) -> None:
    """VULNERABLE: keeping the pre-login session id allows session fixation
    (OWASP Session Management: renew the id at login)."""
    ids: dict[bool, tuple[str, str | None]] = {}
    for toggle in (False, True):
        server = make_server(vulnerabilities=Vulnerabilities(no_session_rotation=toggle))
        async with server.client() as client:
            await client.get("/")
            before = client.cookies["sid"]
            await login_json(client)
            ids[toggle] = (before, client.cookies.get("sid"))
            client.cookies.clear()
            fixed = await client.get("/profile", headers={"Cookie": f"sid={before}"})
            assert fixed.status_code == (200 if toggle else 401)
    safe_before, safe_after = ids[False]
    weak_before, weak_after = ids[True]
    assert safe_before != safe_after
    assert weak_before == weak_after


# --- snapshot and restore -------------------------------------------------------------------


async def test_restore_puts_store_events_and_clock_back(
    make_server: ServerFactory, clock: SimulatedClock
) -> None:
    """Stepping a scene backward restores the server's memory exactly."""
    server = make_server(mode="jwt", denylist=True)
    async with server.client() as client:
        kept = await bearer_login(client)
        snapshot = server.snapshot()
        store_before = copy.deepcopy(server.store)
        events_before = list(server.log.events)
        clock.advance(10)
        later = await bearer_login(client)
        await client.post("/logout", headers=bearer(kept["access_token"]))
        assert server.store.denylist
        assert len(server.log.events) > len(events_before)
        server.restore(snapshot)
        assert clock.now() == snapshot.now
        assert server.log.events == events_before
        assert server.store == store_before
        assert server.store.denylist == {}
        assert claims_of(later["refresh_token"])["sid"] not in server.store.families
        # The restored server still works from the restored state.
        replay = await client.get("/profile", headers=bearer(kept["access_token"]))
    assert replay.status_code == 200


async def test_restore_is_independent_of_later_changes(make_server: ServerFactory) -> None:
    """A snapshot is a deep copy: changes after it do not leak into it, and it can be
    restored more than once."""
    server = make_server(replicas=2)
    snapshot = server.snapshot()
    async with server.client() as client:
        await client.post("/login", json=ALICE, headers=pin("A"))
        await client.get("/profile")
    assert snapshot.stores[0].sessions == {}
    assert any(isinstance(e, SessionCreated) for e in server.log.events)
    server.restore(snapshot)
    assert server.store.sessions == {}
    assert server.log.events == []
    assert server.balancer.position == 0
    async with server.client() as client:
        await login_json(client)
    server.restore(snapshot)
    assert server.store.sessions == {}
    assert server.replica("B").context.store.sessions == {}
