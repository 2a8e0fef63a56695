"""Finding credentials in one exchange: cookies and Authorization sent, cookies set, JWTs.

Every value found here is a secret of the person who recorded the HAR. The records
keep the raw value for the analysis (to tell one session id from another) but the
renderers never print it whole, and the JSON never contains it.

JWTs are decoded here without a library: a token's header and claims are base64url
JSON (RFC 7519 §7.2), and since nothing is verified (every token is shown as
UNVERIFIED) PyJWT would only add its import time and its checks of a signature it skips.
"""

from __future__ import annotations

import binascii
import functools
import re
from collections.abc import Iterable, Iterator
from urllib.parse import SplitResult, parse_qsl, unquote, urlsplit

from tutor.browser.cookie_parse import ParsedSetCookie, parse_set_cookie
from tutor.har.model import HarBody, HarEntry, HarRequest, is_media_type, parse_json
from tutor.records import FrozenRecord
from tutor.redaction import JWT_WHOLE, find_jwts, url_secrets

# False at run time without importing typing, which would cost every command's start
# (docs/architecture.md, "Start-up"); type checkers take the name as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Literal

    CredentialType = Literal["cookie", "bearer", "basic"]

# Searched in the lower-cased name (one pass each instead of a test per word).
_SESSION_HINTS = re.compile("sess|sid|auth|token|jwt|login|remember|identity|access|"
                            "refresh|user")
_NOT_CREDENTIALS = re.compile("csrf|xsrf|consent|theme|lang|_ga|_gid")
_SECRET_FIELDS = re.compile(r"pass(word|wd)?|pwd|secret|passphrase", re.IGNORECASE)
_TOKEN_FIELDS = re.compile(r"(access|id|refresh|auth)?_?token|jwt|session(_?id)?|sid",
                           re.IGNORECASE)


class SentCredential(FrozenRecord):
    """A credential the client sent with a request."""

    __slots__ = ("name", "type", "user", "value")
    _fields = ("type", "name", "value", "user")

    def __init__(self, type: CredentialType, name: str, value: str,  # noqa: A002
                 user: str | None = None) -> None:
        self.type = type
        self.name = name
        """The cookie name, or "Authorization" for bearer and basic."""
        self.value = value
        """The raw secret (never printed whole, never in the JSON)."""
        self.user = user
        """The user name of a Basic credential."""


class CookieSet(FrozenRecord):
    """One Set-Cookie of a response."""

    __slots__ = ("cleared", "name", "parsed", "rejected", "value")
    _fields = ("name", "value", "parsed", "cleared", "rejected")

    def __init__(self, name: str, value: str, parsed: ParsedSetCookie | None, cleared: bool,
                 rejected: str | None = None) -> None:
        self.name = name
        self.value = value
        self.parsed = parsed
        """None when the line yields no cookie (then `rejected` says why)."""
        self.cleared = cleared
        self.rejected = rejected

    def attributes(self) -> dict[str, Any]:
        """The parsed attributes, JSON-ready (names as in ParsedSetCookie)."""
        if self.parsed is None:
            return {}
        cookie = self.parsed
        return {"domain": cookie.domain, "path": cookie.path, "expires": cookie.expires,
                "max_age": cookie.max_age, "secure": cookie.secure,
                "http_only": cookie.http_only, "same_site": cookie.same_site}


class FoundToken(FrozenRecord):
    """A JWT found in an exchange, decoded without checking its signature."""

    __slots__ = ("claims", "header", "location", "value")
    _fields = ("location", "header", "claims", "value")

    def __init__(self, location: str, header: dict[str, Any], claims: dict[str, Any],
                 value: str) -> None:
        self.location = location
        self.header = header
        self.claims = claims
        self.value = value


def looks_like_session(name: str, value: str = "") -> bool:
    """Whether a cookie looks like it carries a login (a guess from its name or value)."""
    says = _name_says_session(name)
    return says if says is not None else JWT_WHOLE.match(value) is not None


def may_carry_login(name: str) -> bool:
    """Whether a cookie of this name may carry a login (not a theme, consent, CSRF or
    analytics cookie): a login's answer that sets one hands out a credential."""
    return _name_says_session(name) is not False


