"""Opening and closing lessons leaves nothing behind: counted with gc, never timed.

Each round opens two lessons from the catalogue, steps them, and goes back. After the
first round everything a lesson needs has been loaded and cached, so every later round
must end with exactly as many widgets, screens and scene engines alive as the first:
one more kept per lesson would grow without bound over a long session (Textual's Footer
kept ten key widgets per lesson opened, Textual issue #6666, until the footer became one
widget, tutor/ui/widgets/footer.py; an lru_cache kept closed widgets' style caches,
#6665, see tutor/ui/leaks.py).
"""

from __future__ import annotations

import gc
from collections import Counter

from textual._styles_cache import StylesCache
from textual.dom import DOMNode
from textual.pilot import Pilot

from tests.ui.conftest import AppFactory
from tutor.scenes.engine import SceneEngine
from tutor.ui.app import TutorApp
from tutor.ui.screens.catalogue import CatalogueScreen
from tutor.ui.screens.player import PlayerScreen

LESSONS = ("four-login-steps", "cookie-jar")
ROUNDS = 2


def alive() -> Counter[str]:
    """How many DOM nodes (widgets, screens), their style caches (each holds the lines its
    widget rendered) and scene engines are alive, by class. (What the warm-up froze is
    back in view: `gc.get_objects` leaves frozen objects out.)"""
    gc.unfreeze()
    gc.collect()
    return Counter(type(obj).__name__ for obj in gc.get_objects()
                   if isinstance(obj, DOMNode | StylesCache | SceneEngine))


async def tour(app: TutorApp, pilot: Pilot[None]) -> None:
    """Open each lesson, take a step, go back to the catalogue."""
    for lesson_id in LESSONS:
        app.open_lesson(lesson_id)
        await pilot.pause()
        assert isinstance(app.screen, PlayerScreen)
        await pilot.press("n")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, CatalogueScreen)


async def test_lessons_opened_and_closed_leave_nothing_behind(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()  # the warm-up thread
        await tour(app, pilot)
        first = alive()
        assert first["PlayerScreen"] == 0, "a closed lesson's screen is still alive"
        assert first["SceneEngine"] == 0, "a closed lesson's scene engine is still alive"
        for _ in range(ROUNDS - 1):
            await tour(app, pilot)
        grown = {name: count - first[name] for name, count in alive().items()
                 if count > first[name]}
        assert grown == {}, f"alive after {ROUNDS} tours but not after one: {grown}"
        assert first["TutorFooter"] == 1, "a closed screen's footer is still alive"


async def test_a_closed_lesson_is_freed_once_the_catalogue_is_drawn(
    make_app: AppFactory,
) -> None:
    """A closed lesson's widgets are cycles that only a full collection frees; the app
    asks for one once the catalogue is back on screen, so that it does not come at a
    random later moment (the next lesson's opening, an animation)."""
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        app.open_lesson(LESSONS[0])
        await pilot.pause()
        gc.disable()  # only the app's own request may collect from here on
        try:
            await pilot.press("q")
            await app.workers.wait_for_complete()
            await pilot.pause()
            screens = [obj for obj in gc.get_objects() if isinstance(obj, PlayerScreen)]
        finally:
            gc.enable()
        assert screens == [], "the closed lesson waits for Python's next full collection"
