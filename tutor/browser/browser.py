"""A browser, simulated for what the lessons need: a cookie jar, web storage, navigation,
form posts, `fetch` with CORS, and page scripts (the XSS lessons' injected code).

Everything a real browser decides that matters for authentication is decided here, and
each decision is recorded with its reason so the UI can show it.
"""

from __future__ import annotations

import copy
import json as jsonlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlencode, urljoin, urlsplit

import httpx

from tutor.browser.cookie_model import CookieKey
from tutor.browser.cookie_policy import MAX_COOKIES_PER_DOMAIN
from tutor.browser.cookies import CookieJar, CookiePolicy, RequestContext, StoreDecision
from tutor.browser.events import (
    BrowserEvent,
    CookieRejected,
    CookieRemoved,
    CookieStored,
    Exchange,
    RecordedRequest,
    RecordedResponse,
    RequestBlocked,
    StorageWritten,
)
from tutor.browser.fetch_rules import (
    FORBIDDEN_HEADERS,
    SIMPLE_HEADERS,
    Credentials,
    cors_allows,
    fetch_metadata,
    needs_preflight,
    preflight_allows,
    sends_origin,
)
from tutor.browser.network import Network
from tutor.browser.page_script import PageScript
from tutor.browser.sites import origin_of
from tutor.browser.webcrypto import PageKey
from tutor.clock import Clock

StorageArea = Literal["localStorage", "sessionStorage"]
MAX_REDIRECTS = 10
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
Listener = Callable[[BrowserEvent], None]


@dataclass
class BrowserSnapshot:
    """A browser's whole memory at one moment."""

    jar: object
    local_storage: dict[str, dict[str, str]]
    session_storage: dict[str, dict[str, str]]
    location: str | None
    keys: dict[str, PageKey] = field(default_factory=dict)


