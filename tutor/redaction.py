"""The one rule for what counts as a credential in a URL or a field name, and how one
is hidden: in every output (inspect text and JSON, replay, the stage, a redacted HAR).

A URL carries a credential in its user info (`user:pass@`, or a token as the user name),
in a query or fragment parameter named like a secret (`password`, `api_key`,
`client_secret`, `access_token`...) or holding a JWT, and in a JWT anywhere else in it
(`/reset/eyJ...`). Text for people shows a hidden value shortened (`shorten`); files and
JSON for tools say `REDACTED`.

JWTs in text are found by `jwt_spans`, linear in its input (a backtracking pattern took
a minute on 300 KB of text repeating `eyJ`).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterator
from urllib.parse import SplitResult, unquote_plus, urlsplit, urlunsplit

REDACTED = "REDACTED"
"""What replaces a credential value in a redacted export or a JSON report."""

JWT_WHOLE = re.compile(r"eyJ[A-Za-z0-9_-]{4,}+\.[A-Za-z0-9_-]++\.[A-Za-z0-9_-]*+\Z")
"""A whole value that is a JWT: three base64url segments, the first an encoded JSON
object ("eyJ" is '{"'); the third may be empty (an unsigned `alg: none` token). Anchored
and possessive, so a match attempt reads each character once."""
_RUNS = re.compile(r"[A-Za-z0-9_.-]+")
"""Where a JWT can be: a run of base64url characters and dots (one character class, so
finding every run reads the text once)."""
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")


def jwt_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every JWT in `text`, left to right, in time linear in `text`.

    A JWT starts where a run starts or after a dot in it, so each run is split at its
    dots once and its segments are tried in order; a regular expression free to start
    anywhere retried every `eyJ` to the end of its run (quadratic)."""
    if "eyJ" not in text:
        return
    for run in _RUNS.finditer(text):
        if "eyJ" in run.group():
            yield from _spans_in_run(run.group().split("."), run.start())


def _spans_in_run(segments: list[str], start: int) -> Iterator[tuple[int, int]]:
    positions = list(itertools.accumulate((len(s) + 1 for s in segments), initial=start))
    index = 0
    while index + 2 < len(segments):
        first, second = segments[index], segments[index + 1]
        if first.startswith("eyJ") and len(first) >= 7 and second:
            # positions[i + 3] - 1: the end of the third segment, before the next dot.
            yield positions[index], positions[index + 3] - 1
            index += 3
        else:
            index += 1


def find_jwts(text: str) -> list[str]:
    """Every JWT-shaped substring of `text` (decoding is the caller's business)."""
    return [text[start:end] for start, end in jwt_spans(text)]


def replace_jwts(text: str, hide: Callable[[str], str]) -> str:
    """`text` with every JWT in it replaced by `hide(token)`."""
    pieces: list[str] = []
    done = 0
    for start, end in jwt_spans(text):
        pieces += [text[done:start], hide(text[start:end])]
        done = end
    return "".join(pieces) + text[done:] if pieces else text


_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_SECRET_WORDS = frozenset({
    "pass", "password", "passwd", "passphrase", "pwd", "secret", "token", "jwt", "apikey",
    "auth", "session", "sessionid", "sessid", "sid", "credential", "credentials",
    "signature", "sig", "otp", "bearer", "cookie",
})
_SECRET_PAIRS = frozenset({("api", "key"), ("private", "key"), ("access", "key"),
                           ("secret", "key"), ("auth", "code")})
_SECRET_NAMES = frozenset({"key", "code", "csrf", "xsrf"})


def is_secret_name(name: str) -> bool:
    """Whether a field, parameter or cookie name says its value is a secret:
    `password`, `client_secret`, `api_key`, `apiKey`, `access_token`, `PHPSESSID`..."""
    lowered = name.lower()
    if lowered in _SECRET_NAMES:
        return True
    words = [w.lower() for w in _WORDS.findall(name)]
    if any(w in _SECRET_WORDS or w.endswith(("sessid", "sessionid")) for w in words):
        return True
    return any(pair in _SECRET_PAIRS for pair in itertools.pairwise(words))


def shorten(secret: str, keep: int = 6) -> str:
    """A secret as a person may see it: at most `keep` characters and never more than a
    third of it, then an ellipsis (`abc123…`); one under 12 characters (a password,
    say) is only `…`."""
    if len(secret) < 12:
        return "…" if secret else ""
    return secret[:min(keep, len(secret) // 3)] + "…"


def url_secrets(url: str | SplitResult) -> list[str]:
    """Names of the URL's parts that carry a credential (empty when none does)."""
    if isinstance(url, str) and not _may_hold_secrets(url):
        return []
    names: list[str] = []
    _redact_parts(url, lambda value: value, names)
    return names


def _may_hold_secrets(url: str) -> bool:
    """Cheap first look (most URLs have no user info, parameters or JWT): false only
    when the URL certainly carries no credential."""
    return "@" in url or "=" in url or "eyJ" in url


def redact_url(url: str, hide: Callable[[str], str] = shorten) -> str:
    """`url` with every credential in it replaced by `hide(value)`; the rest as written.

    A URL that cannot be split (`http://[::1/x`) has its JWTs hidden and nothing else."""
    if not _may_hold_secrets(url):
        return url
    try:
        return _redact_parts(url, hide, [])
    except ValueError:
        return replace_jwts(url, hide)


def _redact_parts(url: str | SplitResult, hide: Callable[[str], str],
                  names: list[str]) -> str:
    parts = urlsplit(url) if isinstance(url, str) else url
    netloc = parts.netloc
    userinfo, at, host = netloc.rpartition("@")
    if at and userinfo:
        user, colon, password = userinfo.partition(":")
        if colon:
            names.append("user:password in the host part")
            netloc = f"{user}:{hide(password)}@{host}"
        else:
            names.append("user name in the host part")
            netloc = f"{hide(user)}@{host}"
    query = _redact_params(parts.query, hide, names)
    fragment = _redact_params(parts.fragment, hide, names)
    path = replace_jwts(parts.path, lambda token: _hidden(token, "a JWT in the path", hide,
                                                        names))
    if (netloc, path, query, fragment) == (parts.netloc, parts.path, parts.query,
                                           parts.fragment):
        return url if isinstance(url, str) else urlunsplit(parts)
    return urlunsplit(parts._replace(netloc=netloc, path=path, query=query,
                                     fragment=fragment))


def _hidden(secret: str, name: str, hide: Callable[[str], str], names: list[str]) -> str:
    names.append(name)
    return hide(secret)


def _redact_params(text: str, hide: Callable[[str], str], names: list[str]) -> str:
    """`a=1&password=x` with secret values hidden, everything else left as written (no
    re-encoding, so the URL reads as recorded)."""
    if "=" not in text:
        return text
    pieces = text.split("&")
    for index, piece in enumerate(pieces):
        raw_name, equals, raw_value = piece.partition("=")
        if not equals or not raw_value:
            continue
        name = unquote_plus(raw_name)
        if is_secret_name(name) or JWT_WHOLE.match(unquote_plus(raw_value)):
            names.append(name)
            pieces[index] = f"{raw_name}={hide(raw_value)}"
        elif "eyJ" in raw_value:
            pieces[index] = f"{raw_name}=" + replace_jwts(
                raw_value, functools.partial(_hidden, name=name, hide=hide, names=names))
    return "&".join(pieces)
