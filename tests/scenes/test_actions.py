"""One realistic scene per action, each proving the point a lesson makes with it.

The scenes are written the way lessons write them (dicts that YAML would give), with
their claims as `expect:` blocks; `run` fails with every unmet expectation listed.
"""

from __future__ import annotations

from typing import Any

import pytest

from tutor.scenes import SceneEngine, StepRecord, parse_scene
from tutor.scenes.events import UserActed
from tutor.server.events import RefreshFamilyRevoked, SessionDestroyed, TokenDenylisted

SID = "__Host-sid"
SESSION = "__Host-session"


async def run(*steps: dict[str, Any], browsers: tuple[str, ...] = ("user", "attacker"),
              **server: Any) -> tuple[SceneEngine, list[StepRecord]]:
    """Run a scene to the end; fail listing each unmet expectation or step error."""
    config: dict[str, Any] = {"scrypt_cost": 1024, **server}
    engine = SceneEngine(parse_scene({"server": config, "browsers": list(browsers),
                                      "steps": list(steps)}))
    records = await engine.run_all()
    problems = [f"step {r.index}: {r.error}" for r in records if r.error] + [
        f"step {r.index}: {f.expectation.kind}={f.expectation.value!r}: {f.detail}"
        for r in records for f in r.failures
    ]
    assert not problems, "\n".join(problems)
    return engine, records


# --- cookies: the session id travels by itself --------------------------------------------


async def test_visit_opens_an_anonymous_session() -> None:
    """Many frameworks open a session on the first visit, before any login (OWASP Session
    Management: the id must then change at login, or it can be fixed by an attacker)."""
    engine, records = await run(
        {"visit": "/", "expect": {"status": 200, "cookie_stored": SID, "session_count": 0,
                                  "server_events": "SessionCreated"}},
        {"login": {}, "expect": {"session_count": 1}},
    )
    [anonymous] = [c for c in records[0].outcome.exchanges[0].cookies_stored]
    [logged_in] = engine.world.browser("user").jar.cookies()
    assert anonymous.cookie is not None and anonymous.cookie.value != logged_in.value


async def test_cookie_login_then_the_cookie_goes_along() -> None:
    """After a form login the browser sends the session cookie by itself; HttpOnly keeps it
    out of scripts' reach (RFC 6265bis §4.1.2.6)."""
    await run(
        {"login": {}, "expect": {"status": 303, "final_status": 200, "login_step": 3,
                                 "cookie_stored": SID, "jar_has": SID,
                                 "document_cookie_lacks": SID}},
        {"request": "/profile", "expect": {"status": 200, "cookie_sent": SID,
                                           "json": {"username": "alice"}}},
        mode="cookie",
    )


async def test_http_is_stateless_without_the_credential() -> None:
    """The server remembers nothing about a connection: a request without the cookie is
    anonymous, even right after a login (RFC 9110 §3.3)."""
    await run(
        {"login": {}},
        {"request": {"path": "/profile", "credential": "none"},
         "expect": {"status": 401, "request_header_absent": "Cookie",
                    "header_present": "WWW-Authenticate", "jar_has": SID}},
    )


# --- JWT: stateless tokens ----------------------------------------------------------------


async def test_jwt_survives_logout_until_it_expires() -> None:
    """A JWT is valid until `exp` whatever happens on the server: logging out deletes the
    client's copy, but a captured copy still works (RFC 7519 §4.1.4; OWASP JWT Cheat
    Sheet, "no built-in revocation")."""
    await run(
        {"login": {}, "expect": {"status": 200, "login_step": 3,
                                 "storage_has": ["access_token", "refresh_token"]}},
        {"capture": {}},
        {"logout": {}, "expect": {"status": 200, "storage_lacks": "access_token",
                                  "json": {"access_token_revoked": False}}},
        {"replay": "/profile", "as": "attacker", "expect": {"status": 200}},
        {"advance_clock": 300},
        {"replay": "/profile", "as": "attacker",
         "expect": {"status": 401, "error_stage": "claims", "body_contains": "expired"}},
        mode="jwt",
    )


async def test_a_denylist_revokes_a_jwt_at_logout() -> None:
    """Remembering logged-out `jti`s until they expire gives JWTs a logout, at the cost of
    a lookup on every request: state again (OWASP JWT Cheat Sheet, "token denylist")."""
    _, records = await run(
        {"login": {}},
        {"capture": {}},
        {"logout": {}, "expect": {"json": {"access_token_revoked": True}, "denylist_size": 1,
                                  "server_events": "TokenDenylisted"}},
        {"replay": "/profile", "as": "attacker",
         "expect": {"status": 401, "error_stage": "revocation"}},
        mode="jwt", denylist=True,
    )
    [denied] = [e for e in records[2].outcome.server_events if isinstance(e, TokenDenylisted)]
    login = records[0].outcome.main
    assert login is not None
    assert denied.expires_at == login.at + 300  # kept only until the token expires anyway


async def test_tampered_claims_break_the_signature() -> None:
    """Anyone can read and edit a JWT's payload, but the signature covers it: changing
    `role` without the key is caught (RFC 7515 §5.2)."""
    engine, _ = await run(
        {"login": {}},
        {"request": "/admin", "expect": {"status": 403, "json": {"error": "insufficient_scope"}}},
        {"tamper_token": {"claims": {"role": "admin"}}},
        {"request": "/admin", "expect": {"status": 401, "error_stage": "signature"}},
        mode="jwt",
    )
    [edited] = [e for e in engine.records[2].events if isinstance(e, UserActed)]
    assert edited.text.endswith("(keep signature)")


async def test_alg_none_is_refused_unless_the_server_is_vulnerable() -> None:
    """`alg: none` means "no signature": a server must only accept the algorithm it
    expects (RFC 8725 §3.1, §2.1; OWASP JWT Cheat Sheet)."""
    steps: tuple[dict[str, Any], ...] = (
        {"login": {}},
        {"tamper_token": {"claims": {"role": "admin"}, "signature": "none"}},
    )
    await run(*steps, {"request": "/admin",
                       "expect": {"status": 401, "error_stage": "algorithm"}}, mode="jwt")
    await run(*steps, {"request": "/admin", "expect": {"status": 200,
                                                       "json": {"area": "admin"}}},
              mode="jwt", vulnerabilities=["accept_alg_none"])


async def test_a_weak_secret_lets_the_attacker_sign_tokens() -> None:
    """HS256 is only as strong as its secret: a dictionary word is guessed offline and then
    any claims can be signed (RFC 7518 §3.2 asks for 256 bits; RFC 8725 §3.5)."""
    await run(
        {"login": {}},
        {"tamper_token": {"claims": {"role": "admin"}, "signature": "resign",
                          "secret": "password"}},
        {"request": "/admin", "expect": {"status": 401, "error_stage": "signature"}},
        {"tamper_token": {"claims": {"role": "admin"}, "signature": "resign",
                          "secret": "secret"}},
        {"request": "/admin", "expect": {"status": 200, "json": {"area": "admin"}}},
        mode="jwt", secret="secret", vulnerabilities=["weak_hmac_secret"],
    )


async def test_refresh_rotation_and_reuse_detection() -> None:
    """Each refresh returns a new refresh token; presenting an old one again is taken as
    theft and revokes the whole family (OAuth 2.0 Security BCP, RFC 9700 §4.14.2)."""
    _, records = await run(
        {"login": {}},
        {"refresh": {}, "expect": {"status": 200, "storage_has": "refresh_token"}},
        {"refresh": {"token": "previous"},
         "expect": {"status": 400, "json": {"error": "invalid_grant"},
                    "server_events": "RefreshFamilyRevoked"}},
        {"refresh": {}, "expect": {"status": 400, "body_contains": "revoked"}},
        mode="jwt",
    )
    [revoked] = [e for e in records[2].outcome.server_events
                 if isinstance(e, RefreshFamilyRevoked)]
    assert revoked.reason == "reuse-detected"
    first, second = (r.outcome.main for r in records[:2])
    assert first is not None and second is not None
    assert first.response.body != second.response.body


async def test_deleting_a_jwt_on_the_client_revokes_nothing() -> None:
    """Clearing localStorage only forgets the token here; the server never knew it and
    still accepts any copy (OWASP JWT Cheat Sheet)."""
    await run(
        {"login": {}},
        {"capture": {}},
        {"clear_credential": {}, "expect": {"storage_lacks": ["access_token",
                                                               "refresh_token"]}},
        {"request": "/profile", "expect": {"status": 401, "request_header_absent":
                                           "Authorization"}},
        {"replay": "/profile", "as": "attacker", "expect": {"status": 200}},
        mode="jwt",
    )


# --- signed cookies ------------------------------------------------------------------------


async def test_a_tampered_signed_cookie_is_refused() -> None:
    """A signed cookie's data is readable but not editable: the HMAC no longer matches
    (OWASP Session Management; itsdangerous as in Flask)."""
    engine, _ = await run(
        {"login": {}},
        {"request": "/admin", "expect": {"status": 403}},
        {"tamper_cookie": {"set": {"role": "admin", "user": "queen"}}},
        {"request": "/admin", "expect": {"status": 401, "cookie_sent": SESSION}},
        mode="signed-cookie",
    )
    [cookie] = engine.world.browser("user").jar.cookies()
    assert cookie.name == SESSION and cookie.http_only


