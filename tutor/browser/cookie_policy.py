"""A browser profile's cookie policy: the choices RFC 6265bis leaves to each browser.

The draft fixes how cookies are parsed, stored and sent, but leaves a few decisions to
the user agent, and today's browsers differ on them:

- whether a cookie without `SameSite` is treated as Lax (Chrome and Edge do; Firefox and
  Safari currently do not),
- whether such a cookie may still ride on a top-level cross-site POST for two minutes
  after it was set (Chrome's "Lax+POST", the draft's "Lax-allowing-unsafe"),
- whether cookies in a third-party context are sent at all (Safari blocks them; Firefox's
  Total Cookie Protection keeps a separate jar per top-level site; Chrome allows them),
- which connections count as secure (Chrome and Firefox include `http://localhost`).

`CookiePolicy()` is the profile the course's lessons describe: Chrome's defaults.
Scenes pick another one with a `cookie_policy:` block.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from tutor.browser.cookie_model import SAFE_METHODS, Cookie, RequestContext, SendDecision
from tutor.browser.sites import (
    host_of,
    is_loopback_host,
    schemes_differ_only,
    site_name,
    site_of,
)

if TYPE_CHECKING:
    from tutor.browser.cookie_parse import SameSite

ThirdPartyCookies = Literal["allow", "block", "partition"]
"""allow: third-party cookies work (Chrome's default); block: none are stored or sent,
as in Safari, except Partitioned ones (as Chrome does when the user blocks third-party
cookies); partition: each top-level site gets its own jar (Firefox)."""

THIRD_PARTY_CHOICES: tuple[ThirdPartyCookies, ...] = ("allow", "block", "partition")

LAX_ALLOWING_UNSAFE_SECONDS = 120
"""Chrome's window for sending a fresh no-SameSite cookie on a top-level cross-site POST."""

MAX_COOKIES_PER_DOMAIN = 50
"""6265bis §6.1: browsers SHOULD keep at least 50 cookies per domain. Real browsers keep
more; the simulated one stops at the minimum so a scene can reach the limit."""


@dataclass(frozen=True)
class CookiePolicy:
    """The cookie choices of one browser profile (defaults: Chrome's, as lessons teach)."""

    lax_by_default: bool = True
    """A cookie without SameSite is enforced as Lax (6265bis §5.6.7, "Default")."""
    lax_allowing_unsafe: bool = True
    """...except for its first two minutes, on top-level cross-site navigations with any
    method (6265bis §5.6.7.2)."""
    third_party: ThirdPartyCookies = "allow"
    """What happens to unpartitioned cookies in a third-party context."""
    localhost_is_secure: bool = True
    """`http://localhost` counts as a secure connection for `Secure` and the prefixes."""

    def describe(self) -> str:
        """One line for the stage: how this profile differs from the default."""
        parts = []
        if not self.lax_by_default:
            parts.append("no SameSite means no restriction")
        elif not self.lax_allowing_unsafe:
            parts.append("no two-minute Lax+POST window")
        if self.third_party != "allow":
            parts.append(f"third-party cookies: {self.third_party}")
        if not self.localhost_is_secure:
            parts.append("http://localhost is not secure")
        return "; ".join(parts) or "Chrome's defaults"


def is_secure_connection(url: str, policy: CookiePolicy) -> bool:
    """https, or (when the profile says so) plain http to a loopback host."""
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return False
    if scheme == "https":
        return True
    return scheme == "http" and policy.localhost_is_secure and is_loopback_host(host_of(url))


def top_level_url(request: RequestContext) -> str:
    """The URL whose site the tab shows: the request itself for a navigation, else the
    page that started it (no frames are modelled, so that page is the top level)."""
    if request.top_level_navigation or request.initiator is None:
        return request.url
    return request.initiator


def is_third_party(request: RequestContext) -> bool:
    """A fetch or subresource whose site is not the top-level page's site."""
    top = top_level_url(request)
    return site_of(top) is not None and site_of(top) != site_of(request.url)


def partition_key(request: RequestContext) -> str:
    """CHIPS: the top-level site a partitioned cookie is kept under ("https://bank.test")."""
    return site_name(top_level_url(request))


def third_party_refusal(cookie: Cookie, request: RequestContext, policy: CookiePolicy
                        ) -> str | None:
    """Why a cookie is withheld for its partition or as a blocked third-party cookie."""
    if cookie.partition_key is not None:
        key = partition_key(request)
        if key != cookie.partition_key:
            return (f"Partitioned: kept for pages on {cookie.partition_key}; this request "
                    f"comes from a page on {key}")
        return None
    if is_third_party(request) and policy.third_party != "allow":
        how = "blocked" if policy.third_party == "block" else "kept per top-level site"
        return (f"third-party cookies are {how} in this browser: the tab shows "
                f"{partition_key(request)}, not {site_name(request.url)}")
    return None


def cross_site_decision(cookie: Cookie, request: RequestContext, policy: CookiePolicy,
                        now: float) -> SendDecision:
    """SameSite on a cross-site request (6265bis §5.8.3 with §5.6.7.1-2): only Lax-ish
    cookies on a top-level navigation with a safe method, SameSite=None cookies, and (in
    Chrome) a no-SameSite cookie under two minutes old on any top-level navigation."""
    method = request.method.upper()
    if not request.top_level_navigation:
        kind = "fetch" if request.from_script else "subresource request"
    elif method in SAFE_METHODS:
        kind = f"top-level {method} navigation"
    else:
        kind = method
    if request.initiator is not None and schemes_differ_only(request.initiator, request.url):
        kind += (f" (from {site_name(request.initiator)}: same domain, other scheme, so "
                 "cross-site)")
    label = same_site_label(cookie.same_site, policy)
    if cookie.same_site == "None" or (cookie.same_site == "Default" and not policy.lax_by_default):
        return SendDecision(cookie, True, f"{label}: sent on a cross-site {kind}")
    lax_like = cookie.same_site in ("Lax", "Default")
    if lax_like and request.top_level_navigation and method in SAFE_METHODS:
        return SendDecision(cookie, True, f"{label}: sent on a cross-site {kind}")
    age = now - cookie.created_at
    if (cookie.same_site == "Default" and policy.lax_allowing_unsafe
            and request.top_level_navigation and age < LAX_ALLOWING_UNSAFE_SECONDS):
        return SendDecision(cookie, True, (
            f"{label}, but set {int(age)}s ago: Lax-allowing-unsafe (Chrome's two-minute "
            f"Lax+POST window) lets it go on a cross-site {kind}"))
    return SendDecision(cookie, False, f"{label}: not sent on a cross-site {kind}")


def same_site_label(same_site_flag: SameSite, policy: CookiePolicy) -> str:
    """How a reason names a cookie's SameSite; "Default" says what this browser does."""
    if same_site_flag == "Default":
        return ("no SameSite (treated as Lax)" if policy.lax_by_default
                else "no SameSite (no restriction in this browser)")
    return f"SameSite={same_site_flag}"
