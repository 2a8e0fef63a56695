"""The hand-written Set-Cookie parser (RFC 6265bis §5.6) and its §5.1 helpers."""

from __future__ import annotations

import calendar

import pytest

from tutor.browser.cookie_parse import (
    ParsedSetCookie,
    ParseFailure,
    default_path,
    domain_matches,
    parse_cookie_date,
    parse_set_cookie,
    path_matches,
)


def parsed(line: str) -> ParsedSetCookie:
    result = parse_set_cookie(line)
    assert isinstance(result, ParsedSetCookie), result
    return result


def failure(line: str) -> ParseFailure:
    result = parse_set_cookie(line)
    assert isinstance(result, ParseFailure), result
    return result


def test_name_and_value_split_on_the_first_semicolon_and_equals() -> None:
    """§5.6 steps 2-3: the value may itself contain "="; whitespace is trimmed."""
    cookie = parsed("  sid = abc=def==  ; Path=/")
    assert (cookie.name, cookie.value, cookie.path) == ("sid", "abc=def==", "/")


def test_real_world_values_that_simple_cookie_rejects_are_kept() -> None:
    """Spaces, quotes, commas and @ are fine for §5.6 (SimpleCookie drops them)."""
    assert parsed('pref="dark mode, big@font"').value == '"dark mode, big@font"'


def test_attribute_names_are_case_insensitive() -> None:
    """§5.6: "secure", "HTTPONLY" and "sAmEsItE" all count."""
    cookie = parsed("a=1; secure; HTTPONLY; sAmEsItE=strict; PATH=/x; DOMAIN=Bank.Test")
    assert cookie.secure and cookie.http_only
    assert (cookie.same_site, cookie.path, cookie.domain) == ("Strict", "/x", "bank.test")


def test_unknown_attributes_are_ignored() -> None:
    """§5.6: Priority and typos change nothing."""
    assert parsed("a=1; Priority=High; Secuer") == ParsedSetCookie("a", "1")


def test_partitioned_is_read() -> None:
    """CHIPS adds the Partitioned attribute; the parser keeps it for the jar to judge."""
    assert parsed("a=1; Secure; Partitioned").partitioned


def test_the_last_attribute_wins() -> None:
    """§5.6: when an attribute repeats, the last one is used."""
    cookie = parsed("a=1; Path=/one; Domain=a.test; Path=/two; Domain=.b.test; SameSite=None; "
                    "SameSite=Lax")
    assert (cookie.path, cookie.domain, cookie.same_site) == ("/two", "b.test", "Lax")


def test_domain_leading_dot_is_stripped_and_an_empty_domain_ignored() -> None:
    """§5.6.3: ".bank.test" means "bank.test"; "Domain=" is ignored entirely."""
    assert parsed("a=1; Domain=.bank.test").domain == "bank.test"
    assert parsed("a=1; Domain=bank.test; Domain=").domain == "bank.test"


def test_unknown_samesite_value_means_default() -> None:
    """§5.6.7: SameSite=Bogus is "Default", even after a valid SameSite."""
    assert parsed("a=1; SameSite=Strict; SameSite=Bogus").same_site == "Default"
    assert parsed("a=1").same_site == "Default"


@pytest.mark.parametrize(
    ("attribute", "max_age"),
    [("Max-Age=60", 60), ("Max-Age=0", 0), ("Max-Age=-5", -5), ("Max-Age=1e3", None),
     ("Max-Age=+5", None), ("Max-Age= 7 ", 7), ("Max-Age=", None), ("Max-Age=60; Max-Age=x", 60)],
)
def test_max_age_is_digits_with_an_optional_minus(attribute: str, max_age: int | None) -> None:
    """§5.6.2: anything but "-"? digits is ignored (keeping an earlier valid value)."""
    assert parsed(f"a=1; {attribute}").max_age == max_age


def test_invalid_expires_is_ignored() -> None:
    """§5.6.1: an unparseable date leaves the cookie a session cookie."""
    assert parsed("a=1; Expires=tomorrow-ish").expires is None


def test_overlong_attribute_values_are_ignored() -> None:
    """§5.6: an attribute value over 1024 bytes is skipped, the cookie kept."""
    cookie = parsed("a=1; Path=/" + "p" * 1100)
    assert cookie.path is None


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("justavalue", "no '='"),
        ("=", "empty name and value"),
        ("  =  ; Path=/", "empty name and value"),
        ("=value", "empty cookie name"),
        ("a=b\x00c", "control characters"),
        ("a=1; Path=/\x7f", "control characters"),
        ("a=" + "x" * 5000, "the limit is 4096"),
    ],
)
def test_malformed_lines_fail_with_a_reason(line: str, reason: str) -> None:
    """§5.6 steps 1, 3, 5 and 6 (nameless cookies refused on purpose: see the parser)."""
    assert reason in failure(line).reason


def test_name_plus_value_of_exactly_4096_bytes_is_allowed() -> None:
    """§5.6 step 6 counts bytes: 4096 is fine, 4097 is not."""
    assert isinstance(parse_set_cookie("ab=" + "x" * 4094), ParsedSetCookie)
    assert isinstance(parse_set_cookie("ab=" + "x" * 4095), ParseFailure)
    # Multi-byte characters count by their UTF-8 length.
    assert isinstance(parse_set_cookie("a=" + "é" * 2048), ParseFailure)


def test_tab_is_not_a_forbidden_control_character() -> None:
    """§5.6 step 1 excludes HTAB; it is whitespace that gets trimmed."""
    assert parsed("a=\t1\t").value == "1"


def utc(*fields: int) -> float:
    return float(calendar.timegm((*fields, 0, 0, 0)))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Wed, 21 Oct 2026 07:28:00 GMT", utc(2026, 10, 21, 7, 28, 0)),
        ("Wednesday, 21-Oct-26 07:28:00 GMT", utc(2026, 10, 21, 7, 28, 0)),
        ("21 Oct 1999 07:28:00", utc(1999, 10, 21, 7, 28, 0)),
        ("Thu, 01 Jan 70 00:00:00 GMT", utc(1970, 1, 1, 0, 0, 0)),
        ("oct 21 69 7:28:0", utc(2069, 10, 21, 7, 28, 0)),
        ("Sun Nov  6 08:49:37 1994", utc(1994, 11, 6, 8, 49, 37)),
        ("31 Feb 2026 00:00:00", None),
        ("21 Oct 2026", None),
        ("32 Oct 2026 00:00:00", None),
        ("21 Oct 1600 00:00:00", None),
        ("21 Oct 2026 24:00:00", None),
        ("", None),
    ],
)
def test_cookie_dates(text: str, expected: float | None) -> None:
    """§5.1.1: tokens in any order; 70-99 → 19xx, 00-69 → 20xx; impossible dates fail."""
    assert parse_cookie_date(text) == expected


@pytest.mark.parametrize(
    ("uri_path", "expected"),
    [("", "/"), ("/", "/"), ("/login", "/"), ("/account/settings", "/account"),
     ("/a/b/c", "/a/b"), ("/a/b/", "/a/b"), ("noslash", "/")],
)
def test_default_path(uri_path: str, expected: str) -> None:
    """§5.1.4: up to, not including, the right-most "/"; "/" if at most one "/"."""
    assert default_path(uri_path) == expected


@pytest.mark.parametrize(
    ("request_path", "cookie_path", "expected"),
    [
        ("/admin", "/admin", True),
        ("/admin/users", "/admin", True),
        ("/admin/users", "/admin/", True),
        ("/administer", "/admin", False),
        ("/profile", "/admin", False),
        ("/", "/admin", False),
        ("/anything", "/", True),
        ("/Admin", "/admin", False),
    ],
)
def test_path_match(request_path: str, cookie_path: str, expected: bool) -> None:
    """§5.1.4: identical, or a prefix ending in "/" or followed by "/"; case-sensitive."""
    assert path_matches(request_path, cookie_path) is expected


@pytest.mark.parametrize(
    ("host", "domain", "expected"),
    [
        ("bank.test", "bank.test", True),
        ("api.bank.test", "bank.test", True),
        ("evilbank.test", "bank.test", False),
        ("bank.test", "api.bank.test", False),
        ("127.0.0.1", "127.0.0.1", True),
        ("10.0.0.1", "0.0.1", False),
    ],
)
def test_domain_match(host: str, domain: str, expected: bool) -> None:
    """§5.1.3: equal, or a subdomain of a host name (never of an IP address)."""
    assert domain_matches(host, domain) is expected
