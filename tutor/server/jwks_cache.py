"""A verify-only replica's copy of the issuer's key set, as a JWKS client keeps one.

Replicas that only verify (asymmetric algorithms) do not hold the issuer's keys: they
download its JWKS and keep it for `max_age` seconds, the `Cache-Control: max-age` the
issuer serves it with. Until the copy is refreshed, a key the issuer has retired still
verifies there: that is what a stale cache does. A token whose `kid` the copy does not
know makes it fetch again at once (as PyJWT's `PyJWKClient` does), so a newly rotated key
works everywhere straight away.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tutor.clock import Clock
from tutor.server.keys import Keyring

JWKS_MAX_AGE = 300
"""Seconds the issuer's `/.well-known/jwks.json` may be cached (its Cache-Control)."""


@dataclass(frozen=True)
class CachedKeys:
    """The key set as fetched, and when."""

    keys: Keyring
    fetched_at: float


class JwksCache:
    """One replica's cached copy of the issuer's public keys."""

    def __init__(self, issuer: Callable[[], Keyring], clock: Clock,
                 on_fetch: Callable[[Keyring], None] | None = None,
                 max_age: int = JWKS_MAX_AGE) -> None:
        self._issuer = issuer
        self._clock = clock
        self._on_fetch = on_fetch
        self.max_age = max_age
        self.state = CachedKeys(issuer().verify_only(), clock.now())

    @property
    def keys(self) -> Keyring:
        """The keys as last fetched (stale or not)."""
        return self.state.keys

    def current(self) -> Keyring:
        """The cached keys, fetched again first when the copy is older than `max_age`."""
        if self._clock.now() - self.state.fetched_at >= self.max_age:
            return self.refetch()
        return self.state.keys

    def refetch(self) -> Keyring:
        """Download the issuer's key set now."""
        self.state = CachedKeys(self._issuer().verify_only(), self._clock.now())
        if self._on_fetch is not None:
            self._on_fetch(self.state.keys)
        return self.state.keys
