"""Cookie mode (server-side sessions) and the behaviours every mode shares (issue 2, 1–11).

Each test names the behaviour it checks; the docstring gives the source it follows.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from typing import Any, TypeVar

import httpx
import pytest

from tests.conftest import ServerFactory
from tests.server.helpers import ALICE, forms, inputs, login_json
from tutor.clock import SimulatedClock
from tutor.server import MockServer, Vulnerabilities
from tutor.server.events import (
    PasswordChanged,
    RequestHandled,
    ServerEvent,
    SessionCreated,
    SessionDestroyed,
)

BOB = {"username": "bob", "password": "builder123"}
HTTPS = "https://tutor.local"
BASE64URL = re.compile(r"^[A-Za-z0-9_-]+$")
ALL_MODES = ["cookie", "signed-cookie", "jwt"]
COOKIE_MODES = ["cookie", "signed-cookie"]

E = TypeVar("E", bound=ServerEvent)


# --- helpers -----------------------------------------------------------------------


def set_cookies(response: httpx.Response) -> list[str]:
    """Every Set-Cookie header of a response."""
    return response.headers.get_list("set-cookie")


def split_set_cookie(header: str) -> tuple[str, str, set[str]]:
    """(name, value, attributes) of one Set-Cookie header; attributes kept as written."""
    first, *attributes = (part.strip() for part in header.split(";"))
    name, _, value = first.partition("=")
    return name, value, set(attributes)


def only_cookie(response: httpx.Response) -> tuple[str, str, set[str]]:
    """The single Set-Cookie a response carries, split up."""
    headers = set_cookies(response)
    assert len(headers) == 1, headers
    return split_set_cookie(headers[0])


def issued_sid(response: httpx.Response, name: str = "sid") -> str:
    """The session id a response sets in cookie `name`."""
    cookie_name, value, _ = only_cookie(response)
    assert cookie_name == name
    assert value
    return value


async def with_cookie(
    server: MockServer,
    cookie: str,
    path: str = "/profile",
    base_url: str = "http://tutor.local",
) -> httpx.Response:
    """GET `path` from a fresh client (empty jar) sending exactly this Cookie header."""
    async with server.client(base_url) as client:
        return await client.get(path, headers={"Cookie": cookie})


async def login(client: httpx.AsyncClient, who: dict[str, str] = ALICE) -> tuple[str, str]:
    """Log in with JSON; the new session id and the CSRF token."""
    response = await login_json(client, who)
    assert response.status_code == 200, response.text
    return issued_sid(response), str(response.json()["csrf_token"])


def events_of(server: MockServer, kind: type[E]) -> list[E]:
    """The server's events of one type, in order."""
    return [event for event in server.log.events if isinstance(event, kind)]


def destroyed(server: MockServer) -> dict[str, str]:
    """session id → reason for every SessionDestroyed event."""
    return {e.session_id: e.reason for e in events_of(server, SessionDestroyed)}


def last_request(server: MockServer) -> RequestHandled:
    """The newest access-log record."""
    return server.log.requests()[-1]


# --- 1. a challenge on every 401 ------------------------------------------------------


async def test_cookie_mode_401_challenges_with_cookie_scheme(make_server: ServerFactory) -> None:
    """No credential → 401 with a WWW-Authenticate challenge [RFC 9110 §15.5.2, §11.6.1].

    No registered scheme exists for cookie logins; the server documents a `Cookie` scheme
    with a realm (not `Basic`, which would make a browser pop up a password dialog).
    """
    server = make_server(mode="cookie")
    async with server.client() as client:
        response = await client.get("/profile")
    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith('Cookie realm="tutor"')
    assert 'cookie-name="sid"' in challenge
    assert 'form-action="/login"' in challenge
    assert not challenge.lower().startswith(("basic", "bearer"))
    assert response.json()["error"] == "unauthorized"


async def test_signed_cookie_mode_401_names_its_cookie(make_server: ServerFactory) -> None:
    """The cookie challenge names the cookie the mode uses [RFC 9110 §15.5.2]."""
    server = make_server(mode="signed-cookie")
    async with server.client() as client:
        response = await client.get("/profile")
    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith('Cookie realm="tutor"')
    assert 'cookie-name="session"' in challenge


