"""JWT minting and verification, with the stage at which a bad token fails.

Verification is one PyJWT call with the algorithm pinned by the server (RFC 8725 §2.1,
§3.1); time claims are then checked on the server's clock, because PyJWT reads the wall
clock and scenes run on a simulated one. Only when that call fails at the signature is
the header read, to say why at the `key` stage (a key the token brings or points to, an
unknown `kid`) or to try an older key that is still published. The weakness lessons'
shortcuts, which do read the header first, are in `naive.py`.
"""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import jwt
from jwt.exceptions import (
    DecodeError,
    InvalidAlgorithmError,
    InvalidAudienceError,
    InvalidIssuerError,
    InvalidSignatureError,
    MissingRequiredClaimError,
    PyJWTError,
)
from jwt.types import Options

from tutor import randomness
from tutor.clock import Clock
from tutor.server.config import ServerConfig
from tutor.server.jwks_cache import JwksCache
from tutor.server.keys import Keyring
from tutor.server.naive import KeyFetcher, NaiveRefusal, NaiveVerifier
from tutor.server.weaknesses import ACCEPT_ALG_NONE, NO_AUDIENCE_CHECK, WEAK_HMAC_SECRET

Stage = Literal["decode", "algorithm", "key", "signature", "claims", "revocation"]
TokenKind = Literal["access", "refresh"]

# Explicit typing (RFC 8725 §3.11): an access token can never pass as a refresh token.
TOKEN_TYPES: dict[TokenKind, str] = {"access": "at+jwt", "refresh": "rt+jwt"}
REQUIRED_CLAIMS = ["sub", "iat", "exp", "jti", "iss", "aud"]
MAX_TOKEN_LENGTH = 8192
# Verified tokens remembered per server: a signature that checked out once will again
# while the keys stay the same (`set_keys` empties it); time claims and the denylist are
# re-checked on every request.
VERIFIED_CACHE_SIZE = 1024
_PYJWT_OPTIONS: Options = {
    "require": REQUIRED_CLAIMS,
    # Time claims are checked below on the server's (possibly simulated) clock.
    "verify_exp": False,
    "verify_nbf": False,
    "verify_iat": False,
}
_UNCHECKED_AUDIENCE_OPTIONS: Options = {
    **_PYJWT_OPTIONS, "verify_aud": False, "verify_iss": False,
}


@dataclass(frozen=True)
class TokenRejected(Exception):
    """A token failed verification at `stage`; `reason` is safe to show to the client."""

    stage: Stage
    reason: str

    def __str__(self) -> str:
        return f"{self.stage}: {self.reason}"


@dataclass(frozen=True)
class MintedToken:
    """A freshly signed token and its claims."""

    token: str
    claims: dict[str, Any]

    @property
    def jti(self) -> str:
        """The token's unique id."""
        return str(self.claims["jti"])

    @property
    def expires_at(self) -> int:
        """The `exp` claim."""
        return int(self.claims["exp"])


class CannotMint(Exception):
    """This replica holds only a public key: it can verify tokens but not sign them."""


@dataclass(frozen=True)
class VerifiedToken:
    """A token that passed every check, and the key that verified it."""

    header: dict[str, Any]
    claims: dict[str, Any]
    kid: str | None
    """The id of this server's key that verified it (None for a key the token chose)."""
    key_source: str | None = None
    """Where a vulnerable server took the key from, in words (None: its own key)."""


