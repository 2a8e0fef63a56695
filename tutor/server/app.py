"""The mock auth server: a Starlette application built from a `ServerConfig`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tutor.server import pages
from tutor.server.backends import Backend, load_backend
from tutor.server.backends.base import (
    Principal,
    Refresher,
    check_csrf_token,
    check_same_origin,
    password_changed,
)
from tutor.server.context import ReplicaContext
from tutor.server.dispatch import Endpoint, ExactPathDispatch
from tutor.server.events import LoginThrottled, PasswordChecked, RequestHandled
from tutor.server.hashing import ClientGone, HashingBusy, HashingStopped
from tutor.server.http import JSONResponse, Problem, read_fields
from tutor.server.modes import all_modes

T = TypeVar("T")

MAX_USERNAME = 128
MAX_PASSWORD = 1024
MIN_NEW_PASSWORD = 8  # OWASP Authentication Cheat Sheet's minimum length
NO_STORE = (b"cache-control", b"no-store")
CLIENT_GONE = 499
"""Recorded (never sent) when the client hung up first: nginx's "client closed request"."""


def create_replica_app(ctx: ReplicaContext) -> ASGIApp:
    """One replica's ASGI app: the routes plus an access log of every decision."""
    backend = load_backend(ctx.config.server_mode)(ctx)
    routes = _Routes(ctx, backend)
    dispatch = ExactPathDispatch(
        [
            Endpoint("/profile", ("GET",), routes.profile),
            Endpoint("/admin", ("GET",), routes.admin),
            Endpoint("/", ("GET",), routes.index),
            Endpoint("/login", ("POST",), routes.login),
            Endpoint("/logout", ("POST",), routes.logout),
            Endpoint("/app.js", ("GET",), routes.script),
            Endpoint("/favicon.ico", ("GET",), routes.favicon),
            Endpoint("/refresh", ("POST",), routes.refresh),
            Endpoint("/password", ("POST",), routes.password),
            Endpoint("/.well-known/jwks.json", ("GET",), routes.jwks),
        ],
        {
            Problem: _problem_response,
            ClientDisconnect: _client_gone,
            ClientGone: _client_gone,
        },
    )
    return _AccessLog(dispatch, ctx)


def _audit(request: Request, principal: Principal | None, credential: str | None, reason: str) -> (
    None
):
    # Straight into the scope's state dict (what `request.state` wraps, built per call).
    request.scope.setdefault("state", {})["audit"] = (
        principal.username if principal else None, credential, reason
    )


async def _problem_response(request: Request, exc: Exception) -> Response:
    """Starlette's handler for a `Problem` raised anywhere in a route: its JSON response.

    The request is the route's own (same scope and state), so the audit line it left
    keeps who was recognised and gets the reason the request was refused. Async, or
    Starlette would run it in a worker thread.
    """
    assert isinstance(exc, Problem)
    state = request.scope.setdefault("state", {})
    principal, credential, _ = state.get("audit", (None, None, ""))
    state["audit"] = (principal, credential, exc.description)
    return exc.response()


async def _client_gone(request: Request, exc: Exception) -> Response:
    """The client hung up mid-body or while its password waited: an ordinary event.

    No traceback and nothing to say; the response goes nowhere (servers drop what is
    sent after a disconnect), but the access log records who left.
    """
    state = request.scope.setdefault("state", {})
    principal, credential, _ = state.get("audit", (None, None, ""))
    state["audit"] = (principal, credential, "client hung up before the answer")
    return Response(status_code=CLIENT_GONE)


def _client_of(request: Request) -> str:
    client = request.scope.get("client")
    return str(client[0]) if client else "unknown"


