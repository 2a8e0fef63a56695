"""`jwt` mode: signed bearer tokens the page's script keeps and sends itself."""

from __future__ import annotations

from tutor.server.modes.registry import ServerMode, register

JWT = register(ServerMode(
    name="jwt",
    summary="access + refresh tokens in the body, sent back as Authorization: Bearer",
    credential="bearer",
    backend="tutor.server.backends.jwt:JwtBackend",
    browser_keeps="localStorage",
    auth_scheme="Bearer",
    signs_tokens=True,
    sessions_note="JWTs carry the claims themselves",
    position=30,
))
