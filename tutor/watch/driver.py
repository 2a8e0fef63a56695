"""Run a real Chromium through Playwright and feed what it does into a `WatchSession`.

Playwright is the optional `browser` extra and is imported only here, inside the
functions. The system's Chromium is used when there is one (`TUTOR_CHROMIUM`, then
`chromium` / `chromium-browser` on PATH), so nothing has to be downloaded; without one,
Playwright's own download is tried, and a clear `WatchError` says what to install.

Events reach `emit` on the event loop that runs `run_watch`: exchanges in the order
Chromium finished them (one queue, one consumer, so a slow body never reorders them),
storage writes as the page makes them, blocked requests as they are stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import shutil
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tutor.watch.observed import ObservedExchange
from tutor.watch.session import WatchEvent, WatchSession
from tutor.watch.target import WatchTarget, origin_of

if TYPE_CHECKING:
    from playwright.async_api import Browser, BrowserContext, Page, Request, Route

EXTRA_HINT = "pip install 'cookie-jwt-tutor[browser]'"
CHROMIUM_NAMES = ("chromium", "chromium-browser")
STORAGE_BINDING = "__tutorStorageWrite"
TYPED_BINDING = "__tutorPasswordTyped"
IN_FLIGHT_GRACE = 10.0
"""Seconds the end of a watch waits for requests already sent to finish (a page's
answer is usually there before its requestfinished event; a long poll never ends)."""
BLOCKED = "blockedbyclient"
"""The error Chromium reports for a request tutor watch aborted."""

# Wraps Storage's writers so every setItem/removeItem/clear is reported before the page
# goes on. The binding is looked up at call time: Playwright installs it by an init
# script of its own, whose order against this one is not promised. Assigning a property
# (`localStorage.token = t`) bypasses setItem and is not seen.
STORAGE_SCRIPT = """
(() => {
  const proto = Storage.prototype;
  const areaOf = (store) => {
    try { if (store === globalThis.localStorage) return "localStorage"; } catch (e) {}
    return "sessionStorage";
  };
  const report = (store, op, key, value) => {
    const send = globalThis.__BINDING__;
    if (typeof send === "function") {
      try { send(areaOf(store), op, String(key), String(value)); } catch (e) {}
    }
  };
  const setItem = proto.setItem, removeItem = proto.removeItem, clear = proto.clear;
  proto.setItem = function (key, value) {
    setItem.call(this, key, value); report(this, "set", key, value);
  };
  proto.removeItem = function (key) {
    removeItem.call(this, key); report(this, "remove", key, "");
  };
  proto.clear = function () { clear.call(this); report(this, "clear", "", ""); };
  // Step 1, which a recording cannot show: the first keystroke in each password field
  // (its name only; the value never leaves the page).
  document.addEventListener("input", (event) => {
    const field = event.target;
    if (!field || field.type !== "password" || field.__tutorTyped) return;
    field.__tutorTyped = true;
    const send = globalThis.__TYPED__;
    if (typeof send === "function") {
      try { send(String(field.name || field.id || "")); } catch (e) {}
    }
  }, true);
})();
""".replace("__BINDING__", STORAGE_BINDING).replace("__TYPED__", TYPED_BINDING)

Drive = Callable[["Page"], Awaitable[None]]
"""Something that acts on the page as a person would (tests; a headless demo)."""


class WatchError(Exception):
    """The watch cannot start: no Playwright, no browser; the message says what to do."""


def missing_extra() -> str | None:
    """Why `tutor watch` cannot run here, or None: the Playwright extra is absent."""
    if importlib.util.find_spec("playwright") is None:
        return ("tutor watch drives a real browser through Playwright, which is not "
                f"installed. Install the extra: {EXTRA_HINT}")
    return None


def chromium_path() -> str | None:
    """The system's Chromium (`TUTOR_CHROMIUM` when set), or None to let Playwright try
    its own download."""
    override = os.environ.get("TUTOR_CHROMIUM")
    if override:
        return override
    for name in CHROMIUM_NAMES:
        if found := shutil.which(name):
            return found
    return None


def no_display() -> str | None:
    """Why a browser window cannot open here (Linux without X11 or Wayland), or None."""
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY")
                                                 or os.environ.get("WAYLAND_DISPLAY")):
        return ("there is no display for a browser window here (neither DISPLAY nor "
                "WAYLAND_DISPLAY is set): run it in a desktop session, or add --headless "
                "(with --plain to see each event as text)")
    return None


@dataclass(frozen=True)
class WatchOptions:
    """How to watch: the target, headed or not, an optional driver for the page, and
    whether to record the session as HAR when it ends."""

    target: WatchTarget
    headless: bool = False
    drive: Drive | None = None
    record: bool = False
    """Save a HAR when the watch ends (the TUI can also save one at any moment)."""
    har: Path | None = None
    """Where: a file, or a folder; None for `tutor.har.folder.har_folder()`."""
    redact: bool = False
    """Blank credential values in the saved HAR."""


async def run_watch(session: WatchSession, options: WatchOptions,
                    emit: Callable[[WatchEvent], None], stop: asyncio.Event) -> None:
    """Open the target in Chromium and report until `stop` is set or the browser closes
    (and, with `drive`, once it is done). Raises WatchError when it cannot start."""
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import async_playwright

    executable = chromium_path()
    if executable is not None and not Path(executable).exists():
        raise WatchError(f"TUTOR_CHROMIUM names {executable!r}, which does not exist")
    if not options.headless and (problem := no_display()):
        raise WatchError(problem)
    async with async_playwright() as playwright:
        try:
            browser = await playwright.chromium.launch(executable_path=executable,
                                                       headless=options.headless)
        except PlaywrightError as exc:
            raise WatchError(_no_browser(exc)) from None
        try:
            await _watch_in(browser, session, options, emit, stop)
        except PlaywrightError as exc:
            # The browser crashed or was killed under us: say so, not a traceback.
            raise WatchError(f"the browser stopped: {_first_line(exc)}") from None
        finally:
            with contextlib.suppress(PlaywrightError):
                await browser.close()
    count = len(session.entries)
    emit(session.note(f"The browser closed: {count} exchange{'s' if count != 1 else ''} "
                      "seen."))


async def _watch_in(browser: Browser, session: WatchSession, options: WatchOptions,
                    emit: Callable[[WatchEvent], None], stop: asyncio.Event) -> None:
    """Open the page in a fresh context of `browser` and report until the watch ends."""
    from playwright.async_api import Error as PlaywrightError

    context = await browser.new_context()
    closed = asyncio.Event()
    browser.on("disconnected", lambda _: closed.set())

    def page_closed(_: Page) -> None:
        # Closing the last tab ends a headed watch, as closing the window does.
        if not [p for p in context.pages if not p.is_closed()]:
            closed.set()

    context.on("page", lambda opened: opened.on("close", page_closed))
    watcher = _Watcher(session, options.target, context, emit)
    await watcher.install()
    page = await context.new_page()
    emit(session.note(f"Chromium opened {options.target.url} "
                      f"({'headless' if options.headless else 'a window'}). "
                      + options.target.policy_line()))
    try:
        await page.goto(options.target.url)
    except PlaywrightError as exc:
        emit(session.note(f"Could not load {options.target.url}: {_first_line(exc)}"))
    await _until_done(options, page, stop, closed)
    await watcher.drain()


async def _until_done(options: WatchOptions, page: Page, stop: asyncio.Event,
                      closed: asyncio.Event) -> None:
    waits: list[asyncio.Future[Any]] = [asyncio.ensure_future(stop.wait()),
                                        asyncio.ensure_future(closed.wait())]
    if options.drive is not None:
        waits.append(asyncio.ensure_future(options.drive(page)))
    try:
        done, _ = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            task.result()  # a driver that failed fails the watch
    finally:
        for task in waits:
            task.cancel()


class _Watcher:
    """The context's listeners: blocking, storage reports, and the exchange queue."""

    def __init__(self, session: WatchSession, target: WatchTarget, context: BrowserContext,
                 emit: Callable[[WatchEvent], None]) -> None:
        self.session, self.target, self.context, self.emit = session, target, context, emit
        self.queue: asyncio.Queue[Request] = asyncio.Queue()
        self.consumer: asyncio.Task[None] | None = None
        self.in_flight: set[Request] = set()
        """Requests sent whose end (finished or failed) has not been reported yet."""
        self.idle = asyncio.Event()

    async def install(self) -> None:
        await self.context.route("**/*", self._route)
        await self.context.expose_binding(STORAGE_BINDING, self._storage)
        await self.context.expose_binding(TYPED_BINDING, self._typed)
        await self.context.add_init_script(STORAGE_SCRIPT)
        self.context.on("request", self._sent)
        self.context.on("requestfinished", self._finished)
        self.context.on("requestfailed", self._failed)
        self.consumer = asyncio.ensure_future(self._consume())

    def _sent(self, request: Request) -> None:
        self.in_flight.add(request)
        self.idle.clear()

    def _ended(self, request: Request) -> None:
        self.in_flight.discard(request)
        if not self.in_flight:
            self.idle.set()

    def _finished(self, request: Request) -> None:
        self.queue.put_nowait(request)
        self._ended(request)

    def _failed(self, request: Request) -> None:
        if BLOCKED not in (request.failure or "").lower().replace("_", ""):
            self.queue.put_nowait(request)
        self._ended(request)

    async def _route(self, route: Route) -> None:
        from playwright.async_api import Error as PlaywrightError

        request = route.request
        # The page may be gone by the time the route is answered; nothing to do then.
        with contextlib.suppress(PlaywrightError):
            if self.target.allows(request.url):
                await route.continue_()
            else:
                self.emit(self.session.blocked(request.method, request.url))
                await route.abort(BLOCKED)

    def _storage(self, source: dict[str, Any], area: Any, op: Any, key: Any,
                 value: Any) -> None:
        frame = source.get("frame")
        origin = origin_of(frame.url) if frame is not None else ""
        event = self.session.storage(str(area), origin, str(op), str(key), str(value))
        if event is not None:
            self.emit(event)

    def _typed(self, source: dict[str, Any], field: Any) -> None:
        frame = source.get("frame")
        origin = origin_of(frame.url) if frame is not None else ""
        self.emit(self.session.typed(origin, str(field)))

    async def _consume(self) -> None:
        from playwright.async_api import Error as PlaywrightError

        while True:
            request = await self.queue.get()
            try:
                seen = await _observe(request)
                event = self.session.exchange(seen)
                self.emit(event)
                if event.item.set:
                    # Right after the answer that set it (a script's document.cookie
                    # write shows at the next Set-Cookie, or when the watch ends).
                    await self._jar()
            except PlaywrightError:
                pass  # the browser went away while a body was read: nothing to report
            except Exception as exc:
                # Anything else must not end this loop: drain() waits on the queue.
                with contextlib.suppress(Exception):
                    self.emit(self.session.note(
                        f"Could not analyse {request.method} {request.url}: {exc}"))
            finally:
                self.queue.task_done()

    async def _jar(self) -> None:
        for change in self.session.cookie_jar(await self.context.cookies()):
            self.emit(change)

    async def drain(self) -> None:
        """Report what is already queued and the jar's last changes, then stop."""
        from playwright.async_api import Error as PlaywrightError

        if self.in_flight:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.idle.wait(), IN_FLIGHT_GRACE)
        self.context.remove_listener("request", self._sent)
        self.context.remove_listener("requestfinished", self._finished)
        self.context.remove_listener("requestfailed", self._failed)
        await self.queue.join()
        if self.consumer is not None:
            self.consumer.cancel()
        with contextlib.suppress(PlaywrightError):
            await self._jar()


