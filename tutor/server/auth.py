"""How each mode recognises a returning client, and what login and logout do there.

Three backends with one shape: `authenticate` turns a request into a `Principal` or a
`Problem`; `issue` answers a successful login; `end` answers a logout; `rotate` answers
a password change.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from tutor import randomness
from tutor.server.context import ReplicaContext
from tutor.server.http import CookieSpec, Problem, bearer_challenge, cookie_challenge, own_origin
from tutor.server.signed import SignedCookieRejected
from tutor.server.state import PasswordChanged, RefreshFamily, TokenDenylisted, TokenIssued
from tutor.server.tokens import CannotMint, TokenKind, TokenRejected
from tutor.server.users import UserRecord


@dataclass
class Principal:
    """Who a request was recognised as, and by what."""

    username: str
    role: str
    credential: str
    """cookie, signed-cookie or bearer."""
    csrf_token: str | None = None
    session_id: str | None = None
    claims: dict[str, Any] = field(default_factory=dict)


class Backend(Protocol):
    """The mode-specific half of the routes."""

    credential: str

    def authenticate(self, request: Request) -> Principal: ...
    def issue(self, request: Request, user: UserRecord, is_form: bool) -> Response: ...
    def end(self, request: Request, principal: Principal, is_form: bool) -> Response: ...
    def rotate(self, request: Request, principal: Principal, user: UserRecord) -> Response: ...
    def unauthorized(
        self, request: Request, description: str, error: str = "unauthorized"
    ) -> Problem: ...


def is_https(request: Request) -> bool:
    """Whether the request came over TLS (read from the scope: building a URL is slow)."""
    return bool(request.scope.get("scheme") == "https")


def _cookie_specs(ctx: ReplicaContext, base_name: str, max_age: int | None) -> (
    dict[bool, CookieSpec]
):
    """The session cookie's attributes over http and https (RFC 6265bis §4.1.2, §4.1.3.2)."""
    return {https: _cookie_spec(ctx, https, base_name, max_age) for https in (False, True)}


def _cookie_spec(ctx: ReplicaContext, https: bool, base_name: str, max_age: int | None) -> (
    CookieSpec
):
    vulns = ctx.config.vulnerabilities
    same_site = "None" if vulns.samesite_none else "Lax"
    return CookieSpec(
        # __Host- is only honoured with Secure, Path=/ and no Domain, all of which we send.
        name=f"__Host-{base_name}" if https else base_name,
        http_only=not vulns.no_httponly,
        # Browsers refuse SameSite=None without Secure, so that vulnerability implies it.
        secure=https or vulns.samesite_none,
        same_site=same_site,
        max_age=max_age,
    )


def check_same_origin(ctx: ReplicaContext, request: Request) -> None:
    """Refuse a state-changing cookie request that a browser says came from elsewhere."""
    if ctx.config.vulnerabilities.no_csrf_check:
        return
    origin = request.headers.get("origin")
    if origin is not None and origin != own_origin(request):
        raise Problem(
            403, "csrf_rejected", f"cross-origin request from {origin[:100]!r} refused"
        )
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise Problem(403, "csrf_rejected", "cross-site request refused (Sec-Fetch-Site)")


def check_csrf_token(ctx: ReplicaContext, principal: Principal, sent: str | None) -> None:
    """The synchronizer-token check (OWASP CSRF Prevention Cheat Sheet)."""
    if ctx.config.vulnerabilities.no_csrf_check or principal.csrf_token is None:
        return
    if not sent:
        raise Problem(403, "csrf_rejected", "missing CSRF token (X-CSRF-Token or csrf_token)")
    if not hmac.compare_digest(sent.encode(), principal.csrf_token.encode()):
        raise Problem(403, "csrf_rejected", "CSRF token does not match this session")


