"""Signing keys, made once per run (or fixed by a scene) and never per request.

A `Keyring` is immutable: rotating a key makes a new one (`rotated`, `without`), which the
server swaps in, so snapshots keep the keyring they saw.
"""

from __future__ import annotations

import hashlib
import posixpath
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from tutor import randomness
from tutor.server.config import WEAK_SECRETS, ServerConfig
from tutor.server.weaknesses import WEAK_HMAC_SECRET

SECRET_BYTES = 32
_P256_ORDER = int("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16)


@lru_cache(maxsize=4)
def _rsa_private_key(generation: int = 0) -> rsa.RSAPrivateKey:
    # 2048-bit generation takes tens of milliseconds: once per process is "once per run".
    # `generation` gives a rotated server (or the attacker) a key of its own.
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def new_private_key(algorithm: str, seed: bytes | None = None, generation: int = 0) -> Any:
    """A private key for an asymmetric JWS algorithm; derived from `seed` when given."""
    if algorithm in ("RS256", "PS256"):
        return _rsa_private_key(generation)
    material = (hashlib.sha256(seed + generation.to_bytes(4, "big")).digest()
                if seed is not None else randomness.token_bytes(32))
    if algorithm == "ES256":
        scalar = int.from_bytes(material, "big") % (_P256_ORDER - 1) + 1
        return ec.derive_private_key(scalar, ec.SECP256R1())
    if algorithm == "EdDSA":
        return ed25519.Ed25519PrivateKey.from_private_bytes(material)
    raise ValueError(f"{algorithm} has no key pair")


def key_id(public_key: Any) -> str:
    """A key's id: the start of the SHA-256 of its PEM (stable for the same key)."""
    return hashlib.sha256(public_pem(public_key)).hexdigest()[:16]


@dataclass(frozen=True)
class PublishedKey:
    """An older public key still listed in the JWKS (tokens it signed still verify)."""

    kid: str
    public_key: Any


@dataclass(frozen=True)
class Keyring:
    """The keys one server (and all its replicas) sign and verify with."""

    algorithm: str
    hmac_secret: bytes
    """HS256 signing secret, and the key of signed session cookies in every mode."""
    private_key: Any | None
    """The asymmetric private key (None for HS256, and on verify-only replicas)."""
    public_key: Any | None
    """The asymmetric public key (None for HS256)."""
    kid: str
    """Key id written into token headers and the JWKS."""
    older: tuple[PublishedKey, ...] = ()
    """Keys rotated out but still published, newest first."""
    generation: int = 0
    """How many times the key was rotated."""
    seed: bytes | None = None

    @classmethod
    def create(cls, config: ServerConfig) -> Keyring:
        """Make or load the keys a config asks for."""
        if config.secret is not None:
            secret = config.secret.encode()
        elif config.vulnerabilities.on(WEAK_HMAC_SECRET):
            secret = randomness.choice(WEAK_SECRETS).encode()
        else:
            secret = randomness.token_bytes(SECRET_BYTES)
        seed = config.key_seed.encode() if config.key_seed is not None else None
        private: Any | None = None
        public: Any | None = None
        if config.algorithm != "HS256":
            private = new_private_key(config.algorithm, seed)
            public = private.public_key()
        material = public_pem(public) if public is not None else secret
        kid = hashlib.sha256(material).hexdigest()[:16]
        return cls(config.algorithm, secret, private, public, kid, seed=seed)

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
        return replace(self, private_key=None)

    @property
    def can_mint(self) -> bool:
        """Whether tokens can be signed with these keys."""
        return self.algorithm == "HS256" or self.private_key is not None

    def published(self) -> list[PublishedKey]:
        """Every public key in the JWKS, the current one first (none for HS256)."""
        if self.public_key is None:
            return []
        return [PublishedKey(self.kid, self.public_key), *self.older]

    def key_for(self, kid: object) -> Any | None:
        """The verifying key a `kid` names, or None when no such key is held."""
        if kid == self.kid:
            return self.verifying_key
        return next((k.public_key for k in self.older if k.kid == kid), None)

    def rotated(self) -> Keyring:
        """A new current key pair; the old public key stays published (asymmetric only)."""
        if self.public_key is None:
            raise ValueError("HS256 has one shared secret and no key set to rotate")
        generation = self.generation + 1
        private = new_private_key(self.algorithm, self.seed, generation)
        public = private.public_key()
        older = (PublishedKey(self.kid, self.public_key), *self.older)
        return replace(self, private_key=private, public_key=public, kid=key_id(public),
                       older=older, generation=generation)

    def without(self, kid: str) -> Keyring:
        """The same keys with an older key no longer published."""
        return replace(self, older=tuple(k for k in self.older if k.kid != kid))

    def jwks(self) -> dict[str, Any] | None:
        """The public keys as a JSON Web Key Set (RFC 7517 §5); None for HS256."""
        keys = self.published()
        if not keys:
            return None
        return {"keys": [public_jwk(k.public_key, self.algorithm, k.kid) for k in keys]}


def public_pem(public_key: Any) -> bytes:
    """A public key in PEM form (what an attacker can download)."""
    pem: bytes = public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem


def public_jwk(public_key: Any, algorithm: str, kid: str) -> dict[str, Any]:
    """One public key as a JWK (RFC 7517 §4) with its id, algorithm and use."""
    jwk: dict[str, Any] = jwt.get_algorithm_by_name(algorithm).to_jwk(public_key, as_dict=True)
    jwk.update({"kid": kid, "alg": algorithm, "use": "sig"})
    return jwk


def pem_from_jwk(jwk: dict[str, Any]) -> bytes:
    """The PEM of a public JWK, as an attacker converts a downloaded key set's entry."""
    return public_pem(jwt.PyJWK(jwk).key)


# --- the key directory a `kid` names (a simulated file system, never the real one) ---------

KEY_DIRECTORY = "/srv/tutor/keys"
SIMULATED_FILES: dict[str, bytes] = {
    "/dev/null": b"",
    "/etc/hostname": b"tutor\n",
}
"""Files outside the key directory that a path in a `kid` can reach: /dev/null is empty
on every Unix system, which is why the attack names it."""


def key_file_path(kid: str) -> str:
    """Where a naive server looks for the key `kid` names: joined and normalised, with
    nothing stopping `..` from climbing out of the key directory."""
    return posixpath.normpath(posixpath.join(KEY_DIRECTORY, kid))


def read_key_file(keys: Keyring, kid: str) -> bytes | None:
    """The simulated file's bytes at `key_file_path(kid)`, or None when there is none."""
    path = key_file_path(kid)
    if path == f"{KEY_DIRECTORY}/{keys.kid}":
        return keys.hmac_secret
    return SIMULATED_FILES.get(path)