# --- XSS -----------------------------------------------------------------------------------


async def test_xss_cannot_steal_an_httponly_cookie() -> None:
    """Injected script reads document.cookie, where HttpOnly cookies do not appear; the
    attacker gets nothing that logs in (OWASP XSS Prevention; RFC 6265bis §4.1.2.6)."""
    engine, _ = await run(
        {"login": {}},
        {"xss_steal": {"read": "document.cookie"}, "expect": {"loot": "document.cookie"}},
        {"replay": {"path": "/profile", "use": "document.cookie"}, "as": "attacker",
         "expect": {"status": 401, "request_header_absent": "Cookie"}},
    )
    loot = engine.world.attacker.latest("document.cookie")
    assert loot is not None and loot.value == ""


async def test_xss_steals_a_cookie_without_httponly() -> None:
    """Without HttpOnly the same script takes the session id, and the attacker is in."""
    engine, _ = await run(
        {"login": {}},
        {"xss_steal": {"read": "document.cookie"}},
        {"replay": {"path": "/profile", "use": "document.cookie"}, "as": "attacker",
         "expect": {"status": 200, "json": {"username": "alice"}}},
        vulnerabilities=["no_httponly"],
    )
    loot = engine.world.attacker.latest("document.cookie")
    assert loot is not None and loot.value.startswith(f"{SID}=")


async def test_xss_steals_a_jwt_from_local_storage() -> None:
    """Any script on the page can read localStorage, so a token kept there is one XSS away
    from the attacker (OWASP HTML5 Security and JWT Cheat Sheets)."""
    await run(
        {"login": {}},
        {"xss_steal": {"read": ["localStorage"]}, "expect": {"loot": "localStorage"}},
        {"replay": {"path": "/profile", "use": "localStorage"}, "as": "attacker",
         "expect": {"status": 200, "request_header_present": "Authorization"}},
        mode="jwt",
    )


# --- CSRF ----------------------------------------------------------------------------------


async def test_samesite_lax_withholds_the_cookie_from_a_cross_site_post() -> None:
    """SameSite=Lax cookies stay home on a cross-site POST, so a forged form is anonymous;
    a top-level cross-site GET (a link) still carries them (RFC 6265bis §5.8.3; OWASP CSRF
    Prevention)."""
    await run(
        {"login": {}},
        {"cross_site_request": {"path": "/logout", "kind": "form"},
         "expect": {"status": 401, "cookie_withheld": {SID: "SameSite=Lax"},
                    "session_count": 1}},
        {"cross_site_request": {"path": "/profile", "kind": "navigate", "method": "GET"},
         "expect": {"status": 200, "cookie_sent": SID,
                    "request_header_absent": "Origin"}},
    )


async def test_samesite_none_alone_is_stopped_by_the_origin_check() -> None:
    """With SameSite=None the cookie goes, but the server's Origin check refuses the
    forged request (OWASP CSRF Prevention: verify the origin with standard headers)."""
    await run(
        {"login": {}},
        {"cross_site_request": {"path": "/logout", "kind": "form"},
         "expect": {"status": 403, "cookie_sent": SID, "json": {"error": "csrf_rejected"},
                    "session_count": 1}},
        vulnerabilities=["samesite_none"],
    )


async def test_csrf_succeeds_when_every_defence_is_off() -> None:
    """SameSite=None plus no CSRF check: the attacker's page logs the victim out."""
    await run(
        {"login": {}},
        {"cross_site_request": {"path": "/logout", "kind": "form"},
         "expect": {"status": 303, "cookie_sent": SID, "session_count": 0,
                    "server_events": "SessionDestroyed"}},
        vulnerabilities=["samesite_none", "no_csrf_check"],
    )


async def test_a_cross_site_fetch_is_acted_on_but_unreadable() -> None:
    """A simple cross-site fetch needs no preflight: the server acts on it even though the
    attacker's script cannot read the answer (Fetch standard, CORS)."""
    await run(
        {"login": {}},
        {"cross_site_request": {"path": "/logout", "kind": "fetch", "fields": {"x": "1"}},
         "expect": {"status": 303, "readable_by_script": False, "blocked": False,
                    "session_count": 0}},
        vulnerabilities=["samesite_none", "no_csrf_check"],
    )


# --- replicas ------------------------------------------------------------------------------


async def test_a_session_lives_on_one_replica_unless_the_store_is_shared() -> None:
    """Server-side sessions are state: a replica that does not share the store has never
    heard of the session id (hence sticky sessions or a shared store such as Redis)."""
    steps: tuple[dict[str, Any], ...] = (
        {"switch_replica": "A"},
        {"login": {}, "expect": {"final_status": 200, "replica": "A"}},
        {"switch_replica": "B"},
    )
    await run(*steps, {"request": "/profile",
                       "expect": {"status": 401, "replica": "B", "cookie_sent": SID}},
              replicas=2)
    await run(*steps, {"request": "/profile", "expect": {"status": 200, "replica": "B"}},
              replicas=2, shared_store=True)


