"""What the site's own page script does for the scene actions: where it keeps tokens
(`page_keeps`), the headers it adds (the stored token, a DPoP proof, the CSRF token), and
opening the site's page before a script can run there.

Shared by the user's actions (`actions.py`), the attacker's (`attack_actions.py`) and the
token edits (`token_actions.py`), so the page behaves the same whoever drives it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tutor.browser.browser import Browser
from tutor.scenes.model import Step
from tutor.scenes.world import World
from tutor.server.modes import ServerMode


def mode_of(world: World) -> ServerMode:
    """The scene server's mode (what the page's script was written for)."""
    return world.scene.server.server_mode


def keeps_tokens(world: World) -> bool:
    """The site's page keeps the credential in localStorage (else the jar holds a cookie)."""
    return mode_of(world).browser_keeps == "localStorage"


async def on_site(world: World, browser: Browser) -> None:
    """A page script can only run on a page: open the site's page first if needed."""
    if browser.page_origin != world.site:
        await browser.navigate(world.url("/"))


def page_tokens(world: World, browser: Browser) -> dict[str, str]:
    """The tokens the site's page keeps: in web storage, or in a script variable."""
    place = world.scene.page_keeps
    if place == "memory":
        return dict(world.pages[browser.name].tokens)
    return browser.storage(place, world.site)


def put_token(world: World, browser: Browser, key: str, value: str | None) -> None:
    """Where the page script keeps a token (`page_keeps`); None deletes it."""
    place = world.scene.page_keeps
    if place != "memory":
        browser.store(place, world.site, key, value)
        return
    tokens = world.pages[browser.name].tokens
    if value is None:
        tokens.pop(key, None)
    else:
        tokens[key] = value


def dpop_on(world: World) -> bool:
    """The server binds tokens to the page's key: every request carries a DPoP proof."""
    return world.scene.server.dpop


def dpop_header(world: World, browser: Browser, method: str, url: str,
           access_token: str | None = None) -> dict[str, str]:
    """The `DPoP` header the site's script adds when the server wants one (RFC 9449 §4.1),
    signed by the browser with the page's non-extractable key."""
    if not dpop_on(world):
        return {}
    proof = browser.script().dpop_proof(method, url, access_token)
    world.pages[browser.name].last_dpop_proof = proof
    return {"DPoP": proof}


def auth_headers(world: World, step: Step, browser: Browser, method: str,
                  url: str) -> dict[str, str]:
    """What the site's own script adds: the stored token (with a DPoP proof when the
    server binds tokens to a key), or the CSRF token on writes."""
    headers: dict[str, str] = {}
    if keeps_tokens(world):
        token = page_tokens(world, browser).get("access_token")
        if token and dpop_on(world):
            headers["Authorization"] = f"DPoP {token}"
            headers.update(dpop_header(world, browser, method, url, token))
        elif token:
            headers["Authorization"] = f"{mode_of(world).auth_scheme} {token}"
    elif method not in ("GET", "HEAD"):
        csrf = world.pages[browser.name].csrf_token
        if csrf:
            headers["X-CSRF-Token"] = csrf
    return headers


def keep_tokens(world: World, browser: Browser, body: Mapping[str, Any]) -> None:
    """The page script saves tokens where the scene's page keeps them (`page_keeps`)."""
    page = world.pages[browser.name]
    if "access_token" in body:
        old = page_tokens(world, browser).get("refresh_token")
        if old:
            page.previous_refresh_token = old
        put_token(world, browser, "access_token", str(body["access_token"]))
        if "refresh_token" in body:  # modes without refresh tokens hand out one token
            put_token(world, browser, "refresh_token", str(body["refresh_token"]))
    if "csrf_token" in body:
        page.csrf_token = str(body["csrf_token"])
