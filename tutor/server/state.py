"""What the mock server remembers, and the events it reports when that changes.

Kept apart from the HTTP layer so the scene engine can watch it, snapshot it and put it
back exactly when a learner steps backward.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field

from tutor.clock import Clock


@dataclass(frozen=True)
class ServerEvent:
    """Something changed in the server's memory."""

    at: float
    """Simulated (or real) Unix time when it happened."""
    replica: str
    """Which replica did it ("A" when there is only one)."""


@dataclass(frozen=True)
class SessionCreated(ServerEvent):
    session_id: str
    username: str | None
    """None for an anonymous pre-login session."""


@dataclass(frozen=True)
class SessionDestroyed(ServerEvent):
    session_id: str
    reason: str
    """logout, rotated, idle-timeout, absolute-timeout or password-changed."""


@dataclass(frozen=True)
class TokenIssued(ServerEvent):
    kind: str
    """access or refresh."""
    jti: str
    subject: str
    expires_at: int
    family: str
    kid: str = ""
    """The id of the key that signed it (the `kid` header)."""


@dataclass(frozen=True)
class TokenDenylisted(ServerEvent):
    jti: str
    expires_at: int


@dataclass(frozen=True)
class RefreshFamilyRevoked(ServerEvent):
    family: str
    reason: str
    """logout, reuse-detected or password-changed."""


@dataclass(frozen=True)
class PasswordChanged(ServerEvent):
    username: str


@dataclass(frozen=True)
class PasswordChecked(ServerEvent):
    """A login's password compared with the stored hash (a user lookup, then scrypt)."""

    username: str
    """What was typed as the username (not a secret; the password never appears)."""
    ok: bool


@dataclass(frozen=True)
class SessionLookedUp(ServerEvent):
    """The session store asked for the id a cookie carried: the cost of every cookie
    request in `cookie` mode, and the reason a server can end a login on its own."""

    session_id: str
    found: bool
    username: str | None
    """Whose row it was (None for a pre-login row, or when nothing was found)."""


@dataclass(frozen=True)
class SignatureChecked(ServerEvent):
    """A credential checked with a key and no store: a JWT, or a signed cookie."""

    what: str
    """access token, refresh token or signed cookie."""
    ok: bool
    kid: str | None = None
    stage: str | None = None
    """Where verification failed (decode, algorithm, key, signature, claims)."""
    subject: str | None = None


@dataclass(frozen=True)
class DenylistChecked(ServerEvent):
    """The denylist asked whether a token's id was revoked: server state again."""

    jti: str
    listed: bool


@dataclass(frozen=True)
class RequestHandled(ServerEvent):
    """One line of the server's access log: what it was asked and what it decided."""

    method: str
    path: str
    status: int
    principal: str | None
    """The authenticated user, when the request carried a credential that was accepted."""
    credential: str | None
    """cookie, signed-cookie or bearer: what the server looked at."""
    reason: str
    """Why it answered as it did, in one short phrase."""


@dataclass
class SessionRecord:
    """A row of the server-side session store."""

    session_id: str
    username: str | None
    created_at: float
    last_seen: float
    csrf_token: str


@dataclass
class RefreshFamily:
    """All refresh tokens descended from one login; only the newest may be used."""

    family: str
    username: str
    current_jti: str
    revoked: bool = False


@dataclass
class AuthStore:
    """Session store, JWT denylist and refresh-token families: one per replica, or shared."""

    sessions: dict[str, SessionRecord] = field(default_factory=dict)
    denylist: dict[str, int] = field(default_factory=dict)
    """jti → exp: an entry can be dropped once the token would have expired anyway."""
    families: dict[str, RefreshFamily] = field(default_factory=dict)
    issued_access: dict[str, dict[str, int]] = field(default_factory=dict)
    """username → {jti: exp} of access tokens still alive, so a password change can revoke them."""

    def copy(self) -> AuthStore:
        """A copy sharing nothing mutable (records are flat, so one level is enough).

        Hand-written because `copy.deepcopy` made snapshots several times slower, and a
        scene snapshots after every step.
        """
        return AuthStore(
            sessions={k: copy.copy(v) for k, v in self.sessions.items()},
            denylist=dict(self.denylist),
            families={k: copy.copy(v) for k, v in self.families.items()},
            issued_access={user: dict(alive) for user, alive in self.issued_access.items()},
        )

    def authenticated_sessions(self) -> list[SessionRecord]:
        """Sessions that belong to a logged-in user."""
        return [s for s in self.sessions.values() if s.username is not None]


Listener = Callable[[ServerEvent], None]


class EventLog:
    """Every server event in order; listeners hear each one as it happens."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.events: list[ServerEvent] = []
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` for every new event; returns a function that unsubscribes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def emit(self, event: ServerEvent) -> None:
        """Record an event and tell the listeners."""
        self.events.append(event)
        for listener in list(self._listeners):
            listener(event)

    def requests(self) -> list[RequestHandled]:
        """The access log: only the request records."""
        return [e for e in self.events if isinstance(e, RequestHandled)]
