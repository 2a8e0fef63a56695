"""The Repeater's tools: the token editors (f7: the JWT editor, or the signed-cookie
editor on a signed-cookie server), curl out (f6) and in (ctrl+o, or pasted into the
request line), and the server's settings (f8). Kept apart from the screen's own sending
and timeline code; each takes the Repeater, reads its draft and sandbox, and loads the
result into its editor (or gives it a new sandbox)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from rich.console import Group
from rich.text import Text

from tutor import served
from tutor.progress_store import data_dir
from tutor.repeater.curl import CurlImport, for_serve, to_curl
from tutor.repeater.draft import DraftError, RequestDraft
from tutor.repeater.variables import VariableError
from tutor.server.modes import get_mode
from tutor.visible import visible

if TYPE_CHECKING:
    from tutor.repeater.sandbox import Sandbox
    from tutor.ui.screens.repeater import RepeaterScreen

SERVE_URL_VARIABLE = "TUTOR_SERVE_URL"
"""Where f6 aims when set (unless a curl command was imported since): see serve_target."""


def open_token_editor(screen: RepeaterScreen, draft: RequestDraft) -> None:
    """f7: the signed-cookie editor on a signed-cookie server, else the JWT editor on the
    Authorization token (its `{{variables}}` filled in) or the last token seen."""
    if screen.sandbox.config.mode == "signed-cookie":
        _signed_cookie_editor(screen, draft)
        return
    from tutor.ui.screens.jwt_editor import JwtEditorScreen, token_in_draft

    token = token_in_draft(draft)
    if token is not None and "{{" in token:
        try:
            token = token_in_draft(screen.chain.fill(draft))
        except VariableError as exc:
            screen.notify(visible(str(exc)), severity="error")
            return
    token = token or _last_token(screen)
    if token is None:
        screen.notify("No token to edit: log in to a jwt-mode server first (f8 picks "
                      "the mode).", timeout=5)
        return

    def use(edited: str | None) -> None:
        if edited:
            screen.editor.load_draft(draft.with_header("Authorization", f"Bearer {edited}"))

    screen.app.push_screen(JwtEditorScreen(token), use)


def _signed_cookie_editor(screen: RepeaterScreen, draft: RequestDraft) -> None:
    """The session cookie in the draft, else the jar's."""
    from tutor.ui.screens.signed_editor import SignedCookieEditorScreen

    mode = get_mode("signed-cookie")
    names = {mode.cookie_name(https) for https in (False, True)}

    def ours(name: str) -> bool:
        return name in names

    found = next(((n, v) for n, v in draft.cookies if ours(n)), None)
    if found is None:
        found = next(((c.name, c.value) for c in screen.sandbox.you.jar.cookies()
                      if ours(c.name)), None)
    if found is None:
        screen.notify("No session cookie to edit: log in first (ctrl+s on the starter "
                      "request), with the cookie jar on.", timeout=5)
        return
    name, value = found

    def use(edited: str | None) -> None:
        if edited:
            screen.editor.load_draft(draft.with_cookie(name, edited))

    clock = screen.sandbox.world.clock
    screen.app.push_screen(SignedCookieEditorScreen(value, clock.now()), use)


def _last_token(screen: RepeaterScreen) -> str | None:
    from tutor.ui.widgets.stage import token_in

    for entry in reversed(screen.sandbox.current):
        if entry.main is not None:
            token = token_in(entry.main)
            if token:
                return token
    return None


def serve_target(screen: RepeaterScreen) -> tuple[str, str, dict[str, str] | None]:
    """Where f6 aims, why there, and the server's cookie names if it said them: an
    imported curl command's server, else $TUTOR_SERVE_URL, else the `tutor serve`
    running now (it publishes its address and cookie names), else where `tutor serve`
    listens by default. Asked at each f6: a server started after the Repeater opened is
    found."""
    if screen.imported_url is not None:
        return screen.imported_url, "the server of the curl command you imported", None
    if chosen := os.environ.get(SERVE_URL_VARIABLE):
        return chosen, f"from {SERVE_URL_VARIABLE}", None
    if running := served.published(data_dir()):
        return running.url, "the tutor serve running now", running.cookie_names
    return (served.DEFAULT_URL, f"its default address; set {SERVE_URL_VARIABLE} for another",
            None)


def copy_curl(screen: RepeaterScreen) -> None:
    """f6: the editor's request as a curl command for `tutor serve`, on the clipboard and
    in the response's place."""
    url, why, cookie_names = serve_target(screen)
    try:
        draft = for_serve(screen.chain.fill(screen.editor.current_draft()), url, cookie_names)
    except (DraftError, VariableError) as exc:
        screen.notify(visible(str(exc)), severity="error")
        return
    command = to_curl(draft, url)
    screen.app.copy_to_clipboard(command)
    screen.editor.show_response(Group(
        Text(f"Copied, for `tutor serve` at {visible(url)} ({visible(why)}), in the same "
             "mode (its cookie names):", style="bold"),
        Text(visible(command))))


def import_pasted_curl(screen: RepeaterScreen, line: str) -> None:
    """A curl command pasted into the request line, imported as ctrl+o would."""
    from tutor.repeater.curl import CurlError, import_curl

    try:
        use_import(screen, import_curl(line))
    except CurlError as exc:
        screen.notify(visible(str(exc)), severity="error", timeout=6)


def use_import(screen: RepeaterScreen, imported: CurlImport) -> None:
    """Put an imported curl command in the editor; f6 now aims at its server."""
    screen.editor.forget_set_aside()
    screen.editor.load_draft(imported.draft)
    screen.editing = None
    if imported.origin is not None:
        screen.imported_url = imported.origin
    screen.notify(visible(imported.note()), timeout=5)


def open_settings(screen: RepeaterScreen) -> None:
    """f8: choose the server's mode and weaknesses; a new sandbox starts afresh."""
    if screen.challenge is not None:
        screen.notify("A challenge's server is fixed.", timeout=3)
        return
    from tutor.ui.screens.sandbox_settings import SandboxSettingsScreen

    def chosen(sandbox: Sandbox | None) -> None:
        if sandbox is not None:
            screen.sandbox = sandbox
            screen.editing = None
            screen.restart()

    screen.app.push_screen(SandboxSettingsScreen(screen.sandbox.config,
                                                 screen.sandbox.victim_name), chosen)


def open_curl_import(screen: RepeaterScreen) -> None:
    """ctrl+o: paste a curl command; the draft goes into the editor."""
    from tutor.ui.screens.curl_import import CurlImportScreen

    def imported(result: CurlImport | None) -> None:
        if result is not None:
            use_import(screen, result)

    screen.app.push_screen(CurlImportScreen(), imported)
