"""The normalised HAR: what the reader produces and the analysis consumes.

Only what the tutor uses is kept. Headers stay ordered `(name, value)` pairs exactly as
recorded, HTTP/2 pseudo-headers (`:authority`, `:path`) included, since a learner may
want to see them; lookups skip nothing and ignore case.

What the analysis asks for again and again (a header by name, the URL's parts, a body
as JSON) is worked out once per object and kept in the instance's `__dict__` (`_once`);
equality ignores it. The reader hands each request and response its header index, built
while the headers are checked.

The classes are plain dataclasses, not frozen ones: nothing changes them once the reader
has built them, and a frozen dataclass's `__init__` sets each field through
`object.__setattr__`, which made building the four or five objects of an entry about
three times as slow (`tutor inspect` builds them for every entry of a file).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import SplitResult, urlsplit

T = TypeVar("T")


class _once(Generic[T]):  # lower case: used as a decorator, like cached_property
    """A property computed on first use and then read from the instance's `__dict__`.

    functools.cached_property does the same but takes a lock on every first use in
    Python 3.11, a measurable cost at several properties per HAR entry."""

    def __init__(self, compute: Callable[[Any], T]) -> None:
        self._compute = compute
        self._name = compute.__name__
        self.__doc__ = compute.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    def __get__(self, instance: object, owner: type | None = None) -> T:
        value = self._compute(instance)
        instance.__dict__[self._name] = value  # the instance's own value wins from now on
        return value

Header = tuple[str, str]
"""One header or query parameter: (name, value), in recorded order."""


class HarError(Exception):
    """A HAR file that cannot be read, with where (`entries[3].request.url`) and what."""

    def __init__(self, where: str, problem: str) -> None:
        self.where = where
        self.problem = problem
        super().__init__(f"{where}: {problem}" if where else problem)


def header_values(headers: tuple[Header, ...], name: str) -> list[str]:
    """Every value of header `name`, case-insensitively, in order."""
    wanted = name.lower()
    return [value for key, value in headers if key.lower() == wanted]


def header_index(headers: tuple[Header, ...]) -> dict[str, list[str]]:
    """Lower-cased header name → its values in order: one pass, then lookups are cheap."""
    index: dict[str, list[str]] = {}
    for key, value in headers:
        lowered = key.lower()
        if lowered in index:
            index[lowered].append(value)
        else:
            index[lowered] = [value]
    return index


_NO_VALUES: list[str] = []


@dataclass
class HarBody:
    """A request's postData or a response's content, decoded."""

    mime_type: str = ""
    data: bytes = b""
    """The body bytes (base64 already decoded)."""
    params: tuple[Header, ...] = ()
    """postData.params as recorded (form fields), when the exporter gave them."""

    @_once
    def text(self) -> str | None:
        """The body as UTF-8 text, or None when it is binary."""
        try:
            return self.data.decode("utf-8")
        except UnicodeDecodeError:
            return None

    @_once
    def json(self) -> Any:
        """The body parsed as JSON (parsed once), or None when it is not JSON."""
        if not self.data or self.data.lstrip()[:1] not in (b"{", b"["):
            return None
        text = self.text
        if text is None:
            return None
        try:
            return json.loads(text)
        except (ValueError, RecursionError):
            return None


@dataclass
class HarRequest:
    """What the client sent."""

    method: str
    url: str
    http_version: str = ""
    headers: tuple[Header, ...] = ()
    cookies: tuple[Header, ...] = ()
    """request.cookies as the exporter listed them (name, value)."""
    query: tuple[Header, ...] = ()
    body: HarBody | None = None
    by_name: dict[str, list[str]] | None = field(default=None, compare=False, repr=False)
    """`headers` indexed by lower-cased name (built on first use when not given)."""

    def header_values(self, name: str) -> list[str]:
        """Every value of a header, case-insensitively (do not change the list)."""
        index = self.by_name
        if index is None:
            index = self.by_name = header_index(self.headers)
        return index.get(name.lower(), _NO_VALUES)

    def header(self, name: str) -> str | None:
        """The first value of a header, or None."""
        values = self.header_values(name)
        return values[0] if values else None

    @_once
    def url_parts(self) -> SplitResult:
        """The URL split into its parts (once)."""
        return urlsplit(self.url)

    @_once
    def host(self) -> str:
        """The URL's host name, lower-cased ("" when the URL has none)."""
        return (self.url_parts.hostname or "").lower()

    @_once
    def path(self) -> str:
        """The URL's path ("/" when empty)."""
        return self.url_parts.path or "/"

    @property
    def path_and_query(self) -> str:
        """Path plus "?query" as it would appear on the request line."""
        parts = self.url_parts
        return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


@dataclass
class HarResponse:
    """What the server answered (status 0: the request failed or was blocked)."""

    status: int
    status_text: str = ""
    http_version: str = ""
    headers: tuple[Header, ...] = ()
    cookies: tuple[dict[str, object], ...] = ()
    """response.cookies as the exporter listed them; used only when the Set-Cookie
    headers were stripped (sanitised exports)."""
    body: HarBody | None = None
    redirect_url: str = ""
    by_name: dict[str, list[str]] | None = field(default=None, compare=False, repr=False)
    """`headers` indexed by lower-cased name (built on first use when not given)."""

    def header_values(self, name: str) -> list[str]:
        """Every value of a header, case-insensitively (do not change the list)."""
        index = self.by_name
        if index is None:
            index = self.by_name = header_index(self.headers)
        return index.get(name.lower(), _NO_VALUES)

    def header(self, name: str) -> str | None:
        """The first value of a header, or None."""
        values = self.header_values(name)
        return values[0] if values else None


@dataclass
class HarEntry:
    """One exchange of the recording."""

    index: int
    """0-based position in log.entries."""
    request: HarRequest
    response: HarResponse
    started: float | None = None
    """startedDateTime as Unix time; None when missing or unreadable."""
    time_ms: float = 0.0
    """Total time of the exchange in milliseconds, as recorded."""


@dataclass(frozen=True)
class Har:
    """A whole HAR file."""

    entries: tuple[HarEntry, ...]
    version: str = ""
    creator: str = ""
    """creator.name plus its version, for display."""
