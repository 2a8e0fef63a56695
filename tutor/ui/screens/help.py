"""Every key and what it does, read from the bindings themselves (so remaps show)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tutor.ui.browser_keys import hidden_in_a_browser

INTRO = """tutor shows how web login really works. Each lesson's scenes run against a real
(in-process) auth server: step through them and watch every request, cookie and token.
Ctrl+P opens the command palette with every app-wide action."""


class HelpScreen(ModalScreen[None]):
    """A modal list of keys; any of escape, q, ? or F1 closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close help", id="close-help"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static("Help", id="help-title")
            yield Static(INTRO, id="help-intro")
            yield Static(self._keys(), id="help-keys")

    def _keys(self) -> Text:
        from tutor.ui.screens.catalogue import CatalogueScreen
        from tutor.ui.screens.jwt_editor import JwtEditorScreen
        from tutor.ui.screens.player import PlayerScreen
        from tutor.ui.screens.quiz import QuizScreen
        from tutor.ui.screens.repeater import RepeaterScreen
        from tutor.ui.screens.replay import ReplayScreen
        from tutor.ui.widgets.answers import answer_bindings

        sections = [("Everywhere", self.app.BINDINGS), ("Catalogue", CatalogueScreen.BINDINGS),
                    ("Lesson player", PlayerScreen.BINDINGS),
                    ("Quiz", [*QuizScreen.BINDINGS, *answer_bindings()]),
                    ("Repeater", RepeaterScreen.BINDINGS),
                    ("JWT editor", JwtEditorScreen.BINDINGS),
                    ("HAR replay", ReplayScreen.BINDINGS)]
        keymap = getattr(self.app, "config", None)
        remapped: dict[str, str] = keymap.keymap if keymap is not None else {}
        # Rich Text, not markup: key names such as "[" and "]" would read as tags.
        text = Text()
        for title, bindings in sections:
            text.append(f"{title}\n", style="bold")
            for binding in bindings:
                if not isinstance(binding, Binding) or not binding.description:
                    continue
                keys = remapped.get(binding.id or "", binding.key)
                shown = ", ".join(self.app.get_key_display(Binding(k.strip(), ""))
                                  for k in keys.split(","))
                text.append(f"  {shown:<22} {binding.description}\n")
            text.append("\n")
        hidden = hidden_in_a_browser(sections, remapped)
        if hidden:
            text.append("In a browser tab (tutor web)\n", style="bold")
            text.append("  The browser keeps these keys; open the action from the command\n"
                        "  palette (Ctrl+P) instead, by its name:\n")
            for title, key, description in hidden:
                shown = self.app.get_key_display(Binding(key, ""))
                text.append(f"  {shown:<22} {description} ({title})\n")
        return text

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
