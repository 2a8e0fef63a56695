"""Small hand-built HARs for the tests."""

from __future__ import annotations

import base64
import json
from typing import Any

import jwt

T0 = "2026-01-01T00:00:00.000Z"
SECRET = "a-test-secret-that-is-long-enough-for-hs256"


def token(**claims: Any) -> str:
    """An HS256 JWT with `claims`."""
    return jwt.encode({"sub": "alice", **claims}, SECRET, algorithm="HS256")


def headers(**named: str) -> list[dict[str, str]]:
    """HAR headers from keyword arguments (underscores become dashes)."""
    return [{"name": k.replace("_", "-"), "value": v} for k, v in named.items()]


def entry(method: str = "GET", url: str = "https://bank.test/", status: int = 200, *,
          request_headers: list[dict[str, str]] | None = None,
          response_headers: list[dict[str, str]] | None = None,
          post: dict[str, Any] | None = None, body: str | None = None,
          mime: str = "text/html", started: str = T0) -> dict[str, Any]:
    """One HAR entry with just the fields a real export always has."""
    request: dict[str, Any] = {"method": method, "url": url, "httpVersion": "HTTP/1.1",
                               "headers": request_headers or [], "cookies": [],
                               "queryString": [], "headersSize": -1, "bodySize": 0}
    if post is not None:
        request["postData"] = post
    content: dict[str, Any] = {"size": len(body or ""), "mimeType": mime}
    if body is not None:
        content["text"] = body
    return {"startedDateTime": started, "time": 1, "request": request,
            "response": {"status": status, "statusText": "", "httpVersion": "HTTP/1.1",
                         "headers": response_headers or [], "cookies": [],
                         "content": content, "redirectURL": "", "headersSize": -1,
                         "bodySize": -1},
            "cache": {}, "timings": {"send": 0, "wait": 1, "receive": 0}}


def har(*entries: dict[str, Any]) -> dict[str, Any]:
    """A HAR document."""
    return {"log": {"version": "1.2", "creator": {"name": "test", "version": "1"},
                    "entries": list(entries)}}


def har_bytes(*entries: dict[str, Any]) -> bytes:
    """A HAR document as UTF-8 JSON."""
    return json.dumps(har(*entries)).encode()


def basic(user: str, password: str) -> str:
    """An Authorization: Basic value."""
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def form(**fields: str) -> dict[str, Any]:
    """A form postData with params, as Chrome writes it."""
    text = "&".join(f"{k}={v}" for k, v in fields.items())
    return {"mimeType": "application/x-www-form-urlencoded", "text": text,
            "params": [{"name": k, "value": v} for k, v in fields.items()]}


LOGIN_PAGE = '<form method=post action=/login><input name=username>' \
             '<input type="password" name=password></form>'


def cookie_login_flow(reuse_status: int = 200) -> list[dict[str, Any]]:
    """Open the page, log in, use the cookie, log out, then replay the old cookie."""
    sid = "s3cr3t-session-id-0123456789"
    return [
        entry(body=LOGIN_PAGE),
        entry("POST", "https://bank.test/login", 303, post=form(username="alice",
                                                                  password="wonderland"),
              response_headers=headers(set_cookie=f"sid={sid}; Path=/; HttpOnly; Secure; "
                                       "SameSite=Lax", location="/profile")),
        entry(url="https://bank.test/profile", request_headers=headers(cookie=f"sid={sid}")),
        entry("POST", "https://bank.test/logout", 200,
              request_headers=headers(cookie=f"sid={sid}"),
              response_headers=headers(set_cookie="sid=; Path=/; Max-Age=0")),
        entry(url="https://bank.test/profile", status=reuse_status,
              request_headers=headers(cookie=f"sid={sid}")),
    ]
