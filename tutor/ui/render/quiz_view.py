"""How the quiz screen words its instructions and colours its feedback (Rich only)."""

from __future__ import annotations

from rich.text import Text

HOW_TO_ANSWER = {
    "single": "↑/↓ to choose, Enter to answer.",
    "true_false": "↑/↓ to choose, Enter to answer.",
    "multiple": "Space ticks an option; tick every right one, then press a to answer.",
    "order": "Move the highlighted item with shift+↑/↓ (or K/J), then press Enter.",
    "predict": "Type the status code the server will answer with, then Enter. The scene "
               "then runs for real.",
    "challenge": "Press ctrl+r to work in the Repeater, or type a curl command (or: "
                 "cross-site form POST /path) and press Enter. Either way the live challenge "
                 "server's own log grades you.",
}
"""The quiz engine's instructions are for typed answers; on screen the widgets differ."""
LINE_STYLES = (("  [right]", "green"), ("  [wrong]", "red"), ("  [missed]", "yellow"),
               ("The scene ran live", "bold cyan"), ("  response ", "bold"))


def styled_feedback(lines: tuple[str, ...] | list[str], correct: bool | None) -> Text:
    """Feedback lines as Rich text: the verdict coloured, each option's mark coloured.

    Built as Text (not markup): lesson text may contain brackets.
    """
    text = Text()
    for index, line in enumerate(lines):
        style = ""
        if index == 0 and correct is not None:
            style = "bold green" if correct else "bold red"
        for prefix, prefix_style in LINE_STYLES:
            if line.startswith(prefix):
                style = prefix_style
        text.append(line + "\n", style=style)
    return text
