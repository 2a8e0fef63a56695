"""The user directory: demo accounts with scrypt-hashed passwords."""

from __future__ import annotations

import copy
import hashlib
import hmac
import itertools
from collections.abc import Callable
from dataclasses import dataclass

from tutor import randomness
from tutor.server.config import DemoUser, Role

_SALT_BYTES = 16
# Every distinct state of a directory gets a stamp never used before, so two directories
# with the same stamp hold the same accounts (lets snapshots share unchanged copies).
_STAMPS = itertools.count()
_KEY_BYTES = 32


@dataclass(frozen=True)
class PasswordHash:
    """An scrypt hash with its parameters, as a database row would keep it."""

    salt: bytes
    digest: bytes
    n: int
    r: int = 8
    p: int = 1

    @classmethod
    def create(cls, password: str, n: int) -> PasswordHash:
        """Hash a password with a fresh random salt."""
        return cls.with_salt(password, randomness.token_bytes(_SALT_BYTES), n)

    @classmethod
    def with_salt(cls, password: str, salt: bytes, n: int) -> PasswordHash:
        """Hash a password with a salt already drawn."""
        return cls(salt, _scrypt(password, salt, n, 8, 1), n)

    @classmethod
    def create_many(cls, passwords: list[str], n: int) -> list[PasswordHash]:
        """Hash several passwords one after another, each with a fresh random salt.

        One at a time on purpose: at `tutor serve`'s cost each hash holds 128 MiB while
        it runs, and hashing the demo passwords side by side made start-up peak at over
        400 MiB. A directory is hashed once per process and cached, so its salts stay
        out of the repeatable stream.
        """
        salts = [randomness.unrepeatable_bytes(_SALT_BYTES) for _ in passwords]
        return [cls.with_salt(p, s, n) for p, s in zip(passwords, salts, strict=True)]

    @classmethod
    def decoy(cls, n: int) -> PasswordHash:
        """A hash no password matches, checked when a username is unknown.

        Checking it costs one scrypt at cost `n`, the same as a wrong password, which is
        all a decoy is for; its digest is random rather than the hash of a random
        password, which would cost a second of scrypt at start-up for nothing.
        """
        return cls(randomness.unrepeatable_bytes(_SALT_BYTES),
                   randomness.unrepeatable_bytes(_KEY_BYTES), n)

    def matches(self, password: str) -> bool:
        """Compare in constant time, so timing does not reveal how much matched."""
        candidate = _scrypt(password, self.salt, self.n, self.r, self.p)
        return hmac.compare_digest(candidate, self.digest)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8", "surrogatepass"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        maxmem=256 * 1024 * 1024,
        dklen=_KEY_BYTES,
    )


@dataclass
class UserRecord:
    """One account: never holds the plain password."""

    username: str
    role: Role
    password: PasswordHash
    password_generation: int = 0
    """Bumped on every password change; signed cookies carry it to detect stale logins."""


class UserDirectory:
    """All accounts of one mock server (shared by its replicas, like one database)."""

    def __init__(self, users: tuple[DemoUser, ...], scrypt_cost: int) -> None:
        self._scrypt_cost = scrypt_cost
        hashes = PasswordHash.create_many([u.password for u in users], scrypt_cost)
        self._users = {
            u.username: UserRecord(u.username, u.role, hashed)
            for u, hashed in zip(users, hashes, strict=True)
        }
        # Unknown usernames are checked against this hash so that they cost the same time
        # as a wrong password (OWASP Authentication Cheat Sheet: no user enumeration).
        self._decoy = PasswordHash.decoy(scrypt_cost)
        self.stamp = next(_STAMPS)
        """Changes whenever an account changes."""

    def authenticate(self, username: str, password: str) -> UserRecord | None:
        """The user when the password is right, else None; the same work either way."""
        record = self._users.get(username)
        if record is None:
            self._decoy.matches(password)
            return None
        return record if record.password.matches(password) else None

    def get(self, username: str) -> UserRecord | None:
        """Look a user up by name."""
        return self._users.get(username)

    def hashing(self, password: str) -> Callable[[], PasswordHash]:
        """The work of hashing a new password, to run where hashing runs.

        The salt is drawn now, on the caller's thread, so scenes draw it in the same
        order whichever thread does the scrypt.
        """
        salt = randomness.token_bytes(_SALT_BYTES)
        cost = self._scrypt_cost
        return lambda: PasswordHash.with_salt(password, salt, cost)

    def change_password(self, username: str, new_password: str) -> UserRecord:
        """Hash a new password here and store it (see `set_password`)."""
        return self.set_password(username, self.hashing(new_password)())

    def set_password(self, username: str, hashed: PasswordHash) -> UserRecord:
        """Store a new hash and bump the generation that invalidates older logins."""
        record = self._users[username]
        record.password = hashed
        record.password_generation += 1
        self.stamp = next(_STAMPS)
        return record

    def copy(self) -> UserDirectory:
        """A copy whose records can change independently (hashes are immutable)."""
        clone = object.__new__(UserDirectory)
        clone._scrypt_cost = self._scrypt_cost
        clone._users = {name: copy.copy(record) for name, record in self._users.items()}
        clone._decoy = self._decoy
        clone.stamp = self.stamp
        return clone

    def restore_from(self, other: UserDirectory) -> None:
        """Take `other`'s accounts, keeping this object (every replica holds it)."""
        self._users = {name: copy.copy(record) for name, record in other._users.items()}
        self.stamp = other.stamp

    def usernames(self) -> list[str]:
        """Every account name, sorted."""
        return sorted(self._users)
