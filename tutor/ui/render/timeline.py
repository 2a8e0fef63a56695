"""Timeline rows: one line per exchange, shared by the player, the Repeater and replay."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from rich.text import Text

from tutor.browser.events import Exchange
from tutor.scenes.beats import credential_of
from tutor.scenes.events import ExchangeSeen


def timeline_row(number: int, exchange: Exchange, login_steps: Sequence[int], *,
                 sender: str = "", findings: int = 0) -> Text:
    """`number ✓ METHOD /path → status  [credential]  step N  (sender)  ⚠findings`."""
    status = exchange.response.status
    ok = 0 < status < 400
    text = Text(f"{number:>3} ")
    text.append("✓ " if ok else "✗ ", style="green" if ok else "red")
    path = urlsplit(exchange.request.url).path or "/"
    text.append(f"{exchange.request.method} {path} → {status or '—'}")
    credential = credential_of(exchange)
    if credential:
        text.append(f"  [{credential}]", style="cyan")
    if login_steps:
        text.append(f"  step {','.join(map(str, login_steps))}", style="magenta")
    if sender:
        text.append(f"  ({sender})", style="yellow")
    if findings:
        text.append(f"  ⚠{findings}", style="yellow")
    return text


def render_timeline(exchanges: Sequence[ExchangeSeen], selected: int | None) -> Text:
    """Every exchange so far, one row each; the selected one (default: the last) lit."""
    if not exchanges:
        return Text("No exchanges yet: press n to step.", style="dim")
    chosen = len(exchanges) - 1 if selected is None else selected
    text = Text()
    for index, seen in enumerate(exchanges):
        sender = seen.exchange.browser if seen.exchange.browser != "user" else ""
        row = timeline_row(index + 1, seen.exchange, seen.login_steps, sender=sender)
        if index == chosen:
            row.stylize("reverse")
        text.append_text(row)
        text.append("\n")
    text.append("\n, and . pick an exchange; p and n step back and forth in time.",
                style="dim")
    return text
