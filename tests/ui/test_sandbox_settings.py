"""The Repeater's f8 settings: its choices come from the mode and weakness registries."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Checkbox, Select

from tests.ui.conftest import AppFactory
from tutor.server.modes import mode_names
from tutor.server.weaknesses import WEAKNESSES
from tutor.ui.screens.repeater import RepeaterScreen
from tutor.ui.screens.sandbox_settings import SandboxSettingsScreen


async def _settle(pilot: Pilot[Any]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_settings_list_every_mode_and_weakness_and_start_the_choice(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test(size=(130, 45)) as pilot:
        await pilot.pause()
        await pilot.press("R")
        await _settle(pilot)
        repeater = app.screen
        assert isinstance(repeater, RepeaterScreen)
        first_sandbox = repeater.sandbox
        await pilot.press("f8")
        await _settle(pilot)
        settings = app.screen
        assert isinstance(settings, SandboxSettingsScreen)
        modes = settings.query_one("#settings-mode", Select)
        assert [value for _, value in modes._options if value != Select.BLANK] == mode_names()
        boxes = {str(box.name): box for box in settings.query(Checkbox).filter(".weakness")}
        assert list(boxes) == list(WEAKNESSES)
        for name, box in boxes.items():
            assert WEAKNESSES[name].description in str(box.label)
        modes.value = "jwt"
        boxes["accept_alg_none"].value = True
        await pilot.press("ctrl+s")
        await _settle(pilot)
        back = app.screen
        assert isinstance(back, RepeaterScreen) and back.sandbox is not first_sandbox
        config = back.sandbox.config  # a fresh sandbox, built from the choices
        assert (config.mode, config.vulnerabilities.enabled()) == ("jwt", ["accept_alg_none"])


async def test_the_dpop_box_starts_a_dpop_server_and_a_cookie_mode_refuses_it(
    make_app: AppFactory,
) -> None:
    """f8's dpop box: jwt mode with DPoP; in cookie mode the dialog says why not."""
    app = make_app()
    async with app.run_test(size=(130, 45)) as pilot:
        await pilot.pause()
        await pilot.press("R")
        await _settle(pilot)
        await pilot.press("f8")
        await _settle(pilot)
        settings = app.screen
        assert isinstance(settings, SandboxSettingsScreen)
        settings.query_one("#dpop", Checkbox).value = True
        settings.query_one("#settings-mode", Select).value = "cookie"
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert app.screen is settings  # refused: the notice says dpop needs a jwt mode
        settings.query_one("#settings-mode", Select).value = "jwt"
        await pilot.press("ctrl+s")
        await _settle(pilot)
        repeater = app.screen
        assert isinstance(repeater, RepeaterScreen)
        assert repeater.sandbox.config.dpop