class _Routes:
    def __init__(self, ctx: ReplicaContext, backend: Backend) -> None:
        self.ctx = ctx
        self.backend = backend
        self.mode = ctx.config.server_mode
        # A credential the browser sends by itself needs the CSRF checks.
        self.ambient = self.mode.browser_keeps == "cookie jar"

    def _authenticate(self, request: Request) -> Principal:
        try:
            principal = self.backend.authenticate(request)
        except Problem as problem:
            credential = self.backend.credential if _sent_credential(request) else None
            _audit(request, None, credential, problem.description)
            raise
        _audit(request, principal, principal.credential, "credential accepted")
        return principal

    def _throttle(self, username: str, client: str, trusting: bool = True) -> None:
        """Turn the attempt away, before any hashing, while its account or client is locked."""
        refusal = self.ctx.throttle.check(username, client, self.ctx.clock.now(), trusting)
        if refusal is None:
            return
        self.ctx.emit(LoginThrottled, username=username, scope=refusal.scope,
                      failures=refusal.failures, retry_after=refusal.retry_after)
        whose = "this account" if refusal.scope == "account" else "your address"
        reason = (f"too many failed logins for {whose} ({refusal.failures}); "
                  f"try again in {refusal.retry_after} s")
        raise Problem(429, "too_many_attempts", reason, retry_after=refusal.retry_after)

    async def _hash(self, request: Request, work: Callable[[], T]) -> T:
        """Run scrypt where this server runs it; a full queue is a 503 with Retry-After."""
        try:
            return await self.ctx.hashing.run(work, request.receive)
        except HashingBusy as busy:
            raise Problem(
                503, "temporarily_unavailable",
                f"the server is busy checking other passwords; try again in "
                f"{busy.retry_after} s", retry_after=busy.retry_after,
            ) from None
        except HashingStopped:
            raise Problem(503, "temporarily_unavailable", "the server is stopping") from None

    async def index(self, request: Request) -> Response:
        self.ctx.sweep()
        response = self.backend.page(request)
        _audit(request, None, None, f"login page ({self.mode.name} mode)")
        response.headers["Content-Security-Policy"] = pages.CONTENT_SECURITY_POLICY
        return response

    async def script(self, request: Request) -> Response:
        _audit(request, None, None, "page script")
        return Response(pages.JWT_SCRIPT, media_type="text/javascript")

    async def favicon(self, request: Request) -> Response:
        # Browsers ask for an icon on their own; a 404 would put an error in the
        # learner's console next to the requests the lesson is about.
        _audit(request, None, None, "no icon")
        return Response(status_code=204, headers={"Cache-Control": "max-age=86400"})

    async def login(self, request: Request) -> Response:
        self.ctx.sweep()
        fields, is_form = await read_fields(request, ("username", "password", "audience"))
        # jwt mode can mint for another service this auth server also issues for.
        request.state.audience = fields.get("audience")
        if self.ambient:
            check_same_origin(self.ctx, request)
        username, password = fields.get("username"), fields.get("password")
        if not username or password is None:
            raise Problem(400, "invalid_request", "username and password are required")
        if len(username) > MAX_USERNAME or len(password) > MAX_PASSWORD:
            raise Problem(400, "invalid_request", "username or password is too long")
        client = _client_of(request)
        self._throttle(username, client)
        users = self.ctx.users
        user = await self._hash(request, lambda: users.authenticate(username, password))
        self.ctx.emit(PasswordChecked, username=username, ok=user is not None)
        if user is None:
            self.ctx.throttle.failed(username, client, self.ctx.clock.now())
            # One message for a wrong password and an unknown user (OWASP Authentication).
            _audit(request, None, None, "wrong username or password")
            raise self.backend.unauthorized(
                request, "username or password is wrong", "invalid_credentials"
            )
        self.ctx.throttle.succeeded(username, client, self.ctx.clock.now())
        response = self.backend.issue(request, user, is_form)
        _audit(request, Principal(user.username, user.role, self.backend.credential), None,
               "logged in")
        return response

    async def profile(self, request: Request) -> Response:
        self.ctx.sweep()
        principal = self._authenticate(request)
        body: dict[str, Any] = {"username": principal.username, "role": principal.role}
        if principal.csrf_token:
            body["csrf_token"] = principal.csrf_token
        if principal.claims:
            body["token"] = {k: principal.claims[k] for k in ("jti", "iat", "exp")}
        response = JSONResponse(body)
        # Put in raw (first, where a headers argument puts it): this answers the request
        # every logged-in page makes, and the dictionary costs more than the rest of it.
        response.raw_headers.insert(0, NO_STORE)
        return response

    async def admin(self, request: Request) -> Response:
        self.ctx.sweep()
        principal = self._authenticate(request)
        if principal.role != "admin":
            reason = f"{principal.username} has role {principal.role!r}; /admin needs 'admin'"
            _audit(request, principal, principal.credential, reason)
            raise self.backend.forbidden(reason, "admin")
        return JSONResponse({"area": "admin", "username": principal.username})

    async def logout(self, request: Request) -> Response:
        self.ctx.sweep()
        principal = self._authenticate(request)
        is_form = False
        if self.ambient:
            check_same_origin(self.ctx, request)
            sent = request.headers.get("x-csrf-token")
            if sent is None and _is_form(request):
                fields, is_form = await read_fields(request, ("csrf_token",))
                sent = fields.get("csrf_token")
            check_csrf_token(self.ctx, principal, sent)
        response = self.backend.end(request, principal, is_form)
        _audit(request, principal, principal.credential, "logged out")
        return response

    async def refresh(self, request: Request) -> Response:
        self.ctx.sweep()
        if not isinstance(self.backend, Refresher):
            raise Problem(404, "not_found", f"refresh tokens exist only in {_refresh_modes()} mode")
        fields, _ = await read_fields(request, ("refresh_token",))
        token = fields.get("refresh_token")
        if not token:
            raise Problem(400, "invalid_request", "refresh_token is required")
        try:
            response = self.backend.refresh(request, token)
        except Problem as problem:
            _audit(request, None, "refresh-token", problem.description)
            raise
        _audit(request, None, "refresh-token", "refresh token rotated")
        return response

    async def password(self, request: Request) -> Response:
        self.ctx.sweep()
        principal = self._authenticate(request)
        fields, _ = await read_fields(request, ("current_password", "new_password", "csrf_token"))
        if self.ambient:
            check_same_origin(self.ctx, request)
            sent = request.headers.get("x-csrf-token") or fields.get("csrf_token")
            check_csrf_token(self.ctx, principal, sent)
        current, new = fields.get("current_password"), fields.get("new_password")
        if current is None or new is None:
            raise Problem(400, "invalid_request", "current_password and new_password are required")
        if not MIN_NEW_PASSWORD <= len(new) <= MAX_PASSWORD:
            raise Problem(
                400, "invalid_request",
                f"new password must be {MIN_NEW_PASSWORD} to {MAX_PASSWORD} characters",
            )
        users, name, client = self.ctx.users, principal.username, _client_of(request)
        self._throttle(name, client, trusting=False)
        if await self._hash(request, lambda: users.authenticate(name, current)) is None:
            self.ctx.throttle.failed(name, client, self.ctx.clock.now())
            raise Problem(403, "wrong_password", "current password is wrong")
        user = users.set_password(name, await self._hash(request, users.hashing(new)))
        password_changed(self.ctx, user.username)
        response = self.backend.rotate(request, principal, user)
        _audit(request, principal, principal.credential, "password changed")
        return response

    async def jwks(self, request: Request) -> Response:
        keys = self.ctx.keys.jwks()
        if keys is None or not self.mode.signs_tokens:
            _audit(request, None, None, "no public keys in this mode")
            return JSONResponse(
                {"error": "not_found", "error_description": "no public keys: HS256 uses a "
                 "shared secret, which is never published"}, status_code=404)
        _audit(request, None, None, "public keys")
        return JSONResponse(keys, headers={"Cache-Control": "max-age=300"})


