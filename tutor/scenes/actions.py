"""What each step kind does, using the browsers the way a person and a page would.

Actions only act; the engine records what they caused (through event subscriptions) and
checks the step's expectations afterwards.
"""

from __future__ import annotations

from urllib.parse import urlencode

from tutor.browser.events import Exchange
from tutor.scenes.attack_actions import (
    capture,
    cross_site_request,
    guess_session_id,
    plant_cookie,
    replay,
    set_cookie,
    tamper_cookie,
    xss_request,
    xss_steal,
)
from tutor.scenes.model import Step
from tutor.scenes.page_script import (
    auth_headers,
    dpop_header,
    keep_tokens,
    keeps_tokens,
    mode_of,
    on_site,
    page_tokens,
    put_token,
)
from tutor.scenes.step_io import Action, StepFailed, StepIO
from tutor.scenes.step_io import response_json as _json
from tutor.scenes.token_actions import retire_key, rotate_keys, tamper_token
from tutor.scenes.world import World
from tutor.server.modes import all_modes

__all__ = ["ACTION_RUNNERS", "Action", "StepFailed", "StepIO", "cross_site_request", "login"]


async def visit(world: World, step: Step, io: StepIO) -> None:
    # Loading a page starts its script afresh: tokens kept in a variable are gone.
    world.pages[step.actor].tokens.clear()
    await world.browser(step.actor).navigate(world.url(step.params["path"]))


async def login(world: World, step: Step, io: StepIO) -> None:
    browser = world.browser(step.actor)
    username = step.params.get("username", "alice")
    password = step.params.get("password", "wonderland")
    # The page is there before anyone can type into it.
    await on_site(world, browser)
    io.user(f"{step.actor} types {username} and a password into the login form", 1)
    via = step.params.get("via") or mode_of(world).login_via
    io.primary()
    audience = step.params.get("audience")
    if audience is not None and via != "json":
        raise StepFailed("a login for another audience is sent by script (via: json)")
    if via == "json":
        body = {"username": username, "password": password}
        if audience is not None:
            body["audience"] = audience
        url = world.url("/login")
        result = await browser.fetch(url, "POST", headers=dpop_header(world, browser, "POST", url),
                                     json=body)
        if isinstance(result, Exchange) and result.response.status == 200:
            keep_tokens(world, browser, _json(result))
        return
    if keeps_tokens(world):
        raise StepFailed(f"{mode_of(world).name} mode logs in with a script (via: json), "
                         "not a form post")
    exchanges = await browser.submit_form(world.url("/login"),
                                          {"username": username, "password": password})
    keep_tokens(world, browser, _json(exchanges[-1]))


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
    await on_site(world, browser)
    headers = auth_headers(world, step, browser, method, url) if credential == "auto" else {}
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
    keep_tokens(world, browser, _json(result))


async def logout(world: World, step: Step, io: StepIO) -> None:
    browser = world.browser(step.actor)
    await on_site(world, browser)
    url = world.url("/logout")
    headers = auth_headers(world, step, browser, "POST", url)
    if step.params.get("csrf_token") is False:
        headers.pop("X-CSRF-Token", None)
    io.primary()
    await browser.fetch(url, "POST", headers=headers)
    if keeps_tokens(world) and step.params.get("forget_token", True):
        # The page deletes its copies; this revokes nothing on the server by itself.
        put_token(world, browser, "access_token", None)
        put_token(world, browser, "refresh_token", None)


async def refresh(world: World, step: Step, io: StepIO) -> None:
    if not (mode_of(world).signs_tokens and keeps_tokens(world)):
        # In bff and jwt-cookie modes the server has refresh tokens, but the page never does.
        modes = " or ".join(mode.name for mode in all_modes()
                            if mode.signs_tokens and mode.browser_keeps == "localStorage")
        raise StepFailed(f"refresh tokens exist only in {modes} mode")
    browser = world.browser(step.actor)
    await on_site(world, browser)
    which = step.params.get("token", "current")
    if which == "previous":
        token = world.pages[browser.name].previous_refresh_token
    elif which == "captured":
        # A thief's client presenting a copied refresh token, as its own.
        token = world.captured.get("refresh_token")
    else:
        token = page_tokens(world, browser).get("refresh_token")
    if not token:
        raise StepFailed("no refresh token to use: log in (and refresh once for `previous`, "
                         "or capture one for `captured`)")
    url = world.url("/refresh")
    headers = dpop_header(world, browser, "POST", url)
    io.primary()
    result = await browser.fetch(url, "POST", headers=headers, json={"refresh_token": token})
    if isinstance(result, Exchange) and result.response.status == 200:
        keep_tokens(world, browser, _json(result))


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
    await on_site(world, browser)
    io.user(f"{step.actor} changes their password")
    io.primary()
    url = world.url("/password")
    result = await browser.fetch(
        url, "POST", headers=auth_headers(world, step, browser, "POST", url),
        json={"current_password": step.params.get("current", "wonderland"),
              "new_password": step.params["new"]},
    )
    keep_tokens(world, browser, _json(result))


async def clear_credential(world: World, step: Step, io: StepIO) -> None:
    browser = world.browser(step.actor)
    io.user(f"{step.actor}'s client deletes its copy of the credential")
    if keeps_tokens(world):
        put_token(world, browser, "access_token", None)
        put_token(world, browser, "refresh_token", None)
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
