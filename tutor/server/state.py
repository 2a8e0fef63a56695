"""What the mock server remembers: its session rows, refresh families and denylist.

Kept apart from the HTTP layer so the scene engine can snapshot it and put it back
exactly when a learner steps backward. What the server reports when this changes is in
`tutor.server.events`.
"""

from __future__ import annotations

import copy
import heapq
from collections.abc import Callable
from dataclasses import dataclass, field


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