class SessionBackend:
    """`cookie` mode: an opaque id in a cookie, looked up in the server's session store."""

    credential = "cookie"

    def __init__(self, ctx: ReplicaContext) -> None:
        self.ctx = ctx
        self._specs = _cookie_specs(ctx, "sid", None)

    def spec(self, request: Request) -> CookieSpec:
        return self._specs[is_https(request)]

    def unauthorized(
        self, request: Request, description: str, error: str = "unauthorized"
    ) -> Problem:
        return Problem(401, error, description, cookie_challenge(self.spec(request).name))

    def authenticate(self, request: Request) -> Principal:
        record = self.current_session(request)
        if record is None or record.username is None:
            raise self.unauthorized(request, self._why_not(request))
        record.last_seen = self.ctx.clock.now()
        user = self.ctx.users.get(record.username)
        if user is None:
            raise self.unauthorized(request, "session belongs to no known user")
        return Principal(
            user.username, user.role, "cookie", record.csrf_token, record.session_id
        )

    def current_session(self, request: Request) -> Any:
        """The live session row the request's cookie names, or None."""
        session_id = request.cookies.get(self.spec(request).name)
        if not session_id:
            return None
        record = self.ctx.store.sessions.get(session_id)
        if record is None:
            return None
        reason = self.ctx.session_expiry_reason(record)
        if reason is not None:
            self.ctx.destroy_session(record.session_id, reason)
            return None
        return record

    def _why_not(self, request: Request) -> str:
        session_id = request.cookies.get(self.spec(request).name)
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
            return record, None
        record = self.ctx.create_session(None)
        return record, self.spec(request).set(record.session_id)

    def issue(self, request: Request, user: UserRecord, is_form: bool) -> Response:
        existing = self.current_session(request)
        if existing is not None and self.ctx.config.vulnerabilities.no_session_rotation:
            # VULNERABLE on purpose: the id the client had before login now logs it in.
            existing.username = user.username
            record, rotated = existing, False
        else:
            if existing is not None:
                self.ctx.destroy_session(existing.session_id, "rotated")
            record, rotated = self.ctx.create_session(user.username), True
        response = _login_response(is_form, {
            "username": user.username, "role": user.role, "csrf_token": record.csrf_token
        })
        if rotated:
            response.headers.append("Set-Cookie", self.spec(request).set(record.session_id))
        return response

    def end(self, request: Request, principal: Principal, is_form: bool) -> Response:
        assert principal.session_id is not None
        self.ctx.destroy_session(principal.session_id, "logout")
        response = _logout_response(is_form, {"logged_out": True})
        response.headers.append("Set-Cookie", self.spec(request).clear())
        return response

    def rotate(self, request: Request, principal: Principal, user: UserRecord) -> Response:
        for record in list(self.ctx.store.sessions.values()):
            if record.username == user.username:
                self.ctx.destroy_session(record.session_id, "password-changed")
        fresh = self.ctx.create_session(user.username)
        response = JSONResponse({"password_changed": True, "csrf_token": fresh.csrf_token})
        response.headers.append("Set-Cookie", self.spec(request).set(fresh.session_id))
        return response


