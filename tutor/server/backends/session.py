"""`cookie` mode's backend: an opaque id in a cookie, looked up in the session store."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from tutor.server import pages
from tutor.server.backends.base import (
    CookieBackend,
    Principal,
    login_response,
    logout_response,
)
from tutor.server.context import ReplicaContext
from tutor.server.events import SessionLookedUp
from tutor.server.http import JSONResponse, cookie_value
from tutor.server.users import UserRecord
from tutor.server.weaknesses import NO_SESSION_ROTATION


class SessionBackend(CookieBackend):
    """`cookie` mode: an opaque id in a cookie, looked up in the server's session store."""

    def __init__(self, ctx: ReplicaContext) -> None:
        # The mode's own name for it (bff mode reuses this backend with `bff`).
        super().__init__(ctx, ctx.config.server_mode.session_cookie, None)

    def page(self, request: Request) -> Response:
        """The login form, opening a pre-login session on the first visit."""
        record, set_cookie = self.ensure_anonymous(request)
        user = self.ctx.users.get(record.username) if record.username else None
        response = HTMLResponse(pages.cookie_page(self.ctx.config, user, record.csrf_token))
        if set_cookie:
            response.headers.append("Set-Cookie", set_cookie)
        return response

    def authenticate(self, request: Request) -> Principal:
        record = self.current_session(request)
        if record is None or record.username is None:
            raise self.unauthorized(request, self._why_not(request))
        record.last_seen = self.ctx.clock.now()
        user = self.ctx.users.get(record.username)
        if user is None:
            raise self.unauthorized(request, "session belongs to no known user")
        return Principal(
            user.username, user.role, self.credential, record.csrf_token, record.session_id
        )

    def current_session(self, request: Request) -> Any:
        """The live session row the request's cookie names, or None."""
        session_id = cookie_value(request, self.spec(request).name)
        if not session_id:
            return None
        record = self.ctx.store.sessions.get(session_id)
        self.ctx.emit(SessionLookedUp, session_id=session_id, found=record is not None,
                      username=record.username if record is not None else None)
        if record is None:
            return None
        reason = self.ctx.session_expiry_reason(record)
        if reason is not None:
            self.ctx.destroy_session(record.session_id, reason)
            return None
        return record

    def _why_not(self, request: Request) -> str:
        session_id = cookie_value(request, self.spec(request).name)
        if not session_id:
            return "no session cookie: the server cannot tell who you are"
        record = self.ctx.store.sessions.get(session_id)
        if record is not None and record.username is None:
            return "this session is not logged in"
        return "session id is unknown or has ended"

    def ensure_anonymous(self, request: Request) -> tuple[Any, str | None]:
        """The visitor's session, opening a pre-login one on first visit (as PHP's
        session_start or express-session do); with the Set-Cookie header when new."""
        record = self.current_session(request)
        if record is not None:
            record.last_seen = self.ctx.clock.now()  # any request is activity
            if record.username is None:
                self.ctx.store.touch_anonymous(record.session_id)
            return record, None
        record = self.ctx.create_session(None)
        return record, self.spec(request).set(record.session_id)

    def issue(self, request: Request, user: UserRecord, is_form: bool) -> Response:
        existing = self.current_session(request)
        if existing is not None and self.ctx.config.vulnerabilities.on(NO_SESSION_ROTATION):
            # VULNERABLE on purpose: the id the client had before login now logs it in.
            self.ctx.store.log_in_session(existing, user.username)
            record, rotated = existing, False
        else:
            if existing is not None:
                self.ctx.destroy_session(existing.session_id, "rotated")
            record, rotated = self.ctx.create_session(user.username), True
        response = login_response(is_form, {
            "username": user.username, "role": user.role, "csrf_token": record.csrf_token
        })
        if rotated:
            response.headers.append("Set-Cookie", self.spec(request).set(record.session_id))
        return response

    def end(self, request: Request, principal: Principal, is_form: bool) -> Response:
        assert principal.session_id is not None
        self.ctx.destroy_session(principal.session_id, "logout")
        response = logout_response(is_form, {"logged_out": True})
        response.headers.append("Set-Cookie", self.spec(request).clear())
        return response

    def rotate(self, request: Request, principal: Principal, user: UserRecord) -> Response:
        for record in self.ctx.store.sessions_of(user.username):
            self.ctx.destroy_session(record.session_id, "password-changed")
        fresh = self.ctx.create_session(user.username)
        response = JSONResponse({"password_changed": True, "csrf_token": fresh.csrf_token})
        response.headers.append("Set-Cookie", self.spec(request).set(fresh.session_id))
        return response
