"""The rules browsers apply today, each with the reason the stage shows.

Sections are those of draft-ietf-httpbis-rfc6265bis-22; `Partitioned` is CHIPS
(draft-cutler-httpbis-partitioned-cookies). What the draft leaves to each browser is a
`CookiePolicy`; the default is Chrome's.
"""

from __future__ import annotations

import pytest

from tutor.browser.cookie_policy import MAX_COOKIES_PER_DOMAIN, CookiePolicy
from tutor.browser.cookies import CookieJar, RequestContext, SendDecision, StoreDecision
from tutor.clock import SimulatedClock

BANK = "https://bank.test/"
EVIL = "https://evil.test"
WIDGET = "https://widget.test/"
FORGED_POST = RequestContext(BANK, "POST", initiator=EVIL)


def jar_with(clock: SimulatedClock, **policy: object) -> CookieJar:
    return CookieJar(clock, CookiePolicy(**policy))  # type: ignore[arg-type]


def store(jar: CookieJar, request: RequestContext | str, line: str) -> StoreDecision:
    context = RequestContext(request) if isinstance(request, str) else request
    [decision] = jar.set_from_response(context, [line])
    return decision


def decision(jar: CookieJar, request: RequestContext) -> SendDecision:
    [only] = jar.for_request(request)
    return only


# --- §5.6.7 "Default" is Lax, and §5.6.7.2 Lax-allowing-unsafe ----------------------------


def test_no_samesite_is_lax_once_two_minutes_have_passed(clock: SimulatedClock) -> None:
    """§5.6.7: an absent SameSite is enforced as Lax (Chrome); a forged POST goes bare."""
    jar = jar_with(clock)
    store(jar, BANK, "sid=1; Secure")
    clock.advance(120)
    verdict = decision(jar, FORGED_POST)
    assert not verdict.sent
    assert verdict.reason == "no SameSite (treated as Lax): not sent on a cross-site POST"


def test_a_fresh_no_samesite_cookie_rides_a_top_level_post(clock: SimulatedClock) -> None:
    """§5.6.7.2: Lax-allowing-unsafe waives the safe-method rule for two minutes."""
    jar = jar_with(clock)
    store(jar, BANK, "sid=1; Secure")
    clock.advance(45)
    verdict = decision(jar, FORGED_POST)
    assert verdict.sent
    assert verdict.reason == (
        "no SameSite (treated as Lax), but set 45s ago: Lax-allowing-unsafe (Chrome's "
        "two-minute Lax+POST window) lets it go on a cross-site POST")


@pytest.mark.parametrize(("line", "request_"), [
    ("sid=1; Secure; SameSite=Lax", FORGED_POST),
    ("sid=1; Secure", RequestContext(BANK, "POST", initiator=EVIL,
                                     top_level_navigation=False, from_script=True)),
])
def test_the_window_is_only_for_no_samesite_top_level_requests(
    clock: SimulatedClock, line: str, request_: RequestContext
) -> None:
    """§5.6.7.2: an explicit SameSite=Lax, or a cross-site fetch, gets no window."""
    jar = jar_with(clock)
    store(jar, BANK, line)
    assert not decision(jar, request_).sent


def test_a_profile_without_the_window(clock: SimulatedClock) -> None:
    """§5.6.7.2 is a MAY: a browser without it withholds the fresh cookie."""
    jar = jar_with(clock, lax_allowing_unsafe=False)
    store(jar, BANK, "sid=1; Secure")
    assert decision(jar, FORGED_POST).reason == (
        "no SameSite (treated as Lax): not sent on a cross-site POST")


def test_a_profile_that_does_not_default_to_lax(clock: SimulatedClock) -> None:
    """Firefox and Safari keep "Default" unrestricted: the forged POST carries the cookie."""
    jar = jar_with(clock, lax_by_default=False)
    store(jar, BANK, "sid=1; Secure")
    clock.advance(600)
    verdict = decision(jar, FORGED_POST)
    assert verdict.sent
    assert verdict.reason == ("no SameSite (no restriction in this browser): sent on a "
                              "cross-site POST")


# --- §5.7: SameSite=None needs Secure; §5.2 schemeful same-site ----------------------------


def test_samesite_none_without_secure_is_refused(clock: SimulatedClock) -> None:
    """§5.7 (storage model): a "None" same-site flag without secure-only is ignored."""
    refused = store(jar_with(clock), BANK, "sid=1; SameSite=None")
    assert not refused.stored
    assert refused.reason == "SameSite=None requires the Secure attribute"


def test_http_and_https_of_one_domain_are_cross_site(clock: SimulatedClock) -> None:
    """§5.2: same-site is schemeful; the reason says why the request is cross-site."""
    jar = jar_with(clock)
    store(jar, BANK, "sid=1; Secure; SameSite=Lax")
    verdict = decision(jar, RequestContext(BANK, "POST", initiator="http://bank.test"))
    assert not verdict.sent
    assert verdict.reason == (
        "SameSite=Lax: not sent on a cross-site POST (from http://bank.test: same domain, "
        "other scheme, so cross-site)")


