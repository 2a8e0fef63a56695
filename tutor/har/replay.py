"""`tutor replay --against-mock`: send a recording's requests to the in-process mock
server and compare its statuses with the recorded ones.

Credentials cannot be replayed verbatim (the mock never issued them), so they are
translated: when the recording's server set a cookie or returned a token at some
exchange, the mock's answer to the same request set its own; from then on the recorded
value is replaced by the mock's. A value the mock never issued is sent unchanged, and
the mock refuses it, as it should. Nothing opens a socket (httpx's ASGI transport).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx

from tutor.browser.cookie_parse import ParsedSetCookie, parse_set_cookie
from tutor.har.analysis import Analysis
from tutor.har.credentials import body_json, cookies_set, is_token_field
from tutor.har.model import Har, HarBody, HarEntry
from tutor.plural import plural
from tutor.redaction import redact_url
from tutor.server.config import SIMULATED_SCRYPT_COST
from tutor.visible import visible

MOCK_ORIGIN = "https://tutor.local"
OTHER_HOST = "another host"
"""Why a request to a host other than the site's was not sent."""
_FORWARDED = ("content-type", "accept", "sec-fetch-site", "sec-fetch-mode")


@dataclass(frozen=True)
class ReplayResult:
    """One recorded exchange sent again."""

    index: int
    method: str
    path: str
    recorded: int
    mock: int | None
    """The mock's status; None when the request was skipped."""
    skipped: str | None = None

    @property
    def differs(self) -> bool:
        """True when the mock answered with another status."""
        return self.mock is not None and self.mock != self.recorded


def guess_mode(analysis: Analysis) -> str:
    """The first mode that keeps its credential in localStorage (jwt) when the recording
    sends bearer tokens, else the first that keeps a cookie in the jar (cookie)."""
    from tutor.server.modes import all_modes

    sends_bearer = any(c.type == "bearer" for e in analysis.entries for c in e.sent)
    wanted = "localStorage" if sends_bearer else "cookie jar"
    return next(mode.name for mode in all_modes() if mode.browser_keeps == wanted)


def site_host(analysis: Analysis) -> str:
    """The host the login happened on (else the first credential's, else the first)."""
    hosts = [item.entry.request.host for item in analysis.entries if 2 in item.login_steps]
    hosts += [item.entry.request.host for item in analysis.entries if item.sent]
    hosts += [item.entry.request.host for item in analysis.entries]
    return next((host for host in hosts if host), "")


async def replay_against_mock(analysis: Analysis, mode: str) -> list[ReplayResult]:
    """Send each request to the site's host to a fresh mock server, in order.

    `mode` is a registered server mode (`tutor.server.modes`); the config rejects others.
    """
    from tutor.clock import SimulatedClock
    from tutor.server import MockServer, ServerConfig

    har: Har = analysis.har
    first = next((e.started for e in har.entries if e.started is not None), None)
    clock = SimulatedClock() if first is None else SimulatedClock(first)
    server = MockServer(ServerConfig(mode=mode, scrypt_cost=SIMULATED_SCRYPT_COST), clock)
    host = site_host(analysis)
    translator = _Translator()
    results: list[ReplayResult] = []
    async with server.client(MOCK_ORIGIN) as client:
        for entry in har.entries:
            request = entry.request
            if request.host != host:
                results.append(ReplayResult(entry.index, request.method, request.path,
                                            entry.response.status, None, OTHER_HOST))
                continue
            if entry.started is not None and entry.started > clock.now():
                clock.set(entry.started)
            try:
                response = await client.request(
                    request.method, translator.text(request.path_and_query),
                    headers=translator.headers(entry, host),
                    content=translator.body(request.body))
            except (httpx.InvalidURL, httpx.LocalProtocolError, ValueError) as exc:
                # A recorded method, path or header no HTTP client would send (a control
                # character, say): the recording shows it, the mock cannot be asked it.
                results.append(ReplayResult(entry.index, request.method, request.path,
                                            entry.response.status, None,
                                            f"not sendable: {exc}"))
                continue
            translator.learn(entry, response)
            results.append(ReplayResult(entry.index, request.method, request.path,
                                        entry.response.status, response.status_code))
    return results


