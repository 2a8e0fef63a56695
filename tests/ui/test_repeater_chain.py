"""The Repeater chains, driven as a learner would: a login's token captured (f5, or a
rule) and sent to /profile as {{access_token}} without retyping; the cookie jar; a curl
command imported; f6 for `tutor serve` from any field; GET drops the body; the status in
view at 80×24; a forged token's success called out; bad input a clear message."""

from __future__ import annotations

import json
import shlex
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, Static, TextArea

from tests.ui.conftest import AppFactory
from tests.ui.shown import shown_text
from tutor import served
from tutor.progress_store import data_dir
from tutor.repeater.sandbox import Sandbox
from tutor.served import DEFAULT_URL
from tutor.ui.screens.curl_import import CurlImportScreen
from tutor.ui.screens.repeater import RepeaterScreen
from tutor.ui.screens.repeater_tools import SERVE_URL_VARIABLE, serve_target

LOGIN_BODY = json.dumps({"username": "alice", "password": "wonderland"})


async def _settle(pilot: Pilot[Any]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def _open(pilot: Pilot[Any], sandbox: Sandbox) -> RepeaterScreen:
    await pilot.pause()
    pilot.app.push_screen(RepeaterScreen(sandbox))
    await _settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, RepeaterScreen)
    return screen


def _edit(screen: RepeaterScreen, line: str, headers: str = "", body: str = "") -> None:
    screen.query_one("#request-line", Input).value = line
    screen.query_one("#request-headers", TextArea).text = headers
    screen.query_one("#request-body", TextArea).text = body


def _messages(pilot: Pilot[Any]) -> list[str]:
    return [str(n.message) for n in pilot.app._notifications]


async def test_f5_captures_the_login_token_and_profile_uses_it(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(130, 40)) as pilot:
        screen = await _open(pilot, Sandbox.choose("jwt"))
        _edit(screen, "POST /login", "Content-Type: application/json", LOGIN_BODY)
        await pilot.press("ctrl+s")
        await _settle(pilot)
        await pilot.press("f5")
        await pilot.pause()
        token = json.loads(screen.sandbox.entries[0].main.response.body)["access_token"]  # type: ignore[union-attr]
        assert screen.chain.values["access_token"] == token
        assert f"access_token = {token}" in screen.query_one("#variables", TextArea).text
        _edit(screen, "GET /profile", "Authorization: Bearer {{access_token}}")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await _settle(pilot)
        profile = screen.sandbox.entries[1].main
        assert profile is not None and profile.response.status == 200
        assert profile.request.header("authorization") == f"Bearer {token}"
        # The editor keeps what the learner wrote; the status line says 200, plainly.
        assert "{{access_token}}" in screen.query_one("#request-headers", TextArea).text
        status = shown_text(screen.query_one("#status-line", Static))
        assert "200" in status and "FORGED" not in status


async def test_a_rule_captures_from_every_later_response(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(130, 40)) as pilot:
        screen = await _open(pilot, Sandbox.choose("jwt"))
        rule = screen.query_one("#capture-rule", Input)
        rule.focus()
        rule.value = "token = json.access_token"
        await pilot.press("enter")
        await pilot.pause()
        assert [str(r) for r in screen.chain.rules] == ["token = json.access_token"]
        _edit(screen, "POST /login", "Content-Type: application/json", LOGIN_BODY)
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert "token" in screen.chain.values
        _edit(screen, "GET /profile", "Authorization: Bearer {{token}}")
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert screen.sandbox.entries[-1].main.response.status == 200  # type: ignore[union-attr]
        # A bad rule and an unknown variable: messages, nothing sent.
        rule.value = "token = body.x"
        rule.focus()
        await pilot.press("enter")
        _edit(screen, "GET /profile", "Authorization: Bearer {{tokn}}")
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert len(screen.sandbox.entries) == 2
        messages = _messages(pilot)
        assert any("does not start with json., header. or cookie." in m for m in messages)
        assert any("header Authorization: {{tokn}} is not a variable" in m
                   and "known: token" in m for m in messages)


