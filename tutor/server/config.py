"""The mock server's configuration: one frozen object a scene or `tutor serve` builds."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from tutor.server.modes import ServerMode, get_mode, mode_names
from tutor.server.modes.registry import CSRF_COOKIE, csrf_cookie_name
from tutor.server.weaknesses import (
    ALG_CONFUSION,
    KID_PATH_INJECTION,
    NAIVE_DOUBLE_SUBMIT,
    WEAK_HMAC_SECRET,
    WEAKNESSES,
    Vulnerabilities,
)
from tutor.suggest import unknown_key_message

Algorithm = Literal["HS256", "RS256", "PS256", "ES256", "EdDSA"]
Role = Literal["reader", "admin"]

ALGORITHMS: tuple[str, ...] = get_args(Algorithm)
SEEDABLE_ALGORITHMS = ("ES256", "EdDSA")

__all__ = [
    "ALGORITHMS", "DEFAULT_USERS", "WEAK_SECRETS", "Algorithm", "ConfigError", "DemoUser",
    "Role", "ServerConfig", "Vulnerabilities",
]


class ConfigError(ValueError):
    """A configuration value is unknown or out of range; the message says which and why."""


@dataclass(frozen=True)
class DemoUser:
    """A user the mock server knows from the start."""

    username: str
    password: str
    role: Role


DEFAULT_USERS: tuple[DemoUser, ...] = (
    DemoUser("alice", "wonderland", "reader"),
    DemoUser("bob", "builder123", "reader"),
    DemoUser("queen", "off-with-their-heads", "admin"),
)


# RFC 7519 §4.1.4 and §4.1.5 allow "some small leeway, usually no more than a few minutes".
MAX_LEEWAY = 300
# A replica's clock may be off by up to a day in a scene (enough for any lesson).
MAX_CLOCK_OFFSET = 86_400

# The word list the weak secret comes from: short enough to crack in a lesson.
WEAK_SECRETS: tuple[str, ...] = ("secret", "password", "changeme", "letmein", "jwt", "admin")


@dataclass(frozen=True)
class ServerConfig:
    """Everything that decides how the mock server behaves."""

    mode: str = "cookie"
    """How the server remembers a login: a registered mode (`tutor.server.modes`)."""
    algorithm: Algorithm = "HS256"
    """JWT signing algorithm (jwt mode only). The server accepts only this one."""
    issuer: str = "https://tutor.local"
    """The `iss` claim this server writes and requires."""
    audience: str = "tutor-api"
    """The `aud` claim this server writes and requires."""
    access_token_ttl: int = 300
    """Seconds an access token lives."""
    refresh_token_ttl: int = 86_400
    """Seconds a refresh token lives."""
    session_idle_timeout: int = 900
    """Seconds of inactivity after which a server-side session ends."""
    session_absolute_timeout: int = 28_800
    """Seconds after login after which a server-side session ends regardless of use."""
    signed_cookie_max_age: int = 3_600
    """Seconds a signed session cookie is accepted after it was signed."""
    denylist: bool = False
    """jwt mode: remember the `jti` of logged-out tokens and refuse them until they expire."""
    replicas: int = 1
    """How many server replicas run behind a round-robin balancer."""
    shared_store: bool = False
    """Replicas share one session store, denylist and refresh-token store (like Redis)."""
    secret: str | None = None
    """A fixed signing secret (HS256 and signed cookies); random per run when unset."""
    key_seed: str | None = None
    """Derive the ES256 or EdDSA key pair from this text, so a challenge's reference
    solution can be signed once and still verify (random per run when unset)."""
    scrypt_cost: int = 2**14
    """scrypt's CPU/memory cost `n` for stored password hashes."""
    clock_skew_leeway: int = 0
    """Seconds of leeway when comparing `exp`, `nbf` and `iat` (and a DPoP proof's `iat`)
    with this server's clock (RFC 7519 §4.1.4, §4.1.5: "usually no more than a few
    minutes"). 0 in scenes, which run on one simulated clock; `tutor serve` uses
    `SERVE_LEEWAY`."""
    write_nbf: bool = False
    """jwt mode: the issuer writes `nbf` (equal to `iat`) into every token it signs."""
    clock_offsets: tuple[tuple[str, int], ...] = ()
    """(replica, seconds): replicas whose clock is ahead (or, negative, behind) the
    others', written `{B: 20}` in a scene."""
    dpop: bool = False
    """jwt mode: tokens are bound to the browser's key and every request carries a DPoP
    proof signed with it (RFC 9449)."""
    vulnerabilities: Vulnerabilities = field(default_factory=Vulnerabilities)
    """Deliberate weaknesses for the attack lessons."""
    users: tuple[DemoUser, ...] = DEFAULT_USERS
    """The demo accounts."""

    def __post_init__(self) -> None:
        if self.mode not in mode_names():
            raise ConfigError(f"mode {self.mode!r} is not one of {', '.join(mode_names())}")
        if self.algorithm not in ALGORITHMS:
            raise ConfigError(
                f"algorithm {self.algorithm!r} is not one of {', '.join(ALGORITHMS)}"
            )
        for name in (
            "access_token_ttl",
            "refresh_token_ttl",
            "session_idle_timeout",
            "session_absolute_timeout",
            "signed_cookie_max_age",
        ):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ConfigError(f"{name} must be a positive whole number of seconds")
            if value > MAX_LIFETIME:
                raise ConfigError(f"{name} must be at most {MAX_LIFETIME} seconds (ten years)")
        if not 1 <= self.replicas <= 8:
            raise ConfigError("replicas must be between 1 and 8")
        if self.scrypt_cost < 2 or self.scrypt_cost & (self.scrypt_cost - 1):
            raise ConfigError("scrypt_cost must be a power of two greater than 1")
        if self.scrypt_cost > MAX_SCRYPT_COST:
            # scrypt needs 128 × 8 × n bytes: 2**17 is 128 MiB per hash, and more would
            # exhaust a learner's memory instead of teaching anything.
            raise ConfigError(f"scrypt_cost must be at most 2**17 ({MAX_SCRYPT_COST})")
        if self.key_seed is not None and self.algorithm not in SEEDABLE_ALGORITHMS:
            raise ConfigError(
                f"key_seed works with {' or '.join(SEEDABLE_ALGORITHMS)} only: an RSA key "
                "cannot be derived from a seed"
            )
        on = self.vulnerabilities.on
        if on(ALG_CONFUSION) and not self.is_asymmetric:
            raise ConfigError(
                "alg_confusion needs an asymmetric algorithm (RS256, PS256, ES256 or EdDSA): "
                "it is a public key used as an HMAC secret"
            )
        if on(KID_PATH_INJECTION) and self.is_asymmetric:
            raise ConfigError("kid_path_injection reads an HS256 key from a file: use HS256")
        if not isinstance(self.clock_skew_leeway, int) or isinstance(
            self.clock_skew_leeway, bool
        ) or not 0 <= self.clock_skew_leeway <= MAX_LEEWAY:
            raise ConfigError(
                f"clock_skew_leeway must be 0 to {MAX_LEEWAY} seconds (RFC 7519 §4.1.4: "
                "a small leeway, usually no more than a few minutes)"
            )
        self._check_clock_offsets()
        if (self.dpop or self.write_nbf) and not self.server_mode.signs_tokens:
            what = "dpop" if self.dpop else "write_nbf"
            raise ConfigError(f"{what} applies to modes that sign tokens (jwt), not {self.mode}")
        short_secret = self.secret is not None and len(self.secret.encode()) < 32
        if short_secret and not self.vulnerabilities.on(WEAK_HMAC_SECRET):
                raise ConfigError(
                    "a fixed secret must be at least 32 bytes (RFC 7518 §3.2); "
                    "short secrets are allowed only with the weak_hmac_secret vulnerability"
                )

    def _check_clock_offsets(self) -> None:
        letters = "ABCDEFGH"[: self.replicas]
        seen: set[str] = set()
        for replica, offset in self.clock_offsets:
            if replica not in letters:
                raise ConfigError(
                    f"clock_offsets: no replica {replica!r}; this server has "
                    f"{', '.join(letters)}"
                )
            if replica in seen:
                raise ConfigError(f"clock_offsets: replica {replica} is given twice")
            seen.add(replica)
            if not isinstance(offset, int) or isinstance(offset, bool) or not (
                -MAX_CLOCK_OFFSET <= offset <= MAX_CLOCK_OFFSET
            ):
                raise ConfigError(
                    f"clock_offsets: replica {replica}'s offset must be a whole number of "
                    f"seconds from -{MAX_CLOCK_OFFSET} to {MAX_CLOCK_OFFSET}"
                )

    def clock_offset(self, replica: str) -> int:
        """Seconds replica `replica`'s clock is ahead of the others (0 for most)."""
        return dict(self.clock_offsets).get(replica, 0)

    @property
    def server_mode(self) -> ServerMode:
        """The registry entry for `mode`: backend, page, where the client keeps things."""
        return get_mode(self.mode)

    def served_cookie_names(self, https: bool) -> dict[str, str]:
        """Each of this server's own cookies, base name → the name it writes over http or
        https (what `tutor serve` publishes, so that f6's curl commands name them so)."""
        names = {CSRF_COOKIE: csrf_cookie_name(https, self.vulnerabilities.on(NAIVE_DOUBLE_SUBMIT))}
        session = self.server_mode.cookie_name(https)
        if session is not None:
            names[self.server_mode.session_cookie] = session
        return names

    @property
    def is_asymmetric(self) -> bool:
        """True when tokens are signed with a private key and verified with a public one."""
        return self.algorithm != "HS256"

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ServerConfig:
        """Build a config from YAML-like data, rejecting unknown keys with a suggestion."""
        known = {f.name for f in dataclasses.fields(cls)} - {"users"}
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key not in known:
                raise ConfigError(unknown_key_message("server", str(key), known))
            if key == "vulnerabilities":
                values[key] = _vulnerabilities_from(value)
                continue
            if key == "clock_offsets":
                values[key] = _clock_offsets_from(value)
                continue
            expected = _FIELD_TYPES.get(key)
            if expected is not None and not _has_type(value, expected):
                raise ConfigError(f"server key {key!r} must be {_TYPE_NAMES[expected]}")
            values[key] = value
        return cls(**values)


