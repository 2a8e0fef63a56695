"""The keys a learner gives `tutor jwt`: a secret, a PEM or JWK file, a JWKS file or a
loopback URL. Each becomes `VerificationKey`s that say which algorithms they can check.

Loading is PyJWT's and cryptography's (`from_jwk`, `load_pem_*`); what is added here is
the bookkeeping a learner needs to see: where each key came from, its type and size, and
which algorithms it may verify, so that the algorithm is decided by the key and not by
the token's header (RFC 8725 §3.1; §2.1 for what goes wrong otherwise).
"""

from __future__ import annotations

import functools
import ipaddress
import json
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import (
    load_pem_private_key,
    load_pem_public_key,
)
from cryptography.x509 import load_pem_x509_certificate

MAX_KEY_BYTES = 1024 * 1024
"""A key file or JWKS larger than this is refused (real ones are a few kilobytes)."""
FETCH_TIMEOUT = 5.0
KeyType = Literal["oct", "RSA", "EC", "OKP"]

HMAC_ALGORITHMS = ("HS256", "HS384", "HS512")
RSA_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512")
EC_ALGORITHMS = {"P-256": "ES256", "P-384": "ES384", "P-521": "ES512", "secp256k1": "ES256K"}
_CURVE_NAMES = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521",
                "secp256k1": "secp256k1"}
KNOWN_ALGORITHMS = frozenset({*HMAC_ALGORITHMS, *RSA_ALGORITHMS, *EC_ALGORITHMS.values(),
                              "EdDSA"})


class KeyInputError(ValueError):
    """A key the learner gave cannot be used; the message says which and why."""


@dataclass(frozen=True)
class VerificationKey:
    """One key to verify with, and what it can verify."""

    source: str
    """Where it came from, as the learner named it (`--key key.pem`, `jwks.json #2`)."""
    kind: KeyType
    material: Any
    """Secret bytes, or a cryptography public key object."""
    algorithms: tuple[str, ...]
    """The algorithms this key may verify (one, when a JWK names its `alg`)."""
    description: str
    """Its type and size: "RSA public key, 2048 bits", "secret, 6 bytes"."""
    kid: str | None = None

    def label(self) -> str:
        """Where it came from and what it is, in one phrase (never the secret itself)."""
        return self._label

    @functools.cached_property
    def _label(self) -> str:
        # Made once: every token checked names its key twice.
        kid = f", kid {self.kid!r}" if self.kid is not None else ""
        return f"{self.source}: {self.description}{kid}"


@dataclass(frozen=True)
class KeySet:
    """Every key the learner gave, and notes about what was skipped."""

    keys: tuple[VerificationKey, ...]
    notes: tuple[str, ...] = ()
    fetched_from: str | None = None
    """A loopback URL a JWKS was fetched from (only keys go over it, never the token)."""

    @property
    def empty(self) -> bool:
        """No key at all: the token can only be decoded, never verified."""
        return not self.keys

    @functools.cached_property
    def algorithms(self) -> frozenset[str]:
        """Every algorithm some key can verify (worked out once per set)."""
        return frozenset(algorithms_of(self.keys))


def secret_key(secret: str | bytes, source: str = "--secret") -> VerificationKey:
    """An HMAC secret typed by the learner."""
    raw = secret.encode("utf-8") if isinstance(secret, str) else secret
    if not raw:
        raise KeyInputError(f"{source}: the secret is empty; an HMAC key must have bytes in it")
    return VerificationKey(source, "oct", raw, HMAC_ALGORITHMS,
                           f"secret, {len(raw)} byte{'s' if len(raw) != 1 else ''}")


def load_key_file(path: Path, source: str | None = None) -> list[VerificationKey]:
    """A PEM public key, private key or certificate, or a JWK or JWKS, from a file."""
    name = source or f"--key {path}"
    data = _read(path, name)
    return keys_from_bytes(data, name)


def keys_from_bytes(data: bytes, name: str) -> list[VerificationKey]:
    """The keys in a file's bytes: PEM, a JWK or a JWKS (JSON)."""
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"-----BEGIN"):
        return [_pem_key(stripped, name)]
    if stripped.startswith(b"{"):
        document = _json(stripped, name)
        if "keys" in document:
            keys, _ = jwks_keys(document, name)
            return keys
        return [jwk_key(document, name)]
    raise KeyInputError(f"{name}: not a PEM key (-----BEGIN ...) or a JWK (JSON); for an "
                        "HMAC secret use --secret, or a JWK with \"kty\": \"oct\"")


