"""What `tutor watch` may open and reach: the URL checked, and the origins allowed.

The browser may talk to loopback and to the watched URL's own origin; anything else is
blocked unless the learner names its origin (`--allow-origin`), so a page that loads a
tracker or a CDN does not reach the network behind the learner's back.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

ANY_ORIGIN = "*"
"""`--allow-origin '*'`: let the browser reach anything."""


class TargetError(ValueError):
    """A URL or origin the watch cannot use, with a message for the learner."""


def origin_of(url: str) -> str:
    """scheme://host[:port] of an http(s) URL, lower-cased, default ports dropped."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    default = {"http": 80, "https": 443}.get(scheme)
    return f"{scheme}://{host}" + (f":{port}" if port is not None and port != default else "")


def is_loopback(host: str) -> bool:
    """Whether a host name stays on this machine (localhost, 127/8, ::1, *.localhost)."""
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _checked_origin(text: str) -> str:
    if text == ANY_ORIGIN:
        return text
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise TargetError(f"--allow-origin {text!r}: give an origin such as "
                          "https://cdn.example.com (or '*' for any)")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise TargetError(f"--allow-origin {text!r}: an origin has no path; "
                          f"did you mean {origin_of(text)}?")
    return origin_of(text)


@dataclass(frozen=True)
class WatchTarget:
    """The page to open and the origins the browser may reach."""

    url: str
    origin: str
    allowed: frozenset[str]
    """Origins named with --allow-origin (ANY_ORIGIN for all)."""

    def allows(self, url: str) -> bool:
        """Whether a request to `url` may leave the browser."""
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https", "ws", "wss"):
            return True  # data:, blob:, about: never reach the network
        if ANY_ORIGIN in self.allowed or is_loopback(parts.hostname or ""):
            return True
        origin = origin_of(url.replace("ws", "http", 1) if parts.scheme.startswith("ws")
                           else url)
        return origin == self.origin or origin in self.allowed

    def policy_line(self) -> str:
        """The rule in one sentence, for the screen and --plain."""
        if ANY_ORIGIN in self.allowed:
            return "Every origin may be reached (--allow-origin '*')."
        extra = sorted(self.allowed - {self.origin})
        named = f", and {', '.join(extra)}" if extra else ""
        return (f"Only loopback and {self.origin}{named} may be reached; other requests are "
                "blocked (--allow-origin ORIGIN to let one through).")


def parse_target(url: str, allow_origins: list[str] | tuple[str, ...] = ()) -> WatchTarget:
    """Check the URL to watch; a host off this machine must be allowed by name."""
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise TargetError(f"{url!r} is not an http(s) URL; try http://127.0.0.1:8000/ "
                          "(start one with `tutor serve`)")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise TargetError(f"{url!r}: the port is not a number from 0 to 65535") from None
    allowed = frozenset(_checked_origin(o.strip()) for o in allow_origins)
    origin = origin_of(text)
    if not is_loopback(parts.hostname) and not ({origin, ANY_ORIGIN} & allowed):
        raise TargetError(
            f"{origin} is not on this machine. Watching a remote site sends what you type "
            f"there to it; to do that on purpose, add --allow-origin {origin}")
    return WatchTarget(text, origin, allowed)