async def test_variables_are_editable_and_a_bad_line_is_named(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(130, 40)) as pilot:
        screen = await _open(pilot, Sandbox.choose("cookie"))
        area = screen.query_one("#variables", TextArea)
        area.text = "user = alice\npass = wonderland"
        await pilot.pause()
        assert screen.chain.values == {"user": "alice", "pass": "wonderland"}
        area.text = "user = alice\noops"
        await pilot.pause()
        assert "line 2: write name = value" in str(area.border_subtitle)
        assert screen.chain.values == {"user": "alice", "pass": "wonderland"}


async def test_the_cookie_jar_is_a_visible_toggle(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(130, 40)) as pilot:
        screen = await _open(pilot, Sandbox.choose("cookie"))
        box = screen.query_one("#cookie-jar", Checkbox)
        assert box.value and screen.sandbox.cookie_jar
        await pilot.press("ctrl+s")  # the starter logs in
        await _settle(pilot)
        _edit(screen, "GET /profile")
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert screen.sandbox.entries[-1].main.response.status == 200  # type: ignore[union-attr]
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert not box.value and not screen.sandbox.cookie_jar
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert screen.sandbox.entries[-1].main.response.status == 401


async def test_a_pasted_curl_command_is_imported(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(130, 40)) as pilot:
        screen = await _open(pilot, Sandbox.choose("cookie"))
        await pilot.press("ctrl+o")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, CurlImportScreen)
        text = modal.query_one("#curl-import-text", TextArea)
        text.text = "curl -F a=b http://x/"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "option -F" in shown_text(modal.query_one("#curl-import-error", Static))
        text.text = ("curl -si -X POST http://127.0.0.1:8123/login \\\n"
                     "  -H 'Content-Type: application/json' \\\n  --data-raw '" + LOGIN_BODY + "'")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        draft = screen.editor.current_draft()
        assert (draft.method, draft.path, draft.body) == ("POST", "/login", LOGIN_BODY)
        assert serve_target(screen)[0] == "http://127.0.0.1:8123"
        assert any("ignored -s, -i" in m for m in _messages(pilot))
        # The request line takes a one-line curl command too.
        line = screen.query_one("#request-line", Input)
        line.focus()
        line.value = "curl -b 'theme=dark' http://127.0.0.1:8123/profile"
        await pilot.press("enter")
        await pilot.pause()
        assert screen.editor.current_draft().cookies == (("theme", "dark"),)


@pytest.mark.parametrize("field", ["#request-line", "#request-headers", "#request-body",
                                   "#variables"])
