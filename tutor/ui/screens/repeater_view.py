"""What the Repeater draws (Rich only, no widgets): a timeline row, the status line above
the response, an entry's exchange with what the browser and server said, and a resend
beside its original."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from tutor.redaction import redact_url
from tutor.repeater.sandbox import Resent, TimelineEntry
from tutor.repeater.verdict import CredentialVerdict
from tutor.ui.render import render_exchange, timeline_row
from tutor.ui.render._text import status_label
from tutor.visible import visible


def timeline_label(entry: TimelineEntry) -> Text:
    """One timeline row: number, request, status, credential, login steps, who sent it."""
    main = entry.main
    if main is None:
        return Text(f"{entry.index + 1:>3} {entry.label}", style="dim")
    return timeline_row(entry.index + 1, main, entry.login_steps,
                        sender="" if entry.sender == "you" else entry.sender)


def status_line(entry: TimelineEntry, verdict: CredentialVerdict | None) -> Text:
    """The status in its colour and the request, or, for a success won with a credential
    your client was never given, the verdict in its place."""
    main = entry.main
    if main is None:
        return Text(entry.label, style="dim")
    status = main.response.status
    text = Text()
    if verdict is not None:
        text.append(f" {status_label(status)} ", style="bold black on yellow")
        text.append(f" {verdict.message}", style="bold yellow")
        return text
    style = "green" if status < 300 else "cyan" if status < 400 else "red"
    text.append(f" {status_label(status)} ", style=f"bold reverse {style}")
    # The URL may carry a credential (?token=...): the one redaction rule shortens it.
    text.append(f" {main.request.method} {visible(redact_url(main.request.url))}")
    return text


def side_by_side(resent: Resent, narrow: bool) -> RenderableType:
    """The original exchange beside the new one (one above the other when narrow)."""
    before = Group(Text("Before", style="bold reverse"), render_exchange(resent.old))
    now = Group(Text("Now", style="bold reverse"), render_exchange(resent.new))
    if narrow:
        return Group(before, Text(""), now)
    grid = Table.grid(padding=(0, 2), expand=True)
    grid.add_column(ratio=1)
    grid.add_column(ratio=1)
    grid.add_row(before, now)
    return grid


def entry_view(entry: TimelineEntry, resent: Resent | None, narrow: bool) -> RenderableType:
    """A timeline entry in the response's place: its exchange (or, resent, what changed
    and the two side by side), what the browser refused and the server's log lines."""
    parts: list[RenderableType] = []
    if resent is not None:
        changes = Text()
        changes.append("Compared with the original:\n", style="bold")
        changes.append("\n".join(resent.diff.summary()) or "no difference")
        parts.append(changes)
        parts.append(side_by_side(resent, narrow=narrow))
    elif entry.main is not None:
        parts.append(render_exchange(entry.main))
    for blocked in entry.blocked:
        parts.append(Text(f"The browser refused: {blocked.reason}", style="yellow"))
    for handled in entry.handled:
        event = handled.event
        parts.append(Text(f"Server log: {event.method} {event.path} → {event.status}"
                          f" ({event.reason})", style="dim"))
    return Group(*parts)
