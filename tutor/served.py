"""What a client of the mock server needs to know to talk to it: the port `tutor serve`
listens on by default, and the names its cookies take over http and https.

One source of truth: the backends name their cookies with `cookie_name`, `tutor serve`'s
`--port` defaults to `DEFAULT_PORT`, and the Repeater's curl export (f6) renames a
sandbox's cookies with `cookie_name_for` for the `tutor serve` it targets. No imports:
the Repeater and the command line read it without the HTTP stack.
"""

from __future__ import annotations

DEFAULT_PORT = 8000
"""`tutor serve --port`'s default."""
DEFAULT_URL = f"http://127.0.0.1:{DEFAULT_PORT}"
"""Where `tutor serve` listens with no options."""
HOST_PREFIX = "__Host-"
"""RFC 6265bis §4.1.3.2: a cookie so named was set with Secure, Path=/ and no Domain,
which a browser only accepts over https; over plain http the server drops the prefix."""
BASE_NAMES = frozenset({"sid", "session", "bff", "jwt", "csrf"})
"""The names of the server's own cookies, before the prefix: cookie, signed-cookie, bff,
jwt-cookie (the token and its CSRF cookie)."""


def cookie_name(base: str, https: bool) -> str:
    """The name the server gives its cookie `base` over https or plain http."""
    return f"{HOST_PREFIX}{base}" if https else base


def cookie_name_for(name: str, https: bool) -> str:
    """A cookie of the server's, renamed for a server reached over https or http; any
    other cookie keeps its name."""
    base = name.removeprefix(HOST_PREFIX)
    if base not in BASE_NAMES:
        return name
    return cookie_name(base, https)
