"""Small text helpers shared by the renderers: shortening, times, durations, URLs."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from http import HTTPStatus

from tutor.visible import visible_text

ELLIPSIS = "…"
CREDENTIAL_HEADERS = frozenset({"set-cookie", "cookie", "authorization", "dpop",
                                "www-authenticate"})
"""Headers that carry or ask for a credential (or, DPoP, prove its key); the exchange view
highlights them."""
CREDENTIAL_STYLE = "bold yellow"


def shorten(value: str, limit: int) -> str:
    """`value` cut to `limit` cells with an ellipsis in the middle (keeps both ends).

    Control characters are made visible first, so a cut can never leave half an escape
    sequence (the values shortened here come from servers, recordings and tokens)."""
    value = visible_text(value)
    if limit <= 0:
        return ""
    if len(value) <= limit:
        return value
    if limit == 1:
        return ELLIPSIS
    head = limit // 2
    tail = limit - 1 - head
    return value[:head] + ELLIPSIS + (value[-tail:] if tail else "")


def cut(value: str, limit: int) -> str:
    """`value` cut to `limit` cells with an ellipsis at the end."""
    if limit <= 0:
        return ""
    if len(value) <= limit:
        return value
    return value[: limit - 1] + ELLIPSIS


def status_label(status: int) -> str:
    """`303 See Other` (only the number for a status Python does not know)."""
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def utc_time(timestamp: float, *, seconds_only: bool = False) -> str:
    """`2026-01-01 00:05:00 UTC` (or `00:05:00` when `seconds_only`); `?` if out of range."""
    try:
        moment = datetime.fromtimestamp(timestamp, UTC)
    except (OverflowError, OSError, ValueError):
        return "(not a representable time)"
    if seconds_only:
        return moment.strftime("%H:%M:%S")
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def iso_utc(timestamp: float) -> str:
    """`2026-01-01T00:05:00Z`."""
    try:
        return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return "(not a representable time)"


def duration(seconds: float) -> str:
    """A short, readable length of time: `0s`, `45s`, `4m 12s`, `2h 5m`, `3d 4h`."""
    if not math.isfinite(seconds):
        return "forever"
    total = int(abs(seconds))
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    if minutes:
        return f"{minutes}m {secs}s" if secs else f"{minutes}m"
    return f"{secs}s"
