"""How a scene's tracks share the stage: side by side or taking turns, the bar naming
them, each step padded to the same rows, and the diagram's share of a track's height."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from tutor.scenes.beats import Story
from tutor.ui.render.story_rows import LANE_STYLE

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


TRACK_GUTTER = 2
"""Columns between tracks side by side (`#tracks.side-by-side` in screens/screens.tcss)."""


def tracks_fit(width: int, tracks: int) -> bool:
    """Whether `tracks` tracks fit side by side in `width` columns, gutters included."""
    return tracks <= 1 or (width - TRACK_GUTTER * (tracks - 1)) // tracks >= MIN_TRACK_WIDTH


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

