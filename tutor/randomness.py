"""Where every random value in the server comes from: `secrets`, unless a test or a
snapshot asks for a repeatable sequence.

Session ids, tokens, salts and keys must be unpredictable in real use; SVG snapshots of
the UI must show the same ids on every run. Routing all randomness through here gives
both, without the server ever using a weak generator outside `deterministic()`.
"""

from __future__ import annotations

import base64
import random
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")
_repeatable: random.Random | None = None


def token_bytes(nbytes: int) -> bytes:
    """`nbytes` random bytes."""
    if _repeatable is not None:
        return _repeatable.randbytes(nbytes)
    return secrets.token_bytes(nbytes)


def unrepeatable_bytes(nbytes: int) -> bytes:
    """`nbytes` random bytes that never come from the repeatable stream, even inside
    `deterministic()`: for values drawn once per process and cached (the demo accounts'
    password salts), whose draws would otherwise shift every later value depending on
    which test happened to run first. Never shown, so snapshots do not need them fixed."""
    return secrets.token_bytes(nbytes)


def token_urlsafe(nbytes: int) -> str:
    """`nbytes` random bytes as unpadded base64url text (as `secrets.token_urlsafe`)."""
    if _repeatable is not None:
        return base64.urlsafe_b64encode(token_bytes(nbytes)).rstrip(b"=").decode("ascii")
    return secrets.token_urlsafe(nbytes)


def choice(options: Sequence[T]) -> T:
    """One of `options`, uniformly."""
    if _repeatable is not None:
        return _repeatable.choice(options)
    return secrets.choice(options)


@contextmanager
def deterministic(seed: int = 0) -> Iterator[None]:
    """Within this block, random values repeat from run to run (tests and snapshots only)."""
    global _repeatable
    previous = _repeatable
    _repeatable = random.Random(seed)
    try:
        yield
    finally:
        _repeatable = previous
