"""The sequence diagram's lines: where the lanes go, their header, one row per beat.

Arrows always keep a request's method and a response's status, however narrow the
track: the label shrinks from the end, and moves beside a short arrow rather than
vanish. Every cell drawn is one terminal cell wide, so the rows line up at any width.
Rows are cached per beat and layout: a redraw after a step draws only the new ones.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, field

from rich.text import Span, Text

from tutor.scenes.beats import Beat, Lane, Story
from tutor.ui.render._text import CREDENTIAL_STYLE, cut
from tutor.ui.render.stepper import STEP_MARKS

WIDE = 50
"""From this width on, the gutter spells the credential out ("cookie", "bearer")."""
WIDE_GUTTER = 10
NARROW_GUTTER = 6
COMPACT_CREDENTIAL = {"cookie": "ck", "bearer": "bt", "both": "cb", "replay": "RP"}
"""Two-letter credential marks for a narrow gutter (never a bare B, which a replica
name could be read as)."""
LANE_STYLE = "dim"
KIND_STYLE = {
    "typed": "bold",
    "request": "bold cyan",
    "work": "yellow",
    "store": "magenta",
    "kept": "green",
    "captured": "bold red",
    "refused": "bold red",
    "clock": "bold yellow",
    "note": "italic",
}
REPLAY_STYLE = "bold red"


@dataclass
class Row:
    """One line of the diagram as cells, styled by spans."""

    width: int
    cells: list[str] = field(default_factory=list)
    spans: list[tuple[int, int, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.cells = [" "] * self.width

    def put(self, x: int, value: str, style: str = "") -> None:
        start, end = max(x, 0), min(x + len(value), self.width)
        if start >= end:
            return
        self.cells[start:end] = value[start - x:end - x]
        if style:
            self.spans.append((start, end, style))

    def text(self) -> Text:
        plain = "".join(self.cells).rstrip()
        # Spans handed over whole: stylizing one by one cost more than drawing the row.
        spans = [Span(start, min(end, len(plain)), style) for start, end, style in self.spans
                 if start < len(plain)]
        return Text(plain, no_wrap=True, overflow="crop", spans=spans)


@dataclass(frozen=True)
class Layout:
    """Where a story's lanes sit in `width` columns, after a gutter for login steps and
    credentials."""

    width: int
    gutter: int
    centers: tuple[int, ...]

    @property
    def wide(self) -> bool:
        """Wide enough for the gutter to spell the credential out."""
        return self.gutter == WIDE_GUTTER


def story_layout(width: int, story: Story) -> Layout:
    """Lane centres: the gap a request crosses (a client to the server beside it) gets
    twice the room of the others, so `POST /login` and `303 +Set-Cookie` fit on it."""
    width = max(width, 1)
    lanes = story.lanes or ()
    gutter = WIDE_GUTTER if width >= WIDE else min(NARROW_GUTTER, width // 4)
    if len(lanes) < 2:
        return Layout(width, gutter, (gutter + max(width - gutter, 1) // 2,))
    gaps = [2.0 if {a.kind, b.kind} in ({"browser", "server"}, {"attacker", "server"}) else 1.0
            for a, b in itertools.pairwise(lanes)]
    # Half a gap of margin on each side keeps the outer labels on screen.
    units = sum(gaps) + 1.0
    room = max(width - gutter, len(lanes))
    position, centers = 0.5, []
    for index in range(len(lanes)):
        centers.append(gutter + int(position * room / units))
        if index < len(gaps):
            position += gaps[index]
    return Layout(width, gutter, tuple(centers))


def status_style(status: int) -> str:
    """Green for success, cyan for a redirect, red for a refusal."""
    if status < 300:
        return "bold green"
    return "bold cyan" if status < 400 else "bold red"


def lanes_row(layout: Layout) -> Row:
    """A row of bare lanes: the start of every beat's row, and the padding between steps."""
    row = Row(layout.width)
    for center in layout.centers:
        row.put(center, "│", LANE_STYLE)
    return row


def _gutter(row: Row, layout: Layout, beat: Beat) -> None:
    marks = "".join(STEP_MARKS.get(step, "") for step in beat.login_steps)[:2]
    row.put(0, marks, "bold")
    word = "replay" if beat.replay and beat.kind == "request" else beat.credential
    if word is None or layout.gutter < 4:
        return
    if not layout.wide:
        word = COMPACT_CREDENTIAL.get(word, word[:2])
    style = REPLAY_STYLE if word in ("replay", "RP") else CREDENTIAL_STYLE
    row.put(3, word[: layout.gutter - 4], style)


def _arrow_label(beat: Beat, room: int) -> str:
    """The words on an arrow, shortened to `room` cells but never losing the method or
    the status (they may then overflow `room`, and the caller puts them beside)."""
    label = beat.label
    if len(label) <= room:
        return label
    head, _, rest = label.partition(" ")
    if beat.kind == "response":
        # The status always; then whether a cookie came with it, as room allows.
        if rest and room >= len(head) + 8:
            return f"{head} +cookie"
        return head
    if rest and room >= len(head) + 3:
        return f"{head} {cut(rest, room - len(head) - 1)}"
    return head if beat.kind == "request" else cut(label, max(room, 1))


