"""`tutor replay FILE.har` in the TUI: the timeline, each exchange explained, findings."""

from __future__ import annotations

from textual.widgets import OptionList, Static

from tests.har.builders import cookie_login_flow, entry, har_bytes, headers, token
from tests.ui.conftest import AppFactory
from tests.ui.shown import shown_text
from tutor.har.analysis import analyse
from tutor.har.reader import parse_har
from tutor.ui.screens.replay import ReplayScreen


async def test_stepping_through_a_recording_and_jumping_to_findings(
    make_app: AppFactory,
) -> None:
    bearer = token(sub="alice", role="reader")
    recording = har_bytes(*cookie_login_flow(), entry(
        url="https://api.test/me", request_headers=headers(authorization=f"Bearer {bearer}")))
    analysis = analyse(parse_har(recording))
    app = make_app(open_replay=(analysis, "session.har"))
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        timeline = screen.query_one("#replay-timeline", OptionList)
        assert timeline.option_count == 6
        detail = screen.query_one("#replay-detail", Static)
        assert "login step 1" in shown_text(detail)
        await pilot.press("n")
        await pilot.pause()
        shown = shown_text(detail)
        assert "POST https://bank.test/login" in shown and "login step 2" in shown
        assert "s3cr3t-session-id-0123456789" in shown  # short enough to show whole
        diagram = shown_text(screen.query_one("#replay-sequence", Static))
        assert "GET /" in diagram and "POST /login" in diagram and "303" in diagram
        await pilot.press("f")
        await pilot.pause()
        found = timeline.highlighted
        assert found is not None and analysis.findings_for(found)
        assert "!" in shown_text(detail)
        for _ in range(10):
            await pilot.press("n")
        await pilot.pause()
        assert timeline.highlighted == 5
        last = shown_text(detail)
        assert "UNVERIFIED" in last and bearer not in last  # the token is cut, not shown
        await pilot.press("p")
        await pilot.pause()
        assert timeline.highlighted == 4


async def test_a_recording_plays_by_itself_and_the_speed_changes(make_app: AppFactory) -> None:
    analysis = analyse(parse_har(har_bytes(*cookie_login_flow())))
    app = make_app(open_replay=(analysis, "session.har"))
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        timeline = screen.query_one("#replay-timeline", OptionList)
        diagram = screen.query_one("#replay-sequence", Static)
        assert "exchange 1 of" in shown_text(diagram)
        # The lanes are the recording's: one browser and each host, no store to see into.
        header = shown_text(diagram).splitlines()[0]
        assert "Browser" in header and "bank.test" in header and "Store" not in header
        await pilot.press("plus")
        await pilot.press("space")
        await pilot.pause()
        assert "autoplay 1.5×" in shown_text(diagram)
        # Ticks are driven by hand: a test never waits on the wall clock.
        for _ in range(timeline.option_count + 2):
            screen._autoplay_tick()
            await pilot.pause()
        assert timeline.highlighted == timeline.option_count - 1
        assert screen._autoplay is None  # it stops at the end by itself
        assert "autoplay" not in shown_text(diagram)
