"""What a server event looks like on the stage: work in the server's lane (checking a
password, a signature), or an arrow to its store (a row written, looked up, deleted).

The store arrows are the point of the comparison: a session cookie costs a lookup on
every request, a JWT costs a signature check and no store, until a denylist is on.
"""

from __future__ import annotations

from collections.abc import Iterable

from tutor.scenes.story import STORE_LANE, Beat
from tutor.server import events as server_events


def server_beats(event: server_events.ServerEvent, lane: str, index: int,
                 steps: tuple[int, ...]) -> Iterable[Beat]:
    """What one server event looks like on the stage."""
    s = server_events
    where = f" on replica {event.replica}" if event.replica not in ("", "A") else ""
    if isinstance(event, s.SessionCreated):
        who = event.username or "a visitor not logged in"
        yield Beat("store", lane, STORE_LANE, f"+row {event.username or 'anonymous'}",
                   f"The server writes a new session row for {who} into its store{where}.",
                   index, steps if event.username else ())
    elif isinstance(event, s.SessionDestroyed):
        if event.reason.endswith("timeout"):
            # Nobody asked: the row ran out of time, so the store acts alone.
            yield Beat("store", STORE_LANE, STORE_LANE, "row expires",
                       f"The session row expires ({event.reason}) and leaves the store"
                       f"{where}.", index)
        else:
            yield Beat("store", lane, STORE_LANE, f"−row ({event.reason})",
                       f"The server deletes the session row from its store "
                       f"({event.reason}){where}.", index)
    elif isinstance(event, s.TokenIssued):
        if event.kind == "refresh":
            yield Beat("store", lane, STORE_LANE, "+refresh family",
                       f"The server records the refresh token in its family for "
                       f"{event.subject}: the one store write a JWT login makes{where}.",
                       index, steps)
        else:
            key = f" with key {event.kid[:8]}" if event.kid else ""
            yield Beat("work", lane, lane, f"signs {event.kind} JWT",
                       f"The server signs a {event.kind} token for {event.subject}{key}; "
                       "nothing about it is written to a store.", index, steps)
    elif isinstance(event, s.TokenDenylisted):
        yield Beat("store", lane, STORE_LANE, "+denylist jti",
                   f"The server adds the token's id to its denylist until it expires{where}.",
                   index)
    elif isinstance(event, s.RefreshFamilyRevoked):
        yield Beat("store", lane, STORE_LANE, "family revoked",
                   f"The server revokes the refresh-token family ({event.reason}){where}.",
                   index)
    elif isinstance(event, s.PasswordChanged):
        yield Beat("store", lane, STORE_LANE, "+password hash",
                   f"The server stores a new password hash for {event.username}{where}.",
                   index)
    elif isinstance(event, s.PasswordChecked):
        verdict = "✓" if event.ok else "✗"
        yield Beat("work", lane, lane, f"password {verdict}",
                   f"The server compares the password with {event.username}'s stored hash: "
                   f"{'it matches' if event.ok else 'no match (or no such user)'}.", index,
                   (3,) if event.ok and 3 in steps else ())
    elif isinstance(event, s.LoginThrottled):
        whose = ("this account" if event.scope == "account"
                 else "this client's address")
        yield Beat("work", lane, lane, f"throttled: wait {event.retry_after}s",
                   f"{event.failures} failed logins for {whose}: the server turns the "
                   f"attempt away without checking the password, for {event.retry_after} "
                   "more seconds.", index)
    elif isinstance(event, s.SessionLookedUp):
        found = (f"→ {event.username}" if event.username else "→ not logged in"
                 ) if event.found else "→ no row"
        yield Beat("store", lane, STORE_LANE, f"lookup sid {found}",
                   f"The server looks the cookie's session id up in its store{where}: "
                   + (f"the row says {event.username}." if event.found and event.username
                      else "a row, not logged in." if event.found
                      else "no such row, so the request comes from a stranger."),
                   index, tuple(s for s in steps if s == 4))
    elif isinstance(event, s.KeysRotated):
        yield Beat("work", lane, lane, "new signing key",
                   f"The server makes a new key {event.new_kid[:8]} and signs with it; the "
                   f"old key {event.old_kid[:8]} stays published so its tokens still verify"
                   f"{where}.", index)
    elif isinstance(event, s.KeyRetired):
        yield Beat("work", lane, lane, "key retired",
                   f"The server removes key {event.kid[:8]} from its key set{where}: tokens "
                   "it signed stop verifying here.", index)
    elif isinstance(event, s.KeysFetched):
        got = f"{len(event.kids)} key(s)" if event.found else "nothing"
        yield Beat("work", lane, lane, "fetches keys",
                   f"The server downloads keys from {event.url}{where}: {got}.", index)
    elif isinstance(event, s.SignatureChecked):
        verdict = "✓" if event.ok else f"✗ {event.stage or ''}".rstrip()
        key = f" (key {event.kid[:8]})" if event.kid else ""
        if event.key_source:
            key = f" with a key it took from {event.key_source}"
        yield Beat("work", lane, lane, f"checks signature {verdict}",
                   f"The server checks the {event.what}'s signature{key}: "
                   + ("valid, and it reads who it is from the credential itself, with no "
                      "store lookup." if event.ok else f"refused at the {event.stage} stage.")
                   , index, tuple(s for s in steps if s == 4))
    elif isinstance(event, s.DpopProofChecked):
        verdict = "✓" if event.ok else f"✗ {event.check or ''}".rstrip()
        key = f" (key {event.jkt[:8]})" if event.jkt else ""
        yield Beat("work", lane, lane, f"DPoP proof {verdict}",
                   f"The server checks the request's DPoP proof{key}: "
                   + (_dpop_passed(event.with_token) if event.ok
                      else f"refused at the {event.check} check."), index,
                   tuple(s for s in steps if s == 4))
    elif isinstance(event, s.DenylistChecked):
        yield Beat("store", lane, STORE_LANE,
                   "denylist? " + ("listed" if event.listed else "no"),
                   f"The server asks its denylist about the token's id{where}: "
                   + ("revoked at logout." if event.listed else "not revoked.")
                   + " Server state again, looked up on every request.", index,
                   tuple(s for s in steps if s == 4))


def _dpop_passed(with_token: bool) -> str:
    done = ("signed with the key it carries, for this method, URL and moment, and never "
            "seen before")
    if with_token:
        return done + "; the key is the one the token is bound to."
    return done + ": the tokens it issues will be bound to that key."
