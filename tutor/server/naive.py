"""What naive JWT libraries did: the verification shortcuts behind the weakness lessons.

Each path here runs only when its weakness is switched on, and each trusts something the
token itself says: which algorithm (`alg_confusion`), which key (`trust_jwk_header`), where
to download keys (`trust_jku_header`), which file holds the key (`kid_path_injection`).
The fixed server's refusals live in `tokens.py`, with the RFC 8725 section for each.

HMAC is checked by hand here because PyJWT, rightly, refuses a PEM-looking or empty HMAC
key: the vulnerable libraries did not, and the attack needs exactly that mistake.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import jwt
from cryptography import x509
from jwt.exceptions import PyJWKError, PyJWTError

from tutor.server.config import ServerConfig
from tutor.server.keys import Keyring, key_file_path, public_jwk, public_pem, read_key_file
from tutor.server.weaknesses import (
    ALG_CONFUSION,
    KID_PATH_INJECTION,
    TRUST_JKU_HEADER,
    TRUST_JWK_HEADER,
)

HMAC_HASHES = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}
KeyFetcher = Callable[[str], "dict[str, Any] | str | None"]
"""URL → what a GET of it returned: a JWK Set, a PEM certificate, or None (no answer)."""


RefusalStage = Literal["algorithm", "key", "signature"]


class NaiveRefusal(Exception):
    """Even the naive path could not use the token's key; `stage` and `reason` say why."""

    def __init__(self, stage: RefusalStage, reason: str) -> None:
        super().__init__(reason)
        self.stage = stage
        self.reason = reason


@dataclass(frozen=True)
class NaiveKey:
    """The key a naive server picked from the token's own header."""

    source: str
    """Where the key came from, in words (the stage shows it)."""
    key: Any = None
    """A key for PyJWT to verify with (jwk, jku, x5u), or None when `hmac_checked`."""
    algorithm: str = ""
    hmac_checked: bool = False
    """The signature was already checked here by hand (HMAC keyed with odd bytes)."""


class NaiveVerifier:
    """The header-trusting shortcuts switched on for one server."""

    def __init__(self, config: ServerConfig, fetch: KeyFetcher | None) -> None:
        on = config.vulnerabilities.on
        self._confusion = on(ALG_CONFUSION) and config.is_asymmetric
        self._jwk = on(TRUST_JWK_HEADER)
        self._jku = on(TRUST_JKU_HEADER)
        self._kid_files = on(KID_PATH_INJECTION) and not config.is_asymmetric
        self._fetch = fetch
        self.active = self._confusion or self._jwk or self._jku or self._kid_files
        """Whether any shortcut is on (else the header need not even be read first)."""

    def key_for(self, token: str, header: Mapping[str, Any], keys: Keyring) -> NaiveKey | None:
        """The key the header talks this server into, or None (verify the normal way)."""
        alg = header.get("alg")
        if self._confusion and isinstance(alg, str) and alg in HMAC_HASHES:
            return self._public_key_as_secret(token, alg, keys)
        if self._jwk and isinstance(header.get("jwk"), dict):
            return _from_jwk(header["jwk"], alg, "the jwk header inside the token")
        for name in ("jku", "x5u"):
            if self._jku and isinstance(header.get(name), str):
                return self._fetched(name, header[name], header, alg)
        kid = header.get("kid")
        if self._kid_files and isinstance(kid, str) and alg in HMAC_HASHES:
            return _key_file(token, str(alg), kid, keys)
        return None

    def _public_key_as_secret(self, token: str, alg: str, keys: Keyring) -> NaiveKey:
        # VULNERABLE on purpose: the verify function takes "the key" and lets the token's
        # alg say how to use it. Given HS256, it HMACs with the public key's bytes: the PEM,
        # or the JWK exactly as the key set serves it (compact JSON).
        for public in keys.published():
            jwk = public_jwk(public.public_key, keys.algorithm, public.kid)
            for form, secret in (
                ("PEM", public_pem(public.public_key)),
                ("JWK", json.dumps(jwk, separators=(",", ":")).encode()),
            ):
                if hmac_matches(token, alg, secret):
                    return NaiveKey(f"its own public key ({form}) used as an {alg} secret",
                                    hmac_checked=True, algorithm=alg)
        raise NaiveRefusal("signature", f"{alg} signature does not match this server's public "
                           "key used as the secret")

    def _fetched(self, name: str, url: str, header: Mapping[str, Any], alg: object) -> NaiveKey:
        # VULNERABLE on purpose: downloads keys from wherever the token points.
        fetched = self._fetch(url) if self._fetch is not None else None
        if fetched is None:
            raise NaiveRefusal("key", f"fetching {name} {url[:80]!r} found nothing")
        if isinstance(fetched, str):
            return _from_certificate(fetched, alg, f"the certificate at {url[:80]}")
        wanted = header.get("kid")
        entries = [k for k in fetched.get("keys", []) if isinstance(k, dict)]
        chosen = next((k for k in entries if wanted is None or k.get("kid") == wanted), None)
        if chosen is None:
            raise NaiveRefusal("key", f"the key set at {url[:80]} has no key {wanted!r}")
        return _from_jwk(chosen, alg, f"the key set at {url[:80]}")