# --- §4.1.3 prefixes and §5.7: secure connections, localhost included ----------------------


@pytest.mark.parametrize(("url", "line", "reason"), [
    ("https://bank.test/", "__Secure-id=1", "__Secure- prefix: the Secure attribute is required"),
    ("http://bank.test/", "__Secure-id=1; Secure",
     "__Secure- prefix: must be set from an https page"),
    ("https://bank.test/", "__Host-id=1; Secure; Path=/; Domain=bank.test",
     "__Host- prefix: a Domain attribute is not allowed"),
    ("https://bank.test/", "__Host-id=1; Secure; Path=/app",
     "__Host- prefix: Path=/ is required"),
])
def test_prefixes(clock: SimulatedClock, url: str, line: str, reason: str) -> None:
    """§4.1.3.1 (__Secure-) and §4.1.3.2 (__Host-), enforced in §5.7."""
    refused = store(jar_with(clock), url, line)
    assert (refused.stored, refused.reason) == (False, reason)


@pytest.mark.parametrize("origin", ["http://localhost:8000", "http://127.0.0.1:8000",
                                    "http://app.localhost", "http://[::1]:8000"])
def test_localhost_counts_as_a_secure_connection(clock: SimulatedClock, origin: str) -> None:
    """§5.7 leaves "secure connection" to the browser; Chrome and Firefox count loopback
    hosts (W3C Secure Contexts §3.2), so Secure and __Host- work over plain http there."""
    jar = jar_with(clock)
    assert store(jar, f"{origin}/", "__Host-sid=1; Secure; Path=/").stored
    verdict = decision(jar, RequestContext(f"{origin}/profile"))
    assert verdict.sent
    assert verdict.reason == "same-site request (http to localhost counts as secure)"


def test_a_profile_where_localhost_is_not_secure(clock: SimulatedClock) -> None:
    refused = store(jar_with(clock, localhost_is_secure=False), "http://localhost/",
                    "sid=1; Secure")
    assert refused.reason == ("Secure: cannot be set from an http page (this browser does "
                              "not count localhost as secure)")


# --- CHIPS: Partitioned cookies are kept per top-level site --------------------------------

EMBEDDED_IN_BANK = RequestContext(WIDGET, initiator="https://bank.test",
                                  top_level_navigation=False, from_script=True)
EMBEDDED_IN_EVIL = RequestContext(WIDGET, initiator=EVIL, top_level_navigation=False,
                                  from_script=True)


def test_partitioned_needs_secure(clock: SimulatedClock) -> None:
    refused = store(jar_with(clock), BANK, "w=1; Partitioned")
    assert refused.reason == "Partitioned: the Secure attribute is required"


def test_a_partitioned_cookie_goes_only_under_its_top_level_site(clock: SimulatedClock) -> None:
    """CHIPS: the partition key is the top-level site; another site's page gets nothing."""
    jar = jar_with(clock)
    kept = store(jar, EMBEDDED_IN_BANK, "w=1; Secure; SameSite=None; Partitioned")
    assert kept.reason == "stored in the partition of https://bank.test"
    assert kept.cookie is not None and kept.cookie.attributes().endswith("Partitioned")
    assert decision(jar, EMBEDDED_IN_BANK).sent
    elsewhere = decision(jar, EMBEDDED_IN_EVIL)
    assert not elsewhere.sent
    assert elsewhere.reason == ("Partitioned: kept for pages on https://bank.test; this "
                                "request comes from a page on https://evil.test")


# --- third-party cookies: blocked (Safari) or partitioned (Firefox) ------------------------


def test_blocked_third_party_cookies_are_neither_stored_nor_sent(clock: SimulatedClock) -> None:
    """The profile blocks cookies whose site differs from the tab's; Partitioned ones pass."""
    jar = jar_with(clock, third_party="block")
    refused = store(jar, EMBEDDED_IN_EVIL, "t=1; Secure; SameSite=None")
    assert refused.reason.startswith("third-party cookies are blocked in this browser")
    assert store(jar, EMBEDDED_IN_EVIL, "p=1; Secure; SameSite=None; Partitioned").stored
    store(jar, WIDGET, "first=1; Secure; SameSite=None")  # set while visiting widget.test
    verdicts = {d.cookie.name: d for d in jar.for_request(EMBEDDED_IN_EVIL)}
    assert verdicts["p"].sent
    assert not verdicts["first"].sent
    assert verdicts["first"].reason == ("third-party cookies are blocked in this browser: the "
                                        "tab shows https://evil.test, not https://widget.test")


def test_partitioning_profile_keeps_a_jar_per_top_level_site(clock: SimulatedClock) -> None:
    """Firefox's Total Cookie Protection: a third-party cookie lands in the tab's partition."""
    jar = jar_with(clock, third_party="partition")
    kept = store(jar, EMBEDDED_IN_EVIL, "t=1; Secure; SameSite=None")
    assert kept.reason == "stored in the partition of https://evil.test"
    assert decision(jar, EMBEDDED_IN_EVIL).sent
    assert not decision(jar, EMBEDDED_IN_BANK).sent


