"""One element of `log.entries` checked and normalised into the model, or one `HarError`.

Exporters disagree on the optional parts (Firefox writes `headersSize: null` and empty
`timings`, Charles `redirectURL: null`, Chrome status 0 for a failed request, Insomnia
an empty postData on a GET), so only what HAR 1.2 marks required *and* the analysis
needs is enforced: each entry's `request.method`, `request.url` and `response.status`.
Everything else falls back to a default when absent or null; a value of the wrong type
is still an error, because it means the file is not what it claims.

Two paths give the same entry. The usual one (`_usual_entry`) reads an entry whose every
field has the expected type (what browsers write) with few calls and no place names;
at the first surprise it gives up, and the careful one (`_checked_entry`) reads the entry
again, check by check, and names the place of the first problem
(`entries[3].request.headers[0].value`) or normalises what is allowed (a null, a
number as a header value). `tutor inspect` runs this for every entry of a file, so the
usual path is most of its cost after JSON decoding (issue 13).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from itertools import chain
from urllib.parse import urlsplit

from tutor.har.model import (
    PLAIN_URL,
    HarBody,
    HarEntry,
    HarError,
    HarRequest,
    HarResponse,
    Header,
    MediaBody,
    decode_base64,
    header_index,
    is_media_type,
)
from tutor.visible import visible

# False at run time without importing typing, which would cost every command's start
# (docs/architecture.md, "Start-up"); type checkers take the name as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def entry_from_json(item: Any, index: int, decode_media: bool = True) -> HarEntry:
    """One element of log.entries, validated and normalised (index: its position).

    `decode_media=False` leaves a base64 media body encoded until it is read (a
    `MediaBody`): `tutor inspect` never reads one."""
    if item.__class__ is dict:
        request, response = item.get("request"), item.get("response")
        if request.__class__ is dict and response.__class__ is dict:
            entry = _usual_entry(item, request, response, index, decode_media)
            if entry is not None:
                return entry
    return _checked_entry(item, index, decode_media)


def _usual_entry(item: dict[str, Any], request: dict[str, Any], response: dict[str, Any],
                 index: int, decode_media: bool) -> HarEntry | None:
    """The entry when every field has its usual type, else None (then the careful path
    reads it). Never raises: whatever it cannot take as it is goes to the careful path."""
    method, url = request.get("method"), request.get("url")
    if method.__class__ is not str or not method or url.__class__ is not str:
        return None
    # An http(s) URL with a plain host: valid, and its host and path are read from the
    # match (the analysis asks every request for them).
    plain = PLAIN_URL.match(url)
    if plain is None and not _plain_url(url):
        try:
            _check_url(url, "")
        except HarError:
            return None
    status = response.get("status")
    if status.__class__ is not int or not 0 <= status <= 999:
        return None
    request_version = _usual_text(request.get("httpVersion"))
    status_text = _usual_text(response.get("statusText"))
    response_version = _usual_text(response.get("httpVersion"))
    redirect_url = _usual_text(response.get("redirectURL"))
    request_headers = _usual_headers(request.get("headers"))
    response_headers = _usual_headers(response.get("headers"))
    cookies, query = request.get("cookies"), request.get("queryString")
    # Most are empty lists: those need no call.
    cookies = () if cookies == [] else _usual_pairs(cookies)
    query = () if query == [] else _usual_pairs(query)
    if (request_version is None or status_text is None or response_version is None
            or redirect_url is None or request_headers is None or response_headers is None
            or cookies is None or query is None):
        return None
    set_cookies: tuple[dict[str, object], ...] = ()
    listed = response.get("cookies")
    if listed:
        if listed.__class__ is not list:
            return None
        for each in listed:
            if each.__class__ is not dict:
                return None
        set_cookies = tuple(listed)
    started = item.get("startedDateTime")
    time_ms = item.get("time")
    try:
        post = request.get("postData")
        body = None
        if post is not None:
            if post.__class__ is not dict:
                return None
            if post.get("text") or post.get("params"):
                body = _post_data(post, "")
        content = response.get("content")
        answer = None
        if content is not None:
            if content.__class__ is not dict:
                return None
            if content:
                text, mime = content.get("text"), content.get("mimeType")
                if (text.__class__ is str and mime.__class__ is str
                        and content.get("encoding") is None):  # the usual: plain text
                    answer = HarBody(mime, text.encode("utf-8", "replace"))
                else:
                    answer = _content(content, f"entries[{index}].response.content",
                                      decode_media)
        if started is not None and started.__class__ is not str:
            return None
        time_ms = _number(time_ms, "", "") if time_ms.__class__ is not float else (
            time_ms if math.isfinite(time_ms) else 0.0)
    except HarError:
        return None
    sent = HarRequest(method.upper(), url, request_version, request_headers[0], cookies,
                      query, body, request_headers[1])
    if plain is not None:
        sent.take_plain(plain)
    return HarEntry(
        index,
        sent,
        HarResponse(status, status_text, response_version, response_headers[0], set_cookies,
                    answer, redirect_url, response_headers[1]),
        started,
        time_ms,
    )


def _usual_text(value: Any) -> str | None:
    """An optional string as the careful path reads it ("" for null), or None when it
    is something else."""
    if value.__class__ is str:
        return value
    return "" if value is None else None


def _usual_pairs(value: Any) -> tuple[Header, ...] | None:
    """A list of {"name": str, "value": str} as pairs, or None when it is anything else
    (missing keys, other types: the careful path says which, or converts a number)."""
    if value.__class__ is not list:
        return () if value is None else None
    if not value:
        return ()
    try:
        # Decoded JSON: indexing anything but an object with a string fails (TypeError).
        pairs = [(each["name"], each["value"]) for each in value]
        # Joining fails on anything but strings: one C call checks every name and value.
        "".join(chain.from_iterable(pairs))
    except (KeyError, TypeError):
        return None
    return tuple(pairs)


def _usual_headers(value: Any) -> tuple[tuple[Header, ...], dict[str, list[str]]] | None:
    """`_usual_pairs` of a headers list and, in the same pass, the index by lower-cased
    name that the model keeps (`header_index`)."""
    if value.__class__ is not list:
        return ((), {}) if value is None else None
    pairs: list[Header] = []
    index: dict[str, list[str]] = {}
    try:
        for each in value:
            # Decoded JSON: indexing anything but an object with a string fails (TypeError).
            name, text = each["name"], each["value"]
            if name.__class__ is not str or text.__class__ is not str:
                return None
            pairs.append((name, text))
            lowered = name.lower()
            if lowered in index:
                index[lowered].append(text)
            else:
                index[lowered] = [text]
    except (KeyError, TypeError):
        return None
    return tuple(pairs), index


def _plain_url(url: str) -> bool:
    """True when `_check_url` certainly passes: ASCII, no brackets (no IPv6 host to
    check), and no colon but an `http:`/`https:` scheme's (so no port to check)."""
    if not url.isascii() or "[" in url or "]" in url:
        return False
    colons = url.count(":")
    return colons == 0 or (colons == 1 and (url.startswith(("https:", "http:"))))


