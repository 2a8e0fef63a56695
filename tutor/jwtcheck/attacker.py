"""The attacker's key pairs, and the JWK Set evil.test serves: the one source of them.

The JWT editor signs forged tokens with these, scenes sign with them
(`signature: attacker_key`), and evil.test publishes them; a server that follows a
token's `jku` fetches `ATTACKER_JWKS_URL` inside the simulation, so the attacker's own
key verifies the attacker's own token. Nothing here touches the network.

The ES256 and EdDSA keys derive from a fixed seed, so a lesson can print a token signed
with them, and the EdDSA private key itself (lesson 14's jku challenge: `evil-8a8ab8dd`);
what the editor signs with is then that same key. The RSA key is made once per process
(generating one from a seed would take a hand-written prime search), shared by RS256 and
PS256 under a kid each.
"""

from __future__ import annotations

import hashlib
import json
import threading
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

ATTACKER_ORIGIN = "https://evil.test"
ATTACKER_JWKS_PATH = "/.well-known/jwks.json"
ATTACKER_JWKS_URL = ATTACKER_ORIGIN + ATTACKER_JWKS_PATH
"""What the editor writes into `jku`; evil.test answers it with `attacker_jwks()`."""
ASYMMETRIC_ALGORITHMS = ("RS256", "PS256", "ES256", "EdDSA")
"""The public-key algorithms the editor signs with, each with its own attacker key."""
ATTACKER_SEED = b"evil.test: the attacker's own key pair"
"""The ES256 and EdDSA keys derive from this (with generation 99, as they always have:
the kids and the tokens lessons print depend on it)."""
_GENERATION = 99
_P256_ORDER = int("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16)

_lock = threading.Lock()
_keys: dict[str, AttackerKey] = {}


class AttackerKey:
    """One attacker key pair, named for the algorithm it signs with."""

    __slots__ = ("algorithm", "kid", "private_key")

    def __init__(self, algorithm: str, private_key: Any, kid: str) -> None:
        self.algorithm = algorithm
        self.private_key = private_key
        self.kid = kid
        """`evil-` and the start of the SHA-256 of the public key's PEM (RSA adds the
        algorithm: one key, two kids)."""

    def __repr__(self) -> str:
        return f"AttackerKey({self.algorithm!r}, kid={self.kid!r})"

    @property
    def public_jwk(self) -> dict[str, Any]:
        """The public key as a JWK with `kid`, `alg` and `use` (RFC 7517 §4)."""
        from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

        writer: Any = {"RS256": RSAAlgorithm, "PS256": RSAAlgorithm, "ES256": ECAlgorithm,
                       "EdDSA": OKPAlgorithm}[self.algorithm]
        jwk: dict[str, Any] = json.loads(writer.to_jwk(self.private_key.public_key()))
        jwk.update({"kid": self.kid, "alg": self.algorithm, "use": "sig"})
        return jwk


def attacker_key(algorithm: str) -> AttackerKey:
    """The attacker's key for `algorithm` (one of ASYMMETRIC_ALGORITHMS), made on first use.

    RS256 and PS256 share one RSA key (as a real attacker would), under two kids. A lock
    makes sure every caller gets the same key: the JWKS must hold what the editor signed
    with."""
    if algorithm not in ASYMMETRIC_ALGORITHMS:
        raise ValueError(f"no attacker key for {algorithm!r}; one of "
                         f"{', '.join(ASYMMETRIC_ALGORITHMS)}")
    with _lock:
        if algorithm not in _keys:
            private = _private_key(algorithm)
            _keys[algorithm] = AttackerKey(algorithm, private, _kid(algorithm, private))
        return _keys[algorithm]


def _kid(algorithm: str, private_key: Any) -> str:
    pem = private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    kid = "evil-" + hashlib.sha256(pem).hexdigest()[:8]
    return f"{kid}-{algorithm.lower()}" if algorithm in ("RS256", "PS256") else kid


def attacker_jwks() -> dict[str, Any]:
    """The JWK Set evil.test serves at ATTACKER_JWKS_PATH: every attacker public key."""
    return {"keys": [attacker_key(alg).public_jwk for alg in ASYMMETRIC_ALGORITHMS]}


def made_attacker_jwks() -> dict[str, Any]:
    """The attacker public keys made so far in this process (the ones the editor signed
    with): what the server's evil.test adds to its own key set, without making a key
    nobody used."""
    with _lock:
        made = [key.public_jwk for alg, key in _keys.items() if alg in ASYMMETRIC_ALGORITHMS]
    return {"keys": made}


def _private_key(algorithm: str) -> Any:
    if algorithm in ("RS256", "PS256"):
        other = "PS256" if algorithm == "RS256" else "RS256"
        if other in _keys:
            return _keys[other].private_key
        # 2048 bits: generating takes tens of milliseconds, once per process.
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    material = hashlib.sha256(ATTACKER_SEED + _GENERATION.to_bytes(4, "big")).digest()
    if algorithm == "ES256":
        scalar = int.from_bytes(material, "big") % (_P256_ORDER - 1) + 1
        return ec.derive_private_key(scalar, ec.SECP256R1())
    return ed25519.Ed25519PrivateKey.from_private_bytes(material)
