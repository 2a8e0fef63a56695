"""A few thousand random keys and resizes across every screen: nothing may raise."""

from __future__ import annotations

import random

import pytest

from tests.ui.conftest import AppFactory

KEYS = ["n", "p", "space", "r", "right_square_bracket", "left_square_bracket", "comma",
        "full_stop", "plus", "minus", "h", "t", "tab", "left", "right", "up", "down",
        "enter", "escape", "question_mark", "f1", "q", "pageup", "pagedown", "home", "end"]
SIZES = [(80, 24), (140, 45), (60, 16), (40, 10), (100, 30), (200, 60)]


@pytest.mark.slow
async def test_random_keys_and_resizes_never_crash(make_app: AppFactory) -> None:
    chooser = random.Random(20261127)
    app = make_app()
    presses = 0
    async with app.run_test(size=(100, 30)) as pilot:
        while presses < 2000:
            if chooser.random() < 0.03:
                await pilot.resize_terminal(*chooser.choice(SIZES))
            key = chooser.choice(KEYS)
            if key == "q" and len(app.screen_stack) <= 2:
                continue  # leaving the app ends the test early; every other key is fair
            await pilot.press(key)
            presses += 1
            if presses % 50 == 0:
                await app.workers.wait_for_complete()
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert app.return_code in (None, 0)
