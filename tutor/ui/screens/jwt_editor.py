"""The JWT editor: change a token's header or claims, then keep the old signature, sign
again (an HMAC secret the learner knows or cracked, or the attacker's own key pair), or
drop the signature (`alg: none`). Header tools embed a `jwk`, point `jku` at evil.test and
set `kid`; the cracker guesses an HMAC secret offline from a word list."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path, PurePath
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, RadioButton, RadioSet, Select, Static, TextArea
from textual.worker import get_current_worker

from tutor.jwtcheck.crack import OFFLINE, CrackProgress, shipped_words, words_in_file
from tutor.repeater.draft import RequestDraft
from tutor.repeater.jwt_editor import (
    ASYMMETRIC_ALGORITHMS,
    SIGNING_ALGORITHMS,
    TokenFormatError,
    crack_secret,
    decode,
    keep_signature,
    parse_json_object,
    re_sign,
    secret_matches,
    unsigned,
    with_attacker_jku,
    with_embedded_jwk,
    with_kid,
)
from tutor.ui.screens import SCREEN_STYLES
from tutor.ui.screens.guarded import on_stack
from tutor.visible import visible

SIGNATURE_CHOICES = (("keep", "Keep the old signature (watch it fail at the signature stage)"),
                     ("sign", "Sign again: HS* with the secret below, the others with the "
                              "attacker's own key"),
                     ("none", "alg: none, no signature at all"))


def token_in_draft(draft: RequestDraft) -> str | None:
    """The Bearer token an edited request carries, if any."""
    authorization = draft.header("Authorization") or ""
    if authorization.lower().startswith("bearer "):
        return authorization.split(" ", 1)[1].strip() or None
    return None


def build_token(original: str, header_text: str, claims_text: str, how: str,
                secret: str, alg: str = "HS256") -> str:
    """The edited token (`TokenFormatError` with what is wrong)."""
    decoded = decode(original)
    header = parse_json_object(header_text, "the header")
    claims = parse_json_object(claims_text, "the claims")
    if how == "keep":
        return keep_signature(decoded, header, claims)
    if how in ("sign", "resign"):
        return re_sign(header, claims, alg, secret)
    return unsigned(header, claims)


class JwtEditorScreen(ModalScreen[str | None]):
    """Dismissed with the new token, or None when cancelled."""

    CSS_PATH: ClassVar[list[str | PurePath]] = [SCREEN_STYLES, "jwt_editor.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "apply", "Use token", id="jwt-apply",
                tooltip="Put the edited token in the request's Authorization header"),
        Binding("ctrl+k", "crack", "Crack secret", id="jwt-crack-key",
                tooltip="Guess the HMAC secret from the built-in word list, offline"),
        Binding("escape", "cancel", "Cancel", id="jwt-cancel", tooltip="Leave it unchanged"),
    ]

    class CrackProgressed(Message):
        """The cracker has tried another batch (or finished, or stopped)."""

        def __init__(self, progress: CrackProgress) -> None:
            super().__init__()
            self.progress = progress

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
            with Horizontal(id="jwt-header-tools"):
                yield Button("Embed attacker jwk", id="jwt-embed")
                yield Button("jku → evil.test", id="jwt-jku")
                yield Input(id="jwt-kid", placeholder="kid (try ../../../../dev/null)")
                yield Button("Set kid", id="jwt-set-kid")
            with RadioSet(id="jwt-signature"):
                for index, (name, label) in enumerate(SIGNATURE_CHOICES):
                    yield RadioButton(label, value=index == 0, name=name)
            with Horizontal(id="jwt-secret-row"):
                yield Select([(alg, alg) for alg in SIGNING_ALGORITHMS], value="HS256",
                             allow_blank=False, id="jwt-alg")
                yield Input(id="jwt-secret", placeholder="the HMAC secret (empty: an empty "
                            "key, as a kid naming an empty file gives)", password=False)
                yield Button("Check secret", id="jwt-check")
            with Horizontal(id="jwt-crack-row"):
                yield Button("Crack (built-in list)", id="jwt-crack")
                yield Input(id="jwt-wordlist", placeholder="or your own word list: a file "
                            "path, one guess a line")
                yield Button("Crack my list", id="jwt-crack-file")
            yield Static(id="jwt-crack-status", markup=False)
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
        self._set_header(decoded.header)
        self.query_one("#jwt-claims", TextArea).text = json.dumps(decoded.claims, indent=2)
        if decoded.algorithm in SIGNING_ALGORITHMS:
            self.query_one("#jwt-alg", Select).value = decoded.algorithm
        self._preview()

    def _problem(self, message: str) -> None:
        self.query_one("#jwt-problem", Static).update(Text(visible(message), style="bold red"))

    def _how(self) -> str:
        pressed = self.query_one("#jwt-signature", RadioSet).pressed_button
        return pressed.name if pressed is not None and pressed.name else "keep"

    def _alg(self) -> str:
        value = self.query_one("#jwt-alg", Select).value
        return value if isinstance(value, str) else "HS256"

    def _choose(self, how: str) -> None:
        for button in self.query_one("#jwt-signature", RadioSet).query(RadioButton):
            if button.name == how:
                button.value = True

    def edited(self) -> str:
        """The token the editor's fields make now."""
        return build_token(self.original, self.query_one("#jwt-header", TextArea).text,
                           self.query_one("#jwt-claims", TextArea).text, self._how(),
                           self.query_one("#jwt-secret", Input).value, self._alg())

    @on(TextArea.Changed)
    @on(RadioSet.Changed)
    @on(Input.Changed, "#jwt-secret")
    @on(Select.Changed)
    def _preview(self) -> None:
        preview = self.query_one("#jwt-preview", Static)
        try:
            token = self.edited()
        except TokenFormatError as exc:
            preview.update(Text(f"Not a token yet: {visible(str(exc))}", style="yellow"))
            return
        header, claims, signature = token.split(".")
        text = Text()
        text.append(header, style="red")
        text.append(".")
        text.append(claims, style="magenta")
        text.append(".")
        text.append(signature or "(no signature)", style="cyan")
        how, alg = self._how(), self._alg()
        if how == "sign" and alg in ASYMMETRIC_ALGORITHMS:
            text.append(f"\nsigned with the attacker's own {alg} key: only a server that "
                        "takes its key from the token (jwk, jku) or its kid will accept it",
                        style="dim")
        elif how == "sign" and not self.query_one("#jwt-secret", Input).value:
            text.append("\nsigned with an empty secret: what a kid naming an empty file "
                        "gives a careless server", style="dim")
        self._problem("")
        preview.update(text)

    # --- header tools -------------------------------------------------------------------------

    def _header(self) -> dict[str, object] | None:
        try:
            return parse_json_object(self.query_one("#jwt-header", TextArea).text, "the header")
        except TokenFormatError as exc:
            self._problem(str(exc))
            return None

    def _set_header(self, header: dict[str, object]) -> None:
        self.query_one("#jwt-header", TextArea).text = json.dumps(header, indent=2)

    def _attacker_alg(self) -> str:
        """The algorithm picked, if it has an attacker key; else RS256 (and pick it)."""
        alg = self._alg()
        if alg not in ASYMMETRIC_ALGORITHMS:
            alg = "RS256"
            self.query_one("#jwt-alg", Select).value = alg
        return alg

    @on(Button.Pressed, "#jwt-embed")
    def _embed(self) -> None:
        header = self._header()
        if header is not None:
            self._set_header(with_embedded_jwk(header, self._attacker_alg()))
            self._choose("sign")

    @on(Button.Pressed, "#jwt-jku")
    def _jku(self) -> None:
        header = self._header()
        if header is not None:
            self._set_header(with_attacker_jku(header, self._attacker_alg()))
            self._choose("sign")

    @on(Button.Pressed, "#jwt-set-kid")
    @on(Input.Submitted, "#jwt-kid")
    def _set_kid(self) -> None:
        header = self._header()
        if header is not None:
            self._set_header(with_kid(header, self.query_one("#jwt-kid", Input).value))

    # --- secrets ------------------------------------------------------------------------------

    @on(Button.Pressed, "#jwt-check")
    def _check_secret(self) -> None:
        secret = self.query_one("#jwt-secret", Input).value
        try:
            matched = secret_matches(self.original, secret)
        except TokenFormatError as exc:
            self._problem(str(exc))
            return
        self.notify(f"{visible(secret)!r} made this token's signature: you can mint tokens "
                    "now." if matched else f"{visible(secret)!r} is not the secret (checked "
                    "offline: the server never saw the guess).", timeout=5)

    @on(Button.Pressed, "#jwt-crack")
    def action_crack(self) -> None:
        words = shipped_words()
        self._crack(words, len(words), "the built-in list")

    @on(Button.Pressed, "#jwt-crack-file")
    @on(Input.Submitted, "#jwt-wordlist")
    def _crack_file(self) -> None:
        path = Path(self.query_one("#jwt-wordlist", Input).value.strip()).expanduser()
        try:
            words = words_in_file(path)
        except OSError as exc:
            self._problem(f"{path}: cannot read it: {exc.strerror or exc}")
            return
        self._crack(words, None, str(path))

    def _crack(self, words: Iterable[bytes], total: int | None, source: str) -> None:
        try:
            decode(self.original)
        except TokenFormatError as exc:
            self._problem(str(exc))
            return
        self.query_one("#jwt-crack-status", Static).update(
            f"Guessing from {visible(source)}… ({OFFLINE})")
        self._crack_worker(words, total)

    @work(thread=True, exclusive=True, exit_on_error=False, group="jwt-crack")
    def _crack_worker(self, words: Iterable[bytes], total: int | None) -> None:
        """Thin: the core guesses; every batch is posted; leaving the editor stops it."""
        worker = get_current_worker()

        def heard(progress: CrackProgress) -> bool:
            self.post_message(self.CrackProgressed(progress))
            return not worker.is_cancelled

        try:
            crack_secret(self.original, words, total, heard)
        except TokenFormatError as exc:
            self.post_message(self.CrackProgressed(CrackProgress(0, total, 0.0, done=True)))
            self.app.call_from_thread(self._problem, str(exc))

    @on(CrackProgressed)
    def _cracked(self, message: CrackProgressed) -> None:
        if not on_stack(self):
            return
        progress = message.progress
        status = self.query_one("#jwt-crack-status", Static)
        line = progress.line()
        if progress.found is not None:
            secret = progress.found.decode("utf-8", "replace")
            status.update(Text.assemble(("FOUND ", "bold green"), visible(repr(secret)),
                                        f" · {line}"))
            self.query_one("#jwt-secret", Input).value = secret
            alg = decode(self.original).algorithm
            if alg in SIGNING_ALGORITHMS:
                self.query_one("#jwt-alg", Select).value = alg
            self._choose("sign")
        elif progress.done:
            status.update(Text(f"not in the list · {line}", style="yellow"))
        else:
            status.update(line)

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
