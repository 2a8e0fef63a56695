"""What the simulated browser reports: exchanges, cookie-jar changes and storage writes."""

from __future__ import annotations

from dataclasses import dataclass, field

from tutor.browser.cookies import Cookie, RequestContext, SendDecision, StoreDecision


def first_header(headers: tuple[tuple[str, str], ...], name: str) -> str | None:
    """The first value of header `name` (case-insensitive), or None."""
    wanted = name.lower()
    return next((value for key, value in headers if key.lower() == wanted), None)


@dataclass(frozen=True)
class RecordedRequest:
    """A request exactly as the browser sent it."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """The first value of a header, case-insensitively."""
        return first_header(self.headers, name)


@dataclass(frozen=True)
class RecordedResponse:
    """A response exactly as the browser received it."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """The first value of a header, case-insensitively."""
        return first_header(self.headers, name)

    def header_values(self, name: str) -> list[str]:
        """Every value of a header (Set-Cookie may repeat)."""
        wanted = name.lower()
        return [v for k, v in self.headers if k.lower() == wanted]

    @property
    def text(self) -> str:
        """The body as text, with undecodable bytes replaced."""
        return self.body.decode("utf-8", "replace")


@dataclass(frozen=True)
class BrowserEvent:
    """Something happened in one simulated browser."""

    at: float
    browser: str


@dataclass(frozen=True)
class Exchange(BrowserEvent):
    """One HTTP request and its response, with the browser's cookie decisions."""

    request: RecordedRequest
    response: RecordedResponse
    context: RequestContext
    cookies_sent: tuple[SendDecision, ...] = ()
    """Every cookie the jar considered, each sent or withheld, and why."""
    cookies_stored: tuple[StoreDecision, ...] = ()
    """What the jar did with each Set-Cookie of the response."""
    readable_by_script: bool = True
    """False for a cross-origin fetch the server did not allow with CORS: the script
    sees an opaque response, though the server did receive and act on the request."""
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class RequestBlocked(BrowserEvent):
    """The browser refused to send a request (a failed CORS preflight, say)."""

    method: str
    url: str
    reason: str


@dataclass(frozen=True)
class CookieStored(BrowserEvent):
    cookie: Cookie
    replaced: bool


@dataclass(frozen=True)
class CookieRejected(BrowserEvent):
    name: str
    reason: str


@dataclass(frozen=True)
class CookieRemoved(BrowserEvent):
    cookie: Cookie
    reason: str
    """deleted-by-server (Max-Age=0), expired, cleared-by-user, browser-restart, or
    "evicted: ..." (the per-domain limit made room for a newer cookie)."""


@dataclass(frozen=True)
class StorageWritten(BrowserEvent):
    area: str
    """localStorage or sessionStorage."""
    origin: str
    key: str
    value: str | None
    """None when the key was removed."""


@dataclass(frozen=True)
class ScriptRead(BrowserEvent):
    """A page script read something JavaScript can read (for the XSS lessons)."""

    origin: str
    what: str
    """document.cookie, localStorage or sessionStorage."""
    value: str
