"""Signed-cookie mode: the session data rides in the cookie under an HMAC (issue 2, 22).

As Flask's default session and Starlette's `SessionMiddleware`: anyone can read the data,
only the server can sign it, and the server keeps nothing it could delete at logout.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from tests.conftest import ServerFactory
from tests.server.helpers import ALICE, login_json
from tutor.clock import SimulatedClock
from tutor.server import MockServer
from tutor.server.events import PasswordChanged, RequestHandled, SessionCreated, SessionDestroyed
from tutor.server.signed import read_unverified

BOB = {"username": "bob", "password": "builder123"}
HTTPS = "https://tutor.local"
NEW_PASSWORD = "through-the-looking-glass"


def split_set_cookie(header: str) -> tuple[str, str, set[str]]:
    """(name, value, attributes) of one Set-Cookie header."""
    first, *attributes = (part.strip() for part in header.split(";"))
    name, _, value = first.partition("=")
    return name, value, set(attributes)


def only_cookie(response: httpx.Response) -> tuple[str, str, set[str]]:
    """The single Set-Cookie of a response, split up."""
    headers = response.headers.get_list("set-cookie")
    assert len(headers) == 1, headers
    return split_set_cookie(headers[0])


async def signed_login(
    client: httpx.AsyncClient, who: dict[str, str] = ALICE
) -> tuple[str, str]:
    """Log in; the signed cookie value and the CSRF token."""
    response = await login_json(client, who)
    assert response.status_code == 200, response.text
    name, value, _ = only_cookie(response)
    assert name in ("session", "__Host-session")
    return value, str(response.json()["csrf_token"])


async def with_cookie(
    server: MockServer, value: str, path: str = "/profile", name: str = "session"
) -> httpx.Response:
    """GET `path` from a fresh client sending exactly this session cookie."""
    async with server.client() as client:
        return await client.get(path, headers={"Cookie": f"{name}={value}"})


def parts(value: str) -> tuple[str, str, str]:
    """payload, timestamp, signature of an itsdangerous TimestampSigner value."""
    payload, timestamp, signature = value.rsplit(".", 2)
    return payload, timestamp, signature


def b64_json(payload: str) -> Any:
    """Decode base64(url) JSON as anyone could, with no key."""
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def b64_encode_json(data: dict[str, Any]) -> str:
    """Encode data the way the server lays out its payload."""
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()


def last_request(server: MockServer) -> RequestHandled:
    """The newest access-log record."""
    return server.log.requests()[-1]


# --- the cookie itself -----------------------------------------------------------------


async def test_signed_cookie_attributes(make_server: ServerFactory) -> None:
    """`Path=/; HttpOnly; SameSite=Lax` and a Max-Age equal to the signature's lifetime
    [RFC 6265bis §4.1.2.2, §4.1.2.6, §4.1.2.7]."""
    server = make_server(mode="signed-cookie")
    async with server.client() as client:
        name, value, attributes = only_cookie(await login_json(client))
    assert name == "session"
    assert value
    max_age = server.config.signed_cookie_max_age
    assert attributes == {"Path=/", f"Max-Age={max_age}", "HttpOnly", "SameSite=Lax"}


async def test_signed_cookie_over_https_is_secure_with_host_prefix(
    make_server: ServerFactory,
) -> None:
    """Over https: `Secure` and the `__Host-` prefix [RFC 6265bis §4.1.2.5, §4.1.3.2]."""
    server = make_server(mode="signed-cookie")
    async with server.client(HTTPS) as client:
        response = await login_json(client)
        assert (await client.get("/profile")).status_code == 200
    name, _, attributes = only_cookie(response)
    assert name == "__Host-session"
    assert {"Secure", "Path=/", "HttpOnly", "SameSite=Lax"} <= attributes
    assert not any(a.lower().startswith("domain") for a in attributes)


async def test_signed_cookie_authenticates_without_server_state(
    make_server: ServerFactory,
) -> None:
    """The server remembers no session: the signature alone vouches for the data
    [Flask `SecureCookieSessionInterface`; Starlette `SessionMiddleware`]."""
    server = make_server(mode="signed-cookie")
    async with server.client() as client:
        value, csrf = await signed_login(client)
    assert server.store.sessions == {}
    assert not [e for e in server.log.events if isinstance(e, SessionCreated | SessionDestroyed)]
    response = await with_cookie(server, value)
    assert response.status_code == 200
    assert response.json() == {"username": "alice", "role": "reader", "csrf_token": csrf}
    record = last_request(server)
    assert (record.principal, record.credential) == ("alice", "signed-cookie")
    assert record.reason == "credential accepted"


# --- 22a. the payload is readable ------------------------------------------------------


async def test_payload_is_readable_without_the_key(make_server: ServerFactory) -> None:
    """Signed is not encrypted: the data is plain base64 JSON anyone can decode
    [itsdangerous docs, "signing is not encryption"; RFC 4648 §5]."""
    server = make_server(mode="signed-cookie")
    async with server.client() as client:
        value, csrf = await signed_login(client)
    expected = {"user": "alice", "role": "reader", "csrf": csrf, "pwgen": 0}
    assert read_unverified(value) == expected
    payload, timestamp, signature = parts(value)
    assert b64_json(payload) == expected
    assert timestamp and signature
    assert "wonderland" not in json.dumps(b64_json(payload))


@pytest.mark.parametrize(
    "value", ["", "not-base64!", "bm90IGpzb24", "WzEsMl0", "....", "x" * 5000]
)
def test_read_unverified_returns_none_for_non_session_values(value: str) -> None:
    """Anything that is not base64 of a JSON object reads as nothing, not an error
    [RFC 4648 §5; RFC 8259 §4]."""
    assert read_unverified(value) is None


# --- 22b. tampering --------------------------------------------------------------------


async def test_edited_payload_with_old_signature_is_refused(make_server: ServerFactory) -> None:
    """Changing the data breaks the HMAC: `role: admin` with the old signature → 401
    [RFC 2104; itsdangerous `BadSignature`]."""
    server = make_server(mode="signed-cookie")
    async with server.client() as client:
        value, _ = await signed_login(client)
    payload, timestamp, signature = parts(value)
    data = b64_json(payload)
    for edit in ({"role": "admin"}, {"user": "queen", "role": "admin"}):
        forged_payload = b64_encode_json({**data, **edit})
        forged = f"{forged_payload}.{timestamp}.{signature}"
        assert read_unverified(forged) == {**data, **edit}
        for path in ("/profile", "/admin"):
            response = await with_cookie(server, forged, path)
            assert response.status_code == 401, (edit, path)
            assert response.headers["www-authenticate"].startswith("Cookie realm=")
            assert "signature" in response.json()["error_description"]
            record = last_request(server)
            assert record.principal is None
            assert record.credential == "signed-cookie"


async def test_edited_signature_is_refused(make_server: ServerFactory) -> None:
    """A signature that does not match the payload → 401 [RFC 2104]."""
    server = make_server(mode="signed-cookie")
    async with server.client() as client:
        value, _ = await signed_login(client)
    payload, timestamp, signature = parts(value)
    # Change the first character: the last one may carry only padding bits.
    flipped = ("B" if signature[0] == "A" else "A") + signature[1:]
    for forged in (
        f"{payload}.{timestamp}.{flipped}",
        f"{payload}.{timestamp}.",
        f"{payload}.{timestamp}",
        payload,
    ):
        response = await with_cookie(server, forged)
        assert response.status_code == 401, forged
    assert (await with_cookie(server, value)).status_code == 200


async def test_edited_timestamp_is_refused(
    make_server: ServerFactory, clock: SimulatedClock
) -> None:
    """The signing time is under the signature too, so a captured cookie cannot be made
    younger [itsdangerous `TimestampSigner`]."""
    server = make_server(mode="signed-cookie")
    async with server.client() as client:
        value, _ = await signed_login(client)
    payload, _, signature = parts(value)
    clock.advance(server.config.signed_cookie_max_age)
    assert (await with_cookie(server, value)).status_code == 401
    fresh_time = int(clock.now()).to_bytes(4, "big")
    younger = base64.urlsafe_b64encode(fresh_time).decode().rstrip("=")
    response = await with_cookie(server, f"{payload}.{younger}.{signature}")
    assert response.status_code == 401
    assert "signature" in response.json()["error_description"]


async def test_cookie_signed_by_another_server_is_refused(make_server: ServerFactory) -> None:
    """Each run has its own random secret: another server's signature is worthless
    [issue 2: secrets from `secrets`, new per run]."""
    ours = make_server(mode="signed-cookie")
    theirs = make_server(mode="signed-cookie")
    async with theirs.client() as client:
        value, _ = await signed_login(client)
    assert (await with_cookie(theirs, value)).status_code == 200
    assert (await with_cookie(ours, value)).status_code == 401


# --- 22c. logout cannot recall a signed cookie -------------------------------------------


async def test_captured_cookie_outlives_logout_until_it_expires(
    make_server: ServerFactory, clock: SimulatedClock
) -> None:
    """Logout only asks the browser to forget the cookie; a copy keeps working until its
    signature is `signed_cookie_max_age` old [Flask sessions docs; Starlette
    `SessionMiddleware` max_age; OWASP Session Management, "Manual Session Expiration"]."""
    server = make_server(mode="signed-cookie")
    max_age = server.config.signed_cookie_max_age
    async with server.client() as client:
        captured, csrf = await signed_login(client)
        signed_at = clock.now()
        clock.advance(10)
        logout = await client.post("/logout", headers={"X-CSRF-Token": csrf})
        assert logout.status_code == 200
        assert logout.json() == {"logged_out": True, "server_state_removed": False}
        name, value, attributes = only_cookie(logout)
        assert (name, value) == ("session", "")
        assert "Max-Age=0" in attributes
        # The browser that logged out forgot the cookie...
        assert (await client.get("/profile")).status_code == 401
    # ...but anyone who copied it is still alice, right after logout...
    after_logout = await with_cookie(server, captured)
    assert after_logout.status_code == 200
    assert after_logout.json()["username"] == "alice"
    # ...up to the last second of its life...
    clock.advance(signed_at + max_age - 1 - clock.now())
    assert (await with_cookie(server, captured)).status_code == 200
    # ...and not from the max_age-th second on.
    clock.advance(1)
    expired = await with_cookie(server, captured)
    assert expired.status_code == 401
    assert "expired" in expired.json()["error_description"]
    assert expired.headers["www-authenticate"].startswith("Cookie realm=")


async def test_signed_cookie_expires_without_logout(
    make_server: ServerFactory, clock: SimulatedClock
) -> None:
    """Activity does not extend a signed cookie: its age counts from signing
    [itsdangerous `TimestampSigner.unsign(max_age=...)`]."""
    server = make_server(mode="signed-cookie", signed_cookie_max_age=120)
    async with server.client() as client:
        value, _ = await signed_login(client)
        for _ in range(11):
            clock.advance(10)
            assert (await client.get("/profile")).status_code == 200
        clock.advance(9)
        assert (await client.get("/profile")).status_code == 200
        clock.advance(1)
    assert (await with_cookie(server, value)).status_code == 401


async def test_signed_cookie_logout_needs_csrf_token(make_server: ServerFactory) -> None:
    """Logout is state-changing: no token or a foreign origin → 403 [OWASP CSRF
    Prevention Cheat Sheet]."""
    server = make_server(mode="signed-cookie")
    async with server.client() as client:
        _, csrf = await signed_login(client)
        missing = await client.post("/logout")
        foreign = await client.post(
            "/logout", headers={"X-CSRF-Token": csrf, "Origin": "https://evil.example"}
        )
        assert (await client.get("/profile")).status_code == 200
    for response in (missing, foreign):
        assert response.status_code == 403
        assert response.json()["error"] == "csrf_rejected"
        assert not response.headers.get_list("set-cookie")


async def test_signed_cookie_form_logout_redirects(make_server: ServerFactory) -> None:
    """A form logout answers 303 See Other and clears the cookie [RFC 9110 §15.4.4]."""
    server = make_server(mode="signed-cookie")
    async with server.client() as client:
        _, csrf = await signed_login(client)
        response = await client.post("/logout", data={"csrf_token": csrf})
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert "Max-Age=0" in only_cookie(response)[2]


# --- password change ---------------------------------------------------------------------


async def test_password_change_invalidates_other_signed_cookies(
    make_server: ServerFactory,
) -> None:
    """The cookie carries the password generation, so a change ends every older login,
    as Django does with its session auth hash [Django `update_session_auth_hash`;
    OWASP Session Management]."""
    server = make_server(mode="signed-cookie")
    async with (
        server.client() as laptop,
        server.client() as phone,
        server.client() as bobs,
    ):
        old, csrf = await signed_login(laptop)
        phones, _ = await signed_login(phone)
        await signed_login(bobs, BOB)
        response = await laptop.post(
            "/password",
            json={"current_password": "wonderland", "new_password": NEW_PASSWORD},
            headers={"X-CSRF-Token": csrf},
        )
        assert response.status_code == 200, response.text
        _, new, _ = only_cookie(response)
        assert new != old
        assert read_unverified(new) == {
            "user": "alice", "role": "reader", "csrf": response.json()["csrf_token"], "pwgen": 1
        }
        assert (await laptop.get("/profile")).status_code == 200
        stale = await phone.get("/profile")
        assert stale.status_code == 401
        assert "password changed" in stale.json()["error_description"]
        assert (await bobs.get("/profile")).status_code == 200
    assert (await with_cookie(server, old)).status_code == 401
    assert (await with_cookie(server, phones)).status_code == 401
    assert (await with_cookie(server, new)).status_code == 200
    assert [e.username for e in server.log.events if isinstance(e, PasswordChanged)] == ["alice"]
    async with server.client() as client:
        assert (await login_json(client, ALICE)).status_code == 401
        renewed = {"username": "alice", "password": NEW_PASSWORD}
        assert (await login_json(client, renewed)).status_code == 200


async def test_signed_cookie_password_change_checks(make_server: ServerFactory) -> None:
    """Wrong current password → 403, too short a new one → 400, and nothing changes
    [OWASP Authentication, "Change Password Feature"; NIST SP 800-63B §5.1.1.2]."""
    server = make_server(mode="signed-cookie")
    async with server.client() as client:
        value, csrf = await signed_login(client)
        wrong = await client.post(
            "/password",
            json={"current_password": "nope", "new_password": NEW_PASSWORD},
            headers={"X-CSRF-Token": csrf},
        )
        short = await client.post(
            "/password",
            json={"current_password": "wonderland", "new_password": "1234567"},
            headers={"X-CSRF-Token": csrf},
        )
    assert wrong.status_code == 403
    assert short.status_code == 400
    assert not wrong.headers.get_list("set-cookie")
    assert not short.headers.get_list("set-cookie")
    assert (await with_cookie(server, value)).status_code == 200


async def test_signed_cookie_https_name_is_required(make_server: ServerFactory) -> None:
    """Over https only `__Host-session` is read [RFC 6265bis §4.1.3.2]."""
    server = make_server(mode="signed-cookie")
    async with server.client(HTTPS) as client:
        value, _ = await signed_login(client)
    async with server.client(HTTPS) as client:
        plain = await client.get("/profile", headers={"Cookie": f"session={value}"})
        prefixed = await client.get("/profile", headers={"Cookie": f"__Host-session={value}"})
    assert plain.status_code == 401
    assert prefixed.status_code == 200
