"""`jwt-cookie` and `bff` modes: where the tokens are (and are not), and the signed
double-submit CSRF cookie (OWASP CSRF Prevention Cheat Sheet, "Signed Double-Submit
Cookie")."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import ServerFactory
from tests.server.helpers import ALICE
from tutor.clock import SimulatedClock
from tutor.server.events import TokenIssued
from tutor.server.modes import mode_names
from tutor.server.weaknesses import Vulnerabilities

HTTPS = "https://tutor.local"
BOB = {"username": "bob", "password": "builder123"}


async def form_login(client: httpx.AsyncClient, who: dict[str, str] = ALICE) -> httpx.Response:
    response = await client.post("/login", data=who, headers={"Origin": HTTPS})
    assert response.status_code == 303, response.text
    return response


def write_headers(token: str) -> dict[str, str]:
    return {"Origin": HTTPS, "X-CSRF-Token": token}


async def test_bff_keeps_tokens_on_the_server(make_server: ServerFactory,
                                              clock: SimulatedClock) -> None:
    """The browser gets a session cookie only; the BFF refreshes expired tokens itself."""
    server = make_server(mode="bff", access_token_ttl=300)
    async with server.client(HTTPS) as client:
        response = await form_login(client)
        assert [c.split("=")[0] for c in response.headers.get_list("set-cookie")] == [
            "__Host-bff"]
        assert "access_token" not in response.text
        assert client.cookies.get("__Host-bff")
        profile = await client.get("/profile")
        assert profile.status_code == 200 and "eyJ" not in profile.text  # no JWT itself
        issued_before = sum(isinstance(e, TokenIssued) for e in server.log.events)
        clock.advance(301)
        again = await client.get("/profile")
        assert again.status_code == 200
        issued = sum(isinstance(e, TokenIssued) for e in server.log.events) - issued_before
        assert issued == 2  # a new access token and a rotated refresh token


async def test_jwt_cookie_sets_an_httponly_token_and_a_readable_csrf_cookie(
    make_server: ServerFactory,
) -> None:
    server = make_server(mode="jwt-cookie")
    async with server.client(HTTPS) as client:
        response = await form_login(client)
        lines = {line.split("=")[0]: line for line in response.headers.get_list("set-cookie")}
        assert "HttpOnly" in lines["__Host-jwt"]
        assert "HttpOnly" not in lines["__Host-csrf"]
        assert (await client.get("/profile")).status_code == 200


async def test_signed_double_submit_refuses_missing_made_up_and_foreign_tokens(
    make_server: ServerFactory,
) -> None:
    """Header equal to the cookie is not enough: the HMAC must fit this login."""
    server = make_server(mode="jwt-cookie")
    async with server.client(HTTPS) as bob, server.client(HTTPS) as alice:
        await form_login(bob, BOB)
        bobs_csrf = bob.cookies["__Host-csrf"]
        await form_login(alice)
        alices_csrf = alice.cookies["__Host-csrf"]
        missing = await alice.post("/logout", headers={"Origin": HTTPS})
        assert missing.status_code == 403 and "missing CSRF token" in missing.text
        made_up = await alice.post("/logout", headers=write_headers("nonce.00"))
        assert made_up.status_code == 403 and "does not match" in made_up.text
        # Bob's valid pair, planted into Alice's browser (cookie tossing): still refused.
        alice.cookies.set("__Host-csrf", bobs_csrf, domain="tutor.local")
        tossed = await alice.post("/logout", headers=write_headers(bobs_csrf))
        assert tossed.status_code == 403
        alice.cookies.set("__Host-csrf", alices_csrf, domain="tutor.local")
        ok = await alice.post("/logout", headers=write_headers(alices_csrf))
        assert ok.status_code == 200


async def test_a_naive_double_submit_cookie_accepts_any_value_equal_to_the_header(
    make_server: ServerFactory,
) -> None:
    """`naive_double_submit`: an unprefixed, unsigned `csrf` cookie, and a write passes
    when the header equals whatever `csrf` cookie came with it (OWASP CSRF Prevention
    Cheat Sheet, "Naive Double-Submit Cookie Pattern (DISCOURAGED)")."""
    server = make_server(mode="jwt-cookie",
                         vulnerabilities=Vulnerabilities(naive_double_submit=True))
    async with server.client(HTTPS) as alice:
        response = await form_login(alice)
        names = [c.split("=")[0] for c in response.headers.get_list("set-cookie")]
        assert names == ["__Host-jwt", "csrf"]
        assert "." not in alice.cookies["csrf"]  # a bare random value: no HMAC
        made_up = await alice.post("/logout", headers=write_headers("planted"))
        assert made_up.status_code == 403 and "does not match" in made_up.text
        # A value the attacker chose, planted as the cookie and sent as the header.
        alice.cookies.set("csrf", "planted", domain="tutor.local")
        planted = await alice.post("/logout", headers=write_headers("planted"))
        assert planted.status_code == 200


async def test_without_the_origin_check_the_token_still_decides(
    make_server: ServerFactory,
) -> None:
    """`no_origin_check` lets a write from another origin reach the CSRF token check,
    which still refuses a wrong token; with the check on, the origin is refused first."""
    checked = make_server(mode="jwt-cookie")
    unchecked = make_server(mode="jwt-cookie",
                            vulnerabilities=Vulnerabilities(no_origin_check=True))
    foreign = {"Origin": "https://attacker.tutor.local", "X-CSRF-Token": "planted"}
    for server, reason in ((checked, "cross-origin request"), (unchecked, "does not match")):
        async with server.client(HTTPS) as alice:
            await form_login(alice)
            refused = await alice.post("/logout", headers=foreign)
            assert refused.status_code == 403 and reason in refused.text
    async with unchecked.client(HTTPS) as alice:
        await form_login(alice)
        token = alice.cookies["__Host-csrf"]
        ok = await alice.post("/logout", headers={**foreign, "X-CSRF-Token": token})
        assert ok.status_code == 200


@pytest.mark.parametrize(("mode", "naive"), [
    *((mode, False) for mode in mode_names()),
    ("jwt-cookie", True),  # naive_double_submit: its csrf cookie keeps the plain name
])
@pytest.mark.parametrize("base_url", ["http://127.0.0.1:8000", HTTPS])
async def test_the_published_cookie_names_are_the_ones_the_server_sets(
    make_server: ServerFactory, mode: str, base_url: str, naive: bool,
) -> None:
    """`tutor serve` publishes `served_cookie_names` for the Repeater's f6: every cookie
    the server sets at login must be named there exactly as it is set."""
    server = make_server(mode=mode, vulnerabilities=Vulnerabilities(naive_double_submit=naive))
    published = server.config.served_cookie_names(base_url.startswith("https:"))
    async with server.client(base_url) as client:
        if server.config.server_mode.login_via == "form":
            response = await client.post("/login", data=ALICE, headers={"Origin": base_url})
        else:
            response = await client.post("/login", json=ALICE, headers={"Origin": base_url})
    assert response.status_code < 400, response.text
    set_names = {line.split("=")[0] for line in response.headers.get_list("set-cookie")}
    assert set_names <= set(published.values()), (set_names, published)
    if server.config.server_mode.session_cookie:
        assert published[server.config.server_mode.session_cookie] in set_names
