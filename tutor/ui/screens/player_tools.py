"""The player's keys that leave the lesson for a moment: `e` opens the Repeater on the
exchange shown, in the scene's own state; f9/f10 save the scene's exchanges as HAR; `t`
shows the lesson as a transcript. Each takes the player and only reads its scene."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tutor.ui.screens.player import PlayerScreen


def open_repeater(screen: PlayerScreen) -> None:
    """The first track's shown exchange, in the Repeater, on that track's world (given
    back as it was when the Repeater closes)."""
    from tutor.repeater.draft import RequestDraft
    from tutor.repeater.sandbox import Sandbox
    from tutor.ui.screens.repeater import RepeaterScreen
    from tutor.ui.widgets.stage import TrackStage

    stage = next(iter(screen.query(TrackStage)), None)
    current = stage.current_exchange() if stage else None
    if stage is None or current is None:
        screen.notify("No exchange yet: step the scene first (n).", timeout=3)
        return
    screen.stop_autoplay()
    sandbox = Sandbox(world=stage.engine.world)
    draft = RequestDraft.from_exchange(current.exchange)

    def back(_: bool | None) -> None:
        for each in screen.query(TrackStage):
            each.refresh_view()

    screen.app.push_screen(RepeaterScreen(sandbox, draft, title="Repeater on this scene"),
                           back)


def save_har(screen: PlayerScreen, redact: bool) -> None:
    """Every track's exchanges so far, as HAR named after the lesson and the scene, in
    the player's HAR folder (credential values redacted unless `redact` is False)."""
    from tutor.ui.har_save import save_exchanges
    from tutor.ui.widgets.stage import shown_exchanges

    exchanges = [seen.exchange for engine in screen.engines
                 for seen in shown_exchanges(engine)]
    scene = screen.scenes[screen.scene_index].id if screen.scenes else "scene"
    save_exchanges(screen, exchanges, screen.har_folder,
                   f"tutor-{screen.lesson.meta.id}-{scene}", redact)


def open_transcript(screen: PlayerScreen) -> None:
    """The lesson as plain text, every scene run for real."""
    from tutor.ui.screens.transcript import TranscriptScreen

    screen.app.push_screen(TranscriptScreen(screen.lesson))