def _requests_that_must_401(mode: str) -> list[tuple[str, str, dict[str, str], Any]]:
    """(method, path, headers, json body) that a fresh client sends and must get 401 for."""
    cookie = {"cookie": "sid", "signed-cookie": "session"}.get(mode)
    bad_credential: dict[str, str]
    if cookie is None:
        bad_credential = {"Authorization": "Bearer not.a.token"}
    else:
        bad_credential = {"Cookie": f"{cookie}=forged-value-the-server-never-issued"}
    password_body = {"current_password": "wonderland", "new_password": "a-new-password"}
    wrong_login = {"username": "alice", "password": "not-her-password"}
    requests: list[tuple[str, str, dict[str, str], Any]] = [
        ("GET", "/profile", {}, None),
        ("GET", "/admin", {}, None),
        ("POST", "/logout", {}, None),
        ("POST", "/password", {}, password_body),
        ("GET", "/profile", bad_credential, None),
        ("GET", "/admin", bad_credential, None),
        ("POST", "/logout", bad_credential, None),
        ("POST", "/password", bad_credential, password_body),
        ("POST", "/login", {}, wrong_login),
        ("POST", "/login", {}, {"username": "nobody", "password": "whatever1"}),
    ]
    return requests


@pytest.mark.parametrize("mode", ALL_MODES)
@pytest.mark.parametrize("base_url", ["http://tutor.local", HTTPS])
async def test_every_401_carries_a_www_authenticate_header(
    make_server: ServerFactory, mode: str, base_url: str
) -> None:
    """A server generating a 401 MUST send a WWW-Authenticate header [RFC 9110 §15.5.2]."""
    server = make_server(mode=mode)
    for method, path, headers, body in _requests_that_must_401(mode):
        async with server.client(base_url) as client:
            response = await client.request(method, path, headers=headers, json=body)
        where = f"{method} {path} {headers}"
        assert response.status_code == 401, f"{where}: {response.status_code} {response.text}"
        assert response.headers.get("www-authenticate"), f"{where}: no challenge"
        expected_scheme = "Bearer" if mode == "jwt" else "Cookie"
        assert response.headers["www-authenticate"].startswith(f'{expected_scheme} realm="')


async def test_anonymous_pre_login_session_is_still_401(make_server: ServerFactory) -> None:
    """An anonymous session opened by GET / is not a login: 401 with a challenge
    [RFC 9110 §15.5.2; OWASP Session Management, pre-auth sessions]."""
    server = make_server(mode="cookie")
    async with server.client() as client:
        page = await client.get("/")
        issued_sid(page)
        response = await client.get("/profile")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Cookie realm=")
    assert "not logged in" in response.json()["error_description"]


# --- 2. a login does not authenticate a request without a credential ------------------


@pytest.mark.parametrize("mode", ALL_MODES)
async def test_login_does_not_authenticate_a_later_request_without_credential(
    make_server: ServerFactory, mode: str
) -> None:
    """HTTP is stateless: a request is authenticated only by what it carries [RFC 9110 §3.3]."""
    server = make_server(mode=mode)
    async with server.client() as client:
        response = await login_json(client)
        assert response.status_code == 200
        if mode != "jwt":
            # The same client, holding the cookie, is recognised...
            assert (await client.get("/profile")).status_code == 200
        client.cookies.clear()
        # ...but once it stops sending the cookie, the earlier login counts for nothing.
        assert (await client.get("/profile")).status_code == 401
    async with server.client() as stranger:
        assert (await stranger.get("/profile")).status_code == 401
        assert (await stranger.get("/admin")).status_code == 401
    assert last_request(server).principal is None


# --- 3. no user enumeration -------------------------------------------------------------


@pytest.mark.parametrize("mode", ALL_MODES)
@pytest.mark.parametrize("as_form", [False, True])
async def test_wrong_password_and_unknown_user_respond_identically(
    make_server: ServerFactory, mode: str, as_form: bool
) -> None:
    """Same status, body and headers (bar Date) whether or not the user exists
    [OWASP Authentication Cheat Sheet, "Authentication and Error Messages"]."""
    server = make_server(mode=mode)
    answers: list[httpx.Response] = []
    for username in ("alice", "alicia", "queen", "nobody-at-all"):
        fields = {"username": username, "password": "definitely-wrong"}
        async with server.client() as client:
            if as_form:
                answers.append(await client.post("/login", data=fields))
            else:
                answers.append(await client.post("/login", json=fields))
    first = answers[0]
    assert first.status_code == 401
    for other in answers[1:]:
        assert other.status_code == first.status_code
        assert other.content == first.content
        assert _headers_without_date(other) == _headers_without_date(first)
    assert not set_cookies(first)
    reasons = {r.reason for r in server.log.requests()}
    assert len(reasons) == 1, reasons


def _headers_without_date(response: httpx.Response) -> list[tuple[str, str]]:
    return sorted((k.lower(), v) for k, v in response.headers.multi_items() if k.lower() != "date")


# --- 4. session cookie attributes ------------------------------------------------------


