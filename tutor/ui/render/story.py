"""The stage's sequence diagram, drawn from a scene's story (`tutor.scenes.beats`).

One row per beat, on the scene's own lanes (Alice, her browser, each server host, the
store, the attacker), each drawn by `story_rows`. The rows shown follow the newest beat,
or the selected exchange, so nothing important is off screen; a line at the top says how
many rows are folded away.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from rich.text import Text

from tutor.scenes.beats import Beat, Story
from tutor.ui.render._text import cut
from tutor.ui.render.story_rows import beat_row, header_row, lanes_row, story_layout

SELECTED_STYLE = "reverse"


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
            capacity: int, follow_newest_step: bool = False) -> tuple[int, int]:
    """Which rows to show: the newest ones, unless that would hide the selected exchange
    (the newest exchange when none is selected), whose request row then leads.

    `follow_newest_step` (nothing chosen by the learner): the newest step's own rows come
    first. When that step sent nothing (the clock jumped, a row expired, the page wrote
    to storage), an older exchange does not pull the window up past them."""
    total = len(rows)
    if capacity >= total:
        return 0, total
    start = total - capacity
    mine = _rows_of(rows, selected)
    if follow_newest_step and mine:
        newest = next(beat for beat in reversed(rows) if beat is not None)
        exchange = rows[mine[0]]
        if exchange is not None and exchange.step_index != newest.step_index:
            mine = []
    if mine:
        first, last = mine[0], mine[-1]
        start = first if last - first + 1 >= capacity else min(start, first)
        if start == first and first > 0 and last - first + 2 <= capacity:
            start -= 1  # one row of what led to it
    return start, start + capacity


def render_story(story: Story, selected: int | None, width: int,
                 height: int | None = None, *, progress: float = 1.0,
                 align: Mapping[int, int] | None = None,
                 follow_newest_step: bool = False) -> Text:
    """The diagram: a header of lanes, then one row per beat.

    `selected` is the exchange whose rows are lit; `height` bounds the lines (older rows
    fold away first); `progress` < 1 shows the newest request still travelling and
    hides what came after it; `align` pads each step to a number of rows (`step_rows`
    of the tallest track), so parallel tracks line up step by step;
    `follow_newest_step` when the learner has not chosen the exchange (see `_window`).
    """
    layout = story_layout(width, story)
    beats = story.beats
    travelling: Beat | None = None
    progress = min(max(progress, 0.0), 1.0) if math.isfinite(progress) else 1.0
    if progress < 1.0:
        last = max((i for i, b in enumerate(beats) if b.kind == "request"), default=None)
        if last is not None:
            travelling, beats = beats[last], beats[:last]
            align = None  # mid-animation, the travelling arrow is the point
    lines = [header_row(story, layout)]
    if not story.beats:
        lines.append(lanes_row(layout).text())
        lines.append(Text(cut("(nothing has happened yet)", layout.width), style="dim italic"))
        return Text("\n", no_wrap=True, overflow="crop").join(lines)
    rows = _rows(beats, align)
    capacity = len(rows)
    if height is not None:
        capacity = max(height - 1 - (travelling is not None), 2)
    if len(rows) > capacity:
        capacity -= 1  # the fold line takes a row of its own
    start, end = _window(rows, selected, max(capacity, 1), follow_newest_step)
    if start > 0:
        lines.append(Text(cut(f"↑ {start} earlier row{'s' if start != 1 else ''} "
                              "(, and . select earlier exchanges)", layout.width),
                          style="dim italic"))
    for beat in rows[start:end]:
        if beat is None:
            lines.append(lanes_row(layout).text())
            continue
        line = beat_row(story, beat, layout)
        if selected is not None and beat.exchange == selected:
            line.pad_right(max(layout.width - line.cell_len, 0))
            line.stylize(SELECTED_STYLE)
        lines.append(line)
    if travelling is not None:
        lines.append(beat_row(story, travelling, layout, progress))
    return Text("\n", no_wrap=True, overflow="crop").join(lines)
