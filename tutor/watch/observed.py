"""One exchange as the live browser saw it, turned into the HAR model.

The driver copies what Playwright reports into an `ObservedExchange` (plain data, so
this module needs no Playwright); `entry_json` writes it as a HAR 1.2 entry and
`to_entry` reads that back through `tutor.har.reader.entry_from_json`, so live traffic
passes the same checks and the same analysis as a recorded file.
"""

from __future__ import annotations

import base64
import datetime
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tutor.har.model import HarEntry, Header
from tutor.har.reader import entry_from_json


@dataclass(frozen=True)
class ObservedExchange:
    """A request the browser sent and what came back (status 0: it failed)."""

    method: str
    url: str
    request_headers: tuple[Header, ...]
    response_status: int
    response_headers: tuple[Header, ...] = ()
    request_body: bytes = b""
    response_body: bytes = b""
    status_text: str = ""
    started: float = 0.0
    """Unix time the request started."""
    time_ms: float = 0.0
    http_version: str = "HTTP/1.1"
    failure: str = ""
    """Why the request failed, when it did (Chromium's error text)."""
    resource_type: str = field(default="", compare=False)
    """Playwright's resource type (document, fetch, image...), for display only."""


def _header_of(headers: tuple[Header, ...], name: str) -> str:
    wanted = name.lower()
    return next((value for key, value in headers if key.lower() == wanted), "")


def _pairs(headers: tuple[Header, ...]) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in headers]


def _iso(moment: float) -> str:
    stamp = datetime.datetime.fromtimestamp(moment, datetime.UTC)
    return stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _content(data: bytes, mime: str) -> dict[str, Any]:
    try:
        return {"size": len(data), "mimeType": mime, "text": data.decode("utf-8")}
    except UnicodeDecodeError:
        return {"size": len(data), "mimeType": mime, "encoding": "base64",
                "text": base64.b64encode(data).decode("ascii")}


def entry_json(seen: ObservedExchange) -> dict[str, Any]:
    """The exchange as a HAR 1.2 entry (what a devtools export would hold)."""
    request_mime = _header_of(seen.request_headers, "content-type")
    response_mime = _header_of(seen.response_headers, "content-type")
    request: dict[str, Any] = {
        "method": seen.method,
        "url": seen.url,
        "httpVersion": seen.http_version,
        "headers": _pairs(seen.request_headers),
        "cookies": [],
        "queryString": [{"name": n, "value": v} for n, v in
                        parse_qsl(urlsplit(seen.url).query, keep_blank_values=True)],
        "headersSize": -1,
        "bodySize": len(seen.request_body),
    }
    if seen.request_body:
        # postData.text is a string: a binary upload keeps its bytes as Latin-1 would.
        request["postData"] = {"mimeType": request_mime,
                               "text": seen.request_body.decode("utf-8", "replace")}
    entry: dict[str, Any] = {
        "startedDateTime": _iso(seen.started),
        "time": seen.time_ms,
        "request": request,
        "response": {
            "status": seen.response_status,
            "statusText": seen.status_text,
            "httpVersion": seen.http_version,
            "headers": _pairs(seen.response_headers),
            "cookies": [],
            "content": _content(seen.response_body, response_mime),
            "redirectURL": _header_of(seen.response_headers, "location"),
            "headersSize": -1,
            "bodySize": len(seen.response_body),
        },
        "cache": {},
        "timings": {"send": 0, "wait": seen.time_ms, "receive": 0},
    }
    if seen.failure:
        entry["response"]["_error"] = seen.failure
    return entry


def to_entry(seen: ObservedExchange, index: int) -> HarEntry:
    """The exchange in the HAR model, read by the same reader as a file."""
    return entry_from_json(entry_json(seen), index)