def load_jwks(where: str) -> KeySet:
    """A JWKS from a file, or from a loopback URL (refusing any other host)."""
    if "://" in where:
        data = fetch_loopback(where)
        keys, notes = jwks_keys(_json(data, f"--jwks {where}"), f"--jwks {where}")
        return KeySet(tuple(keys), tuple(notes), fetched_from=where)
    name = f"--jwks {where}"
    document = _json(_read(Path(where), name), name)
    if "keys" not in document:
        return KeySet((jwk_key(document, name),))
    keys, notes = jwks_keys(document, name)
    return KeySet(tuple(keys), tuple(notes))


def jwks_keys(document: dict[str, Any], name: str) -> tuple[list[VerificationKey], list[str]]:
    """The usable signature keys of a JWK Set (RFC 7517 §5); the others become notes."""
    entries = document.get("keys")
    if not isinstance(entries, list):
        raise KeyInputError(f"{name}: \"keys\" must be a list of JWKs")
    keys: list[VerificationKey] = []
    notes: list[str] = []
    for index, entry in enumerate(entries, start=1):
        where = f"{name} #{index}"
        if isinstance(entry, dict) and entry.get("use") == "enc":
            notes.append(f"{where}: skipped, an encryption key (\"use\": \"enc\")")
            continue
        try:
            keys.append(jwk_key(entry, where))
        except KeyInputError as exc:
            notes.append(f"{exc} (skipped)")
    if not keys:
        raise KeyInputError(f"{name}: no usable signature key in the set"
                            + (f" ({'; '.join(notes)})" if notes else ""))
    return keys, notes


def jwk_key(jwk: Any, name: str) -> VerificationKey:
    """One JWK (RFC 7517 §4) as a verification key; a private JWK gives its public half."""
    from jwt.algorithms import ECAlgorithm, HMACAlgorithm, OKPAlgorithm, RSAAlgorithm
    from jwt.exceptions import InvalidKeyError

    if not isinstance(jwk, dict):
        raise KeyInputError(f"{name}: a JWK must be a JSON object")
    kty = jwk.get("kty")
    loaders: dict[str, Any] = {"oct": HMACAlgorithm, "RSA": RSAAlgorithm, "EC": ECAlgorithm,
                               "OKP": OKPAlgorithm}
    if kty not in loaders:
        raise KeyInputError(f"{name}: unsupported key type \"kty\": {kty!r} (known: "
                            f"{', '.join(loaders)})")
    kid = jwk.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise KeyInputError(f"{name}: \"kid\" must be a string")
    try:
        material = loaders[kty].from_jwk(jwk)
    except (InvalidKeyError, ValueError, TypeError, KeyError) as exc:
        raise KeyInputError(f"{name}: not a valid {kty} JWK: {exc}") from None
    key = _describe(material, name, kid)
    alg = jwk.get("alg")
    if alg is not None:
        if alg not in key.algorithms:
            raise KeyInputError(f"{name}: its \"alg\" {alg!r} does not fit a "
                                f"{key.description}")
        key = VerificationKey(key.source, key.kind, key.material, (alg,), key.description,
                              kid)
    return key


def fetch_loopback(url: str) -> bytes:
    """GET a JWKS from this machine only; the token is never part of the request."""
    check_loopback_url(url)
    import httpx

    try:
        # trust_env=False: a proxy from the environment would carry the request off the
        # machine. No redirects: one could point anywhere.
        with httpx.Client(timeout=FETCH_TIMEOUT, trust_env=False,
                          follow_redirects=False) as client, client.stream("GET", url) as answer:
            if answer.status_code != 200:
                raise KeyInputError(f"--jwks {url}: the server answered {answer.status_code}"
                                    ", not 200 (redirects are not followed)")
            body = bytearray()
            for chunk in answer.iter_bytes():
                body += chunk
                if len(body) > MAX_KEY_BYTES:
                    raise KeyInputError(f"--jwks {url}: more than {MAX_KEY_BYTES} bytes")
            return bytes(body)
    except httpx.HTTPError as exc:
        raise KeyInputError(f"--jwks {url}: could not fetch it: {exc}") from None


