"""Sending cookies: SameSite, Secure, scope and order (RFC 6265bis §5.8.3), with reasons."""

from __future__ import annotations

import pytest

from tutor.browser.cookies import CookieJar, RequestContext, SendDecision
from tutor.clock import SimulatedClock

BANK = "https://bank.test/"
EVIL = "https://evil.test"


@pytest.fixture
def jar(clock: SimulatedClock) -> CookieJar:
    return CookieJar(clock)


def only_decision(jar: CookieJar, request: RequestContext) -> SendDecision:
    [decision] = jar.for_request(request)
    return decision


# The four kinds of request every SameSite value is tested against.
REQUESTS = {
    "same-site": RequestContext(BANK, "POST", initiator="https://www.bank.test",
                                top_level_navigation=False, from_script=True),
    "cross-site top-level GET": RequestContext(BANK, "GET", initiator=EVIL),
    "cross-site top-level POST": RequestContext(BANK, "POST", initiator=EVIL),
    "cross-site fetch": RequestContext(BANK, "GET", initiator=EVIL, top_level_navigation=False,
                                       from_script=True),
}

LAX_DEFAULT = "no SameSite (treated as Lax)"
SAME_SITE_TABLE = [
    # attribute, request kind, sent, reason
    ("Strict", "same-site", True, "same-site request"),
    ("Strict", "cross-site top-level GET", False,
     "SameSite=Strict: not sent on a cross-site top-level GET navigation"),
    ("Strict", "cross-site top-level POST", False,
     "SameSite=Strict: not sent on a cross-site POST"),
    ("Strict", "cross-site fetch", False, "SameSite=Strict: not sent on a cross-site fetch"),
    ("Lax", "same-site", True, "same-site request"),
    ("Lax", "cross-site top-level GET", True,
     "SameSite=Lax: sent on a cross-site top-level GET navigation"),
    ("Lax", "cross-site top-level POST", False, "SameSite=Lax: not sent on a cross-site POST"),
    ("Lax", "cross-site fetch", False, "SameSite=Lax: not sent on a cross-site fetch"),
    ("None", "same-site", True, "same-site request"),
    ("None", "cross-site top-level GET", True,
     "SameSite=None: sent on a cross-site top-level GET navigation"),
    ("None", "cross-site top-level POST", True, "SameSite=None: sent on a cross-site POST"),
    ("None", "cross-site fetch", True, "SameSite=None: sent on a cross-site fetch"),
    (None, "same-site", True, "same-site request"),
    (None, "cross-site top-level GET", True,
     f"{LAX_DEFAULT}: sent on a cross-site top-level GET navigation"),
    (None, "cross-site top-level POST", False, f"{LAX_DEFAULT}: not sent on a cross-site POST"),
    (None, "cross-site fetch", False, f"{LAX_DEFAULT}: not sent on a cross-site fetch"),
]


@pytest.mark.parametrize(("same_site", "kind", "sent", "reason"), SAME_SITE_TABLE)
def test_same_site_table(
    jar: CookieJar, clock: SimulatedClock, same_site: str | None, kind: str, sent: bool, reason: str
) -> None:
    """§5.8.3: Strict only same-site; Lax (and absent, as in Chromium) also on cross-site
    top-level GETs; None everywhere (it must be Secure). The cookies are older than the
    two-minute Lax-allowing-unsafe window (tested in test_cookie_rules.py)."""
    attribute = f"; SameSite={same_site}" if same_site else ""
    jar.set_from_response(RequestContext(BANK), [f"c=1; Secure; Path=/{attribute}"])
    clock.advance(121)
    decision = only_decision(jar, REQUESTS[kind])
    assert (decision.sent, decision.reason) == (sent, reason)


def test_a_typed_url_counts_as_same_site(jar: CookieJar) -> None:
    """No initiator (address bar, bookmark): even Strict cookies go."""
    jar.set_from_response(RequestContext(BANK), ["c=1; SameSite=Strict"])
    assert jar.cookie_header(RequestContext(BANK, initiator=None)) == "c=1"


def test_same_site_is_schemeful(jar: CookieJar) -> None:
    """§5.2: a link from http://bank.test to https://bank.test is cross-site."""
    jar.set_from_response(RequestContext(BANK), ["c=1; SameSite=Strict"])
    decision = only_decision(jar, RequestContext(BANK, initiator="http://bank.test"))
    assert not decision.sent


