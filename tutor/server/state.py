"""What the mock server remembers, and the events it reports when that changes.

Kept apart from the HTTP layer so the scene engine can watch it, snapshot it and put it
back exactly when a learner steps backward.
"""

from __future__ import annotations

import copy
import heapq
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
class KeysRotated(ServerEvent):
    """The issuer made a new signing key; the old public key stays in the JWKS."""

    new_kid: str
    old_kid: str


@dataclass(frozen=True)
class KeyRetired(ServerEvent):
    """An old public key left the JWKS: tokens it signed no longer verify at the issuer."""

    kid: str


@dataclass(frozen=True)
class KeysFetched(ServerEvent):
    """A server downloaded verification keys: a replica refreshing its copy of the
    issuer's JWKS, or a vulnerable server following a token's jku/x5u URL."""

    url: str
    found: bool
    kids: tuple[str, ...] = ()


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
    key_source: str | None = None
    """Where a vulnerable server took the key from (the token's own header, a URL, a
    file); None when it used its own key."""


@dataclass(frozen=True)
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
    tokens: tuple[str, str, str] | None = None
    """`bff` mode: the access token, refresh token and refresh family the server keeps
    for this session (the browser never sees them)."""


@dataclass
class RefreshFamily:
    """All refresh tokens descended from one login; only the newest may be used."""

    family: str
    username: str
    current_jti: str
    revoked: bool = False
    expires_at: float = 0.0
    """When its newest refresh token expires: after that the family is forgotten."""


# Stale heap entries tolerated beyond the live rows before the heap is compacted.
STALE_SLACK = 64


