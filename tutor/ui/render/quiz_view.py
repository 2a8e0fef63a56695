"""How the quiz screen colours its feedback (Rich only); each answer widget words its own
instructions (tutor/ui/widgets/answers.py)."""

from __future__ import annotations

from rich.text import Text

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
