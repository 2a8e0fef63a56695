"""The findings: what a learner should notice across a recording, one sentence each."""

from __future__ import annotations

import re

from tutor.browser.cookie_parse import path_matches
from tutor.har.credentials import SentCredential, looks_like_session
from tutor.records import FrozenRecord

# False at run time without importing typing, which would cost every command's start
# (docs/architecture.md, "Start-up"); type checkers take the name as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Literal

    from tutor.har.analysis import EntryAnalysis

    FindingKind = Literal["missing-httponly", "missing-secure", "missing-samesite",
                          "credential-in-url", "cookie-cleared", "credential-reused-after-drop"]


_LOGOUT_PATH = re.compile(r"log-?out|sign-?out|log-?off", re.IGNORECASE)

CredentialKey = tuple[str, str, str]
"""(type, name, value): one particular credential."""

REMEMBERED = 4096
"""How many given-up credentials (and, in the analysis, issued ones) a pass remembers:
the oldest are forgotten first, so a streamed recording of any length needs bounded
memory. A credential reused after that many later drops goes unreported."""


class Finding(FrozenRecord):
    """Something worth a learner's attention, about one entry."""

    __slots__ = ("entry", "kind", "message")
    _fields = ("kind", "entry", "message")

    def __init__(self, kind: FindingKind, entry: int, message: str) -> None:
        self.kind = kind
        self.entry = entry
        self.message = message


class FindingTracker:
    """Findings one entry at a time, in order; remembers only what later entries need.

    `issued` holds the names of cookies (and the token values) a login handed out so
    far, kept up to date by the analysis: such a cookie is a credential whatever its
    name."""

    def __init__(self, issued: dict[str, None]) -> None:
        self._issued = issued
        self._drops = _DropTracker(self._issued)

    def visit(self, item: EntryAnalysis) -> list[Finding]:
        """The findings about this entry (every finding is about the entry that shows it)."""
        findings = self._drops.visit(item)
        if item.url_credentials:
            findings[:0] = _url_findings(item)
        if item.set:
            findings[:0] = _cookie_attribute_findings(item, self._issued)
        return findings


def _logs_in(name: str, value: str, issued: dict[str, None]) -> bool:
    """Whether a cookie carries a login: a login handed it out, or its name or value
    says so."""
    return name in issued or looks_like_session(name, value)


def _cookie_attribute_findings(item: EntryAnalysis, issued: dict[str, None]) -> list[Finding]:
    index = item.entry.index
    findings: list[Finding] = []
    for cookie in item.set:
        if cookie.parsed is None:
            continue
        if cookie.cleared:
            findings.append(Finding("cookie-cleared", index, (
                f"The server deletes cookie {cookie.name} here (an expiry in the past or "
                "Max-Age=0): this is how a logout ends a cookie login in the browser. "
                "A copy kept elsewhere may still work if the server does not forget it too.")))
            continue
        if not _logs_in(cookie.name, cookie.value, issued):
            continue
        parsed = cookie.parsed
        if not parsed.http_only:
            findings.append(Finding("missing-httponly", index, (
                f"Cookie {cookie.name} is set without HttpOnly, so any script on the page "
                "can read it with document.cookie; an XSS bug could steal the login.")))
        if not parsed.secure:
            findings.append(Finding("missing-secure", index, (
                f"Cookie {cookie.name} is set without Secure, so the browser also sends it "
                "over plain http, where anyone on the network can read it.")))
        if parsed.same_site == "Default":
            findings.append(Finding("missing-samesite", index, (
                f"Cookie {cookie.name} is set without SameSite, so how it travels on "
                "requests from other sites depends on the browser's default; say Lax or "
                "Strict to make cross-site request forgery harder.")))
    return findings


def _url_findings(item: EntryAnalysis) -> list[Finding]:
    if not item.url_credentials:
        return []
    names = ", ".join(item.url_credentials)
    return [Finding("credential-in-url", item.entry.index, (
        f"The URL carries a credential ({names}). URLs end up in browser history, server "
        "logs and Referer headers, so a secret there leaks; send it in a header or body."))]


def _label(credential: SentCredential) -> str:
    if credential.type == "cookie":
        return f"cookie {credential.name}"
    return "bearer token" if credential.type == "bearer" else "Basic credential"