MAX_SCRYPT_COST = 2**17
"""The largest scrypt cost a config takes (128 MiB per hash)."""
SIMULATED_SCRYPT_COST = 2**10
"""The cost in-process simulations hash at unless told otherwise (scenes, the Repeater's
sandbox, challenges, `tutor replay`): 1 MiB per hash (r=8). Their clock is simulated, so
nothing a learner sees depends on it, while each hash's memory is freed but kept by the
allocator: at the default cost opening the Repeater held 15 MB more for good (and took
0.2 s of scrypt). `tutor serve` keeps a real cost."""
MAX_LIFETIME = 10 * 366 * 86_400
"""The longest token, cookie or session lifetime a config takes (ten years)."""

_FIELD_TYPES: dict[str, type] = {
    "mode": str, "algorithm": str, "issuer": str, "audience": str, "secret": str,
    "key_seed": str,
    "access_token_ttl": int, "refresh_token_ttl": int, "session_idle_timeout": int,
    "session_absolute_timeout": int, "signed_cookie_max_age": int, "replicas": int,
    "scrypt_cost": int, "denylist": bool, "shared_store": bool,
    "clock_skew_leeway": int, "write_nbf": bool, "dpop": bool,
}
_TYPE_NAMES = {str: "a string", int: "a whole number", bool: "true or false"}


