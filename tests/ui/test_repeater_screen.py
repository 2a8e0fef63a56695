"""The Repeater, driven as a learner would: send, step back, edit and resend, the JWT
editor, a challenge solved against the server's own log, and the player's `e`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, OptionList, RadioButton, Static, TextArea

from tests.ui.conftest import AppFactory
from tests.ui.shown import shown_text
from tutor.har.analysis import analyse
from tutor.har.reader import read_har
from tutor.quiz.kinds.challenge import ChallengeSpec
from tutor.repeater.curl import parse_curl
from tutor.repeater.editor_text import editor_headers
from tutor.repeater.sandbox import Sandbox
from tutor.ui.screens.jwt_editor import JwtEditorScreen
from tutor.ui.screens.player import PlayerScreen
from tutor.ui.screens.quiz import QuizScreen
from tutor.ui.screens.repeater import RepeaterScreen


async def _settle(pilot: Pilot[Any]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _repeater(pilot: Pilot[Any]) -> RepeaterScreen:
    screen = pilot.app.screen
    assert isinstance(screen, RepeaterScreen)
    return screen


async def test_send_step_back_and_resend_an_edited_request(make_app: AppFactory,
                                                            tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test(size=(130, 40)) as pilot:
        await pilot.pause()
        await pilot.press("R")
        await _settle(pilot)
        screen = _repeater(pilot)
        await pilot.press("ctrl+s")  # the starter: alice logs in
        await _settle(pilot)
        assert len(screen.sandbox.entries) == 1
        login = screen.sandbox.entries[0].main
        assert login is not None and login.response.status == 200  # JSON login: no redirect
        cookie = login.response.header("set-cookie") or ""
        assert "HttpOnly" in shown_text(screen.query_one("#response", Static))
        # Ask for the profile without the cookie (the jar off: raw, as curl): a stranger.
        await pilot.press("ctrl+b")
        assert not screen.sandbox.cookie_jar
        screen.query_one("#request-line", Input).value = "GET /profile"
        screen.query_one("#request-headers", TextArea).text = "Accept: application/json"
        screen.query_one("#request-body", TextArea).text = ""
        await pilot.press("ctrl+s")
        await _settle(pilot)
        stranger = screen.sandbox.entries[1].main
        assert stranger is not None and stranger.response.status == 401
        # Pick that entry on the timeline, add the cookie and resend it from that moment.
        timeline = screen.query_one("#timeline", OptionList)
        timeline.highlighted = 1
        timeline.action_select()
        await _settle(pilot)
        assert screen.editing == 1
        headers = screen.query_one("#request-headers", TextArea)
        headers.text += "\nCookie: " + cookie.split(";", 1)[0]
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert len(screen.sandbox.entries) == 2  # the edit replaced the original
        resent = screen.sandbox.entries[1].main
        assert resent is not None and resent.response.status == 200
        shown = shown_text(screen.query_one("#response", Static))
        assert "Compared with the original" in shown and "401" in shown and "200" in shown
        assert "Before" in shown and "Now" in shown  # the two exchanges side by side
        # Back in time: the server forgets the session's use, then forward again.
        await pilot.press("f2")
        assert screen.sandbox.position == 1
        await pilot.press("f3")
        assert screen.sandbox.position == 2
        await pilot.press("f6")
        assert "curl" in shown_text(screen.query_one("#response", Static))
        # Save the timeline as HAR, redacted, and read it back with the importer.
        screen.har_folder = tmp_path
        await pilot.press("f9")
        saved = list(tmp_path.glob("tutor-repeater-*-redacted.har"))
        assert len(saved) == 1
        recording = analyse(read_har(saved[0]))
        assert [e.entry.response.status for e in recording.entries] == [200, 200]
        assert cookie.split(";", 1)[0].split("=", 1)[1] not in saved[0].read_text()


async def test_the_jwt_editor_forges_alg_none_and_the_fixed_server_refuses(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test(size=(130, 44)) as pilot:
        await pilot.pause()
        app.push_screen(RepeaterScreen(Sandbox.choose("jwt")))
        await _settle(pilot)
        screen = _repeater(pilot)
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
        claims = editor.query_one("#jwt-claims", TextArea)
        claims.text = claims.text.replace('"reader"', '"admin"')
        none = next(b for b in editor.query(RadioButton) if b.name == "none")
        none.value = True
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        authorization = screen.editor.current_draft().header("Authorization") or ""
        assert authorization.startswith("Bearer ") and authorization.endswith(".")
        await pilot.press("ctrl+s")
        await _settle(pilot)
        refused = screen.sandbox.entries[-1].main
        assert refused is not None and refused.response.status == 401
        assert json.loads(refused.response.body)["stage"] == "algorithm"


async def test_a_challenge_solved_in_the_repeater_counts_in_the_quiz(
    make_app: AppFactory,
) -> None:
    app = make_app(open_quiz=(["jwt-attacks"], None))
    async with app.run_test(size=(130, 44)) as pilot:
        await _settle(pilot)
        quiz = app.screen
        assert isinstance(quiz, QuizScreen)
        while quiz.question is not None and quiz.question.quiz.id != "challenge-alg-none":
            quiz.action_skip()
            await _settle(pilot)
            quiz.action_next_question()
            await pilot.pause()
        question = quiz.question
        assert question is not None
        await pilot.press("ctrl+r")
        await _settle(pilot)
        screen = _repeater(pilot)
        assert "Not yet" in shown_text(screen.query_one("#goal", Static))
        for line in question.spec_as(ChallengeSpec).solution:
            draft = parse_curl(line)
            screen.query_one("#request-line", Input).value = f"{draft.method} {draft.path}"
            screen.query_one("#request-headers", TextArea).text = editor_headers(draft)
            screen.query_one("#request-body", TextArea).text = draft.body
            await pilot.press("ctrl+s")
            await _settle(pilot)
        assert "Goal met" in shown_text(screen.query_one("#goal", Static))
        await pilot.press("escape")
        await _settle(pilot)
        assert app.screen is quiz and isinstance(quiz, QuizScreen)
        assert shown_text(quiz.query_one("#quiz-feedback", Static)).startswith("Goal reached")
        result = quiz.session.results[-1]
        assert result.key.endswith("challenge-alg-none") and result.correct


async def test_edit_and_resend_from_the_player_gives_the_scene_back_unchanged(
    make_app: AppFactory,
) -> None:
    app = make_app(open_lesson="session-cookies")
    async with app.run_test(size=(140, 45)) as pilot:
        await _settle(pilot)
        player = app.screen
        assert isinstance(player, PlayerScreen)
        for _ in range(2):
            await pilot.press("n")
            await _settle(pilot)
        engine = player.engines[0]
        before = engine.world.fingerprint()
        await pilot.press("e")
        await _settle(pilot)
        screen = _repeater(pilot)
        assert screen.query_one("#request-line", Input).value == "GET /profile"
        await pilot.press("ctrl+s")
        await _settle(pilot)
        replayed = screen.sandbox.entries[0].main
        assert replayed is not None and replayed.response.status == 200
        await pilot.press("escape")
        await _settle(pilot)
        assert app.screen is player
        assert engine.world.fingerprint() == before


async def test_the_player_saves_the_scene_so_far_as_har(make_app: AppFactory,
                                                        tmp_path: Path) -> None:
    app = make_app(open_lesson="session-cookies")
    async with app.run_test(size=(140, 45)) as pilot:
        await _settle(pilot)
        player = app.screen
        assert isinstance(player, PlayerScreen)
        player.har_folder = tmp_path / "hars"
        player.har_folder.mkdir()
        await pilot.press("f9")  # nothing yet: a notice, no file
        assert list(player.har_folder.iterdir()) == []
        for _ in range(2):
            await pilot.press("n")
            await _settle(pilot)
        await pilot.press("f9", "f9")
        saved = sorted(player.har_folder.glob("tutor-session-cookies-*-redacted*.har"))
        assert len(saved) == 2  # the second save got a new name, never overwriting
        recording = analyse(read_har(saved[0]))
        assert [item.login_steps for item in recording.entries][-1] == (4,)
        await pilot.press("f10")
        secret = next(path for path in player.har_folder.iterdir()
                      if "redacted" not in path.name)
        session = player.engines[0].world.browser("user").jar.cookies()[0].value
        assert session in secret.read_text() and session not in saved[0].read_text()


async def test_a_csrf_challenge_is_solved_by_luring_the_victim(make_app: AppFactory) -> None:
    app = make_app(open_quiz=(["csrf-samesite"], None))
    async with app.run_test(size=(130, 44)) as pilot:
        await _settle(pilot)
        quiz = app.screen
        assert isinstance(quiz, QuizScreen)
        while quiz.question is not None and quiz.question.kind != "challenge":
            quiz.action_skip()
            await _settle(pilot)
            quiz.action_next_question()
            await pilot.pause()
        await pilot.press("ctrl+r")
        await _settle(pilot)
        screen = _repeater(pilot)
        screen.query_one("#request-line", Input).value = "POST /logout"
        screen.query_one("#request-headers", TextArea).text = ""
        screen.query_one("#request-body", TextArea).text = ""
        await pilot.press("ctrl+s")  # from your own browser: no cookie of alice's
        await _settle(pilot)
        assert "Not yet" in shown_text(screen.query_one("#goal", Static))
        await pilot.press("f4")  # alice's browser, lured to evil.test, posts the form
        await _settle(pilot)
        assert "Goal met" in shown_text(screen.query_one("#goal", Static))
        lured = screen.sandbox.entries[-1]
        assert lured.sender == "victim" and lured.main is not None
        assert lured.main.request.header("origin") == "https://evil.test"
        await pilot.press("escape")
        await _settle(pilot)
        assert quiz.session.results[-1].correct


async def test_free_play_without_a_victim_says_how_to_get_one(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(130, 40)) as pilot:
        await pilot.pause()
        await pilot.press("R")
        await _settle(pilot)
        screen = _repeater(pilot)
        await pilot.press("f4")
        await _settle(pilot)
        assert screen.sandbox.entries == []
        assert any("victim" in n.message for n in app._notifications)


async def test_a_bad_request_line_is_a_plain_notice(make_app: AppFactory) -> None:
    # The message quotes what was typed; a `[/b]` in it must not be read as markup.
    app = make_app()
    async with app.run_test(size=(130, 40)) as pilot:
        await pilot.pause()
        await pilot.press("R")
        await _settle(pilot)
        screen = _repeater(pilot)
        screen.query_one("#request-line", Input).value = "GET [b]x[/b]"
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert screen.sandbox.entries == []
        shown = [n for n in app._notifications if "[b]x[/b]" in n.message]
        assert shown and not any(n.markup for n in shown)  # shown as typed, not as markup


async def test_a_repeater_popped_before_it_mounted_does_not_crash(
    make_app: AppFactory,
) -> None:
    # Keys can outrun a push (the monkey test's seed 20261128 did): the Repeater may be
    # popped before its own Mount is handled, when its widgets are already gone.
    app = make_app()
    async with app.run_test(size=(130, 40)) as pilot:
        await pilot.pause()
        app.push_screen(RepeaterScreen())
        app.pop_screen()
        await _settle(pilot)
        assert not isinstance(app.screen, RepeaterScreen)
        assert app.is_running