class _Translator:
    """Recorded credential values → the values the mock issued at the same moment."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        self.names: dict[str, str] = {}

    def text(self, text: str) -> str:
        for recorded, mock in self.values.items():
            if recorded and recorded in text:
                text = text.replace(recorded, mock)
        return text

    def body(self, body: HarBody | None) -> bytes:
        if body is None:
            return b""
        text = body.text
        return body.data if text is None else self.text(text).encode()

    def headers(self, entry: HarEntry, host: str) -> dict[str, str]:
        request = entry.request
        headers = {name: value for name in _FORWARDED
                   if (value := request.header(name)) is not None}
        origin = request.header("origin")
        if origin is not None:
            # The site's own pages become the mock's origin; another site stays foreign.
            headers["origin"] = MOCK_ORIGIN if host in origin else origin
        cookies = []
        for header in request.header_values("cookie"):
            for part in header.split(";"):
                name, _, value = part.strip().partition("=")
                if name:
                    cookies.append(f"{self.names.get(name, name)}={self.text(value)}")
        if cookies:
            headers["cookie"] = "; ".join(cookies)
        for name in ("authorization", "x-csrf-token"):
            value = request.header(name)
            if value is not None:
                headers[name] = self.text(value)
        return headers

    def learn(self, entry: HarEntry, response: httpx.Response) -> None:
        """Pair what the recording's server issued with what the mock issued."""
        recorded = [(c.name, c.value) for c in cookies_set(entry)
                    if c.parsed is not None and not c.cleared and c.value]
        issued = [(p.name, p.value) for p in _mock_cookies(response)]
        for (r_name, r_value), (m_name, m_value) in zip(recorded, issued, strict=False):
            self.names[r_name] = m_name
            self.values[r_value] = m_value
        mock_document = _json(response)
        recorded_document = body_json(entry.response.body)
        if isinstance(recorded_document, dict) and isinstance(mock_document, dict):
            for key, value in recorded_document.items():
                mock_value = mock_document.get(key)
                if (isinstance(value, str) and isinstance(mock_value, str) and value
                        and (is_token_field(key) or key == "csrf_token")):
                    self.values[value] = mock_value


def _mock_cookies(response: httpx.Response) -> Iterator[ParsedSetCookie]:
    for line in response.headers.get_list("set-cookie"):
        parsed = parse_set_cookie(line)
        if isinstance(parsed, ParsedSetCookie) and parsed.value and (
                parsed.max_age is None or parsed.max_age > 0):
            yield parsed


def _json(response: httpx.Response) -> object:
    try:
        return response.json()
    except ValueError:
        return None


def replay_report(results: list[ReplayResult]) -> str:
    """The lines `tutor replay --against-mock` prints."""
    lines = []
    other_hosts = [r for r in results if r.skipped == OTHER_HOST]
    for result in results:
        if result.skipped == OTHER_HOST:
            continue
        # The method and path come from the file: shown, never obeyed (visible), with
        # any credential in them hidden (redact_url); padded after, so columns hold.
        method, path = visible(result.method), visible(redact_url(result.path))
        if result.skipped:
            lines.append(f"#{result.index:<3} {method:<7} {path:<30} recorded "
                         f"{result.recorded}  {visible(result.skipped)}")
            continue
        mark = "  ← differs" if result.differs else ""
        lines.append(f"#{result.index:<3} {method:<7} {path:<30} "
                     f"recorded {result.recorded}  mock {result.mock}{mark}")
    if other_hosts:
        lines.append(f"({plural(len(other_hosts), 'request')} to other hosts not sent)")
    sent = [r for r in results if not r.skipped]
    differing = sum(r.differs for r in sent)
    lines.append(f"{differing} of {len(sent)} statuses differ from the recording."
                 if differing else f"All {len(sent)} statuses match the recording.")
    return "\n".join(lines)
