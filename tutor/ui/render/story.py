"""The stage's sequence diagram, drawn from a scene's story (`tutor.scenes.beats`).

One row per beat, on the scene's own lanes (Alice, her browser, each server host, the
store, the attacker). Arrows always keep a request's method and a response's status,
however narrow the track: the label shrinks from the end, and moves beside a short arrow
rather than vanish. The rows shown follow the newest beat, or the selected exchange, so
nothing important is off screen; a line at the top says how many rows are folded away.
Every cell drawn is one terminal cell wide, so the rows line up at any width.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Mapping, Sequence
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
SELECTED_STYLE = "reverse"
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
class _Row:
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
class _Layout:
    width: int
    gutter: int
    centers: tuple[int, ...]

    @property
    def wide(self) -> bool:
        return self.gutter == WIDE_GUTTER


def _layout(width: int, story: Story) -> _Layout:
    """Lane centres: the gap a request crosses (a client to the server beside it) gets
    twice the room of the others, so `POST /login` and `303 +Set-Cookie` fit on it."""
    width = max(width, 1)
    lanes = story.lanes or ()
    gutter = WIDE_GUTTER if width >= WIDE else min(NARROW_GUTTER, width // 4)
    if len(lanes) < 2:
        return _Layout(width, gutter, (gutter + max(width - gutter, 1) // 2,))
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
    return _Layout(width, gutter, tuple(centers))


def status_style(status: int) -> str:
    """Green for success, cyan for a redirect, red for a refusal."""
    if status < 300:
        return "bold green"
    return "bold cyan" if status < 400 else "bold red"


def _lanes_row(layout: _Layout) -> _Row:
    row = _Row(layout.width)
    for center in layout.centers:
        row.put(center, "│", LANE_STYLE)
    return row


def _gutter(row: _Row, layout: _Layout, beat: Beat) -> None:
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


def _arrow(row: _Row, layout: _Layout, left: int, right: int, pointing_right: bool,
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


def _in_place(row: _Row, layout: _Layout, center: int, beat: Beat) -> None:
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


def _clock(layout: _Layout, beat: Beat) -> _Row:
    row = _Row(layout.width)
    label = f" {beat.label} "
    line = "┄" * max(layout.width - layout.gutter, 0)
    row.put(layout.gutter, line, "yellow")
    row.put(layout.gutter + max((len(line) - len(label)) // 2, 0),
            cut(label, layout.width - layout.gutter), KIND_STYLE["clock"])
    return row


def beat_row(story: Story, beat: Beat, layout: _Layout, done: float = 1.0) -> Text:
    """One beat as one line; `done` < 1 draws an arrow part of the way (animation).

    Rows are kept per beat and layout, so a redraw after a step draws only the new ones;
    the caller gets its own copy to highlight.
    """
    return _beat_row(story.lanes, beat, layout, done).copy()


@functools.lru_cache(maxsize=4096)
def _beat_row(lanes: tuple[Lane, ...], beat: Beat, layout: _Layout, done: float) -> Text:
    story = Story(lanes, ())
    if beat.kind == "clock":
        return _clock(layout, beat).text()
    row = _lanes_row(layout)
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


def _header(story: Story, layout: _Layout) -> Text:
    """Lane names, each cut to the room between its neighbours so no two ever touch."""
    row = _Row(layout.width)
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


MIN_TRACK_WIDTH = 58
"""Columns a track needs beside others: room for `POST /logout` and `303 +cookie` on the
arrows of a five-lane scene. Narrower, the tracks take turns."""


SEQUENCE_SHARE = 0.55
"""How much of a track's height the diagram may take before older rows fold away."""
MIN_SEQUENCE_ROWS = 5
TRACK_CHROME_ROWS = 4
"""A track's rows that are not diagram or details: label, stepper, detail tabs."""


def sequence_rows(track_height: int) -> int:
    """The lines the diagram gets in a track `track_height` rows tall (header included)."""
    return max(int((track_height - TRACK_CHROME_ROWS) * SEQUENCE_SHARE), MIN_SEQUENCE_ROWS)


def tracks_fit(width: int, tracks: int) -> bool:
    """Whether `tracks` tracks fit side by side in `width` columns."""
    return tracks <= 1 or width // tracks >= MIN_TRACK_WIDTH


def track_bar(tracks: Sequence[tuple[str, str]], active: int) -> Text:
    """`◀ lax: 401 │ none: 403 │ none-unchecked: 200 ▶  (T: next track)`: every track's
    name and outcome, the one shown lit, so the comparison stays in view."""
    bar = Text(no_wrap=True, overflow="ellipsis")
    for index, (label, outcome) in enumerate(tracks):
        if index:
            bar.append(" │ ", style=LANE_STYLE)
        shown = f" {label}: {outcome} " if outcome else f" {label} "
        bar.append(shown, style="bold reverse" if index == active else "")
    bar.append("  T: next track", style="dim")
    return bar