class TokenService:
    """Mints and verifies this server's JWTs."""

    def __init__(self, config: ServerConfig, keys: Keyring, clock: Clock,
                 fetch_keys: KeyFetcher | None = None, cache: JwksCache | None = None) -> None:
        """`fetch_keys` is what a vulnerable server's jku/x5u download reaches; `cache`
        is a verify-only replica's copy of the issuer's key set (None on the issuer)."""
        self._config = config
        self._cache = cache
        self._clock = clock
        self._algorithms: list[str] = [config.algorithm]
        self._weak = config.vulnerabilities.on(WEAK_HMAC_SECRET)
        self._accept_none = config.vulnerabilities.on(ACCEPT_ALG_NONE)
        self._naive = NaiveVerifier(config, fetch_keys)
        unchecked = config.vulnerabilities.on(NO_AUDIENCE_CHECK)
        # VULNERABLE when unchecked: a token minted for another service passes (§3.9).
        self._options = _UNCHECKED_AUDIENCE_OPTIONS if unchecked else _PYJWT_OPTIONS
        self._audience = None if unchecked else config.audience
        self._issuer = None if unchecked else config.issuer
        self._verified: dict[str, VerifiedToken] = {}
        self.set_keys(keys)

    @property
    def keys(self) -> Keyring:
        """The keys this service signs and verifies with now."""
        return self._keys

    def set_keys(self, keys: Keyring) -> None:
        """Use new keys (a rotation, or a replica's refreshed key set)."""
        self._keys = keys
        self._verifying_key = keys.verifying_key
        # A key that is no longer published must stop verifying: forget what it verified.
        self._verified.clear()

    def mint(
        self, kind: TokenKind, subject: str, family: str, extra: dict[str, Any] | None = None,
        audience: str | None = None,
    ) -> MintedToken:
        """Sign a new access or refresh token for `subject` (for `audience`, or this API)."""
        if not self._keys.can_mint:
            raise CannotMint(
                "this replica holds only the public key: it can verify tokens, not issue them"
            )
        now = int(self._clock.now())
        ttl = self._config.access_token_ttl if kind == "access" else self._config.refresh_token_ttl
        claims: dict[str, Any] = {
            "iss": self._config.issuer,
            "sub": subject,
            "aud": audience or self._config.audience,
            "iat": now,
            "exp": now + ttl,
            "jti": randomness.token_urlsafe(16),
            "sid": family,
        }
        if self._config.write_nbf:
            claims["nbf"] = now
        claims.update(extra or {})
        headers = {"typ": TOKEN_TYPES[kind], "kid": self._keys.kid}
        with self._quiet_if_weak():
            token = jwt.encode(
                claims, self._keys.signing_key, algorithm=self._config.algorithm, headers=headers
            )
        return MintedToken(token, claims)

    def verify(self, token: str, kind: TokenKind) -> dict[str, Any]:
        """The token's claims, or `TokenRejected` naming the failing stage."""
        return self._verify(token, kind).claims

    def verify_detailed(self, token: str, kind: TokenKind) -> VerifiedToken:
        """`verify`, also saying which key verified the token."""
        return self._verify(token, kind)

    def verify_uncached(self, token: str, kind: TokenKind) -> dict[str, Any]:
        """`verify` without the cache of verified tokens (for benchmarks and tests)."""
        self._verified.pop(token, None)
        return self._verify(token, kind).claims

    def _verify(self, token: str, kind: TokenKind) -> VerifiedToken:
        if len(token) > MAX_TOKEN_LENGTH:
            raise TokenRejected("decode", f"token is longer than {MAX_TOKEN_LENGTH} characters")
        parts = token.count(".") + 1
        if parts != 3:
            raise TokenRejected(
                "decode", f"a JWT has 3 dot-separated parts (header.payload.signature); got {parts}"
            )
        if self._cache is not None:
            keys = self._cache.current()
            if keys is not self._keys:
                self.set_keys(keys)
        verified = self._verified.get(token)
        if verified is None:
            verified = self._decode(token)
            if len(self._verified) >= VERIFIED_CACHE_SIZE:
                del self._verified[next(iter(self._verified))]
            self._verified[token] = verified
        header, claims = verified.header, verified.claims
        expected_type = TOKEN_TYPES[kind]
        if header.get("typ") != expected_type:
            other = "a refresh" if header.get("typ") == TOKEN_TYPES["refresh"] else "not an access"
            if kind == "refresh":
                other = "not a refresh"
            raise TokenRejected(
                "claims",
                f"token type is {header.get('typ')!r}, expected {expected_type!r}: "
                f"this is {other} token",
            )
        self._check_times(claims)
        if not isinstance(claims["jti"], str):
            # Only a forged token (alg none, a cracked secret) can get here with another type.
            raise TokenRejected("claims", "claim 'jti' must be a string")
        return verified

    def _decode(self, token: str, refetched: bool = False) -> VerifiedToken:
        if self._accept_none and _declares_alg_none(token):
            header, claims = self._decode_claims_only(token)
            return VerifiedToken(header, claims, None, "no key: alg none skips the signature")
        if self._naive.active:
            # Only a vulnerable server reads the header before verifying: it lets it choose.
            try:
                chosen = self._naive.key_for(token, _unverified_header(token), self._keys)
            except NaiveRefusal as exc:
                raise TokenRejected(exc.stage, _clean(exc.reason)) from None
            if chosen is not None:
                if chosen.hmac_checked:
                    header, claims = self._decode_claims_only(token)
                else:
                    header, claims = self._pyjwt(token, chosen.key, [chosen.algorithm])
                return VerifiedToken(header, claims, None, chosen.source)
        try:
            header, claims = self._pyjwt(token, self._verifying_key, self._algorithms)
            return VerifiedToken(header, claims, self._keys.kid)
        except TokenRejected as exc:
            if exc.stage != "signature":
                raise
            return self._other_key(token, exc, refetched)

    def _other_key(self, token: str, failure: TokenRejected, refetched: bool) -> VerifiedToken:
        """After a signature failure with the current key: say why at the key stage, or
        verify with an older key the token names that is still published (rotation)."""
        header = _unverified_header(token)
        for name, section in (("jwk", "§3.8"), ("jku", "§3.10"), ("x5u", "§3.10")):
            if name in header:
                raise TokenRejected("key", UNTRUSTED_KEY_REASONS[name] + f" (RFC 8725 {section})")
        kid = header.get("kid")
        if kid is None or kid == self._keys.kid:
            raise failure
        older = self._keys.key_for(kid)
        if older is None and self._cache is not None and not refetched:
            # An unknown kid may be a key the issuer rotated in since the copy was made.
            self.set_keys(self._cache.refetch())
            return self._decode(token, refetched=True)
        if older is None:
            raise TokenRejected(
                "key", f"no key with id {_clean(str(kid))[:40]!r} is published here; a kid is "
                "only looked up among this server's own keys (RFC 8725 §3.10)")
        header, claims = self._pyjwt(token, older, self._algorithms)
        return VerifiedToken(header, claims, str(kid))

    def _pyjwt(self, token: str, key: Any, algorithms: list[str]) -> (
        tuple[dict[str, Any], dict[str, Any]]
    ):
        try:
            if self._weak:
                with self._quiet_if_weak():
                    decoded = self._decode_complete(token, key, algorithms)
            else:
                # No context manager on the common path: it costs a generator per call.
                decoded = self._decode_complete(token, key, algorithms)
        except InvalidSignatureError:
            raise TokenRejected(
                "signature", "signature does not match the header and payload (RFC 7515 §5.2)"
            ) from None
        except InvalidAlgorithmError:
            raise TokenRejected(
                "algorithm",
                f"algorithm {_declared_alg(token)!r} is refused: this server accepts only "
                f"{', '.join(algorithms)}; the verifier, not the token, picks the algorithm "
                "(RFC 8725 §3.1)",
            ) from None
        except PyJWTError as exc:
            raise self._claims_failure(exc) from None
        return decoded["header"], decoded["payload"]

    def _decode_complete(self, token: str, key: Any, algorithms: list[str]) -> dict[str, Any]:
        return jwt.decode_complete(token, key, algorithms=algorithms, audience=self._audience,
                                   issuer=self._issuer, options=self._options)

    def _claims_failure(self, exc: PyJWTError) -> TokenRejected:
        if isinstance(exc, MissingRequiredClaimError):
            return TokenRejected("claims", f"required claim {exc.claim!r} is missing")
        if isinstance(exc, InvalidAudienceError):
            return TokenRejected(
                "claims", f"audience does not include {self._config.audience!r}: the token "
                "was minted for another service (RFC 8725 §3.9)")
        if isinstance(exc, InvalidIssuerError):
            return TokenRejected(
                "claims", f"issuer is not {self._config.issuer!r} (RFC 8725 §3.8)")
        if isinstance(exc, DecodeError):
            return TokenRejected("decode", _decode_reason(exc))
        return TokenRejected("claims", _clean(str(exc)) or "claims are invalid")

    @contextlib.contextmanager
    def _quiet_if_weak(self) -> Iterator[None]:
        # The weak-secret lesson uses a short key on purpose: PyJWT's warning is expected.
        if not self._weak:
            yield
            return
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", jwt.InsecureKeyLengthWarning)
            yield

    def _decode_claims_only(self, token: str) -> tuple[dict[str, Any], dict[str, Any]]:
        # VULNERABLE on purpose: the signature was skipped (alg none) or checked by hand
        # with a key the token chose; only the claims are checked here.
        try:
            decoded = jwt.decode_complete(
                token,
                options={**self._options, "verify_signature": False,
                         "verify_aud": self._audience is not None,
                         "verify_iss": self._issuer is not None},
                audience=self._audience,
                issuer=self._issuer,
            )
        except PyJWTError as exc:
            raise self._claims_failure(exc) from None
        return decoded["header"], decoded["payload"]

    def _check_times(self, claims: dict[str, Any]) -> None:
        now = self._clock.now()
        exp, iat = claims["exp"], claims["iat"]
        # The usual token (exp and iat whole numbers, no nbf) is checked in one test.
        if not (type(exp) is int and type(iat) is int and "nbf" not in claims):
            for name in ("exp", "iat", "nbf"):
                if name in claims and not _is_number(claims[name]):
                    raise TokenRejected("claims", f"claim {name!r} must be a number of seconds")
        # RFC 7519 §4.1.4, §4.1.5: a small leeway for clock skew, on both sides.
        leeway = self._config.clock_skew_leeway
        # RFC 7519 §4.1.4: the current time must be *before* exp, so exp itself is too late.
        if now >= exp + leeway:
            raise TokenRejected("claims",
                                f"token expired {int(now - exp)}s ago{_beyond(leeway)}")
        if "nbf" in claims and now + leeway < claims["nbf"]:
            ahead = math.ceil(claims["nbf"] - now)
            raise TokenRejected(
                "claims", f"token is not valid yet: nbf is {ahead}s ahead of this server's "
                f"clock{_beyond(leeway)} (RFC 7519 §4.1.5)"
            )
        if now + leeway < iat:
            raise TokenRejected("claims", "token claims to be issued in the future (iat)")


