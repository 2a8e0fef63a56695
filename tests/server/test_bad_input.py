"""Malformed input gets a 4xx with a clear reason, never a 500, on every endpoint and mode.

The property tests send each generated value to all eight endpoints of five servers
(cookie, signed-cookie, jwt HS256, a forgeable jwt server, jwt RS256 with two replicas)
and check the answer: status below 500; every 4xx is JSON with a non-empty
`error_description`; every 401 carries a `WWW-Authenticate` challenge.

Header values are printable Latin-1 text without CR or LF, sent as bytes: httpx encodes
`str` header values as ASCII and refuses anything else, and a real HTTP/1.1 parser (h11)
refuses CR, LF and NUL, so those never reach an application behind a real server.

The servers are built once per module (hypothesis refuses function-scoped fixtures) on a
simulated clock that never moves, and each example drives them with `asyncio.run`.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
from collections.abc import AsyncIterator, Callable, Coroutine
from functools import cache
from typing import Any
from urllib.parse import quote

import httpx
import jwt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import ServerFactory
from tests.long_run import examples
from tests.server.helpers import bearer, login_json
from tutor.clock import SimulatedClock
from tutor.server import MockServer, ServerConfig, ServerSnapshot, Vulnerabilities
from tutor.server.cluster import REPLICA_NAMES
from tutor.server.http import MAX_BODY_BYTES
from tutor.server.tokens import MAX_TOKEN_LENGTH

# /logout last: with a denylist it revokes the token the other endpoints would accept.
ENDPOINTS: tuple[tuple[str, str], ...] = (
    ("GET", "/"),
    ("GET", "/profile"),
    ("GET", "/admin"),
    ("GET", "/.well-known/jwks.json"),
    ("POST", "/login"),
    ("POST", "/refresh"),
    ("POST", "/password"),
    ("POST", "/logout"),
)
POST_PATHS = tuple(path for method, path in ENDPOINTS if method == "POST")
HTTP_BASE = "http://tutor.local"
HTTPS_BASE = "https://tutor.local"
# Known to the tests so they can sign tokens and cookies the way a thief of the key could.
FORGERY_SECRET = "forgery-test-secret-0123456789abcdef"
CLOCK = SimulatedClock()
NOW = int(CLOCK.now())

Header = tuple[bytes, bytes]

PROPERTY = settings(
    deadline=None,
    derandomize=True,
    database=None,
    max_examples=examples(20),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@cache
def _built() -> dict[str, tuple[MockServer, ServerSnapshot]]:
    """One server per mode, built once for the module, with its state as built."""

    def build(**config: Any) -> MockServer:
        return MockServer(ServerConfig(scrypt_cost=2**10, **config), CLOCK)

    servers = {
        "cookie": build(mode="cookie"),
        "signed-cookie": build(mode="signed-cookie", secret=FORGERY_SECRET),
        "jwt": build(mode="jwt"),
        # A key thief's view: the secret is known, alg none is accepted, denylist is on.
        "jwt-forgeable": build(
            mode="jwt",
            secret=FORGERY_SECRET,
            denylist=True,
            vulnerabilities=Vulnerabilities(accept_alg_none=True),
        ),
        "jwt-rs256": build(mode="jwt", algorithm="RS256", replicas=2),
    }
    return {name: (server, server.snapshot()) for name, server in servers.items()}


def _servers() -> dict[str, MockServer]:
    """Every server, restored to its state as built: examples do not see each other's
    sessions, denylisted tokens or revoked families, and the event log stays short."""
    fresh: dict[str, MockServer] = {}
    for name, (server, initial) in _built().items():
        server.restore(initial)
        fresh[name] = server
    return fresh


def _check(response: httpx.Response, server: str) -> None:
    """The contract every answer to bad input keeps."""
    request = response.request
    where = f"{server}: {request.method} {request.url.path} -> {response.status_code}"
    assert response.status_code < 500, f"{where} {response.text[:300]}"
    if response.status_code < 400:
        return
    assert response.headers.get("content-type", "").startswith("application/json"), where
    body = response.json()
    description = body.get("error_description")
    assert isinstance(description, str) and description.strip(), f"{where} {body}"
    assert isinstance(body.get("error"), str) and body["error"], f"{where} {body}"
    if response.status_code == 401:
        assert response.headers.get("www-authenticate"), f"{where} has no challenge"


async def _hit_every_endpoint(
    headers: list[Header],
    *,
    body: bytes = b"{}",
    content_type: bytes = b"application/json",
    base_url: str = HTTP_BASE,
    query: str = "",
) -> None:
    """Send the same headers (and body, on POSTs) to every endpoint of every server."""
    for name, server in _servers().items():
        async with server.client(base_url=base_url) as client:
            for method, path in ENDPOINTS:
                client.cookies.clear()  # send exactly the generated credential, nothing else
                sent = list(headers)
                content: bytes | None = None
                if method == "POST":
                    sent.append((b"content-type", content_type))
                    content = body
                response = await client.request(
                    method, path + query, headers=sent, content=content
                )
                # A route that raises propagates out of ASGITransport and fails the example
                # with its traceback; a 5xx response fails `_check`.
                _check(response, name)


def _run(scenario: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """One event loop per example: hypothesis calls the test synchronously."""
    asyncio.run(scenario())


# --- strategies ---------------------------------------------------------------------------

LATIN1_PRINTABLE = st.characters(codec="latin-1", categories=("L", "M", "N", "P", "S", "Zs"))
header_text = st.text(LATIN1_PRINTABLE, max_size=120)
# Up to ~20k characters, built by repeating a short chunk (cheap for hypothesis to make).
huge_text = st.builds(
    lambda chunk, length: (chunk * (length // len(chunk) + 1))[:length],
    st.text(LATIN1_PRINTABLE, min_size=1, max_size=40),
    st.integers(min_value=4000, max_value=20_000),
)

json_values: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()  # NaN and Infinity included: Python's json writes and reads them
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _json_b64(value: Any) -> str:
    return _b64url(json.dumps(value).encode())


jose_header = st.fixed_dictionaries(
    {"alg": st.sampled_from(["none", "None", "HS256", "RS256", "EdDSA", "HS512"]) | json_values},
    optional={
        "typ": st.sampled_from(["at+jwt", "rt+jwt", "JWT"]) | json_values,
        "kid": json_values,
        "crit": json_values,
        "b64": json_values,
        "jku": st.text(max_size=30),
    },
)
token_segment = st.one_of(
    st.binary(max_size=200).map(_b64url),  # base64 of bytes that are not JSON
    json_values.map(_json_b64),  # base64 of JSON that may be an array, a number, a string
    jose_header.map(_json_b64),
    st.text(alphabet="!@#$%^&*()+/=~ ,;:<>?[]{}|", max_size=30),  # not base64 at all
    st.text(LATIN1_PRINTABLE, max_size=30),
    st.just(""),
)
# 1 to 6 segments: a.b and a.b.c.d as well as the three a JWT has.
token_like = st.lists(token_segment, min_size=1, max_size=6).map(".".join)


VALID_CLAIMS: dict[str, Any] = {
    "iss": "https://tutor.local",
    "aud": "tutor-api",
    "sub": "alice",
    "iat": NOW,
    "exp": NOW + 300,
    "jti": "jti-1",
    "sid": "family-1",
    "role": "reader",
}
MISSING = object()
# Values that are valid JSON to Python but no sane claim: non-finite and huge numbers,
# containers where strings or numbers belong.
nasty_values = st.sampled_from(
    [float("nan"), float("inf"), float("-inf"), 10**400, 1e308, -1, True, None, "", [1], {"a": 1}]
)


def _perturbed(changes: list[tuple[str, Any]]) -> dict[str, Any]:
    claims = dict(VALID_CLAIMS)
    for name, value in changes:
        if value is MISSING:
            claims.pop(name, None)
        else:
            claims[name] = value
    return claims


# A valid claim set with one to three claims dropped or replaced by garbage, so that the
# garbage reaches code that runs after the signature and the other claims have passed.
forged_claims = st.lists(
    st.tuples(
        st.sampled_from([*VALID_CLAIMS, "nbf"]),
        nasty_values | st.sampled_from([MISSING, "queen", "admin"]) | json_values,
    ),
    min_size=1,
    max_size=3,
).map(_perturbed)
# Weighted towards the access-token type, which /profile, /admin and /logout require.
forged_typ = st.sampled_from(["at+jwt"] * 5 + ["rt+jwt"] * 2 + ["JWT", "", None, 1, ["at+jwt"]])


def _sign(claims: dict[str, Any], typ: Any, unsigned: bool) -> str:
    """A token a thief of the key (or an alg-none attacker) could make."""
    if unsigned:
        header = {"alg": "none", "typ": typ}
        return f"{_json_b64(header)}.{_json_b64(claims)}."
    # Signed at the JWS layer: PyJWT's JWT layer refuses to write some garbage claims.
    payload = json.dumps(claims).encode()
    headers = {"typ": typ} if typ else None
    return jwt.api_jws.encode(payload, FORGERY_SECRET, algorithm="HS256", headers=headers)


cookie_name = st.sampled_from(
    ["sid", "session", "__Host-sid", "__Host-session", "", " sid", "SID"]
)
cookie_value = st.one_of(
    header_text,
    token_like,
    st.builds(lambda a, b, c: f"{a}.{b}.{c}", token_segment, token_segment, token_segment),
    st.text(alphabet='";=, \\$%', max_size=20),
)
cookie_header = st.one_of(
    st.lists(st.builds(lambda n, v: f"{n}={v}", cookie_name, cookie_value), min_size=1, max_size=4)
    .map("; ".join),
    st.text(st.sampled_from(list(';=", \\$%')) | LATIN1_PRINTABLE, max_size=100),
    huge_text.map(lambda text: f"sid={text}; session={text}"),
)

authorization_header = st.one_of(
    header_text,
    token_like.map(lambda token: f"Bearer {token}"),
    st.builds(
        lambda scheme, token: f"{scheme}{token}",
        st.sampled_from(["bearer ", "BEARER ", "Bearer  ", "Bearer", "Basic ", "Token ", " "]),
        token_like | header_text,
    ),
    huge_text.map(lambda text: f"Bearer {text}"),
    jose_header.map(lambda header: f"Bearer {_json_b64(header)}.{_json_b64([1, 2])}.sig"),
)

field_names = st.sampled_from(
    ["username", "password", "refresh_token", "current_password", "new_password", "csrf_token"]
)
JSON_TYPES = ["application/json", "application/json; charset=latin-1", "APPLICATION/JSON"]
FORM_TYPES = [
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=utf-8",
]
OTHER_TYPES = ["text/plain", "multipart/form-data; boundary=x", "application/jsonx", ""]
# Nesting deeper than the JSON parser's recursion limit (1000), still under 16 KiB.
deeply_nested = st.builds(
    lambda opener, depth: opener * min(depth, MAX_BODY_BYTES // len(opener)),
    st.sampled_from([b"[", b'{"a":', b'{"username":[']),
    st.integers(min_value=1100, max_value=6000),
)
not_utf8 = st.binary(max_size=200).map(lambda raw: b"\xff\xfe" + raw)
json_bodies = st.one_of(
    json_values.map(lambda value: json.dumps(value).encode()),  # arrays, numbers, NaN ...
    st.dictionaries(field_names, json_values | nasty_values, max_size=6).map(
        lambda fields: json.dumps(fields).encode()  # non-string fields
    ),
    deeply_nested,
    not_utf8,
    st.text(max_size=200).map(str.encode),  # mostly not JSON at all
    st.just(b'{"username": "\\ud800", "password": "\\udfff", "new_password": "\\ud83d"}'),
)
form_bodies = st.one_of(
    st.lists(st.tuples(field_names | st.text(max_size=10), st.text(max_size=40)), max_size=6).map(
        lambda pairs: "&".join(f"{quote(k)}={quote(v)}" for k, v in pairs).encode()
    ),
    st.text(alphabet="%=&+;ffzz0", max_size=60).map(str.encode),  # broken percent-escapes
    not_utf8,
)
any_body = st.binary(max_size=2000) | json_bodies | form_bodies
# (content type, body): most pairs reach the parser the content type names.
payloads = st.one_of(
    st.tuples(st.sampled_from(JSON_TYPES), json_bodies),
    st.tuples(st.sampled_from(JSON_TYPES), deeply_nested),
    st.tuples(st.sampled_from(FORM_TYPES), form_bodies),
    st.tuples(st.sampled_from(JSON_TYPES + FORM_TYPES + OTHER_TYPES) | header_text, any_body),
)


def _latin1(text: str) -> bytes:
    return text.encode("latin-1")


# --- properties ---------------------------------------------------------------------------


@PROPERTY
@given(value=cookie_header, https=st.booleans())
def test_garbage_cookie_header_never_causes_a_server_error(value: str, https: bool) -> None:
    """RFC 6265 §5.4 / RFC 9110 §15.5: a malformed Cookie is a client error, never a 500."""
    base = HTTPS_BASE if https else HTTP_BASE
    _run(lambda: _hit_every_endpoint([(b"cookie", _latin1(value))], base_url=base))


@PROPERTY
@given(value=authorization_header)
def test_garbage_authorization_header_never_causes_a_server_error(value: str) -> None:
    """RFC 6750 §3.1: a malformed bearer token is invalid_token (401), never a 500."""
    _run(lambda: _hit_every_endpoint([(b"authorization", _latin1(value))]))


@PROPERTY
@given(claims=forged_claims, typ=forged_typ, unsigned=st.booleans())
def test_forged_tokens_with_garbage_claims_never_cause_a_server_error(
    claims: dict[str, Any], typ: Any, unsigned: bool
) -> None:
    """RFC 8725 §3.9, §3.11: tokens whose signature passes (alg none, a stolen key) but
    whose claims are garbage (NaN times, list jti, wrong types) are refused, not a 500."""
    token = _sign(claims, typ, unsigned)
    body = json.dumps({"refresh_token": token}).encode()
    _run(lambda: _hit_every_endpoint([(b"authorization", _latin1(f"Bearer {token}"))], body=body))


@PROPERTY
@given(
    data=st.fixed_dictionaries(
        {},
        optional={
            "user": st.sampled_from(["alice", "queen"]) | json_values,
            "role": json_values,
            "csrf": nasty_values | json_values,
            "pwgen": st.just(0) | nasty_values,
        },
    )
)
def test_forged_signed_cookies_with_garbage_data_never_cause_a_server_error(
    data: dict[str, Any],
) -> None:
    """RFC 6265 §8.6 (integrity): even a validly signed cookie with garbage inside is a
    client error when it does not describe a real login, never a 500."""
    codec = _servers()["signed-cookie"].replicas[0].context.signed_cookies
    value = codec.encode(data)
    _run(lambda: _hit_every_endpoint([(b"cookie", _latin1(f"session={value}"))]))


@PROPERTY
@given(payload=payloads)
def test_garbage_bodies_never_cause_a_server_error(payload: tuple[str, bytes]) -> None:
    """RFC 9110 §15.5.1, §15.5.16: a body the server cannot use is 400 or 415, never 500."""
    content_type, body = payload
    _run(lambda: _hit_every_endpoint([], body=body, content_type=_latin1(content_type)))


@PROPERTY
@given(payload=payloads, csrf=st.none() | header_text, origin=st.none() | header_text)
def test_garbage_bodies_from_a_logged_in_client_never_cause_a_server_error(
    payload: tuple[str, bytes], csrf: str | None, origin: str | None
) -> None:
    """RFC 9110 §15.5.1: /logout and /password read the body only after authenticating,
    so garbage is also sent with a real credential (and a wrong CSRF token or Origin)."""

    content_type, body = payload

    async def scenario() -> None:
        for name, server in _servers().items():
            async with server.client() as client:
                login = await login_json(client)
                assert login.status_code == 200, login.text
                headers = [(b"content-type", _latin1(content_type))]
                if server.config.mode == "jwt":
                    token = login.json()["access_token"]
                    headers.append((b"authorization", f"Bearer {token}".encode()))
                if csrf is not None:
                    headers.append((b"x-csrf-token", _latin1(csrf)))
                if origin is not None:
                    headers.append((b"origin", _latin1(origin)))
                for path in POST_PATHS:
                    response = await client.post(path, headers=headers, content=body)
                    _check(response, name)

    _run(scenario)


@PROPERTY
@given(
    token=st.none() | header_text | token_like,
    fetch_site=st.none() | st.sampled_from(["cross-site", "same-site", "none"]) | header_text,
    # Pinning a minting request to a verify-only replica (B..H) is a deliberate 503 lesson
    # ("this replica holds only the public key"), so real pins other than A are left out.
    replica=st.none()
    | st.sampled_from(["A", "a", " a ", "Z", ""])
    | header_text.filter(lambda value: value.strip().upper() not in REPLICA_NAMES[1:]),
)
def test_garbage_in_other_headers_and_the_query_never_causes_a_server_error(
    token: str | None, fetch_site: str | None, replica: str | None
) -> None:
    """RFC 6750 §2.3, §5.3: a token in the URL is refused with 400; odd Sec-Fetch-Site
    or replica-pin headers are ignored or refused, never a 500."""
    query = "" if token is None else f"?access_token={quote(token)}"
    headers: list[Header] = []
    if fetch_site is not None:
        headers.append((b"sec-fetch-site", _latin1(fetch_site)))
    if replica is not None:
        headers.append((b"x-tutor-replica", _latin1(replica)))
    _run(lambda: _hit_every_endpoint(headers, query=query))


# --- exact status codes -------------------------------------------------------------------

MODES = ("cookie", "signed-cookie", "jwt")


@contextlib.asynccontextmanager
async def _logged_in(server: MockServer) -> AsyncIterator[httpx.AsyncClient]:
    """A client logged in as alice (cookie in its jar, or a default bearer header)."""
    async with server.client() as client:
        response = await login_json(client)
        assert response.status_code == 200, response.text
        if server.config.mode == "jwt":
            client.headers.update(bearer(response.json()["access_token"]))
        yield client


@pytest.mark.parametrize("mode", MODES)
async def test_body_over_16_kib_is_413(make_server: ServerFactory, mode: str) -> None:
    """RFC 9110 §15.5.14: a body larger than the server accepts is 413 Content Too Large."""
    server = make_server(mode=mode)
    too_big = json.dumps({"username": "a" * MAX_BODY_BYTES, "password": "x"}).encode()
    async with server.client() as client:
        declared = await client.post(
            "/login", content=too_big, headers={"Content-Type": "application/json"}
        )

        async def chunks() -> AsyncIterator[bytes]:
            for start in range(0, len(too_big), 1000):
                yield too_big[start : start + 1000]

        streamed = await client.post(
            "/login", content=chunks(), headers={"Content-Type": "application/json"}
        )
    assert "content-length" not in streamed.request.headers
    for response in (declared, streamed):
        assert response.status_code == 413, response.text
        assert response.json()["error"] == "payload_too_large"
        assert str(MAX_BODY_BYTES) in response.json()["error_description"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("content_type", ["text/plain", "multipart/form-data", None])
async def test_unsupported_content_type_is_415(
    make_server: ServerFactory, mode: str, content_type: str | None
) -> None:
    """RFC 9110 §15.5.16: a body in a format the endpoint does not read is 415."""
    server = make_server(mode=mode)
    headers = {} if content_type is None else {"Content-Type": content_type}
    async with server.client() as client:
        response = await client.post(
            "/login", content=b"username=alice&password=wonderland", headers=headers
        )
    assert response.status_code == 415, response.text
    assert response.json()["error"] == "unsupported_media_type"
    assert "application/json" in response.json()["error_description"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"username": "alice", ', "not valid JSON"),
        (b"\xff\xfe{}", "not valid JSON"),
        (b'["alice", "wonderland"]', "must be an object"),
        (b'{"username": "alice", "password": 42}', "must be a string"),
        pytest.param(b"[" * 5000, "nested too deeply", id="nested-5000-deep"),
    ],
)
async def test_invalid_json_is_400(
    make_server: ServerFactory, mode: str, body: bytes, reason: str
) -> None:
    """RFC 9110 §15.5.1: a JSON body that cannot be read as the expected object is 400.

    The deeply nested case used to escape as a RecursionError (a 500)."""
    server = make_server(mode=mode)
    async with server.client() as client:
        response = await client.post(
            "/login", content=body, headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_request"
    assert reason in response.json()["error_description"]


async def test_deeply_nested_json_from_a_logged_in_client_is_400(
    make_server: ServerFactory,
) -> None:
    """RFC 9110 §15.5.1: /password parses the body after authentication; nesting is 400."""
    server = make_server(mode="jwt")
    async with _logged_in(server) as client:
        response = await client.post(
            "/password", content=b'{"a":' * 3000, headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 400, response.text
    assert "nested too deeply" in response.json()["error_description"]


async def test_token_longer_than_8192_is_401_at_decode(make_server: ServerFactory) -> None:
    """RFC 6750 §3.1: an oversized bearer token is invalid_token, refused before parsing
    (at /refresh, invalid_grant: RFC 6749 §5.2)."""
    server = make_server(mode="jwt")
    async with _logged_in(server) as logged_in:
        real = logged_in.headers["Authorization"].removeprefix("Bearer ")
    padded = real + "A" * (MAX_TOKEN_LENGTH + 1 - len(real))
    async with server.client() as client:
        response = await client.get("/profile", headers=bearer(padded))
        refresh = await client.post("/refresh", json={"refresh_token": padded})
        at_limit = await client.get("/profile", headers=bearer(padded[:MAX_TOKEN_LENGTH]))
    assert len(padded) == MAX_TOKEN_LENGTH + 1
    for answer in (response, refresh):
        assert answer.json()["stage"] == "decode"
        assert str(MAX_TOKEN_LENGTH) in answer.json()["error_description"]
    assert response.status_code == 401, response.text
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    # /refresh is a token endpoint: a bad grant is 400 invalid_grant (RFC 6749 §5.2).
    assert refresh.status_code == 400, refresh.text
    assert refresh.json()["error"] == "invalid_grant"
    # One character shorter is parsed, and fails later, at its (padded) signature.
    assert at_limit.status_code == 401
    assert at_limit.json()["stage"] != "decode" or "longer" not in at_limit.text


@pytest.mark.parametrize(
    ("claim", "value", "reason"),
    [
        ("exp", float("nan"), "'exp' must be a number"),
        ("exp", float("inf"), "'exp' must be a number"),
        ("iat", float("nan"), "'iat' must be a number"),
        ("nbf", float("-inf"), "'nbf' must be a number"),
        ("jti", ["a", "b"], "'jti' must be a string"),
        ("jti", {"a": 1}, "'jti' must be a string"),
    ],
)
@pytest.mark.parametrize(("method", "path"), [("GET", "/profile"), ("POST", "/logout")])
async def test_forged_token_with_unusable_claims_is_401_at_claims(
    make_server: ServerFactory, claim: str, value: Any, reason: str, method: str, path: str
) -> None:
    """RFC 7519 §4.1.4 (exp is a NumericDate) and §4.1.7 (jti is a string): Python's JSON
    reads NaN and Infinity, which used to pass the time checks and then crash the JSON
    response or int(); a list jti crashed the denylist lookup. Both are now 401."""
    server = make_server(
        mode="jwt", denylist=True, vulnerabilities=Vulnerabilities(accept_alg_none=True)
    )
    now = int(server.clock.now())
    claims: dict[str, Any] = {
        "iss": server.config.issuer, "aud": server.config.audience, "sub": "alice",
        "iat": now, "exp": now + 60, "jti": "j1", "sid": "f1", claim: value,
    }
    token = _sign(claims, "at+jwt", unsigned=True)
    async with server.client() as client:
        response = await client.request(method, path, headers=bearer(token))
    assert response.status_code == 401, response.text
    assert response.json()["stage"] == "claims"
    assert reason in response.json()["error_description"]


@pytest.mark.parametrize("mode", MODES)
async def test_form_body_that_is_not_utf8_is_400(make_server: ServerFactory, mode: str) -> None:
    """RFC 9110 §15.5.1 (and the URL Standard's UTF-8 form encoding): undecodable is 400."""
    server = make_server(mode=mode)
    async with server.client() as client:
        response = await client.post(
            "/login",
            content=b"username=\xff\xfe&password=x",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    assert response.status_code == 400, response.text
    assert "UTF-8" in response.json()["error_description"]


@pytest.mark.parametrize("unsigned", [True, False], ids=["alg-none", "stolen-key"])
def test_forged_tokens_in_the_properties_really_pass_the_signature_check(
    unsigned: bool,
) -> None:
    """RFC 8725 §2.1: the forging helper must get past the signature, or the property
    about garbage claims would only ever test the signature check."""

    async def scenario() -> httpx.Response:
        async with _servers()["jwt-forgeable"].client() as client:
            token = _sign(VALID_CLAIMS, "at+jwt", unsigned)
            return await client.get("/profile", headers=bearer(token))

    response = asyncio.run(scenario())
    assert response.status_code == 200, response.text
    assert response.json()["username"] == "alice"


def test_forged_signed_cookies_in_the_properties_really_pass_the_signature_check() -> None:
    """RFC 6265 §8.6: the cookie the property forges is accepted when its data is sane."""
    server = _servers()["signed-cookie"]
    value = server.replicas[0].context.signed_cookies.encode(
        {"user": "alice", "role": "reader", "csrf": "c", "pwgen": 0}
    )

    async def scenario() -> httpx.Response:
        async with server.client() as client:
            return await client.get("/profile", headers={"Cookie": f"session={value}"})

    response = asyncio.run(scenario())
    assert response.status_code == 200, response.text
    assert response.json()["username"] == "alice"
