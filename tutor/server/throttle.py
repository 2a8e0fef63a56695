"""Login throttling: failed logins slow down an account and a client, never lock them for good.

The shape follows OWASP's Authentication Cheat Sheet ("Account Lockout"): a lockout
threshold (failures allowed), an observation window (failures older than it are
forgotten) and a lockout duration that doubles with each further failure, with the
counter kept on the account itself so that guessing from many addresses is slowed too.
A second counter per client address slows one client spraying many accounts.

A lockout on the account alone would let anyone lock a victim out by typing wrong
passwords. So locks are temporary (at most `MAX_DELAY`), attempts refused during a lock
do not lengthen it, and a client that logged in to the account recently is trusted and
not held by the account's lock (OWASP, "Slow Down Online Guessing Attacks with Device
Cookies", keys trust on a device cookie; the mock server keys it on the client address).

Everything is on the server's clock, so scenes can show a lock and then wait it out.
Entries are kept in order of last use and dropped once their window has passed, and
there are at most `MAX_TRACKED` of each kind: memory stays bounded whatever the input.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

FREE_ACCOUNT_FAILURES = 5
"""Failed logins to one account (from anywhere) before each further try must wait."""
FREE_CLIENT_FAILURES = 20
"""Failed logins from one client address (to any accounts) before it must wait."""
FIRST_DELAY = 30
"""Seconds of the first lock; each further failure doubles it."""
MAX_DELAY = 15 * 60
"""The longest lock: a lock always ends by itself."""
WINDOW = 15 * 60
"""Seconds after the last failure, or after the lock it caused, when a counter is
forgotten: a lock that ran out does not hand out another set of free tries at once."""
TRUST_SECONDS = 24 * 3600
"""How long a client that logged in to an account is exempt from its lock."""
MAX_TRACKED = 10_000
"""Counters (and trusted pairs) kept at most: the least recently used go first."""


@dataclass
class Failures:
    """Recent failed logins for one account or one client."""

    count: int
    last: float
    """When the last failure happened."""
    locked_until: float = 0.0
    """No attempt is checked before this time."""

    def forgotten(self, now: float) -> bool:
        """True once the observation window has passed since the failure or its lock."""
        return now >= max(self.last, self.locked_until) + WINDOW


@dataclass(frozen=True)
class Refusal:
    """Why a login attempt is turned away before its password is checked."""

    scope: str
    """"account" or "client": which counter is locked."""
    retry_after: int
    """Whole seconds until the lock ends."""
    failures: int
    """Failures that counter holds."""


class LoginThrottle:
    """Failure counters per account and per client, and the trusted (account, client) pairs."""

    def __init__(self) -> None:
        self.accounts: dict[str, Failures] = {}
        """Typed username → failures (unknown names too, so a lock reveals nothing)."""
        self.clients: dict[str, Failures] = {}
        """Client address → failures."""
        self.trusted: dict[tuple[str, str], float] = {}
        """(username, client) → when that client last logged in to that account."""

    def copy(self) -> LoginThrottle:
        """An independent copy (for snapshots)."""
        clone = LoginThrottle()
        clone.accounts = {k: Failures(v.count, v.last, v.locked_until)
                          for k, v in self.accounts.items()}
        clone.clients = {k: Failures(v.count, v.last, v.locked_until)
                         for k, v in self.clients.items()}
        clone.trusted = dict(self.trusted)
        return clone

    def check(self, username: str, client: str, now: float, trusting: bool = True) -> (
        Refusal | None
    ):
        """A refusal when this attempt must wait, else None (go on and check the password).

        `trusting=False` holds even a trusted client: re-entering the current password
        (to change it) is what someone holding a stolen session would guess at.
        """
        self._forget(now)
        held = _current(self.clients, client, now)
        if held is not None and now < held.locked_until:
            return Refusal("client", math.ceil(held.locked_until - now), held.count)
        account = _current(self.accounts, username, now)
        if account is not None and now < account.locked_until and not (
            trusting and self._trusts(username, client, now)
        ):
            return Refusal("account", math.ceil(account.locked_until - now), account.count)
        return None

    def failed(self, username: str, client: str, now: float) -> None:
        """Count a wrong password against the account and the client."""
        _count(self.accounts, username, now, FREE_ACCOUNT_FAILURES)
        _count(self.clients, client, now, FREE_CLIENT_FAILURES)

    def succeeded(self, username: str, client: str, now: float) -> None:
        """A right password: the account's counter is cleared and the client trusted.

        The client's counter is kept, so logging in to one's own account does not
        reset a client that was guessing other accounts' passwords.
        """
        self.accounts.pop(username, None)
        self.trusted.pop((username, client), None)
        self.trusted[(username, client)] = now
        if len(self.trusted) > MAX_TRACKED:
            del self.trusted[next(iter(self.trusted))]

    def _trusts(self, username: str, client: str, now: float) -> bool:
        since = self.trusted.get((username, client))
        return since is not None and now - since < TRUST_SECONDS

    def _forget(self, now: float) -> None:
        # Least recently used first: stop at the first one still remembered. (One kept a
        # little past its window is bounded by MAX_TRACKED and ignored by `_current`.)
        for table in (self.accounts, self.clients):
            while table:
                key, failures = next(iter(table.items()))
                if not failures.forgotten(now):
                    break
                del table[key]
        while self.trusted:
            pair, since = next(iter(self.trusted.items()))
            if now - since < TRUST_SECONDS:
                break
            del self.trusted[pair]


def _current(table: dict[str, Failures], key: str, now: float) -> Failures | None:
    failures = table.get(key)
    return None if failures is None or failures.forgotten(now) else failures


def _count(table: dict[str, Failures], key: str, now: float, free: int) -> None:
    failures = table.pop(key, None)  # re-inserted at the end: most recently used
    if failures is None or failures.forgotten(now):
        failures = Failures(0, now)
    failures.count += 1
    failures.last = now
    if failures.count >= free:
        # The lock after the last free failure is FIRST_DELAY, then it doubles.
        extra = failures.count - free
        failures.locked_until = now + min(MAX_DELAY, FIRST_DELAY * 2 ** min(extra, 16))
    table[key] = failures
    if len(table) > MAX_TRACKED:
        del table[next(iter(table))]
