"""A page's signing key as WebCrypto keeps it: scripts may sign with it, never read it.

A page calls `crypto.subtle.generateKey({name: "ECDSA", namedCurve: "P-256"}, false,
["sign"])`: `false` makes the private key non-extractable. The page keeps the CryptoKey
(in IndexedDB, per origin), and any script running in the page (its own, or one an
XSS injected) can ask the browser to sign with it; `exportKey` on it throws
`InvalidAccessError`, so no script ever sees the key's bytes. `PageKey` offers exactly
those two doors: `sign` and an `export` that refuses. The DPoP proof (RFC 9449 §4.2)
is what a page's script builds with it.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from tutor import randomness

PROOF_ALGORITHM = "ES256"
"""ECDSA P-256 with SHA-256: what WebCrypto signs with in every browser."""


class KeyNotExtractable(Exception):
    """`exportKey` on a key made with `extractable: false` (WebCrypto's InvalidAccessError)."""


class PageKey:
    """A non-extractable ECDSA P-256 key pair held by the browser for one origin."""

    __slots__ = ("__private", "public_jwk")

    def __init__(self) -> None:
        # Name-mangled and never returned: the simulation keeps WebCrypto's promise in its
        # API (sign, and an export that refuses), as the browser keeps it in its process.
        self.__private = ec.generate_private_key(ec.SECP256R1())
        self.public_jwk: dict[str, Any] = ECAlgorithm.to_jwk(
            self.__private.public_key(), as_dict=True
        )
        """The public half, as a JWK: public, so scripts may read it."""

    def sign_jwt(self, header: dict[str, Any], claims: dict[str, Any]) -> str:
        """A JWT signed with the private key (`crypto.subtle.sign`, then encoding)."""
        return jwt.encode(claims, self.__private, algorithm=PROOF_ALGORITHM, headers=header)

    def export(self) -> dict[str, Any]:
        """`crypto.subtle.exportKey("jwk", privateKey)`: refused for this key."""
        raise KeyNotExtractable(
            "InvalidAccessError: the key was generated with extractable: false, so "
            "exportKey refuses; scripts can only ask the browser to sign with it"
        )

    def __deepcopy__(self, memo: dict[int, object]) -> PageKey:
        # A key never changes once made: snapshots share it rather than copy secrets.
        return self

    def __repr__(self) -> str:
        return f"PageKey({PROOF_ALGORITHM}, x={str(self.public_jwk.get('x', ''))[:8]}…)"


def dpop_proof(key: PageKey, method: str, url: str, now: float,
               access_token: str | None = None) -> str:
    """A DPoP proof for one request (RFC 9449 §4.2): typ, alg and the public jwk in the
    header; jti, htm, htu (no query or fragment) and iat, plus ath with an access token."""
    parts = urlsplit(url)
    claims: dict[str, Any] = {
        "jti": randomness.token_urlsafe(16),  # 128 random bits (§4.2 asks for 96 or more)
        "htm": method.upper(),
        "htu": urlunsplit((parts.scheme, parts.netloc, parts.path or "/", "", "")),
        "iat": int(now),
    }
    if access_token is not None:
        digest = hashlib.sha256(access_token.encode("ascii", "replace")).digest()
        claims["ath"] = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    header = {"typ": "dpop+jwt", "jwk": key.public_jwk}
    return key.sign_jwt(header, claims)
