"""DPoP (RFC 9449): checking a proof, and binding tokens to the key that signed it.

A DPoP proof is a small JWT the client signs for one request (method, URI, time, a
unique id, and with an access token its hash). The server checks it as RFC 9449 §4.3
lists, binds the tokens it issues to the proof's key (`cnf.jkt`, the key's RFC 7638
thumbprint, §6.1), and from then on accepts those tokens only with a proof signed by
that key (§7.1). Every refusal names the check and the section that asks for it.

Server-provided nonces (§8, §9) are not modelled: proofs are limited by their `iat`
and a once-only `jti` (§11.1).
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import jwt
from jwt.exceptions import PyJWKError, PyJWTError

from tutor.clock import Clock
from tutor.server.events import DpopProofChecked
from tutor.server.http import Problem, authorization, bearer_challenge, own_origin
from tutor.server.state import AuthStore

if TYPE_CHECKING:
    from starlette.requests import Request

    from tutor.server.context import ReplicaContext

PROOF_TYPE = "dpop+jwt"
# Asymmetric signature algorithms only (§4.3 check 5, §11.6); the browser signs with ES256.
PROOF_ALGORITHMS = ("ES256", "EdDSA", "PS256", "RS256")
REQUIRED_CLAIMS = ("jti", "htm", "htu", "iat")
PROOF_MAX_AGE = 60
"""Seconds a proof is accepted after its `iat` (§11.1: "seconds or minutes")."""
MAX_PROOF_LENGTH = 4096
MAX_JTI_LENGTH = 128
"""Longer `jti`s are refused: §11.1 asks a server that tracks them to guard its memory."""
MAX_REMEMBERED_PROOFS = 100_000
"""Proof ids kept per store; beyond that the oldest is forgotten early (a flood of
proofs must not grow memory without bound)."""
# Members of a JWK that only a private key has (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037).
PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
# RFC 7638 §3.2: the members that make up each key type's thumbprint input.
THUMBPRINT_MEMBERS: dict[str, tuple[str, ...]] = {
    "EC": ("crv", "kty", "x", "y"),
    "RSA": ("e", "kty", "n"),
    "OKP": ("crv", "kty", "x"),
    "oct": ("k", "kty"),
}
DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class DpopRejected(Exception):
    """A proof failed `check`; `section` is where RFC 9449 asks for it."""

    check: str
    reason: str
    section: str

    def __str__(self) -> str:
        return f"DPoP proof refused at '{self.check}': {self.reason} (RFC 9449 {self.section})"


@dataclass(frozen=True)
class CheckedProof:
    """A proof that passed every check."""

    jkt: str
    """The RFC 7638 thumbprint of the key that signed it."""
    claims: dict[str, Any]


def b64url(data: bytes) -> str:
    """base64url without padding (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def jwk_thumbprint(jwk: Mapping[str, Any]) -> str:
    """The RFC 7638 SHA-256 thumbprint of a public key in JWK form.

    PyJWT has no thumbprint helper, so it is computed here as §3 says: the required
    members only, sorted, as JSON with no whitespace, hashed, base64url encoded.
    """
    kty = jwk.get("kty")
    members = THUMBPRINT_MEMBERS.get(kty) if isinstance(kty, str) else None
    if members is None:
        raise ValueError(f"no thumbprint for key type {str(kty)[:20]!r}")
    missing = [m for m in members if not isinstance(jwk.get(m), str)]
    if missing:
        raise ValueError(f"the key lacks {', '.join(missing)}")
    canonical = json.dumps({m: jwk[m] for m in members}, separators=(",", ":"),
                           sort_keys=True, ensure_ascii=False)
    return b64url(hashlib.sha256(canonical.encode("utf-8")).digest())


def access_token_hash(token: str) -> str:
    """`ath`: base64url of the SHA-256 of the token's ASCII (RFC 9449 §4.2)."""
    return b64url(hashlib.sha256(token.encode("ascii", "replace")).digest())


def normalized_uri(url: str) -> str:
    """The URI without query and fragment, scheme and host lower-cased and a default port
    dropped (§4.3: syntax- and scheme-based normalization, RFC 3986 §6.2.2, §6.2.3)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port is None or DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    return f"{scheme}://{netloc}{parts.path or '/'}"


class ProofChecker:
    """Checks DPoP proofs on one replica's clock, remembering their ids in its store."""

    def __init__(self, clock: Clock, leeway: int, max_age: int = PROOF_MAX_AGE) -> None:
        self._clock = clock
        self._leeway = leeway
        self._max_age = max_age

    def check(
        self,
        values: list[str],
        method: str,
        url: str,
        store: AuthStore,
        access_token: str | None = None,
        bound_jkt: str | None = None,
    ) -> CheckedProof:
        """The checked proof, or `DpopRejected`. With `access_token`, the proof must
        carry its hash; with `bound_jkt`, it must be signed by that key."""
        if not values:
            raise DpopRejected("proof present", "the request carries no DPoP header",
                               "§7.1" if access_token else "§5")
        if len(values) > 1:
            raise DpopRejected("one proof", f"{len(values)} DPoP headers; one is allowed",
                               "§4.3 check 1")
        claims, jkt = _verified(values[0].strip())
        self._check_request(claims, method, url)
        self._check_time(claims)
        if access_token is not None:
            ath = claims.get("ath")
            if ath is None:
                raise DpopRejected("ath", "a proof sent with an access token must carry "
                                   "the token's hash (ath)", "§4.2, §7")
            if ath != access_token_hash(access_token):
                raise DpopRejected("ath", "ath is not the hash of the access token sent",
                                   "§4.3 check 12")
        if bound_jkt is not None and jkt != bound_jkt:
            raise DpopRejected(
                "key binding", f"the token is bound to key {bound_jkt[:8]}..., the proof is "
                f"signed by key {jkt[:8]}...", "§4.3 check 12, §6.1")
        self._remember(str(claims["jti"]), store)
        return CheckedProof(jkt, claims)

    def _check_request(self, claims: dict[str, Any], method: str, url: str) -> None:
        if claims["htm"] != method:
            raise DpopRejected("htm", f"the proof is for {_short(claims['htm'])}, the request "
                               f"is {method}", "§4.3 check 8")
        htu = claims["htu"]
        if not isinstance(htu, str) or normalized_uri(htu) != normalized_uri(url):
            raise DpopRejected("htu", f"the proof is for {_short(htu)}, the request is for "
                               f"{_short(normalized_uri(url))}", "§4.3 check 9")

    def _check_time(self, claims: dict[str, Any]) -> None:
        iat = claims["iat"]
        if isinstance(iat, bool) or not isinstance(iat, int | float) or not math.isfinite(iat):
            raise DpopRejected("iat", "iat must be a number of seconds", "§4.2")
        now = self._clock.now()
        if iat > now + self._leeway:
            raise DpopRejected("iat", f"the proof was made {math.ceil(iat - now)}s in the "
                               f"future (leeway {self._leeway}s)", "§4.3 check 11, §11.1")
        if now - iat > self._max_age:
            raise DpopRejected("iat", f"the proof was made {int(now - iat)}s ago; proofs are "
                               f"accepted for {self._max_age}s", "§4.3 check 11, §11.1")

    def _remember(self, jti: str, store: AuthStore) -> None:
        seen = store.dpop_proofs
        now = self._clock.now()
        # Oldest first, and each entry lives the same time: pop from the front while due.
        while seen:
            oldest, until = next(iter(seen.items()))
            if until > now and len(seen) < MAX_REMEMBERED_PROOFS:
                break
            del seen[oldest]
        # §11.1: a server that tracks jti values may store only a hash of each.
        key = hashlib.sha256(jti.encode("utf-8", "replace")).hexdigest()
        if key in seen:
            raise DpopRejected("jti", "this proof was already used; a proof works once",
                               "§11.1")
        seen[key] = now + self._max_age + self._leeway


def _verified(proof: str) -> tuple[dict[str, Any], str]:
    """Claims and key thumbprint of a proof whose signature checks out."""
    if len(proof) > MAX_PROOF_LENGTH or proof.count(".") != 2:
        raise DpopRejected("well-formed", "the DPoP header is not one compact JWT",
                           "§4.3 check 2")
    try:
        header = jwt.get_unverified_header(proof)
    except PyJWTError:
        raise DpopRejected("well-formed", "the proof's header cannot be decoded",
                           "§4.3 check 2") from None
    if header.get("typ") != PROOF_TYPE:
        raise DpopRejected("typ", f"typ is {_short(header.get('typ'))}, not {PROOF_TYPE}",
                           "§4.3 check 4, §11.5")
    alg = header.get("alg")
    if alg not in PROOF_ALGORITHMS:
        raise DpopRejected("alg", f"alg {_short(alg)} is not an asymmetric signature "
                           f"algorithm this server accepts ({' '.join(PROOF_ALGORITHMS)})",
                           "§4.3 check 5, §11.6")
    jwk = header.get("jwk")
    if not isinstance(jwk, dict):
        raise DpopRejected("jwk", "the proof's header carries no public key (jwk)", "§4.2")
    if PRIVATE_MEMBERS & jwk.keys():
        raise DpopRejected("public key only", "the jwk header contains a private key",
                           "§4.3 check 7")
    try:
        key = jwt.PyJWK(jwk, algorithm=str(alg)).key
        jkt = jwk_thumbprint(jwk)
    except (PyJWKError, PyJWTError, ValueError, TypeError):
        raise DpopRejected("jwk", "the jwk header is not a usable public key",
                           "§4.2") from None
    try:
        claims = jwt.decode(proof, key, algorithms=[str(alg)], options={
            "verify_exp": False, "verify_nbf": False, "verify_iat": False,
            "verify_aud": False, "verify_iss": False, "require": list(REQUIRED_CLAIMS),
        })
    except jwt.MissingRequiredClaimError as exc:
        raise DpopRejected("claims", f"the proof lacks {exc.claim}", "§4.3 check 3") from None
    except PyJWTError:
        raise DpopRejected("signature", "the proof's signature does not verify with its "
                           "own jwk", "§4.3 check 6") from None
    jti = claims["jti"]
    if not isinstance(jti, str) or not jti or len(jti) > MAX_JTI_LENGTH:
        raise DpopRejected("claims", f"jti must be a string of 1 to {MAX_JTI_LENGTH} "
                           "characters", "§4.2, §11.1")
    return claims, jkt


def _short(value: object) -> str:
    """A claim from the client, safe and short enough for an error_description."""
    text = "".join(ch for ch in str(value) if 0x20 <= ord(ch) <= 0x7E and ch not in '"\\')
    return repr(text[:60])


class DpopBinding:
    """The jwt backend's DPoP side: proofs at the token endpoints and on every
    resource, tokens bound to the proof's key, and the `DPoP` challenge (§7.1)."""

    def __init__(self, ctx: ReplicaContext) -> None:
        self.ctx = ctx
        self.checker = ProofChecker(ctx.clock, ctx.config.clock_skew_leeway)

    def challenge(self, error: str | None = None, description: str = "", **extra: str) -> str:
        """A `DPoP` challenge naming the proof algorithms accepted (§7.1)."""
        bearer = bearer_challenge(error, description, **extra, algs=" ".join(PROOF_ALGORITHMS))
        return "DPoP" + bearer.removeprefix("Bearer")

    def access_token(self, request: Request) -> str:
        """The token from `Authorization: DPoP ...`; a bearer one is refused (§7.2)."""
        scheme, token = authorization(request)
        if scheme == "bearer" and token:
            reason = ("this server binds tokens to a key: send the token as "
                      "Authorization: DPoP with a proof (RFC 9449 §7.2)")
            raise Problem(401, "invalid_token", reason,
                          self.challenge("invalid_token", reason), stage="dpop")
        if scheme != "dpop" or not token:
            raise Problem(401, "unauthorized", "no DPoP-bound token sent", self.challenge())
        return token

    def check_resource(self, request: Request, token: str, claims: Mapping[str, Any]) -> None:
        """The request's proof is valid, carries the token's hash and is signed by the
        key the token is bound to (§4.3 check 12, §7.1)."""
        bound = bound_key(claims)
        if bound is None:
            reason = "the token is not bound to a key (no cnf.jkt)"
            self.ctx.emit(DpopProofChecked, ok=False, jkt="", check="key binding",
                          with_token=True)
            raise Problem(401, "invalid_token", f"{reason} (RFC 9449 §6.1)",
                          self.challenge("invalid_token", reason), stage="dpop")
        try:
            proof = self._check(request, token, bound)
        except DpopRejected as exc:
            # A proof for another key is the token's problem (§7.1, Figure 16).
            error = "invalid_token" if exc.check == "key binding" else "invalid_dpop_proof"
            raise Problem(401, error, str(exc), self.challenge(error, str(exc)),
                          stage="dpop") from None
        self.ctx.emit(DpopProofChecked, ok=True, jkt=proof.jkt, with_token=True)

    def check_token_request(self, request: Request, bound_jkt: str | None = None) -> str:
        """The key a token request proves it holds (§5); a refresh must use the key its
        refresh token is bound to. A bad proof is `400 invalid_dpop_proof` (§5)."""
        try:
            proof = self._check(request, None, bound_jkt)
        except DpopRejected as exc:
            raise Problem(400, "invalid_dpop_proof", str(exc), stage="dpop") from None
        self.ctx.emit(DpopProofChecked, ok=True, jkt=proof.jkt)
        return proof.jkt

    def _check(self, request: Request, token: str | None, bound: str | None) -> CheckedProof:
        values = [v for k, v in request.headers.items() if k == "dpop"]
        url = own_origin(request) + request.url.path
        try:
            return self.checker.check(values, request.method, url, self.ctx.store, token,
                                      bound)
        except DpopRejected as exc:
            self.ctx.emit(DpopProofChecked, ok=False, jkt="", check=exc.check,
                          with_token=token is not None)
            raise


def bound_key(claims: Mapping[str, Any]) -> str | None:
    """The thumbprint a token is bound to (`cnf.jkt`), if any."""
    cnf = claims.get("cnf")
    jkt = cnf.get("jkt") if isinstance(cnf, Mapping) else None
    return jkt if isinstance(jkt, str) else None
