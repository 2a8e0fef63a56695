"""`tutor serve`'s access log: one line per request, so a learner sees their curl arrive.

Each line says who asked, the method and path, the status, and which credential came
with the request (the cookies' names, the Authorization scheme, or none), every value
replaced by `REDACTED` and credentials in the query hidden by the project's one rule
(`tutor.redaction`): a log on a shared screen must not hand out a session, not even
part of one. Paths come from the network, so they go through
`tutor.visible` before they reach the terminal.
"""

from __future__ import annotations

import re
from typing import TextIO

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tutor.har.credentials import cookie_pairs
from tutor.redaction import REDACTED, redact_url
from tutor.visible import visible

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,19}")
"""An auth-scheme name as RFC 9110 §11.1 allows (a token), short enough to be one."""
MAX_PATH = 200
"""Characters of a path shown; longer ones end in an ellipsis."""


def credentials_sent(headers: list[tuple[bytes, bytes]]) -> str:
    """The credentials in request headers, values redacted: `cookie sid=REDACTED`,
    `authorization Bearer REDACTED`, `dpop REDACTED`, or `no credential`."""
    parts = []
    for name, raw in headers:
        lowered = name.decode("latin-1").lower()
        value = raw.decode("latin-1")
        if lowered == "cookie":
            names = "; ".join(f"{n}={REDACTED}" for n, _ in cookie_pairs(value))
            parts.append(f"cookie {names or REDACTED}")
        elif lowered == "authorization":
            # The scheme only (Bearer, DPoP, Basic): everything after it is the secret. A
            # value with no scheme before a space is all secret (a bare token).
            scheme, space, _ = value.strip().partition(" ")
            named = space and _SCHEME.fullmatch(scheme)
            parts.append(f"authorization {scheme} {REDACTED}" if named
                         else f"authorization {REDACTED}")
        elif lowered == "dpop":
            parts.append(f"dpop {REDACTED}")
    return visible("; ".join(parts)) if parts else "no credential"


def request_target(scope: Scope) -> str:
    """The path and query as the client sent them, tokens in the query redacted."""
    path = scope.get("path", "")
    query = scope.get("query_string", b"").decode("latin-1")
    target = redact_url(f"{path}?{query}", _redacted) if query else path
    shown = visible(target)
    return shown if len(shown) <= MAX_PATH else shown[: MAX_PATH - 1] + "…"


def _redacted(_secret: str) -> str:
    return REDACTED


class AccessLog:
    """ASGI middleware printing a line to `out` once each response has started."""

    def __init__(self, app: ASGIApp, out: TextIO) -> None:
        self.app = app
        self.out: TextIO | None = out

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.out is None:
            await self.app(scope, receive, send)
            return
        status: list[int] = []

        async def noting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, noting_send)
        finally:
            self._line(scope, status[0] if status else None)

    def _line(self, scope: Scope, status: int | None) -> None:
        client = scope.get("client")
        who = visible(str(client[0])) if client else "-"
        shown = str(status) if status is not None else "---"  # failed before answering
        line = (f"{who} {visible(scope.get('method', '?'))} {request_target(scope)} "
                f"{shown} ({credentials_sent(scope.get('headers', []))})")
        try:
            print(line, file=self.out, flush=True)
        except (OSError, ValueError):
            self.out = None  # the terminal or pipe went away: keep serving, stop logging
