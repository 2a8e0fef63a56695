"""The simulated browser's cookie jar: what it stores, what it sends, and why.

It follows RFC 6265bis (draft-ietf-httpbis-rfc6265bis): §5.7 for storing and §5.8.3 for
choosing the cookies of a request, plus CHIPS (`Partitioned`). Python's `http.cookiejar`
has neither SameSite, the `__Host-`/`__Secure-` prefixes nor partitions, so every
decision is made here, and each comes with a short reason a learner can read. Time comes
only from the clock passed in. What the draft leaves to each browser (Lax by default,
the two-minute Lax+POST window, third-party cookies, whether `http://localhost` is
secure) is the jar's `CookiePolicy` (`cookie_policy.py`).

Simplifications, each a deliberate choice for the lessons:
- No frames: a fetch's top-level site is the site of the page that sent it.
- The per-domain limit is the draft's minimum (50) and the total limit is not modelled.
  Over the limit the draft's order of eviction applies (expired, then non-Secure, then
  any cookie of that domain field), but oldest first by creation: the jar does not track
  last-access-time, so a cookie read often is not spared. Chrome and Firefox count per
  registrable domain (180 each), so their group is wider than one domain field; a
  `Domain=bank.test` cookie set from a subdomain shares the bank's count in both.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from tutor.browser.cookie_model import (
    COOKIE_AGE_LIMIT,
    Cookie,
    CookieKey,
    RequestContext,
    SendDecision,
    StoreDecision,
)
from tutor.browser.cookie_parse import (
    ParsedSetCookie,
    ParseFailure,
    default_path,
    domain_matches,
    parse_set_cookie,
    path_matches,
)
from tutor.browser.cookie_policy import (
    MAX_COOKIES_PER_DOMAIN,
    CookiePolicy,
    cross_site_decision,
    is_secure_connection,
    is_third_party,
    partition_key,
    same_site_label,
    third_party_refusal,
)
from tutor.browser.sites import host_of, is_ip_address, is_public_suffix
from tutor.clock import Clock

__all__ = [
    "Cookie",
    "CookieJar",
    "CookiePolicy",
    "RequestContext",
    "SendDecision",
    "StoreDecision",
]


class _Rejected(Exception):
    """Internal: a step of §5.7 says to ignore the cookie entirely."""


class CookieJar:
    """A browser's cookies, judged by RFC 6265bis on a simulated clock."""

    def __init__(self, clock: Clock, policy: CookiePolicy | None = None) -> None:
        self._clock = clock
        self.policy = policy or CookiePolicy()
        """The profile's choices where the draft leaves them to the browser."""
        # Insertion-ordered; a replaced cookie keeps its place, so listings stay stable.
        self._store: dict[CookieKey, Cookie] = {}

    # --- storing ------------------------------------------------------------------------

    def set_from_response(
        self, request: RequestContext, set_cookie_headers: Iterable[str]
    ) -> list[StoreDecision]:
        """Apply each Set-Cookie of a response to `request`; one decision per header."""
        return [self._store_line(line, request, from_script=False)
                for line in set_cookie_headers]

    def set_from_script(self, page_url: str, assignment: str) -> StoreDecision:
        """`document.cookie = assignment` on the page at `page_url` (a non-HTTP API).

        HttpOnly cookies can neither be created nor overwritten this way (§5.7 steps 15
        and 23). The page is a top-level document, so SameSite never blocks it.
        """
        return self._store_line(assignment, RequestContext(url=page_url), from_script=True)

    def _store_line(self, line: str, request: RequestContext, *, from_script: bool
                    ) -> StoreDecision:
        parsed = parse_set_cookie(line)
        if isinstance(parsed, ParseFailure):
            return StoreDecision(parsed.name, False, parsed.reason, None)
        try:
            cookie = self._judge(parsed, request, from_script)
            return self._insert(cookie, parsed, from_script)
        except _Rejected as rejection:
            return StoreDecision(parsed.name, False, str(rejection), None)

    def _judge(self, parsed: ParsedSetCookie, request: RequestContext, from_script: bool
               ) -> Cookie:
        """Steps 5-22 of 6265bis §5.7 (and CHIPS): build the cookie or raise `_Rejected`."""
        url = request.url
        may_set_same_site = request.is_same_site or request.top_level_navigation
        host = host_of(url)
        if not host:
            raise _Rejected(f"{url!r} has no host to store a cookie for")
        secure_origin = is_secure_connection(url, self.policy)
        now = self._clock.now()
        expires_at = self._expiry(parsed, now)
        domain, host_only = self._domain(parsed.domain, host)
        if parsed.path is not None and parsed.path.startswith("/"):
            path = parsed.path
        else:
            path = default_path(urlsplit(url).path)
        self._check_prefixes(parsed, secure_origin, path)
        if parsed.secure and not secure_origin:
            raise _Rejected("Secure: cannot be set from an http page"
                            + ("" if self.policy.localhost_is_secure
                               else " (this browser does not count localhost as secure)"))
        if from_script and parsed.http_only:
            raise _Rejected("HttpOnly: a script cannot create an HttpOnly cookie")
        if not parsed.secure and not secure_origin:
            self._leave_secure_cookies_alone(parsed.name, domain, path, now)
        enforced_lax = parsed.same_site != "Default" or self.policy.lax_by_default
        if parsed.same_site != "None" and enforced_lax and not may_set_same_site:
            raise _Rejected(f"{same_site_label(parsed.same_site, self.policy)}: ignored in "
                            "a cross-site fetch or subresource response")
        if parsed.same_site == "None" and not parsed.secure:
            raise _Rejected("SameSite=None requires the Secure attribute")
        return Cookie(
            name=parsed.name, value=parsed.value, domain=domain, host_only=host_only,
            path=path, secure=parsed.secure, http_only=parsed.http_only,
            same_site=parsed.same_site, expires_at=expires_at, created_at=now,
            persistent=expires_at is not None,
            partition_key=self._partition(parsed, request),
        )

    def _partition(self, parsed: ParsedSetCookie, request: RequestContext) -> str | None:
        """CHIPS: the partition a cookie goes into, or None; `_Rejected` if blocked."""
        if parsed.partitioned:
            if not parsed.secure:
                raise _Rejected("Partitioned: the Secure attribute is required")
            return partition_key(request)
        if is_third_party(request):
            if self.policy.third_party == "block":
                raise _Rejected(f"third-party cookies are blocked in this browser (the "
                                f"tab shows {partition_key(request)}); only Partitioned "
                                "cookies may be set here")
            if self.policy.third_party == "partition":
                return partition_key(request)
        return None

    @staticmethod
    def _expiry(parsed: ParsedSetCookie, now: float) -> float | None:
        """§5.7 step 6: Max-Age beats Expires; ≤ 0 or a past date means "expire now"."""
        if parsed.max_age is not None:
            return now + min(parsed.max_age, COOKIE_AGE_LIMIT) if parsed.max_age > 0 else now
        if parsed.expires is not None:
            return max(now, min(parsed.expires, now + COOKIE_AGE_LIMIT))
        return None

    @staticmethod
    def _domain(domain_attribute: str | None, host: str) -> tuple[str, bool]:
        """§5.7 steps 7-10: the cookie's domain and host-only flag, or `_Rejected`."""
        if domain_attribute is None:
            return host, True
        if not domain_attribute.isascii():
            raise _Rejected(f"Domain={domain_attribute}: not an ASCII host name")
        if is_ip_address(host):
            # An IP address has no subdomains; a Domain equal to it is host-only, as in
            # Chromium, and any other Domain is refused.
            if domain_attribute == host:
                return host, True
            raise _Rejected(f"Domain={domain_attribute}: an IP address host ({host}) can "
                            "only set host-only cookies")
        if is_public_suffix(domain_attribute):
            if domain_attribute == host:
                return host, True
            raise _Rejected(f"Domain={domain_attribute} is a public suffix: one site cannot "
                            "set cookies for every site under it")
        if not domain_matches(host, domain_attribute):
            raise _Rejected(f"Domain={domain_attribute} does not match the host {host}")
        return domain_attribute, False

    @staticmethod
    def _check_prefixes(parsed: ParsedSetCookie, secure_origin: bool, path: str) -> None:
        """§5.7 steps 20-21, checked early so the reason names the prefix.

        Prefixes are matched case-insensitively, as the latest drafts require.
        """
        name = parsed.name.lower()
        for prefix in ("__secure-", "__host-"):
            if not name.startswith(prefix):
                continue
            label = parsed.name[: len(prefix)]
            if not parsed.secure:
                raise _Rejected(f"{label} prefix: the Secure attribute is required")
            if not secure_origin:
                raise _Rejected(f"{label} prefix: must be set from an https page")
            if prefix == "__host-" and parsed.domain is not None:
                raise _Rejected(f"{label} prefix: a Domain attribute is not allowed")
            if prefix == "__host-" and (parsed.path is None or path != "/"):
                raise _Rejected(f"{label} prefix: Path=/ is required")

    def _leave_secure_cookies_alone(self, name: str, domain: str, path: str, now: float) -> None:
        """§5.7 step 16: an http page may not shadow or overwrite a Secure cookie."""
        for existing in self._store.values():
            if (
                existing.secure
                and not existing.is_expired(now)
                and existing.name == name
                and (domain_matches(domain, existing.domain)
                     or domain_matches(existing.domain, domain))
                and path_matches(path, existing.path)
            ):
                raise _Rejected(f"a Secure cookie named {name} exists; an http page cannot "
                                "overwrite it")

    def _insert(self, cookie: Cookie, parsed: ParsedSetCookie, from_script: bool) -> StoreDecision:
        """§5.7 steps 23-25: replace a same-key cookie, keeping its creation time."""
        now = self._clock.now()
        old = self._store.get(cookie.key)
        if old is not None and old.is_expired(now):
            # Already dead, only not yet purged: a browser would have dropped it.
            del self._store[cookie.key]
            old = None
        if old is not None and from_script and old.http_only:
            raise _Rejected(f"HttpOnly: a script cannot overwrite the HttpOnly cookie {old.name}")
        if cookie.is_expired(now):
            how = (f"Max-Age={parsed.max_age}" if parsed.max_age is not None
                   else "Expires is in the past")
            if old is None:
                return StoreDecision(cookie.name, False,
                                     f"{how}: already expired, nothing to delete", None)
            del self._store[cookie.key]
            return StoreDecision(cookie.name, False, f"{how}: deleted the stored cookie",
                                 old, removed=True)
        if old is None:
            self._store[cookie.key] = cookie
            evicted = self._evict_over_limit(cookie)
            if cookie in evicted:
                # §5.7: a non-Secure cookie may not push out a Secure one; it goes itself.
                raise _Rejected(f"{cookie.domain} already has {MAX_COOKIES_PER_DOMAIN} "
                                "cookies, all Secure; a cookie without Secure cannot evict "
                                "one of them")
            if evicted:
                return StoreDecision(cookie.name, True, _eviction_reason(cookie, evicted),
                                     cookie, evicted=evicted)
            how = f" in the partition of {cookie.partition_key}" if cookie.partition_key else ""
            return StoreDecision(cookie.name, True, f"stored{how}", cookie)
        kept = dataclasses.replace(cookie, created_at=old.created_at)
        self._store[cookie.key] = kept
        return StoreDecision(cookie.name, True, "replaced the old value (creation time kept)",
                             kept)

    def _evict_over_limit(self, newest: Cookie) -> tuple[Cookie, ...]:
        """6265bis §5.7 "remove excess cookies" (§6.1's limit) for `newest`'s domain field.

        Eviction order: expired cookies, then those without Secure, then any; within a
        group the oldest first (creation time standing in for last-access-time). The
        newest cookie is a candidate too, so a non-Secure cookie arriving at a domain
        full of Secure ones is the one dropped (Firefox refuses it the same way).
        """
        now = self._clock.now()
        same_domain = [c for c in self._store.values()
                       if c.domain == newest.domain and c.partition_key == newest.partition_key]
        excess = len(same_domain) - MAX_COOKIES_PER_DOMAIN
        if excess <= 0:
            return ()
        # sorted() is stable, so equal creation times keep the store's (insertion) order.
        ranked = sorted(same_domain,
                        key=lambda c: (not c.is_expired(now), c.secure, c.created_at))
        victims = tuple(ranked[:excess])
        for cookie in victims:
            del self._store[cookie.key]
        return victims

    # --- sending ------------------------------------------------------------------------

    def for_request(self, request: RequestContext) -> list[SendDecision]:
        """Every cookie in the jar, each sent or withheld from `request`, and why.

        Sent cookies come first, in the order of 6265bis §5.8.3 (longer paths first, then
        older cookies); withheld ones follow in jar order.
        """
        sent: list[SendDecision] = []
        withheld: list[SendDecision] = []
        for cookie in self._store.values():
            decision = self._decide(cookie, request)
            (sent if decision.sent else withheld).append(decision)
        return _in_sending_order(sent) + withheld

    def cookie_header(self, request: RequestContext) -> str | None:
        """The Cookie header for `request`: "a=1; b=2", or None when no cookie goes."""
        pairs = [f"{d.cookie.name}={d.cookie.value}" for d in self.for_request(request) if d.sent]
        return "; ".join(pairs) if pairs else None

    def document_cookie(self, page_url: str) -> str:
        """What `document.cookie` reads on `page_url`: like a same-site request, minus
        HttpOnly cookies (§5.8.3, "non-HTTP" API)."""
        page_load = RequestContext(url=page_url)
        decisions = [self._decide(cookie, page_load) for cookie in self._store.values()]
        visible = [d for d in decisions if d.sent and not d.cookie.http_only]
        return "; ".join(f"{d.cookie.name}={d.cookie.value}" for d in _in_sending_order(visible))

    def _decide(self, cookie: Cookie, request: RequestContext) -> SendDecision:
        """The checks of 6265bis §5.8.3, first failure reported, in a learner's order."""
        now = self._clock.now()
        parts = urlsplit(request.url)
        host = host_of(request.url)
        request_path = parts.path or "/"
        scheme = parts.scheme.lower()
        secure = is_secure_connection(request.url, self.policy)
        if cookie.is_expired(now):
            return SendDecision(cookie, False, _expired_reason(now - (cookie.expires_at or now)))
        if cookie.host_only and host != cookie.domain:
            return SendDecision(cookie, False,
                                f"host-only cookie for {cookie.domain}; not sent to {host}")
        if not cookie.host_only and not domain_matches(host, cookie.domain):
            return SendDecision(cookie, False, f"domain {cookie.domain} does not match {host}")
        if not path_matches(request_path, cookie.path):
            return SendDecision(cookie, False,
                                f"path {cookie.path} does not match {request_path}")
        if cookie.secure and not secure:
            return SendDecision(cookie, False, f"Secure: not sent over {scheme or 'plain text'}")
        refusal = third_party_refusal(cookie, request, self.policy)
        if refusal is not None:
            return SendDecision(cookie, False, refusal)
        if request.is_same_site:
            why = ("same-site request (http to localhost counts as secure)"
                   if cookie.secure and scheme == "http" else "same-site request")
            return SendDecision(cookie, True, why)
        return cross_site_decision(cookie, request, self.policy, now)

    # --- lifetime and state -------------------------------------------------------------

    def cookies(self) -> list[Cookie]:
        """The live (unexpired) cookies, in the order they were first stored."""
        now = self._clock.now()
        return [cookie for cookie in self._store.values() if not cookie.is_expired(now)]

    def purge_expired(self) -> list[Cookie]:
        """Remove and return the cookies expired at the clock's current time."""
        now = self._clock.now()
        return self._remove_where(lambda cookie: cookie.is_expired(now))

    def clear_session_cookies(self) -> list[Cookie]:
        """What closing the browser does: drop (and return) every non-persistent cookie."""
        return self._remove_where(lambda cookie: not cookie.persistent)

    def remove_for_host(self, host: str) -> list[Cookie]:
        """"Clear cookies for this site" in the settings: drop (and return) every cookie
        `host` would receive, and every cookie of its subdomains."""
        host = host.lower().rstrip(".")
        return self._remove_where(lambda cookie: domain_matches(host, cookie.domain)
                                  or domain_matches(cookie.domain, host))

    def devtools_set(self, cookie: Cookie, value: str) -> Cookie:
        """Edit a stored cookie's value by hand, as in the browser's devtools.

        No rule applies (devtools may edit HttpOnly cookies too); everything but the value
        is kept. Raises KeyError if `cookie` is not in the jar.
        """
        if cookie.key not in self._store:
            raise KeyError(f"no cookie {cookie.name} for {cookie.domain}{cookie.path}")
        edited = dataclasses.replace(self._store[cookie.key], value=value)
        self._store[cookie.key] = edited
        return edited

    def snapshot(self) -> object:
        """An immutable copy of the jar's contents, for `restore`."""
        return tuple(self._store.items())

    def restore(self, snapshot: object) -> None:
        """Put the jar back exactly as it was when `snapshot` was taken."""
        if not isinstance(snapshot, tuple):
            raise TypeError("not a CookieJar snapshot")
        self._store = dict(snapshot)

    def _remove_where(self, condition: Callable[[Cookie], bool]) -> list[Cookie]:
        removed = [cookie for cookie in self._store.values() if condition(cookie)]
        for cookie in removed:
            del self._store[cookie.key]
        return removed


def _in_sending_order(decisions: list[SendDecision]) -> list[SendDecision]:
    """§5.8.3 step 2: longer paths first, then earlier creation (stable for ties)."""
    return sorted(decisions, key=lambda d: (-len(d.cookie.path), d.cookie.created_at))


def _eviction_reason(cookie: Cookie, evicted: tuple[Cookie, ...]) -> str:
    """"stored; bank.test went over its 50 cookies, so its oldest Secure cookie (sid)
    was evicted": the limit, the group the victim came from, and its name."""
    names = ", ".join(c.name for c in evicted)
    kind = "Secure " if all(c.secure for c in evicted) else "non-Secure "
    what = "cookie was" if len(evicted) == 1 else "cookies were"
    return (f"stored; {cookie.domain} went over its {MAX_COOKIES_PER_DOMAIN} cookies, so "
            f"its oldest {kind}{what} evicted ({names})")


def _expired_reason(seconds_ago: float) -> str:
    whole_seconds = int(seconds_ago)
    return f"expired {whole_seconds}s ago" if whole_seconds else "expired just now"
