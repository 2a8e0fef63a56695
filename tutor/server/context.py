"""What one replica works with: config, clock, keys, users, its store and the event log."""

from __future__ import annotations

from dataclasses import dataclass, field

from tutor import randomness
from tutor.clock import Clock
from tutor.server.config import ServerConfig
from tutor.server.events import (
    EventLog,
    RefreshFamilyRevoked,
    ServerEvent,
    SessionCreated,
    SessionDestroyed,
)
from tutor.server.hashing import InlineHashing, PasswordWork
from tutor.server.keys import Keyring
from tutor.server.signed import SignedCookieCodec
from tutor.server.state import AuthStore, SessionRecord
from tutor.server.throttle import LoginThrottle
from tutor.server.tokens import TokenService
from tutor.server.users import UserDirectory
from tutor.server.weaknesses import PREDICTABLE_SESSION_IDS

# 256 random bits: OWASP asks for at least 64 bits of entropy; we keep a wide margin.
SESSION_ID_BYTES = 32
# Pre-login sessions kept per store before the least recently seen is evicted: a crawler
# of the login page must not fill the store (each row is well under a kilobyte).
MAX_ANONYMOUS_SESSIONS = 10_000
SEQUENTIAL_ID_START = 1000
"""Where the predictable_session_ids weakness starts counting."""


@dataclass
class ReplicaContext:
    """Everything a replica's routes need; replicas differ only in name, store and keys."""

    name: str
    config: ServerConfig
    clock: Clock
    keys: Keyring
    users: UserDirectory
    store: AuthStore
    log: EventLog
    tokens: TokenService
    signed_cookies: SignedCookieCodec
    max_anonymous_sessions: int = MAX_ANONYMOUS_SESSIONS
    """Pre-login sessions kept before the least recently seen one is evicted."""
    throttle: LoginThrottle = field(default_factory=LoginThrottle)
    """Failed-login counters (one object shared by the replicas, like the users)."""
    hashing: PasswordWork = field(default_factory=InlineHashing)
    """Where scrypt runs: inline in scenes, a bounded thread pool under `tutor serve`."""

    def emit(self, event_type: type[ServerEvent], **fields: object) -> None:
        """Record a server event stamped with this replica and the current time."""
        # `at` and `replica` are every event's first two fields: passed by position, a
        # keyword pass fewer on the path every request takes two or three times.
        self.log.emit(event_type(self.clock.now(), self.name, **fields))

    # --- server-side sessions -------------------------------------------------------

    def create_session(self, username: str | None) -> SessionRecord:
        """A new session with a fresh random id that means nothing by itself."""
        if username is None:
            self._make_room_for_anonymous()
        now = self.clock.now()
        record = SessionRecord(
            session_id=self._new_session_id(),
            username=username,
            created_at=now,
            last_seen=now,
            csrf_token=randomness.token_urlsafe(32),
        )
        self.store.add_session(record, self.session_deadline(record))
        self.emit(SessionCreated, session_id=record.session_id, username=username)
        return record

    def _new_session_id(self) -> str:
        if self.config.vulnerabilities.on(PREDICTABLE_SESSION_IDS):
            # VULNERABLE on purpose: the next number in sequence, as early servers did
            # with a counter; seeing your own id tells you your neighbours'.
            return f"{SEQUENTIAL_ID_START + self.store.created:08d}"
        return randomness.token_urlsafe(SESSION_ID_BYTES)

    def _make_room_for_anonymous(self) -> None:
        # Like a cache with a size bound: the visitor least recently seen loses a login
        # form's CSRF token, and gets a new one if they come back. Ids whose row is gone
        # or logged in since (a test edit, the fixation weakness) are just dropped.
        anonymous = self.store.anonymous
        while len(anonymous) >= self.max_anonymous_sessions:
            oldest = next(iter(anonymous))
            record = self.store.sessions.get(oldest)
            if record is None or record.username is not None:
                del anonymous[oldest]
            else:
                self.destroy_session(oldest, "evicted")

    def destroy_session(self, session_id: str, reason: str) -> None:
        """Delete a session row, if it is still there."""
        if self.store.remove_session(session_id) is not None:
            self.emit(SessionDestroyed, session_id=session_id, reason=reason)

    def session_deadline(self, record: SessionRecord) -> float:
        """When `record` expires unless it is used before then."""
        return min(record.created_at + self.config.session_absolute_timeout,
                   record.last_seen + self.config.session_idle_timeout)

    def session_expiry_reason(self, record: SessionRecord, now: float | None = None) -> (
        str | None
    ):
        """Why a session is no longer valid at `now` (the clock's time), or None when it is."""
        # Written as `session_deadline` is, so a sweep and a lookup never disagree.
        if now is None:
            now = self.clock.now()
        if now >= record.created_at + self.config.session_absolute_timeout:
            return "absolute-timeout"
        if now >= record.last_seen + self.config.session_idle_timeout:
            return "idle-timeout"
        return None

    def sweep(self) -> None:
        """Drop sessions, denylist entries, issued-token records and refresh families whose
        time has passed.

        Runs at the start of every route and after a scene moves the clock. It pops only
        what is due from the store's heaps, so its cost does not grow with the number of
        live sessions; expired sessions are destroyed in the order they were created.
        """
        now, store = self.clock.now(), self.store
        # Most requests find nothing due: a look at each heap's top, and no calls.
        if store.session_due and store.session_due[0][0] <= now:
            for record in store.pop_sessions_due(now, self.session_deadline):
                reason = self.session_expiry_reason(record, now)
                assert reason is not None  # due at `now`: a timeout has passed at `now`
                self.destroy_session(record.session_id, reason)
        if store.token_due and store.token_due[0][0] <= now:
            # A denylisted token is expired anyway once its exp has passed: drop the entry.
            store.drop_expired_tokens(now)
        if store.family_due and store.family_due[0][0] <= now:
            store.drop_expired_families(now)

    def revoke_family(self, family: str, reason: str) -> bool:
        """Mark a refresh-token family revoked; False when it was unknown or already so."""
        record = self.store.families.get(family)
        if record is None or record.revoked:
            return False
        record.revoked = True
        self.emit(RefreshFamilyRevoked, family=family, reason=reason)
        return True