async def _observe(request: Request) -> ObservedExchange:
    """What Chromium sent and received for one request, headers as on the wire."""
    from playwright.async_api import Error as PlaywrightError

    headers = tuple((h["name"], h["value"]) for h in await request.headers_array())
    timing = request.timing
    start_ms = float(timing.get("startTime", 0) or 0)
    started = start_ms / 1000 if start_ms > 0 else time.time()
    end = float(timing.get("responseEnd", -1) or -1)
    body = request.post_data_buffer or b""
    response = await request.response()
    if response is None:
        return ObservedExchange(request.method, request.url, headers, 0, request_body=body,
                                started=started, failure=request.failure or "failed",
                                resource_type=request.resource_type)
    response_headers = tuple((h["name"], h["value"]) for h in await response.headers_array())
    try:
        content = await response.body()
    except PlaywrightError:
        content = b""  # a redirect, or a body the browser did not keep
    return ObservedExchange(
        request.method, request.url, headers, response.status, response_headers,
        request_body=body, response_body=content, status_text=response.status_text,
        started=started, time_ms=max(end, 0.0), resource_type=request.resource_type)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _no_browser(exc: Exception) -> str:
    return ("Chromium could not be started (" + _first_line(exc) + "). Install the system's "
            "Chromium (Debian/Ubuntu: apt-get install chromium), or Playwright's own with "
            "`playwright install chromium`, or name one with TUTOR_CHROMIUM=/path/to/chrome.")
