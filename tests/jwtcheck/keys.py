"""Key pairs and tokens for the `tutor jwt` tests, made by PyJWT and by joserfc.

joserfc is an independent JOSE implementation: a token it signs must verify here exactly
as one PyJWT signs, so the checker cannot be agreeing only with its own library.
"""

from __future__ import annotations

import functools
import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

HMAC_SECRET = b"a test secret long enough for HS512: sixty-four bytes or more, ok"
ALGORITHMS = ("HS256", "HS384", "HS512", "RS256", "PS256", "ES256", "EdDSA")
MAKERS = ("pyjwt", "joserfc")


@dataclass(frozen=True)
class Pair:
    """A private key (or secret) and what to give `tutor jwt` to verify with it."""

    private: Any
    public_pem: bytes | None
    public_jwk: dict[str, Any]


def pair(alg: str, which: int = 0) -> Pair:
    """The test key for `alg` (`which` tells two different keys of one kind apart)."""
    return _pair(alg, which)


@functools.cache
def _pair(alg: str, which: int) -> Pair:
    if alg.startswith("HS"):
        secret = HMAC_SECRET + bytes([which])
        return Pair(secret, None, json.loads(jwt.algorithms.HMACAlgorithm.to_jwk(secret)))
    private: Any
    if alg in ("RS256", "PS256"):
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        writer: Any = jwt.algorithms.RSAAlgorithm
    elif alg == "ES256":
        private = ec.generate_private_key(ec.SECP256R1())
        writer = jwt.algorithms.ECAlgorithm
    else:
        private = ed25519.Ed25519PrivateKey.generate()
        writer = jwt.algorithms.OKPAlgorithm
    public = private.public_key()
    pem = public.public_bytes(serialization.Encoding.PEM,
                              serialization.PublicFormat.SubjectPublicKeyInfo)
    return Pair(private, pem, json.loads(writer.to_jwk(public)))


def make_token(maker: str, alg: str, claims: dict[str, Any], which: int = 0,
               header: dict[str, Any] | None = None) -> str:
    """A token signed by PyJWT or by joserfc with the test key."""
    key = pair(alg, which).private
    if maker == "pyjwt":
        return jwt.encode(claims, key, algorithm=alg, headers=header)
    from joserfc import jwt as jose_jwt
    from joserfc.jwk import ECKey, OctKey, OKPKey, RSAKey

    importer: Any = {"HS": OctKey, "RS": RSAKey, "PS": RSAKey, "ES": ECKey,
                     "Ed": OKPKey}[alg[:2]]
    if alg.startswith("HS"):
        jose_key = importer.import_key(key)
    else:
        jose_key = importer.import_key(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
    with warnings.catch_warnings():
        # joserfc warns that RFC 9864 deprecates "EdDSA" for "Ed25519"; PyJWT and the
        # course still use "EdDSA".
        warnings.simplefilter("ignore")
        token: str = jose_jwt.encode({**(header or {}), "alg": alg}, claims, jose_key,
                                     algorithms=[alg])
    return token


def key_file(tmp: Path, alg: str, form: str, which: int = 0) -> Path:
    """The public key (or the secret, as an oct JWK) in a file: pem, jwk or jwks."""
    keys = pair(alg, which)
    path = tmp / f"{alg}-{which}.{form}"
    if form == "pem" and keys.public_pem is not None:
        path.write_bytes(keys.public_pem)
    elif form == "jwks":
        path.write_text(json.dumps({"keys": [{**keys.public_jwk, "kid": f"k{which}"}]}))
    else:
        path.write_text(json.dumps(keys.public_jwk))
    return path
