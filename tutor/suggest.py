"""Messages for a name nobody knows, with the closest known one: used by every parser."""

from __future__ import annotations

import difflib


def unknown_key_message(kind: str, key: str, known: set[str], noun: str = "key") -> str:
    """`unknown server key 'mdoe'; did you mean 'mode'?` (or the known keys)."""
    close = difflib.get_close_matches(key, sorted(known), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(sorted(known))}"
    return f"unknown {kind} {noun} {key!r}{hint}"
