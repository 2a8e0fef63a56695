"""`tutor watch --plain`: each event as a few lines of text, printed as it happens.

Exchange lines are `tutor inspect`'s (`har.render.entry_lines`): the same words for a
live login and a recorded one. Secrets are shortened as everywhere else, and what came
from the network goes through `visible`.
"""

from __future__ import annotations

from tutor.har.credentials import decode_jwt, is_token_field
from tutor.har.render import entry_lines
from tutor.login_steps import LOGIN_STEP_NAMES
from tutor.redaction import find_jwts, is_secret_name, shorten
from tutor.visible import visible, visible_shortened
from tutor.watch.session import (
    CookieChanged,
    ExchangeWatched,
    PasswordTyped,
    RequestBlocked,
    StorageWritten,
    WatchEvent,
    WatchNote,
)


def event_lines(event: WatchEvent) -> list[str]:
    """The lines one event prints."""
    if isinstance(event, ExchangeWatched):
        lines = entry_lines(event.item, event.findings)
        if event.failure:
            lines.insert(1, visible(f"    reason: {event.failure}"))
        lines += [f"    ★ first seen: login step {step}, {LOGIN_STEP_NAMES[step]}"
                  for step in event.new_steps]
        return lines
    if isinstance(event, PasswordTyped):
        field = f" {event.field!r}" if event.field else ""
        lines = [visible(f"login step 1: {LOGIN_STEP_NAMES[1]} (typing in password "
                         f"field{field} on {event.origin}; the value is not shown)")]
        if event.new_step:
            lines.append(f"    ★ first seen: login step 1, {LOGIN_STEP_NAMES[1]}")
        return lines
    if isinstance(event, CookieChanged):
        shown = "" if event.change == "removed" else "=" + shorten(event.value)
        return [visible(f"cookie {event.change}: {event.name}{shown}  [{event.attributes()}]")]
    if isinstance(event, StorageWritten):
        if event.op == "clear":
            return [visible(f"{event.area} cleared by a script on {event.origin}")]
        if event.op == "remove":
            return [visible(f"{event.area} remove {event.key} (script on {event.origin})")]
        lines = [f"{event.area} set {event.key}={_stored(event.key, event.value)} "
                 f"(script on {event.origin})"]
        token = decode_jwt(event.value, f"{event.area}.{event.key}")
        if token is not None:
            # A token kept where every script on the page can read it: say what it holds.
            claims = ", ".join(f"{k}={visible_shortened(str(v), 40)}"
                               for k, v in list(token.claims.items())[:6])
            lines.append(f"    JWT   in {token.location}, alg {token.header.get('alg', '?')}, "
                         f"UNVERIFIED: {claims or 'no claims'}; readable by any script "
                         "on this origin")
        return [visible(line) for line in lines]
    if isinstance(event, RequestBlocked):
        return [visible(f"blocked {event.method} {event.url}: origin not allowed")]
    return [visible(event.text)] if isinstance(event, WatchNote) else []


def _stored(key: str, value: str) -> str:
    """A storage value: shortened by the one rule when it is a credential (its name says
    so, or it holds a JWT), else shown as written, cut at 40 characters."""
    if is_secret_name(key) or is_token_field(key) or find_jwts(value):
        return shorten(value, 12)
    # Plain values and claims are no secret (anyone can decode a JWT): cut, not hidden.
    return visible_shortened(value, 40)
