"""Signing keys, made once per run (or fixed by a scene) and never per request."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from jwt.algorithms import OKPAlgorithm, RSAAlgorithm

from tutor import randomness
from tutor.server.config import WEAK_SECRETS, ServerConfig
from tutor.server.weaknesses import WEAK_HMAC_SECRET

SECRET_BYTES = 32


@lru_cache(maxsize=1)
def _rsa_private_key() -> rsa.RSAPrivateKey:
    # 2048-bit generation takes tens of milliseconds: once per process is "once per run".
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass(frozen=True)
class Keyring:
    """The keys one server (and all its replicas) sign and verify with."""

    algorithm: str
    hmac_secret: bytes
    """HS256 signing secret, and the key of signed session cookies in every mode."""
    private_key: Any | None
    """RS256/EdDSA private key (None for HS256)."""
    public_key: Any | None
    """RS256/EdDSA public key (None for HS256)."""
    kid: str
    """Key id written into token headers and the JWKS."""

    @classmethod
    def create(cls, config: ServerConfig) -> Keyring:
        """Make or load the keys a config asks for."""
        if config.secret is not None:
            secret = config.secret.encode()
        elif config.vulnerabilities.on(WEAK_HMAC_SECRET):
            secret = randomness.choice(WEAK_SECRETS).encode()
        else:
            secret = randomness.token_bytes(SECRET_BYTES)
        private: Any | None = None
        public: Any | None = None
        if config.algorithm == "RS256":
            private = _rsa_private_key()
            public = private.public_key()
        elif config.algorithm == "EdDSA":
            private = ed25519.Ed25519PrivateKey.from_private_bytes(randomness.token_bytes(32))
            public = private.public_key()
        material = public_pem(public) if public is not None else secret
        kid = hashlib.sha256(material).hexdigest()[:16]
        return cls(config.algorithm, secret, private, public, kid)

    @property
    def signing_key(self) -> Any:
        """What PyJWT signs with."""
        return self.hmac_secret if self.algorithm == "HS256" else self.private_key

    @property
    def verifying_key(self) -> Any:
        """What PyJWT verifies with."""
        return self.hmac_secret if self.algorithm == "HS256" else self.public_key

    def verify_only(self) -> Keyring:
        """The same keys minus the private key: a replica that can check but not mint."""
        if self.algorithm == "HS256":
            return self
        return Keyring(self.algorithm, self.hmac_secret, None, self.public_key, self.kid)

    @property
    def can_mint(self) -> bool:
        """Whether tokens can be signed with these keys."""
        return self.algorithm == "HS256" or self.private_key is not None

    def jwks(self) -> dict[str, Any] | None:
        """The public keys as a JSON Web Key Set (RFC 7517 §5); None for HS256."""
        if self.public_key is None:
            return None
        if self.algorithm == "RS256":
            jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(self.public_key))
        else:
            jwk = json.loads(OKPAlgorithm.to_jwk(self.public_key))
        jwk.update({"kid": self.kid, "alg": self.algorithm, "use": "sig"})
        return {"keys": [jwk]}


def public_pem(public_key: Any) -> bytes:
    """A public key in PEM form (what an attacker can download)."""
    pem: bytes = public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem
