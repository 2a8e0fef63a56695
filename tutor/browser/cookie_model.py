"""The records of the cookie jar: a stored cookie, a request, and the jar's decisions.

Kept apart from `cookies.py` (which re-exports them) only to keep modules short.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from email.utils import formatdate
from typing import TYPE_CHECKING

from tutor.browser.sites import same_site

if TYPE_CHECKING:
    from tutor.browser.cookie_parse import SameSite

COOKIE_AGE_LIMIT = 400 * 24 * 60 * 60
"""6265bis §5.6.1-2: no cookie may be kept longer than 400 days, whatever it asks for."""

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
"""Methods that let a Lax cookie travel on a cross-site top-level navigation (§5.8.3)."""

CookieKey = tuple[str, str, bool, str, str]
"""A cookie's identity in the store (§5.7 step 23): name, domain, host-only, path, and
(CHIPS) the partition key, "" for an unpartitioned cookie."""


@dataclass(frozen=True)
class Cookie:
    """One cookie as the browser keeps it (the fields of 6265bis §5.7)."""

    name: str
    value: str
    domain: str
    """The host it was set by (host-only) or the Domain attribute."""
    host_only: bool
    """True when set without Domain: sent to exactly `domain`, not its subdomains."""
    path: str
    secure: bool
    http_only: bool
    same_site: SameSite
    expires_at: float | None
    """Unix time it expires at; None for a session cookie (gone when the browser closes)."""
    created_at: float
    """When first stored; kept when a later Set-Cookie replaces it (§5.7 step 23)."""
    persistent: bool
    """Whether it survives a browser restart (it had Max-Age or Expires)."""
    partition_key: str | None = None
    """CHIPS: the top-level site this cookie is kept for ("https://bank.test"); None
    for an ordinary cookie, which is shared by every top-level site."""

    @property
    def key(self) -> CookieKey:
        """What makes two cookies the same cookie to the store."""
        return (self.name, self.domain, self.host_only, self.path, self.partition_key or "")

    def is_expired(self, now: float) -> bool:
        """Expired at `now`: a cookie with Max-Age=60 lives for exactly 60 seconds."""
        return self.expires_at is not None and now >= self.expires_at

    def attributes(self, now: float | None = None) -> str:
        """The attributes that would recreate this cookie, for display.

        "Domain=bank.test; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=3600". A
        host-only cookie shows no Domain, and "Default" shows no SameSite, because that
        is how their Set-Cookie looked. The lifetime is Max-Age (seconds left) when `now`
        is given, else the Expires date.
        """
        parts = [] if self.host_only else [f"Domain={self.domain}"]
        parts.append(f"Path={self.path}")
        if self.secure:
            parts.append("Secure")
        if self.http_only:
            parts.append("HttpOnly")
        if self.same_site != "Default":
            parts.append(f"SameSite={self.same_site}")
        if self.partition_key is not None:
            parts.append("Partitioned")
        if self.expires_at is not None:
            if now is None:
                parts.append(f"Expires={formatdate(self.expires_at, usegmt=True)}")
            else:
                parts.append(f"Max-Age={max(0, math.ceil(self.expires_at - now))}")
        return "; ".join(parts)


@dataclass(frozen=True)
class StoreDecision:
    """What the jar did with one Set-Cookie line (or one `document.cookie =`)."""

    cookie_name: str
    stored: bool
    reason: str
    cookie: Cookie | None
    """The cookie stored; the cookie deleted when `removed`; else None."""
    removed: bool = False
    """True when this line deleted an existing cookie (Max-Age=0, Expires in the past)."""
    evicted: tuple[Cookie, ...] = ()
    """Cookies the store dropped to make room for this one (the per-domain limit)."""


@dataclass(frozen=True)
class SendDecision:
    """Whether one stored cookie went with a request, and why."""

    cookie: Cookie
    sent: bool
    reason: str


@dataclass(frozen=True)
class RequestContext:
    """What the jar needs to know about a request besides its URL."""

    url: str
    method: str = "GET"
    initiator: str | None = None
    """Origin of the page that started the request; None when the user typed the URL or
    used a bookmark, which counts as same-site."""
    top_level_navigation: bool = True
    """False for fetch(), images, iframes and other subresources."""
    from_script: bool = False
    """Started by the page's script (fetch). Its cookies are still HTTP cookies: this
    does not make HttpOnly cookies visible."""

    @property
    def is_same_site(self) -> bool:
        """Same-site in the sense of 6265bis §5.2 (no redirect chains are modelled)."""
        return self.initiator is None or same_site(self.initiator, self.url)