async def test_f6_writes_curl_for_tutor_serve_from_any_field(
    make_app: AppFactory, field: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(SERVE_URL_VARIABLE, raising=False)
    app = make_app()
    async with app.run_test(size=(130, 40)) as pilot:
        screen = await _open(pilot, Sandbox.choose("cookie"))
        await pilot.press("ctrl+s")  # log in: the jar holds __Host-sid (the sandbox is https)
        await _settle(pilot)
        sid = next(c for c in screen.sandbox.you.jar.cookies() if c.name == "__Host-sid")
        _edit(screen, "POST /logout", f"Cookie: __Host-sid={sid.value}", "x=1")
        screen.query_one(field).focus()
        await pilot.press("f6")
        await pilot.pause()
        shown = shown_text(screen.query_one("#response", Static))
        command = shown[shown.index("curl "):].replace("\n", " ")
        words = shlex.split(command)
        assert f"{DEFAULT_URL}/logout" in words
        assert f"sid={sid.value}" in words and "__Host-sid" not in command
        assert screen.query_one(field).has_focus  # f6 did not select text in the field


async def test_f6_aims_at_the_tutor_serve_running_now(make_app: AppFactory,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SERVE_URL_VARIABLE, raising=False)
    app = make_app()
    async with app.run_test(size=(130, 40)) as pilot:
        screen = await _open(pilot, Sandbox.choose("cookie"))
        assert serve_target(screen)[0] == DEFAULT_URL
        # Started after the Repeater opened, on another port: f6 finds it.
        served.publish(data_dir(), "http://127.0.0.1:8765")
        try:
            _edit(screen, "GET /profile")
            await pilot.press("f6")
            await pilot.pause()
            shown = shown_text(screen.query_one("#response", Static))
            assert "http://127.0.0.1:8765/profile" in shown
            assert "the tutor serve running now" in shown
            # Saying where, explicitly, wins over what a server published.
            monkeypatch.setenv(SERVE_URL_VARIABLE, "http://127.0.0.1:9999")
            assert serve_target(screen)[:2] == ("http://127.0.0.1:9999",
                                                f"from {SERVE_URL_VARIABLE}")
        finally:
            served.withdraw(data_dir())
        assert serve_target(screen)[0] == "http://127.0.0.1:9999"
        monkeypatch.delenv(SERVE_URL_VARIABLE)
        assert serve_target(screen)[0] == DEFAULT_URL


async def test_switching_to_get_drops_the_body(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(130, 40)) as pilot:
        screen = await _open(pilot, Sandbox.choose("cookie"))
        body = screen.query_one("#request-body", TextArea)
        assert body.text  # the starter login has a body
        screen.query_one("#request-line", Input).value = "GET /login"
        await pilot.pause()
        assert body.text == ""
        assert screen.editor.current_draft().body == ""
        screen.query_one("#request-line", Input).value = "PUT /login"
        await pilot.pause()
        assert json.loads(body.text)["username"] == "alice"


async def test_at_80_by_24_the_status_and_a_forgery_are_in_view(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, Sandbox.choose("jwt", vulnerabilities=["accept_alg_none"]))
        _edit(screen, "POST /login", "Content-Type: application/json", LOGIN_BODY)
        await pilot.press("ctrl+s")
        await _settle(pilot)
        status = screen.query_one("#status-line", Static)
        assert status.region.height == 1 and status.region.bottom <= 23  # above the footer
        assert "200" in shown_text(status)
        token = screen.chain.capture_everything(
            screen.sandbox.entries[0].main.response)["access_token"]  # type: ignore[union-attr]
        _, claims, _ = token.split(".")
        none = "eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0"  # {"alg":"none","typ":"at+jwt"}
        _edit(screen, "GET /profile", f"Authorization: Bearer {none}.{claims}.")
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert screen.sandbox.entries[-1].main.response.status == 200  # type: ignore[union-attr]
        assert status.region.bottom <= 23
        assert "FORGED" in shown_text(status)


async def test_f7_on_a_signed_cookie_server_cracks_and_re_signs(make_app: AppFactory) -> None:
    from textual.widgets import Button

    from tutor.ui.screens.signed_editor import SignedCookieEditorScreen

    app = make_app()
    async with app.run_test(size=(130, 44)) as pilot:
        screen = await _open(pilot, Sandbox.choose("signed-cookie",
                                                   vulnerabilities=["weak_hmac_secret"]))
        await pilot.press("f7")
        await pilot.pause()
        assert any("No session cookie to edit" in m for m in _messages(pilot))
        await pilot.press("ctrl+s")  # the starter logs in; the jar keeps the cookie
        await _settle(pilot)
        _edit(screen, "GET /admin")
        await pilot.press("f7")
        await pilot.pause()
        editor = app.screen
        assert isinstance(editor, SignedCookieEditorScreen)
        data = editor.query_one("#signed-data", TextArea)
        assert '"role": "reader"' in data.text
        data.text = data.text.replace('"alice"', '"queen"')  # the admin
        editor.query_one("#signed-crack", Button).press()
        await _settle(pilot)
        secret = screen.sandbox.world.server.keys.hmac_secret.decode()
        assert editor.query_one("#signed-secret", Input).value == secret
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("ctrl+b")  # raw: only the forged cookie goes
        await pilot.press("ctrl+s")
        await _settle(pilot)
        admin = screen.sandbox.entries[-1].main
        assert admin is not None and admin.request.url.endswith("/admin")
        assert admin.response.status == 200
        assert "FORGED" in shown_text(screen.query_one("#status-line", Static))
