"""Reading a HAR file: bytes → text → JSON → the typed model, or one clear `HarError`.

Only what HAR 1.2 marks required *and* the analysis needs is enforced: `log.entries`
here, and in each entry (`tutor.har.entries`) `request.method`, `request.url` and
`response.status`. Everything else falls back to a default when absent or null; a value
of the wrong type is an error naming its place. `tutor.har.stream` reads big files one
entry at a time through the same `entry_from_json`.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable
from pathlib import Path

from tutor.har.entries import _kind, _object, _optional_object, _text
from tutor.har.entries import entry_from_json as entry_from_json  # re-exported: tutor watch
from tutor.har.files import read_limited
from tutor.har.model import Har, HarError

# False at run time without importing typing, which would cost every command's start
# (docs/architecture.md, "Start-up"); type checkers take the name as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

MAX_HAR_BYTES = 100 * 1024 * 1024
"""Bigger files are refused by the whole-file reader (parsed JSON takes about five times
its size in memory); `tutor inspect` streams them instead (`tutor.har.stream`)."""

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def read_har(path: Path, max_bytes: int = MAX_HAR_BYTES, too_big: str = "",
             decode_media: bool = True) -> Har:
    """Load a whole HAR file (a regular file, a pipe, or standard input as `-`); `too_big`
    is advice added to the size error. Never reads more than `max_bytes` + 1 bytes.
    `decode_media`: as for `entry_from_json`."""
    return parse_har(read_limited(path, max_bytes, too_big), decode_media)


def parse_har(raw: bytes, decode_media: bool = True) -> Har:
    """Decode and validate HAR bytes (UTF-8 with or without BOM, UTF-16/32 with a BOM)."""
    return har_from_json(_load_json(_decode(raw)), decode_media)


def _decode(raw: bytes) -> str:
    if not raw.strip():
        raise HarError("", "the file is empty")
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError as exc:
                raise HarError("", f"starts with a {encoding} byte-order mark but byte "
                               f"{exc.start} is not valid {encoding}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        hint = " (it looks like binary data, not a HAR file)" if b"\0" in raw[:1024] else ""
        raise HarError("", f"not UTF-8 text: byte 0x{raw[exc.start]:02x} at offset "
                       f"{exc.start}{hint}") from None


SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
"""An escaped UTF-16 surrogate: JSON text that needs `whole_characters` once decoded."""


def _load_json(text: str) -> Any:
    try:
        document = json.loads(text)
        if SURROGATE_ESCAPE.search(text):
            document = whole_characters(document)
        return document
    except json.JSONDecodeError as exc:
        near_end = exc.pos >= len(text.rstrip()) - 1
        hint = " (the file looks truncated)" if near_end else ""
        raise HarError(f"line {exc.lineno}, column {exc.colno}",
                       f"not valid JSON: {exc.msg}{hint}") from None
    except RecursionError:
        raise HarError("", "not a HAR file: JSON nested too deeply") from None
    except ValueError as exc:  # e.g. an integer with more digits than Python allows
        raise HarError("", f"not valid JSON: {exc}") from None


def whole_characters(document: Any) -> Any:
    """The document with escaped surrogates joined into characters, and a lone one (which
    nothing can print or encode) replaced by U+FFFD: JSON allows `"\\ud800"`, UTF-8 does
    not. Iterative: the document may be as deep as the parser allows."""
    def fix(text: str) -> str:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")

    root = [document]
    stack: list[list[Any] | dict[str, Any]] = [root]
    while stack:
        container = stack.pop()
        if isinstance(container, dict):
            items = list(container.items())
            container.clear()
            for key, value in items:
                container[fix(key)] = _whole_value(value, fix, stack)
        else:
            for index, value in enumerate(container):
                container[index] = _whole_value(value, fix, stack)
    return root[0]


def _whole_value(value: Any, fix: Callable[[str], str],
                 stack: list[list[Any] | dict[str, Any]]) -> Any:
    if isinstance(value, str):
        return fix(value)
    if isinstance(value, dict | list):
        stack.append(value)
    return value


def har_from_json(document: Any, decode_media: bool = True) -> Har:
    """Validate parsed JSON as HAR 1.x and normalise it."""
    entries, version, creator = log_parts(document)
    if not isinstance(entries, list):
        raise HarError("log.entries", f"expected a list, got {_kind(entries)}")
    return Har(
        entries=tuple(entry_from_json(item, index, decode_media)
                      for index, item in enumerate(entries)),
        version=version,
        creator=creator,
    )


def log_parts(document: Any) -> tuple[Any, str, str]:
    """The top level checked: (log.entries unchecked, log.version, creator for display)."""
    if not isinstance(document, dict):
        raise HarError("", f"not a HAR file: the top level is {_kind(document)}, "
                       "expected an object with a \"log\"")
    if "log" not in document:
        raise HarError("", "not a HAR file: no \"log\" object at the top level")
    log = _object(document["log"], "log")
    entries = log.get("entries")
    if entries is None:
        raise HarError("log", "no \"entries\" list")
    return entries, _text(log.get("version"), "log", "version"), creator_name(log.get("creator"))


def creator_name(value: Any) -> str:
    """log.creator as "name version", checked."""
    creator = _optional_object(value, "log.creator")
    return " ".join(part for part in (_text(creator.get("name"), "log.creator", "name"),
                                      _text(creator.get("version"), "log.creator", "version"))
                    if part)


