"""The signed-cookie editor: read a signed session cookie, change its data, make a new one.

The cookie is `base64(JSON).timestamp.signature` (itsdangerous' TimestampSigner over
Starlette's encoding: `tutor.server.signed`). As with a JWT, anyone can read the data;
the ways to finish an edited cookie are:

- keep the old timestamp and signature (the server's check must catch the edit);
- sign again with a secret the learner guessed (`crack_secret` tries a word list offline
  against the cookie's own signature): only a server whose secret *is* that word accepts.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import itsdangerous
from itsdangerous.encoding import base64_decode, bytes_to_int

from tutor.server.signed import MAX_COOKIE_LENGTH, SALT

BASE64URL = re.compile(r"^[A-Za-z0-9_-]+$")


class SignedCookieFormatError(ValueError):
    """The value is not a signed session cookie; the message says which part is wrong."""


@dataclass(frozen=True)
class SignedCookie:
    """A signed cookie taken apart, nothing verified."""

    payload: str
    """The base64 JSON, as sent."""
    data: dict[str, Any]
    timestamp: int
    """When it was signed (seconds since the epoch), as the cookie says."""
    timestamp_part: str
    signature: str


def decode(value: str) -> SignedCookie:
    """The parts of a signed cookie, or `SignedCookieFormatError` saying what is wrong."""
    value = value.strip()
    if len(value) > MAX_COOKIE_LENGTH:
        raise SignedCookieFormatError(f"the cookie is longer than {MAX_COOKIE_LENGTH} "
                                      "characters")
    parts = value.split(".")
    if len(parts) != 3 or not all(parts):
        raise SignedCookieFormatError(
            f"a signed cookie has three parts, data.timestamp.signature; this has "
            f"{len([p for p in parts if p])} non-empty of {len(parts)}")
    payload, stamp, signature = parts
    try:
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (binascii.Error, ValueError):
        raise SignedCookieFormatError("part 1 (the data) is not base64 of JSON") from None
    if not isinstance(data, dict):
        raise SignedCookieFormatError("part 1 (the data) is JSON but not an object")
    if not BASE64URL.match(stamp):
        raise SignedCookieFormatError("part 2 (the timestamp) is not base64")
    try:
        timestamp = bytes_to_int(base64_decode(stamp))
    except (binascii.Error, ValueError, itsdangerous.BadData):
        raise SignedCookieFormatError("part 2 (the timestamp) is not base64") from None
    return SignedCookie(payload, data, timestamp, stamp, signature)


def parse_data(text: str) -> dict[str, Any]:
    """The edited data, or `SignedCookieFormatError` saying where the JSON is wrong."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SignedCookieFormatError(f"the data, line {exc.lineno} column {exc.colno}: "
                                      f"{exc.msg}") from None
    if not isinstance(data, dict):
        raise SignedCookieFormatError("the data must be a JSON object ({...})")
    return data


def encode_payload(data: Mapping[str, Any]) -> str:
    """The data as the server writes it: compact JSON, URL-safe base64."""
    return base64.urlsafe_b64encode(
        json.dumps(dict(data), separators=(",", ":")).encode()).decode("ascii")


def keep_signature(original: SignedCookie, data: Mapping[str, Any]) -> str:
    """The edited data with the original timestamp and signature (unchanged data keeps its
    bytes, so the cookie stays valid)."""
    payload = original.payload if dict(data) == original.data else encode_payload(data)
    return f"{payload}.{original.timestamp_part}.{original.signature}"


def re_sign(data: Mapping[str, Any], secret: str, timestamp: int) -> str:
    """The data signed with `secret` at `timestamp`, as the server would sign it."""
    signer = _FixedTimeSigner(secret.encode(), salt=SALT)
    signer.timestamp = timestamp
    return signer.sign(encode_payload(data).encode()).decode("ascii")


def secret_matches(value: str, secret: bytes) -> bool:
    """Whether `secret` made the cookie's signature (its age is not checked)."""
    try:
        itsdangerous.TimestampSigner(secret, salt=SALT).unsign(value.strip().encode())
    except itsdangerous.BadSignature:
        return False
    return True


@dataclass(frozen=True)
class CookieCrack:
    """How a guess went: how many words were tried, and the secret when found."""

    tried: int
    found: bytes | None


def crack_secret(value: str, words: Iterable[bytes],
                 keep_going: Callable[[int], bool] | None = None) -> CookieCrack:
    """Try every word as the cookie's secret, offline; `keep_going(tried)` may stop it."""
    decode(value)  # a clear message for a value that is not a signed cookie at all
    tried = 0
    for word in words:
        tried += 1
        if secret_matches(value, word):
            return CookieCrack(tried, word)
        if keep_going is not None and tried % 256 == 0 and not keep_going(tried):
            break
    return CookieCrack(tried, None)


class _FixedTimeSigner(itsdangerous.TimestampSigner):
    timestamp = 0

    def get_timestamp(self) -> int:
        return self.timestamp