class Browser:
    """One simulated browser (the victim's, or the attacker's) on a simulated network."""

    def __init__(self, name: str, network: Network, clock: Clock,
                 policy: CookiePolicy | None = None) -> None:
        self.name = name
        self.network = network
        self.clock = clock
        self.jar = CookieJar(clock, policy)
        self.local_storage: dict[str, dict[str, str]] = {}
        self.session_storage: dict[str, dict[str, str]] = {}
        self.location: str | None = None
        """The URL of the page currently shown (None before the first navigation)."""
        self.keys: dict[str, PageKey] = {}
        """Non-extractable signing keys pages made, per origin (kept like IndexedDB: a
        restart keeps them)."""
        self._listeners: list[Listener] = []

    # --- events ------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Hear every event of this browser; returns a function that unsubscribes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _emit(self, event: BrowserEvent) -> None:
        for listener in list(self._listeners):
            listener(event)

    # --- pages -------------------------------------------------------------------------

    @property
    def page_origin(self) -> str | None:
        """The origin of the page currently shown."""
        return origin_of(self.location) if self.location else None

    def resolve(self, url: str) -> str:
        """An absolute URL, relative to the current page."""
        return urljoin(self.location, url) if self.location else url

    async def navigate(self, url: str, *, from_page: bool = False) -> list[Exchange]:
        """Open `url` as a top-level page: typed by the user, or a link on the current page."""
        initiator = self.page_origin if from_page else None
        return await self._navigation("GET", self.resolve(url), None, {}, initiator)

    async def submit_form(
        self, url: str, fields: Mapping[str, str], method: str = "POST"
    ) -> list[Exchange]:
        """Submit a form on the current page (top-level navigation, URL-encoded body)."""
        target = self.resolve(url)
        encoded = urlencode(dict(fields)).encode()
        if method.upper() == "GET":
            target = f"{target}?{encoded.decode()}"
            return await self._navigation("GET", target, None, {}, self.page_origin)
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return await self._navigation(method.upper(), target, encoded, headers, self.page_origin)

    async def _navigation(
        self,
        method: str,
        url: str,
        body: bytes | None,
        headers: dict[str, str],
        initiator: str | None,
    ) -> list[Exchange]:
        exchanges: list[Exchange] = []
        for _ in range(MAX_REDIRECTS + 1):
            context = RequestContext(url=url, method=method, initiator=initiator,
                                     top_level_navigation=True)
            exchange = await self._send(context, headers, body, mode="navigate")
            exchanges.append(exchange)
            location = exchange.response.header("location")
            if exchange.response.status not in REDIRECT_STATUSES or location is None:
                self.location = url
                return exchanges
            url = urljoin(url, location)
            if exchange.response.status == 303 or (
                exchange.response.status in (301, 302) and method == "POST"
            ):
                method, body, headers = "GET", None, {}
        first = exchanges[0].request.url
        raise RedirectLoop(f"more than {MAX_REDIRECTS} redirects starting at {first}")

    # --- fetch from a page script --------------------------------------------------------

    async def fetch(
        self,
        url: str,
        method: str = "GET",
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes | str | None = None,
        json: object = None,
        credentials: Credentials = "same-origin",
    ) -> Exchange | RequestBlocked:
        """What `fetch()` in the current page does, CORS and credentials mode included."""
        page = self.page_origin
        target = self.resolve(url)
        method = method.upper()
        send_headers = {
            name: value for name, value in (headers or {}).items()
            if name.lower() not in FORBIDDEN_HEADERS
            and not name.lower().startswith(("proxy-", "sec-"))
        }
        payload: bytes | None
        if json is not None:
            payload = jsonlib.dumps(json).encode()
            send_headers.setdefault("Content-Type", "application/json")
        else:
            payload = body.encode() if isinstance(body, str) else body
        cross_origin = page is not None and origin_of(target) != page
        if cross_origin and needs_preflight(method, send_headers):
            blocked = await self._preflight(target, method, send_headers, page, credentials)
            if blocked is not None:
                return blocked
        for _ in range(MAX_REDIRECTS + 1):
            cross_origin = page is not None and origin_of(target) != page
            with_cookies = credentials == "include" or (
                credentials == "same-origin" and not cross_origin
            )
            context = RequestContext(url=target, method=method, initiator=page,
                                     top_level_navigation=False, from_script=True)
            exchange = await self._send(context, send_headers, payload, mode="cors",
                                        with_cookies=with_cookies,
                                        cors=(page, credentials) if cross_origin else None)
            location = exchange.response.header("location")
            # fetch() follows redirects by default (redirect: "follow").
            if exchange.response.status not in REDIRECT_STATUSES or location is None:
                return exchange
            target = urljoin(target, location)
            if exchange.response.status == 303 or (
                exchange.response.status in (301, 302) and method == "POST"
            ):
                method, payload = "GET", None
                send_headers = {k: v for k, v in send_headers.items()
                                if k.lower() != "content-type"}
        raise RedirectLoop(f"more than {MAX_REDIRECTS} redirects starting at {url}")

    async def _preflight(
        self,
        target: str,
        method: str,
        headers: Mapping[str, str],
        page: str | None,
        credentials: Credentials,
    ) -> RequestBlocked | None:
        wanted = sorted(k.lower() for k in headers if k.lower() not in SIMPLE_HEADERS)
        if any(k.lower() == "content-type" for k in headers) and needs_preflight("GET", {
            k: v for k, v in headers.items() if k.lower() == "content-type"
        }):
            wanted.append("content-type")
        asked = ", ".join(wanted)
        preflight_headers = {"Access-Control-Request-Method": method}
        if asked:
            preflight_headers["Access-Control-Request-Headers"] = asked
        context = RequestContext(url=target, method="OPTIONS", initiator=page,
                                 top_level_navigation=False, from_script=True)
        exchange = await self._send(context, preflight_headers, None, mode="cors",
                                    with_cookies=False)
        if exchange.response.status < 300 and preflight_allows(
            exchange.response, page, credentials, method, wanted
        ):
            return None
        blocked = RequestBlocked(
            at=self.clock.now(), browser=self.name, method=method, url=target,
            reason=f"CORS preflight failed (status {exchange.response.status}, no "
            f"Access-Control-Allow-Origin for {page}): the request was never sent",
        )
        self._emit(blocked)
        return blocked

    async def send_raw(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | None = None,
        *, cookie_jar: bool = False,
    ) -> Exchange:
        """A hand-made request, as curl would send it: no Origin, nothing added, and no
        jar unless `cookie_jar` (then the jar's cookies go along, a cookie the request
        names itself wins, and Set-Cookie is stored: curl's `-b jar -c jar`).

        Recorded like any other exchange, so replayed credentials show up on the stage.
        """
        context = RequestContext(url=self.resolve(url), method=method.upper(), initiator=None,
                                 top_level_navigation=False)
        return await self._send(context, headers, body, mode="raw", with_cookies=cookie_jar,
                                store_cookies=cookie_jar)

    # --- the wire -----------------------------------------------------------------------

    async def _send(
        self,
        context: RequestContext,
        headers: Mapping[str, str],
        body: bytes | None,
        *,
        mode: str,
        with_cookies: bool = True,
        store_cookies: bool = True,
        cors: tuple[str | None, Credentials] | None = None,
    ) -> Exchange:
        """Send one request; `cors` (page origin, credentials mode) marks a cross-origin
        fetch whose response the page may only read if the server allows it."""
        self.expire_cookies()
        decisions = tuple(self.jar.for_request(context)) if with_cookies else ()
        send_headers = dict(headers)
        # A raw request's own Cookie header stays (a cookie it names wins over the jar's of
        # the same name); a page cannot write one (a forbidden header), so the jar's is all.
        written = next((k for k in send_headers if k.lower() == "cookie"), None)
        own = send_headers[written] if written and mode == "raw" else ""
        named = {part.split("=", 1)[0].strip() for part in own.split(";")}
        cookie_header = "; ".join(
            [f"{d.cookie.name}={d.cookie.value}" for d in decisions
             if d.sent and d.cookie.name not in named] + ([own] if own else [])
        )
        if cookie_header:  # a raw request's in its own place and spelling
            send_headers[written if own and written else "Cookie"] = cookie_header
        if mode != "raw":
            send_headers.update(fetch_metadata(context, mode))
            if sends_origin(context):
                send_headers["Origin"] = context.initiator or "null"
        request = httpx.Request(context.method, context.url, headers=send_headers,
                                content=body)
        response = await self.network.send(request)
        recorded_request = RecordedRequest(
            context.method, context.url, tuple(request.headers.multi_items()), body or b""
        )
        recorded_response = RecordedResponse(
            response.status_code, tuple(response.headers.multi_items()), response.content
        )
        set_cookies = recorded_response.header_values("set-cookie") if store_cookies else []
        before = self._cookie_keys()
        stored = tuple(self.jar.set_from_response(context, set_cookies)) if set_cookies else ()
        exchange = Exchange(
            at=self.clock.now(), browser=self.name, request=recorded_request,
            response=recorded_response, context=context, cookies_sent=decisions,
            cookies_stored=stored,
        )
        if cors is not None and not cors_allows(recorded_response, *cors):
            # Decided before emitting, so listeners see what the script will see.
            exchange = _replace(exchange, readable_by_script=False, notes=(
                "cross-origin response without Access-Control-Allow-Origin: the server "
                "acted on the request, but the page's script cannot read the answer",
            ))
        # The exchange first, then what it did to the jar: the order a learner reads it in.
        self._emit(exchange)
        self._report_store(stored, before)
        return exchange

    def _cookie_keys(self) -> set[CookieKey]:
        # The store's own identity (§5.7 step 23): a host-only cookie and a Domain= one
        # of the same name are two cookies, so storing one never "replaces" the other.
        return {c.key for c in self.jar.cookies()}

    def _report_store(
        self, decisions: Sequence[StoreDecision], before: set[CookieKey]
    ) -> None:
        now = self.clock.now()
        for decision in decisions:
            cookie = decision.cookie
            for evicted in decision.evicted:
                self._emit(CookieRemoved(now, self.name, evicted, f"evicted: {evicted.domain} "
                                         f"went over its {MAX_COOKIES_PER_DOMAIN} cookies"))
            if decision.removed and cookie is not None:
                self._emit(CookieRemoved(now, self.name, cookie, "deleted-by-server"))
            elif decision.stored and cookie is not None:
                replaced = cookie.key in before
                self._emit(CookieStored(now, self.name, cookie, replaced))
            elif not decision.stored:
                self._emit(CookieRejected(now, self.name, decision.cookie_name, decision.reason))

    def receive_cookie_from(self, url: str, set_cookie: str) -> StoreDecision:
        """A `Set-Cookie` arriving from another page the user opened (e.g. a sibling
        subdomain the attacker controls), judged by the jar's usual rules."""
        before = self._cookie_keys()
        context = RequestContext(url=url, method="GET", initiator=None,
                                 top_level_navigation=True)
        decisions = self.jar.set_from_response(context, [set_cookie])
        self._report_store(decisions, before)
        return decisions[0]

    def expire_cookies(self) -> None:
        """Drop cookies whose time has come (the clock may have moved)."""
        for cookie in self.jar.purge_expired():
            self._emit(CookieRemoved(self.clock.now(), self.name, cookie, "expired"))

    def clear_site_cookies(self, site: str) -> None:
        """What "clear cookies for this site" in the browser's settings does."""
        host = urlsplit(site).hostname or ""
        for cookie in self.jar.remove_for_host(host):
            self._emit(CookieRemoved(self.clock.now(), self.name, cookie, "cleared-by-user"))

    def restart(self) -> None:
        """Close and reopen the browser: session cookies and sessionStorage are gone."""
        for cookie in self.jar.clear_session_cookies():
            self._emit(CookieRemoved(self.clock.now(), self.name, cookie, "browser-restart"))
        self.session_storage.clear()

    # --- web storage and scripts ------------------------------------------------------------

    def storage(self, area: StorageArea, origin: str) -> dict[str, str]:
        """One origin's localStorage or sessionStorage (a copy: write with `store`)."""
        areas = self.local_storage if area == "localStorage" else self.session_storage
        return dict(areas.get(origin, {}))

    def store(self, area: StorageArea, origin: str, key: str, value: str | None) -> None:
        """Write (or with None, remove) one key, as `localStorage.setItem` would."""
        areas = self.local_storage if area == "localStorage" else self.session_storage
        bucket = areas.setdefault(origin, {})
        if value is None:
            if bucket.pop(key, None) is None:
                return
        else:
            bucket[key] = value
        self._emit(StorageWritten(self.clock.now(), self.name, area, origin, key, value))

    def script(self) -> PageScript:
        """JavaScript running in the current page (the page's own, or injected by XSS)."""
        if self.location is None:
            raise ValueError("no page is open: navigate somewhere first")
        return PageScript(self)

    # --- snapshots ------------------------------------------------------------------------

    def snapshot(self) -> BrowserSnapshot:
        """The browser's memory, copied."""
        return BrowserSnapshot(
            jar=self.jar.snapshot(),
            local_storage=copy.deepcopy(self.local_storage),
            session_storage=copy.deepcopy(self.session_storage),
            location=self.location,
            keys=dict(self.keys),
        )

    def restore(self, snapshot: BrowserSnapshot) -> None:
        """Put the browser's memory back exactly."""
        self.jar.restore(snapshot.jar)
        self.local_storage = copy.deepcopy(snapshot.local_storage)
        self.session_storage = copy.deepcopy(snapshot.session_storage)
        self.location = snapshot.location
        self.keys = dict(snapshot.keys)


class RedirectLoop(Exception):
    """A navigation kept being redirected."""


def _replace(exchange: Exchange, **changes: object) -> Exchange:
    import dataclasses

    return dataclasses.replace(exchange, **changes)  # type: ignore[arg-type]