@functools.lru_cache(maxsize=1024)
def _name_says_session(name: str) -> bool | None:
    """What a cookie's name alone says (None: it depends on the value). Cached: a
    recording sends the same few cookie names again and again."""
    lowered = name.lower()
    if _NOT_CREDENTIALS.search(lowered):
        return False
    return True if _SESSION_HINTS.search(lowered) else None


def cookie_pairs(header: str) -> list[tuple[str, str]]:
    """The name=value pairs of a Cookie header (pairs without "=" are skipped)."""
    pairs = []
    for part in header.split(";"):
        name, equals, value = part.strip().partition("=")
        if equals:
            name = name.strip()
            if name:
                pairs.append((name, value.strip().strip('"')))
    return pairs


def sent_credentials(request: HarRequest) -> list[SentCredential]:
    """Cookies (the Cookie headers, else request.cookies) and Authorization sent."""
    found: list[SentCredential] = []
    headers = request.header_values("cookie")
    if headers or request.cookies:
        pairs = []
        for header in headers:
            pairs += cookie_pairs(header)
        if request.cookies:
            seen = {name for name, _ in pairs}
            # Some exporters list cookies only in request.cookies (or strip the header).
            pairs += [(name, value) for name, value in request.cookies if name not in seen]
        found = [SentCredential("cookie", name, value) for name, value in pairs]
    for header in request.header_values("authorization"):
        scheme, _, value = header.strip().partition(" ")
        if scheme.lower() == "bearer":
            found.append(SentCredential("bearer", "Authorization", value.strip()))
        elif scheme.lower() == "basic":
            found.append(SentCredential("basic", "Authorization", value.strip(),
                                        _basic_user(value.strip())))
    return found


def _basic_user(encoded: str) -> str | None:
    try:
        decoded = binascii.a2b_base64(encoded, strict_mode=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return decoded.partition(":")[0]


def set_cookie_lines(entry: HarEntry) -> list[str]:
    """Every Set-Cookie line of the response (Chrome may join several with newlines)."""
    headers = entry.response.header_values("set-cookie")
    if not headers:
        return []
    return [line for header in headers for line in header.split("\n") if line.strip()]


def cookies_set(entry: HarEntry) -> list[CookieSet]:
    """The cookies the response sets or clears, parsed with the browser's own parser."""
    results: list[CookieSet] = []
    lines = set_cookie_lines(entry)
    if not lines:
        if not entry.response.cookies:
            return results  # most responses
        # Sanitised exports strip the header but may keep response.cookies.
        lines = [_line_from_har_cookie(c) for c in entry.response.cookies]
    for line in lines:
        if not line:
            continue
        parsed = _parse_set_cookie(line)
        if isinstance(parsed, ParsedSetCookie):
            now = None
            if parsed.max_age is None and parsed.expires is not None:
                # Only an Expires without Max-Age is judged by the exchange's time (so
                # the entry's startedDateTime is seldom parsed: HarEntry.started).
                now = entry_time(entry)
            results.append(CookieSet(parsed.name, parsed.value, parsed,
                                     is_clearing(parsed, now)))
        else:
            results.append(CookieSet(parsed.name, "", None, False, parsed.reason))
    return results


# Cached: a recording repeats many Set-Cookie lines (a logout's clearing line, consent
# and preference cookies), and the result is immutable, so it can be shared.
_parse_set_cookie = functools.lru_cache(maxsize=1024)(parse_set_cookie)


def is_clearing(cookie: ParsedSetCookie, now: float | None) -> bool:
    """True when this Set-Cookie deletes the cookie rather than storing it (§5.7)."""
    if cookie.max_age is not None:  # Max-Age wins over Expires
        if cookie.max_age <= 0:
            return True
    elif cookie.expires is not None and now is not None and cookie.expires <= now:
        return True
    has_lifetime = cookie.max_age is not None or cookie.expires is not None
    return cookie.value == "" and has_lifetime


def _line_from_har_cookie(cookie: dict[str, object]) -> str:
    name, value = cookie.get("name"), cookie.get("value", "")
    if not isinstance(name, str) or not isinstance(value, str):
        return ""
    parts = [f"{name}={value}"]
    for key, attribute in (("path", "Path"), ("domain", "Domain"), ("expires", "Expires"),
                           ("sameSite", "SameSite")):
        if isinstance(cookie.get(key), str) and cookie[key]:
            parts.append(f"{attribute}={cookie[key]}")
    if cookie.get("httpOnly") is True:
        parts.append("HttpOnly")
    if cookie.get("secure") is True:
        parts.append("Secure")
    line = "; ".join(parts)
    return line.replace("\n", " ")


def entry_time(entry: HarEntry) -> float | None:
    """When the exchange happened: startedDateTime, else the response's Date header."""
    if entry.started is not None:
        return entry.started
    date = entry.response.header("date")
    if date:
        # Imported here: email.utils (and the socket module it loads) is a noticeable part
        # of `tutor inspect`'s start, and most exports give startedDateTime.
        from email.utils import parsedate_to_datetime

        try:
            return parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError, IndexError):
            return None
    return None


