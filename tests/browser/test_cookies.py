"""Storing cookies: each rule of RFC 6265bis §5.7 the jar enforces, one test at a time."""

from __future__ import annotations

import pytest

from tutor.browser.cookies import Cookie, CookieJar, RequestContext, StoreDecision
from tutor.clock import SimulatedClock

BANK = "https://bank.test/"
EVIL = "https://evil.test"


@pytest.fixture
def jar(clock: SimulatedClock) -> CookieJar:
    return CookieJar(clock)


def store(jar: CookieJar, url: str, line: str, **context: object) -> StoreDecision:
    """Apply one Set-Cookie line received in response to `url`."""
    request = RequestContext(url, **context)  # type: ignore[arg-type]
    [decision] = jar.set_from_response(request, [line])
    return decision


def stored(jar: CookieJar, url: str, line: str, **context: object) -> Cookie:
    decision = store(jar, url, line, **context)
    assert decision.stored and decision.cookie is not None, decision.reason
    return decision.cookie


def rejected(jar: CookieJar, url: str, line: str, **context: object) -> str:
    decision = store(jar, url, line, **context)
    assert not decision.stored and decision.cookie is None, decision
    assert jar.cookies() == []
    return decision.reason


def sent_names(jar: CookieJar, url: str, **context: object) -> list[str]:
    request = RequestContext(url, **context)  # type: ignore[arg-type]
    return [d.cookie.name for d in jar.for_request(request) if d.sent]


# --- Domain (§5.7 steps 7-10) -----------------------------------------------------------


def test_without_domain_a_cookie_is_host_only(jar: CookieJar) -> None:
    """§5.7 step 10: no Domain → host-only: sent to bank.test, not to its subdomains."""
    cookie = stored(jar, BANK, "sid=1")
    assert (cookie.domain, cookie.host_only) == ("bank.test", True)
    assert sent_names(jar, "https://bank.test/x") == ["sid"]
    assert sent_names(jar, "https://api.bank.test/x") == []


def test_domain_attribute_covers_subdomains(jar: CookieJar) -> None:
    """§5.7 step 10: Domain=bank.test set by api.bank.test reaches every *.bank.test."""
    cookie = stored(jar, "https://api.bank.test/", "sid=1; Domain=.Bank.Test")
    assert (cookie.domain, cookie.host_only) == ("bank.test", False)
    assert sent_names(jar, "https://bank.test/") == ["sid"]
    assert sent_names(jar, "https://www.bank.test/") == ["sid"]
    assert sent_names(jar, "https://evilbank.test/") == []


@pytest.mark.parametrize(
    ("url", "domain"),
    [(BANK, "evil.test"), (BANK, "api.bank.test"), ("https://api.bank.test/", "www.bank.test")],
)
def test_domain_that_does_not_match_the_host_is_rejected(
    jar: CookieJar, url: str, domain: str
) -> None:
    """§5.7 step 10: a site cannot set cookies for another site or a sibling/child."""
    assert f"Domain={domain} does not match" in rejected(jar, url, f"sid=1; Domain={domain}")


@pytest.mark.parametrize(
    ("url", "domain"),
    [(BANK, "test"), ("https://shop.example.co.uk/", "co.uk"),
     ("https://alice.github.io/", "github.io")],
)
def test_domain_set_to_a_public_suffix_is_rejected(jar: CookieJar, url: str, domain: str) -> None:
    """§5.7 step 9: Domain=test would reach every .test site; refused."""
    assert "public suffix" in rejected(jar, url, f"sid=1; Domain={domain}")


def test_domain_equal_to_a_public_suffix_host_becomes_host_only(jar: CookieJar) -> None:
    """§5.7 step 9: when the host itself is the suffix, the Domain is dropped."""
    cookie = stored(jar, "http://localhost:8000/", "sid=1; Domain=localhost")
    assert (cookie.domain, cookie.host_only) == ("localhost", True)


def test_ip_address_hosts_only_get_host_only_cookies(jar: CookieJar) -> None:
    """§5.1.3: an IP has no subdomains; Domain=<same IP> is host-only, others refused."""
    cookie = stored(jar, "http://127.0.0.1:8000/", "sid=1; Domain=127.0.0.1")
    assert cookie.host_only
    assert "IP address" in rejected(CookieJar(SimulatedClock()), "http://127.0.0.1/",
                                    "sid=1; Domain=0.0.1")


def test_non_ascii_domain_is_rejected(jar: CookieJar) -> None:
    """§5.7 step 8: Domain must be ASCII (IDNs arrive punycoded)."""
    assert "ASCII" in rejected(jar, "https://xn--bnk-sna.test/", "sid=1; Domain=bänk.test")