async def test_session_cookie_attributes_over_http(make_server: ServerFactory) -> None:
    """`Path=/; HttpOnly; SameSite=Lax`, no Domain, no expiry (a session cookie)
    [RFC 6265bis §4.1.2.4–4.1.2.7; OWASP Session Management, cookie attributes]."""
    server = make_server(mode="cookie")
    async with server.client() as client:
        anonymous = only_cookie(await client.get("/"))
        logged_in = only_cookie(await login_json(client))
    for name, value, attributes in (anonymous, logged_in):
        assert name == "sid"
        assert value
        assert attributes == {"Path=/", "HttpOnly", "SameSite=Lax"}


async def test_session_cookie_over_https_is_secure_with_host_prefix(
    make_server: ServerFactory,
) -> None:
    """Over https: `Secure` and the `__Host-` prefix, which needs Secure, Path=/ and no
    Domain [RFC 6265bis §4.1.2.5, §4.1.3.2]."""
    server = make_server(mode="cookie")
    async with server.client(HTTPS) as client:
        anonymous = only_cookie(await client.get("/"))
        response = await login_json(client)
        logged_in = only_cookie(response)
        assert (await client.get("/profile")).status_code == 200
    for name, value, attributes in (anonymous, logged_in):
        assert name == "__Host-sid"
        assert value
        assert attributes == {"Path=/", "Secure", "HttpOnly", "SameSite=Lax"}
        assert not any(a.lower().startswith("domain") for a in attributes)


async def test_https_ignores_a_cookie_without_the_host_prefix(make_server: ServerFactory) -> None:
    """Over https the server reads only `__Host-sid`, so a plain `sid` cookie (which a
    sibling subdomain or plain-http page could plant) is never used [RFC 6265bis §4.1.3.2]."""
    server = make_server(mode="cookie")
    async with server.client(HTTPS) as client:
        response = await login_json(client)
        _, sid_value, _ = only_cookie(response)
    ok = await with_cookie(server, f"__Host-sid={sid_value}", base_url=HTTPS)
    planted = await with_cookie(server, f"sid={sid_value}", base_url=HTTPS)
    assert ok.status_code == 200
    assert planted.status_code == 401


# --- 5. session ids ----------------------------------------------------------------------


async def test_session_ids_have_128_random_bits_and_are_unique(make_server: ServerFactory) -> None:
    """At least 128 bits from a CSPRNG, unique over many logins [OWASP Session Management,
    "Session ID Entropy"; RFC 4086]."""
    server = make_server(mode="cookie")
    ids: list[str] = []
    async with server.client() as client:
        for _ in range(200):
            client.cookies.clear()
            response = await login_json(client)
            ids.append(issued_sid(response))
    assert len(set(ids)) == len(ids)
    raw: list[bytes] = []
    for sid in ids:
        assert BASE64URL.match(sid), sid
        decoded = base64.urlsafe_b64decode(sid + "=" * (-len(sid) % 4))
        assert len(decoded) >= 16
        raw.append(decoded)
    # Random ids have no fixed bytes: an embedded timestamp (the simulated clock does not
    # move here), counter prefix or user marker would leave some positions constant.
    width = min(len(r) for r in raw)
    for position in range(width):
        assert len({r[position] for r in raw}) > 1, f"byte {position} never changes"
    ones = sum(bin(byte).count("1") for r in raw for byte in r[:width])
    total_bits = width * 8 * len(raw)
    assert 0.45 < ones / total_bits < 0.55


async def test_session_id_carries_no_meaning(make_server: ServerFactory) -> None:
    """The id is an opaque handle: no username, role or anything derived from them
    [OWASP Session Management, "Session ID Content (or Value)"]."""
    server = make_server(mode="cookie")
    derived: list[str] = []
    for text in ("alice", "reader", "wonderland"):
        data = text.encode()
        derived += [
            text,
            data.hex(),
            base64.urlsafe_b64encode(data).decode().rstrip("="),
            base64.b64encode(data).decode().rstrip("="),
            hashlib.sha256(data).hexdigest()[:12],
            base64.urlsafe_b64encode(hashlib.sha256(data).digest()).decode()[:12],
            hashlib.md5(data).hexdigest()[:12],
        ]
    for _ in range(20):
        async with server.client() as client:
            sid, _ = await login(client)
        decoded = base64.urlsafe_b64decode(sid + "=" * (-len(sid) % 4))
        for piece in derived:
            assert piece.lower() not in sid.lower()
            assert piece.encode() not in decoded
        assert b"alice" not in decoded
        with pytest.raises((UnicodeDecodeError, binascii.Error, ValueError)):
            # A meaningful id would often be readable text; 32 random bytes almost never are.
            decoded.decode("ascii")


# --- 6. server-side lookup ---------------------------------------------------------------


