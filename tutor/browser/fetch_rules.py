"""The Fetch standard's rules a page's requests follow, as the simulated browser applies
them: which cross-origin requests need a CORS preflight and what the answer must allow,
the headers a script may not set, Fetch Metadata (`Sec-Fetch-*`) and when `Origin` goes.

Pure functions over a request's context and a recorded response: `browser.py` asks them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal
from urllib.parse import urlsplit

from tutor.browser.cookies import RequestContext
from tutor.browser.events import RecordedResponse
from tutor.browser.sites import origin_of, same_site

Credentials = Literal["omit", "same-origin", "include"]

# Requests a page may send cross-origin without asking first (Fetch standard, "CORS-safelisted").
SIMPLE_METHODS = frozenset({"GET", "HEAD", "POST"})
SIMPLE_HEADERS = frozenset({"accept", "accept-language", "content-language", "content-type"})
# Headers a page's script may not set (Fetch standard, "forbidden request-header"): the
# browser drops them silently, so a script can never hand-craft a Cookie header.
FORBIDDEN_HEADERS = frozenset({
    "accept-charset", "accept-encoding", "access-control-request-headers",
    "access-control-request-method", "connection", "content-length", "cookie", "cookie2",
    "date", "dnt", "expect", "host", "keep-alive", "origin", "referer", "set-cookie", "te",
    "trailer", "transfer-encoding", "upgrade", "via",
})
SIMPLE_CONTENT_TYPES = frozenset(
    {"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"}
)


def needs_preflight(method: str, headers: Mapping[str, str]) -> bool:
    if method not in SIMPLE_METHODS:
        return True
    for name, value in headers.items():
        lowered = name.lower()
        if lowered not in SIMPLE_HEADERS:
            return True
        if lowered == "content-type" and value.split(";")[0].strip().lower() not in (
            SIMPLE_CONTENT_TYPES
        ):
            return True
    return False


def preflight_allows(
    response: RecordedResponse,
    page: str | None,
    credentials: Credentials,
    method: str,
    headers: list[str],
) -> bool:
    """The CORS preflight check: origin, credentials, method and headers all allowed."""
    if not cors_allows(response, page, credentials):
        return False
    wildcard_ok = credentials != "include"  # "*" means nothing for credentialed requests
    methods = _listed(response.header("access-control-allow-methods"))
    if method not in SIMPLE_METHODS and method not in methods and not (
        wildcard_ok and "*" in methods
    ):
        return False
    allowed = {h.lower() for h in _listed(response.header("access-control-allow-headers"))}
    return all(h in allowed for h in headers) or (wildcard_ok and "*" in allowed)


def _listed(value: str | None) -> set[str]:
    return {part.strip() for part in (value or "").split(",") if part.strip()}


def cors_allows(response: RecordedResponse, page: str | None, credentials: Credentials) -> bool:
    allowed = response.header("access-control-allow-origin")
    if credentials == "include":
        return allowed == page and response.header("access-control-allow-credentials") == "true"
    return allowed in (page, "*")


def sec_fetch_site(context: RequestContext) -> str:
    if context.initiator is None:
        return "none"
    if origin_of(context.url) == context.initiator:
        return "same-origin"
    return "same-site" if same_site(context.initiator, context.url) else "cross-site"


def fetch_metadata(context: RequestContext, mode: str) -> dict[str, str]:
    """Fetch Metadata request headers, which servers can use to refuse cross-site requests."""
    if urlsplit(context.url).scheme != "https":
        # Browsers send Sec-Fetch-* only to potentially trustworthy URLs.
        return {}
    return {"Sec-Fetch-Site": sec_fetch_site(context), "Sec-Fetch-Mode": mode}


def sends_origin(context: RequestContext) -> bool:
    """Browsers send Origin on every request but GET/HEAD, and on cross-origin fetches."""
    if context.method not in ("GET", "HEAD"):
        return True
    return context.from_script and context.initiator != origin_of(context.url)
