"""`MockServer`: one or more replicas behind a round-robin balancer, with snapshots.

This is what scenes, tests and `tutor serve` build. With one replica the balancer is
left out and requests go straight to the app.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import httpx
from starlette.types import ASGIApp, Receive, Scope, Send

from tutor.clock import Clock, OffsetClock, SimulatedClock
from tutor.server.app import create_replica_app
from tutor.server.attacker_keys import fetch_keys
from tutor.server.config import DemoUser, ServerConfig
from tutor.server.context import ReplicaContext
from tutor.server.events import EventLog, KeyRetired, KeysFetched, KeysRotated, ServerEvent
from tutor.server.hashing import InlineHashing, PasswordWork
from tutor.server.jwks_cache import CachedKeys, JwksCache
from tutor.server.keys import Keyring
from tutor.server.naive import KeyFetcher
from tutor.server.signed import SignedCookieCodec
from tutor.server.state import AuthStore
from tutor.server.throttle import LoginThrottle
from tutor.server.tokens import TokenService
from tutor.server.users import UserDirectory

REPLICA_NAMES = "ABCDEFGH"
# Endpoints that sign tokens: with an asymmetric key only replica A holds the private key,
# so the balancer sends these there, as a path-based router sends them to an auth service.
MINTING_PATHS = frozenset({"/login", "/refresh", "/password"})
PIN_HEADER = b"x-tutor-replica"
DEFAULT_BASE_URL = "http://tutor.local"
JWKS_PATH = "/.well-known/jwks.json"


@lru_cache(maxsize=8)
def _user_directory_template(users: tuple[DemoUser, ...], cost: int) -> UserDirectory:
    # Hashing the demo passwords costs tens of milliseconds: do it once per run.
    return UserDirectory(users, cost)


@dataclass
class Replica:
    """One server process in the simulation."""

    name: str
    context: ReplicaContext
    app: ASGIApp


@dataclass
class ServerSnapshot:
    """Everything the server remembers at one moment, to step a scene backward exactly."""

    now: float
    stores: list[AuthStore]
    users: UserDirectory
    events: tuple[ServerEvent, ...]
    """The whole event log (events are immutable), so forward-after-back can restore it."""
    balancer_position: int = 0
    extra: dict[str, object] = field(default_factory=dict)
    keys: Keyring | None = None
    """The issuer's keys (they change only when a scene rotates them)."""
    caches: list[CachedKeys | None] = field(default_factory=list)
    """Each replica's cached copy of the key set (None on the issuer, and with HS256)."""
    throttle: LoginThrottle = field(default_factory=LoginThrottle)
    """Failed-login counters (a copy)."""