class _CookiePaths:
    """The cookies the client holds, by host and path, so the ones a request should
    have carried are found by walking the request's path once, not by scanning every
    cookie held (which made a recording with many cookies quadratic).

    Per host, a trie of path segments: `/a/b` is the node reached by "", "a", "b". A
    cookie with path `/a/b` sits in that node's `exact` names (it matches `/a/b` and
    `/a/b/...`), one with path `/a/` in the `/a` node's `below` names (it matches what
    is below `/a/`): together, RFC 6265bis §5.1.4's path-match."""

    def __init__(self) -> None:
        self._roots: dict[str, _PathNode] = {}
        self._places: dict[tuple[str, str], dict[str, None]] = {}
        """(host, cookie path) → the names of its node that such a cookie goes in: a
        cookie given up and held again finds its place without walking the trie."""

    @property
    def ever_held(self) -> bool:
        """Whether any host ever held a cookie (if not, nothing can be missing)."""
        return bool(self._roots)

    def _node(self, host: str, path: str) -> tuple[_PathNode, bool]:
        """The node of `path` (created as needed) and whether the path ends in "/"."""
        segments = path.split("/")
        below = segments[-1] == "" and len(segments) > 1
        if below:
            segments.pop()
        node = self._roots.get(host)
        if node is None:
            node = self._roots[host] = _PathNode()
        for segment in segments:
            child = node.children.get(segment)
            if child is None:
                child = node.children[segment] = _PathNode()
            node = child
        return node, below

    def _names(self, host: str, path: str) -> dict[str, None]:
        """The names a cookie of `path` on `host` goes in (created as needed)."""
        names = self._places.get((host, path))
        if names is None:
            node, below = self._node(host, path)
            names = self._places[host, path] = node.below if below else node.exact
        return names

    def add(self, host: str, path: str, name: str) -> None:
        self._names(host, path)[name] = None

    def remove(self, host: str, path: str, name: str) -> None:
        self._names(host, path).pop(name, None)

    def matching(self, host: str, request_path: str) -> list[str]:
        """Names of held cookies whose path matches `request_path` (each once)."""
        node = self._roots.get(host)
        if node is None:
            return []
        names: list[str] = []
        segments = request_path.split("/")
        last = len(segments) - 1
        for depth, segment in enumerate(segments):
            child = node.children.get(segment)
            if child is None:
                break
            node = child
            if node.exact:
                names += node.exact
            if node.below and depth < last:  # more of the path follows a "/"
                names += node.below
        return names


class _PathNode:
    """One path segment's node: the segments below it, the cookies whose path ends here."""

    __slots__ = ("below", "children", "exact")

    def __init__(self) -> None:
        self.children: dict[str, _PathNode] = {}
        self.exact: dict[str, None] = {}
        self.below: dict[str, None] = {}


def _is_logout_path(path: str) -> bool:
    # A substring test rules out most paths before the case-insensitive pattern (exact
    # for ASCII; other text always goes to the pattern).
    if path.isascii():
        lowered = path.lower()
        if "log" not in lowered and "sign" not in lowered:
            return False
    return _LOGOUT_PATH.search(path) is not None


