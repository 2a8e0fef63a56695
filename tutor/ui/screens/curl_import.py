"""Paste a curl command to edit and send it in the Repeater (a modal over it)."""

from __future__ import annotations

from pathlib import PurePath
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from tutor.repeater.curl import SUPPORTED, CurlError, CurlImport, import_curl
from tutor.ui.screens import SCREEN_STYLES
from tutor.visible import visible


class CurlImportScreen(ModalScreen[CurlImport | None]):
    """Dismissed with the imported request, or None when cancelled."""

    CSS_PATH: ClassVar[list[str | PurePath]] = [SCREEN_STYLES, "curl_import.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "import_curl", "Import", id="curl-import-apply",
                tooltip="Read the command as a request and put it in the editor"),
        Binding("escape", "cancel", "Cancel", id="curl-import-cancel",
                tooltip="Leave the editor unchanged"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="curl-import-box"):
            yield Static("Import a curl command", id="curl-import-title")
            yield Static(f"Paste it below (several lines with \\ are fine). Read: {SUPPORTED}."
                         " ctrl+s imports, escape cancels.", id="curl-import-help",
                         markup=False)
            yield TextArea(id="curl-import-text", soft_wrap=True)
            yield Static(id="curl-import-error", markup=False)

    def on_mount(self) -> None:
        self.query_one("#curl-import-text", TextArea).focus()

    def action_import_curl(self) -> None:
        try:
            imported = import_curl(self.query_one("#curl-import-text", TextArea).text.strip())
        except CurlError as exc:
            self.query_one("#curl-import-error", Static).update(
                Text(f"Cannot import: {visible(str(exc))}", style="bold red"))
            return
        self.dismiss(imported)

    def action_cancel(self) -> None:
        self.dismiss(None)
