"""The browser's exchanges → HAR 1.2, which browsers' devtools and mitmproxy can open.

Timings come from the simulated clock: in a scene a request takes no time, so `time`
and the timings are zero and `startedDateTime` is the clock's reading. With
`redact=True` every credential value (Cookie, Set-Cookie and Authorization values,
password fields, JWTs and token fields in bodies and URLs) becomes `REDACTED`, while
names stay, so the shape of the login is still visible.
"""

from __future__ import annotations

import base64
import datetime
import http
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from tutor import __version__
from tutor.browser.cookie_parse import ParsedSetCookie, parse_set_cookie
from tutor.browser.events import Exchange
from tutor.har.credentials import cookie_pairs, is_token_field
from tutor.redaction import REDACTED, is_secret_name, redact_url, replace_jwts


def har_document(exchanges: Iterable[Exchange], *, redact: bool = False) -> dict[str, Any]:
    """A HAR 1.2 document for `exchanges`, in order."""
    return {"log": {
        "version": "1.2",
        "creator": {"name": "tutor", "version": __version__},
        "pages": [],
        "entries": [_entry(exchange, redact) for exchange in exchanges],
    }}


def har_json(exchanges: Iterable[Exchange], *, redact: bool = False) -> str:
    """The HAR as JSON text (UTF-8, indented like devtools exports)."""
    return json.dumps(har_document(exchanges, redact=redact), indent=2, ensure_ascii=False)


def save_har(exchanges: Iterable[Exchange], folder: Path, stem: str, *,
             redact: bool = True) -> Path:
    """Write the exchanges as `<stem>[-redacted].har` in `folder` and return its path.

    An existing file is never overwritten: a number is added to the name instead.
    """
    suffix = "-redacted" if redact else ""
    path = folder / f"{stem}{suffix}.har"
    number = 2
    while path.exists():
        path = folder / f"{stem}{suffix}-{number}.har"
        number += 1
    path.write_text(har_json(exchanges, redact=redact), encoding="utf-8")
    return path


def _iso(moment: float) -> str:
    try:
        stamp = datetime.datetime.fromtimestamp(moment, datetime.UTC)
    except (OverflowError, ValueError, OSError):  # a recorded time before year 1
        stamp = datetime.datetime.fromtimestamp(0, datetime.UTC)
    return stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _entry(exchange: Exchange, redact: bool) -> dict[str, Any]:
    request, response = exchange.request, exchange.response
    request_headers = [_header(k, v, redact) for k, v in request.headers]
    response_headers = [_header(k, v, redact) for k, v in response.headers]
    url = _redact_url(request.url) if redact else request.url
    sent_cookies = [{"name": name, "value": REDACTED if redact else value}
                    for key, header in request.headers if key.lower() == "cookie"
                    for name, value in cookie_pairs(header)]
    entry: dict[str, Any] = {
        "startedDateTime": _iso(exchange.at),
        "time": 0,
        "request": {
            "method": request.method,
            "url": url,
            "httpVersion": "HTTP/1.1",
            "cookies": sent_cookies,
            "headers": request_headers,
            "queryString": [{"name": n, "value": v}
                            for n, v in parse_qsl(urlsplit(url).query, keep_blank_values=True)],
            "headersSize": -1,
            "bodySize": len(request.body),
        },
        "response": {
            "status": response.status,
            "statusText": _reason(response.status),
            "httpVersion": "HTTP/1.1",
            "cookies": [_har_cookie(line, redact) for line in response.header_values("set-cookie")],
            "headers": response_headers,
            "content": _content(response.body, response.header("content-type") or "", redact),
            "redirectURL": _redirect(response.header("location") or "", redact),
            "headersSize": -1,
            "bodySize": len(response.body),
        },
        "cache": {},
        "timings": {"send": 0, "wait": 0, "receive": 0},
        "_browser": exchange.browser,
    }
    if request.body:
        entry["request"]["postData"] = _post_data(
            request.body, request.header("content-type") or "", redact)
    return entry


def _redirect(location: str, redact: bool) -> str:
    return _redact_url(location) if redact and location else location


def _reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def _header(name: str, value: str, redact: bool) -> dict[str, str]:
    if redact:
        lowered = name.lower()
        if lowered == "cookie":
            value = "; ".join(f"{n}={REDACTED}" for n, _ in cookie_pairs(value))
        elif lowered == "set-cookie":
            pair, sep, rest = value.partition(";")
            value = f"{pair.partition('=')[0]}={REDACTED}{sep}{rest}"
        elif lowered == "authorization":
            value = f"{value.partition(' ')[0]} {REDACTED}"
        elif lowered == "x-csrf-token":
            value = REDACTED
        elif lowered == "location":
            value = _redact_url(value)
        value = replace_jwts(value, _redacted)
    return {"name": name, "value": value}


def _har_cookie(line: str, redact: bool) -> dict[str, Any]:
    parsed = parse_set_cookie(line)
    if not isinstance(parsed, ParsedSetCookie):
        return {"name": parsed.name, "value": ""}
    cookie: dict[str, Any] = {"name": parsed.name,
                              "value": REDACTED if redact and parsed.value else parsed.value,
                              "httpOnly": parsed.http_only, "secure": parsed.secure}
    if parsed.path is not None:
        cookie["path"] = parsed.path
    if parsed.domain is not None:
        cookie["domain"] = parsed.domain
    if parsed.expires is not None:
        cookie["expires"] = _iso(parsed.expires)
    if parsed.same_site != "Default":
        cookie["sameSite"] = parsed.same_site
    return cookie


def _redacted(_secret: str) -> str:
    return REDACTED


def _redact_url(url: str) -> str:
    return redact_url(url, _redacted)


def _is_secret_field(name: str) -> bool:
    return is_secret_name(name) or is_token_field(name)


def _redact_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: REDACTED if isinstance(v, str) and _is_secret_field(k) else _redact_json(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_redact_json(v) for v in value]
    if isinstance(value, str):
        return replace_jwts(value, _redacted)
    return value


def _redact_text(text: str, mime: str) -> str:
    """A body with its credentials hidden, judged by what it looks like as well as by
    its declared type (a recording's Content-Type can be missing or wrong)."""
    if "json" in mime or text.lstrip()[:1] in ("{", "["):
        try:
            return json.dumps(_redact_json(json.loads(text)))
        except (ValueError, RecursionError):
            pass
    if "=" in text:
        fields = parse_qsl(text, keep_blank_values=True)
        if any(_is_secret_field(n) for n, _ in fields):
            return urlencode([(n, REDACTED if _is_secret_field(n) else replace_jwts(v, _redacted))
                              for n, v in fields])
    # HTML pages embed the CSRF token in a hidden field.
    text = re.sub(r'(name=csrf_token value=")[^"]*', rf"\g<1>{REDACTED}", text)
    return replace_jwts(text, _redacted)


def _post_data(body: bytes, mime: str, redact: bool) -> dict[str, Any]:
    text = body.decode("utf-8", "replace")
    if redact:
        text = _redact_text(text, mime.lower())
    post: dict[str, Any] = {"mimeType": mime, "text": text}
    if "application/x-www-form-urlencoded" in mime.lower():
        post["params"] = [{"name": n, "value": v}
                          for n, v in parse_qsl(text, keep_blank_values=True)]
    return post


def _content(body: bytes, mime: str, redact: bool) -> dict[str, Any]:
    content: dict[str, Any] = {"size": len(body), "mimeType": mime}
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        content.update(text=base64.b64encode(body).decode("ascii"), encoding="base64")
        return content
    content["text"] = _redact_text(text, mime.lower()) if redact else text
    return content
