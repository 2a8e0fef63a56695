"""What every backend shares: the `Backend` shape, `Principal`, cookie attributes and
the CSRF checks of the modes whose credential the browser sends by itself.

Each backend has one shape: `page` answers `GET /`; `authenticate` turns a request into
a `Principal` or a `Problem`; `issue` answers a successful login; `end` a logout;
`rotate` a password change; `unauthorized` and `forbidden` build its refusals.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from tutor.server.context import ReplicaContext
from tutor.server.events import PasswordChanged
from tutor.server.http import CookieSpec, JSONResponse, Problem, cookie_challenge, own_origin
from tutor.server.modes.registry import host_prefixed
from tutor.server.users import UserRecord
from tutor.server.weaknesses import NO_CSRF_CHECK, NO_HTTPONLY, NO_ORIGIN_CHECK, SAMESITE_NONE


@dataclass
class Principal:
    """Who a request was recognised as, and by what."""

    username: str
    role: str
    credential: str
    """The mode's credential name: cookie, signed-cookie or bearer."""
    csrf_token: str | None = None
    session_id: str | None = None
    claims: dict[str, Any] = field(default_factory=dict)


class Backend(Protocol):
    """The mode-specific half of the routes."""

    credential: str

    def page(self, request: Request) -> Response: ...
    def authenticate(self, request: Request) -> Principal: ...
    def issue(self, request: Request, user: UserRecord, is_form: bool) -> Response: ...
    def end(self, request: Request, principal: Principal, is_form: bool) -> Response: ...
    def rotate(self, request: Request, principal: Principal, user: UserRecord) -> Response: ...
    def unauthorized(
        self, request: Request, description: str, error: str = "unauthorized"
    ) -> Problem: ...
    def forbidden(self, reason: str, scope: str) -> Problem: ...


BackendFactory = Callable[[ReplicaContext], Backend]


@runtime_checkable
class Refresher(Protocol):
    """A backend with refresh tokens (`POST /refresh`)."""

    def refresh(self, request: Request, refresh_token: str) -> Response: ...


def is_https(request: Request) -> bool:
    """Whether the request came over TLS (read from the scope: building a URL is slow)."""
    return bool(request.scope.get("scheme") == "https")


class CookieBackend:
    """What the cookie modes share: the session cookie's attributes and refusals."""

    def __init__(self, ctx: ReplicaContext, base_name: str, max_age: int | None) -> None:
        self.ctx = ctx
        self.credential = ctx.config.server_mode.credential
        # The session cookie's attributes over http and https (RFC 6265bis §4.1.2, §4.1.3.2).
        self._specs = {https: _cookie_spec(ctx, https, base_name, max_age)
                       for https in (False, True)}

    def spec(self, request: Request) -> CookieSpec:
        """How the session cookie is written for this request's scheme."""
        return self._specs[is_https(request)]

    def unauthorized(
        self, request: Request, description: str, error: str = "unauthorized"
    ) -> Problem:
        """A 401 with the `Cookie` challenge naming the form and the cookie."""
        return Problem(401, error, description, cookie_challenge(self.spec(request).name))

    def forbidden(self, reason: str, scope: str) -> Problem:
        """A 403: recognised, but not allowed (no challenge: logging in again won't help)."""
        return Problem(403, "forbidden", reason)


def _cookie_spec(ctx: ReplicaContext, https: bool, base_name: str, max_age: int | None) -> (
    CookieSpec
):
    vulns = ctx.config.vulnerabilities
    same_site = "None" if vulns.on(SAMESITE_NONE) else "Lax"
    return CookieSpec(
        # __Host- is only honoured with Secure, Path=/ and no Domain, all of which we send.
        name=host_prefixed(base_name, https),
        http_only=not vulns.on(NO_HTTPONLY),
        # Browsers refuse SameSite=None without Secure, so that vulnerability implies it.
        secure=https or vulns.on(SAMESITE_NONE),
        same_site=same_site,
        max_age=max_age,
    )


def check_same_origin(ctx: ReplicaContext, request: Request) -> None:
    """Refuse a state-changing cookie request that a browser says came from elsewhere."""
    vulnerabilities = ctx.config.vulnerabilities
    if vulnerabilities.on(NO_CSRF_CHECK) or vulnerabilities.on(NO_ORIGIN_CHECK):
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
    if ctx.config.vulnerabilities.on(NO_CSRF_CHECK) or principal.csrf_token is None:
        return
    if not sent:
        raise Problem(403, "csrf_rejected", "missing CSRF token (X-CSRF-Token or csrf_token)")
    if not hmac.compare_digest(sent.encode(), principal.csrf_token.encode()):
        raise Problem(403, "csrf_rejected", "CSRF token does not match this session")


def login_response(is_form: bool, body: dict[str, Any]) -> Response:
    """A form login goes to /profile; a JSON one gets the body (never cached)."""
    if is_form:
        return RedirectResponse("/profile", status_code=303)
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


def logout_response(is_form: bool, body: dict[str, Any]) -> Response:
    """A form logout goes back to the login page; a JSON one gets the body."""
    if is_form:
        return RedirectResponse("/", status_code=303)
    return JSONResponse(body)


def password_changed(ctx: ReplicaContext, username: str) -> None:
    """Record a password change in the event log."""
    ctx.emit(PasswordChanged, username=username)