def test_lax_cookies_go_on_other_safe_methods_but_not_on_subresources(jar: CookieJar) -> None:
    """§5.8.3: "safe" methods are GET, HEAD, OPTIONS, TRACE; subresources never qualify."""
    jar.set_from_response(RequestContext(BANK), ["c=1; SameSite=Lax"])
    assert only_decision(jar, RequestContext(BANK, "HEAD", initiator=EVIL)).sent
    image = RequestContext(BANK, initiator=EVIL, top_level_navigation=False)
    assert only_decision(jar, image).reason == (
        "SameSite=Lax: not sent on a cross-site subresource request"
    )


def test_secure_cookies_are_not_sent_over_http(jar: CookieJar) -> None:
    """§5.8.3: the secure-only flag demands a secure scheme."""
    jar.set_from_response(RequestContext(BANK), ["sid=1; Secure"])
    decision = only_decision(jar, RequestContext("http://bank.test/"))
    assert (decision.sent, decision.reason) == (False, "Secure: not sent over http")


@pytest.mark.parametrize(
    ("set_by", "line", "url", "reason"),
    [
        (BANK, "a=1; Path=/admin", "https://bank.test/profile",
         "path /admin does not match /profile"),
        ("https://example.test/", "a=1; Domain=example.test", "https://evil.test/",
         "domain example.test does not match evil.test"),
        (BANK, "a=1", "https://api.bank.test/",
         "host-only cookie for bank.test; not sent to api.bank.test"),
    ],
)
def test_scope_reasons(jar: CookieJar, set_by: str, line: str, url: str, reason: str) -> None:
    """§5.8.3: domain and path scope, each withheld cookie with a readable reason."""
    jar.set_from_response(RequestContext(set_by), [line])
    decision = only_decision(jar, RequestContext(url))
    assert (decision.sent, decision.reason) == (False, reason)


def test_every_cookie_gets_a_decision_and_sent_ones_are_ordered(
    jar: CookieJar, clock: SimulatedClock
) -> None:
    """§5.8.3 step 2: longer paths first, then older first; withheld ones listed after."""
    jar.set_from_response(RequestContext(BANK), ["root=1; Path=/", "other=x; Path=/other"])
    clock.advance(1)
    jar.set_from_response(RequestContext(BANK), ["deep=2; Path=/a/b", "mid=3; Path=/a"])
    clock.advance(1)
    jar.set_from_response(RequestContext(BANK), ["early=0; Path=/"])
    decisions = jar.for_request(RequestContext("https://bank.test/a/b/c"))
    assert [(d.cookie.name, d.sent) for d in decisions] == [
        ("deep", True), ("mid", True), ("root", True), ("early", True), ("other", False),
    ]
    assert jar.cookie_header(RequestContext("https://bank.test/a/b/c")) == (
        "deep=2; mid=3; root=1; early=0"
    )


def test_replacement_keeps_creation_time_and_therefore_order(
    jar: CookieJar, clock: SimulatedClock
) -> None:
    """§5.7 step 23: a replaced cookie keeps its creation time (and its sending place)."""
    jar.set_from_response(RequestContext(BANK), ["a=1", "b=1"])
    created = jar.cookies()[0].created_at
    clock.advance(30)
    [decision] = jar.set_from_response(RequestContext(BANK), ["a=2; Max-Age=100"])
    assert decision.stored and decision.reason == "replaced the old value (creation time kept)"
    assert decision.cookie is not None and decision.cookie.created_at == created
    assert jar.cookie_header(RequestContext(BANK)) == "a=2; b=1"
    assert [c.name for c in jar.cookies()] == ["a", "b"]


def test_host_only_and_domain_cookies_of_one_name_are_different_cookies(jar: CookieJar) -> None:
    """§5.7 step 23 keys on name, domain, host-only flag and path."""
    jar.set_from_response(RequestContext(BANK), ["a=host", "a=domain; Domain=bank.test"])
    assert jar.cookie_header(RequestContext(BANK)) == "a=host; a=domain"
    assert jar.cookie_header(RequestContext("https://api.bank.test/")) == "a=domain"


def test_no_cookie_means_no_header(jar: CookieJar) -> None:
    """`cookie_header` is None, not "", when nothing goes."""
    assert jar.cookie_header(RequestContext(BANK)) is None
    jar.set_from_response(RequestContext(BANK), ["a=1; Path=/admin"])
    assert jar.cookie_header(RequestContext(BANK)) is None
