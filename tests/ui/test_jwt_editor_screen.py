"""The Repeater's JWT editor (f7), driven as a learner would: crack a weak secret offline
and re-sign as admin; sign with the attacker's own keys behind `jku` and `jwk`; set kid."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Button, Input, Select, Static, TextArea

from tests.repeater.helpers import sandbox
from tests.ui.conftest import AppFactory
from tests.ui.shown import shown_text
from tutor.clock import SimulatedClock
from tutor.jwtcheck.attacker import ATTACKER_JWKS_URL, attacker_jwks
from tutor.jwtcheck.keys import KeySet, jwk_key, jwks_keys
from tutor.jwtcheck.pipeline import Verifier
from tutor.jwtcheck.token import decode
from tutor.ui.screens.jwt_editor import JwtEditorScreen
from tutor.ui.screens.repeater import RepeaterScreen


async def _settle(pilot: Pilot[Any]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def _logged_in_editor(pilot: Pilot[Any], *vulnerabilities: str
                            ) -> tuple[RepeaterScreen, JwtEditorScreen]:
    """The Repeater on a jwt server, alice logged in, GET /admin, the editor open."""
    app = pilot.app
    app.push_screen(RepeaterScreen(sandbox("jwt", *vulnerabilities)))
    await _settle(pilot)
    screen = app.screen
    assert isinstance(screen, RepeaterScreen)
    screen.query_one("#request-body", TextArea).text = json.dumps(
        {"username": "alice", "password": "wonderland"})
    await pilot.press("ctrl+s")
    await _settle(pilot)
    screen.query_one("#request-line", Input).value = "GET /admin"
    screen.query_one("#request-headers", TextArea).text = ""
    screen.query_one("#request-body", TextArea).text = ""
    await pilot.press("f7")
    await pilot.pause()
    editor = app.screen
    assert isinstance(editor, JwtEditorScreen)
    return screen, editor


def _make_admin(editor: JwtEditorScreen) -> None:
    claims = editor.query_one("#jwt-claims", TextArea)
    claims.text = claims.text.replace('"reader"', '"admin"')


async def test_crack_the_weak_secret_offline_then_mint_an_admin_token(
        make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(130, 50)) as pilot:
        await pilot.pause()
        screen, editor = await _logged_in_editor(pilot, "weak_hmac_secret")
        sent_before = len(screen.sandbox.entries)
        await pilot.press("ctrl+k")
        await _settle(pilot)
        status = shown_text(editor.query_one("#jwt-crack-status", Static))
        assert status.startswith("FOUND ") and "guesses/s" in status
        assert "offline: the server never sees a guess" in status
        assert editor.query_one("#jwt-secret", Input).value in status
        assert len(screen.sandbox.entries) == sent_before  # no guess reached the server
        _make_admin(editor)
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("ctrl+s")
        await _settle(pilot)
        answer = screen.sandbox.entries[-1].main
        assert answer is not None and answer.response.status == 200


async def test_the_learners_own_word_list_and_a_miss(make_app: AppFactory,
                                                     tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test(size=(130, 50)) as pilot:
        await pilot.pause()
        _, editor = await _logged_in_editor(pilot)  # the fixed server: a random secret
        words = tmp_path / "mine.txt"
        words.write_bytes(b"alpha\nbeta\n\xff\xfe\n")
        editor.query_one("#jwt-wordlist", Input).value = str(words)
        editor.query_one("#jwt-crack-file", Button).press()
        await _settle(pilot)
        status = shown_text(editor.query_one("#jwt-crack-status", Static))
        assert status.startswith("not in the list · tried 3 ·")
        editor.query_one("#jwt-wordlist", Input).value = str(tmp_path / "missing.txt")
        editor.query_one("#jwt-crack-file", Button).press()
        await _settle(pilot)
        assert "cannot read it" in shown_text(editor.query_one("#jwt-problem", Static))


async def test_jku_to_evil_test_signs_with_the_key_its_jwks_serves(
        make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(130, 50)) as pilot:
        await pilot.pause()
        screen, editor = await _logged_in_editor(pilot)
        editor.query_one("#jwt-alg", Select).value = "ES256"
        await pilot.pause()
        editor.query_one("#jwt-jku", Button).press()
        await pilot.pause()
        _make_admin(editor)
        await pilot.pause()
        token = editor.edited()
        header = decode(token).header
        assert header["jku"] == ATTACKER_JWKS_URL and header["alg"] == "ES256"
        assert header["kid"] == "evil-41c2b609"  # the key lessons print tokens with
        keys, _ = jwks_keys(attacker_jwks(), "evil.test")
        assert Verifier(KeySet(tuple(keys))).check(token, SimulatedClock()).outcome == "valid"
        assert "attacker's own ES256 key" in shown_text(editor.query_one("#jwt-preview",
                                                                         Static))
        await pilot.press("ctrl+s")
        await pilot.pause()
        authorization = screen.editor.current_draft().header("Authorization") or ""
        # ECDSA signatures are randomised: the same header and claims, a fresh signature.
        signed = token.rsplit(".", 1)[0]
        assert authorization.startswith(f"Bearer {signed}.")


async def test_embedded_jwk_and_kid(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(130, 50)) as pilot:
        await pilot.pause()
        _, editor = await _logged_in_editor(pilot)
        editor.query_one("#jwt-embed", Button).press()  # HS256 picked: switches to RS256
        await pilot.pause()
        assert editor.query_one("#jwt-alg", Select).value == "RS256"
        token = editor.edited()
        embedded = jwk_key(decode(token).header["jwk"], "jwk")
        assert Verifier(KeySet((embedded,))).check(token, SimulatedClock()).outcome == "valid"
        editor.query_one("#jwt-kid", Input).value = "../../../../dev/null"
        editor.query_one("#jwt-set-kid", Button).press()
        editor.query_one("#jwt-alg", Select).value = "HS256"
        await pilot.pause()
        token = editor.edited()
        assert decode(token).header["kid"] == "../../../../dev/null"
        assert "empty secret" in shown_text(editor.query_one("#jwt-preview", Static))
