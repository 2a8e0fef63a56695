"""The paste-a-token screen, driven as a learner would: from the catalogue (J) and the
palette, paste, type a secret or a key file, and read the pipeline's verdict."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, Static, TextArea

from tests.jwtcheck.keys import key_file, make_token, pair
from tests.ui.conftest import AppFactory
from tests.ui.shown import shown_text
from tutor.ui.screens.catalogue import CatalogueScreen
from tutor.ui.screens.jwt_check import JwtCheckScreen

CLAIMS = {"sub": "alice", "exp": int(time.time()) + 3600}


async def _settle(pilot: Pilot[Any]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _result(screen: JwtCheckScreen) -> str:
    return shown_text(screen.query_one("#jwt-check-result", Static))


async def test_paste_a_token_then_verify_it_with_a_secret_and_a_key_file(
        make_app: AppFactory, tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("J")
        await _settle(pilot)
        screen = app.screen
        assert isinstance(screen, JwtCheckScreen)
        assert "Paste a token" in _result(screen)
        token = make_token("joserfc", "HS256", CLAIMS)
        screen.query_one("#jwt-check-token", TextArea).text = f"Bearer {token}"
        await _settle(pilot)
        assert "UNVERIFIED: no key given" in _result(screen)
        secret = screen.query_one("#jwt-check-secret", Input)
        secret.value = "not the secret"
        await _settle(pilot)
        assert "INVALID at the signature stage" in _result(screen)
        secret.value = pair("HS256").private.decode()
        await _settle(pilot)
        shown = _result(screen)
        assert "VALID: the signature and the claims check out" in shown
        assert secret.value not in shown and "Nothing was sent anywhere" in shown
        # Now an ES256 token against a key file, and a key file that is not one.
        secret.value = ""
        screen.query_one("#jwt-check-token", TextArea).text = make_token(
            "pyjwt", "ES256", {**CLAIMS, "exp": int(time.time()) - 100})
        screen.query_one("#jwt-check-key", Input).value = str(key_file(tmp_path, "ES256",
                                                                       "pem"))
        await _settle(pilot)
        assert "INVALID at the claims stage" in _result(screen)
        screen.query_one("#jwt-check-leeway", Input).value = "3600"
        await _settle(pilot)
        assert "VALID" in _result(screen) and "leeway 3600 s" in _result(screen)
        screen.query_one("#jwt-check-key", Input).value = str(tmp_path / "nothing.pem")
        await _settle(pilot)
        problem = shown_text(screen.query_one("#jwt-check-problem", Static))
        assert "no such file" in problem
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CatalogueScreen)


async def test_garbage_and_a_remote_jwks_get_messages(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.open_jwt_check()
        await _settle(pilot)
        screen = app.screen
        assert isinstance(screen, JwtCheckScreen)
        screen.query_one("#jwt-check-token", TextArea).text = "a.b"
        await _settle(pilot)
        assert "NOT A TOKEN" in _result(screen) and "has 2" in _result(screen)
        jwks = screen.query_one("#jwt-check-jwks", Input)
        jwks.value = "https://example.com/jwks.json"
        await _settle(pilot)  # a URL waits for enter: nothing fetched while typing
        assert shown_text(screen.query_one("#jwt-check-problem", Static)) == ""
        jwks.focus()
        await pilot.press("enter")
        await _settle(pilot)
        assert "only from this machine" in shown_text(
            screen.query_one("#jwt-check-problem", Static))


async def test_the_palette_offers_it(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        commands = {command.title: command for command in app.get_system_commands(app.screen)}
        commands["Check a JWT"].callback()
        await _settle(pilot)
        assert isinstance(app.screen, JwtCheckScreen)
