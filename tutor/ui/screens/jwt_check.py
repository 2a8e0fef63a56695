"""Paste a token: `tutor jwt` inside the app. The token is decoded (UNVERIFIED) and run
through the verification pipeline against only the keys typed here; nothing is sent."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Input, Static, TextArea

from tutor.clock import SystemClock
from tutor.jwtcheck.keys import KeyInputError, gather_keys, parse_leeway
from tutor.jwtcheck.pipeline import CheckOptions, CheckReport, Verifier
from tutor.jwtcheck.report import render
from tutor.ui.screens import SCREEN_STYLES
from tutor.ui.screens.guarded import GuardedScreen
from tutor.ui.widgets.footer import TutorFooter

TITLE = ("Check a JWT: paste a token, then give the key to verify it with. "
         "Offline: nothing you paste here is sent anywhere.")


@dataclass(frozen=True)
class CheckInputs:
    """What the screen's fields hold."""

    token: str
    secret: str
    key_file: str
    jwks: str
    leeway: str

    @property
    def fetches(self) -> bool:
        """A JWKS URL: fetched only when asked (enter or ctrl+s), not on every key."""
        return "://" in self.jwks


def check(inputs: CheckInputs) -> CheckReport | str:
    """The report, or the message saying which input is wrong (the worker's body)."""
    try:
        options = CheckOptions(leeway=parse_leeway(inputs.leeway))
        keys = gather_keys(inputs.secret or None,
                           [Path(inputs.key_file.strip())] if inputs.key_file.strip() else [],
                           inputs.jwks.strip() or None)
    except (KeyInputError, ValueError) as exc:
        return str(exc)
    return Verifier(keys, options).check(inputs.token, SystemClock())


_KEY_FIELDS: tuple[tuple[str, str, str, dict[str, Any]], ...] = (
    ("jwt-check-secret", "HMAC secret", "The HMAC secret to verify with (never shown)",
     {"password": True}),
    ("jwt-check-key", "PEM/JWK file", "A key file: PEM (public key, private key or "
     "certificate) or a JWK", {}),
    ("jwt-check-jwks", "JWKS file/URL", "A JWKS file, or a loopback URL such as "
     "http://127.0.0.1:8000/.well-known/jwks.json (enter fetches it)", {}),
    ("jwt-check-leeway", "leeway s", "Seconds of leeway for exp, nbf and iat",
     {"type": "number"}),
)
"""(id, placeholder, tooltip, other Input arguments) of the key fields, in order."""


class JwtCheckScreen(GuardedScreen[None]):
    """The token, the keys, and the pipeline's verdict, redrawn as they change."""

    CSS_PATH: ClassVar[list[str | PurePath]] = [SCREEN_STYLES, "jwt_check.tcss"]
    FOOTER_KEYS: ClassVar[tuple[str, ...]] = ("jwt-check-now", "jwt-check-back", "help")
    """The footer's keys, most useful first."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "check", "Check", id="jwt-check-now",
                tooltip="Verify now (also fetches a JWKS from a loopback URL)"),
        Binding("escape", "app.pop_screen", "Back", id="jwt-check-back",
                tooltip="Leave the token checker"),
    ]

    class Checked(Message):
        """The pipeline has run on the fields' values."""

        def __init__(self, inputs: CheckInputs, result: CheckReport | str) -> None:
            super().__init__()
            self.inputs = inputs
            self.result = result

    def __init__(self, token: str = "") -> None:
        super().__init__()
        self.initial = token

    def compose(self) -> ComposeResult:
        yield Static(TITLE, id="jwt-check-title", markup=False)
        with VerticalScroll(id="jwt-check"):
            yield TextArea(self.initial, id="jwt-check-token", soft_wrap=True,
                           language=None)
            with Horizontal(id="jwt-check-keys"):
                # Short placeholders fit four fields in 80 columns; the tooltips say more.
                for input_id, placeholder, tooltip, extra in _KEY_FIELDS:
                    field = Input(id=input_id, placeholder=placeholder, **extra)
                    field.tooltip = tooltip
                    yield field
            yield Static(id="jwt-check-problem", markup=False)
            yield Static(id="jwt-check-result", markup=False)
        yield TutorFooter()

    def on_mount(self) -> None:
        if not self.alive:
            return
        self.query_one("#jwt-check-token").border_title = "Token (yours: shown, never sent)"
        self.query_one("#jwt-check-token", TextArea).focus()
        self._run(self._inputs())

    def _inputs(self) -> CheckInputs:
        def value(name: str) -> str:
            return self.query_one(f"#jwt-check-{name}", Input).value

        return CheckInputs(self.query_one("#jwt-check-token", TextArea).text,
                           value("secret"), value("key"), value("jwks"), value("leeway"))

    @on(TextArea.Changed, "#jwt-check-token")
    @on(Input.Changed)
    def _changed(self) -> None:
        inputs = self._inputs()
        if not inputs.fetches:
            self._run(inputs)

    @on(Input.Submitted)
    def action_check(self) -> None:
        if self.alive:
            self._run(self._inputs())

    @work(thread=True, exclusive=True, exit_on_error=False, group="jwt-check")
    def _run(self, inputs: CheckInputs) -> None:
        """Thin: the core checks, the screen only shows (reading a key file or fetching a
        JWKS can block)."""
        result = check(inputs) if inputs.token.strip() else ""
        self.post_message(self.Checked(inputs, result))

    @on(Checked)
    def _show(self, message: Checked) -> None:
        if not self.alive:
            return
        problem = self.query_one("#jwt-check-problem", Static)
        result = self.query_one("#jwt-check-result", Static)
        if isinstance(message.result, str):  # a bad input, or nothing pasted yet
            problem.update(Text(message.result, style="bold red"))
            if not message.result:
                result.update("Paste a token above: its parts, times and the verification "
                              "pipeline appear here.")
            return
        problem.update("")
        result.update(render(message.result))
