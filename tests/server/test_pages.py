"""The HTML pages a real browser gets, checked without a browser.

`tests/server/test_real_browser.py` drives the same pages in headless Chromium; these
tests pin down the page properties that browser run depends on, and run everywhere.
"""

from __future__ import annotations

import pytest

from tests.conftest import ServerFactory
from tests.server.helpers import elements, forms, inputs

ALL_MODES = ["cookie", "signed-cookie", "jwt"]


@pytest.mark.parametrize("mode", ALL_MODES)
async def test_every_page_loads_its_script_from_its_own_origin(
    make_server: ServerFactory, mode: str
) -> None:
    """CSP Level 3 §6.1.11 (script-src): the policy allows only same-origin script files,
    so an inline <script> would be blocked in a real browser; the page has none."""
    server = make_server(mode=mode)
    async with server.client() as client:
        page = await client.get("/")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    scripts = [attrs for tag, attrs in elements(page.text) if tag == "script"]
    assert all(str(attrs.get("src", "")).startswith("/") for attrs in scripts)
    assert len(scripts) == (1 if mode == "jwt" else 0)


async def test_jwt_login_form_posts_so_the_password_never_reaches_the_url(
    make_server: ServerFactory,
) -> None:
    """HTML §4.10.18.6: a form without method and action submits as GET to the page's own
    URL, so pressing Enter before the script runs would put the password in the query
    string (OWASP ASVS V8.3.1: no sensitive data in URLs). The form posts to /login."""
    server = make_server(mode="jwt")
    async with server.client() as client:
        page = await client.get("/")
    form = forms(page.text)["/login"]
    assert str(form["method"]).lower() == "post"
    fields = inputs(page.text)
    assert fields["username"]["autocomplete"] == "username"
    assert fields["password"]["type"] == "password"
    assert fields["password"]["autocomplete"] == "current-password"


async def test_jwt_login_form_still_works_without_the_script(
    make_server: ServerFactory,
) -> None:
    """With scripts off the form's own POST reaches /login and gets the token pair
    (issue 2 HTTP contract: form or JSON), instead of a GET that leaks the password."""
    server = make_server(mode="jwt")
    async with server.client() as client:
        response = await client.post(
            "/login", data={"username": "alice", "password": "wonderland"}
        )
    assert response.status_code == 200, response.text
    assert response.json()["token_type"] == "Bearer"
    assert "wonderland" not in str(response.request.url)


async def test_jwt_page_script_is_served_as_javascript(make_server: ServerFactory) -> None:
    """RFC 9239 §6: the page's script comes as text/javascript, the type browsers run."""
    server = make_server(mode="jwt")
    async with server.client() as client:
        script = await client.get("/app.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert "localStorage" in script.text


@pytest.mark.parametrize("mode", ALL_MODES)
async def test_the_browsers_own_icon_request_is_not_an_error(
    make_server: ServerFactory, mode: str
) -> None:
    """Browsers fetch /favicon.ico unasked (HTML §4.2.4.4); a 404 there would show as an
    error in the learner's console, so the server answers 204 No Content (RFC 9110
    §15.3.5) and lets the browser cache that."""
    server = make_server(mode=mode)
    async with server.client() as client:
        icon = await client.get("/favicon.ico")
    assert icon.status_code == 204
    assert icon.content == b""
    assert "max-age" in icon.headers["cache-control"]
    assert server.log.requests()[-1].reason == "no icon"