def _has_type(value: object, expected: type) -> bool:
    # YAML's true/false are bools, which Python also counts as ints: keep them apart.
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, expected)


def _clock_offsets_from(data: Any) -> tuple[tuple[str, int], ...]:
    if not isinstance(data, Mapping):
        raise ConfigError("clock_offsets must be a mapping of replica: seconds, e.g. {B: 20}")
    offsets: list[tuple[str, int]] = []
    for replica, offset in data.items():
        if not isinstance(offset, int) or isinstance(offset, bool):
            raise ConfigError(f"clock_offsets: replica {replica}'s offset must be a whole "
                              "number of seconds")
        offsets.append((str(replica).upper(), offset))
    return tuple(offsets)


def _vulnerabilities_from(data: Any) -> Vulnerabilities:
    names = set(WEAKNESSES)
    if isinstance(data, list | tuple):
        data = dict.fromkeys(data, True)
    if not isinstance(data, Mapping):
        raise ConfigError("vulnerabilities must be a list of names or a mapping of name: true")
    for key, value in data.items():
        if key not in names:
            raise ConfigError(unknown_key_message("vulnerability", str(key), names))
        if not isinstance(value, bool):
            raise ConfigError(f"vulnerability {key} must be true or false")
    return Vulnerabilities(**data)
