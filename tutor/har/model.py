"""The normalised HAR: what the reader produces and the analysis consumes.

Only what the tutor uses is kept. Headers stay ordered `(name, value)` pairs exactly as
recorded, HTTP/2 pseudo-headers (`:authority`, `:path`) included, since a learner may
want to see them; lookups skip nothing and ignore case.

What the analysis asks for again and again (a header by name, the URL's parts, a body
as JSON) is worked out once per object and kept in a slot; equality ignores it.

The classes are plain classes with `__slots__` (`tutor.records.Record`), not dataclasses: `tutor
inspect` builds four or five of them per entry of a file and imports this module on every
run, and a dataclass costs at both ends (a frozen one's `__init__` sets each field through
`object.__setattr__`; making the class compiles its methods, and `dataclasses` imports
`inspect`). Nothing changes them once the reader has built them.
"""

from __future__ import annotations

import binascii
import json
import re
from urllib.parse import SplitResult, urlsplit

from tutor.records import FrozenRecord, Record

# False at run time without importing typing, which would cost every command's start
# (docs/architecture.md, "Start-up"); type checkers take the name as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

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
_UNSET: Any = object()
"""A slot not worked out yet."""

PLAIN_URL = re.compile(r"https?://([A-Za-z0-9.-]*)([/?#][!-~]*)?\Z")
"""A URL whose host and path urlsplit would find where a glance does: a lower-case http(s)
scheme, a host of letters, digits, dots and dashes (no user info, port or brackets), then
only visible ASCII (nothing urlsplit strips or removes). Most recorded URLs."""

_scan_json = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def parse_json(text: str) -> Any:
    """`json.loads(text)`: an object with nothing around it (most bodies and JWT parts)
    goes straight to the decoder's scanner, skipping three Python-level calls; the
    rest, and every error, goes through json.loads itself."""
    if text[:1] == "{" and text[-1:] == "}":
        try:
            value, end = _scan_json(text, 0)
        except StopIteration:
            pass  # not JSON: json.loads raises its usual error
        else:
            if end == len(text):
                return value
    return json.loads(text)


class HarBody(Record):
    """A request's postData or a response's content, decoded."""

    __slots__ = ("_json", "_text", "data", "mime_type", "params")
    _fields = ("mime_type", "data", "params")

    def __init__(self, mime_type: str = "", data: bytes = b"",
                 params: tuple[Header, ...] = ()) -> None:
        self.mime_type = mime_type
        self.data = data
        """The body bytes (base64 already decoded)."""
        self.params = params
        """postData.params as recorded (form fields), when the exporter gave them."""
        self._text: str | None = _UNSET
        self._json: Any = _UNSET

    @property
    def text(self) -> str | None:
        """The body as UTF-8 text, or None when it is binary."""
        text = self._text
        if text is _UNSET:
            try:
                text = self.data.decode("utf-8")
            except UnicodeDecodeError:
                text = None
            self._text = text
        return text

    @property
    def json(self) -> Any:
        """The body parsed as JSON (parsed once), or None when it is not JSON."""
        document = self._json
        if document is _UNSET:
            document = self._json = self._parse()
        return document

    def _parse(self) -> Any:
        if not self.data or self.data.lstrip()[:1] not in (b"{", b"["):
            return None
        text = self.text
        if text is None:
            return None
        try:
            return parse_json(text)
        except (ValueError, RecursionError):
            return None


MEDIA_TYPES = ("image/", "audio/", "video/", "font/")
"""Media types whose bodies hold no credential the analysis could find."""


def is_media_type(mime_type: str) -> bool:
    """An image, a sound, a video or a font."""
    return mime_type.lower().startswith(MEDIA_TYPES)


def decode_base64(text: str, where: str) -> bytes:
    """content.text given as base64, decoded (line-wrapped base64 is common enough to
    accept); anything else is a HarError at `where`."""
    try:
        # base64.b64decode(..., validate=True) is this call (its module is not imported).
        return binascii.a2b_base64(text.encode("ascii"), strict_mode=True)
    except (binascii.Error, UnicodeEncodeError):
        try:
            return binascii.a2b_base64("".join(text.split()).encode("ascii"),
                                       strict_mode=True)
        except (binascii.Error, UnicodeEncodeError):
            raise HarError(where, "content.encoding is base64 but the text is not valid "
                           "base64") from None


class MediaBody(HarBody):
    """A media response body given as base64, decoded only when `data` is first read.

    `tutor inspect` reads HAR files this way: the analysis never looks into an image,
    a sound, a video or a font, and base64 decoding runs at a few nanoseconds a byte
    (about 3% of its instructions on the benchmark's recording and on a Chrome export,
    more on a recording of images). So it does not check their base64 either; reading
    `data` does, and raises the HarError a whole-file read would have raised."""

    __slots__ = ("_decoded", "_encoded", "_where")

    def __init__(self, mime_type: str, encoded: str, where: str) -> None:
        super().__init__(mime_type)
        self._encoded: str | None = encoded
        self._where = where

    @property
    def data(self) -> bytes:
        """The body bytes, decoded on first use."""
        if self._encoded is not None:
            self._decoded = decode_base64(self._encoded, self._where)
            self._encoded = None
        return self._decoded

    @data.setter
    def data(self, value: bytes) -> None:
        self._decoded = value
        self._encoded = None

    def __eq__(self, other: object) -> bool:
        # The same body as a HarBody with these bytes, however it was read.
        if not isinstance(other, HarBody):
            return NotImplemented
        return self._values() == other._values()