async def test_valid_session_cookie_is_recognised_by_server_side_lookup(
    make_server: ServerFactory,
) -> None:
    """The cookie only names a row in the server's store; the row says who it is
    [OWASP Session Management; RFC 6265bis §8.1]."""
    server = make_server(mode="cookie")
    async with server.client() as client:
        sid, csrf = await login(client)
    response = await with_cookie(server, f"sid={sid}")
    assert response.status_code == 200
    assert response.json() == {"username": "alice", "role": "reader", "csrf_token": csrf}
    record = server.store.sessions[sid]
    assert record.username == "alice"
    # Editing the server's row changes who the same cookie is: the cookie carries nothing.
    record.username = "queen"
    assert (await with_cookie(server, f"sid={sid}", "/admin")).status_code == 200
    # Deleting the row ends the session even though the client still holds the cookie.
    del server.store.sessions[sid]
    assert (await with_cookie(server, f"sid={sid}")).status_code == 401


async def test_profile_and_admin_for_cookie_session(make_server: ServerFactory) -> None:
    """Authenticated without the admin role → 403; with it → 200 [RFC 9110 §15.5.4]."""
    server = make_server(mode="cookie")
    async with server.client() as client:
        await login(client)
        forbidden = await client.get("/admin")
    assert forbidden.status_code == 403
    assert "www-authenticate" not in forbidden.headers
    async with server.client() as client:
        await login(client, {"username": "queen", "password": "off-with-their-heads"})
        allowed = await client.get("/admin")
    assert allowed.status_code == 200
    assert allowed.json()["username"] == "queen"


# --- 7. session fixation ---------------------------------------------------------------


async def test_login_renews_the_session_id(make_server: ServerFactory) -> None:
    """The id before login differs from the id after, and the old one is gone
    [OWASP Session Management, "Renew the Session ID After Any Privilege Level Change";
    Django `cycle_key`]."""
    server = make_server(mode="cookie")
    async with server.client() as client:
        before = issued_sid(await client.get("/"))
        assert server.store.sessions[before].username is None
        after, _ = await login(client)
        assert (await client.get("/profile")).status_code == 200
    assert after != before
    assert before not in server.store.sessions
    assert server.store.sessions[after].username == "alice"
    old = await with_cookie(server, f"sid={before}")
    assert old.status_code == 401
    assert "unknown or has ended" in old.json()["error_description"]
    assert destroyed(server)[before] == "rotated"


async def test_fixation_attack_fails_against_rotating_server(make_server: ServerFactory) -> None:
    """An attacker who plants a pre-login id learns nothing from the victim's login
    [OWASP Session Fixation]."""
    server = make_server(mode="cookie")
    async with server.client() as attacker:
        planted = issued_sid(await attacker.get("/"))
    async with server.client() as victim:
        victim.cookies.set("sid", planted, domain="tutor.local")
        victim_sid, _ = await login(victim)
    assert victim_sid != planted
    assert (await with_cookie(server, f"sid={planted}")).status_code == 401


async def test_fixation_vulnerability_keeps_the_pre_login_id(make_server: ServerFactory) -> None:
    """With `no_session_rotation` the pre-login id logs the holder in: the vulnerable
    behaviour the fixation lesson shows [OWASP Session Fixation]."""
    server = make_server(
        mode="cookie", vulnerabilities=Vulnerabilities(no_session_rotation=True)
    )
    async with server.client() as attacker:
        planted = issued_sid(await attacker.get("/"))
    async with server.client() as victim:
        victim.cookies.set("sid", planted, domain="tutor.local")
        response = await login_json(victim)
        assert response.status_code == 200
        assert not set_cookies(response)
        assert (await victim.get("/profile")).status_code == 200
    stolen = await with_cookie(server, f"sid={planted}")
    assert stolen.status_code == 200
    assert stolen.json()["username"] == "alice"
    assert server.store.sessions[planted].username == "alice"
    assert planted not in destroyed(server)


# --- 8. unknown ids are never adopted --------------------------------------------------


@pytest.mark.parametrize("rotation_off", [False, True])
async def test_login_with_forged_id_gets_a_fresh_one(
    make_server: ServerFactory, rotation_off: bool
) -> None:
    """An id the server never issued is never adopted, even by the fixation-vulnerable
    server (that one only keeps ids it issued) [OWASP Session Management, "strict" session
    management; PHP `session.use_strict_mode`]."""
    server = make_server(
        mode="cookie", vulnerabilities=Vulnerabilities(no_session_rotation=rotation_off)
    )
    forged = "A" * 43
    async with server.client() as client:
        response = await client.post("/login", json=ALICE, headers={"Cookie": f"sid={forged}"})
    assert response.status_code == 200
    fresh = issued_sid(response)
    assert fresh != forged
    assert forged not in server.store.sessions
    assert (await with_cookie(server, f"sid={forged}")).status_code == 401
    assert (await with_cookie(server, f"sid={fresh}")).status_code == 200


