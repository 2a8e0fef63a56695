"""Text from a file or the network, made safe to put on a terminal.

A URL in a HAR file, a header a server sent or a lesson value can hold control
characters; written raw, an escape sequence would move the cursor, recolour or clear the
learner's terminal. `visible` shows each as its one-cell Unicode control picture
(ESC → ␛), so columns still line up, and the C1 controls as `\\x9b`.
"""

from __future__ import annotations

import re

_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return f"\\x{code:02x}"


def visible(text: str) -> str:
    """`text` with every control character shown instead of obeyed."""
    return _CONTROLS.sub(_picture, text) if _CONTROLS.search(text) else text