# --- Path (§5.1.4, §5.7 step 11) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "attribute", "path"),
    [
        ("https://bank.test/account/settings", "", "/account"),
        ("https://bank.test/login", "", "/"),
        ("https://bank.test/account/settings", "; Path=/", "/"),
        ("https://bank.test/", "; Path=/admin", "/admin"),
        ("https://bank.test/account/settings", "; Path=admin", "/account"),
        ("https://bank.test/account/settings", "; Path=", "/account"),
    ],
)
def test_path_defaults_to_the_directory_of_the_request(
    jar: CookieJar, url: str, attribute: str, path: str
) -> None:
    """§5.1.4 default-path, used when Path is absent or does not start with "/"."""
    assert stored(jar, url, "a=1" + attribute).path == path


def test_path_scopes_sending(jar: CookieJar) -> None:
    """§5.1.4 path-match: /admin reaches /admin/users but not /administer or /profile."""
    stored(jar, BANK, "a=1; Path=/admin")
    assert sent_names(jar, "https://bank.test/admin/users") == ["a"]
    assert sent_names(jar, "https://bank.test/administer") == []
    assert sent_names(jar, "https://bank.test/profile") == []


# --- Secure (§5.7 steps 12-13, 16) --------------------------------------------------------


def test_secure_cookie_from_https_is_stored(jar: CookieJar) -> None:
    """§5.7 step 12: the secure-only flag comes from the Secure attribute."""
    assert stored(jar, BANK, "sid=1; Secure").secure


@pytest.mark.parametrize("url", ["http://bank.test/", "http://localhost.bank.test/",
                                 "http://10.0.0.1:8000/"])
def test_secure_cookie_from_http_is_rejected(jar: CookieJar, url: str) -> None:
    """§5.7 step 13. http is not secure, except to loopback hosts (test_cookie_rules.py)."""
    assert rejected(jar, url, "sid=1; Secure") == "Secure: cannot be set from an http page"


def test_http_cannot_overwrite_or_delete_a_secure_cookie(jar: CookieJar) -> None:
    """§5.7 step 16 (leave secure cookies alone): http may not replace or delete it."""
    original = stored(jar, BANK, "sid=good; Secure; Path=/")
    for line in ["sid=evil; Path=/", "sid=evil; Domain=bank.test; Path=/", "sid=; Max-Age=0",
                 "sid=evil; Path=/deeper"]:
        decision = store(jar, "http://bank.test/", line)
        assert not decision.stored and "Secure cookie named sid" in decision.reason
    assert jar.cookies() == [original]


def test_http_may_set_an_unrelated_name_or_a_non_overlapping_path(jar: CookieJar) -> None:
    """§5.7 step 16 only blocks same name, overlapping domain, path-matching path."""
    stored(jar, BANK, "sid=good; Secure; Path=/admin")
    stored(jar, "http://bank.test/", "theme=dark")
    stored(jar, "http://bank.test/", "sid=other; Path=/")
    assert len(jar.cookies()) == 3


# --- HttpOnly (§5.7 steps 14-15, 23) -------------------------------------------------------


def test_script_cannot_create_an_http_only_cookie(jar: CookieJar) -> None:
    """§5.7 step 15: HttpOnly from a non-HTTP API is ignored."""
    decision = jar.set_from_script(BANK, "sid=stolen; HttpOnly")
    assert not decision.stored
    assert decision.reason == "HttpOnly: a script cannot create an HttpOnly cookie"


def test_script_cannot_overwrite_or_delete_an_http_only_cookie(jar: CookieJar) -> None:
    """§5.7 step 23: a script's cookie may not replace an HttpOnly one of the same key."""
    original = stored(jar, BANK, "sid=server; HttpOnly; Path=/")
    for assignment in ["sid=attacker; Path=/", "sid=; Max-Age=0; Path=/"]:
        decision = jar.set_from_script("https://bank.test/profile", assignment)
        assert not decision.stored and not decision.removed
        assert "cannot overwrite the HttpOnly cookie sid" in decision.reason
    assert jar.cookies() == [original]


def test_script_can_set_and_read_ordinary_cookies(jar: CookieJar) -> None:
    """document.cookie writes and reads non-HttpOnly cookies; HttpOnly stays invisible."""
    stored(jar, BANK, "sid=server; HttpOnly; Path=/")
    decision = jar.set_from_script("https://bank.test/", "theme=dark; Path=/")
    assert decision.stored and decision.reason == "stored"
    assert jar.document_cookie("https://bank.test/") == "theme=dark"
    assert jar.cookie_header(RequestContext("https://bank.test/")) == "sid=server; theme=dark"


