"""Choose the Repeater's mock server: its mode, algorithm and deliberate weaknesses."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Select, Static

from tutor.repeater.sandbox import Sandbox, SandboxError
from tutor.server.config import ALGORITHMS, ServerConfig
from tutor.server.modes import all_modes
from tutor.server.weaknesses import WEAKNESSES
from tutor.ui.screens import SCREEN_STYLES


class SandboxSettingsScreen(ModalScreen[Sandbox | None]):
    """Dismissed with a fresh sandbox built from the choices, or None."""

    CSS_PATH = SCREEN_STYLES

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "apply", "Start", id="settings-apply",
                tooltip="Start a fresh server with these choices"),
        Binding("escape", "cancel", "Cancel", id="settings-cancel", tooltip="Keep the server"),
    ]

    def __init__(self, current: ServerConfig, victim: str | None = None) -> None:
        super().__init__()
        self.current = current
        self.current_victim = victim

    def compose(self) -> ComposeResult:
        enabled = set(self.current.vulnerabilities.enabled())
        with VerticalScroll(id="settings-box"):
            yield Static("The Repeater's server: a fresh one, so the timeline starts over.\n"
                         "[dim]ctrl+s starts it, esc keeps the current one.[/dim]",
                         id="settings-title")
            yield Select([(mode.name, mode.name) for mode in all_modes()], value=self.current.mode,
                         allow_blank=False, id="settings-mode")
            yield Select([(alg, alg) for alg in ALGORITHMS], value=self.current.algorithm,
                         allow_blank=False, id="settings-algorithm")
            yield Static("Deliberate weaknesses (tick one to switch it on):",
                         classes="settings-label")
            for weakness in WEAKNESSES.values():
                # Plain text: a description is prose, never markup.
                label = Content(f"{weakness.name}: {weakness.description} "
                                f"({', '.join(weakness.modes)})")
                yield Checkbox(label, value=weakness.name in enabled,
                               name=weakness.name, classes="weakness")
            yield Static("Others:", classes="settings-label")
            yield Checkbox("victim: alice logged in in her own browser (f4 lures her to "
                           "evil.test)", value=self.current_victim is not None, id="victim")
            yield Checkbox("dpop: jwt mode binds tokens to the browser's key; each request "
                           "needs a DPoP proof (RFC 9449)", value=self.current.dpop, id="dpop")
            with Horizontal(id="settings-buttons"):
                yield Button("Start", variant="primary", id="settings-start")
                yield Button("Cancel", id="settings-cancel-button")

    def on_mount(self) -> None:
        # Focused from the start, so the keyboard works at once (↑/↓ and enter choose).
        self.query_one("#settings-mode", Select).focus()

    @on(Button.Pressed, "#settings-start")
    def action_apply(self) -> None:
        weaknesses = [box.name for box in self.query(Checkbox).filter(".weakness")
                      if box.value and box.name]
        victim = "alice" if self.query_one("#victim", Checkbox).value else None
        mode = self.query_one("#settings-mode", Select).value
        algorithm = self.query_one("#settings-algorithm", Select).value
        try:
            settings = {"dpop": True} if self.query_one("#dpop", Checkbox).value else {}
            sandbox = Sandbox.choose(str(mode), str(algorithm), weaknesses, victim=victim,
                                     **settings)
        except SandboxError as exc:
            self.notify(str(exc), severity="error", timeout=8)
            return
        self.dismiss(sandbox)

    @on(Button.Pressed, "#settings-cancel-button")
    def action_cancel(self) -> None:
        self.dismiss(None)
