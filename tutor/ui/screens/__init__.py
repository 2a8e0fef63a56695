"""The app's screens."""

from __future__ import annotations

from pathlib import Path

SCREEN_STYLES = Path(__file__).resolve().parent / "screens.tcss"
"""Every screen's styles but the catalogue's (named in each screen's CSS_PATH; the app
reads it just after the first frame, which does not need it)."""
