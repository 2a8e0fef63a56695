"""Whether an accepted request got in with a credential your client was never given.

A 200 is not always a plain success. The server's log says what it checked; the timeline
says what was issued to whom. A request is called out when the server accepted:
- a token whose key came from the token itself (the `key_source` of its signature check:
  the jwk/jku/kid weaknesses) or an unsigned one (`alg: none`): **forged**;
- a credential that a response to the victim's browser carried: **replayed** (stolen);
- a credential that no response ever carried: **forged** (made or edited by hand);
- a credential your client gave up at a logout that the server accepted: **replayed**.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tutor.browser.events import Exchange
from tutor.repeater.curl import server_cookie_bases
from tutor.repeater.draft import parse_cookie_header
from tutor.repeater.sandbox import YOU, Sandbox, TimelineEntry
from tutor.server.events import SignatureChecked
from tutor.server.modes.registry import HOST_PREFIX

TOKEN_SCHEMES = ("bearer", "dpop")


@dataclass(frozen=True)
class CredentialVerdict:
    """Why an accepted request should not be read as a plain success."""

    kind: str
    """forged or replayed."""
    message: str


def presented(exchange: Exchange) -> list[tuple[str, str]]:
    """(what, value) of each credential the request carried: a token, a session cookie."""
    found: list[tuple[str, str]] = []
    auth = exchange.request.header("authorization") or ""
    scheme, _, value = auth.partition(" ")
    if scheme.lower() in TOKEN_SCHEMES and value.strip():
        found.append((f"{scheme} token", value.strip()))
    # The server's cookies that say who you are (the CSRF cookie does not).
    credentials = server_cookie_bases() - {"csrf"}
    for name, cookie in parse_cookie_header(exchange.request.header("cookie") or ""):
        if name.removeprefix(HOST_PREFIX) in credentials and cookie:
            found.append((f"cookie {name}", cookie))
    return found


def judge(sandbox: Sandbox, entry: TimelineEntry) -> CredentialVerdict | None:
    """The verdict on `entry`'s main request, or None when nothing is amiss (or it was
    refused: a refusal is already plain)."""
    main = entry.main
    if main is None or entry.sender != YOU or not 200 <= main.response.status < 400:
        return None
    line = next((h for h in entry.handled if h.exchange is main), None)
    if line is None or line.event.principal is None:
        return None
    weak = ", ".join(sandbox.config.vulnerabilities.enabled())
    because = f" (weaknesses on: {weak})" if weak else ""
    for event in line.caused:
        if isinstance(event, SignatureChecked) and event.ok and event.key_source:
            return CredentialVerdict("forged", (
                f"FORGED: the server checked the signature with a key from {event.key_source}"
                f", which the token chose itself, and let you in as {line.event.principal}"
                f"{because}"))
    earlier = [e for e in sandbox.entries[:entry.index]]
    theirs = ([sandbox.setup] if sandbox.setup else []) + [e for e in earlier if e.sender != YOU]
    mine = [e for e in earlier if e.sender == YOU]
    for what, value in presented(main):
        if what.endswith("token") and _alg(value) == "none":
            return CredentialVerdict("forged", (
                f"FORGED: an unsigned token (alg none) let you in as {line.event.principal}"
                f"{because}"))
        if _issued_in(value, theirs) and not _issued_in(value, mine):
            return CredentialVerdict("replayed", (
                f"REPLAYED: this {what} was issued to {sandbox.victim_name or 'the victim'}'s "
                f"browser, not to yours; the server let you in as {line.event.principal}"))
        if not _issued_in(value, mine):
            return CredentialVerdict("forged", (
                f"FORGED: no response to your client issued this {what}, yet the server let "
                f"you in as {line.event.principal}{because}"))
        if _given_up(value, mine):
            return CredentialVerdict("replayed", (
                f"REPLAYED: this {what} was given up at a logout, and the server still let "
                f"you in as {line.event.principal}"))
    return None


def _issued_in(value: str, entries: Iterable[TimelineEntry]) -> bool:
    """Whether any response in `entries` carried `value` (body or any header)."""
    for entry in entries:
        for exchange in entry.exchanges:
            response = exchange.response
            if any(value in header for _, header in response.headers):
                return True
            if value in response.body.decode("utf-8", "replace"):
                return True
    return False


def _given_up(value: str, entries: Sequence[TimelineEntry]) -> bool:
    """Whether a logout your client made with `value` was accepted."""
    for entry in entries:
        main = entry.main
        if (main is not None and main.request.url.split("?")[0].endswith("/logout")
                and 200 <= main.response.status < 400
                and any(v == value for _, v in presented(main))):
            return True
    return False


def _alg(token: str) -> str | None:
    header = token.split(".", 1)[0]
    try:
        data = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    except (ValueError, UnicodeDecodeError):
        return None
    alg = data.get("alg") if isinstance(data, dict) else None
    return str(alg).lower() if alg is not None else None