def _refresh_modes() -> str:
    return " or ".join(mode.name for mode in all_modes() if mode.signs_tokens)


def _is_form(request: Request) -> bool:
    content_type = request.headers.get("content-type", "")
    return content_type.startswith("application/x-www-form-urlencoded")


def _sent_credential(request: Request) -> bool:
    return bool(request.headers.get("authorization") or request.headers.get("cookie"))


class _AccessLog:
    """Records every request and the server's decision as a `RequestHandled` event."""

    def __init__(self, dispatch: ExactPathDispatch, ctx: ReplicaContext) -> None:
        self.dispatch = dispatch
        self.ctx = ctx
        self.replica_header = (
            (b"x-tutor-replica", ctx.name.encode()) if ctx.config.replicas > 1 else None
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.dispatch.fallback(scope, receive, send)
            return
        state: dict[str, Any] = scope.setdefault("state", {})
        handler = self.dispatch.handler_for(scope)
        status = 500
        try:
            if handler is None:
                status = await self._through_starlette(scope, receive, send)
            else:
                response = await self.dispatch.respond(handler, scope, receive, send)
                status = response.status_code
                if self.replica_header is not None:
                    response.raw_headers.append(self.replica_header)
                await response(scope, receive, send)
        finally:
            principal, credential, reason = state.get("audit", (None, None, ""))
            if status == 404 and not reason:
                reason = "no such route"
            elif status == 405 and not reason:
                reason = "method not allowed"
            # Built here rather than through ctx.emit: one keyword pass, on every request.
            ctx = self.ctx
            ctx.log.emit(RequestHandled(
                at=ctx.clock.now(),
                replica=ctx.name,
                method=scope["method"],
                path=scope["path"],
                status=status,
                principal=principal,
                credential=credential,
                reason=reason,
            ))

    async def _through_starlette(self, scope: Scope, receive: Receive, send: Send) -> int:
        """What the exact table does not answer: Starlette's 404, 405 or redirect."""
        status = 500

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                if self.replica_header is not None:
                    message = {**message, "headers": [*message.get("headers", []),
                                                      self.replica_header]}
            await send(message)

        await self.dispatch.fallback(scope, receive, record_status)
        return status