# --- §5.6 size and §6.1 count limits -------------------------------------------------------


def test_a_cookie_over_4096_bytes_is_dropped(clock: SimulatedClock) -> None:
    """§5.6: a name plus value over 4096 octets ignores the whole line."""
    assert store(jar_with(clock), BANK, "big=" + "x" * 4093).stored
    over = store(jar_with(clock), BANK, "big=" + "x" * 4094)
    assert (over.stored, over.reason) == (False,
                                          "name and value are 4097 bytes; the limit is 4096")


def test_the_domain_limit_evicts_the_oldest(clock: SimulatedClock) -> None:
    """§6.1 (at least 50 per domain) and §5.7's eviction: the oldest cookie goes first."""
    jar = jar_with(clock)
    for number in range(MAX_COOKIES_PER_DOMAIN):
        assert store(jar, BANK, f"c{number}=1").stored
        clock.advance(1)
    newest = store(jar, BANK, "one_too_many=1")
    assert newest.stored and [c.name for c in newest.evicted] == ["c0"]
    assert newest.reason == (f"stored; bank.test went over its {MAX_COOKIES_PER_DOMAIN} "
                             "cookies, so its oldest non-Secure cookie was evicted (c0)")
    assert len(jar.cookies()) == MAX_COOKIES_PER_DOMAIN


def test_a_subdomain_domain_cookie_shares_the_count_of_a_host_only_one(
        clock: SimulatedClock) -> None:
    """§5.7 counts cookies "sharing a domain field": a host-only cookie of bank.test and
    `Domain=bank.test` cookies set by a subdomain have the same one, so the subdomain's
    cookies can push the bank's own out (lesson 17's scene)."""
    jar = jar_with(clock)
    store(jar, BANK, "__Host-sid=s; Secure; Path=/; HttpOnly")
    clock.advance(60)
    ads = "https://ads.bank.test/"
    for number in range(1, MAX_COOKIES_PER_DOMAIN):
        assert not store(jar, ads, f"ad{number}=1; Domain=bank.test; Secure").evicted
    last = store(jar, ads, f"ad{MAX_COOKIES_PER_DOMAIN}=1; Domain=bank.test; Secure")
    assert [c.name for c in last.evicted] == ["__Host-sid"]
    assert "its oldest Secure cookie was evicted (__Host-sid)" in last.reason
    assert "__Host-sid" not in {c.name for c in jar.cookies()}


def test_another_domain_field_has_its_own_count(clock: SimulatedClock) -> None:
    """Host-only cookies of a subdomain have the domain field ads.bank.test: not the
    bank's count (Chrome and Firefox group per registrable domain, a wider group)."""
    jar = jar_with(clock)
    store(jar, BANK, "__Host-sid=s; Secure; Path=/")
    for number in range(MAX_COOKIES_PER_DOMAIN + 5):
        store(jar, "https://ads.bank.test/", f"ad{number}=1; Secure")
    assert "__Host-sid" in {c.name for c in jar.cookies()}


def test_non_secure_cookies_are_evicted_before_secure_ones(clock: SimulatedClock) -> None:
    """§5.7 "remove excess cookies": cookies without Secure go first, even when a
    Secure cookie is older (draft-ietf-httpbis-cookie-alone §3.3)."""
    jar = jar_with(clock)
    store(jar, BANK, "__Host-sid=s; Secure; Path=/")
    clock.advance(1)
    for number in range(MAX_COOKIES_PER_DOMAIN - 1):
        store(jar, BANK, f"plain{number}=1")
    newest = store(jar, BANK, "secure_too=1; Secure")
    assert [c.name for c in newest.evicted] == ["plain0"]
    assert "__Host-sid" in {c.name for c in jar.cookies()}


def test_a_non_secure_cookie_cannot_evict_a_secure_one(clock: SimulatedClock) -> None:
    """A domain full of Secure cookies: the new non-Secure cookie is the one dropped, as
    §5.7's order makes it (and as Firefox refuses it)."""
    jar = jar_with(clock)
    for number in range(MAX_COOKIES_PER_DOMAIN):
        store(jar, BANK, f"s{number}=1; Secure")
    clock.advance(1)
    late = store(jar, BANK, "plain=1")
    assert (late.stored, late.evicted) == (False, ())
    assert late.reason == (f"bank.test already has {MAX_COOKIES_PER_DOMAIN} cookies, all "
                           "Secure; a cookie without Secure cannot evict one of them")
    assert len(jar.cookies()) == MAX_COOKIES_PER_DOMAIN


def test_expired_cookies_are_evicted_first(clock: SimulatedClock) -> None:
    jar = jar_with(clock)
    store(jar, BANK, "old=1; Secure")
    store(jar, BANK, "short=1; Secure; Max-Age=5")
    for number in range(MAX_COOKIES_PER_DOMAIN - 2):
        store(jar, BANK, f"s{number}=1; Secure")
    clock.advance(10)
    newest = store(jar, BANK, "new=1; Secure")
    assert [c.name for c in newest.evicted] == ["short"]