def _checked_entry(item: Any, index: int, decode_media: bool = True) -> HarEntry:
    """The careful path: every check in order, the first problem raised with its place."""
    where = f"entries[{index}]"
    entry = _object(item, where)
    if "request" not in entry or "response" not in entry:
        raise HarError(where, f"no \"{'request' if 'request' not in entry else 'response'}\" "
                       "object")
    return HarEntry(
        index=index,
        request=_request(_object(entry["request"], where, "request"), where + ".request"),
        response=_response(_object(entry["response"], where, "response"), where + ".response",
                           decode_media),
        started=_text(entry.get("startedDateTime"), where, "startedDateTime") or None,
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


def _response(response: Mapping[str, Any], where: str, decode_media: bool) -> HarResponse:
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
        _content(content, f"{where}.content", decode_media) if content else None,
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


def _content(content: Mapping[str, Any], where: str, decode_media: bool = True) -> HarBody:
    text = _text(content.get("text"), where, "text")
    encoding = _text(content.get("encoding"), where, "encoding")
    mime_type = _text(content.get("mimeType"), where, "mimeType")
    if encoding.lower() == "base64":
        if not decode_media and is_media_type(mime_type):
            return MediaBody(mime_type, text, f"{where}.text")
        data = decode_base64(text, f"{where}.text")
    elif encoding:
        raise HarError(f"{where}.encoding", f"unknown encoding {encoding!r:.40} "
                       "(HAR 1.2 knows only base64)")
    else:
        data = text.encode("utf-8", "replace")
    return HarBody(mime_type, data)


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
