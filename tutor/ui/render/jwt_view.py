"""The JWT inspector: the token in three colours, what anyone can decode from it, its
times, and the server's verification pipeline with the failing stage lit.

Decoding is done here by hand (base64url, then JSON) rather than with PyJWT, so a broken
token can still show every part that does decode, and so the UI does not import PyJWT.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from rich.console import Group, RenderableType
from rich.highlighter import JSONHighlighter
from rich.text import Text

from tutor.ui.render._text import duration, shorten, utc_time

SEGMENT_STYLES = ("bold #fb015b", "bold #a050ff", "bold #00a5e0")
"""Header, payload and signature, in the token and in the section titles: three hues
apart (red, violet, blue), never two ANSI names a theme may paint alike (Textual's dark
theme drew red and magenta as two pinks), and readable on light and dark backgrounds."""
SEGMENT_NAMES = ("header", "payload", "signature")
STAGES = ("decode", "algorithm", "key", "signature", "claims", "revocation")
"""The server's checks in order (TokenRejected.stage); revocation is the denylist."""
UNVERIFIED = "decoded without verifying: anyone can read this"
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
DISPLAY_LIMIT = 2000
"""A segment that decodes to more text than this is cut (tokens are at most 8 KiB)."""


@dataclass
class DecodedToken:
    """What could be read from a token, and what is wrong with it."""

    segments: list[str]
    header: dict[str, Any] | None = None
    payload: dict[str, Any] | None = None
    raw: dict[str, str] = field(default_factory=dict)
    """Decoded text of a segment that is not a JSON object (to show it anyway)."""
    signature_bytes: int | None = None
    problems: list[str] = field(default_factory=list)


def _b64decode(segment: str) -> bytes:
    """base64url without padding (RFC 7515 §2); ValueError with a readable reason."""
    if not _BASE64URL.fullmatch(segment):
        bad = next(ch for ch in segment if not _BASE64URL.fullmatch(ch))
        raise ValueError(f"is not base64url (it contains {bad!r})")
    if len(segment) % 4 == 1:
        raise ValueError("is not base64url (its length is impossible)")
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"is not base64url ({exc})") from None


def decode_token(token: str) -> DecodedToken:
    """Split and decode `token` without verifying anything; never raises."""
    token = token.strip()
    if token[:7].lower() == "bearer ":
        token = token[7:].strip()
    segments = token.split(".")
    decoded = DecodedToken(segments)
    if len(segments) == 5:
        decoded.problems.append("5 parts: this looks like an encrypted JWE, which only the "
                                "key holder can read")
    elif len(segments) != 3:
        decoded.problems.append(f"a JWT has 3 dot-separated parts (header.payload.signature); "
                                f"this has {len(segments)}")
    for index, name in enumerate(SEGMENT_NAMES[:2]):
        if index >= len(segments):
            break
        value = _decode_json_segment(segments[index], name, decoded)
        if name == "header":
            decoded.header = value
        else:
            decoded.payload = value
    if len(segments) >= 3:
        try:
            decoded.signature_bytes = len(_b64decode(segments[2]))
        except ValueError as exc:
            decoded.problems.append(f"the signature {exc}")
    return decoded