class _Message(Record):
    """What requests and responses share: headers, looked up by name."""

    __slots__ = ("by_name", "headers")

    headers: tuple[Header, ...]
    by_name: dict[str, list[str]] | None
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


class HarRequest(_Message):
    """What the client sent."""

    __slots__ = ("_host", "_parts", "_path", "body", "cookies", "http_version", "method",
                 "query", "url")
    _fields = ("method", "url", "http_version", "headers", "cookies", "query", "body")

    def __init__(self, method: str, url: str, http_version: str = "",
                 headers: tuple[Header, ...] = (), cookies: tuple[Header, ...] = (),
                 query: tuple[Header, ...] = (), body: HarBody | None = None,
                 by_name: dict[str, list[str]] | None = None) -> None:
        self.method = method
        self.url = url
        self.http_version = http_version
        self.headers = headers
        self.cookies = cookies
        """request.cookies as the exporter listed them (name, value)."""
        self.query = query
        self.body = body
        self.by_name = by_name
        self._parts: SplitResult | None = None
        self._host: str | None = None
        self._path: str | None = None

    @property
    def url_parts(self) -> SplitResult:
        """The URL split into its parts (once)."""
        parts = self._parts
        if parts is None:
            parts = self._parts = urlsplit(self.url)
        return parts

    @property
    def host(self) -> str:
        """The URL's host name, lower-cased ("" when the URL has none)."""
        host = self._host
        if host is None:
            host = self._split()[0]
        return host

    @property
    def path(self) -> str:
        """The URL's path ("/" when empty)."""
        path = self._path
        if path is None:
            path = self._split()[1]
        return path

    def _split(self) -> tuple[str, str]:
        """Host and path, read at a glance from a plain URL, else from urlsplit's parts
        (every request's are asked for: urlsplit was a tenth of `tutor inspect`)."""
        plain = PLAIN_URL.match(self.url)
        if plain is not None:
            return self.take_plain(plain)
        parts = self.url_parts
        host = self._host = (parts.hostname or "").lower()
        path = self._path = parts.path or "/"
        return host, path

    def take_plain(self, plain: re.Match[str]) -> tuple[str, str]:
        """Host and path from `PLAIN_URL`'s match of the URL (the reader has it already)."""
        rest = plain.group(2)
        host = self._host = plain.group(1).lower()
        path = self._path = (rest.partition("#")[0].partition("?")[0] if rest else "") or "/"
        return host, path

    @property
    def path_and_query(self) -> str:
        """Path plus "?query" as it would appear on the request line."""
        parts = self.url_parts
        return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


class HarResponse(_Message):
    """What the server answered (status 0: the request failed or was blocked)."""

    __slots__ = ("body", "cookies", "http_version", "redirect_url", "status", "status_text")
    _fields = ("status", "status_text", "http_version", "headers", "cookies", "body",
               "redirect_url")

    def __init__(self, status: int, status_text: str = "", http_version: str = "",
                 headers: tuple[Header, ...] = (),
                 cookies: tuple[dict[str, object], ...] = (), body: HarBody | None = None,
                 redirect_url: str = "", by_name: dict[str, list[str]] | None = None) -> None:
        self.status = status
        self.status_text = status_text
        self.http_version = http_version
        self.headers = headers
        self.cookies = cookies
        """response.cookies as the exporter listed them; used only when the Set-Cookie
        headers were stripped (sanitised exports)."""
        self.body = body
        self.redirect_url = redirect_url
        self.by_name = by_name


class HarEntry(Record):
    """One exchange of the recording."""

    __slots__ = ("_started", "index", "request", "response", "time_ms")
    _fields = ("index", "request", "response", "started", "time_ms")

    def __init__(self, index: int, request: HarRequest, response: HarResponse,
                 started: float | str | None = None, time_ms: float = 0.0) -> None:
        self.index = index
        """0-based position in log.entries."""
        self.request = request
        self.response = response
        self._started = started
        """Unix time, or startedDateTime's text until `started` is first asked for."""
        self.time_ms = time_ms
        """Total time of the exchange in milliseconds, as recorded."""

    @property
    def started(self) -> float | None:
        """startedDateTime as Unix time; None when missing or unreadable. Given as text,
        it is parsed on first use: `tutor inspect` needs it only for a Set-Cookie with
        Expires and no Max-Age (parsing every entry's was 2% of its instructions)."""
        started = self._started
        if isinstance(started, str):
            started = self._started = parse_timestamp(started)
        return started


def parse_timestamp(text: str) -> float | None:
    """ISO 8601 → Unix time; an unreadable date is None, not an error (time is optional
    to the analysis, which then falls back to the response's Date header)."""
    if not text:
        return None
    # Imported on first use: a recording whose times are never asked for never loads it.
    import datetime

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


class Har(FrozenRecord):
    """A whole HAR file."""

    __slots__ = ("creator", "entries", "version")
    _fields = ("entries", "version", "creator")

    def __init__(self, entries: tuple[HarEntry, ...], version: str = "",
                 creator: str = "") -> None:
        self.entries = entries
        self.version = version
        self.creator = creator
        """creator.name plus its version, for display."""