# --- bodies and JWTs ---------------------------------------------------------------------


def body_json(body: HarBody | None) -> Any:
    """The body parsed as JSON (once per body), or None when it is not JSON."""
    return None if body is None else body.json


def answer_body(entry: HarEntry) -> HarBody | None:
    """The response body the analysis reads: none when it is media (an image, a sound, a
    video, a font), where no credential it looks for is kept (and which `tutor inspect`
    leaves encoded: `MediaBody`)."""
    body = entry.response.body
    return None if body is None or is_media_type(body.mime_type) else body


def form_fields(body: HarBody | None) -> dict[str, str]:
    """Field names and string values of a form or JSON-object body."""
    if body is None:
        return {}
    if body.params:
        return dict(body.params)
    document = body_json(body)
    if isinstance(document, dict):
        return {str(k): v for k, v in document.items() if isinstance(v, str)}
    text = body.text
    if text and "=" in text and "form" in body.mime_type.lower():
        return dict(parse_qsl(text, keep_blank_values=True))
    return {}


def has_password_field(fields: dict[str, str]) -> bool:
    """A login form: a password-like field."""
    return any(map(_is_secret_field, fields))


# Cached, as the field names are: a recording sends the same few names again and again,
# and a case-insensitive match costs several times a cache lookup.
@functools.lru_cache(maxsize=1024)
def _is_secret_field(name: str) -> bool:
    return _SECRET_FIELDS.fullmatch(name) is not None


@functools.lru_cache(maxsize=1024)
def is_token_field(name: str) -> bool:
    """A JSON field name that carries a token (access_token, id_token, session...)."""
    return _TOKEN_FIELDS.fullmatch(name) is not None


def decode_jwt(value: str, location: str) -> FoundToken | None:
    """Decode a JWT's header and claims locally; no signature check (labelled so)."""
    return _decoded(value, location) if JWT_WHOLE.match(value) else None


def _decoded(token: str, location: str) -> FoundToken | None:
    """`decode_jwt` of a value already matched by JWT_WHOLE."""
    parts = _decode_parts(token)
    return None if parts is None else FoundToken(location, parts[0], parts[1], token)


