"""The deliberate weaknesses of the attack lessons: one registry entry each.

An entry is everything the tutor says about a weakness (its name, the modes it affects,
the one line the Server view, the CLI help and the Repeater's settings show); the
behaviour lives where the server does the thing, which asks `vulnerabilities.on(...)`.
A new weakness is one `weakness(...)` line here plus that behaviour.

Light on purpose (no HTTP stack): config parsing and `tutor --help` read it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

VULNERABLE = "VULNERABLE"
"""The word every place that shows an enabled weakness starts with."""


@dataclass(frozen=True)
class Weakness:
    """One deliberate weakness a lesson can switch on."""

    name: str
    """The name lessons, `--vulnerable` and `server.vulnerabilities` use."""
    description: str
    """One line: what the server does wrong (Server view, CLI help, settings dialog)."""
    modes: tuple[str, ...]
    """The server modes where it changes anything."""


WEAKNESSES: dict[str, Weakness] = {}
"""Every weakness by name, in the order they are listed."""


def weakness(name: str, description: str, modes: Iterable[str]) -> Weakness:
    """Register a weakness and return it (the constant the behaviour code asks about)."""
    if name in WEAKNESSES:
        raise ValueError(f"weakness {name!r} is registered twice")
    entry = Weakness(name, description, tuple(modes))
    WEAKNESSES[name] = entry
    return entry


def weakness_names() -> list[str]:
    """The names, in registry order."""
    return list(WEAKNESSES)


def vulnerable_banner(names: Iterable[str]) -> str:
    """The warning a page or `tutor serve` shows while weaknesses are on."""
    return f"{VULNERABLE} on purpose: {', '.join(names)}"


_COOKIE_MODES = ("cookie", "signed-cookie")

ACCEPT_ALG_NONE = weakness(
    "accept_alg_none", "accepts JWTs with alg none and no signature", ("jwt",))
WEAK_HMAC_SECRET = weakness(
    "weak_hmac_secret", "signs HS256 tokens with a guessable secret from a short word list",
    ("jwt", "signed-cookie"))
NO_SESSION_ROTATION = weakness(
    "no_session_rotation", "keeps the pre-login session id after login (fixation)",
    ("cookie",))
NO_HTTPONLY = weakness(
    "no_httponly", "session cookie lacks HttpOnly: page scripts can read it", _COOKIE_MODES)
SAMESITE_NONE = weakness(
    "samesite_none", "session cookie is SameSite=None: sent on cross-site requests",
    _COOKIE_MODES)
NO_CSRF_CHECK = weakness(
    "no_csrf_check", "accepts state-changing requests from any origin, without a CSRF token",
    _COOKIE_MODES)
ALG_CONFUSION = weakness(
    "alg_confusion", "RS256/PS256/ES256/EdDSA server also accepts HS256, keyed with its own "
    "public key", ("jwt",))
TRUST_JWK_HEADER = weakness(
    "trust_jwk_header", "verifies a token with the public key the token embeds (jwk header)",
    ("jwt",))
TRUST_JKU_HEADER = weakness(
    "trust_jku_header", "fetches verification keys from the URL in the token (jku or x5u "
    "header)", ("jwt",))
KID_PATH_INJECTION = weakness(
    "kid_path_injection", "reads the HS256 key from the file the kid header names, unchecked",
    ("jwt",))
NO_AUDIENCE_CHECK = weakness(
    "no_audience_check", "accepts tokens minted for another service (aud and iss unchecked)",
    ("jwt",))
NO_ORIGIN_CHECK = weakness(
    "no_origin_check", "skips the Origin and Sec-Fetch-Site check on writes: the CSRF token "
    "is the only defence", ("cookie", "signed-cookie", "jwt-cookie", "bff"))
NAIVE_DOUBLE_SUBMIT = weakness(
    "naive_double_submit", "CSRF cookie is a plain random csrf cookie (no HMAC, no __Host- "
    "prefix): any csrf cookie that equals the header passes", ("jwt-cookie",))
PREDICTABLE_SESSION_IDS = weakness(
    "predictable_session_ids", "numbers session ids in sequence instead of drawing 256 "
    "random bits", ("cookie",))


@dataclass(frozen=True, init=False)
class Vulnerabilities:
    """The weaknesses switched on for one server. All off by default.

    Built like the old flag object: `Vulnerabilities(accept_alg_none=True)`.
    """

    names: frozenset[str]
    """Names of the weaknesses that are on."""

    def __init__(self, **switches: bool) -> None:
        for name in switches:
            if name not in WEAKNESSES:
                # What a dataclass says for an unknown keyword; config parsing checks first.
                raise TypeError(f"Vulnerabilities got an unknown weakness {name!r}")
        object.__setattr__(self, "names", frozenset(n for n, on in switches.items() if on))

    def on(self, weakness: Weakness) -> bool:
        """Whether this weakness is switched on."""
        return weakness.name in self.names

    def enabled(self) -> list[str]:
        """Names of the weaknesses that are switched on, in registry order."""
        return [name for name in WEAKNESSES if name in self.names]
