"""Origins, registrable domains and schemeful same-site (RFC 6265bis §5.2)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tutor.browser.sites import (
    is_public_suffix,
    origin_of,
    registrable_domain,
    same_site,
)


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://bank.test/profile?x=1#top", "https://bank.test"),
        ("https://bank.test:443/", "https://bank.test"),
        ("http://127.0.0.1:8000/login", "http://127.0.0.1:8000"),
        ("HTTPS://Bank.Test/", "https://bank.test"),
        ("https://bank.test:8443/", "https://bank.test:8443"),
        ("http://[::1]:8080/", "http://[::1]:8080"),
        ("about:blank", "null"),
        ("not a url", "null"),
        ("http://bank.test:99999/", "null"),
    ],
)
def test_origin_of(url: str, origin: str) -> None:
    """Scheme, host and non-default port; no host means an opaque "null" origin."""
    assert origin_of(url) == origin


@pytest.mark.parametrize(
    ("host", "registrable"),
    [
        ("bank.test", "bank.test"),
        ("api.bank.test", "bank.test"),
        ("a.b.c.bank.test", "bank.test"),
        ("shop.example.co.uk", "example.co.uk"),
        ("alice.github.io", "alice.github.io"),
        ("x.alice.github.io", "alice.github.io"),
        ("co.uk", "co.uk"),
        ("localhost", "localhost"),
        ("test", "test"),
        ("127.0.0.1", "127.0.0.1"),
        ("::1", "::1"),
        ("API.Bank.Test.", "bank.test"),
    ],
)
def test_registrable_domain_is_an_approximation_of_the_public_suffix_list(
    host: str, registrable: str
) -> None:
    """Last two labels, three under a built-in multi-label suffix; IPs and single labels
    whole."""
    assert registrable_domain(host) == registrable


@pytest.mark.parametrize(
    ("domain", "expected"),
    [("test", True), ("com", True), ("co.uk", True), ("github.io", True),
     ("bank.test", False), ("alice.github.io", False), ("127.0.0.1", False)],
)
def test_is_public_suffix(domain: str, expected: bool) -> None:
    """Single labels and the built-in suffixes are public; IP addresses are hosts."""
    assert is_public_suffix(domain) is expected


@pytest.mark.parametrize(
    ("url_a", "url_b", "expected"),
    [
        ("https://bank.test/", "https://bank.test/x", True),
        ("https://www.bank.test/", "https://api.bank.test/", True),
        ("https://bank.test/", "https://bank.test:8443/", True),
        ("https://bank.test/", "https://evil.test/", False),
        ("http://bank.test/", "https://bank.test/", False),
        ("https://alice.github.io/", "https://bob.github.io/", False),
        ("http://127.0.0.1:8000/", "http://127.0.0.1:9000/", True),
        ("http://127.0.0.1/", "http://127.0.0.2/", False),
        ("about:blank", "about:blank", False),
    ],
)
def test_same_site_is_schemeful(url_a: str, url_b: str, expected: bool) -> None:
    """6265bis §5.2: same scheme and same registrable domain; ports do not matter."""
    assert same_site(url_a, url_b) is expected
    assert same_site(url_b, url_a) is expected


@pytest.mark.slow
def test_the_cookie_jar_imports_neither_textual_nor_httpx() -> None:
    """The jar is pure: importing it pulls in no UI or HTTP library."""
    code = (
        "import sys, tutor.browser.cookies, tutor.browser.sites\n"
        "bad = [m for m in ('textual', 'httpx') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == ""