@functools.lru_cache(maxsize=1024)
def _decode_parts(value: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    # Cached: a recording sends the same bearer token on request after request.
    # The signature is deliberately not checked (nor decoded): the token is UNVERIFIED.
    header_part, _, rest = value.partition(".")
    header, claims = _header_segment(header_part), _json_segment(rest.partition(".")[0])
    if not isinstance(header, dict) or not isinstance(claims, dict):
        return None  # a JWT's header and claims are JSON objects, or it is no JWT
    return header, claims


def _json_segment(segment: str) -> Any:
    """One base64url segment (unpadded, as JWTs write it) decoded as JSON, or None."""
    try:
        # base64url is base64 with "-" and "_" for "+" and "/" (RFC 4648 §5): decoded
        # by binascii directly (urlsafe_b64decode's wrappers cost as much as decoding).
        raw = binascii.a2b_base64(segment.replace("-", "+").replace("_", "/")
                                  + "=" * (-len(segment) % 4))
        return parse_json(raw.decode("utf-8"))
    except (ValueError, RecursionError):  # binascii.Error and UnicodeDecodeError included
        return None


# Cached apart: every token a server issues has the same header (alg, typ, kid), while
# the claims differ from token to token.
_header_segment = functools.lru_cache(maxsize=256)(_json_segment)


def _jwts_in_text(text: str, location: str) -> list[FoundToken]:
    if "eyJ" not in text:
        return []
    if JWT_WHOLE.match(text):  # the usual token field: the whole value is the JWT
        token = _decoded(text, location)
        return [token] if token is not None else []
    found = (decode_jwt(token, location) for token in find_jwts(text))
    return [token for token in found if token is not None]


def _jwt_strings(container: dict[str, Any] | list[Any],
                 path: str) -> Iterator[tuple[str, str]]:
    """(path, text) of each string in a JSON object or array, at any depth, that may hold
    a JWT ("eyJ" in it): no other value's path is built (most values hold none)."""
    children: Iterable[tuple[Any, Any]]
    if isinstance(container, dict):
        children, form = container.items(), "{}.{}"
    else:
        children, form = enumerate(container), "{}[{}]"
    for key, item in children:
        if isinstance(item, str):
            if "eyJ" in item:
                yield form.format(path, key), item
        elif isinstance(item, dict | list):
            yield from _jwt_strings(item, form.format(path, key))


def _jwts_in_body(body: HarBody, side: str) -> list[FoundToken]:
    """The JWTs in a body that holds "eyJ" somewhere."""
    document = body_json(body)
    if isinstance(document, dict | list):  # what a body that parses gives (HarBody.json)
        return [t for path, text in _jwt_strings(document, "$")
                for t in _jwts_in_text(text, f"{side}.body:{path}")]
    fields = form_fields(body)
    if fields:
        return [t for name, text in fields.items()
                for t in _jwts_in_text(text, f"{side}.body:{name}")]
    return _jwts_in_text(body.text or "", f"{side}.body")


def tokens_found(entry: HarEntry, sent: list[SentCredential], set_cookies: list[CookieSet],
                 answer: HarBody | None) -> list[FoundToken]:
    """Every JWT in the exchange: Authorization, cookies, URL, and JSON or form bodies
    (`answer`: the exchange's `answer_body`)."""
    tokens: list[FoundToken] = []
    # Each place is looked at only when it may hold one ("eyJ" is '{"' encoded, and a
    # percent-encoded value may hide it): most values and bodies are passed at a glance.
    for credential in sent:
        value = credential.value
        if "eyJ" in value or "%" in value:
            where = ("request.header:Authorization" if credential.type != "cookie"
                     else f"request.cookie:{credential.name}")
            token = decode_jwt(unquote(value), where)
            tokens += [token] if token else []
    for cookie in set_cookies:
        value = cookie.value
        if "eyJ" in value or "%" in value:
            token = decode_jwt(unquote(value), f"response.set-cookie:{cookie.name}")
            tokens += [token] if token else []
    request = entry.request
    url = request.url
    if "eyJ" in url or "%" in url:  # else no parameter can hold one, even decoded
        for name, value in url_params(request.url_parts):
            if "eyJ" in value:
                tokens += _jwts_in_text(value, f"request.url:{name}")
    # bytes.find, not `in`: a bytes `in` first tries its operand as an integer (a
    # TypeError raised and cleared), which doubled the cost of these two tests.
    body = request.body
    if body is not None and body.data.find(b"eyJ") >= 0:
        tokens += _jwts_in_body(body, "request")
    if answer is not None and answer.data.find(b"eyJ") >= 0:
        tokens += _jwts_in_body(answer, "response")
    return tokens


def url_params(url: str | SplitResult) -> list[tuple[str, str]]:
    """Query and fragment parameters of a URL (a fragment can carry an OAuth token)."""
    parts = urlsplit(url) if isinstance(url, str) else url
    if not parts.query and not parts.fragment:
        return []
    return (parse_qsl(parts.query, keep_blank_values=True)
            + parse_qsl(parts.fragment, keep_blank_values=True))


def url_credentials(url: str | SplitResult) -> list[str]:
    """Names of URL parts that carry a credential (the one rule: tutor.redaction).

    Give the URL as text when there is a choice: most URLs skip the rule at a glance."""
    names = url_secrets(url)
    return list(dict.fromkeys(names)) if names else names
