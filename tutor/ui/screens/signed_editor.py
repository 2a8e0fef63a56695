"""The signed-cookie editor (f7 in the Repeater, for a signed session cookie): read the
data anyone can read, change it, then keep the old signature (the server must refuse) or
sign again with a secret the learner guessed or cracked offline from the word list."""

from __future__ import annotations

import json
from pathlib import PurePath
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, RadioButton, RadioSet, Static, TextArea

from tutor.jwtcheck.crack import shipped_words
from tutor.repeater.signed_editor import (
    SignedCookieFormatError,
    crack_secret,
    decode,
    keep_signature,
    parse_data,
    re_sign,
    secret_matches,
)
from tutor.ui.screens import SCREEN_STYLES
from tutor.ui.screens.guarded import on_stack
from tutor.visible import visible

CHOICES = (("keep", "Keep the old timestamp and signature (watch the server refuse)"),
           ("sign", "Sign again with the secret below (a guessed one works only on a "
                    "server whose secret it is)"))


class SignedCookieEditorScreen(ModalScreen[str | None]):
    """Dismissed with the new cookie value, or None when cancelled."""

    CSS_PATH: ClassVar[list[str | PurePath]] = [SCREEN_STYLES, "signed_editor.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "apply", "Use cookie", id="signed-apply",
                tooltip="Put the edited value in the request's Cookie header"),
        Binding("ctrl+k", "crack", "Crack secret", id="signed-crack-key",
                tooltip="Guess the signing secret from the built-in word list, offline"),
        Binding("escape", "cancel", "Cancel", id="signed-cancel", tooltip="Leave it unchanged"),
    ]

    def __init__(self, value: str, now: float) -> None:
        super().__init__()
        self.original = value
        self.now = int(now)
        """The server's time: a re-signed cookie is signed now, so it is not too old."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="signed-box"):
            yield Static("Signed-cookie editor: anyone can read the data; only the secret "
                         "signs it.\n[dim]ctrl+s puts the cookie in the request, esc "
                         "cancels.[/dim]", id="signed-title")
            yield Static(id="signed-problem")
            yield TextArea(id="signed-data", language=None)
            with RadioSet(id="signed-how"):
                for index, (name, label) in enumerate(CHOICES):
                    yield RadioButton(label, value=index == 0, name=name)
            with Horizontal(id="signed-secret-row"):
                yield Input(id="signed-secret", placeholder="the signing secret you guessed")
                yield Button("Check secret", id="signed-check")
                yield Button("Crack (built-in list)", id="signed-crack")
            yield Static(id="signed-crack-status", markup=False)
            yield Static(id="signed-preview")
            with Horizontal(id="signed-buttons"):
                yield Button("Use cookie", variant="primary", id="signed-use")
                yield Button("Cancel", id="signed-cancel-button")

    def on_mount(self) -> None:
        if not on_stack(self):
            return
        self.query_one("#signed-data").border_title = "Data (JSON)"
        try:
            cookie = decode(self.original)
        except SignedCookieFormatError as exc:
            self._problem(f"This cookie cannot be decoded: {exc}")
            return
        self.query_one("#signed-data", TextArea).text = json.dumps(cookie.data, indent=2)
        self._preview()

    def _problem(self, message: str) -> None:
        self.query_one("#signed-problem", Static).update(
            Text(visible(message), style="bold red"))

    def _how(self) -> str:
        pressed = self.query_one("#signed-how", RadioSet).pressed_button
        return pressed.name if pressed is not None and pressed.name else "keep"

    def edited(self) -> str:
        """The cookie value the editor's fields make now."""
        data = parse_data(self.query_one("#signed-data", TextArea).text)
        if self._how() == "sign":
            return re_sign(data, self.query_one("#signed-secret", Input).value, self.now)
        return keep_signature(decode(self.original), data)

    @on(TextArea.Changed)
    @on(RadioSet.Changed)
    @on(Input.Changed, "#signed-secret")
    def _preview(self) -> None:
        preview = self.query_one("#signed-preview", Static)
        try:
            value = self.edited()
        except SignedCookieFormatError as exc:
            preview.update(Text(f"Not a cookie yet: {visible(str(exc))}", style="yellow"))
            return
        payload, stamp, signature = value.split(".")
        text = Text()
        text.append(payload, style="magenta")
        text.append(".")
        text.append(stamp, style="green")
        text.append(".")
        text.append(signature, style="cyan")
        self._problem("")
        preview.update(text)

    @on(Button.Pressed, "#signed-check")
    def _check(self) -> None:
        secret = self.query_one("#signed-secret", Input).value
        matched = secret_matches(self.original, secret.encode())
        self.notify(f"{visible(secret)!r} signed this cookie: you can sign your own now."
                    if matched else f"{visible(secret)!r} is not the secret (checked "
                    "offline: the server never saw the guess).", timeout=5)

    @on(Button.Pressed, "#signed-crack")
    def action_crack(self) -> None:
        self.query_one("#signed-crack-status", Static).update("Guessing…")
        self._crack()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _crack(self) -> None:
        try:
            result = crack_secret(self.original, shipped_words())
        except SignedCookieFormatError as exc:
            self.app.call_from_thread(self._problem, str(exc))
            return
        self.app.call_from_thread(self._cracked, result.tried, result.found)

    def _cracked(self, tried: int, found: bytes | None) -> None:
        if not on_stack(self):
            return
        status = self.query_one("#signed-crack-status", Static)
        if found is None:
            status.update(f"Not in the built-in list ({tried} words tried): a strong secret.")
            return
        secret = found.decode("utf-8", "replace")
        status.update(f"Found after {tried} guesses: {visible(secret)!r}")
        self.query_one("#signed-secret", Input).value = secret
        for button in self.query_one("#signed-how", RadioSet).query(RadioButton):
            button.value = button.name == "sign"

    @on(Button.Pressed, "#signed-use")
    def action_apply(self) -> None:
        try:
            self.dismiss(self.edited())
        except SignedCookieFormatError as exc:
            self._problem(str(exc))

    @on(Button.Pressed, "#signed-cancel-button")
    def action_cancel(self) -> None:
        self.dismiss(None)
