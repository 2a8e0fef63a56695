"""What the mock server reports as it works: one frozen record per thing that happened
(a session created, a store lookup, a signature checked, a request answered), and the
log that keeps them in order for the stage, the Repeater and snapshots.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING, dataclass, fields
from typing import TypeVar, dataclass_transform

from tutor.clock import Clock

E = TypeVar("E")


@dataclass_transform(frozen_default=True)
def server_event(cls: type[E]) -> type[E]:
    """`dataclass(frozen=True)`, with an `__init__` that fills the instance in one step.

    A frozen dataclass stores each field through `object.__setattr__`, which for an event
    of eight fields costs more than the rest of making it, and every request makes two
    or three. The instance is still frozen: only `__init__` writes its `__dict__`.
    """
    frozen = dataclass(frozen=True)(cls)
    declared = fields(frozen)  # type: ignore[arg-type]
    names = [f.name for f in declared]
    defaults = {f.name: f.default for f in declared if f.default is not MISSING}
    if any(f.default_factory is not MISSING for f in declared):
        raise TypeError(f"{cls.__name__}: an event's defaults are plain values")
    parameters = ", ".join(
        f"{name}=_defaults[{name!r}]" if name in defaults else name for name in names)
    values = ", ".join(f"{name!r}: {name}" for name in names)
    # Generated as dataclasses generates its own: a signature checked by Python itself.
    source = f"def __init__(self, {parameters}):\n    self.__dict__.update({{{values}}})\n"
    namespace: dict[str, object] = {"_defaults": defaults}
    exec(source, namespace)
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"  # type: ignore[attr-defined]
    frozen.__init__ = init  # type: ignore[method-assign,assignment]
    return frozen


@server_event
class ServerEvent:
    """Something changed in the server's memory."""

    at: float
    """Simulated (or real) Unix time when it happened."""
    replica: str
    """Which replica did it ("A" when there is only one)."""


@server_event
class SessionCreated(ServerEvent):
    session_id: str
    username: str | None
    """None for an anonymous pre-login session."""


@server_event
class SessionDestroyed(ServerEvent):
    session_id: str
    reason: str
    """logout, rotated, idle-timeout, absolute-timeout or password-changed."""


@server_event
class TokenIssued(ServerEvent):
    kind: str
    """access or refresh."""
    jti: str
    subject: str
    expires_at: int
    family: str
    kid: str = ""
    """The id of the key that signed it (the `kid` header)."""


@server_event
class TokenDenylisted(ServerEvent):
    jti: str
    expires_at: int


@server_event
class RefreshFamilyRevoked(ServerEvent):
    family: str
    reason: str
    """logout, reuse-detected or password-changed."""


@server_event
class KeysRotated(ServerEvent):
    """The issuer made a new signing key; the old public key stays in the JWKS."""

    new_kid: str
    old_kid: str


@server_event
class KeyRetired(ServerEvent):
    """An old public key left the JWKS: tokens it signed no longer verify at the issuer."""

    kid: str


@server_event
class KeysFetched(ServerEvent):
    """A server downloaded verification keys: a replica refreshing its copy of the
    issuer's JWKS, or a vulnerable server following a token's jku/x5u URL."""

    url: str
    found: bool
    kids: tuple[str, ...] = ()


@server_event
class PasswordChanged(ServerEvent):
    username: str


@server_event
class PasswordChecked(ServerEvent):
    """A login's password compared with the stored hash (a user lookup, then scrypt)."""

    username: str
    """What was typed as the username (not a secret; the password never appears)."""
    ok: bool


@server_event
class LoginThrottled(ServerEvent):
    """A login turned away before its password was checked: too many recent failures."""

    username: str
    """What was typed as the username."""
    scope: str
    """"account" (this account's failures) or "client" (this client's, to any account)."""
    failures: int
    """Failed logins the locked counter holds."""
    retry_after: int
    """Seconds until the lock ends (the response's `Retry-After`)."""


@server_event
class SessionLookedUp(ServerEvent):
    """The session store asked for the id a cookie carried: the cost of every cookie
    request in `cookie` mode, and the reason a server can end a login on its own."""

    session_id: str
    found: bool
    username: str | None
    """Whose row it was (None for a pre-login row, or when nothing was found)."""


@server_event
class SignatureChecked(ServerEvent):
    """A credential checked with a key and no store: a JWT, or a signed cookie."""

    what: str
    """access token, refresh token or signed cookie."""
    ok: bool
    kid: str | None = None
    stage: str | None = None
    """Where verification failed (decode, algorithm, key, signature, claims)."""
    subject: str | None = None
    key_source: str | None = None
    """Where a vulnerable server took the key from (the token's own header, a URL, a
    file); None when it used its own key."""


@server_event
class DpopProofChecked(ServerEvent):
    """A DPoP proof checked against the request and, with a token, the token's key
    (RFC 9449 §4.3): the signature is checked with the public key the proof carries."""

    ok: bool
    jkt: str
    """The thumbprint of the key that signed the proof ("" when it could not be read)."""
    check: str | None = None
    """The check that failed (htm, htu, iat, jti, ath, key binding, ...)."""
    with_token: bool = False
    """Sent with an access token (so checked against the token's key), not a token request."""


@server_event
class DenylistChecked(ServerEvent):
    """The denylist asked whether a token's id was revoked: server state again."""

    jti: str
    listed: bool


@server_event
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


Listener = Callable[[ServerEvent], None]


class EventLog:
    """Every server event in order (or the newest, when bounded); listeners hear each one
    as it happens.

    Scenes, the Repeater and snapshots need the whole log, and their scenes are short, so
    by default nothing is dropped. A long-running server (`tutor serve`) passes `limit`:
    the log then keeps between `limit` and `2 * limit` of the newest events, trimming in
    one slice when it reaches the upper bound (amortised O(1) per event, and `events`
    stays a list for its readers).
    """

    def __init__(self, clock: Clock, limit: int | None = None) -> None:
        if limit is not None and limit < 1:
            raise ValueError("an event log limit must be at least 1")
        self.clock = clock
        self.limit = limit
        """How many of the newest events are always kept; None keeps every event."""
        self.events: list[ServerEvent] = []
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` for every new event; returns a function that unsubscribes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def emit(self, event: ServerEvent) -> None:
        """Record an event and tell the listeners."""
        self.events.append(event)
        if self.limit is not None and len(self.events) >= 2 * self.limit:
            del self.events[:-self.limit]
        if self._listeners:
            for listener in list(self._listeners):
                listener(event)

    def requests(self) -> list[RequestHandled]:
        """The access log: only the request records."""
        return [e for e in self.events if isinstance(e, RequestHandled)]
