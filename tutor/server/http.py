"""Small HTTP helpers shared by the routes: problem responses, cookies, body parsing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request, cookie_parser
from starlette.responses import JSONResponse as StarletteJSONResponse

MAX_BODY_BYTES = 16 * 1024
REALM = "tutor"


# Starlette's own settings (UTF-8 as is, no NaN, no spaces), in one encoder made once:
# its JSONResponse makes a new encoder for every response it renders.
_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))


class JSONResponse(StarletteJSONResponse):
    """Starlette's JSONResponse, byte for byte, rendered by an encoder made once."""

    def render(self, content: Any) -> bytes:
        return _ENCODER.encode(content).encode("utf-8")


# Not frozen: Starlette's exception handling clears `__traceback__` on the instance
# after answering, which a frozen dataclass would refuse. eq=False keeps the identity
# hash exceptions are expected to have.
@dataclass(eq=False)
class Problem(Exception):
    """An error the client caused: turned into a JSON response with a clear reason.

    Raised anywhere in a route; the app's exception handler answers with `response()`.
    """

    status: int
    error: str
    description: str
    challenge: str | None = None
    """The WWW-Authenticate value (every 401 carries one: RFC 9110 §15.5.2)."""
    stage: str | None = None
    """For token failures: decode, algorithm, key, signature, claims or revocation."""
    retry_after: int | None = None
    """Seconds to wait before trying again (429 and 503 send it as `Retry-After`)."""

    def response(self) -> JSONResponse:
        """The JSON body (RFC 6750-style `error` and `error_description`) and headers."""
        body: dict[str, Any] = {"error": self.error, "error_description": self.description}
        if self.stage:
            body["stage"] = self.stage
        headers = {"Cache-Control": "no-store"}
        if self.challenge:
            headers["WWW-Authenticate"] = self.challenge
        if self.retry_after is not None:
            headers["Retry-After"] = str(self.retry_after)
            body["retry_after"] = self.retry_after
        return JSONResponse(body, status_code=self.status, headers=headers)


def header_value(request: Request, name: bytes) -> str | None:
    """The first value of the header `name` (lower case), as `request.headers.get` gives it.

    Read straight from the ASGI scope, where names are already lower case: building
    Starlette's Headers object costs more than the rest of reading a cached credential.
    """
    for key, value in request.scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def authorization(request: Request) -> tuple[str, str]:
    """The Authorization header's scheme (lower-cased) and credential (stripped): `("",
    "")` when there is none."""
    scheme, _, credential = (header_value(request, b"authorization") or "").partition(" ")
    return scheme.lower(), credential.strip()


def cookie_value(request: Request, name: str) -> str | None:
    """The cookie `name`, parsed as `request.cookies` parses it (Starlette's parser, so of
    two cookies with one name the last wins there and here), from the first Cookie header."""
    header = header_value(request, b"cookie")
    return cookie_parser(header).get(name) if header else None


def bearer_challenge(error: str | None = None, description: str = "", **extra: str) -> str:
    """A `Bearer` challenge; no error code when the request carried no token (RFC 6750 §3.1)."""
    params = [f'realm="{REALM}"']
    if error:
        params.append(f'error="{error}"')
        if description:
            params.append(f'error_description="{_quotable(description)}"')
    params.extend(f'{key}="{_quotable(value)}"' for key, value in extra.items())
    return "Bearer " + ", ".join(params)


def cookie_challenge(cookie_name: str) -> str:
    """No registered scheme exists for cookie logins; ours names the form and the cookie.

    RFC 9110 §15.5.2 requires a challenge on every 401, so cookie modes send this
    non-standard `Cookie` scheme rather than none, or a misleading `Basic` one.
    """
    return f'Cookie realm="{REALM}", form-action="/login", cookie-name="{cookie_name}"'


def _quotable(text: str) -> str:
    return "".join(ch for ch in text if 0x20 <= ord(ch) <= 0x7E and ch not in '"\\')


@dataclass(frozen=True)
class CookieSpec:
    """How the server writes one cookie."""

    name: str
    http_only: bool = True
    secure: bool = False
    same_site: str = "Lax"
    max_age: int | None = None

    def set(self, value: str) -> str:
        """A Set-Cookie value storing `value`."""
        return self._header(value, self.max_age)

    def clear(self) -> str:
        """A Set-Cookie value that makes the browser drop the cookie now (Max-Age=0)."""
        return self._header("", 0)

    def _header(self, value: str, max_age: int | None) -> str:
        # Written by hand rather than through http.cookies, which lower-cases SameSite
        # values and orders attributes unpredictably: learners read these headers.
        parts = [f"{self.name}={value}", "Path=/"]
        if max_age is not None:
            parts.append(f"Max-Age={max_age}")
        if self.secure:
            parts.append("Secure")
        if self.http_only:
            parts.append("HttpOnly")
        parts.append(f"SameSite={self.same_site}")
        return "; ".join(parts)


async def read_fields(request: Request, names: tuple[str, ...]) -> tuple[dict[str, str], bool]:
    """String fields from a JSON or form body, and whether it was a form post."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await _read_body(request)
    if content_type == "application/json":
        try:
            data = json.loads(body)
        except (UnicodeDecodeError, ValueError):
            raise Problem(400, "invalid_request", "body is not valid JSON") from None
        except RecursionError:
            # A 16 KiB body can still nest arrays deeper than the parser's recursion limit.
            raise Problem(400, "invalid_request", "JSON body is nested too deeply") from None
        if not isinstance(data, dict):
            raise Problem(400, "invalid_request", "JSON body must be an object")
        is_form = False
    elif content_type == "application/x-www-form-urlencoded":
        try:
            data = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except (UnicodeDecodeError, ValueError):
            raise Problem(400, "invalid_request", "form body is not valid UTF-8") from None
        is_form = True
    else:
        raise Problem(
            415,
            "unsupported_media_type",
            "send application/json or application/x-www-form-urlencoded",
        )
    fields: dict[str, str] = {}
    for name in names:
        value = data.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise Problem(400, "invalid_request", f"field {name!r} must be a string")
        fields[name] = value
    return fields, is_form


async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise Problem(413, "payload_too_large", f"body is larger than {MAX_BODY_BYTES} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise Problem(413, "payload_too_large", f"body is larger than {MAX_BODY_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def own_origin(request: Request) -> str:
    """scheme://host[:port] of this server as the request addressed it."""
    scheme = request.scope.get("scheme", "http")
    host = request.headers.get("host", "")
    return f"{scheme}://{host}"
