"""Signed session cookies: the session data rides in the cookie, protected by an HMAC.

Encoded as Starlette's `SessionMiddleware` does: base64 of the JSON, then itsdangerous'
`TimestampSigner` (value.timestamp.signature). Anyone can read the data; only the
server can produce a signature that verifies.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

import itsdangerous

from tutor.clock import Clock

MAX_COOKIE_LENGTH = 4096
SALT = "tutor.signed-session"
"""itsdangerous' salt for session cookies (the Repeater's signed-cookie editor signs alike)."""
_CACHE_SIZE = 1024


class SignedCookieRejected(ValueError):
    """The cookie is malformed, tampered with or too old; the message says which."""


class _ClockSigner(itsdangerous.TimestampSigner):
    clock: Clock

    def get_timestamp(self) -> int:
        return int(self.clock.now())


class SignedCookieCodec:
    """Turns session data into a signed cookie value and back."""

    def __init__(self, secret: bytes, clock: Clock, max_age: int) -> None:
        self._signer = _ClockSigner(secret, salt=SALT)
        self._signer.clock = clock
        self._clock = clock
        self._max_age = max_age
        # Verified values and when they were signed: an HMAC that checked out once always
        # will, so only the age is checked again.
        self._verified: dict[str, tuple[int, dict[str, Any]]] = {}

    def encode(self, data: dict[str, Any]) -> str:
        """Sign `data` with the current time."""
        payload = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode())
        return self._signer.sign(payload).decode("ascii")

    def decode(self, value: str) -> dict[str, Any]:
        """The data in a cookie the server signed within `max_age`, else an explanation."""
        cached = self._verified.get(value)
        if cached is None:
            cached = self._verify(value)
            if len(self._verified) >= _CACHE_SIZE:
                del self._verified[next(iter(self._verified))]
            self._verified[value] = cached
        signed_at, data = cached
        # Expired from the max_age-th second on, as the cookie's own Max-Age would be.
        if self._clock.now() - signed_at >= self._max_age:
            raise SignedCookieRejected("signed cookie has expired")
        return dict(data)

    def _verify(self, value: str) -> tuple[int, dict[str, Any]]:
        if len(value) > MAX_COOKIE_LENGTH:
            raise SignedCookieRejected(f"cookie is longer than {MAX_COOKIE_LENGTH} characters")
        try:
            payload, signed_at = self._signer.unsign(
                value.encode("utf-8", "replace"), return_timestamp=True
            )
        except itsdangerous.BadTimeSignature:
            raise SignedCookieRejected("signature does not match the cookie's contents") from None
        except itsdangerous.BadSignature:
            raise SignedCookieRejected("cookie is not a signed session") from None
        try:
            data = json.loads(base64.urlsafe_b64decode(payload))
        except (binascii.Error, ValueError):
            raise SignedCookieRejected("signed payload is not base64 JSON") from None
        if not isinstance(data, dict):
            raise SignedCookieRejected("signed payload is not a JSON object")
        return int(signed_at.timestamp()), data


def read_unverified(value: str) -> dict[str, Any] | None:
    """What anyone can read from a signed cookie without the key (the lesson's point)."""
    payload = value.split(".", 1)[0]
    try:
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (binascii.Error, ValueError):
        return None
    return data if isinstance(data, dict) else None
