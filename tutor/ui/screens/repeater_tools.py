"""The Repeater's tools that open another screen: the token editors (f7: the JWT editor,
or the signed-cookie editor on a signed-cookie server) and curl import (ctrl+o). Kept
apart from the screen's own sending and timeline code; each takes the Repeater and only
reads its draft and sandbox, then loads the result into its editor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tutor.repeater.curl import CurlImport
from tutor.repeater.draft import RequestDraft
from tutor.repeater.variables import VariableError
from tutor.server.modes import get_mode
from tutor.visible import visible

if TYPE_CHECKING:
    from tutor.ui.screens.repeater import RepeaterScreen



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
            screen.load_draft(draft.with_header("Authorization", f"Bearer {edited}"))

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
            screen.load_draft(draft.with_cookie(name, edited))

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


def open_curl_import(screen: RepeaterScreen) -> None:
    """ctrl+o: paste a curl command; the draft goes into the editor."""
    from tutor.ui.screens.curl_import import CurlImportScreen

    def imported(result: CurlImport | None) -> None:
        if result is not None:
            screen.use_import(result)

    screen.app.push_screen(CurlImportScreen(), imported)