async def test_visit_with_forged_id_opens_a_new_session(make_server: ServerFactory) -> None:
    """GET / with an unknown id answers with a new server-chosen id [PHP
    `session.use_strict_mode`; OWASP Session Management]."""
    server = make_server(mode="cookie")
    forged = "made-up-by-the-client"
    page = await with_cookie(server, f"sid={forged}", "/")
    assert page.status_code == 200
    fresh = issued_sid(page)
    assert fresh != forged
    assert forged not in server.store.sessions
    assert fresh in server.store.sessions
    created = events_of(server, SessionCreated)
    assert [e.session_id for e in created] == [fresh]


# --- 9. logout ---------------------------------------------------------------------------


async def test_logout_deletes_the_record_and_expires_the_cookie(
    make_server: ServerFactory,
) -> None:
    """Logout deletes the server row and sends `Max-Age=0`; replaying the old cookie → 401
    [OWASP Session Management, "Manual Session Expiration"; RFC 6265bis §4.1.2.2]."""
    server = make_server(mode="cookie")
    async with server.client() as client:
        sid, csrf = await login(client)
        response = await client.post("/logout", headers={"X-CSRF-Token": csrf})
        assert response.status_code == 200
        assert response.json() == {"logged_out": True}
        name, value, attributes = only_cookie(response)
        assert (name, value) == ("sid", "")
        assert "Max-Age=0" in attributes
        assert {"Path=/", "HttpOnly", "SameSite=Lax"} <= attributes
        # The client's jar dropped the cookie.
        assert "sid" not in client.cookies
        assert (await client.get("/profile")).status_code == 401
    assert sid not in server.store.sessions
    assert destroyed(server)[sid] == "logout"
    replay = await with_cookie(server, f"sid={sid}")
    assert replay.status_code == 401
    assert replay.headers["www-authenticate"].startswith("Cookie realm=")


async def test_logout_over_https_clears_the_host_prefixed_cookie(
    make_server: ServerFactory,
) -> None:
    """The clearing Set-Cookie must match the cookie's name and be Secure, or a browser
    ignores it [RFC 6265bis §4.1.3.2]."""
    server = make_server(mode="cookie")
    async with server.client(HTTPS) as client:
        response = await login_json(client)
        csrf = response.json()["csrf_token"]
        logout = await client.post("/logout", headers={"X-CSRF-Token": csrf})
    assert logout.status_code == 200
    name, value, attributes = only_cookie(logout)
    assert (name, value) == ("__Host-sid", "")
    assert {"Max-Age=0", "Secure", "Path=/"} <= attributes


async def test_logout_without_csrf_token_is_refused(make_server: ServerFactory) -> None:
    """A state-changing request needs the synchronizer token [OWASP CSRF Prevention
    Cheat Sheet, "Synchronizer Token Pattern"]."""
    server = make_server(mode="cookie")
    async with server.client() as client:
        sid, csrf = await login(client)
        missing = await client.post("/logout")
        wrong = await client.post("/logout", headers={"X-CSRF-Token": csrf[::-1]})
        wrong_form = await client.post("/logout", data={"csrf_token": "nope"})
        assert (await client.get("/profile")).status_code == 200
    for response in (missing, wrong, wrong_form):
        assert response.status_code == 403
        assert response.json()["error"] == "csrf_rejected"
        assert not set_cookies(response)
    assert sid in server.store.sessions
    refused = [r for r in server.log.requests() if r.status == 403]
    assert len(refused) == 3
    assert all(r.principal == "alice" and "CSRF" in r.reason for r in refused)


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "https://tutor.local"},  # same host, other scheme: another origin
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
    ],
)
async def test_cross_origin_logout_is_refused(
    make_server: ServerFactory, headers: dict[str, str]
) -> None:
    """A browser-declared foreign origin is refused even with the right token
    [OWASP CSRF Prevention Cheat Sheet, "Verifying Origin With Standard Headers";
    Fetch Metadata `Sec-Fetch-Site`]."""
    server = make_server(mode="cookie")
    async with server.client() as client:
        sid, csrf = await login(client)
        response = await client.post("/logout", headers={"X-CSRF-Token": csrf, **headers})
    assert response.status_code == 403
    assert response.json()["error"] == "csrf_rejected"
    assert sid in server.store.sessions