def _key_file(token: str, alg: str, kid: str, keys: Keyring) -> NaiveKey:
    # VULNERABLE on purpose: the kid is joined to the key directory as a path, unchecked.
    path = key_file_path(kid)
    secret = read_key_file(keys, kid)
    if secret is None:
        raise NaiveRefusal("key", f"no key file at {path[:80]}")
    if not hmac_matches(token, alg, secret):
        raise NaiveRefusal("signature", f"{alg} signature does not match the key in {path[:80]}")
    return NaiveKey(f"the file {path[:80]} ({len(secret)} bytes)", hmac_checked=True,
                    algorithm=alg)


def _from_jwk(data: Mapping[str, Any], alg: object, source: str) -> NaiveKey:
    algorithm = str(alg) if isinstance(alg, str) else ""
    if algorithm.lower() == "none" or algorithm in HMAC_HASHES:
        raise NaiveRefusal("algorithm", f"{algorithm or 'no algorithm'} cannot use a public key")
    try:
        key = jwt.PyJWK(dict(data), algorithm or None)
    except (PyJWKError, PyJWTError, ValueError, TypeError) as exc:
        raise NaiveRefusal("key", f"{source} is not a usable key: {str(exc)[:80]}") from None
    return NaiveKey(source, key.key, key.algorithm_name)


def _from_certificate(pem: str, alg: object, source: str) -> NaiveKey:
    try:
        certificate = x509.load_pem_x509_certificate(pem.encode())
    except ValueError:
        raise NaiveRefusal("key", f"{source} is not a PEM certificate") from None
    return NaiveKey(source, certificate.public_key(), str(alg))


def hmac_matches(token: str, alg: str, secret: bytes) -> bool:
    """Whether `token`'s signature is the HMAC of its signing input under `secret`."""
    signing_input, _, signature = token.rpartition(".")
    digest = hmac.new(secret, signing_input.encode("ascii", "replace"), HMAC_HASHES[alg])
    try:
        sent = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
    except (binascii.Error, ValueError):
        return False
    return hmac.compare_digest(digest.digest(), sent)


def sign_hmac(header: Mapping[str, Any], claims: Mapping[str, Any], secret: bytes,
              alg: str = "HS256") -> str:
    """A token HMAC-signed with any bytes at all, as an attacker's own script makes it
    (PyJWT would refuse the empty or PEM-shaped keys these attacks use)."""
    parts = [_b64(json.dumps({**header, "alg": alg}, separators=(",", ":")).encode()),
             _b64(json.dumps(dict(claims), separators=(",", ":")).encode())]
    signing_input = ".".join(parts)
    mac = hmac.new(secret, signing_input.encode("ascii"), HMAC_HASHES[alg]).digest()
    return f"{signing_input}.{_b64(mac)}"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
