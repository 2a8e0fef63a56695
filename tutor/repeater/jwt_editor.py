"""The JWT editor: read any token, change its header or claims, and make a new token.

Three ways to finish an edited token, as an attacker has them:

- keep the old signature (the server's signature check must catch the edit);
- sign again with HS256 and a secret the learner knows or guessed (only a server whose
  secret *is* that word accepts it);
- `alg: none` with an empty signature (only a server that lets the token pick its
  algorithm accepts it).

Signing is hand-written HMAC-SHA256 over `header.payload` (RFC 7515 §5.1, RFC 7518 §3.2)
rather than `jwt.encode`, because the editor must sign exactly the header the learner
wrote: PyJWT re-orders and completes headers, and warns about the short keys that the
weak-secret lesson uses on purpose.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PART_NAMES = ("header", "claims", "signature")
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]*$")
MAX_TOKEN_LENGTH = 16_384


class TokenFormatError(ValueError):
    """The text is not a readable JWT, or an edit is not a JSON object; says where."""


@dataclass(frozen=True)
class DecodedToken:
    """A JWT read without any key: nothing here is verified."""

    header: dict[str, Any]
    claims: dict[str, Any]
    signature: str
    """The third part as written (base64url text; empty for `alg: none`)."""
    header_part: str
    claims_part: str

    @property
    def token(self) -> str:
        """The token these parts make."""
        return f"{self.header_part}.{self.claims_part}.{self.signature}"

    @property
    def algorithm(self) -> str | None:
        """What the header claims the algorithm is (the server must not believe it)."""
        alg = self.header.get("alg")
        return alg if isinstance(alg, str) else None


def decode(token: str) -> DecodedToken:
    """Read a token's header, claims and signature, or `TokenFormatError` saying why not.

    A leading `Bearer ` and surrounding spaces are forgiven, as they come with a copied
    Authorization header.
    """
    text = token.strip()
    if text[:7].lower() == "bearer ":
        text = text[7:].strip()
    if not text:
        raise TokenFormatError("there is no token to read: paste one (three parts joined "
                               "by dots)")
    if len(text) > MAX_TOKEN_LENGTH:
        raise TokenFormatError(f"the token is {len(text)} characters long; tokens here are "
                               f"at most {MAX_TOKEN_LENGTH}")
    parts = text.split(".")
    if len(parts) != 3:
        raise TokenFormatError(f"a JWT has 3 parts (header.claims.signature) joined by dots; "
                               f"this has {len(parts)}")
    header = _json_part(parts[0], 0)
    claims = _json_part(parts[1], 1)
    _base64url_bytes(parts[2], 2)
    return DecodedToken(header, claims, parts[2], parts[0], parts[1])


def parse_json_object(text: str, what: str) -> dict[str, Any]:
    """An edited header or claims set: JSON text that must be one object."""
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise TokenFormatError(f"{what}: line {exc.lineno}, column {exc.colno}: {exc.msg}"
                               ) from None
    except ValueError as exc:
        raise TokenFormatError(f"{what}: {exc}") from None
    if not isinstance(value, dict):
        raise TokenFormatError(f"{what}: must be a JSON object ({{...}}), not "
                               f"{type(value).__name__}")
    return value


def encode_part(value: Mapping[str, Any]) -> str:
    """One JSON object as a compact base64url token part (no padding, RFC 7515 §2)."""
    try:
        raw = json.dumps(dict(value), separators=(",", ":"), allow_nan=False).encode()
    except (TypeError, ValueError) as exc:
        raise TokenFormatError(f"cannot be written as JSON: {exc}") from None
    return _b64(raw)


def keep_signature(
    original: DecodedToken,
    header: Mapping[str, Any] | None = None,
    claims: Mapping[str, Any] | None = None,
) -> str:
    """The edited token with the original signature (unchanged parts keep their bytes)."""
    header_part = _part_or_original(header, original.header, original.header_part)
    claims_part = _part_or_original(claims, original.claims, original.claims_part)
    return f"{header_part}.{claims_part}.{original.signature}"


def sign_hs256(header: Mapping[str, Any], claims: Mapping[str, Any], secret: str) -> str:
    """A token signed with HMAC-SHA256 and `secret`; the header's `alg` becomes HS256."""
    signing_input = f"{encode_part({**header, 'alg': 'HS256'})}.{encode_part(claims)}"
    return f"{signing_input}.{_hs256(signing_input, secret)}"


def unsigned(header: Mapping[str, Any], claims: Mapping[str, Any]) -> str:
    """An `alg: none` token: no signature at all, only the trailing dot (RFC 7515 §6)."""
    return f"{encode_part({**header, 'alg': 'none'})}.{encode_part(claims)}."


def secret_matches(token: str, secret: str) -> bool:
    """Whether `secret` made this HS256 token's signature: an offline guess, which no
    server ever sees."""
    decoded = decode(token)
    signing_input = f"{decoded.header_part}.{decoded.claims_part}"
    return hmac.compare_digest(_hs256(signing_input, secret), decoded.signature)


def _hs256(signing_input: str, secret: str) -> str:
    mac = hmac.new(secret.encode(), signing_input.encode("ascii"), hashlib.sha256)
    return _b64(mac.digest())


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _part_or_original(edited: Mapping[str, Any] | None, original: dict[str, Any],
                      original_part: str) -> str:
    if edited is None or dict(edited) == original:
        return original_part
    return encode_part(edited)


def _base64url_bytes(part: str, index: int) -> bytes:
    name = f"part {index + 1} ({PART_NAMES[index]})"
    if not _BASE64URL.match(part):
        bad = next(ch for ch in part if not _BASE64URL.match(ch))
        hint = " (that is plain base64; JWTs use - and _ instead)" if bad in "+/=" else ""
        raise TokenFormatError(f"{name} is not base64url: it has {bad!r}{hint}")
    if len(part) % 4 == 1:
        raise TokenFormatError(f"{name} is not base64url: its length cannot be decoded "
                               "(is a character missing?)")
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        raise TokenFormatError(f"{name} is not base64url") from None


def _json_part(part: str, index: int) -> dict[str, Any]:
    name = f"part {index + 1} ({PART_NAMES[index]})"
    raw = _base64url_bytes(part, index)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise TokenFormatError(f"{name} decodes to bytes that are not UTF-8 text") from None
    try:
        return parse_json_object(text, name)
    except TokenFormatError as exc:
        raise TokenFormatError(f"{exc} (decoded text: {text[:60]!r})") from None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")