def aligned_rows(stories: Sequence[Story]) -> dict[int, int]:
    """Per step, the most rows any of `stories` gives it: pad every track to these."""
    merged: dict[int, int] = {}
    for story in stories:
        for step, count in step_rows(story).items():
            merged[step] = max(merged.get(step, 0), count)
    return merged


def step_rows(story: Story) -> dict[int, int]:
    """How many rows each step of `story` takes (for lining parallel tracks up)."""
    counts: dict[int, int] = {}
    for beat in story.beats:
        counts[beat.step_index] = counts.get(beat.step_index, 0) + 1
    return counts


def _rows(beats: Sequence[Beat],
          align: Mapping[int, int] | None) -> Sequence[Beat | None]:
    """The beats, each step padded with empty rows (None) to `align[step]` rows, so the
    same step starts on the same line in every track drawn side by side."""
    if not align:
        return beats
    by_step: dict[int, list[Beat]] = {}
    for beat in beats:
        by_step.setdefault(beat.step_index, []).append(beat)
    last = max(by_step, default=-1)
    rows: list[Beat | None] = []
    for step in sorted(set(by_step) | {s for s in align if s <= last}):
        mine = by_step.get(step, [])
        rows.extend(mine)
        rows.extend([None] * max(align.get(step, 0) - len(mine), 0))
    return rows


def _rows_of(rows: Sequence[Beat | None], selected: int | None) -> list[int]:
    """The rows of exchange `selected` (the newest when None), found from the end: the
    exchanges only grow down the rows, so the search stops at an older one."""
    found: list[int] = []
    for index in range(len(rows) - 1, -1, -1):
        beat = rows[index]
        if beat is None or beat.exchange is None:
            continue
        if selected is None:
            selected = beat.exchange
        if beat.exchange == selected:
            found.append(index)
        elif beat.exchange < selected:
            break
    return found[::-1]


def _window(rows: Sequence[Beat | None], selected: int | None,
            capacity: int) -> tuple[int, int]:
    """Which rows to show: the newest ones, unless that would hide the selected exchange
    (the newest exchange when none is selected), whose request row then leads."""
    total = len(rows)
    if capacity >= total:
        return 0, total
    start = total - capacity
    mine = _rows_of(rows, selected)
    if mine:
        first, last = mine[0], mine[-1]
        start = first if last - first + 1 >= capacity else min(start, first)
        if start == first and first > 0 and last - first + 2 <= capacity:
            start -= 1  # one row of what led to it
    return start, start + capacity


def render_story(story: Story, selected: int | None, width: int,
                 height: int | None = None, *, progress: float = 1.0,
                 align: Mapping[int, int] | None = None) -> Text:
    """The diagram: a header of lanes, then one row per beat.

    `selected` is the exchange whose rows are lit; `height` bounds the lines (older rows
    fold away first); `progress` < 1 shows the newest request still travelling and
    hides what came after it; `align` pads each step to a number of rows (`step_rows`
    of the tallest track), so parallel tracks line up step by step.
    """
    layout = _layout(width, story)
    beats = story.beats
    travelling: Beat | None = None
    progress = min(max(progress, 0.0), 1.0) if math.isfinite(progress) else 1.0
    if progress < 1.0:
        last = max((i for i, b in enumerate(beats) if b.kind == "request"), default=None)
        if last is not None:
            travelling, beats = beats[last], beats[:last]
            align = None  # mid-animation, the travelling arrow is the point
    lines = [_header(story, layout)]
    if not story.beats:
        lines.append(_lanes_row(layout).text())
        lines.append(Text(cut("(nothing has happened yet)", layout.width), style="dim italic"))
        return Text("\n", no_wrap=True, overflow="crop").join(lines)
    rows = _rows(beats, align)
    capacity = len(rows)
    if height is not None:
        capacity = max(height - 1 - (travelling is not None), 2)
    if len(rows) > capacity:
        capacity -= 1  # the fold line takes a row of its own
    start, end = _window(rows, selected, max(capacity, 1))
    if start > 0:
        lines.append(Text(cut(f"↑ {start} earlier row{'s' if start != 1 else ''} "
                              "(, and . select earlier exchanges)", layout.width),
                          style="dim italic"))
    for beat in rows[start:end]:
        if beat is None:
            lines.append(_lanes_row(layout).text())
            continue
        line = beat_row(story, beat, layout)
        if selected is not None and beat.exchange == selected:
            line.pad_right(max(layout.width - line.cell_len, 0))
            line.stylize(SELECTED_STYLE)
        lines.append(line)
    if travelling is not None:
        lines.append(beat_row(story, travelling, layout, progress))
    return Text("\n", no_wrap=True, overflow="crop").join(lines)
