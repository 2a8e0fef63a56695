"""`jwt` mode's backend: a signed bearer token that carries the claims; nothing looked up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from tutor import randomness
from tutor.server import pages
from tutor.server.backends.base import Principal
from tutor.server.context import ReplicaContext
from tutor.server.dpop import DpopBinding, bound_key
from tutor.server.events import DenylistChecked, SignatureChecked, TokenDenylisted, TokenIssued
from tutor.server.http import JSONResponse, Problem, authorization, bearer_challenge
from tutor.server.tokens import CannotMint, TokenKind, TokenRejected
from tutor.server.users import UserRecord


@dataclass(frozen=True)
class OtherService:
    """Another API this auth server issues tokens for, with the same key."""

    description: str
    role: str
    """The role every user has there (written into its tokens' `role` claim)."""


OTHER_SERVICES: dict[str, OtherService] = {
    "photos-api": OtherService("the photo-sharing app, where everyone administers their "
                               "own albums", "admin"),
}
"""Audiences besides the server's own that `/login` mints for (`"audience": ...`): a
token for one of them must not pass at this API (RFC 8725 §2.7, §3.9)."""


TOKEN_WORDS: dict[TokenKind, str] = {"access": "access token", "refresh": "refresh token"}
"""How a SignatureChecked event names each kind."""


class JwtBackend:
    """`jwt` mode: a signed bearer token that carries the claims; nothing looked up."""

    def __init__(self, ctx: ReplicaContext) -> None:
        self.ctx = ctx
        self.credential = ctx.config.server_mode.credential
        # With DPoP on, tokens are bound to the client's key and sent with the DPoP scheme.
        self.dpop = DpopBinding(ctx) if ctx.config.dpop else None
        self.challenge = self.dpop.challenge if self.dpop else bearer_challenge

    def page(self, request: Request) -> Response:
        """A page whose script logs in with fetch and keeps the token in localStorage."""
        return HTMLResponse(pages.jwt_page(self.ctx.config))

    def unauthorized(
        self, request: Request, description: str, error: str = "invalid_token"
    ) -> Problem:
        if error == "invalid_credentials":
            # A failed login presented no token: a bare challenge (RFC 6750 §3.1).
            return Problem(401, error, description, self.challenge())
        # The challenge keeps to RFC 6750's codes; the body may be more specific.
        return Problem(401, error, description, self.challenge("invalid_token", description))

    def forbidden(self, reason: str, scope: str) -> Problem:
        """A 403 whose challenge names the scope the token lacks (RFC 6750 §3.1)."""
        error = "insufficient_scope"
        return Problem(403, error, reason, self.challenge(error, reason, scope=scope))

    def authenticate(self, request: Request) -> Principal:
        # Parsing the query string costs more than the rest of a cached check: only when
        # there is one (the raw bytes cannot be searched: the name may be %-encoded).
        if request.scope["query_string"] and "access_token" in request.query_params:
            # RFC 6750 §2.3 allows it but warns it leaks into logs and Referer; §5.3 says don't.
            raise Problem(
                400,
                "invalid_request",
                "tokens in the URL are refused; send an Authorization header",
                bearer_challenge("invalid_request", "token in URL refused"),
            )
        if self.dpop is not None:
            token = self.dpop.access_token(request)
        else:
            scheme, token = authorization(request)
            if scheme != "bearer" or not token:
                # No token at all: a bare challenge with no error code (RFC 6750 §3.1).
                raise Problem(401, "unauthorized", "no bearer token sent", bearer_challenge())
        claims = self.verify(token, "access")
        if self.dpop is not None:
            self.dpop.check_resource(request, token, claims)
        if self.ctx.config.denylist:
            listed = claims["jti"] in self.ctx.store.denylist
            self.ctx.emit(DenylistChecked, jti=str(claims["jti"]), listed=listed)
            if listed:
                raise self._rejected(TokenRejected("revocation", "token was revoked at logout"))
        user = self.ctx.users.get(str(claims["sub"]))
        if user is None:
            raise self._rejected(TokenRejected("claims", "subject is not a known user"))
        return Principal(user.username, str(claims.get("role", "")), self.credential,
                         claims=claims)

    def verify(self, token: str, kind: TokenKind) -> dict[str, Any]:
        what = TOKEN_WORDS[kind]
        try:
            verified = self.ctx.tokens.verify_detailed(token, kind)
        except TokenRejected as exc:
            self.ctx.emit(SignatureChecked, what=what, ok=False, stage=exc.stage)
            raise self._rejected(exc) from None
        claims = verified.claims
        self.ctx.emit(SignatureChecked, what=what, ok=True, kid=verified.kid,
                      subject=str(claims.get("sub", "")), key_source=verified.key_source)
        return claims

    def _rejected(self, exc: TokenRejected) -> Problem:
        return Problem(
            401, "invalid_token", exc.reason, self.challenge("invalid_token", exc.reason),
            stage=exc.stage,
        )

    def mint_pair(self, user: UserRecord, family: str | None = None, *,
                  audience: str | None = None, jkt: str | None = None) -> dict[str, Any]:
        """A new access and refresh token; a new family unless rotating an old one.

        `audience` asks for an access token for another service this auth server issues
        for (`OTHER_SERVICES`): its own role there, and its own `aud`. With `jkt`, both
        tokens are bound to that key (RFC 9449 §5, §6.1)."""
        bound = {"cnf": {"jkt": jkt}} if jkt else {}
        try:
            family = family or randomness.token_urlsafe(12)
            role = OTHER_SERVICES[audience].role if audience else user.role
            access = self.ctx.tokens.mint(
                "access", user.username, family, {"role": role, **bound}, audience=audience
            )
            refresh = self.ctx.tokens.mint("refresh", user.username, family, bound or None)
        except CannotMint as exc:
            raise Problem(503, "cannot_issue", f"replica {self.ctx.name}: {exc}") from None
        store = self.ctx.store
        store.file_family(family, user.username, refresh.jti, refresh.expires_at)
        store.add_issued_access(user.username, access.jti, access.expires_at)
        for kind, minted in (("access", access), ("refresh", refresh)):
            self.ctx.emit(TokenIssued, kind=kind, jti=minted.jti, subject=user.username,
                          expires_at=minted.expires_at, family=family, kid=self.ctx.keys.kid)
        return {
            "access_token": access.token,
            "token_type": "DPoP" if jkt else "Bearer",
            "expires_in": self.ctx.config.access_token_ttl,
            "refresh_token": refresh.token,
        }

    def issue(self, request: Request, user: UserRecord, is_form: bool) -> Response:
        audience = getattr(request.state, "audience", None)
        if audience is not None and audience != self.ctx.config.audience:
            if audience not in OTHER_SERVICES:
                known = ", ".join([self.ctx.config.audience, *OTHER_SERVICES])
                raise Problem(400, "invalid_target", f"no service {str(audience)[:40]!r}; "
                              f"this server issues tokens for {known}")
        else:
            audience = None
        jkt = self.dpop.check_token_request(request) if self.dpop else None
        return JSONResponse(self.mint_pair(user, audience=audience, jkt=jkt),
                            headers={"Cache-Control": "no-store"})

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
        if self.ctx.store.add_denylisted(jti, exp):
            self.ctx.emit(TokenDenylisted, jti=jti, expires_at=exp)

    def rotate(self, request: Request, principal: Principal, user: UserRecord) -> Response:
        for family in self.ctx.store.families_of(user.username):
            self.ctx.revoke_family(family.family, "password-changed")
        if self.ctx.config.denylist:
            for jti, exp in self.ctx.store.issued_access.get(user.username, {}).items():
                self._denylist(jti, exp)
        return JSONResponse({"password_changed": True,
                             **self.mint_pair(user, jkt=bound_key(principal.claims))},
                            headers={"Cache-Control": "no-store"})

    def refresh(self, request: Request, refresh_token: str) -> Response:
        """Trade a refresh token for a new pair; a reused one revokes its whole family.

        `/refresh` is a token endpoint, not a protected resource: a refresh token that
        is invalid, expired, revoked or already used is `400 invalid_grant` with no
        `WWW-Authenticate` (RFC 6749 §5.2). `invalid_token` and its challenge belong to
        resource servers refusing an access token (RFC 6750 §3.1).
        """
        try:
            claims = self.verify(refresh_token, "refresh")
        except Problem as refused:
            raise invalid_grant(refused.description, refused.stage) from None
        jkt = None
        if self.dpop is not None:
            # A public client's refresh token is bound too, and checked on every use (§5),
            # before anything else: a thief without the key cannot even trip reuse detection.
            jkt = self.dpop.check_token_request(request, bound_key(claims) or "")
        family = self.ctx.store.families.get(str(claims.get("sid", "")))
        if family is None or family.revoked:
            raise invalid_grant("refresh token's family has been revoked")
        if family.current_jti != claims["jti"]:
            self.ctx.revoke_family(family.family, "reuse-detected")
            raise invalid_grant(
                "refresh token was already used: its whole family is now revoked"
            )
        user = self.ctx.users.get(family.username)
        if user is None:
            raise invalid_grant("refresh token names no known user")
        return JSONResponse(self.mint_pair(user, family.family, jkt=jkt),
                            headers={"Cache-Control": "no-store"})


def invalid_grant(description: str, stage: str | None = None) -> Problem:
    """A token endpoint's refusal of a grant (RFC 6749 §5.2): 400, and no challenge.

    `stage` says where a refresh token failed verification, as it does for access
    tokens; RFC 6749 §5.2 leaves room for parameters beyond `error`.
    """
    return Problem(400, "invalid_grant", description, stage=stage)
