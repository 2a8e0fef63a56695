"""The README's keys table says what the footer and help say: the same bindings."""

from __future__ import annotations

import re
from pathlib import Path

from textual.binding import Binding

from tests.ui.conftest import AppFactory
from tutor.ui.screens.catalogue import CatalogueScreen
from tutor.ui.screens.help import help_sections
from tutor.ui.screens.player import PlayerScreen

README = Path(__file__).resolve().parents[2] / "README.md"
WHERE = {"everywhere": "Everywhere", "catalogue": "Catalogue", "player": "Lesson player",
         "quiz": "Quiz", "repeater": "Repeater"}
ROW = re.compile(r"^\| (\w+) \| `([^`]+)` \| ([^|]+?) \|$")


def readme_keys() -> list[tuple[str, str, str]]:
    """(where, key, what) for each row of the README's keys table."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Keys", 1)[1].split("\n## ", 1)[0]
    return [(match[1], match[2], match[3]) for line in section.splitlines()
            if (match := ROW.match(line)) is not None]


async def test_the_readme_keys_table_matches_the_bindings(make_app: AppFactory) -> None:
    app = make_app()
    rows = readme_keys()
    assert len(rows) >= 30
    sections = {title: bindings for _, title, bindings in help_sections()}
    for where, key, what in rows:
        bindings = [b for b in sections[WHERE[where]]
                    if isinstance(b, Binding) and b.description == what]
        assert bindings, f"README: {where} {key!r} {what!r} is no binding's description"
        spellings = {spelling for binding in bindings
                     for name in binding.key.split(",")
                     for spelling in (name.strip(),
                                      app.get_key_display(Binding(name.strip(), "")))}
        assert key in spellings, f"README: {what!r} is {sorted(spellings)}, not {key!r}"
    listed = {(where, what) for where, _, what in rows}
    for where, screen in (("player", PlayerScreen), ("catalogue", CatalogueScreen)):
        ids = set(screen.FOOTER_KEYS)
        for binding in screen.BINDINGS:
            if isinstance(binding, Binding) and binding.id in ids:
                assert (where, binding.description) in listed, (
                    f"{where}'s footer shows {binding.description!r}; the README does not")
