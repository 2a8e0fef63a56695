"""Cookie lifetimes on the simulated clock (RFC 6265bis §5.6.1-2, §5.7), restarts and
snapshots, plus property tests over arbitrary headers."""

from __future__ import annotations

import dataclasses
import ipaddress
from email.utils import formatdate
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.long_run import examples
from tutor.browser.cookies import Cookie, CookieJar, RequestContext, StoreDecision
from tutor.clock import SimulatedClock

BANK = "https://bank.test/"


@pytest.fixture
def jar(clock: SimulatedClock) -> CookieJar:
    return CookieJar(clock)


def store(jar: CookieJar, line: str) -> StoreDecision:
    [decision] = jar.set_from_response(RequestContext(BANK), [line])
    return decision


def http_date(moment: float) -> str:
    return formatdate(moment, usegmt=True)


def test_max_age_expiry_is_exact_to_the_second(jar: CookieJar, clock: SimulatedClock) -> None:
    """§5.6.2: Max-Age=60 lives 60 s: sent at +59 s, withheld at +60 s."""
    store(jar, "sid=1; Max-Age=60")
    clock.advance(59)
    assert jar.cookie_header(RequestContext(BANK)) == "sid=1"
    clock.advance(1)
    [decision] = jar.for_request(RequestContext(BANK))
    assert (decision.sent, decision.reason) == (False, "expired just now")
    clock.advance(12)
    assert jar.for_request(RequestContext(BANK))[0].reason == "expired 12s ago"
    assert jar.cookies() == []


def test_expires_uses_the_simulated_clock(jar: CookieJar, clock: SimulatedClock) -> None:
    """§5.6.1: Expires is an absolute date, compared with the clock, never the wall clock."""
    cookie = store(jar, f"sid=1; Expires={http_date(clock.now() + 3600)}").cookie
    assert cookie is not None and cookie.persistent
    assert cookie.expires_at == clock.now() + 3600
    clock.advance(3599)
    assert jar.cookie_header(RequestContext(BANK)) == "sid=1"
    clock.advance(1)
    assert jar.cookie_header(RequestContext(BANK)) is None


@pytest.mark.parametrize("order", ["max-age first", "expires first"])
def test_max_age_beats_expires(jar: CookieJar, clock: SimulatedClock, order: str) -> None:
    """§5.7 step 6: with both, Max-Age decides, whatever their order."""
    attributes = ["Max-Age=10", f"Expires={http_date(clock.now() + 3600)}"]
    if order == "expires first":
        attributes.reverse()
    cookie = store(jar, "sid=1; " + "; ".join(attributes)).cookie
    assert cookie is not None and cookie.expires_at == clock.now() + 10


def test_lifetimes_are_capped_at_400_days(jar: CookieJar, clock: SimulatedClock) -> None:
    """6265bis §5.6.1-2: no cookie outlives 400 days, whatever it asks for."""
    limit = clock.now() + 400 * 86400
    by_max_age = store(jar, "a=1; Max-Age=999999999").cookie
    by_expires = store(jar, "b=1; Expires=Fri, 01 Jan 2100 00:00:00 GMT").cookie
    assert by_max_age is not None and by_max_age.expires_at == limit
    assert by_expires is not None and by_expires.expires_at == limit


@pytest.mark.parametrize("attribute", ["Max-Age=0", "Max-Age=-1",
                                       "Expires=Thu, 01 Jan 1970 00:00:00 GMT"])
def test_expiring_set_cookie_deletes_the_stored_cookie(jar: CookieJar, attribute: str) -> None:
    """§5.6.2 / §5.7: Max-Age ≤ 0 or a past Expires deletes a matching cookie at once."""
    original = store(jar, "sid=1; Path=/").cookie
    decision = store(jar, f"sid=; Path=/; {attribute}")
    assert (decision.stored, decision.removed, decision.cookie) == (False, True, original)
    assert "deleted the stored cookie" in decision.reason
    assert jar.cookies() == []


def test_deleting_a_cookie_that_does_not_exist_changes_nothing(jar: CookieJar) -> None:
    """Nothing matched: not stored, not removed, and the reason says so."""
    decision = store(jar, "sid=; Max-Age=0")
    assert (decision.stored, decision.removed, decision.cookie) == (False, False, None)
    assert decision.reason == "Max-Age=0: already expired, nothing to delete"


def test_deletion_must_match_the_path(jar: CookieJar) -> None:
    """The deleting line must name the same (name, domain, path) as the cookie."""
    store(jar, "sid=1; Path=/")
    assert not store(jar, "sid=; Max-Age=0; Path=/admin").removed
    assert len(jar.cookies()) == 1


def test_purge_expired_removes_and_returns_dead_cookies(
    jar: CookieJar, clock: SimulatedClock
) -> None:
    """Expired cookies stay listed as withheld until purged, then vanish."""
    store(jar, "short=1; Max-Age=5")
    store(jar, "long=1; Max-Age=500")
    store(jar, "session=1")
    assert jar.purge_expired() == []
    clock.advance(5)
    assert [c.name for c in jar.purge_expired()] == ["short"]
    assert [d.cookie.name for d in jar.for_request(RequestContext(BANK))] == ["long", "session"]


def test_restart_clears_session_cookies_only(jar: CookieJar) -> None:
    """Session cookies (no Max-Age/Expires) end with the browser; persistent ones stay."""
    store(jar, "session=1")
    store(jar, "kept=1; Max-Age=3600")
    assert [c.name for c in jar.clear_session_cookies()] == ["session"]
    assert [(c.name, c.persistent) for c in jar.cookies()] == [("kept", True)]


