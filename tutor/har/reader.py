"""Reading a HAR file: bytes → text → JSON → the typed model, or one clear `HarError`.

Exporters disagree on the optional parts (Firefox writes `headersSize: null` and empty
`timings`, Charles `redirectURL: null`, Chrome status 0 for a failed request, Insomnia
an empty postData on a GET), so only what HAR 1.2 marks required *and* the analysis
needs is enforced: `log.entries`, each entry's `request.method`, `request.url` and
`response.status`. Everything else falls back to a default when absent or null; a value
of the wrong type is still an error, because it means the file is not what it claims.

The place of an error (`entries[3].request.headers[0].value`) is spelled out only when
there is an error: the valid path checks types and builds nothing else, since building a
string per field was most of the reader's cost. `tutor.har.stream` reads big files one
entry at a time through `entry_from_json`.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import datetime
import json
import math
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tutor.har.files import read_limited
from tutor.har.model import (
    Har,
    HarBody,
    HarEntry,
    HarError,
    HarRequest,
    HarResponse,
    Header,
    header_index,
)
from tutor.visible import visible

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


def read_har(path: Path, max_bytes: int = MAX_HAR_BYTES, too_big: str = "") -> Har:
    """Load a whole HAR file (a regular file, a pipe, or standard input as `-`); `too_big`
    is advice added to the size error. Never reads more than `max_bytes` + 1 bytes."""
    return parse_har(read_limited(path, max_bytes, too_big))


def parse_har(raw: bytes) -> Har:
    """Decode and validate HAR bytes (UTF-8 with or without BOM, UTF-16/32 with a BOM)."""
    return har_from_json(_load_json(_decode(raw)))


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


def har_from_json(document: Any) -> Har:
    """Validate parsed JSON as HAR 1.x and normalise it."""
    entries, version, creator = log_parts(document)
    if not isinstance(entries, list):
        raise HarError("log.entries", f"expected a list, got {_kind(entries)}")
    return Har(
        entries=tuple(entry_from_json(item, index) for index, item in enumerate(entries)),
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


def entry_from_json(item: Any, index: int) -> HarEntry:
    """One element of log.entries, validated and normalised (index: its position)."""
    where = f"entries[{index}]"
    entry = _object(item, where)
    if "request" not in entry or "response" not in entry:
        raise HarError(where, f"no \"{'request' if 'request' not in entry else 'response'}\" "
                       "object")
    return HarEntry(
        index=index,
        request=_request(_object(entry["request"], where, "request"), where + ".request"),
        response=_response(_object(entry["response"], where, "response"), where + ".response"),
        started=_timestamp(entry.get("startedDateTime"), where, "startedDateTime"),
        time_ms=_number(entry.get("time"), where, "time"),
    )


def _request(request: Mapping[str, Any], where: str) -> HarRequest:
    method = _required_text(request, "method", where)
    url = _required_text(request, "url", where)
    if not method:
        raise HarError(f"{where}.method", "is empty")
    _check_url(url, f"{where}.url")
    post = _optional_object(request.get("postData"), where, "postData")
    headers, by_name = _headers(request.get("headers"), where)
    return HarRequest(
        method.upper(),
        url,
        _text(request.get("httpVersion"), where, "httpVersion"),
        headers,
        _pairs(request.get("cookies"), where, "cookies"),
        _pairs(request.get("queryString"), where, "queryString"),
        _post_data(post, f"{where}.postData") if post.get("text") or post.get("params")
        else None,
        by_name,
    )


def _response(response: Mapping[str, Any], where: str) -> HarResponse:
    if "status" not in response:
        raise HarError(where, "no \"status\"")
    status = response["status"]
    if status.__class__ is not int:  # the common case skips every other check
        if isinstance(status, float) and status.is_integer():
            status = int(status)
        if isinstance(status, bool) or not isinstance(status, int):
            raise HarError(f"{where}.status",
                           f"expected an HTTP status 0-999, got {status!r:.40}")
    if not 0 <= status <= 999:
        raise HarError(f"{where}.status", f"expected an HTTP status 0-999, got {status!r:.40}")
    raw_cookies = response.get("cookies") or []
    if not isinstance(raw_cookies, list):
        raise HarError(f"{where}.cookies", f"expected a list, got {_kind(raw_cookies)}")
    content = _optional_object(response.get("content"), where, "content")
    headers, by_name = _headers(response.get("headers"), where)
    return HarResponse(
        status,
        _text(response.get("statusText"), where, "statusText"),
        _text(response.get("httpVersion"), where, "httpVersion"),
        headers,
        tuple(_object(c, f"{where}.cookies[{i}]") for i, c in enumerate(raw_cookies))
        if raw_cookies else (),
        _content(content, f"{where}.content") if content else None,
        _text(response.get("redirectURL"), where, "redirectURL"),
        by_name,
    )


def _post_data(post: Mapping[str, Any], where: str) -> HarBody:
    params = _pairs(post.get("params"), where, "params")
    text = _text(post.get("text"), where, "text")
    # Some exporters give only params for a form: rebuild the body a server would get.
    if not text and params:
        from urllib.parse import urlencode

        text = urlencode(params)
    return HarBody(_text(post.get("mimeType"), where, "mimeType"),
                   text.encode("utf-8", "replace"), params)


def _content(content: Mapping[str, Any], where: str) -> HarBody:
    text = _text(content.get("text"), where, "text")
    encoding = _text(content.get("encoding"), where, "encoding")
    if encoding.lower() == "base64":
        try:
            data = base64.b64decode(text.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError):
            # Line-wrapped base64 is common enough to accept; anything else is not.
            try:
                data = base64.b64decode("".join(text.split()).encode("ascii"), validate=True)
            except (binascii.Error, UnicodeEncodeError):
                raise HarError(f"{where}.text", "content.encoding is base64 but the text "
                               "is not valid base64") from None
    elif encoding:
        raise HarError(f"{where}.encoding", f"unknown encoding {encoding!r:.40} "
                       "(HAR 1.2 knows only base64)")
    else:
        data = text.encode("utf-8", "replace")
    return HarBody(_text(content.get("mimeType"), where, "mimeType"), data)


# --- typed accessors: each names the place that is wrong, once it is wrong --------------
# `where` is the parent's place and `key` the field: they are joined only for an error.


def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if key else where


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "true/false",
             int: "a number", float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _object(value: Any, where: str, key: str = "") -> dict[str, Any]:
    if not isinstance(value, dict):
        raise HarError(_at(where, key), f"expected an object, got {_kind(value)}")
    return value


def _optional_object(value: Any, where: str, key: str = "") -> dict[str, Any]:
    return {} if value is None else _object(value, where, key)


def _text(value: Any, where: str, key: str = "") -> str:
    """An optional string; null means absent."""
    if value.__class__ is str:
        return value
    if value is None:
        return ""
    if not isinstance(value, str):
        raise HarError(_at(where, key), f"expected a string, got {_kind(value)}")
    return value


def _required_text(mapping: Mapping[str, Any], key: str, where: str) -> str:
    value = mapping.get(key)
    if value is None:
        raise HarError(where, f"no \"{key}\"")
    return _text(value, where, key)


def _check_url(url: str, where: str) -> None:
    """A URL the analysis can take apart: Python refuses some that a browser would never
    record (`http://[::1/x`, `http://[zz]/`, a port of 99999), and every part of the
    tutor splits the URL, so such a file is refused here, once, with the place."""
    try:
        parts = urlsplit(url)
        # Only a bracketed host or a port can still be wrong once split (most have none).
        if "[" in parts.netloc or ":" in parts.netloc.rpartition("@")[2]:
            parts.hostname  # noqa: B018 -- checks the brackets of an IPv6 host
            parts.port  # noqa: B018 -- checks the port is a number 0-65535
    except ValueError as exc:
        raise HarError(where, f"not a URL the tutor can read ({exc}): "
                       f"{visible(url)!r:.80}") from None


def _number(value: Any, where: str, key: str) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise HarError(_at(where, key), f"expected a number, got {_kind(value)}")
    try:
        number = float(value)
    except OverflowError:  # an integer with hundreds of digits
        return 0.0
    # 1e400, NaN and Infinity (Python's json takes them) say nothing usable: unknown,
    # like a missing value, rather than a reason to refuse the file.
    return number if math.isfinite(number) else 0.0


def _pairs(value: Any, where: str, key: str) -> tuple[Header, ...]:
    """A HAR list of {name, value} objects; numbers as values are accepted as text."""
    if value is None:
        return ()
    if value.__class__ is not list:
        raise HarError(_at(where, key), f"expected a list, got {_kind(value)}")
    pairs: list[Header] = []
    for item in value:
        # The usual {"name": str, "value": str} passes with two lookups and no strings built.
        if item.__class__ is dict:
            name, raw = item.get("name"), item.get("value")
            if name.__class__ is str and raw.__class__ is str:
                pairs.append((name, raw))
                continue
        pairs.append(_pair(item, f"{_at(where, key)}[{len(pairs)}]"))
    return tuple(pairs)


def _headers(value: Any, where: str) -> tuple[tuple[Header, ...], dict[str, list[str]]]:
    """`_pairs` of a headers list, and the same indexed by lower-cased name."""
    headers = _pairs(value, where, "headers")
    return headers, header_index(headers)


def _pair(item: Any, here: str) -> Header:
    """One {name, value} that is not two plain strings: checked, with its place."""
    pair = _object(item, here)
    name = _required_text(pair, "name", here)
    raw = pair.get("value")
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        raw = str(raw)
    return name, _text(raw, here, "value")


def _timestamp(value: Any, where: str, key: str) -> float | None:
    """ISO 8601 → Unix time; an unreadable date is dropped, not fatal (time is optional
    to the analysis, which then falls back to the response's Date header)."""
    text = _text(value, where, key)
    if not text:
        return None
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    try:
        return moment.timestamp()
    except (OverflowError, ValueError, OSError):  # year 1 in a zone east of UTC, say
        return None
