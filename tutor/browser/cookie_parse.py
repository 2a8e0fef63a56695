"""Reading a Set-Cookie header, following RFC 6265bis §5.6, plus the §5.1 helpers.

Why by hand rather than `http.cookies.SimpleCookie`: SimpleCookie drops the whole header
on values real servers send (spaces, quotes, commas, `@`), follows the old RFC 2109
grammar rather than the lenient §5.6 algorithm browsers use, and knows nothing of
SameSite semantics or the `__Host-`/`__Secure-` prefixes. The parser here never raises:
a line it cannot use becomes a `ParseFailure` whose reason a learner can read.
"""

from __future__ import annotations

import functools
import re

from tutor.browser.sites import is_ip_address
from tutor.records import FrozenRecord

# False at run time without importing typing, which would cost every command's start
# (docs/architecture.md, "Start-up"); type checkers take the name as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Literal

    SameSite = Literal["Strict", "Lax", "None", "Default"]
    """A cookie's SameSite enforcement; "Default" means the attribute was absent or
    unknown."""

MAX_NAME_VALUE_BYTES = 4096
"""6265bis §5.6 step 6: a longer name plus value drops the whole cookie."""

MAX_ATTRIBUTE_VALUE_BYTES = 1024
"""6265bis §5.6 step 4 of the attribute loop: a longer attribute value is ignored."""

# Control characters other than horizontal tab (§5.6 step 1).
_FORBIDDEN_CONTROLS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_WHITESPACE = " \t"

_SAME_SITE_VALUES: dict[str, SameSite] = {"strict": "Strict", "lax": "Lax", "none": "None"}


class ParsedSetCookie(FrozenRecord):
    """What one Set-Cookie line says, before the storage model (§5.7) judges it.

    Never changed once made (a cache may share it). A plain class, not a dataclass:
    `tutor inspect` imports this module on every run, and `dataclasses` (with the
    `inspect` module it loads) was a tenth of that command's start."""

    __slots__ = ("domain", "expires", "http_only", "max_age", "name", "partitioned",
                 "path", "same_site", "secure", "value")
    _fields = ("name", "value", "expires", "max_age", "domain", "path", "secure",
               "http_only", "same_site", "partitioned")

    def __init__(self, name: str, value: str, expires: float | None = None,
                 max_age: int | None = None, domain: str | None = None,
                 path: str | None = None, secure: bool = False, http_only: bool = False,
                 same_site: SameSite = "Default", partitioned: bool = False) -> None:
        self.name = name
        self.value = value
        self.expires = expires
        """The Expires date as Unix time, if a valid one was given."""
        self.max_age = max_age
        """Max-Age in seconds (possibly zero or negative), if a valid one was given."""
        self.domain = domain
        """The Domain attribute, lower-cased, leading dot removed; None when absent."""
        self.path = path
        """The Path attribute as written; None when absent. Not starting with "/" means
        the default path (§5.6.5), which needs the request URL to compute."""
        self.secure = secure
        self.http_only = http_only
        self.same_site: SameSite = same_site
        self.partitioned = partitioned
        """CHIPS (draft-cutler-httpbis-partitioned-cookies): keep it per top-level site."""


class ParseFailure(FrozenRecord):
    """A Set-Cookie line that yields no cookie, and why (never changed once made)."""

    __slots__ = ("name", "reason")
    _fields = ("name", "reason")

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        """The cookie name as far as it could be read ("" when there is none)."""
        self.reason = reason


def parse_set_cookie(line: str) -> ParsedSetCookie | ParseFailure:
    """Parse one Set-Cookie header value (6265bis §5.6).

    Deliberate difference: §5.6 keeps a *nameless* cookie for `Set-Cookie: token` (no
    "=") or `=token`. Browsers then send it as a bare value, which only confuses a
    lesson, so both are refused here with a reason.
    """
    pair, _, unparsed_attributes = line.partition(";")
    guessed_name = pair.partition("=")[0].strip(_WHITESPACE) if "=" in pair else ""
    if _FORBIDDEN_CONTROLS.search(line):
        return ParseFailure(_printable(guessed_name), "contains control characters")
    if "=" not in pair:
        return ParseFailure("", "no '=' in the name=value pair")
    name, _, value = pair.partition("=")
    name = name.strip(_WHITESPACE)
    value = value.strip(_WHITESPACE)
    if not name and not value:
        return ParseFailure("", "empty name and value")
    if not name:
        return ParseFailure("", "empty cookie name")
    size = len(name.encode()) + len(value.encode())
    if size > MAX_NAME_VALUE_BYTES:
        return ParseFailure(
            name, f"name and value are {size} bytes; the limit is {MAX_NAME_VALUE_BYTES}"
        )
    return ParsedSetCookie(name, value, *_attributes(unparsed_attributes))


if TYPE_CHECKING:
    _Attributes = tuple[float | None, int | None, str | None, str | None, bool, bool,
                        SameSite, bool]
    """expires, max_age, domain, path, secure, http_only, same_site, partitioned: the
    fields of ParsedSetCookie after name and value, in its order."""