def check_loopback_url(url: str) -> None:
    """Refuse a URL that leaves this machine (`KeyInputError` says what to do instead)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        _ = parts.port
    except ValueError as exc:
        raise KeyInputError(f"--jwks {url}: not a URL: {exc}") from None
    if parts.scheme not in ("http", "https"):
        raise KeyInputError(f"--jwks {url}: only http:// or https:// URLs, or a file")
    if parts.username is not None or parts.password is not None:
        raise KeyInputError(f"--jwks {url}: a URL with a user name or password is refused")
    if not _is_loopback(host):
        raise KeyInputError(
            f"--jwks {url}: tutor jwt fetches keys only from this machine (127.0.0.1, ::1, "
            f"localhost), not from {host or 'no host'}; download the JWKS yourself and give "
            "the file: --jwks FILE")


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    if host.lower().rstrip(".") != "localhost":
        return False
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        return False
    return bool(addresses) and all(
        ipaddress.ip_address(str(a).split("%")[0]).is_loopback for a in addresses)


def _read(path: Path, name: str) -> bytes:
    try:
        with path.open("rb") as file:
            data = file.read(MAX_KEY_BYTES + 1)
    except FileNotFoundError:
        raise KeyInputError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise KeyInputError(f"{name}: is a folder, not a key file") from None
    except OSError as exc:
        raise KeyInputError(f"{name}: cannot read it: {exc.strerror or exc}") from None
    if len(data) > MAX_KEY_BYTES:
        raise KeyInputError(f"{name}: larger than {MAX_KEY_BYTES} bytes; not a key file")
    return data


def _json(data: bytes, name: str) -> dict[str, Any]:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise KeyInputError(f"{name}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise KeyInputError(f"{name}: not JSON: line {exc.lineno}, column {exc.colno}: "
                            f"{exc.msg}") from None
    except RecursionError:
        raise KeyInputError(f"{name}: JSON nested too deeply") from None
    if not isinstance(document, dict):
        raise KeyInputError(f"{name}: a JWK or JWKS is a JSON object, not "
                            f"{type(document).__name__}")
    return document


def _pem_key(data: bytes, name: str) -> VerificationKey:
    first = data.split(b"\n", 1)[0].decode("ascii", "replace").strip()
    if "ENCRYPTED" in first:
        raise KeyInputError(f"{name}: an encrypted private key; give the public key instead")
    loaders: list[tuple[str, Any]] = [
        ("public key", load_pem_public_key),
        ("certificate", lambda raw: load_pem_x509_certificate(raw).public_key()),
        ("private key", lambda raw: load_pem_private_key(raw, password=None).public_key()),
    ]
    for what, loader in loaders:
        try:
            public = loader(data)
        except (ValueError, TypeError):
            continue
        except Exception as exc:  # cryptography raises UnsupportedAlgorithm and others
            raise KeyInputError(f"{name}: {first}: cannot be used: {exc}") from None
        key = _describe(public, name, None)
        if what != "public key":
            key = VerificationKey(key.source, key.kind, key.material, key.algorithms,
                                  f"{key.description}, from a {what}")
        return key
    raise KeyInputError(f"{name}: {first}: not a PEM public key, private key or certificate "
                        "that can be read")


def _describe(material: Any, name: str, kid: str | None) -> VerificationKey:
    """The key's type, size and algorithms; private keys are reduced to their public half."""
    if isinstance(material, bytes):
        if not material:
            raise KeyInputError(f"{name}: an empty \"k\": an HMAC key must have bytes in it")
        return VerificationKey(name, "oct", material, HMAC_ALGORITHMS,
                               f"secret, {len(material)} bytes", kid)
    private = isinstance(material, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey,
                                    ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey))
    public = material.public_key() if private else material
    note = " (the public half of the private key given)" if private else ""
    if isinstance(public, rsa.RSAPublicKey):
        return VerificationKey(name, "RSA", public, RSA_ALGORITHMS,
                               f"RSA public key, {public.key_size} bits{note}", kid)
    if isinstance(public, ec.EllipticCurvePublicKey):
        curve = _CURVE_NAMES.get(public.curve.name)
        if curve is None:
            raise KeyInputError(f"{name}: EC curve {public.curve.name} has no JWS algorithm")
        return VerificationKey(name, "EC", public, (EC_ALGORITHMS[curve],),
                               f"EC public key, curve {curve}{note}", kid)
    if isinstance(public, (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)):
        curve = "Ed25519" if isinstance(public, ed25519.Ed25519PublicKey) else "Ed448"
        return VerificationKey(name, "OKP", public, ("EdDSA",),
                               f"{curve} public key{note}", kid)
    raise KeyInputError(f"{name}: a {type(public).__name__}, which no JWS algorithm uses")


def gather_keys(secret: str | None = None, key_files: Iterable[Path] = (),
                jwks: str | None = None) -> KeySet:
    """Every key the learner gave, in one set (`KeyInputError` for the first bad one)."""
    keys: list[VerificationKey] = []
    if secret is not None:
        keys.append(secret_key(secret))
    for path in key_files:
        keys.extend(load_key_file(path))
    if not jwks:
        return KeySet(tuple(keys))
    fetched = load_jwks(jwks)
    return KeySet((*keys, *fetched.keys), fetched.notes, fetched.fetched_from)


def parse_leeway(text: str) -> float:
    """A leeway typed as seconds (empty means 0); ValueError says what is wrong."""
    try:
        return float(text.strip() or 0)
    except ValueError:
        raise ValueError(f"the leeway is a number of seconds, not {text!r}") from None


def algorithms_of(keys: Iterable[VerificationKey]) -> set[str]:
    """Every algorithm some key can verify."""
    return {alg for key in keys for alg in key.algorithms}