async def test_switch_replica_rejects_an_unknown_replica() -> None:
    """Pinning a replica the server does not have is a scene error, with the count."""
    engine = SceneEngine(parse_scene({"server": {"scrypt_cost": 1024, "replicas": 2},
                                      "steps": [{"switch_replica": "C"}]}))
    [record] = await engine.run_all()
    assert record.error is not None and "no replica 'C'" in record.error


# --- password changes, restarts, idle timeouts ---------------------------------------------


async def test_change_password_ends_other_sessions() -> None:
    """After a password change every other session of the user ends; the one that
    changed it gets a fresh session (OWASP Session Management Cheat Sheet)."""
    engine, records = await run(
        {"login": {}},
        {"login": {}, "as": "laptop"},
        {"change_password": {"new": "through-the-looking-glass"},
         "expect": {"status": 200, "server_events": ["PasswordChanged", "SessionDestroyed"],
                    "session_count": 1}},
        {"request": "/profile", "as": "laptop", "expect": {"status": 401}},
        {"request": "/profile", "expect": {"status": 200}},
        {"login": {}, "as": "laptop", "expect": {"status": 401, "login_step": 2}},
        browsers=("user", "laptop"),
    )
    reasons = [e.reason for e in records[2].outcome.server_events
               if isinstance(e, SessionDestroyed)]
    assert reasons == ["password-changed", "password-changed"]
    assert engine.world.server.users.authenticate("alice", "through-the-looking-glass")


async def test_restart_drops_a_session_cookie_but_not_a_persistent_one() -> None:
    """A cookie without Max-Age/Expires dies with the browser; a signed cookie with
    Max-Age survives a restart (RFC 6265bis §5.7, "persistent-flag")."""
    await run(
        {"login": {}},
        {"restart_browser": {}, "expect": {"jar_lacks": SID}},
        {"request": "/profile", "expect": {"status": 401}},
        mode="cookie",
    )
    await run(
        {"login": {}},
        {"restart_browser": {}, "expect": {"jar_has": SESSION}},
        {"request": "/profile", "expect": {"status": 200}},
        mode="signed-cookie",
    )


async def test_clear_credential_in_cookie_mode_clears_the_site_cookies() -> None:
    """Deleting the session cookie logs this browser out, yet the session row lives on in
    the server's store until it times out (only logout destroys it)."""
    await run(
        {"login": {}},
        {"clear_credential": {}, "expect": {"jar_lacks": SID, "session_count": 1}},
        {"request": "/profile", "expect": {"status": 401}},
    )


async def test_idle_timeout_destroys_the_session() -> None:
    """A session unused for `session_idle_timeout` seconds ends (OWASP Session Management:
    idle timeouts); moving the clock is enough, no request needed."""
    _, records = await run(
        {"login": {}},
        {"advance_clock": 899},
        {"request": "/profile", "expect": {"status": 200}},
        {"advance_clock": 900, "expect": {"server_events": "SessionDestroyed",
                                          "session_count": 0}},
        {"request": "/profile", "expect": {"status": 401, "cookie_sent": SID}},
    )
    [destroyed] = records[3].outcome.server_events
    assert isinstance(destroyed, SessionDestroyed) and destroyed.reason == "idle-timeout"


@pytest.mark.parametrize(
    ("site", "cookie", "vulnerable", "replay_status"),
    [
        ("http://bank.test", "sid", True, 200),    # fixation works without rotation
        ("http://bank.test", "sid", False, 401),   # rotation defeats it
        ("https://bank.test", "__Host-sid", True, 401),  # __Host- cannot be planted
    ],
)
async def test_planted_session_cookie_fixation(
    site: str, cookie: str, vulnerable: bool, replay_status: int
) -> None:
    """OWASP Session Management: renew the id at login; RFC 6265bis §4.1.3.2 __Host-."""
    scene = parse_scene({
        "site": site,
        "server": {"mode": "cookie",
                   "vulnerabilities": ["no_session_rotation"] if vulnerable else []},
        "browsers": ["user", "attacker"],
        "steps": [
            {"visit": "/", "as": "attacker"}, {"capture": {}, "as": "attacker"},
            {"plant_cookie": {"name": cookie}}, {"login": {}},
            {"replay": "/profile", "as": "attacker",
             "expect": {"status": replay_status}},
        ],
    })
    records = await SceneEngine(scene).run_all()
    assert all(r.error is None for r in records)
    assert records[-1].passed, records[-1].failures
