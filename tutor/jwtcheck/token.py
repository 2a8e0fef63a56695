"""Reading a JWT without any key, and writing token parts.

Decoding is base64url then JSON (RFC 7515 §2, §7.1; RFC 7519 §7.2), done here rather than
with PyJWT because a broken token must get a message naming the part that is wrong, and
because nothing read here is verified: every caller shows it as UNVERIFIED.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

PART_NAMES = ("header", "claims", "signature")
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]*$")
MAX_TOKEN_LENGTH = 16_384
"""Longer text is refused before decoding (servers here refuse half as much)."""


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
    raw_signature: bytes = field(default=b"", repr=False, compare=False)
    """The signature's bytes, decoded once by `decode`."""

    @property
    def token(self) -> str:
        """The token these parts make."""
        return f"{self.header_part}.{self.claims_part}.{self.signature}"

    @property
    def signing_input(self) -> bytes:
        """What the signature covers: `header.claims` as ASCII (RFC 7515 §5.1)."""
        return f"{self.header_part}.{self.claims_part}".encode("ascii")

    @property
    def signature_bytes(self) -> bytes:
        """The signature, base64url-decoded (checked readable by `decode`)."""
        return self.raw_signature or b64decode(self.signature)

    @property
    def algorithm(self) -> str | None:
        """What the header claims the algorithm is (a verifier must not just believe it)."""
        alg = self.header.get("alg")
        return alg if isinstance(alg, str) else None


def clean(token: str) -> str:
    """The token in pasted text: surrounding space and a leading `Bearer ` dropped, as
    they come with a copied Authorization header."""
    text = token.strip()
    if text[:7].lower() == "bearer ":
        text = text[7:].strip()
    return text


def decode(token: str) -> DecodedToken:
    """Read a token's header, claims and signature, or `TokenFormatError` saying why not."""
    text = clean(token)
    if not text:
        raise TokenFormatError("there is no token to read: paste one (three parts joined "
                               "by dots)")
    if len(text) > MAX_TOKEN_LENGTH:
        raise TokenFormatError(f"the token is {len(text)} characters long; tokens here are "
                               f"at most {MAX_TOKEN_LENGTH}")
    parts = text.split(".")
    if len(parts) != 3:
        hint = (" (five parts is an encrypted JWE, which this cannot read without its key)"
                if len(parts) == 5 else "")
        raise TokenFormatError(f"a JWT has 3 parts (header.claims.signature) joined by dots; "
                               f"this has {len(parts)}{hint}")
    header = _json_part(parts[0], 0)
    claims = _json_part(parts[1], 1)
    signature = _base64url_bytes(parts[2], 2)
    return DecodedToken(header, claims, parts[2], parts[0], parts[1], signature)


def parse_json_object(text: str, what: str) -> dict[str, Any]:
    """An edited header or claims set: JSON text that must be one object."""
    try:
        value = _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise TokenFormatError(f"{what}: line {exc.lineno}, column {exc.colno}: {exc.msg}"
                               ) from None
    except (ValueError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise TokenFormatError(f"{what}: {reason}") from None
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
    return b64encode(raw)


def b64encode(raw: bytes) -> str:
    """base64url without padding."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64decode(part: str) -> bytes:
    """base64url without padding (the caller has checked the alphabet)."""
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


_TO_STANDARD = bytes.maketrans(b"-_", b"+/")


def _base64url_bytes(part: str, index: int) -> bytes:
    # The usual case in one C call: strict base64 after swapping the URL-safe letters
    # (a part with +, / or = is refused below, so the swap cannot let one through).
    if "+" not in part and "/" not in part and "=" not in part and len(part) % 4 != 1:
        try:
            padded = (part + "=" * (-len(part) % 4)).encode("ascii").translate(_TO_STANDARD)
            return binascii.a2b_base64(padded, strict_mode=True)
        except (UnicodeEncodeError, binascii.Error, ValueError):
            pass  # say exactly what is wrong, below
    name = f"part {index + 1} ({PART_NAMES[index]})"
    if not _BASE64URL.match(part):
        bad = next(ch for ch in part if not _BASE64URL.match(ch))
        hint = " (that is plain base64; JWTs use - and _ instead)" if bad in "+/=" else ""
        raise TokenFormatError(f"{name} is not base64url: it has {bad!r}{hint}")
    if len(part) % 4 == 1:
        raise TokenFormatError(f"{name} is not base64url: its length cannot be decoded "
                               "(is a character missing?)")
    try:
        return b64decode(part)
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


# One decoder for every part: `json.loads` with an option builds a new one per call.
_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)
