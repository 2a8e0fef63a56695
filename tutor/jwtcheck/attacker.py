"""The attacker's key pairs, made once per process, and the JWK Set evil.test serves.

The JWT editor signs forged tokens with these; a server that follows a token's `jku`
fetches `ATTACKER_JWKS_URL` inside the simulation and gets `attacker_jwks()`, so the
attacker's own key verifies the attacker's own token. Nothing here touches the network.

An `AttackerKey` has the shape the server's own attacker keys have (`algorithm`,
`private_key`, `kid`, `public_jwk`), so the editor can take its keys from either.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

ATTACKER_ORIGIN = "https://evil.test"
ATTACKER_JWKS_PATH = "/.well-known/jwks.json"
ATTACKER_JWKS_URL = ATTACKER_ORIGIN + ATTACKER_JWKS_PATH
"""What the editor writes into `jku`; evil.test answers it with `attacker_jwks()`."""
ASYMMETRIC_ALGORITHMS = ("RS256", "PS256", "ES256", "EdDSA")
"""The public-key algorithms the editor signs with, each with its own attacker key."""

_lock = threading.Lock()
_keys: dict[str, AttackerKey] = {}


@dataclass(frozen=True)
class AttackerKey:
    """One attacker key pair, named for the algorithm it signs with."""

    algorithm: str
    private_key: Any
    kid: str
    """`attacker-rs256` and so on: readable, so the learner sees whose key it is."""

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
            _keys[algorithm] = AttackerKey(algorithm, _private_key(algorithm),
                                           f"attacker-{algorithm.lower()}")
        return _keys[algorithm]


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
    if algorithm == "ES256":
        return ec.generate_private_key(ec.SECP256R1())
    return ed25519.Ed25519PrivateKey.generate()
