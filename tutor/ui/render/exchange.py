"""One exchange in full (request, response, body) and the cookie jar's decisions for it."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.highlighter import JSONHighlighter
from rich.text import Text

from tutor.redaction import redact_url
from tutor.scenes.beats import request_target
from tutor.ui.render._text import CREDENTIAL_HEADERS, CREDENTIAL_STYLE, status_label
from tutor.visible import visible, visible_text

if TYPE_CHECKING:
    from tutor.browser.events import Exchange

BODY_LINES = 40
"""Longer bodies are cut after this many lines, saying how many were left out."""
CREDENTIAL_BODY_KEYS = ("access_token", "refresh_token", "id_token")
"""JSON body fields that carry a credential: highlighted like the credential headers."""
SENT = "✓"
NOT_SENT = "✗"


URL_HEADERS = frozenset({"location", "referer", "content-location", "origin"})
"""Headers whose value is a URL, which may carry a credential."""


def _header_line(name: str, value: str) -> Text:
    credential = name.lower() in CREDENTIAL_HEADERS
    line = Text(overflow="fold")
    # A recording's headers are shown, never obeyed (visible); a URL in one has its
    # credentials shortened by the one rule (tutor.redaction), as in every output.
    if name.lower() in URL_HEADERS:
        value = redact_url(value)
    line.append(f"{visible(name)}: ", style=CREDENTIAL_STYLE if credential else "bold")
    line.append(visible(value), style=CREDENTIAL_STYLE if credential else "")
    return line


def _is_json(content_type: str | None, body: bytes) -> bool:
    if content_type is not None and "json" in content_type.lower():
        return True
    return body.lstrip()[:1] in (b"{", b"[")


def render_body(body: bytes, content_type: str | None, limit: int = BODY_LINES) -> Text:
    """The body as text: JSON pretty-printed and highlighted, anything else as it came;
    cut to `limit` lines; "(no body)" when empty."""
    if not body:
        return Text("(no body)", style="dim italic")
    text = body.decode("utf-8", "replace")
    pretty = False
    if _is_json(content_type, body):
        try:
            text = json.dumps(json.loads(text), indent=2, ensure_ascii=False)
            text.encode("utf-8")  # a lone surrogate cannot be drawn: keep the raw text
            pretty = True
        except (ValueError, RecursionError):  # UnicodeEncodeError is a ValueError
            text = body.decode("utf-8", "replace")
    lines = text.splitlines() or [""]
    shown = Text(visible_text("\n".join(lines[:limit])), overflow="fold")
    if pretty:
        JSONHighlighter().highlight(shown)
        for key in CREDENTIAL_BODY_KEYS:
            shown.highlight_regex(rf'"{key}": "[^"]*"', CREDENTIAL_STYLE)
    if len(lines) > limit:
        left = len(lines) - limit
        shown.append(f"\n… {left} more line{'s' if left != 1 else ''} not shown", style="dim")
    return shown


def render_exchange(exchange: Exchange) -> RenderableType:
    """Request line and headers, then status line, headers and body of the response."""
    request, response = exchange.request, exchange.response
    parts: list[RenderableType] = []
    line = Text(overflow="fold")
    line.append(visible(request.method), style="bold cyan")
    line.append(f" {request_target(request.url)} HTTP/1.1")
    parts.append(line)
    parts.extend(_header_line(name, value) for name, value in request.headers)
    if request.body:
        parts.append(Text())
        parts.append(render_body(request.body, request.header("content-type")))
    parts.append(Text())
    status = Text(overflow="fold")
    status.append("HTTP/1.1 ")
    status_style = "green" if response.status < 300 else "cyan" if response.status < 400 else "red"
    status.append(status_label(response.status), style=f"bold {status_style}")
    parts.append(status)
    parts.extend(_header_line(name, value) for name, value in response.headers)
    parts.append(Text())
    parts.append(render_body(response.body, response.header("content-type")))
    if not exchange.readable_by_script:
        parts.append(Text("The page's script cannot read this response (cross-origin, not "
                          "allowed by CORS), though the server received and acted on it.",
                          style="italic yellow"))
    parts.extend(Text(f"note: {note}", style="dim italic") for note in exchange.notes)
    return Group(*parts)


def render_cookie_decisions(exchange: Exchange) -> Text:
    """For each cookie the jar considered: sent or withheld, and why; then for each
    Set-Cookie of the response: stored, replaced, deleted or rejected, and why."""
    text = Text(overflow="fold")
    target = f"{exchange.request.method} {request_target(exchange.request.url)}"
    text.append(f"Cookies for {target}\n", style="bold")
    if not exchange.cookies_sent:
        text.append("  (the jar had no cookies to consider)\n", style="dim italic")
    for send in exchange.cookies_sent:
        mark, verdict = (SENT, "sent    ") if send.sent else (NOT_SENT, "withheld")
        text.append(f"  {mark} {verdict} ", style="green" if send.sent else "red")
        text.append(send.cookie.name, style="bold")
        text.append(f" ({send.cookie.domain}{send.cookie.path}): {send.reason}\n")
    text.append("Set-Cookie in the response\n", style="bold")
    if not exchange.cookies_stored:
        text.append("  (none)\n", style="dim italic")
    for store in exchange.cookies_stored:
        if store.removed:
            mark, verdict, style = NOT_SENT, "deleted ", "yellow"
        elif store.stored:
            mark, verdict, style = SENT, "stored  ", "green"
        else:
            mark, verdict, style = NOT_SENT, "rejected", "red"
        text.append(f"  {mark} {verdict} ", style=style)
        text.append(store.cookie_name or "(no name)", style="bold")
        text.append(f": {store.reason}\n")
    text.rstrip()
    return text
