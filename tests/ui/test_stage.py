"""The stage in the running app: what a learner sees of each beat, actor and clock jump.

The drawing rules are tested on the renderer (test_story_render.py); these drive the
real player with the pilot, as a learner presses keys.
"""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Static

from tests.ui.conftest import AppFactory
from tests.ui.shown import shown_text
from tutor.ui.app import TutorApp
from tutor.ui.screens.player import PlayerScreen
from tutor.ui.widgets.stage import TrackStage


async def steps(pilot: Pilot[None], count: int, key: str = "n") -> None:
    for _ in range(count):
        await pilot.press(key)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def diagram(app: TutorApp, track: int = 0) -> list[str]:
    stage = list(app.screen.query(TrackStage))[track]
    return shown_text(stage.query_one(".sequence", Static)).splitlines()


def stepper(app: TutorApp, track: int = 0) -> str:
    stage = list(app.screen.query(TrackStage))[track]
    return shown_text(stage.query_one(".stepper", Static))


async def test_a_cookie_login_writes_a_row_and_the_next_request_looks_it_up(
    make_app: AppFactory,
) -> None:
    app = make_app(open_lesson="session-cookies")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await steps(pilot, 2)  # the visit, then the login and its redirect
        rows = diagram(app)
        assert "Alice" in rows[0] and "Store" in rows[0]
        assert any("alice ••••" in row and row.lstrip().startswith("①") for row in rows)
        assert any("password ✓" in row for row in rows)
        assert any("+row alice" in row and "▶" in row for row in rows)
        await steps(pilot, 1)
        rows = diagram(app)
        request = max(i for i, row in enumerate(rows) if "GET /profile" in row)
        assert "lookup sid → alice" in rows[request + 1]
        assert "200" in rows[request + 2]


async def test_a_jwt_request_checks_a_signature_and_touches_no_store(
    make_app: AppFactory,
) -> None:
    app = make_app(open_lesson="jwt-bearer")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await steps(pilot, 2)
        rows = diagram(app)
        request = max(i for i, row in enumerate(rows) if "GET /profile" in row)
        answer = next(i for i in range(request, len(rows)) if "200" in rows[i])
        between = rows[request + 1:answer]
        assert any("checks signature ✓" in row for row in between)
        assert not any("lookup" in row or "denylist" in row for row in between)
        assert any("signs access JWT" in row for row in rows[:request])


async def test_a_replay_comes_from_the_attackers_lane_after_a_visible_copy(
    make_app: AppFactory,
) -> None:
    app = make_app(open_lesson="session-cookies")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await steps(pilot, 1, "right_square_bracket")
        await steps(pilot, 2)
        rows = diagram(app)
        assert "Attacker" in rows[0]
        assert any("copy taken" in row for row in rows)
        await steps(pilot, 3)
        rows = diagram(app)
        replay = next(row for row in rows if "replay" in row)
        # Drawn from the right (the Attacker) towards bank.test: the arrow points left.
        assert "◀" in replay and "GET /profile" in replay
        assert not replay.lstrip().startswith("④")  # never Alice's step 4
        assert any("lookup sid → no row" in row for row in rows)
        assert "4 attach" in stepper(app)


async def test_a_clock_jump_is_a_row_and_the_expiry_follows(make_app: AppFactory) -> None:
    app = make_app(open_lesson="session-cookies")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await steps(pilot, 2, "right_square_bracket")
        await steps(pilot, 6)
        rows = diagram(app)
        jump = max(i for i, row in enumerate(rows) if "◷ +15 min" in row)
        assert "│" not in rows[jump]
        assert "row expires" in rows[jump + 1]


async def test_three_tracks_take_turns_at_120_columns_with_every_arrow_readable(
    make_app: AppFactory,
) -> None:
    app = make_app(open_lesson="csrf-samesite")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await steps(pilot, 2, "right_square_bracket")
        await steps(pilot, 2)
        screen = app.screen
        assert isinstance(screen, PlayerScreen)
        bar = shown_text(screen.query_one("#track-bar", Static))
        assert "lax: 401" in bar and "none: 403" in bar and "none-unchecked: 200" in bar
        stages = list(screen.query(TrackStage))
        assert [stage.display for stage in stages] == [True, False, False]
        rows = diagram(app)
        assert any("POST /logout" in row for row in rows)
        assert any("401" in row for row in rows)
        await pilot.press("T")
        await pilot.pause()
        assert [stage.display for stage in stages] == [False, True, False]
        assert any("403" in row for row in diagram(app, 1))
        # Wide enough, the three sit side by side and line up step by step.
        await pilot.resize_terminal(300, 40)
        await pilot.pause()
        await pilot.pause()
        assert [stage.display for stage in stages] == [True, True, True]
        assert not screen.query_one("#track-bar", Static).display
        drawn = [diagram(app, i) for i in range(3)]
        assert len({len(rows) for rows in drawn}) == 1
        for rows in drawn:
            posts = [i for i, row in enumerate(rows) if "POST /logout" in row]
            assert posts == [i for i, row in enumerate(drawn[0]) if "POST /logout" in row]
