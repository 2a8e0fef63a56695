"""What one replica works with: config, clock, keys, users, its store and the event log."""

from __future__ import annotations

from dataclasses import dataclass

from tutor import randomness
from tutor.clock import Clock
from tutor.server.config import ServerConfig
from tutor.server.keys import Keyring
from tutor.server.signed import SignedCookieCodec
from tutor.server.state import (
    AuthStore,
    EventLog,
    RefreshFamilyRevoked,
    ServerEvent,
    SessionCreated,
    SessionDestroyed,
    SessionRecord,
)
from tutor.server.tokens import TokenService
from tutor.server.users import UserDirectory

# 256 random bits: OWASP asks for at least 64 bits of entropy; we keep a wide margin.
SESSION_ID_BYTES = 32


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
    last_sweep: float | None = None
    """When `sweep` last ran: nothing can expire again until the clock moves."""

    def emit(self, event_type: type[ServerEvent], **fields: object) -> None:
        """Record a server event stamped with this replica and the current time."""
        self.log.emit(event_type(at=self.clock.now(), replica=self.name, **fields))

    # --- server-side sessions -------------------------------------------------------

    def create_session(self, username: str | None) -> SessionRecord:
        """A new session with a fresh random id that means nothing by itself."""
        now = self.clock.now()
        record = SessionRecord(
            session_id=randomness.token_urlsafe(SESSION_ID_BYTES),
            username=username,
            created_at=now,
            last_seen=now,
            csrf_token=randomness.token_urlsafe(32),
        )
        self.store.sessions[record.session_id] = record
        self.emit(SessionCreated, session_id=record.session_id, username=username)
        return record

    def destroy_session(self, session_id: str, reason: str) -> None:
        """Delete a session row, if it is still there."""
        if self.store.sessions.pop(session_id, None) is not None:
            self.emit(SessionDestroyed, session_id=session_id, reason=reason)

    def session_expiry_reason(self, record: SessionRecord) -> str | None:
        """Why a session is no longer valid at the current time, or None when it is."""
        now = self.clock.now()
        if now - record.created_at >= self.config.session_absolute_timeout:
            return "absolute-timeout"
        if now - record.last_seen >= self.config.session_idle_timeout:
            return "idle-timeout"
        return None

    def sweep(self) -> None:
        """Drop sessions and denylist entries whose time has passed."""
        now = self.clock.now()
        if now == self.last_sweep:
            return
        self.last_sweep = now
        for record in list(self.store.sessions.values()):
            reason = self.session_expiry_reason(record)
            if reason is not None:
                self.destroy_session(record.session_id, reason)
        for jti, exp in list(self.store.denylist.items()):
            if now >= exp:
                # The token is expired anyway: its entry is no longer needed.
                del self.store.denylist[jti]
        for alive in self.store.issued_access.values():
            for jti, exp in list(alive.items()):
                if now >= exp:
                    del alive[jti]

    def revoke_family(self, family: str, reason: str) -> bool:
        """Mark a refresh-token family revoked; False when it was unknown or already so."""
        record = self.store.families.get(family)
        if record is None or record.revoked:
            return False
        record.revoked = True
        self.emit(RefreshFamilyRevoked, family=family, reason=reason)
        return True
