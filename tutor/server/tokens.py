"""JWT minting and verification, with the stage at which a bad token fails.

Verification is one PyJWT call with the algorithm pinned by the server (RFC 8725 §2.1,
§3.1); time claims are then checked on the server's clock, because PyJWT reads the wall
clock and scenes run on a simulated one.
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
from tutor.server.keys import Keyring
from tutor.server.weaknesses import ACCEPT_ALG_NONE, WEAK_HMAC_SECRET

Stage = Literal["decode", "algorithm", "key", "signature", "claims", "revocation"]
TokenKind = Literal["access", "refresh"]

# Explicit typing (RFC 8725 §3.11): an access token can never pass as a refresh token.
TOKEN_TYPES: dict[TokenKind, str] = {"access": "at+jwt", "refresh": "rt+jwt"}
REQUIRED_CLAIMS = ["sub", "iat", "exp", "jti", "iss", "aud"]
MAX_TOKEN_LENGTH = 8192
# Verified tokens remembered per server: a signature that checked out once always will
# (keys never change while a server runs); time claims and the denylist are re-checked.
VERIFIED_CACHE_SIZE = 1024
_PYJWT_OPTIONS: Options = {
    "require": REQUIRED_CLAIMS,
    # Time claims are checked below on the server's (possibly simulated) clock.
    "verify_exp": False,
    "verify_nbf": False,
    "verify_iat": False,
}
_UNSIGNED_OPTIONS: Options = {
    **_PYJWT_OPTIONS,
    "verify_signature": False,
    "verify_aud": True,
    "verify_iss": True,
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


class TokenService:
    """Mints and verifies this server's JWTs."""

    def __init__(self, config: ServerConfig, keys: Keyring, clock: Clock) -> None:
        self._config = config
        self._keys = keys
        self._clock = clock
        self._algorithms = [config.algorithm]
        self._verifying_key = keys.verifying_key
        self._weak = config.vulnerabilities.on(WEAK_HMAC_SECRET)
        self._accept_none = config.vulnerabilities.on(ACCEPT_ALG_NONE)
        self._verified: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}

    def mint(
        self, kind: TokenKind, subject: str, family: str, extra: dict[str, Any] | None = None
    ) -> MintedToken:
        """Sign a new access or refresh token for `subject`."""
        if not self._keys.can_mint:
            raise CannotMint(
                "this replica holds only the public key: it can verify tokens, not issue them"
            )
        now = int(self._clock.now())
        ttl = self._config.access_token_ttl if kind == "access" else self._config.refresh_token_ttl
        claims: dict[str, Any] = {
            "iss": self._config.issuer,
            "sub": subject,
            "aud": self._config.audience,
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
        return self._verify(token, kind)

    def verify_uncached(self, token: str, kind: TokenKind) -> dict[str, Any]:
        """`verify` without the cache of verified tokens (for benchmarks and tests)."""
        self._verified.pop(token, None)
        return self._verify(token, kind)

    def _verify(self, token: str, kind: TokenKind) -> dict[str, Any]:
        if len(token) > MAX_TOKEN_LENGTH:
            raise TokenRejected("decode", f"token is longer than {MAX_TOKEN_LENGTH} characters")
        parts = token.count(".") + 1
        if parts != 3:
            raise TokenRejected(
                "decode", f"a JWT has 3 dot-separated parts (header.payload.signature); got {parts}"
            )
        cached = self._verified.get(token)
        if cached is not None:
            header, claims = cached
        elif self._accept_none and _declares_alg_none(token):
            header, claims = self._decode_unsigned(token)
        else:
            header, claims = self._decode_signed(token)
            if len(self._verified) >= VERIFIED_CACHE_SIZE:
                del self._verified[next(iter(self._verified))]
            self._verified[token] = (header, claims)
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
        return claims

    def _decode_signed(self, token: str) -> tuple[dict[str, Any], dict[str, Any]]:
        try:
            with self._quiet_if_weak():
                decoded = jwt.decode_complete(
                    token,
                    self._verifying_key,
                    algorithms=self._algorithms,
                    audience=self._config.audience,
                    issuer=self._config.issuer,
                    options=_PYJWT_OPTIONS,
                )
        except InvalidSignatureError:
            raise self._signature_failure(token) from None
        except InvalidAlgorithmError:
            raise TokenRejected(
                "algorithm",
                f"algorithm {_declared_alg(token)!r} is refused: this server accepts only "
                f"{self._config.algorithm} (RFC 8725 §3.1)",
            ) from None
        except MissingRequiredClaimError as exc:
            raise TokenRejected("claims", f"required claim {exc.claim!r} is missing") from None
        except InvalidAudienceError:
            raise TokenRejected(
                "claims", f"audience does not include {self._config.audience!r}"
            ) from None
        except InvalidIssuerError:
            raise TokenRejected("claims", f"issuer is not {self._config.issuer!r}") from None
        except DecodeError as exc:
            raise TokenRejected("decode", _decode_reason(exc)) from None
        except PyJWTError as exc:
            raise TokenRejected("claims", _clean(str(exc)) or "claims are invalid") from None
        return decoded["header"], decoded["payload"]

    @contextlib.contextmanager
    def _quiet_if_weak(self) -> Iterator[None]:
        # The weak-secret lesson uses a short key on purpose: PyJWT's warning is expected.
        if not self._weak:
            yield
            return
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", jwt.InsecureKeyLengthWarning)
            yield

    def _decode_unsigned(self, token: str) -> tuple[dict[str, Any], dict[str, Any]]:
        # VULNERABLE on purpose: trusts a token that declares it needs no signature.
        try:
            decoded = jwt.decode_complete(
                token,
                options=_UNSIGNED_OPTIONS,
                audience=self._config.audience,
                issuer=self._config.issuer,
            )
        except MissingRequiredClaimError as exc:
            raise TokenRejected("claims", f"required claim {exc.claim!r} is missing") from None
        except DecodeError as exc:
            raise TokenRejected("decode", _decode_reason(exc)) from None
        except PyJWTError as exc:
            raise TokenRejected("claims", _clean(str(exc)) or "claims are invalid") from None
        return decoded["header"], decoded["payload"]

    def _signature_failure(self, token: str) -> TokenRejected:
        kid = _unverified_header(token).get("kid")
        if kid is not None and kid != self._keys.kid:
            return TokenRejected("key", f"no key with id {str(kid)[:40]!r} is known here")
        return TokenRejected(
            "signature", "signature does not match the header and payload (RFC 7515 §5.2)"
        )

    def _check_times(self, claims: dict[str, Any]) -> None:
        now = self._clock.now()
        for name in ("exp", "iat", "nbf"):
            if name in claims and not _is_number(claims[name]):
                raise TokenRejected("claims", f"claim {name!r} must be a number of seconds")
        # RFC 7519 §4.1.4, §4.1.5: a small leeway for clock skew, on both sides.
        leeway = self._config.clock_skew_leeway
        within = f" (beyond the {leeway}s leeway)" if leeway else ""
        # RFC 7519 §4.1.4: the current time must be *before* exp, so exp itself is too late.
        if now >= claims["exp"] + leeway:
            raise TokenRejected("claims", f"token expired {int(now - claims['exp'])}s ago{within}")
        if "nbf" in claims and now + leeway < claims["nbf"]:
            ahead = math.ceil(claims["nbf"] - now)
            raise TokenRejected(
                "claims", f"token is not valid yet: nbf is {ahead}s ahead of this server's "
                f"clock{within} (RFC 7519 §4.1.5)"
            )
        if now + leeway < claims["iat"]:
            raise TokenRejected("claims", "token claims to be issued in the future (iat)")


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
