"""`cookie` mode: an opaque session id in a cookie, looked up in the server's store."""

from __future__ import annotations

from tutor.server.modes.registry import ServerMode, register

COOKIE = register(ServerMode(
    name="cookie",
    summary="sid cookie: 256 random bits; the server keeps a session row",
    credential="cookie",
    backend="tutor.server.backends.session:SessionBackend",
    browser_keeps="cookie jar",
    session_cookie="sid",
    position=10,
))
