"""What a server mode is, as data, and the registry every part of the tutor asks.

Light on purpose: config parsing, `tutor --help` and the catalogue read it, so nothing
here may import Starlette, httpx or PyJWT. The backend (the mode's half of the routes)
is named by a dotted path and imported only when a server starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

BrowserStore = Literal["cookie jar", "localStorage"]
HOST_PREFIX = "__Host-"
"""RFC 6265bis §4.1.3.2: a browser keeps a cookie so named only if it is Secure, from a
secure origin, with Path=/ and no Domain: the server's cookies over https."""


def host_prefixed(base_name: str, https: bool) -> str:
    """`base_name` as the server names the cookie: with the `__Host-` prefix over https."""
    return f"{HOST_PREFIX}{base_name}" if https else base_name


CSRF_COOKIE = "csrf"
"""The jwt-cookie mode's double-submit cookie, by its name over http."""


def csrf_cookie_name(https: bool, naive: bool) -> str:
    """The double-submit cookie's name as the server writes it: `__Host-csrf` over https,
    except with the naive_double_submit weakness, whose plain `csrf` a subdomain can set
    too (the weakness shown)."""
    return CSRF_COOKIE if naive else host_prefixed(CSRF_COOKIE, https)


@dataclass(frozen=True)
class ServerMode:
    """One way the mock server remembers a login."""

    name: str
    """What `server.mode`, `--mode` and lessons call it."""
    summary: str
    """One line: what the client holds and what the server keeps."""
    credential: str
    """What the access log and challenge goals call the credential a client presents."""
    backend: str
    """`package.module:Class` of the backend, imported when a server starts."""
    browser_keeps: BrowserStore
    """Where the site's page leaves the credential: the cookie jar (sent by the browser
    itself, so state-changing requests need CSRF checks) or localStorage (sent only when
    the page's script adds it)."""
    auth_scheme: str = ""
    """localStorage modes: the Authorization scheme the page's script sends the stored
    `access_token` with (`Bearer`)."""
    signs_tokens: bool = False
    """The server signs tokens: the algorithm, token lifetimes, the denylist, refresh
    tokens and the JWKS apply."""
    sessions_note: str = ""
    """Why the server keeps no session rows in this mode (the Server view's empty table)."""
    position: int = 100
    """Where it is listed (the course's order: cookie, signed-cookie, jwt)."""
    session_cookie: str = ""
    """Modes whose credential is a cookie: its name over http. Over https the server
    names it `__Host-` + this (`cookie_name`); ask `cookie_name`, never rebuild it."""

    def cookie_name(self, https: bool) -> str | None:
        """The session cookie's name as this mode's server writes it over http or https
        (None for modes without one): the one rule the server, `tutor serve` and the
        Repeater's curl export share."""
        return host_prefixed(self.session_cookie, https) if self.session_cookie else None

    @property
    def login_via(self) -> str:
        """How the site's page logs in: a form post, or a script's JSON fetch."""
        return "form" if self.browser_keeps == "cookie jar" else "json"


_MODES: dict[str, ServerMode] = {}


def register(mode: ServerMode) -> ServerMode:
    """Add a mode (built-in modes register themselves; tests may add their own)."""
    if mode.name in _MODES:
        raise ValueError(f"server mode {mode.name!r} is registered twice")
    _MODES[mode.name] = mode
    return mode


def unregister(name: str) -> None:
    """Remove a mode (for tests that registered one)."""
    _MODES.pop(name, None)


def all_modes() -> list[ServerMode]:
    """Every mode, in listing order."""
    return sorted(_MODES.values(), key=lambda mode: mode.position)


def mode_names() -> list[str]:
    """Every mode's name, in listing order (CLI choices, settings, error messages)."""
    return [mode.name for mode in all_modes()]


def get_mode(name: str) -> ServerMode:
    """The mode called `name` (KeyError when there is none; config validates first)."""
    return _MODES[name]


def credential_names() -> list[str]:
    """What the modes' credentials are called, without repeats, in listing order."""
    return list(dict.fromkeys(mode.credential for mode in all_modes()))