@functools.lru_cache(maxsize=256)
def _attributes(unparsed: str) -> _Attributes:
    """The attribute loop of §5.6: case-insensitive names, the last valid one wins.

    Cached by the attributes' text: a server sends the same attributes with every value
    it sets (a recording's logins differ only in the session id)."""
    expires: float | None = None
    max_age: int | None = None
    domain: str | None = None
    path: str | None = None
    secure = http_only = partitioned = False
    same_site: SameSite = "Default"
    for cookie_av in unparsed.split(";"):
        attr_name, _, attr_value = cookie_av.partition("=")
        attr_name = attr_name.strip(_WHITESPACE).lower()
        attr_value = attr_value.strip(_WHITESPACE)
        if len(attr_value.encode()) > MAX_ATTRIBUTE_VALUE_BYTES:
            continue
        if attr_name == "expires":
            # §5.6.1: an unparseable date is ignored, keeping any earlier valid one.
            parsed_date = parse_cookie_date(attr_value)
            if parsed_date is not None:
                expires = parsed_date
        elif attr_name == "max-age":
            # §5.6.2: an optional "-" then digits only; anything else is ignored.
            if re.fullmatch(r"-?[0-9]+", attr_value):
                max_age = int(attr_value)
        elif attr_name == "domain":
            # §5.6.3: an empty Domain is ignored rather than meaning "this host".
            if attr_value:
                domain = attr_value.removeprefix(".").lower()
        elif attr_name == "path":
            path = attr_value
        elif attr_name == "secure":
            secure = True
        elif attr_name == "httponly":
            http_only = True
        elif attr_name == "partitioned":
            partitioned = True
        elif attr_name == "samesite":
            # §5.6.7: an unrecognised value means "Default", not "keep the previous one".
            same_site = _SAME_SITE_VALUES.get(attr_value.lower(), "Default")
        # Unknown attributes (Priority, typos) are ignored, as §5.6 says.
    return expires, max_age, domain, path, secure, http_only, same_site, partitioned


def _printable(text: str) -> str:
    return _FORBIDDEN_CONTROLS.sub("?", text)


# --- §5.1.1 dates -------------------------------------------------------------------------

# Delimiters of the cookie-date grammar: everything but digits, letters, ":" and controls.
_DATE_DELIMITERS = re.compile(r"[\x09\x20-\x2f\x3b-\x40\x5b-\x60\x7b-\x7e]+")
_TIME = re.compile(r"([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:[^0-9].*)?", re.DOTALL)
_DAY = re.compile(r"([0-9]{1,2})(?:[^0-9].*)?", re.DOTALL)
_YEAR = re.compile(r"([0-9]{2,4})(?:[^0-9].*)?", re.DOTALL)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def parse_cookie_date(text: str) -> float | None:
    """An Expires value as Unix time, by the cookie-date algorithm of 6265bis §5.1.1.

    Not `http.cookiejar.http2time`: for two-digit years it picks the century from the
    machine's wall clock, while §5.1.1 fixes it (70-99 → 19xx, 00-69 → 20xx), and the
    tutor must never read the wall clock.
    """
    time_of_day: tuple[int, int, int] | None = None
    day: int | None = None
    month: int | None = None
    year: int | None = None
    for token in _DATE_DELIMITERS.split(text):
        if not token:
            continue
        if time_of_day is None and (match := _TIME.fullmatch(token)):
            time_of_day = (int(match[1]), int(match[2]), int(match[3]))
        elif day is None and (match := _DAY.fullmatch(token)):
            day = int(match[1])
        elif month is None and token[:3].lower() in _MONTHS:
            month = _MONTHS.index(token[:3].lower()) + 1
        elif year is None and (match := _YEAR.fullmatch(token)):
            year = int(match[1])
    if time_of_day is None or day is None or month is None or year is None:
        return None
    if 70 <= year <= 99:
        year += 1900
    elif 0 <= year <= 69:
        year += 2000
    hour, minute, second = time_of_day
    if not 1 <= day <= 31 or year < 1601 or hour > 23 or minute > 59 or second > 59:
        return None
    # Imported here: most Set-Cookie lines give no Expires (or Max-Age, which wins), and
    # `tutor inspect` imports this module on every run.
    import datetime

    try:
        moment = datetime.datetime(year, month, day, hour, minute, second,
                                   tzinfo=datetime.UTC)
    except ValueError:  # 31 February and the like
        return None
    # An aware moment's timestamp is plain arithmetic (calendar.timegm's result, without
    # importing calendar, a tenth of `tutor inspect`'s start).
    return moment.timestamp()


# --- §5.1.4 paths -------------------------------------------------------------------------


def default_path(uri_path: str) -> str:
    """The path a cookie gets when Set-Cookie has no usable Path (6265bis §5.1.4).

    The request path up to, not including, its last "/"; "/" for "/" or "/login".
    """
    if not uri_path.startswith("/") or uri_path.count("/") <= 1:
        return "/"
    return uri_path[: uri_path.rindex("/")]


def path_matches(request_path: str, cookie_path: str) -> bool:
    """Whether a request for `request_path` may carry a cookie scoped to `cookie_path`.

    6265bis §5.1.4: equal, or `cookie_path` is a prefix that ends in "/" or is followed
    by "/" in the request path. So "/admin" matches "/admin/users" but not "/administer".
    """
    if request_path == cookie_path:
        return True
    if not request_path.startswith(cookie_path):
        return False
    return cookie_path.endswith("/") or request_path[len(cookie_path)] == "/"


# --- §5.1.3 domains -----------------------------------------------------------------------


def domain_matches(host: str, domain: str) -> bool:
    """Whether `host` is `domain` or a subdomain of it (6265bis §5.1.3).

    IP addresses only match themselves: "1.127.0.0.1" is not a subdomain of anything.
    """
    if host == domain:
        return True
    return host.endswith("." + domain) and not is_ip_address(host)