async def test_same_origin_logout_with_token_succeeds(make_server: ServerFactory) -> None:
    """The server's own Origin with the token is accepted [RFC 6454 §7; OWASP CSRF]."""
    server = make_server(mode="cookie")
    async with server.client() as client:
        sid, csrf = await login(client)
        response = await client.post(
            "/logout",
            headers={"X-CSRF-Token": csrf, "Origin": "http://tutor.local",
                     "Sec-Fetch-Site": "same-origin"},
        )
    assert response.status_code == 200
    assert sid not in server.store.sessions


async def test_form_logout_redirects_with_see_other(make_server: ServerFactory) -> None:
    """A form post is answered with 303 See Other to the page [RFC 9110 §15.4.4], with
    the token from the hidden form field [OWASP CSRF, synchronizer token in a form]."""
    server = make_server(mode="cookie")
    async with server.client() as client:
        sid, _ = await login(client)
        page = await client.get("/")
        token = inputs(page.text)["csrf_token"]["value"]
        assert token == server.store.sessions[sid].csrf_token
        response = await client.post("/logout", data={"csrf_token": str(token)})
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert "Max-Age=0" in only_cookie(response)[2]
    assert sid not in server.store.sessions


async def test_form_login_redirects_to_profile(make_server: ServerFactory) -> None:
    """A form login answers 303 to /profile with the cookie [RFC 9110 §15.4.4]."""
    server = make_server(mode="cookie")
    async with server.client() as client:
        response = await client.post("/login", data=ALICE)
        assert response.status_code == 303
        assert response.headers["location"] == "/profile"
        sid = issued_sid(response)
        assert (await client.get(response.headers["location"])).status_code == 200
    assert server.store.sessions[sid].username == "alice"


# --- 10. timeouts ------------------------------------------------------------------------


async def test_idle_timeout_boundary(make_server: ServerFactory, clock: SimulatedClock) -> None:
    """A session idle for `session_idle_timeout` seconds has ended, from that exact second
    [OWASP Session Management, "Idle Timeout"]."""
    server = make_server(mode="cookie")
    idle = server.config.session_idle_timeout
    async with server.client() as client:
        sid, _ = await login(client)
        clock.advance(idle - 1)
        assert (await client.get("/profile")).status_code == 200
        clock.advance(idle)
        expired = await client.get("/profile")
    assert expired.status_code == 401
    assert expired.headers["www-authenticate"].startswith("Cookie realm=")
    assert sid not in server.store.sessions
    assert destroyed(server)[sid] == "idle-timeout"


async def test_activity_extends_idle_timeout_but_not_absolute(
    make_server: ServerFactory, clock: SimulatedClock
) -> None:
    """Each request restarts the idle timer; the absolute lifetime counts from login and
    ends at its exact second regardless [OWASP Session Management, "Absolute Timeout"]."""
    server = make_server(mode="cookie")
    idle = server.config.session_idle_timeout
    absolute = server.config.session_absolute_timeout
    step = idle - 100
    async with server.client() as client:
        sid, _ = await login(client)
        start = clock.now()
        while clock.now() + step < start + absolute:
            clock.advance(step)
            assert (await client.get("/profile")).status_code == 200, clock.now() - start
        assert clock.now() - start > idle  # activity really did keep it past one idle period
        clock.advance(start + absolute - 1 - clock.now())
        assert (await client.get("/profile")).status_code == 200
        clock.advance(1)
        expired = await client.get("/profile")
    assert expired.status_code == 401
    assert sid not in server.store.sessions
    assert destroyed(server)[sid] == "absolute-timeout"


async def test_expired_sessions_are_swept_from_the_store(
    make_server: ServerFactory, clock: SimulatedClock
) -> None:
    """Expired rows are deleted even if their cookie never comes back [OWASP Session
    Management, "Session Expiration": invalidate on the server side]."""
    server = make_server(mode="cookie")
    async with server.client() as client:
        sid, _ = await login(client)
    clock.advance(server.config.session_idle_timeout)
    async with server.client() as someone_else:
        await someone_else.get("/")
    assert sid not in server.store.sessions
    assert destroyed(server)[sid] == "idle-timeout"


# --- 11. password change ---------------------------------------------------------------


