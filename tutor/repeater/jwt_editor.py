"""The JWT editor: read any token, change its header or claims, and make a new token.

The ways to finish an edited token, as an attacker has them:

- keep the old signature (the server's signature check must catch the edit);
- sign again with an HMAC secret the learner knows or guessed (`crack_secret` guesses it
  offline from a word list): only a server whose secret *is* that word accepts it;
- sign with the attacker's own key pair (RS256, PS256, ES256, EdDSA), optionally with the
  public key embedded as `jwk` or published at evil.test and named by `jku`: only a server
  that takes its key from the token accepts it;
- `alg: none` with an empty signature (only a server that lets the token pick its
  algorithm accepts it).

Decoding and signing live in `tutor.jwtcheck` (shared with `tutor jwt`); this module is
what the editor does with them, and the one place that chooses whose attacker keys sign
(`attacker_key`, and `ATTACKER_JWKS_URL` where evil.test publishes them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from tutor.jwtcheck import signing
from tutor.jwtcheck.attacker import ASYMMETRIC_ALGORITHMS, ATTACKER_JWKS_URL, attacker_key
from tutor.jwtcheck.crack import CrackProgress, HmacTarget
from tutor.jwtcheck.keys import HMAC_ALGORITHMS
from tutor.jwtcheck.signing import SIGNING_ALGORITHMS, sign
from tutor.jwtcheck.token import (
    MAX_TOKEN_LENGTH,
    PART_NAMES,
    DecodedToken,
    TokenFormatError,
    decode,
    encode_part,
    parse_json_object,
)

__all__ = [
    "ASYMMETRIC_ALGORITHMS", "ATTACKER_JWKS_URL", "MAX_TOKEN_LENGTH", "PART_NAMES",
    "SIGNING_ALGORITHMS", "DecodedToken", "TokenFormatError", "crack_secret", "decode",
    "encode_part", "keep_signature", "parse_json_object", "re_sign", "secret_matches",
    "sign_hs256", "unsigned", "with_attacker_jku", "with_embedded_jwk", "with_kid",
]


def keep_signature(
    original: DecodedToken,
    header: Mapping[str, Any] | None = None,
    claims: Mapping[str, Any] | None = None,
) -> str:
    """The edited token with the original signature (unchanged parts keep their bytes)."""
    header_part = _part_or_original(header, original.header, original.header_part)
    claims_part = _part_or_original(claims, original.claims, original.claims_part)
    return f"{header_part}.{claims_part}.{original.signature}"


def sign_hs256(header: Mapping[str, Any], claims: Mapping[str, Any], secret: str) -> str:
    """A token signed with HMAC-SHA256 and `secret`; the header's `alg` becomes HS256."""
    return sign(header, claims, "HS256", secret)


def re_sign(header: Mapping[str, Any], claims: Mapping[str, Any], alg: str,
            secret: str | bytes = b"") -> str:
    """Signed with `alg`: HS* with `secret` (empty is allowed: it is what a `kid` naming an
    empty file gives), the others with the attacker's own key, its kid in the header."""
    if alg in HMAC_ALGORITHMS:
        return sign(header, claims, alg, secret)
    if alg in ASYMMETRIC_ALGORITHMS:
        return signing.sign_with(header, claims, attacker_key(alg))
    raise TokenFormatError(f"cannot sign with {alg!r}; one of {', '.join(SIGNING_ALGORITHMS)}")


def with_embedded_jwk(header: Mapping[str, Any], alg: str) -> dict[str, Any]:
    """The header carrying the attacker's `alg` public key as `jwk`."""
    return signing.with_embedded_jwk(header, attacker_key(alg))


def with_attacker_jku(header: Mapping[str, Any], alg: str) -> dict[str, Any]:
    """The header pointing `jku` at evil.test's JWK Set, with the kid of the attacker's
    `alg` key there."""
    return signing.with_jku(header, attacker_key(alg), ATTACKER_JWKS_URL)


def with_kid(header: Mapping[str, Any], kid: str) -> dict[str, Any]:
    """The header with `kid` set (a path or a row name is what kid injection tries)."""
    return {**header, "kid": kid}


def unsigned(header: Mapping[str, Any], claims: Mapping[str, Any]) -> str:
    """An `alg: none` token: no signature at all, only the trailing dot (RFC 7515 §6)."""
    return f"{encode_part({**header, 'alg': 'none'})}.{encode_part(claims)}."


def secret_matches(token: str, secret: str) -> bool:
    """Whether `secret` made this HMAC token's signature: an offline guess, which no
    server ever sees."""
    return HmacTarget(token).matches(secret.encode("utf-8"))


def crack_secret(token: str, words: Iterable[bytes], total: int | None = None,
                 on_progress: Callable[[CrackProgress], bool] | None = None
                 ) -> CrackProgress:
    """Try every word as the token's HMAC secret, offline; the last progress says whether
    one was found."""
    return HmacTarget(token).crack(words, total, on_progress)


def _part_or_original(edited: Mapping[str, Any] | None, original: dict[str, Any],
                      original_part: str) -> str:
    if edited is None or dict(edited) == original:
        return original_part
    return encode_part(edited)
