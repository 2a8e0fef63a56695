"""Every key and what it does, read from the bindings themselves (so remaps show)."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tutor.ui.browser_keys import hidden_in_a_browser
from tutor.ui.screens import SCREEN_STYLES

INTRO = ("tutor shows how web login really works. Each lesson's scenes run against a real "
         "(in-process) auth server: step through them and watch every request, cookie and "
         "token. Ctrl+P opens the command palette with every action of the screen you are "
         "on, and the app-wide ones.")


def help_sections() -> list[tuple[str, str, list[BindingType]]]:
    """(screen class name, title, bindings) for every screen, in the order shown."""
    from tutor.ui.app import TutorApp
    from tutor.ui.screens.catalogue import CatalogueScreen
    from tutor.ui.screens.jwt_editor import JwtEditorScreen
    from tutor.ui.screens.player import PlayerScreen
    from tutor.ui.screens.quiz import QuizScreen
    from tutor.ui.screens.repeater import RepeaterScreen
    from tutor.ui.screens.replay import ReplayScreen
    from tutor.ui.widgets.answers import answer_bindings

    return [("", "Everywhere", TutorApp.BINDINGS),
            ("CatalogueScreen", "Catalogue", CatalogueScreen.BINDINGS),
            ("PlayerScreen", "Lesson player", PlayerScreen.BINDINGS),
            ("QuizScreen", "Quiz", [*QuizScreen.BINDINGS, *answer_bindings()]),
            ("RepeaterScreen", "Repeater", RepeaterScreen.BINDINGS),
            ("JwtEditorScreen", "JWT editor", JwtEditorScreen.BINDINGS),
            ("ReplayScreen", "HAR replay", ReplayScreen.BINDINGS)]


class HelpScreen(ModalScreen[None]):
    """A modal list of keys, opened at the section of the screen it was asked from; any
    of escape, q, ? or F1 closes it."""

    CSS_PATH = SCREEN_STYLES

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close help", id="close-help"),
    ]

    def __init__(self, screen_name: str = "") -> None:
        super().__init__()
        self.screen_name = screen_name
        """The class name of the screen help was asked from: its section is shown first."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static("Help", id="help-title")
            yield Static(INTRO, id="help-intro", markup=False)
            for name, title, bindings in help_sections():
                here = name == self.screen_name
                yield Static(self._section(title, bindings, here), classes="help-section",
                             id=f"help-{name or 'app'}")
            hidden = self._hidden_in_a_browser()
            if hidden is not None:
                yield Static(hidden, classes="help-section", id="help-browser")

    def on_mount(self) -> None:
        box = self.query_one("#help-box", VerticalScroll)
        box.focus()  # ↑/↓, PgUp/PgDn scroll at once
        found = list(self.query(f"#help-{self.screen_name}")) if self.screen_name else []
        if found:
            self.call_after_refresh(box.scroll_to_widget, found[0], animate=False,
                                    top=True)

    def _section(self, title: str, bindings: list[BindingType], here: bool) -> Table:
        keymap = getattr(self.app, "config", None)
        remapped: dict[str, str] = keymap.keymap if keymap is not None else {}
        # Rich Text, not markup: key names such as "[" and "]" would read as tags.
        table = Table(box=None, show_header=False, padding=(0, 1), expand=True,
                      title=Text(title + ("  (this screen)" if here else ""), style="bold"),
                      title_justify="left")
        table.add_column("keys", width=16, no_wrap=True, style="bold")
        table.add_column("what", width=16)
        table.add_column("more", ratio=1, style="dim")
        for binding in bindings:
            if not isinstance(binding, Binding) or not binding.description:
                continue
            keys = remapped.get(binding.id or "", binding.key)
            table.add_row(Text(key_names(self.app.get_key_display, keys)),
                          Text(binding.description), Text(binding.tooltip or ""))
        return table

    def _hidden_in_a_browser(self) -> Table | None:
        """The actions whose keys a browser tab keeps (`tutor web`), and where they are."""
        keymap = getattr(self.app, "config", None)
        remapped: dict[str, str] = keymap.keymap if keymap is not None else {}
        hidden = hidden_in_a_browser([(title, bindings) for _, title, bindings
                                      in help_sections()], remapped)
        if not hidden:
            return None
        table = Table(box=None, show_header=False, padding=(0, 1), expand=True,
                      title=Text("In a browser tab (tutor web)", style="bold"),
                      title_justify="left",
                      caption=Text("The browser keeps these keys: open the action from the "
                                   "command palette (Ctrl+P) instead, by its name."),
                      caption_justify="left")
        table.add_column("keys", width=16, no_wrap=True, style="bold")
        table.add_column("what", ratio=1)
        for title, key, description in hidden:
            table.add_row(Text(key_names(self.app.get_key_display, key)),
                          Text(f"{description} ({title})"))
        return table

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)


def key_names(display: object, keys: str) -> str:
    """`"n,right"` as the keys are shown: `n, →`."""
    show = display if callable(display) else str
    return ", ".join(str(show(Binding(key.strip(), ""))) for key in keys.split(","))