async def test_password_change_rotates_and_ends_other_sessions(
    make_server: ServerFactory,
) -> None:
    """A password change issues a new id and ends every other session of that user
    [OWASP Session Management, "Renew the Session ID After Any Privilege Level Change";
    OWASP Authentication, "Change Password Feature"]."""
    server = make_server(mode="cookie")
    async with (
        server.client() as laptop,
        server.client() as phone,
        server.client() as bobs,
    ):
        old_sid, csrf = await login(laptop)
        phone_sid, _ = await login(phone)
        bob_sid, _ = await login(bobs, BOB)
        response = await laptop.post(
            "/password",
            json={"current_password": "wonderland", "new_password": "through-the-glass"},
            headers={"X-CSRF-Token": csrf},
        )
        assert response.status_code == 200, response.text
        new_sid = issued_sid(response)
        new_csrf = response.json()["csrf_token"]
        assert response.json()["password_changed"] is True
        assert (await laptop.get("/profile")).status_code == 200
        assert (await phone.get("/profile")).status_code == 401
        assert (await bobs.get("/profile")).status_code == 200
        # The new CSRF token belongs to the new session.
        assert new_csrf != csrf
        logout = await laptop.post("/logout", headers={"X-CSRF-Token": new_csrf})
        assert logout.status_code == 200
    assert new_sid not in (old_sid, phone_sid)
    assert (await with_cookie(server, f"sid={old_sid}")).status_code == 401
    assert (await with_cookie(server, f"sid={phone_sid}")).status_code == 401
    ends = destroyed(server)
    assert ends[old_sid] == ends[phone_sid] == "password-changed"
    assert bob_sid not in ends
    assert [e.username for e in events_of(server, PasswordChanged)] == ["alice"]


async def test_new_password_works_and_old_one_fails(make_server: ServerFactory) -> None:
    """After a change only the new password logs in [OWASP Authentication]."""
    server = make_server(mode="cookie")
    new = {"username": "alice", "password": "through-the-glass"}
    async with server.client() as client:
        _, csrf = await login(client)
        response = await client.post(
            "/password",
            json={"current_password": "wonderland", "new_password": new["password"]},
            headers={"X-CSRF-Token": csrf},
        )
        assert response.status_code == 200
    async with server.client() as client:
        assert (await login_json(client, ALICE)).status_code == 401
        assert (await login_json(client, new)).status_code == 200


async def test_password_change_with_wrong_current_password(make_server: ServerFactory) -> None:
    """Changing a password requires the current one [OWASP Authentication, "Require
    Re-authentication for Sensitive Features"]."""
    server = make_server(mode="cookie")
    async with server.client() as client, server.client() as other:
        sid, csrf = await login(client)
        other_sid, _ = await login(other)
        response = await client.post(
            "/password",
            json={"current_password": "not-it", "new_password": "through-the-glass"},
            headers={"X-CSRF-Token": csrf},
        )
        assert response.status_code == 403
        assert response.json()["error"] == "wrong_password"
        assert not set_cookies(response)
        assert (await client.get("/profile")).status_code == 200
    assert {sid, other_sid} <= set(server.store.sessions)
    assert not events_of(server, PasswordChanged)
    async with server.client() as fresh:
        assert (await login_json(fresh, ALICE)).status_code == 200


@pytest.mark.parametrize("new_password", ["", "short", "1234567"])
async def test_password_change_rejects_too_short_password(
    make_server: ServerFactory, new_password: str
) -> None:
    """New passwords need at least 8 characters [OWASP Authentication, "Password Strength
    Controls"; NIST SP 800-63B §5.1.1.2]."""
    server = make_server(mode="cookie")
    async with server.client() as client:
        sid, csrf = await login(client)
        response = await client.post(
            "/password",
            json={"current_password": "wonderland", "new_password": new_password},
            headers={"X-CSRF-Token": csrf},
        )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert sid in server.store.sessions
    assert not events_of(server, PasswordChanged)


async def test_password_change_needs_csrf_token(make_server: ServerFactory) -> None:
    """Password change is state-changing: no token → 403 [OWASP CSRF Prevention]."""
    server = make_server(mode="cookie")
    async with server.client() as client:
        sid, _ = await login(client)
        response = await client.post(
            "/password",
            json={"current_password": "wonderland", "new_password": "through-the-glass"},
        )
    assert response.status_code == 403
    assert sid in server.store.sessions
    async with server.client() as fresh:
        assert (await login_json(fresh, ALICE)).status_code == 200


# --- events ------------------------------------------------------------------------------


async def test_session_lifecycle_events(make_server: ServerFactory, clock: SimulatedClock) -> None:
    """The event log tells the story a scene animates: created, rotated, ended
    [OWASP Logging Cheat Sheet, session events]."""
    server = make_server(mode="cookie")
    async with server.client() as client:
        anonymous = issued_sid(await client.get("/"))
        clock.advance(5)
        sid, csrf = await login(client)
        clock.advance(5)
        assert (await client.post("/logout", headers={"X-CSRF-Token": csrf})).status_code == 200
    story = [
        (type(e).__name__, e.session_id, getattr(e, "username", getattr(e, "reason", None)))
        for e in server.log.events
        if isinstance(e, SessionCreated | SessionDestroyed)
    ]
    assert story == [
        ("SessionCreated", anonymous, None),
        ("SessionDestroyed", anonymous, "rotated"),
        ("SessionCreated", sid, "alice"),
        ("SessionDestroyed", sid, "logout"),
    ]
    start = clock.now() - 10
    times = [e.at - start for e in server.log.events if isinstance(e, SessionCreated)]
    assert times == [0, 5]
    assert all(e.replica == "A" for e in server.log.events)