class MockServer:
    """The mock auth server as scenes and tests use it."""

    def __init__(self, config: ServerConfig | None = None, clock: Clock | None = None,
                 event_log_limit: int | None = None, hashing: PasswordWork | None = None,
                 ) -> None:
        """`event_log_limit` bounds the event log for a long-running server (see
        `EventLog`); scenes and tests keep every event, which snapshots rely on.
        `hashing` is where scrypt runs: inline unless given (`tutor serve` gives a pool)."""
        self.config = config or ServerConfig()
        self.clock: Clock = clock or SimulatedClock()
        self.keys = Keyring.create(self.config)
        self.users = copy.deepcopy(
            _user_directory_template(self.config.users, self.config.scrypt_cost)
        )
        self.log = EventLog(self.clock, event_log_limit)
        self.hashing: PasswordWork = hashing or InlineHashing()
        self.throttle = LoginThrottle()
        self._last_users_copy: UserDirectory | None = None
        self.fetch_keys: KeyFetcher = fetch_keys
        """What a GET of a key URL reaches (jku/x5u weaknesses): evil.test's published
        keys; a scene's world points it at its own attacker site."""
        shared = AuthStore() if self.config.shared_store else None
        self.replicas: list[Replica] = []
        self.caches: list[JwksCache | None] = []
        for index in range(self.config.replicas):
            name = REPLICA_NAMES[index]
            offset = self.config.clock_offset(name)
            # A replica whose clock is off reads it for everything: minting, checking, logs.
            replica_clock: Clock = OffsetClock(self.clock, offset) if offset else self.clock
            # Replica A is the issuer; the others get the public key only (asymmetric algs),
            # from a cached copy of A's key set, as a JWKS client keeps one.
            cache = None
            if index and self.config.is_asymmetric:
                cache = JwksCache(lambda: self.keys, replica_clock, self._on_fetch(name))
            keys = self.keys if cache is None else cache.keys
            context = ReplicaContext(
                name=name,
                config=self.config,
                clock=replica_clock,
                keys=keys,
                users=self.users,
                store=shared if shared is not None else AuthStore(),
                log=self.log,
                tokens=TokenService(self.config, keys, replica_clock,
                                    self._fetch_for(name), cache),
                signed_cookies=SignedCookieCodec(
                    keys.hmac_secret, replica_clock, self.config.signed_cookie_max_age
                ),
                throttle=self.throttle,
                hashing=self.hashing,
            )
            self.caches.append(cache)
            self.replicas.append(Replica(name, context, create_replica_app(context)))
        self.balancer = RoundRobinBalancer(self.replicas, self.config.is_asymmetric)
        self.app: ASGIApp = self.replicas[0].app if len(self.replicas) == 1 else self.balancer

    def _fetch_for(self, replica: str) -> KeyFetcher:
        def fetch(url: str) -> dict[str, Any] | str | None:
            found = self.fetch_keys(url)
            kids = tuple(str(k.get("kid", "")) for k in found.get("keys", [])
                         if isinstance(k, dict)) if isinstance(found, dict) else ()
            self.log.emit(KeysFetched(self.clock.now(), replica, url[:200], found is not None,
                                      kids))
            return found
        return fetch

    def _on_fetch(self, replica: str) -> Callable[[Keyring], None]:
        def fetched(keys: Keyring) -> None:
            self.replica(replica).context.keys = keys
            self.log.emit(KeysFetched(self.clock.now(), replica,
                                      f"replica A{JWKS_PATH}", True,
                                      tuple(k.kid for k in keys.published())))
        return fetched

    # --- key rotation (asymmetric algorithms) ------------------------------------------

    def rotate_keys(self) -> Keyring:
        """The issuer signs with a new key from now on; the old one stays published."""
        old = self.keys
        self._set_issuer_keys(old.rotated())
        self.log.emit(KeysRotated(self.clock.now(), "A", self.keys.kid, old.kid))
        return self.keys

    def retire_key(self, kid: str | None = None) -> str:
        """Stop publishing an older key (the oldest unless `kid` names one); its id."""
        older = self.keys.older
        if not older:
            raise ValueError("no older key is published: rotate the keys first")
        chosen = kid or older[-1].kid
        if all(k.kid != chosen for k in older):
            raise ValueError(f"no older key {chosen!r} is published")
        self._set_issuer_keys(self.keys.without(chosen))
        self.log.emit(KeyRetired(self.clock.now(), "A", chosen))
        return chosen

    def _set_issuer_keys(self, keys: Keyring) -> None:
        self.keys = keys
        issuer = self.replicas[0].context
        issuer.keys = keys
        issuer.tokens.set_keys(keys)
        for replica, cache in zip(self.replicas[1:], self.caches[1:], strict=True):
            if cache is None:  # HS256: every replica holds the one secret
                replica.context.keys = keys
                replica.context.tokens.set_keys(keys)

    def replica(self, name: str) -> Replica:
        """A replica by its letter."""
        for replica in self.replicas:
            if replica.name == name:
                return replica
        raise KeyError(f"no replica {name!r}; this server has {len(self.replicas)}")

    @property
    def store(self) -> AuthStore:
        """Replica A's store (the only one, or the shared one, in most scenes)."""
        return self.replicas[0].context.store

    def client(self, base_url: str = DEFAULT_BASE_URL, app: ASGIApp | None = None) -> (
        httpx.AsyncClient
    ):
        """An httpx client that talks to this server in-process, with no socket."""
        transport = httpx.ASGITransport(app=app or self.app)
        return httpx.AsyncClient(transport=transport, base_url=base_url)

    def sweep(self) -> None:
        """Expire sessions and denylist entries now (after the clock moved)."""
        for replica in self.replicas:
            replica.context.sweep()

    def snapshot(self) -> ServerSnapshot:
        """A copy of the server's memory (stores are copied once even when shared)."""
        return ServerSnapshot(
            now=self.clock.now(),
            stores=_copy_stores([r.context.store for r in self.replicas]),
            users=self._users_snapshot(),
            events=tuple(self.log.events),
            balancer_position=self.balancer.position,
            keys=self.keys,
            caches=[c.state if c is not None else None for c in self.caches],
            throttle=self.throttle.copy(),
        )

    def _users_snapshot(self) -> UserDirectory:
        # Accounts rarely change: reuse the last copy while the stamp says nothing did.
        if self._last_users_copy is None or self._last_users_copy.stamp != self.users.stamp:
            self._last_users_copy = self.users.copy()
        return self._last_users_copy

    def restore(self, snapshot: ServerSnapshot) -> None:
        """Put the server's memory back as it was when `snapshot` was taken."""
        stores = _copy_stores(snapshot.stores)
        for replica, store in zip(self.replicas, stores, strict=True):
            replica.context.store = store
        self.users.restore_from(snapshot.users)
        if isinstance(self.clock, SimulatedClock):
            self.clock.set(snapshot.now)
        self.log.events[:] = snapshot.events
        self.balancer.position = snapshot.balancer_position
        if snapshot.keys is not None and snapshot.keys is not self.keys:
            self._set_issuer_keys(snapshot.keys)
        for replica, cache, state in zip(self.replicas, self.caches, snapshot.caches,
                                         strict=False):
            if cache is not None and state is not None and cache.state is not state:
                cache.state = state
                replica.context.keys = state.keys
                replica.context.tokens.set_keys(state.keys)
        self.throttle = snapshot.throttle.copy()
        for replica in self.replicas:
            replica.context.throttle = self.throttle


def _copy_stores(stores: list[AuthStore]) -> list[AuthStore]:
    """Copy each distinct store once, so replicas that shared one still share its copy."""
    copies: dict[int, AuthStore] = {}
    return [copies.setdefault(id(store), store.copy()) for store in stores]


class RoundRobinBalancer:
    """Sends each request to the next replica; `X-Tutor-Replica: B` pins one."""

    def __init__(self, replicas: list[Replica], asymmetric: bool) -> None:
        self._replicas = replicas
        self._asymmetric = asymmetric
        self.position = 0

    def choose(self, scope: Scope) -> Replica:
        """The replica that gets this request."""
        for key, value in scope.get("headers", []):
            if key == PIN_HEADER:
                wanted = value.decode("latin-1").strip().upper()
                for replica in self._replicas:
                    if replica.name == wanted:
                        return replica
        if self._asymmetric and scope.get("path") in MINTING_PATHS:
            return self._replicas[0]
        replica = self._replicas[self.position % len(self._replicas)]
        self.position += 1
        return replica

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            # Nothing to start: answer the server's lifespan messages ourselves.
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        await self.choose(scope).app(scope, receive, send)


