"""Counts in words: "1 exchange", "2 exchanges". The one place plurals are made."""

from __future__ import annotations

IRREGULAR = {"entry": "entries", "body": "bodies", "family": "families", "is": "are",
             "was": "were", "reply": "replies", "query": "queries", "this": "these"}
"""Plurals that are not the word plus `s`."""


def plural_of(word: str) -> str:
    """`word` in the plural (English, for the handful of nouns the tutor counts)."""
    return IRREGULAR.get(word, word + "s")


def plural(count: int, word: str, many: str | None = None) -> str:
    """`count` and `word`, the word in the plural unless the count is one."""
    return f"{count} {word if count == 1 else (many or plural_of(word))}"
