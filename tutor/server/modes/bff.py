"""`bff` mode: a Backend-for-Frontend. The browser holds only a session cookie; the
server-side component keeps the access and refresh tokens and uses them for the page."""

from __future__ import annotations

from tutor.server.modes.registry import ServerMode, register

BFF = register(ServerMode(
    name="bff",
    summary="bff cookie: a session id; the server keeps the JWTs and calls the API itself",
    credential="cookie",
    backend="tutor.server.backends.bff:BffBackend",
    browser_keeps="cookie jar",
    session_cookie="bff",
    signs_tokens=True,
    position=40,
))
