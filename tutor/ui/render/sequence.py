"""The sequence diagram: five lanes, each HTTP exchange an arrow there and back.

Lanes are spread across `width`; a gutter on the left marks the login steps an exchange
shows (②③) and the credential its request carried (cookie, bearer). Every cell drawn is
one terminal cell wide, so the rows line up at any width.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from http import HTTPStatus

from rich.text import Text

from tutor.browser.events import Exchange
from tutor.scenes.events import ExchangeSeen
from tutor.ui.render._text import CREDENTIAL_STYLE, cut, request_target
from tutor.ui.render.stepper import STEP_MARKS

LANES = ("User", "Browser", "Network", "Server", "Store")
SHORT_LANES = ("Usr", "Brw", "Net", "Srv", "Sto")
"""Lane names where the full ones do not fit."""
BROWSER, SERVER = 1, 3
WIDE = 50
"""From this width on, the gutter spells the credential out ("cookie", "bearer")."""
WIDE_GUTTER = 11
NARROW_GUTTER = 6
COMPACT_CREDENTIAL = {"cookie": "C", "bearer": "B", "both": "CB"}
LANE_STYLE = "dim"
REQUEST_STYLE = "cyan"
SELECTED_STYLE = "reverse"


@dataclass
class _Row:
    """One line of the diagram as cells, styled by spans."""

    width: int
    cells: list[str] = field(default_factory=list)
    spans: list[tuple[int, int, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.cells = [" "] * self.width

    def put(self, x: int, value: str, style: str = "") -> None:
        for offset, char in enumerate(value):
            if 0 <= x + offset < self.width:
                self.cells[x + offset] = char
        start, end = max(x, 0), min(x + len(value), self.width)
        if style and start < end:
            self.spans.append((start, end, style))

    def text(self) -> Text:
        text = Text("".join(self.cells).rstrip(), no_wrap=True, overflow="crop")
        for start, end, style in self.spans:
            text.stylize(style, start, end)
        return text


@dataclass(frozen=True)
class _Layout:
    width: int
    gutter: int
    centers: tuple[int, ...]

    @property
    def wide(self) -> bool:
        return self.gutter == WIDE_GUTTER


def _layout(width: int) -> _Layout:
    width = max(width, 1)
    gutter = WIDE_GUTTER if width >= WIDE else min(NARROW_GUTTER, width // 4)
    lanes = max(width - gutter, len(LANES))
    centers = tuple(gutter + int((i + 0.5) * lanes / len(LANES)) for i in range(len(LANES)))
    return _Layout(width, gutter, centers)


def credential_of(exchange: Exchange) -> str | None:
    """What credential the request carried: "cookie", "bearer", "both" or None.

    Another Authorization scheme (Basic, say) is named by its scheme, lower-cased.
    """
    authorization = (exchange.request.header("authorization") or "").strip()
    scheme = authorization.split(" ", 1)[0].lower() if authorization else None
    cookie = exchange.request.header("cookie") is not None
    if scheme and cookie:
        return "both"
    return "cookie" if cookie else scheme


def status_label(status: int) -> str:
    """`303 See Other` (only the number for a status Python does not know)."""
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def _status_style(status: int) -> str:
    if status < 300:
        return "green"
    return "cyan" if status < 400 else "red"


def _lanes_row(layout: _Layout) -> _Row:
    row = _Row(layout.width)
    for center in layout.centers:
        row.put(center, "│", LANE_STYLE)
    return row


def _gutter(row: _Row, layout: _Layout, steps: Sequence[int], credential: str | None) -> None:
    marks = "".join(STEP_MARKS.get(step, "") for step in steps)[:3]
    row.put(0, marks, "bold")
    if credential is None or layout.gutter < 4:
        return
    word = credential if layout.wide else COMPACT_CREDENTIAL.get(credential, credential[:1])
    row.put(4, cut(word, layout.gutter - 5), CREDENTIAL_STYLE)


def _label_inside(row: _Row, left: int, right: int, label: str, style: str) -> None:
    """Write ` label ` centred between cells `left` and `right` (inclusive), if it fits."""
    room = right - left + 1 - 2
    if room < 3:
        return
    shown = f" {cut(label, room)} "
    row.put(left + (right - left + 1 - len(shown)) // 2, shown, style)


def _request_label(exchange: Exchange) -> str:
    return f"{exchange.request.method} {request_target(exchange.request.url)}"


def _response_label(exchange: Exchange) -> str:
    label = status_label(exchange.response.status)
    if exchange.response.header("set-cookie") is not None:
        label += " +Set-Cookie"
    return label


def _replica(row: _Row, layout: _Layout, replica: str | None) -> None:
    """Name the replica that answered just right of the Server lane ("replica B" or "B")."""
    if not replica:
        return
    room = layout.centers[SERVER + 1] - layout.centers[SERVER] - 3
    word = f"replica {replica}" if room >= len(replica) + 8 else replica
    row.put(layout.centers[SERVER] + 2, cut(word, max(room, 1)), "bold magenta")


def _rows(seen: ExchangeSeen, layout: _Layout) -> tuple[Text, Text]:
    exchange = seen.exchange
    b, s = layout.centers[BROWSER], layout.centers[SERVER]
    request = _lanes_row(layout)
    _gutter(request, layout, seen.login_steps, credential_of(exchange))
    request.put(b + 1, "─" * max(s - b - 2, 0) + "▶", REQUEST_STYLE)
    _label_inside(request, b + 2, s - 2, _request_label(exchange), f"bold {REQUEST_STYLE}")
    response = _lanes_row(layout)
    style = _status_style(exchange.response.status)
    response.put(b + 1, "◀" + "─" * max(s - b - 2, 0), style)
    _label_inside(response, b + 2, s - 2, _response_label(exchange), f"bold {style}")
    _replica(request, layout, seen.replica)
    return request.text(), response.text()


def _header(layout: _Layout) -> Text:
    row = _Row(layout.width)
    spacing = max((layout.width - layout.gutter) // len(LANES) - 1, 1)
    if layout.wide:
        row.put(0, "login", LANE_STYLE)
    for name, short, center in zip(LANES, SHORT_LANES, layout.centers, strict=True):
        shown = name if len(name) <= spacing else short[:spacing]
        row.put(center - (len(shown) - 1) // 2, shown, "bold")
    return row.text()


def render_sequence(exchanges: Sequence[ExchangeSeen], selected: int | None,
                    width: int) -> Text:
    """The diagram of `exchanges`, two rows each (request, response); `selected` reversed."""
    layout = _layout(width)
    lines = [_header(layout)]
    if not exchanges:
        lines.append(_lanes_row(layout).text())
        lines.append(Text(cut("(no requests yet)", layout.width), style="dim italic"))
    credentials: set[str] = set()
    for index, seen in enumerate(exchanges):
        request, response = _rows(seen, layout)
        if index == selected:
            for line in (request, response):
                line.pad_right(max(layout.width - line.cell_len, 0))
                line.stylize(SELECTED_STYLE)
        lines.extend((request, response))
        credential = credential_of(seen.exchange)
        if credential:
            credentials.add(credential)
    if credentials and not layout.wide:
        legend = ", ".join(f"{COMPACT_CREDENTIAL.get(c, c[:1])} {c}" for c in sorted(credentials))
        lines.append(Text(cut(f"sent: {legend}", layout.width), style="dim"))
    return Text("\n", no_wrap=True, overflow="crop").join(lines)


def arrow_frame(exchange: Exchange | ExchangeSeen, progress: float, width: int,
                *, back: bool = False) -> Text:
    """One frame of a request travelling from Browser (0.0) to Server (1.0), on the lanes of
    `render_sequence` at the same width; `back=True` draws the response returning."""
    seen = exchange if isinstance(exchange, ExchangeSeen) else None
    plain = seen.exchange if seen is not None else exchange
    assert isinstance(plain, Exchange)
    if seen is not None:
        steps = seen.login_steps
    else:
        # The engine pulls in the server machinery: import it only when it must tag steps.
        from tutor.scenes.engine import login_steps_of

        steps = login_steps_of(plain)
    progress = min(max(progress, 0.0), 1.0) if math.isfinite(progress) else 0.0
    layout = _layout(width)
    b, s = layout.centers[BROWSER], layout.centers[SERVER]
    row = _lanes_row(layout)
    _gutter(row, layout, steps, credential_of(plain))
    travel = max(s - b - 2, 0)
    done = round(progress * travel)
    if back:
        style = _status_style(plain.response.status)
        head = s - 1 - done
        row.put(head, "◀" + "─" * done, style)
        _label_inside(row, head + 1, s - 2, _response_label(plain), f"bold {style}")
    else:
        head = b + 1 + done
        row.put(b + 1, "─" * done + "▶", REQUEST_STYLE)
        _label_inside(row, b + 2, head - 1, _request_label(plain), f"bold {REQUEST_STYLE}")
    _replica(row, layout, seen.replica if seen is not None else None)
    return row.text()