def _beyond(leeway: int) -> str:
    return f" (beyond the {leeway}s leeway)" if leeway else ""


UNTRUSTED_KEY_REASONS = {
    "jwk": "the token carries its own key (jwk header); keys must belong to the issuer, "
           "so this server verifies only with keys it holds",
    "jku": "the token names a key set URL (jku header); this server fetches keys only from "
           "its own allow-list, and that URL is not on it",
    "x5u": "the token names a certificate URL (x5u header); this server fetches keys only "
           "from its own allow-list, and that URL is not on it",
}
"""Why the fixed server refuses a token that brings or points to its own key."""


def _is_number(value: object) -> bool:
    # Python's JSON parser accepts NaN and Infinity, which no time can be compared with.
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


def _unverified_header(token: str) -> dict[str, Any]:
    try:
        return jwt.get_unverified_header(token)
    except PyJWTError:
        return {}


def _declared_alg(token: str) -> str:
    return _clean(str(_unverified_header(token).get("alg", "")))[:20]


def _declares_alg_none(token: str) -> bool:
    alg = _unverified_header(token).get("alg")
    return isinstance(alg, str) and alg.lower() == "none"


def _decode_reason(exc: DecodeError) -> str:
    text = _clean(str(exc))
    return f"token is malformed: {text}" if text else "token is malformed"


def _clean(text: str) -> str:
    """Keep a message inside the characters RFC 6750 §3 allows in error_description."""
    allowed = "".join(ch for ch in text if 0x20 <= ord(ch) <= 0x7E and ch not in '"\\')
    return allowed[:200]
