"""`jwt-cookie` mode's backend: a JWT access token in an HttpOnly cookie.

Where a credential travels is separate from what it is: this is `jwt` mode's token,
verified the same way, but the browser keeps and sends it as a cookie, so it gets a
cookie's properties: scripts cannot read it (HttpOnly), the browser attaches it by
itself, and state-changing requests need a CSRF defence.

The server keeps no session, so the CSRF defence is OWASP's *signed double-submit
cookie*: at login the server sets a readable `csrf` cookie whose value is
`random.HMAC(secret, sid + "!" + random)`, bound to the login (the token's `sid`
claim). The page copies it into an `X-CSRF-Token` header; the server accepts a write
only if the header equals the cookie and the cookie's HMAC matches this login. A page
on another site can neither read the cookie nor, without the secret, make a value that
fits Alice's login, even if it can plant cookies from a sibling subdomain.

With the `naive_double_submit` weakness the cookie is what many frameworks set: a plain
random value named `csrf` (no `__Host-` prefix), and a write passes when the header
equals whatever `csrf` cookie came with it. An attacker who can write a cookie for the
site plants one and sends the same value (lesson 10's `naive-double-submit` scene).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from tutor import randomness
from tutor.server import pages
from tutor.server.backends.base import (
    CookieBackend,
    Principal,
    is_https,
    login_response,
    logout_response,
)
from tutor.server.backends.jwt import JwtBackend
from tutor.server.context import ReplicaContext
from tutor.server.events import DenylistChecked
from tutor.server.http import CookieSpec, JSONResponse, Problem, cookie_value
from tutor.server.modes.registry import csrf_cookie_name
from tutor.server.tokens import TokenRejected
from tutor.server.users import UserRecord
from tutor.server.weaknesses import NAIVE_DOUBLE_SUBMIT


class JwtCookieBackend(JwtBackend):
    """`jwt-cookie` mode: JWT in an HttpOnly cookie, signed double-submit CSRF cookie."""

    def __init__(self, ctx: ReplicaContext) -> None:
        super().__init__(ctx)
        self._cookie = CookieBackend(ctx, ctx.config.server_mode.session_cookie,
                                     ctx.config.access_token_ttl)

    # --- cookies ----------------------------------------------------------------------

    @property
    def _naive(self) -> bool:
        return self.ctx.config.vulnerabilities.on(NAIVE_DOUBLE_SUBMIT)

    def _csrf_spec(self, request: Request) -> CookieSpec:
        jwt_spec = self._cookie.spec(request)
        # VULNERABLE when naive: without __Host-, a subdomain may set a `csrf` cookie too.
        name = csrf_cookie_name(is_https(request), self._naive)
        # Readable on purpose (no HttpOnly): the page copies it into a header.
        return CookieSpec(name=name,
                          http_only=False, secure=jwt_spec.secure,
                          same_site=jwt_spec.same_site, max_age=jwt_spec.max_age)

    def csrf_token_for(self, login_id: str, nonce: str | None = None) -> str:
        """`nonce.HMAC(secret, login_id + "!" + nonce)`: bound to one login (naive: the
        nonce alone, bound to nothing)."""
        nonce = nonce or randomness.token_urlsafe(16)
        if self._naive:
            return nonce
        message = f"{login_id}!{nonce}".encode()
        mac = hmac.new(self.ctx.keys.hmac_secret, message, hashlib.sha256).hexdigest()
        return f"{nonce}.{mac}"

    def _csrf_fits(self, value: str, login_id: str) -> bool:
        nonce, _, _mac = value.partition(".")
        return bool(nonce) and hmac.compare_digest(value, self.csrf_token_for(login_id, nonce))

    # --- the Backend shape ------------------------------------------------------------

    def page(self, request: Request) -> Response:
        return HTMLResponse(pages.cookie_page(self.ctx.config, None, ""))

    def unauthorized(
        self, request: Request, description: str, error: str = "unauthorized"
    ) -> Problem:
        return self._cookie.unauthorized(request, description, error)

    def forbidden(self, reason: str, scope: str) -> Problem:
        return self._cookie.forbidden(reason, scope)

    def authenticate(self, request: Request) -> Principal:
        token = cookie_value(request, self._cookie.spec(request).name)
        if not token:
            raise self.unauthorized(request, "no JWT cookie: the server cannot tell who you are")
        claims = self.verify(token, "access")
        if self.ctx.config.denylist:
            listed = claims["jti"] in self.ctx.store.denylist
            self.ctx.emit(DenylistChecked, jti=str(claims["jti"]), listed=listed)
            if listed:
                raise self._rejected(TokenRejected("revocation", "token was revoked at logout"))
        user = self.ctx.users.get(str(claims["sub"]))
        if user is None:
            raise self._rejected(TokenRejected("claims", "subject is not a known user"))
        sent_cookie = cookie_value(request, self._csrf_spec(request).name) or ""
        # The expected CSRF token is the cookie, if it was made for this login; otherwise
        # nothing can match (check_csrf_token then refuses any write).
        if self._naive:
            # VULNERABLE on purpose: any csrf cookie is trusted, whoever set it.
            expected = sent_cookie
        else:
            expected = sent_cookie if self._csrf_fits(sent_cookie, str(claims["sid"])) else ""
        return Principal(user.username, str(claims.get("role", "")), self.credential,
                         csrf_token=expected, claims=claims)

    def _rejected(self, exc: TokenRejected) -> Problem:
        return Problem(401, "invalid_token", exc.reason, stage=exc.stage)

    def _login_cookies(self, request: Request, user: UserRecord, response: Response,
                       family: str | None = None) -> str:
        pair = self.mint_pair(user, family)
        access = str(pair["access_token"])
        login_id = str(self.ctx.tokens.verify(access, "access")["sid"])
        csrf = self.csrf_token_for(login_id)
        response.headers.append("Set-Cookie", self._cookie.spec(request).set(access))
        response.headers.append("Set-Cookie", self._csrf_spec(request).set(csrf))
        return csrf

    def issue(self, request: Request, user: UserRecord, is_form: bool) -> Response:
        response = login_response(is_form, {"username": user.username, "role": user.role})
        csrf = self._login_cookies(request, user, response)
        if not is_form:
            response = _with_body(response, {"username": user.username, "role": user.role,
                                             "csrf_token": csrf})
        return response

    def end(self, request: Request, principal: Principal, is_form: bool) -> Response:
        ended = super().end(request, principal, is_form)
        response = logout_response(is_form, _body_of(ended))
        response.headers.append("Set-Cookie", self._cookie.spec(request).clear())
        response.headers.append("Set-Cookie", self._csrf_spec(request).clear())
        return response

    def rotate(self, request: Request, principal: Principal, user: UserRecord) -> Response:
        for family in list(self.ctx.store.families.values()):
            if family.username == user.username:
                self.ctx.revoke_family(family.family, "password-changed")
        response = JSONResponse({"password_changed": True})
        csrf = self._login_cookies(request, user, response)
        return _with_body(response, {"password_changed": True, "csrf_token": csrf})


def _body_of(response: Response) -> dict[str, Any]:
    body = json.loads(bytes(response.body))
    return body if isinstance(body, dict) else {}


def _with_body(response: Response, body: dict[str, Any]) -> Response:
    """The same status and headers (its Set-Cookie lines) with a new JSON body."""
    fresh = JSONResponse(body, status_code=response.status_code,
                         headers={"Cache-Control": "no-store"})
    for name, value in response.headers.items():
        if name.lower() == "set-cookie":
            fresh.headers.append("Set-Cookie", value)
    return fresh
