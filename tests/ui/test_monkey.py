"""Random keys and resizes across every screen (a few thousand in the long run): nothing
may raise."""

from __future__ import annotations

import random

import pytest
from textual import events
from textual.app import App
from textual.worker import WorkerCancelled

from tests.ui.conftest import AppFactory

KEYS = ["n", "p", "space", "r", "right_square_bracket", "left_square_bracket", "comma",
        "full_stop", "plus", "minus", "h", "tab", "left", "right", "up", "down",
        "enter", "escape", "question_mark", "f1", "pageup", "pagedown", "home", "end",
        # The detail views, the quiz, the Repeater (and the player's way into it).
        "d", "z", "Q", "R", "v", "e", "a", "s", "f2", "f3", "shift+up"]
# "t" (the transcript, which runs every scene of a lesson) has its own pilot test; here it
# would only make the run slow.
SIZES = [(80, 24), (140, 45), (60, 16), (40, 10), (100, 30), (200, 60)]


def _send_key(app: App[None], key: str) -> None:
    """Queue a key as the terminal driver would, without waiting for the app to go idle
    (Pilot.press waits after every key, which makes thousands of keys take minutes)."""
    assert app._driver is not None
    char = key if len(key) == 1 else None
    app._driver.send_message(events.Key(key, char))


async def _wait_for_workers(app: App[None]) -> None:
    """Let running workers finish. A cancelled one is expected here (a newer exclusive
    worker replaced it, or its screen was popped), so that is not a failure; bounded."""
    for _ in range(10):
        try:
            await app.workers.wait_for_complete()
            return
        except WorkerCancelled:
            continue


# The default run: one seed of a few hundred keys, starting in a lesson so the player is
# surely reached. The long run (`-m long`, see tests/long_run.py) adds one more of those
# from the catalogue and two seeds of 1,500 keys: 3,300 in all.
DEFAULT_KEYS = 300
LONG_KEYS = 1500


@pytest.mark.slow
@pytest.mark.parametrize(("seed", "keys", "lesson"), [
    pytest.param(20261130, DEFAULT_KEYS, None, marks=pytest.mark.long),
    (20261129, DEFAULT_KEYS, "session-cookies"),
    pytest.param(20261127, LONG_KEYS, None, marks=pytest.mark.long),
    # Found RepeaterScreen querying its widgets after it was popped (a pilot test in
    # test_repeater_screen.py now holds that down).
    pytest.param(20261128, LONG_KEYS, None, marks=pytest.mark.long),
])
async def test_random_keys_and_resizes_never_crash(make_app: AppFactory, seed: int,
                                                   keys: int, lesson: str | None) -> None:
    chooser = random.Random(seed)
    app = make_app(open_lesson=lesson)
    presses = 0
    visited: set[str] = set()
    async with app.run_test(size=(100, 30)) as pilot:
        while presses < keys:
            if chooser.random() < 0.03:
                await pilot.resize_terminal(*chooser.choice(SIZES))
                await pilot.pause()  # let the size guard push or pop its screen
                visited.add(type(app.screen).__name__)
            _send_key(app, chooser.choice(KEYS))
            presses += 1
            if presses % 20 == 0:
                # Let the queue drain now and then, as a fast typist's terminal would
                # (a short fixed pause: waiting for the CPU to go idle is slow on a busy box).
                await pilot.pause(0.002)
                await _wait_for_workers(app)
                visited.add(type(app.screen).__name__)
                if chooser.random() < 0.2 and len(app.screen_stack) > 2:
                    # Back towards the catalogue now and then. Done here rather than by
                    # queueing "q", which could land on the catalogue and end the app.
                    await app.action_back()
        # Drain every queued key before the app shuts down (bounded): a key still queued
        # when run_test exits would meet Textual's empty screen stack during teardown.
        for _ in range(200):
            await _wait_for_workers(app)
            await pilot.pause()
            if app._message_queue.empty():
                break
        assert app.is_running
    reached = {"PlayerScreen", "HelpScreen", "TooSmallScreen"}
    if lesson is None:  # starting in a lesson, going back may not reach the catalogue
        reached.add("CatalogueScreen")
    assert reached <= visited
