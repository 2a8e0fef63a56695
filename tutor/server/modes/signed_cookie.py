"""`signed-cookie` mode: the session data itself, signed, rides in the cookie."""

from __future__ import annotations

from tutor.server.modes.registry import ServerMode, register

SIGNED_COOKIE = register(ServerMode(
    name="signed-cookie",
    summary="session cookie: JSON + timestamp + HMAC; the server keeps nothing per user",
    credential="signed-cookie",
    backend="tutor.server.backends.signed_cookie:SignedCookieBackend",
    browser_keeps="cookie jar",
    session_cookie="session",
    sessions_note="a signed cookie carries the session itself",
    position=20,
))
