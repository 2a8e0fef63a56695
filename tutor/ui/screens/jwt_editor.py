"""The JWT editor: change a token's header or claims, then keep the old signature,
re-sign with a secret the learner knows, or drop the signature (`alg: none`)."""

from __future__ import annotations

import json
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, RadioButton, RadioSet, Static, TextArea

from tutor.repeater.draft import RequestDraft
from tutor.repeater.jwt_editor import (
    TokenFormatError,
    decode,
    keep_signature,
    parse_json_object,
    secret_matches,
    sign_hs256,
    unsigned,
)
from tutor.ui.screens.guarded import on_stack

SIGNATURE_CHOICES = (("keep", "Keep the old signature (watch it fail at the signature stage)"),
                     ("resign", "Re-sign with HS256 and this secret:"),
                     ("none", "alg: none, no signature at all"))


def token_in_draft(draft: RequestDraft) -> str | None:
    """The Bearer token an edited request carries, if any."""
    authorization = draft.header("Authorization") or ""
    if authorization.lower().startswith("bearer "):
        return authorization.split(" ", 1)[1].strip() or None
    return None


def build_token(original: str, header_text: str, claims_text: str, how: str,
                secret: str) -> str:
    """The edited token (`TokenFormatError` with what is wrong)."""
    decoded = decode(original)
    header = parse_json_object(header_text, "the header")
    claims = parse_json_object(claims_text, "the claims")
    if how == "keep":
        return keep_signature(decoded, header, claims)
    if how == "resign":
        if not secret:
            raise TokenFormatError("write the secret to sign with")
        return sign_hs256(header, claims, secret)
    return unsigned(header, claims)


class JwtEditorScreen(ModalScreen[str | None]):
    """Dismissed with the new token, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "apply", "Use token", id="jwt-apply",
                tooltip="Put the edited token in the request's Authorization header"),
        Binding("escape", "cancel", "Cancel", id="jwt-cancel", tooltip="Leave it unchanged"),
    ]

    def __init__(self, token: str) -> None:
        super().__init__()
        self.original = token

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="jwt-box"):
            yield Static("JWT editor: nothing here is verified; the server decides.\n"
                         "[dim]ctrl+s puts the token in the request, esc cancels.[/dim]",
                         id="jwt-title")
            yield Static(id="jwt-problem")
            with Horizontal(id="jwt-parts"):
                yield TextArea(id="jwt-header", language=None)
                yield TextArea(id="jwt-claims", language=None)
            with RadioSet(id="jwt-signature"):
                for index, (name, label) in enumerate(SIGNATURE_CHOICES):
                    yield RadioButton(label, value=index == 0, name=name)
            with Horizontal(id="jwt-secret-row"):
                yield Input(id="jwt-secret", placeholder="the secret (try the lesson's "
                            "word list)", password=False)
                yield Button("Check secret", id="jwt-check")
            yield Static(id="jwt-preview")
            with Horizontal(id="jwt-buttons"):
                yield Button("Use token", variant="primary", id="jwt-use")
                yield Button("Cancel", id="jwt-cancel-button")

    def on_mount(self) -> None:
        if not on_stack(self):  # closed before it was shown (keys can outrun a push)
            return
        self.query_one("#jwt-header").border_title = "Header"
        self.query_one("#jwt-claims").border_title = "Claims"
        try:
            decoded = decode(self.original)
        except TokenFormatError as exc:
            self._problem(f"This token cannot be decoded: {exc}")
            return
        self.query_one("#jwt-header", TextArea).text = json.dumps(decoded.header, indent=2)
        self.query_one("#jwt-claims", TextArea).text = json.dumps(decoded.claims, indent=2)
        self._preview()

    def _problem(self, message: str) -> None:
        self.query_one("#jwt-problem", Static).update(Text(message, style="bold red"))

    def _how(self) -> str:
        pressed = self.query_one("#jwt-signature", RadioSet).pressed_button
        return pressed.name if pressed is not None and pressed.name else "keep"

    def edited(self) -> str:
        """The token the editor's fields make now."""
        return build_token(self.original, self.query_one("#jwt-header", TextArea).text,
                           self.query_one("#jwt-claims", TextArea).text, self._how(),
                           self.query_one("#jwt-secret", Input).value)

    @on(TextArea.Changed)
    @on(RadioSet.Changed)
    @on(Input.Changed)
    def _preview(self) -> None:
        preview = self.query_one("#jwt-preview", Static)
        try:
            token = self.edited()
        except TokenFormatError as exc:
            preview.update(Text(f"Not a token yet: {exc}", style="yellow"))
            return
        header, claims, signature = token.split(".")
        text = Text()
        text.append(header, style="red")
        text.append(".")
        text.append(claims, style="magenta")
        text.append(".")
        text.append(signature or "(no signature)", style="cyan")
        self._problem("")
        preview.update(text)

    @on(Button.Pressed, "#jwt-check")
    def _check_secret(self) -> None:
        secret = self.query_one("#jwt-secret", Input).value
        try:
            matched = secret_matches(self.original, secret)
        except TokenFormatError as exc:
            self._problem(str(exc))
            return
        self.notify(f"{secret!r} made this token's signature: you can mint tokens now."
                    if matched else f"{secret!r} is not the secret (checked offline: the "
                    "server never saw the guess).", timeout=5)

    @on(Button.Pressed, "#jwt-use")
    def action_apply(self) -> None:
        try:
            token = self.edited()
        except TokenFormatError as exc:
            self._problem(str(exc))
            return
        self.dismiss(token)

    @on(Button.Pressed, "#jwt-cancel-button")
    def action_cancel(self) -> None:
        self.dismiss(None)
