"""`jwt-cookie` mode: the same signed JWT as `jwt` mode, carried in an HttpOnly cookie
instead of an Authorization header, with a signed double-submit CSRF cookie."""

from __future__ import annotations

from tutor.server.modes.registry import ServerMode, register

JWT_COOKIE = register(ServerMode(
    name="jwt-cookie",
    summary="jwt cookie: a signed JWT in an HttpOnly cookie, plus a signed CSRF cookie",
    credential="jwt-cookie",
    backend="tutor.server.backends.jwt_cookie:JwtCookieBackend",
    browser_keeps="cookie jar",
    session_cookie="jwt",
    signs_tokens=True,
    sessions_note="the JWT in the cookie carries the claims itself",
    position=35,
))