class SignedCookieBackend:
    """`signed-cookie` mode: the session data itself, signed, rides in the cookie."""

    credential = "signed-cookie"

    def __init__(self, ctx: ReplicaContext) -> None:
        self.ctx = ctx
        self._specs = _cookie_specs(ctx, "session", ctx.config.signed_cookie_max_age)

    def spec(self, request: Request) -> CookieSpec:
        return self._specs[is_https(request)]

    def unauthorized(
        self, request: Request, description: str, error: str = "unauthorized"
    ) -> Problem:
        return Problem(401, error, description, cookie_challenge(self.spec(request).name))

    def authenticate(self, request: Request) -> Principal:
        value = request.cookies.get(self.spec(request).name)
        if not value:
            raise self.unauthorized(
                request, "no session cookie: the server cannot tell who you are"
            )
        try:
            data = self.ctx.signed_cookies.decode(value)
        except SignedCookieRejected as exc:
            raise self.unauthorized(request, str(exc)) from None
        user = self.ctx.users.get(str(data.get("user", "")))
        if user is None:
            raise self.unauthorized(request, "signed session names no known user")
        # Django's approach: a login made before the last password change no longer counts.
        if data.get("pwgen") != user.password_generation:
            raise self.unauthorized(request, "password changed since this session was signed")
        return Principal(
            user.username, user.role, "signed-cookie", str(data.get("csrf", "")) or None
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
        response = _login_response(
            is_form, {"username": user.username, "role": user.role, "csrf_token": csrf}
        )
        response.headers.append("Set-Cookie", header)
        return response

    def end(self, request: Request, principal: Principal, is_form: bool) -> Response:
        # The server keeps nothing to delete: a copy of the cookie stays valid until it expires.
        response = _logout_response(is_form, {"logged_out": True, "server_state_removed": False})
        response.headers.append("Set-Cookie", self.spec(request).clear())
        return response

    def rotate(self, request: Request, principal: Principal, user: UserRecord) -> Response:
        header, csrf = self._cookie_for(request, user)
        response = JSONResponse({"password_changed": True, "csrf_token": csrf})
        response.headers.append("Set-Cookie", header)
        return response


class JwtBackend:
    """`jwt` mode: a signed bearer token that carries the claims; nothing looked up."""

    credential = "bearer"

    def __init__(self, ctx: ReplicaContext) -> None:
        self.ctx = ctx

    def unauthorized(
        self, request: Request, description: str, error: str = "invalid_token"
    ) -> Problem:
        if error == "invalid_credentials":
            # A failed login presented no token: a bare challenge (RFC 6750 §3.1).
            return Problem(401, error, description, bearer_challenge())
        # The challenge keeps to RFC 6750's codes; the body may be more specific.
        return Problem(401, error, description, bearer_challenge("invalid_token", description))

    def authenticate(self, request: Request) -> Principal:
        if "access_token" in request.query_params:
            # RFC 6750 §2.3 allows it but warns it leaks into logs and Referer; §5.3 says don't.
            raise Problem(
                400,
                "invalid_request",
                "tokens in the URL are refused; send an Authorization header",
                bearer_challenge("invalid_request", "token in URL refused"),
            )
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            # No token at all: a bare challenge with no error code (RFC 6750 §3.1).
            raise Problem(401, "unauthorized", "no bearer token sent", bearer_challenge())
        claims = self.verify(token.strip(), "access")
        if self.ctx.config.denylist and claims["jti"] in self.ctx.store.denylist:
            raise self._rejected(TokenRejected("revocation", "token was revoked at logout"))
        user = self.ctx.users.get(str(claims["sub"]))
        if user is None:
            raise self._rejected(TokenRejected("claims", "subject is not a known user"))
        return Principal(user.username, str(claims.get("role", "")), "bearer", claims=claims)

    def verify(self, token: str, kind: TokenKind) -> dict[str, Any]:
        try:
            return self.ctx.tokens.verify(token, kind)
        except TokenRejected as exc:
            raise self._rejected(exc) from None

    def _rejected(self, exc: TokenRejected) -> Problem:
        return Problem(
            401, "invalid_token", exc.reason, bearer_challenge("invalid_token", exc.reason),
            stage=exc.stage,
        )

    def mint_pair(self, user: UserRecord, family: str | None = None) -> dict[str, Any]:
        """A new access and refresh token; a new family unless rotating an old one."""
        try:
            family = family or randomness.token_urlsafe(12)
            access = self.ctx.tokens.mint(
                "access", user.username, family, {"role": user.role}
            )
            refresh = self.ctx.tokens.mint("refresh", user.username, family)
        except CannotMint as exc:
            raise Problem(503, "cannot_issue", f"replica {self.ctx.name}: {exc}") from None
        store = self.ctx.store
        record = store.families.get(family)
        if record is None:
            store.families[family] = RefreshFamily(family, user.username, refresh.jti)
        else:
            record.current_jti = refresh.jti
        store.issued_access.setdefault(user.username, {})[access.jti] = access.expires_at
        for kind, minted in (("access", access), ("refresh", refresh)):
            self.ctx.emit(TokenIssued, kind=kind, jti=minted.jti, subject=user.username,
                          expires_at=minted.expires_at, family=family)
        return {
            "access_token": access.token,
            "token_type": "Bearer",
            "expires_in": self.ctx.config.access_token_ttl,
            "refresh_token": refresh.token,
        }

    def issue(self, request: Request, user: UserRecord, is_form: bool) -> Response:
        return JSONResponse(self.mint_pair(user), headers={"Cache-Control": "no-store"})

    def end(self, request: Request, principal: Principal, is_form: bool) -> Response:
        claims = principal.claims
        denylisted = False
        if self.ctx.config.denylist:
            self._denylist(str(claims["jti"]), int(claims["exp"]))
            denylisted = True
        family_revoked = self.ctx.revoke_family(str(claims.get("sid", "")), "logout")
        return JSONResponse({
            "logged_out": True,
            "access_token_revoked": denylisted,
            "refresh_tokens_revoked": family_revoked,
        })

    def _denylist(self, jti: str, exp: int) -> None:
        if jti not in self.ctx.store.denylist:
            self.ctx.store.denylist[jti] = exp
            self.ctx.emit(TokenDenylisted, jti=jti, expires_at=exp)

    def rotate(self, request: Request, principal: Principal, user: UserRecord) -> Response:
        for family in list(self.ctx.store.families.values()):
            if family.username == user.username:
                self.ctx.revoke_family(family.family, "password-changed")
        if self.ctx.config.denylist:
            for jti, exp in self.ctx.store.issued_access.get(user.username, {}).items():
                self._denylist(jti, exp)
        return JSONResponse({"password_changed": True, **self.mint_pair(user)},
                            headers={"Cache-Control": "no-store"})

    def refresh(self, request: Request, refresh_token: str) -> Response:
        """Trade a refresh token for a new pair; a reused one revokes its whole family."""
        claims = self.verify(refresh_token, "refresh")
        family = self.ctx.store.families.get(str(claims.get("sid", "")))
        if family is None or family.revoked:
            raise self.unauthorized(
                request, "refresh token's family has been revoked", "invalid_grant"
            )
        if family.current_jti != claims["jti"]:
            self.ctx.revoke_family(family.family, "reuse-detected")
            raise self.unauthorized(
                request, "refresh token was already used: its whole family is now revoked",
                "invalid_grant",
            )
        user = self.ctx.users.get(family.username)
        if user is None:
            raise self.unauthorized(request, "refresh token names no known user", "invalid_grant")
        return JSONResponse(self.mint_pair(user, family.family),
                            headers={"Cache-Control": "no-store"})


def _login_response(is_form: bool, body: dict[str, Any]) -> Response:
    if is_form:
        return RedirectResponse("/profile", status_code=303)
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


def _logout_response(is_form: bool, body: dict[str, Any]) -> Response:
    if is_form:
        return RedirectResponse("/", status_code=303)
    return JSONResponse(body)


def password_changed(ctx: ReplicaContext, username: str) -> None:
    """Record a password change in the event log."""
    ctx.emit(PasswordChanged, username=username)
