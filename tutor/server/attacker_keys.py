"""The keys evil.test publishes, and the only "download" a vulnerable server can make.

A server that trusts a token's `jku` or `x5u` header fetches keys from the URL it names.
Here that fetch never touches the network: `fetch_keys` answers from what the attacker's
site publishes (the same bytes its routes serve), and nothing for any other URL.
"""

from __future__ import annotations

import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

from tutor.jwtcheck.attacker import attacker_key, made_attacker_jwks

ATTACKER_HOST = "evil.test"
ATTACKER_JWKS_PATH = "/.well-known/jwks.json"
ATTACKER_CERT_PATH = "/cert.pem"
ATTACKER_JWKS_URL = f"https://{ATTACKER_HOST}{ATTACKER_JWKS_PATH}"
ATTACKER_CERT_URL = f"https://{ATTACKER_HOST}{ATTACKER_CERT_PATH}"
PUBLISHED_ALGORITHMS = ("EdDSA", "ES256")
"""The attacker's key pairs that evil.test lists (fixed seeds: lessons can show tokens
signed with them)."""


def published_keys(path: str) -> dict[str, Any] | str | None:
    """What evil.test serves at `path`: its JWK Set, its certificate, or None."""
    if path == ATTACKER_JWKS_PATH:
        # The lessons' fixed keys, and the keys the learner's JWT editor signed with (its
        # `jku` points here): one evil.test, whichever tool forged the token.
        own = [attacker_key(alg).public_jwk for alg in PUBLISHED_ALGORITHMS]
        kids = {key["kid"] for key in own}
        made = [key for key in made_attacker_jwks()["keys"] if key["kid"] not in kids]
        return {"keys": own + made}
    if path == ATTACKER_CERT_PATH:
        return attacker_certificate_pem()
    return None


def fetch_keys(url: str) -> dict[str, Any] | str | None:
    """A GET of `url` inside the simulation: evil.test's published keys, or None."""
    parts = urlsplit(url)
    if parts.hostname != ATTACKER_HOST:
        return None
    return published_keys(parts.path)


@lru_cache(maxsize=1)
def attacker_certificate_pem() -> str:
    """A self-signed certificate for the attacker's EdDSA key (what `x5u` points to)."""
    key = attacker_key("EdDSA").private_key
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ATTACKER_HOST)])
    start = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=3650))
        .sign(key, None)
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")

