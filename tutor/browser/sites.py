"""Origins and sites: the two notions of "the same place" that cookie rules depend on.

An *origin* is scheme + host + port (`https://bank.test`). A *site* is coarser: scheme
plus registrable domain, so `https://api.bank.test` and `https://www.bank.test` are
same-site but not same-origin. SameSite cookies use the site (RFC 6265bis §5.2).

There is no Public Suffix List here on purpose: the tutor runs offline and only ever
talks to made-up hosts. `registrable_domain` is therefore an approximation (the last two
labels, or three under a few well-known multi-label suffixes) and says so.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
"""Ports an origin leaves out of its serialization."""

MULTI_LABEL_SUFFIXES = frozenset({
    "co.uk", "org.uk", "ac.uk", "gov.uk", "com.au", "net.au", "org.au", "co.jp",
    "co.nz", "com.br", "co.in", "github.io", "gitlab.io", "herokuapp.com",
    "netlify.app", "vercel.app", "pages.dev", "appspot.com", "blogspot.com",
})
"""A few public suffixes of more than one label, where anyone can register a name (or,
like github.io, get a subdomain): `alice.github.io` and `bob.github.io` are different
sites. The real list has thousands of entries; these are the ones learners meet."""

OPAQUE_ORIGIN = "null"
"""How an origin without a host (about:blank, data: URLs) serializes."""


@lru_cache(maxsize=4096)  # pure, and asked on every request
def host_of(url: str) -> str:
    """The URL's host, lower-cased, without IPv6 brackets or a trailing dot; "" if none."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.rstrip(".")


def is_ip_address(host: str) -> bool:
    """Whether `host` is an IPv4 or IPv6 address rather than a name."""
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


@lru_cache(maxsize=4096)  # pure, and asked on every request
def origin_of(url: str) -> str:
    """The serialized origin of a URL: "https://bank.test", "http://127.0.0.1:8000".

    The default port for the scheme is left out, as browsers do. URLs without a host
    have an opaque origin, serialized as "null".
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return OPAQUE_ORIGIN
    scheme = parts.scheme.lower()
    host = host_of(url)
    if not host or not scheme:
        return OPAQUE_ORIGIN
    shown_host = f"[{host}]" if ":" in host else host
    if port is None or port == DEFAULT_PORTS.get(scheme):
        return f"{scheme}://{shown_host}"
    return f"{scheme}://{shown_host}:{port}"


def is_public_suffix(domain: str) -> bool:
    """Whether nobody may set cookies for all of `domain` (approximation, see module doc).

    Single labels ("test", "com", "localhost") and the built-in multi-label suffixes
    count; IP addresses do not (they are hosts, not suffixes).
    """
    domain = domain.lower().rstrip(".")
    if not domain or is_ip_address(domain):
        return False
    return "." not in domain or domain in MULTI_LABEL_SUFFIXES


@lru_cache(maxsize=4096)  # pure, and asked on every request
def registrable_domain(host: str) -> str:
    """The part of a host name that one owner registered: "bank.test" for "api.bank.test".

    An approximation of "public suffix + one label" without the Public Suffix List: the
    last two labels, or the last three under a built-in multi-label suffix
    ("alice.github.io", "shop.co.uk"). IP addresses, "localhost", other single labels and
    bare public suffixes are returned whole.
    """
    host = host.lower().strip("[]").rstrip(".")
    if is_ip_address(host):
        return host
    labels = host.split(".")
    if len(labels) <= 2:
        return host
    last_two = ".".join(labels[-2:])
    keep = 3 if last_two in MULTI_LABEL_SUFFIXES else 2
    return ".".join(labels[-keep:])


@lru_cache(maxsize=4096)  # pure, and asked on every request
def site_of(url: str) -> tuple[str, str] | None:
    """The schemeful site (scheme, registrable domain) of a URL; None if it has no host."""
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    host = host_of(url)
    if not scheme or not host:
        return None
    return scheme, registrable_domain(host)


def same_site(url_a: str, url_b: str) -> bool:
    """Schemeful same-site (RFC 6265bis §5.2): same scheme and same registrable domain.

    `http://bank.test` and `https://bank.test` are *not* same-site under this rule.
    URLs without a host (opaque origins) are never same-site with anything.
    """
    site_a = site_of(url_a)
    return site_a is not None and site_a == site_of(url_b)


def is_loopback_host(host: str) -> bool:
    """`localhost`, a name under `.localhost`, or a loopback address (127.0.0.0/8, ::1).

    W3C Secure Contexts §3.2 counts these as "potentially trustworthy": traffic to them
    never leaves the machine, so browsers treat them as secure even over plain http.
    """
    host = host.lower().strip("[]").rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def schemes_differ_only(url_a: str, url_b: str) -> bool:
    """Same registrable domain, other scheme: cross-site only because of the scheme."""
    site_a, site_b = site_of(url_a), site_of(url_b)
    return (site_a is not None and site_b is not None and site_a[1] == site_b[1]
            and site_a[0] != site_b[0])


def site_name(url: str) -> str:
    """A schemeful site written as an origin-like string: "https://bank.test"."""
    site = site_of(url)
    return f"{site[0]}://{site[1]}" if site else OPAQUE_ORIGIN