class _DropTracker:
    """Remembers which credentials the client gave up, to spot them coming back.

    Only credentials: bearer and Basic, and the cookies that carry a login (`issued` at a
    login, or named or shaped like one). A theme or analytics cookie that comes back is
    no server honouring what the client gave up."""

    def __init__(self, issued: dict[str, None]) -> None:
        self._issued = issued
        self.dropped: dict[CredentialKey, tuple[int, str]] = {}
        """credential → (entry index, how it was dropped)."""
        self.held: dict[tuple[str, str, str], tuple[str, str]] = {}
        """(host, type, name) → (value, cookie path) the client holds now."""
        self._paths = _CookiePaths()
        """The held cookies again, by host and path (kept in step with `held`)."""
        self._bearer_paths: dict[tuple[str, str], str] = {}
        """(host, path) → the bearer token the last request there carried (oldest first)."""

    def _drop(self, key: CredentialKey, index: int, how: str) -> None:
        if key not in self.dropped:
            self.dropped[key] = (index, how)
            if len(self.dropped) > REMEMBERED:
                del self.dropped[next(iter(self.dropped))]  # the oldest (dicts keep order)

    def _hold(self, slot: tuple[str, str, str], value: str, path: str) -> None:
        if self.held.get(slot) == (value, path):
            return  # the usual case: the same credential sent again
        self._release(slot)
        self.held[slot] = (value, path)
        if slot[1] == "cookie":
            self._paths.add(slot[0], path, slot[2])

    def _release(self, slot: tuple[str, str, str]) -> None:
        previous = self.held.pop(slot, None)
        if previous is not None and slot[1] == "cookie":
            self._paths.remove(slot[0], previous[1], slot[2])

    def visit(self, item: EntryAnalysis) -> list[Finding]:
        entry = item.entry
        request = entry.request
        index, host, path, status = entry.index, request.host, request.path, \
            entry.response.status
        findings: list[Finding] = []
        sent = item.sent
        if sent:
            accepted = 200 <= status < 300
            dropped, held = self.dropped, self.held
            for credential in sent:
                kind, name, value = credential.type, credential.name, credential.value
                if kind == "cookie" and not _logs_in(name, value, self._issued):
                    continue
                if accepted and dropped and (kind, name, value) in dropped:
                    when, how = dropped.pop((kind, name, value))
                    findings.append(Finding("credential-reused-after-drop", index, (
                        f"The {_label(credential)} was {how} at entry {when}, yet this "
                        f"request presents it again and the server accepts it ({status}): "
                        "the server still honours a credential the client had given up.")))
                slot = (host, kind, name)
                previous = held.get(slot)
                if previous is None:  # held from now on (what _hold does when none is)
                    held[slot] = (value, "/")
                    if kind == "cookie":
                        self._paths.add(host, "/", name)
                elif previous[0] != value:
                    self._drop((kind, name, previous[0]), index, "replaced by a new value")
                    self._hold(slot, value, previous[1])
        if self._paths.ever_held:
            self._missing_cookies(item, host, path)
        if request.method != "OPTIONS":  # a preflight never carries Authorization
            self._missing_bearer(item, host, path)
        for cookie in item.set:
            slot = (host, "cookie", cookie.name)
            previous = self.held.get(slot)
            if cookie.cleared:
                if previous:
                    self._drop(("cookie", cookie.name, previous[0]), index,
                               "cleared by the server")
                self._release(slot)
            elif cookie.parsed is not None and _logs_in(cookie.name, cookie.value, self._issued):
                if previous and previous[0] != cookie.value:
                    self._drop(("cookie", cookie.name, previous[0]), index,
                               "replaced by the server")
                scope = cookie.parsed.path or "/"
                self._hold(slot, cookie.value, scope if scope.startswith("/") else "/")
        # Only what was sent can be given up by logging out.
        if sent and 200 <= status < 400 and _is_logout_path(path):
            for credential in sent:
                if credential.type == "cookie" and not _logs_in(
                        credential.name, credential.value, self._issued):
                    continue
                self._drop((credential.type, credential.name, credential.value), index,
                           "sent to log out")
        return findings

    def _missing_bearer(self, item: EntryAnalysis, host: str, path: str) -> None:
        """A request to a host and path that used to carry the bearer token now goes
        without one: the client stopped sending it (its page dropped the token, as a
        logout that only deletes the client's copy does). A token is attached by the
        page's own script, so any request may lack it; only the same path tells."""
        bearer = None
        for credential in item.sent:
            if credential.type == "bearer":
                bearer = credential.value
                break
        paths = self._bearer_paths
        if bearer is None and not paths:
            return  # nothing carried anywhere yet (most recordings without tokens)
        where = (host, path)
        if bearer is not None:
            paths.pop(where, None)  # re-inserted as the newest
            paths[where] = bearer
            while len(paths) > REMEMBERED:
                del paths[next(iter(paths))]
            return
        if where not in paths:
            return
        # A navigation (a typed URL, a link, a form) cannot carry a header a script set,
        # so going without the token there says nothing about the page giving it up.
        mode = item.entry.request.header("sec-fetch-mode")
        if mode is not None and mode.lower() == "navigate":
            return
        carried = paths.pop(where)
        slot = (host, "bearer", "Authorization")
        held = self.held.get(slot)
        if held is not None and held[0] == carried:
            self._drop(("bearer", "Authorization", carried), item.entry.index,
                       "no longer sent (a request to the same path went without it)")
            self._release(slot)

    def _missing_cookies(self, item: EntryAnalysis, host: str, path: str) -> None:
        """A same-site request to the host that lacks a cookie the client held: the
        client stopped sending it (cleared by the user or by a script).

        Each cookie the path index yields is either sent with this request or dropped
        now, so the work per entry is bounded by its own cookies plus the drops."""
        request = item.entry.request
        if request.method == "OPTIONS" or not request.headers:
            return
        if item.sent and all(c.type != "cookie" for c in item.sent):
            # A script's request that carries its own credential (a bearer token) and no
            # cookie at all may leave cookies out on purpose (fetch's `credentials:
            # "omit"`): no sign that the client gave them up.
            return
        held = self._paths.matching(host, path)
        if not held:
            return
        fetch_site = request.header("sec-fetch-site")
        if fetch_site is not None and fetch_site.lower() == "cross-site":
            return
        sent = {c.name for c in item.sent if c.type == "cookie"} if item.sent else ()
        for name in held:  # a list of its own: dropping below does not change it
            if name in sent:
                continue
            slot = (host, "cookie", name)
            value, scope = self.held[slot]
            if path_matches(path, scope):  # the index's rule, checked once more
                self._drop(("cookie", name, value), item.entry.index, "no longer sent")
                del self.held[slot]  # what _release does for a held cookie
                self._paths.remove(host, scope, name)
