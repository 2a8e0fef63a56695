"""`signed-cookie` mode's backend: the session data itself, signed, rides in the cookie."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from tutor import randomness
from tutor.server import pages
from tutor.server.backends.base import (
    CookieBackend,
    Principal,
    login_response,
    logout_response,
)
from tutor.server.context import ReplicaContext
from tutor.server.events import SignatureChecked
from tutor.server.http import JSONResponse, Problem, cookie_value
from tutor.server.signed import SignedCookieRejected
from tutor.server.users import UserRecord


class SignedCookieBackend(CookieBackend):
    """`signed-cookie` mode: the session data itself, signed, rides in the cookie."""

    def __init__(self, ctx: ReplicaContext) -> None:
        super().__init__(ctx, ctx.config.server_mode.session_cookie,
                         ctx.config.signed_cookie_max_age)

    def page(self, request: Request) -> Response:
        """The login form, or who the signed cookie says is logged in."""
        try:
            principal = self.authenticate(request)
            user = self.ctx.users.get(principal.username)
            csrf = principal.csrf_token or ""
        except Problem:
            user, csrf = None, ""
        return HTMLResponse(pages.cookie_page(self.ctx.config, user, csrf))

    def authenticate(self, request: Request) -> Principal:
        value = cookie_value(request, self.spec(request).name)
        if not value:
            raise self.unauthorized(
                request, "no session cookie: the server cannot tell who you are"
            )
        try:
            data = self.ctx.signed_cookies.decode(value)
        except SignedCookieRejected as exc:
            self.ctx.emit(SignatureChecked, what="signed cookie", ok=False, stage="signature")
            raise self.unauthorized(request, str(exc)) from None
        self.ctx.emit(SignatureChecked, what="signed cookie", ok=True,
                      subject=str(data.get("user", "")))
        user = self.ctx.users.get(str(data.get("user", "")))
        if user is None:
            raise self.unauthorized(request, "signed session names no known user")
        # Django's approach: a login made before the last password change no longer counts.
        if data.get("pwgen") != user.password_generation:
            raise self.unauthorized(request, "password changed since this session was signed")
        return Principal(
            user.username, user.role, self.credential, str(data.get("csrf", "")) or None
        )

    def _cookie_for(self, request: Request, user: UserRecord) -> tuple[str, str]:
        csrf = randomness.token_urlsafe(32)
        value = self.ctx.signed_cookies.encode(
            {"user": user.username, "role": user.role, "csrf": csrf,
             "pwgen": user.password_generation}
        )
        return self.spec(request).set(value), csrf

    def issue(self, request: Request, user: UserRecord, is_form: bool) -> Response:
        header, csrf = self._cookie_for(request, user)
        response = login_response(
            is_form, {"username": user.username, "role": user.role, "csrf_token": csrf}
        )
        response.headers.append("Set-Cookie", header)
        return response

    def end(self, request: Request, principal: Principal, is_form: bool) -> Response:
        # The server keeps nothing to delete: a copy of the cookie stays valid until it expires.
        response = logout_response(is_form, {"logged_out": True, "server_state_removed": False})
        response.headers.append("Set-Cookie", self.spec(request).clear())
        return response

    def rotate(self, request: Request, principal: Principal, user: UserRecord) -> Response:
        header, csrf = self._cookie_for(request, user)
        response = JSONResponse({"password_changed": True, "csrf_token": csrf})
        response.headers.append("Set-Cookie", header)
        return response