def _style_of(beat: Beat) -> str:
    if beat.kind == "response" and beat.status is not None:
        return status_style(beat.status)
    if beat.replay:
        return REPLAY_STYLE
    return KIND_STYLE.get(beat.kind, "")


def _arrow(row: Row, layout: Layout, left: int, right: int, pointing_right: bool,
           beat: Beat, done: float = 1.0) -> None:
    """An arrow between two lane centres with its label inside, or beside when short."""
    style = _style_of(beat)
    span = max(right - left - 1, 1)
    drawn = max(round(span * done), 1)
    if pointing_right:
        start, end = left + 1, left + drawn
        row.put(start, "─" * (drawn - 1) + "▶", style)
    else:
        start, end = right - drawn, right - 1
        row.put(start, "◀" + "─" * (drawn - 1), style)
    room = end - start + 1 - 2
    label = _arrow_label(beat, room)
    http = beat.kind in ("request", "response")
    if not http and len(beat.label) > room:
        # Words about the server's work read better whole, beside a short arrow.
        label = beat.label
    if len(label) <= room:
        row.put(start + 1 + (room - len(label)) // 2, label, style)
    elif pointing_right and end + 2 + len(label) <= layout.width:
        row.put(end + 2, label, style)
    elif start - 1 - len(label) >= layout.gutter:
        row.put(start - 1 - len(label), label, style)
    else:
        # No free side: the words go over the arrow; what it says matters more.
        row.put(max(start, layout.gutter), cut(label, layout.width - start), style)


def _in_place(row: Row, layout: Layout, center: int, beat: Beat) -> None:
    """Something a lane does by itself: a dot on the lane and the words beside it."""
    style = _style_of(beat)
    row.put(center, "●", style)
    right_room = layout.width - center - 2
    left_room = center - layout.gutter - 1
    if len(beat.label) <= right_room or right_room >= left_room:
        row.put(center + 2, cut(beat.label, right_room), style)
    else:
        shown = cut(beat.label, left_room)
        row.put(center - 1 - len(shown), shown, style)


def _clock(layout: Layout, beat: Beat) -> Row:
    row = Row(layout.width)
    label = f" {beat.label} "
    line = "┄" * max(layout.width - layout.gutter, 0)
    row.put(layout.gutter, line, "yellow")
    row.put(layout.gutter + max((len(line) - len(label)) // 2, 0),
            cut(label, layout.width - layout.gutter), KIND_STYLE["clock"])
    return row


ROWS_KEPT = 1024
"""Finished rows kept for redraws: a few screens' worth at every size, for every track."""


def beat_row(story: Story, beat: Beat, layout: Layout, done: float = 1.0) -> Text:
    """One beat as one line; `done` < 1 draws an arrow part of the way (animation).

    Finished rows are kept per beat and layout, so a redraw after a step draws only the
    new ones; the caller gets its own copy to highlight. An animation frame is drawn
    once and not kept (each frame has its own `done`).
    """
    if done < 1.0:
        return _draw_row(story.lanes, beat, layout, done)
    return _kept_row(story.lanes, beat, layout).copy()


def forget_rows() -> None:
    """Drop the kept rows (a lesson closed: its beats will not be drawn again)."""
    _kept_row.cache_clear()


@functools.lru_cache(maxsize=ROWS_KEPT)
def _kept_row(lanes: tuple[Lane, ...], beat: Beat, layout: Layout) -> Text:
    return _draw_row(lanes, beat, layout, 1.0)


def _draw_row(lanes: tuple[Lane, ...], beat: Beat, layout: Layout, done: float) -> Text:
    story = Story(lanes, ())
    if beat.kind == "clock":
        return _clock(layout, beat).text()
    row = lanes_row(layout)
    _gutter(row, layout, beat)
    source = layout.centers[story.lane_index(beat.source)]
    target = layout.centers[story.lane_index(beat.target)]
    if source == target:
        _in_place(row, layout, source, beat)
    else:
        _arrow(row, layout, min(source, target), max(source, target), target > source,
               beat, done)
    if beat.replica and beat.kind == "response":
        # On the side of the server lane the answer does not travel through.
        word = f"replica {beat.replica}"
        if target < source:
            row.put(source + 2, cut(word, max(layout.width - source - 2, 0)), "bold magenta")
        elif source - 1 - len(word) >= layout.gutter:
            row.put(source - 1 - len(word), word, "bold magenta")
    return row.text()


def header_row(story: Story, layout: Layout) -> Text:
    """Lane names, each cut to the room between its neighbours so no two ever touch."""
    row = Row(layout.width)
    if layout.wide:
        row.put(0, "login", LANE_STYLE)
    centers = layout.centers
    for index, (lane, center) in enumerate(zip(story.lanes, centers, strict=True)):
        left = (center + centers[index - 1]) // 2 + 1 if index else layout.gutter
        right = ((center + centers[index + 1]) // 2 - 1 if index + 1 < len(centers)
                 else layout.width - 1)
        shown = cut(lane.label, right - left + 1)
        start = min(max(center - (len(shown) - 1) // 2, left), right - len(shown) + 1)
        style = "bold red" if lane.kind == "attacker" else "bold"
        row.put(start, shown, style)
    return row.text()