def test_snapshot_and_restore_are_exact(jar: CookieJar, clock: SimulatedClock) -> None:
    """Restoring brings back the same cookies, values, times and order."""
    store(jar, "a=1; Max-Age=60")
    store(jar, "b=2")
    before = jar.snapshot()
    cookies_before = jar.cookies()
    clock.advance(10)
    store(jar, "a=changed")
    store(jar, "b=; Max-Age=0")
    store(jar, "c=3")
    jar.restore(before)
    assert jar.cookies() == cookies_before
    assert jar.snapshot() == before
    with pytest.raises(TypeError):
        jar.restore("not a snapshot")


def test_attributes_render_for_display(jar: CookieJar, clock: SimulatedClock) -> None:
    """The attributes that would recreate the cookie; Max-Age counts down with `now`."""
    jar.set_from_response(RequestContext("https://api.bank.test/"), [
        "sid=1; Domain=bank.test; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=3600",
        "plain=1",
    ])
    domain_cookie, plain = jar.cookies()
    clock.advance(100)
    assert domain_cookie.attributes(clock.now()) == (
        "Domain=bank.test; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=3500"
    )
    assert domain_cookie.attributes().endswith("; Expires=Thu, 01 Jan 2026 01:00:00 GMT")
    assert plain.attributes() == "Path=/"


# --- properties ---------------------------------------------------------------------------

attribute_words = st.sampled_from([
    "Secure", "HttpOnly", "SameSite=Strict", "SameSite=Lax", "SameSite=None", "Path=/",
    "Path=/a", "Domain=bank.test", "Domain=api.bank.test", "Domain=test", "Max-Age=0",
    "Max-Age=30", "Expires=Wed, 21 Oct 2026 07:28:00 GMT", "",
])
structured_lines = st.builds(
    lambda name, value, attrs: "; ".join([f"{name}={value}", *attrs]),
    st.sampled_from(["a", "b", "__Host-a", "__Secure-b", " "]),
    st.text(max_size=8),
    st.lists(attribute_words, max_size=5),
)
any_lines = st.lists(st.one_of(st.text(max_size=60), structured_lines), max_size=6)
request_urls = st.sampled_from([
    BANK, "http://bank.test/a/b", "https://api.bank.test/a", "https://evil.test/",
    "http://127.0.0.1:8000/", "about:blank",
])
requests = st.builds(
    RequestContext, request_urls, st.sampled_from(["GET", "POST"]),
    st.sampled_from([None, "https://evil.test", "https://bank.test"]), st.booleans(),
    st.booleans(),
)


@settings(max_examples=examples(50), deadline=None)
@given(lines=any_lines, request=requests, later=requests, seconds=st.integers(0, 60))
def test_arbitrary_headers_never_raise_and_withheld_cookies_never_leak(
    lines: list[str], request: RequestContext, later: RequestContext, seconds: int
) -> None:
    """set_from_response yields one decision per line, never an exception; the Cookie
    header is exactly the sent decisions, so no withheld cookie is ever in it."""
    clock = SimulatedClock()
    jar = CookieJar(clock)
    decisions = jar.set_from_response(request, lines)
    assert len(decisions) == len(lines)
    assert all(isinstance(d.cookie, Cookie) == (d.stored or d.removed) for d in decisions)
    clock.advance(seconds)
    sent_decisions = jar.for_request(later)
    header = jar.cookie_header(later)
    sent = [f"{d.cookie.name}={d.cookie.value}" for d in sent_decisions if d.sent]
    assert header == ("; ".join(sent) if sent else None)
    assert all(d.reason for d in sent_decisions)
    for decision in sent_decisions:
        if decision.sent:  # an independent check of the most basic rules
            assert not decision.cookie.is_expired(clock.now())
            assert _secure_context(later.url) or not decision.cookie.secure
    assert len(sent_decisions) == len(jar.snapshot())  # type: ignore[arg-type]


def _secure_context(url: str) -> bool:
    """https, or a loopback host, which Chrome and Firefox (the default profile) treat as
    secure for cookies: written out here, not borrowed from the jar."""
    host = (urlsplit(url).hostname or "").rstrip(".")
    if url.startswith("https:") or host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def test_clearing_a_site_removes_its_cookies_and_its_subdomains(jar: CookieJar) -> None:
    """"Clear cookies for bank.test": its own, its parent-domain ones it would receive,
    and its subdomains'; other sites keep theirs."""
    jar.set_from_response(RequestContext(BANK), ["own=1", "wide=1; Domain=bank.test"])
    jar.set_from_response(RequestContext("https://api.bank.test/"), ["api=1"])
    jar.set_from_response(RequestContext("https://evil.test/"), ["other=1"])
    removed = jar.remove_for_host("bank.test")
    assert sorted(c.name for c in removed) == ["api", "own", "wide"]
    assert [c.name for c in jar.cookies()] == ["other"]


def test_devtools_edits_only_the_value(jar: CookieJar, clock: SimulatedClock) -> None:
    """Devtools bypass every rule, HttpOnly included, and keep the other fields."""
    original = store(jar, "sid=1; HttpOnly; Secure; Max-Age=60").cookie
    assert original is not None
    clock.advance(5)
    edited = jar.devtools_set(original, "forged")
    assert edited == dataclasses.replace(original, value="forged")
    assert jar.cookies() == [edited]
    with pytest.raises(KeyError):
        jar.devtools_set(dataclasses.replace(original, path="/x"), "v")
