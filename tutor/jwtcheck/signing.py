"""Signing exactly the header and claims the learner wrote, with any JWS algorithm.

The signing input is built here (RFC 7515 §5.1: base64url header, a dot, base64url
claims) and signed by PyJWT's algorithm objects, not `jwt.encode`: that one re-orders and
completes headers, refuses empty HMAC keys (which a `kid` pointing at an empty file
produces) and warns about the short secrets the weak-secret lesson uses on purpose.

The attacker's header tools take the key as an argument (anything with `algorithm`,
`private_key`, `kid` and `public_jwk`), so the caller decides whose attacker keys to use.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from tutor.jwtcheck.keys import HMAC_ALGORITHMS
from tutor.jwtcheck.token import b64encode, encode_part

SIGNING_ALGORITHMS = ("HS256", "HS384", "HS512", "RS256", "PS256", "ES256", "EdDSA")


class SigningKey(Protocol):
    """An attacker's key pair, as `jwtcheck.attacker` (or the server) makes them."""

    @property
    def algorithm(self) -> str: ...
    @property
    def private_key(self) -> Any: ...
    @property
    def kid(self) -> str: ...
    @property
    def public_jwk(self) -> dict[str, Any]: ...


def sign(header: Mapping[str, Any], claims: Mapping[str, Any], alg: str, key: Any) -> str:
    """A token of `header` (its `alg` set to `alg`) and `claims`, signed with `key`: secret
    text or bytes for HS*, a private key object otherwise."""
    import jwt

    if alg not in SIGNING_ALGORITHMS:
        raise ValueError(f"cannot sign with {alg!r}; one of {', '.join(SIGNING_ALGORITHMS)}")
    signing_input = f"{encode_part({**header, 'alg': alg})}.{encode_part(claims)}"
    if alg in HMAC_ALGORITHMS and isinstance(key, str):
        key = key.encode("utf-8")
    signature = jwt.get_algorithm_by_name(alg).sign(signing_input.encode("ascii"), key)
    return f"{signing_input}.{b64encode(signature)}"


def sign_with(header: Mapping[str, Any], claims: Mapping[str, Any], key: SigningKey) -> str:
    """Signed with an attacker key pair, its kid in the header."""
    return sign({**header, "kid": key.kid}, claims, key.algorithm, key.private_key)


def with_embedded_jwk(header: Mapping[str, Any], key: SigningKey) -> dict[str, Any]:
    """The header carrying `key`'s public half as `jwk` (RFC 7515 §4.1.3): a server that
    trusts it verifies the attacker's signature with the attacker's key."""
    edited = {name: value for name, value in header.items() if name not in ("jku", "x5u")}
    return {**edited, "alg": key.algorithm, "kid": key.kid, "jwk": key.public_jwk}


def with_jku(header: Mapping[str, Any], key: SigningKey, url: str) -> dict[str, Any]:
    """The header pointing `jku` (RFC 7515 §4.1.2) at `url`, where the attacker publishes
    a JWK Set holding `key`, with its kid."""
    edited = {name: value for name, value in header.items() if name != "jwk"}
    return {**edited, "alg": key.algorithm, "kid": key.kid, "jku": url}