def test_document_cookie_respects_secure_path_and_domain(jar: CookieJar) -> None:
    """What a script sees follows the same scope rules as requests (§5.8.3)."""
    stored(jar, BANK, "sec=1; Secure; Path=/")
    stored(jar, BANK, "adm=2; Path=/admin")
    stored(jar, BANK, "all=3; Path=/")
    assert jar.document_cookie("https://bank.test/admin/x") == "adm=2; sec=1; all=3"
    assert jar.document_cookie("http://bank.test/") == "all=3"
    assert jar.document_cookie("https://evil.test/") == ""


# --- SameSite (§5.6.7, §5.7 steps 17-19) ---------------------------------------------------


def test_same_site_none_without_secure_is_rejected(jar: CookieJar) -> None:
    """§5.7 step 19: SameSite=None requires Secure."""
    reason = rejected(jar, BANK, "t=1; SameSite=None")
    assert reason == "SameSite=None requires the Secure attribute"
    assert stored(jar, BANK, "t=1; SameSite=None; Secure").same_site == "None"


@pytest.mark.parametrize(
    ("attribute", "label"),
    [("; SameSite=Strict", "SameSite=Strict"), ("; SameSite=Lax", "SameSite=Lax"),
     ("", "no SameSite (treated as Lax)")],
)
def test_cross_site_subresource_response_cannot_set_same_site_cookies(
    jar: CookieJar, attribute: str, label: str
) -> None:
    """§5.7 step 18: only same-site or top-level-navigation responses set them."""
    reason = rejected(jar, BANK, "t=1; Secure" + attribute, initiator=EVIL,
                      top_level_navigation=False)
    assert reason == f"{label}: ignored in a cross-site fetch or subresource response"


def test_cross_site_responses_that_may_set_cookies(jar: CookieJar) -> None:
    """§5.7 step 18: SameSite=None from a subresource, anything on a top-level navigation."""
    stored(jar, BANK, "n=1; SameSite=None; Secure", initiator=EVIL, top_level_navigation=False)
    stored(jar, BANK, "s=1; SameSite=Strict", initiator=EVIL, method="POST")
    stored(jar, "https://api.bank.test/", "l=1; SameSite=Lax", initiator="https://www.bank.test",
           top_level_navigation=False)


# --- Prefixes (§5.7 steps 20-21) -----------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "line", "reason"),
    [
        (BANK, "__Secure-id=1", "__Secure- prefix: the Secure attribute is required"),
        ("http://bank.test/", "__Secure-id=1; Secure",
         "__Secure- prefix: must be set from an https page"),
        (BANK, "__SECURE-id=1", "__SECURE- prefix: the Secure attribute is required"),
        (BANK, "__Host-id=1; Path=/", "__Host- prefix: the Secure attribute is required"),
        ("http://bank.test/", "__Host-id=1; Secure; Path=/",
         "__Host- prefix: must be set from an https page"),
        (BANK, "__Host-id=1; Secure; Path=/; Domain=bank.test",
         "__Host- prefix: a Domain attribute is not allowed"),
        (BANK, "__Host-id=1; Secure; Path=/admin", "__Host- prefix: Path=/ is required"),
        (BANK, "__Host-id=1; Secure", "__Host- prefix: Path=/ is required"),
    ],
)
def test_prefix_violations_are_rejected(jar: CookieJar, url: str, line: str, reason: str) -> None:
    """__Secure- needs Secure from https; __Host- also needs Path=/ and no Domain."""
    assert rejected(jar, url, line) == reason


def test_prefixed_cookies_that_follow_the_rules_are_stored(jar: CookieJar) -> None:
    """The prefixes are promises the browser enforces, so servers can trust them."""
    stored(jar, "https://api.bank.test/", "__Secure-id=1; Secure; Domain=bank.test")
    host = stored(jar, BANK, "__Host-id=2; Secure; Path=/")
    assert host.host_only and host.path == "/"


# --- Malformed lines (§5.6) ---------------------------------------------------------------


def test_malformed_lines_become_decisions_not_exceptions(jar: CookieJar) -> None:
    """One decision per header, in order; bad ones stored=False with a reason."""
    lines = ["novalue", "=", "a=b\x01c", "big=" + "x" * 5000, "ok=1"]
    decisions = jar.set_from_response(RequestContext(BANK), lines)
    assert [d.stored for d in decisions] == [False, False, False, False, True]
    assert all(d.reason for d in decisions)
    assert decisions[3].cookie_name == "big"
    assert [c.name for c in jar.cookies()] == ["ok"]


def test_a_url_without_a_host_stores_nothing(jar: CookieJar) -> None:
    """Nothing to scope the cookie to: refused rather than raising."""
    assert "no host" in jar.set_from_script("about:blank", "a=1").reason