async def test_request_log_records_principal_and_reason(make_server: ServerFactory) -> None:
    """Every request is logged with who it was and why the server answered as it did
    [OWASP Logging Cheat Sheet, "Which events to log"]."""
    server = make_server(mode="cookie")
    async with server.client() as client:
        await client.get("/profile")
        await client.get("/")
        sid, csrf = await login(client)
        await client.get("/profile")
        await client.get("/admin")
        await client.post("/logout", headers={"X-CSRF-Token": csrf})
    await with_cookie(server, f"sid={sid}")
    log = [(r.method, r.path, r.status, r.principal, r.credential) for r in server.log.requests()]
    assert log == [
        ("GET", "/profile", 401, None, None),
        ("GET", "/", 200, None, None),
        ("POST", "/login", 200, "alice", None),
        ("GET", "/profile", 200, "alice", "cookie"),
        ("GET", "/admin", 403, "alice", "cookie"),
        ("POST", "/logout", 200, "alice", "cookie"),
        ("GET", "/profile", 401, None, "cookie"),
    ]
    reasons = [r.reason for r in server.log.requests()]
    assert "no session cookie" in reasons[0]
    assert reasons[2] == "logged in"
    assert reasons[3] == "credential accepted"
    assert "admin" in reasons[4]
    assert reasons[5] == "logged out"
    assert "unknown or has ended" in reasons[6]


# --- the HTML page -----------------------------------------------------------------------


@pytest.mark.parametrize("mode", COOKIE_MODES)
async def test_page_has_login_form_then_shows_the_user(
    make_server: ServerFactory, mode: str
) -> None:
    """GET / is a page a real browser can log in with: a POST form to /login with
    username and password fields [issue 2 HTTP contract; HTML §4.10.18.7 autocomplete]."""
    server = make_server(mode=mode)
    async with server.client() as client:
        before = await client.get("/")
        assert before.status_code == 200
        assert before.headers["content-type"].startswith("text/html")
        form = forms(before.text)["/login"]
        assert str(form["method"]).lower() == "post"
        fields = inputs(before.text)
        assert "username" in fields
        assert fields["password"]["type"] == "password"
        assert "Logged in as" not in before.text
        login_response = await login_json(client)
        csrf = login_response.json()["csrf_token"]
        after = await client.get("/")
    assert "/login" not in forms(after.text)
    assert "/logout" in forms(after.text)
    assert "Logged in as <b>alice</b>" in after.text
    assert inputs(after.text)["csrf_token"]["value"] == csrf


@pytest.mark.parametrize("mode", ALL_MODES)
async def test_page_marks_enabled_vulnerabilities(make_server: ServerFactory, mode: str) -> None:
    """A deliberately weakened server says so on its page (issue 2, behaviour 24)."""
    safe = make_server(mode=mode)
    unsafe = make_server(
        mode=mode, vulnerabilities=Vulnerabilities(no_session_rotation=True, no_httponly=True)
    )
    async with safe.client() as client:
        safe_page = (await client.get("/")).text
    async with unsafe.client() as client:
        unsafe_page = (await client.get("/")).text
    assert "VULNERABLE" not in safe_page
    assert 'id="vulnerable"' not in safe_page
    assert "VULNERABLE" in unsafe_page
    assert "no_session_rotation" in unsafe_page
    assert "no_httponly" in unsafe_page


@pytest.mark.parametrize(("mode", "cookie"), [("cookie", "__Host-sid"),
                                              ("signed-cookie", "__Host-session")])
async def test_https_challenge_names_the_host_prefixed_cookie(
    make_server: ServerFactory, mode: str, cookie: str
) -> None:
    """The 401 challenge names the cookie the server really reads over https."""
    server = make_server(mode=mode)
    async with server.client(HTTPS) as client:
        response = await client.get("/profile")
    assert response.status_code == 401
    assert f'cookie-name="{cookie}"' in response.headers["www-authenticate"]


async def test_loading_the_page_counts_as_activity(
    make_server: ServerFactory, clock: SimulatedClock
) -> None:
    """Any request with the session cookie resets the idle timer (OWASP Session Mgmt)."""
    server = make_server(session_idle_timeout=60)
    async with server.client() as client:
        assert (await login_json(client)).status_code == 200
        clock.advance(50)
        assert (await client.get("/")).status_code == 200
        clock.advance(50)
        assert (await client.get("/profile")).status_code == 200
