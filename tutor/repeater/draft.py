"""`RequestDraft`: a request the learner can edit and send again.

A draft is made from a recorded exchange (or typed, or parsed from curl), changed one
part at a time, and checked before it is sent: a bad method, header name or value is a
clear message naming the part, never a failure deep inside the HTTP library.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from tutor.browser.events import Exchange, RecordedRequest

# RFC 9110 §5.6.2: methods and header names are "tokens" made of these characters.
TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
# Headers the HTTP client computes from the URL and body; a draft never carries them.
COMPUTED_HEADERS = frozenset({"host", "content-length", "transfer-encoding"})
COOKIE_HEADER = "cookie"
# RFC 6265 §4.1.1 cookie-octet: visible ASCII except DQUOTE, comma, semicolon, backslash.
_COOKIE_OCTET = re.compile(r'^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*$')

Pairs = tuple[tuple[str, str], ...]


class DraftError(ValueError):
    """A draft cannot be sent; the message lists each problem and where it is."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class RequestDraft:
    """A request as the learner edits it: every part plain text, in order."""

    method: str = "GET"
    path: str = "/"
    """Path and query on the mock server, starting with `/` (the site is the sandbox's)."""
    headers: Pairs = ()
    """(name, value) pairs in the order they are sent; Cookie lives in `cookies`."""
    cookies: Pairs = ()
    """(name, value) pairs sent together in one Cookie header."""
    body: str = ""

    # --- making drafts -----------------------------------------------------------------

    @classmethod
    def from_request(cls, request: RecordedRequest) -> RequestDraft:
        """The draft of a recorded request (computed headers dropped, cookies split out)."""
        parts = urlsplit(request.url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers: list[tuple[str, str]] = []
        cookies: list[tuple[str, str]] = []
        for name, value in request.headers:
            lowered = name.lower()
            if lowered == COOKIE_HEADER:
                cookies += parse_cookie_header(value)
            elif lowered not in COMPUTED_HEADERS:
                headers.append((_display_name(name), value))
        body = request.body.decode("utf-8", "replace")
        return cls(request.method, path, tuple(headers), tuple(cookies), body)

    @classmethod
    def from_exchange(cls, exchange: Exchange) -> RequestDraft:
        """The draft of an exchange's request."""
        return cls.from_request(exchange.request)

    # --- editing (drafts are immutable: each edit returns a new one) -------------------------

    def with_method(self, method: str) -> RequestDraft:
        """The same draft with another method."""
        return dataclasses.replace(self, method=method)

    def with_path(self, path: str) -> RequestDraft:
        """The same draft aimed at another path (and query)."""
        return dataclasses.replace(self, path=path)

    def with_body(self, body: str) -> RequestDraft:
        """The same draft with another body."""
        return dataclasses.replace(self, body=body)

    def with_header(self, name: str, value: str) -> RequestDraft:
        """Set a header: replace its first occurrence in place, or add it at the end."""
        if name.lower() == COOKIE_HEADER:
            return dataclasses.replace(self, cookies=tuple(parse_cookie_header(value)))
        return dataclasses.replace(self, headers=_set_pair(self.headers, name, value, True))

    def without_header(self, name: str) -> RequestDraft:
        """Remove every occurrence of a header."""
        if name.lower() == COOKIE_HEADER:
            return dataclasses.replace(self, cookies=())
        kept = tuple((k, v) for k, v in self.headers if k.lower() != name.lower())
        return dataclasses.replace(self, headers=kept)

    def with_cookie(self, name: str, value: str) -> RequestDraft:
        """Set a cookie: replace it in place, or add it at the end."""
        return dataclasses.replace(self, cookies=_set_pair(self.cookies, name, value, False))

    def without_cookie(self, name: str) -> RequestDraft:
        """Stop sending a cookie."""
        return dataclasses.replace(self, cookies=tuple((k, v) for k, v in self.cookies
                                                       if k != name))

    # --- reading ---------------------------------------------------------------------------

    def header(self, name: str) -> str | None:
        """The first value of a header, case-insensitively (Cookie included)."""
        if name.lower() == COOKIE_HEADER:
            return self.cookie_header()
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def cookie_header(self) -> str | None:
        """The Cookie header these cookies make, or None without cookies."""
        if not self.cookies:
            return None
        return "; ".join(f"{name}={value}" for name, value in self.cookies)

    def wire_headers(self) -> list[tuple[str, str]]:
        """Every header as sent: the listed ones, then Cookie."""
        headers = list(self.headers)
        cookie = self.cookie_header()
        if cookie is not None:
            headers.append(("Cookie", cookie))
        return headers

    def body_bytes(self) -> bytes | None:
        """The body as UTF-8 bytes, or None when there is no body."""
        return self.body.encode("utf-8") if self.body else None

    def summary(self) -> str:
        """`POST /login` and what credential goes along, for a timeline line."""
        carried = []
        if self.cookies:
            carried.append("cookie " + ", ".join(name for name, _ in self.cookies))
        auth = self.header("authorization")
        if auth:
            carried.append(auth.split(" ", 1)[0].lower())
        return f"{self.method} {self.path}" + (f" ({'; '.join(carried)})" if carried else "")

    # --- checking --------------------------------------------------------------------------

    def problems(self) -> list[str]:
        """Everything that stops this draft from being sent, each naming where."""
        found: list[str] = []
        if not TOKEN.match(self.method):
            found.append(f"method {self.method!r}: a method is one word of letters, digits "
                         "and !#$%&'*+-.^_`|~ (RFC 9110 §9.1), such as GET or POST")
        found += _path_problems(self.path)
        for index, (name, value) in enumerate(self.headers, 1):
            where = f"header {index} ({name!r})" if name else f"header {index}"
            if not TOKEN.match(name):
                found.append(f"{where}: a header name is one word of letters, digits and "
                             "!#$%&'*+-.^_`|~, with no spaces or colon (RFC 9110 §5.1)")
            if problem := _value_problem(value):
                found.append(f"{where}: the value {problem}")
        for index, (name, value) in enumerate(self.cookies, 1):
            where = f"cookie {index} ({name!r})" if name else f"cookie {index}"
            if not TOKEN.match(name):
                found.append(f"{where}: a cookie name is one word with no spaces, '=' or ';' "
                             "(RFC 6265 §4.1.1)")
            if not _COOKIE_OCTET.match(value):
                found.append(f"{where}: the value may hold only visible ASCII without "
                             "spaces, quotes, commas, semicolons or backslashes "
                             "(RFC 6265 §4.1.1); base64url-encode anything else")
        return found

    def validate(self) -> RequestDraft:
        """This draft, or `DraftError` listing every problem."""
        found = self.problems()
        if found:
            raise DraftError(found)
        return self


def parse_cookie_header(value: str) -> list[tuple[str, str]]:
    """`a=1; b=2` as [(a, 1), (b, 2)]; a part without `=` is a cookie with no name's value."""
    pairs: list[tuple[str, str]] = []
    for part in value.split(";"):
        part = part.strip()
        if not part:
            continue
        name, sep, cookie_value = part.partition("=")
        pairs.append((name.strip(), cookie_value.strip()) if sep else ("", part))
    return pairs


def _set_pair(pairs: Pairs, name: str, value: str, fold_case: bool) -> Pairs:
    def same(other: str) -> bool:
        return other.lower() == name.lower() if fold_case else other == name

    result = list(pairs)
    for index, (key, _) in enumerate(result):
        if same(key):
            result[index] = (key, value)
            return tuple(result)
    return (*pairs, (name, value))


def _display_name(name: str) -> str:
    # httpx records header names lower-cased; show them the way people write them.
    return "-".join(part[:1].upper() + part[1:] for part in name.split("-"))


def _path_problems(path: str) -> list[str]:
    if not path.startswith("/"):
        return [f"path {path!r}: must start with '/' (the site is the sandbox's; write "
                "/admin, not a full URL)"]
    for position, char in enumerate(path):
        if ord(char) > 0x7E or ord(char) <= 0x20:
            what = "a space" if char == " " else f"the character {char!r}"
            return [f"path {path!r}: {what} at position {position} must be "
                    "percent-encoded (RFC 3986 §2.1), e.g. %20 for a space"]
    return []


def _value_problem(value: str) -> str | None:
    for position, char in enumerate(value):
        if char in "\r\n\0":
            return (f"has a line break or NUL at position {position}: one header value "
                    "is one line (RFC 9110 §5.5)")
        if ord(char) > 0x7F:
            return (f"has the non-ASCII character {char!r} at position {position}: header "
                    "values are ASCII; percent-encode or base64 the text")
        if (ord(char) < 0x20 and char != "\t") or ord(char) == 0x7F:
            return f"has a control character at position {position}"
    return None
