"""Saving what a screen shows as a HAR file, with the outcome as a notification."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from textual.widget import Widget

from tutor.browser.events import Exchange
from tutor.plural import plural


def save_exchanges(node: Widget, exchanges: Sequence[Exchange], folder: Path, stem: str,
                   redact: bool) -> Path | None:
    """Write `exchanges` as HAR 1.2 into `folder` (made if missing); tell the learner
    where, or why not."""
    from tutor.har.export import save_har

    if not exchanges:
        node.notify("Nothing to save yet: no request has been sent.", timeout=3)
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)  # the data dir's har/ on first use
        path = save_har(exchanges, folder, f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}",
                        redact=redact)
    except OSError as exc:
        node.notify(f"Could not save the HAR file in {folder}: {exc}", severity="error",
                    timeout=8)
        return None
    node.notify(f"Saved {plural(len(exchanges), 'exchange')} to {path}"
                + (" (credential values redacted)" if redact else ""), timeout=8)
    return path