def _printable(data: bytes) -> str:
    """The bytes as text, or escaped (`\\xb7`) when they are not printable UTF-8."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return repr(data)[2:-1]
    if all(ch.isprintable() or ch in "\n\t" for ch in text):
        return text
    return text.encode("unicode_escape").decode("ascii")


def _decode_json_segment(segment: str, name: str, decoded: DecodedToken) -> dict[str, Any] | None:
    if segment.endswith("=") and segment.rstrip("="):
        decoded.problems.append(f"the {name} ends in '=' padding, which a JWT leaves out")
        segment = segment.rstrip("=")
    if not segment:
        decoded.problems.append(f"the {name} is empty")
        return None
    try:
        data = _b64decode(segment)
    except ValueError as exc:
        decoded.problems.append(f"the {name} {exc}")
        return None
    text = _printable(data)
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        decoded.raw[name] = text
        decoded.problems.append(f"the {name} decodes, but not to JSON")
        return None
    if not isinstance(value, dict):
        decoded.raw[name] = text
        decoded.problems.append(f"the {name} is JSON but not an object")
        return None
    return value


def _coloured_token(segments: list[str]) -> Text:
    text = Text(overflow="fold")
    for index, segment in enumerate(segments):
        if index:
            text.append(".", style="bold")
        style = SEGMENT_STYLES[index] if index < len(SEGMENT_STYLES) else "dim"
        text.append(shorten(segment, DISPLAY_LIMIT), style=style)
    return text


def _json_block(value: dict[str, Any]) -> Text:
    try:
        dumped = json.dumps(value, indent=2, ensure_ascii=False)
        dumped.encode("utf-8")  # a lone surrogate ("\ud800") cannot be drawn: escape it
    except UnicodeEncodeError:
        dumped = json.dumps(value, indent=2)
    except (ValueError, RecursionError):
        dumped = repr(value)[:DISPLAY_LIMIT]
    text = Text(shorten(dumped, DISPLAY_LIMIT), overflow="fold")
    JSONHighlighter().highlight(text)
    return text


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _time_line(claim: str, value: object, now: float) -> Text:
    line = Text(f"{claim:<4}", style="bold", overflow="fold")
    when = _number(value)
    if when is None:
        line.append(f"{shorten(repr(value), 40)}: not a number of seconds", style="red")
        return line
    line.append(utc_time(when))
    delta = when - now
    if claim == "exp":
        relative = (f"expires in {duration(delta)}" if delta > 0
                    else f"expired {duration(delta)} ago" if delta < 0 else "expires now")
        style = "green" if delta > 0 else "red"
    elif claim == "nbf":
        relative = f"valid in {duration(delta)}" if delta > 0 else "already valid"
        style = "red" if delta > 0 else "green"
    else:
        relative = (f"issued {duration(delta)} ago" if delta <= 0
                    else f"issued {duration(delta)} in the future")
        style = "dim" if delta <= 0 else "red"
    line.append(f"  ({relative})", style=style)
    return line


def render_pipeline(failed_stage: str | None) -> Text:
    """decode → algorithm → key → signature → claims → revocation; with `failed_stage`,
    the stages before it green (✓), it red (✗), the rest dim; without it all neutral."""
    failed = STAGES.index(failed_stage) if failed_stage in STAGES else None
    text = Text(overflow="fold")
    for index, stage in enumerate(STAGES):
        if index:
            text.append(" → ", style="dim")
        if failed is None:
            text.append(stage)
        elif index < failed:
            text.append(f"✓ {stage}", style="bold green")
        elif index == failed:
            text.append(f"✗ {stage}", style="bold white on red")
        else:
            text.append(stage, style="dim")
    if failed_stage == "dpop":
        # Not a stage of the token's own check: the request's DPoP proof (or the token's
        # scheme) failed, which the token cannot show (RFC 9449 §4.3, §7).
        text.append("\nthe server refused the request's DPoP proof or key binding, not the "
                    "token itself: see error_description", style="red")
    elif failed_stage is not None and failed is None:
        text.append(f"\nthe server reported an unknown stage {shorten(failed_stage, 40)!r}",
                    style="yellow")
    elif failed is not None:
        text.append(f"\nthe server refused the token at: {STAGES[failed]}", style="red")
    return text


def render_jwt(token: str, now: float, failed_stage: str | None = None) -> RenderableType:
    """The token in colour, its header and payload decoded (unverified), its times relative
    to `now`, and the verification pipeline with `failed_stage` lit."""
    decoded = decode_token(token)
    parts: list[RenderableType] = [_coloured_token(decoded.segments)]
    for problem in decoded.problems:
        parts.append(Text(f"✗ {problem}", style="bold yellow", overflow="fold"))
    parts += [Text(), Text(UNVERIFIED, style="italic")]
    for name, value, style in (("Header", decoded.header, SEGMENT_STYLES[0]),
                               ("Payload", decoded.payload, SEGMENT_STYLES[1])):
        parts.append(Text(name, style=style))
        if value is not None:
            parts.append(_json_block(value))
        elif name == "Payload" and len(decoded.segments) < 2:
            parts.append(Text("(missing)", style="dim italic"))
        elif name.lower() in decoded.raw:
            parts.append(Text(shorten(decoded.raw[name.lower()], DISPLAY_LIMIT),
                              style="dim", overflow="fold"))
        else:
            parts.append(Text("(could not be decoded)", style="dim italic"))
    times = [_time_line(c, decoded.payload[c], now) for c in ("iat", "nbf", "exp")
             if decoded.payload is not None and c in decoded.payload]
    if times:
        parts += [Text(), Text("Times (UTC)", style="bold"), *times]
    parts += [Text(), Text("Signature", style=SEGMENT_STYLES[2])]
    if decoded.signature_bytes is None:
        parts.append(Text("(none could be read)", style="dim italic"))
    elif decoded.signature_bytes == 0:
        parts.append(Text("empty: an unsigned token (alg none) that anyone could have written",
                          style="bold red", overflow="fold"))
    else:
        parts.append(Text(f"{decoded.signature_bytes} bytes: only the server's key can check it",
                          overflow="fold"))
    parts += [Text(), Text("Verification", style="bold"), render_pipeline(failed_stage)]
    return Group(*parts)