@dataclass
class AuthStore:
    """Session store, JWT denylist and refresh-token families: one per replica, or shared.

    Rows are written through `add_session`, `add_denylisted` and `add_issued_access`, which
    also file them by when they fall due, so a sweep pops what is due from a heap instead
    of walking every row (on the real clock a sweep runs on every request).
    """

    sessions: dict[str, SessionRecord] = field(default_factory=dict)
    denylist: dict[str, int] = field(default_factory=dict)
    """jti → exp: an entry can be dropped once the token would have expired anyway."""
    families: dict[str, RefreshFamily] = field(default_factory=dict)
    issued_access: dict[str, dict[str, int]] = field(default_factory=dict)
    """username → {jti: exp} of access tokens still alive, so a password change can revoke them."""
    session_due: list[tuple[float, int, str]] = field(default_factory=list, compare=False,
                                                      repr=False)
    """Heap of (earliest expiry, creation order, session id). An entry can be early (the
    session was used since) or stale (the row is gone): the sweep checks the row."""
    token_due: list[tuple[int, str, str]] = field(default_factory=list, compare=False,
                                                  repr=False)
    """Heap of (exp, username, jti) for denylist entries (username "") and issued tokens."""
    anonymous: dict[str, None] = field(default_factory=dict, compare=False, repr=False)
    """Pre-login session ids, least recently seen first (a dict keeps the order)."""
    created: int = field(default=0, compare=False, repr=False)
    """Sessions created so far: the creation order a sweep reports expiries in."""
    dpop_proofs: dict[str, float] = field(default_factory=dict)
    """Hashes of DPoP proof `jti`s seen → until when they are remembered (RFC 9449
    §11.1), oldest first: a proof works once."""
    family_due: list[tuple[float, str]] = field(default_factory=list, compare=False,
                                                repr=False)
    """Heap of (expiry, family): a family whose newest refresh token has expired can
    never be used again, so the sweep forgets it (an entry is early if it was renewed)."""
    user_sessions: dict[str, dict[str, None]] = field(default_factory=dict, compare=False,
                                                      repr=False)
    """username → its logged-in session ids, so a password change ends them without a walk."""
    user_families: dict[str, dict[str, None]] = field(default_factory=dict, compare=False,
                                                      repr=False)
    """username → its families, so a password change revokes them without a walk."""

    def copy(self) -> AuthStore:
        """A copy sharing nothing mutable (records are flat, so one level is enough).

        Hand-written because `copy.deepcopy` made snapshots several times slower, and a
        scene snapshots after every step. The heaps hold tuples, so a list copy will do.
        """
        return AuthStore(
            sessions={k: copy.copy(v) for k, v in self.sessions.items()},
            denylist=dict(self.denylist),
            families={k: copy.copy(v) for k, v in self.families.items()},
            issued_access={user: dict(alive) for user, alive in self.issued_access.items()},
            session_due=list(self.session_due),
            token_due=list(self.token_due),
            anonymous=dict(self.anonymous),
            created=self.created,
            dpop_proofs=dict(self.dpop_proofs),
            family_due=list(self.family_due),
            user_families={user: dict(f) for user, f in self.user_families.items()},
            user_sessions={user: dict(ids) for user, ids in self.user_sessions.items()},
        )

    def authenticated_sessions(self) -> list[SessionRecord]:
        """Sessions that belong to a logged-in user."""
        return [s for s in self.sessions.values() if s.username is not None]

    # --- writing rows, filed by when they fall due -----------------------------------

    def add_session(self, record: SessionRecord, due: float) -> None:
        """Store a new session row that expires at `due` unless it is used meanwhile."""
        self.sessions[record.session_id] = record
        heapq.heappush(self.session_due, (due, self.created, record.session_id))
        self.created += 1
        if record.username is None:
            self.anonymous[record.session_id] = None
        else:
            self.user_sessions.setdefault(record.username, {})[record.session_id] = None

    def remove_session(self, session_id: str) -> SessionRecord | None:
        """Delete a session row; its heap entry goes stale and is dropped when due."""
        self.anonymous.pop(session_id, None)
        record = self.sessions.pop(session_id, None)
        if record is not None and record.username is not None:
            owned = self.user_sessions.get(record.username)
            if owned is not None:
                owned.pop(session_id, None)
                if not owned:
                    del self.user_sessions[record.username]
        if len(self.session_due) > 2 * len(self.sessions) + STALE_SLACK:
            # Mostly stale (logouts, evictions): drop them now rather than when due, so
            # the heap stays proportional to the live rows. Amortised O(1) per removal.
            self.session_due = [e for e in self.session_due if e[2] in self.sessions]
            heapq.heapify(self.session_due)
        return record

    def touch_anonymous(self, session_id: str) -> None:
        """A pre-login session was seen: it becomes the last one evicted."""
        if session_id in self.anonymous:
            del self.anonymous[session_id]
            self.anonymous[session_id] = None

    def log_in_session(self, record: SessionRecord, username: str) -> None:
        """Give an existing (pre-login) session row a user, without a new id."""
        if record.username is not None:
            self.user_sessions.get(record.username, {}).pop(record.session_id, None)
        record.username = username
        self.anonymous.pop(record.session_id, None)
        self.user_sessions.setdefault(username, {})[record.session_id] = None

    def sessions_of(self, username: str) -> list[SessionRecord]:
        """The logged-in sessions of one user, oldest first."""
        rows = (self.sessions.get(sid) for sid in self.user_sessions.get(username, {}))
        return [row for row in rows if row is not None and row.username == username]

    def add_denylisted(self, jti: str, exp: int) -> bool:
        """Refuse `jti` until `exp`; False when it was already listed."""
        if jti in self.denylist:
            return False
        self.denylist[jti] = exp
        heapq.heappush(self.token_due, (exp, "", jti))
        return True

    def add_issued_access(self, username: str, jti: str, exp: int) -> None:
        """Remember a live access token of `username`, so a password change can revoke it."""
        self.issued_access.setdefault(username, {})[jti] = exp
        heapq.heappush(self.token_due, (exp, username, jti))

    def file_family(self, family: str, username: str, current_jti: str,
                    expires_at: float) -> RefreshFamily:
        """Start a refresh-token family, or move an existing one on to its newest token."""
        record = self.families.get(family)
        if record is None:
            record = self.families[family] = RefreshFamily(family, username, current_jti)
            self.user_families.setdefault(username, {})[family] = None
        record.current_jti = current_jti
        record.expires_at = expires_at
        heapq.heappush(self.family_due, (expires_at, family))
        return record

    def families_of(self, username: str) -> list[RefreshFamily]:
        """The refresh-token families of one user, oldest first."""
        return [self.families[f] for f in self.user_families.get(username, {})
                if f in self.families]

    def drop_expired_families(self, now: float) -> None:
        """Forget families whose newest refresh token has expired: nothing can use them."""
        heap = self.family_due
        while heap and heap[0][0] <= now:
            _, family = heapq.heappop(heap)
            record = self.families.get(family)
            if record is not None and record.expires_at <= now:
                del self.families[family]
                owned = self.user_families.get(record.username)
                if owned is not None:
                    owned.pop(family, None)
                    if not owned:
                        del self.user_families[record.username]

    def drop_expired_tokens(self, now: float) -> None:
        """Forget denylist entries and issued tokens whose `exp` has passed."""
        heap = self.token_due
        while heap and heap[0][0] <= now:
            exp, username, jti = heapq.heappop(heap)
            table = self.issued_access.get(username, {}) if username else self.denylist
            # Only the entry this heap item was filed for (a jti is never reused).
            if table.get(jti) == exp:
                del table[jti]

    def pop_sessions_due(self, now: float, deadline: Callable[[SessionRecord], float]) -> (
        list[SessionRecord]
    ):
        """Sessions whose `deadline(record)` is `now` or earlier, in creation order.

        Heap entries come out by the expiry known when they were filed; a session used
        since then is filed again under its new deadline, a deleted one is skipped.
        """
        heap = self.session_due
        due: list[tuple[int, SessionRecord]] = []
        while heap and heap[0][0] <= now:
            _, order, session_id = heapq.heappop(heap)
            record = self.sessions.get(session_id)
            if record is None:
                continue
            when = deadline(record)
            if when <= now:
                due.append((order, record))
            else:
                heapq.heappush(heap, (when, order, session_id))
        due.sort(key=lambda item: item[0])
        return [record for _, record in due]


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
