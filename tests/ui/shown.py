"""What a Static shows, as plain text, for assertions in UI tests."""

from __future__ import annotations

import io

from rich.console import Console
from textual.widgets import Static


def shown_text(widget: Static) -> str:
    """The widget's content as plain text (Rich renderables rendered 300 columns wide)."""
    content = widget.content
    if isinstance(content, str):
        return content
    console = Console(width=300, record=True, file=io.StringIO())
    console.print(content)
    return console.export_text()
