"""`bff` mode's backend: a Backend-for-Frontend in front of a token-protected API.

The browser gets an opaque, HttpOnly session cookie, exactly as in `cookie` mode. At
login the BFF also obtains an access and a refresh token (minted here, as the API's
authorization server would) and keeps them in the session row, never in a response.
Each request from the page is then answered by the BFF calling the API with the access
token: the token is verified (a `SignatureChecked` event on the stage), and when it has
expired the BFF uses the refresh token, server-side, to get a new pair.

One process plays the BFF, the authorization server and the API, so the "call" is a
function call; what a learner sees (who holds which credential, and which checks run)
is what the pattern does (IETF OAuth 2.0 for Browser-Based Applications, the BFF).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from tutor.server.backends.base import Principal, login_response
from tutor.server.backends.jwt import JwtBackend
from tutor.server.backends.session import SessionBackend
from tutor.server.context import ReplicaContext
from tutor.server.http import Problem
from tutor.server.state import SessionRecord
from tutor.server.users import UserRecord


class BffBackend(SessionBackend):
    """`bff` mode: session cookie in the browser, tokens in the session row."""

    def __init__(self, ctx: ReplicaContext) -> None:
        super().__init__(ctx)
        self._api = JwtBackend(ctx)

    def authenticate(self, request: Request) -> Principal:
        principal = super().authenticate(request)
        record = self.ctx.store.sessions.get(principal.session_id or "")
        if record is None or record.tokens is None:
            raise self.unauthorized(request, "this session holds no tokens")
        user = self.ctx.users.get(principal.username)
        if user is None:
            raise self.unauthorized(request, "session belongs to no known user")
        claims = self._call_api(record, user)
        principal.claims = claims
        return principal

    def _call_api(self, record: SessionRecord, user: UserRecord) -> dict[str, object]:
        """Present the session's access token to the API; refresh it once if refused."""
        assert record.tokens is not None
        access, refresh, family = record.tokens
        try:
            return self._api.verify(access, "access")
        except Problem:
            pass
        # The access token expired (or was refused): use the refresh token server-side.
        try:
            self._api.verify(refresh, "refresh")
        except Problem:
            self.ctx.destroy_session(record.session_id, "tokens-expired")
            raise Problem(401, "unauthorized", "the session's tokens have expired") from None
        record.tokens = self._mint(user, family)
        return self._api.verify(record.tokens[0], "access")

    def _mint(self, user: UserRecord, family: str | None = None) -> tuple[str, str, str]:
        pair = self._api.mint_pair(user, family)
        claims = self.ctx.tokens.verify(str(pair["access_token"]), "access")
        return str(pair["access_token"]), str(pair["refresh_token"]), str(claims["sid"])

    def issue(self, request: Request, user: UserRecord, is_form: bool) -> Response:
        existing = self.current_session(request)
        if existing is not None:
            self.ctx.destroy_session(existing.session_id, "rotated")
        record = self.ctx.create_session(user.username)
        record.tokens = self._mint(user)
        # The body names the user and the CSRF token; the tokens stay on the server.
        response = login_response(is_form, {
            "username": user.username, "role": user.role, "csrf_token": record.csrf_token,
        })
        response.headers.append("Set-Cookie", self.spec(request).set(record.session_id))
        return response

    def end(self, request: Request, principal: Principal, is_form: bool) -> Response:
        record = self.ctx.store.sessions.get(principal.session_id or "")
        if record is not None and record.tokens is not None:
            self.ctx.revoke_family(record.tokens[2], "logout")
        return super().end(request, principal, is_form)

    def rotate(self, request: Request, principal: Principal, user: UserRecord) -> Response:
        for family in list(self.ctx.store.families.values()):
            if family.username == user.username:
                self.ctx.revoke_family(family.family, "password-changed")
        response = super().rotate(request, principal, user)
        for record in self.ctx.store.sessions.values():
            if record.username == user.username and record.tokens is None:
                record.tokens = self._mint(user)
        return response



