"""The lesson player: the prose beside a stage that plays the lesson's scenes for real.

The screen holds the keys, where the learner is (progress), stepping and autoplay. Beside
it: the stage column (player_stage), the lesson's text (player_prose), the narrow
terminal's Lesson/Stage tabs (player_panes) and the keys that open another screen or
save a file (player_tools).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static, Tabs

from tutor.har.folder import har_folder
from tutor.lessons.model import Lesson
from tutor.scenes.engine import SceneEngine
from tutor.ui.render.story_rows import forget_rows
from tutor.ui.screens import player_panes, player_tools
from tutor.ui.screens.guarded import GuardedScreen
from tutor.ui.screens.player_prose import LessonProse
from tutor.ui.screens.player_stage import PlayerStage
from tutor.ui.widgets.footer import TutorFooter
from tutor.visible import visible

if TYPE_CHECKING:
    from tutor.ui.app import TutorApp

SPEEDS = (0.5, 1.0, 1.5, 2.0, 3.0)
SCENES = Binding.Group("Scene")
SPEED = Binding.Group("Speed")
EXCHANGES = Binding.Group("Exchange")
"""Pairs of keys the footer shows as one (`[ ] Scene`): they fit at 80 columns."""
class PlayerScreen(GuardedScreen[None]):
    """One lesson: prose, stage, narration and hints."""

    COLLECT_WHEN_CLOSED: ClassVar[bool] = True

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n,right", "next_step", "Next step", id="next-step",
                tooltip="Run the next step of the scene"),
        Binding("p,left", "previous_step", "Previous", id="previous-step",
                tooltip="Step back in time, exactly"),
        Binding("right_square_bracket", "next_scene", "Next scene", id="next-scene",
                tooltip="Go to the lesson's next scene", group=SCENES),
        Binding("left_square_bracket", "previous_scene", "Prev scene", id="previous-scene",
                tooltip="Go to the lesson's previous scene", group=SCENES),
        Binding("d", "next_detail", "Details", id="next-detail",
                tooltip="Show the next detail view: exchange, timeline, browser, server, JWT"),
        Binding("z", "zoom_details", "Zoom", id="zoom-details",
                tooltip="Give the detail view the whole stage (hide the diagram), or undo"),
        Binding("tab", "switch_pane", "Lesson/Stage", id="switch-pane",
                tooltip="In a narrow terminal, switch between the lesson and the stage"),
        Binding("T", "next_track", "Next track", id="next-track",
                tooltip="When a scene's tracks do not fit side by side, show the next one"),
        Binding("space", "play_pause", "Play/pause", id="play-pause",
                tooltip="Step automatically at the current speed"),
        Binding("plus,equals_sign", "speed(1)", "Faster", id="faster", tooltip="Play faster",
                group=SPEED),
        Binding("minus", "speed(-1)", "Slower", id="slower", tooltip="Play slower",
                group=SPEED),
        Binding("h", "hint", "Hint", id="hint", tooltip="Reveal the next hint"),
        Binding("Q", "quiz", "Quiz", id="player-quiz", tooltip="Take this lesson's quiz"),
        Binding("e", "edit_resend", "Edit & resend", id="edit-resend",
                tooltip="Open the shown exchange in the Repeater, in this scene's state"),
        Binding("comma", "select_exchange(-1)", "Earlier exchange", id="earlier-exchange",
                tooltip="Show the previous exchange in detail (the diagram scrolls back)",
                group=EXCHANGES),
        Binding("full_stop", "select_exchange(1)", "Later exchange", id="later-exchange",
                tooltip="Show the next exchange in detail", group=EXCHANGES),
        Binding("r", "restart_scene", "Restart", id="restart-scene",
                tooltip="Back to the start of this scene"),
        Binding("t", "transcript", "Transcript", id="transcript",
                tooltip="Read the lesson as a plain text transcript"),
        Binding("f9", "save_har(True)", "Save HAR", id="player-har",
                tooltip="Save this scene's exchanges so far as HAR 1.2, credentials redacted"),
        Binding("f10", "save_har(False)", "HAR+secrets", id="player-har-full", show=False,
                tooltip="Save this scene's exchanges so far as HAR 1.2, credentials kept"),
    ]
    FOOTER_KEYS: ClassVar[tuple[str, ...]] = (
        "next-step", "previous-step", "switch-pane", "previous-scene", "next-scene",
        "next-detail", "zoom-details", "next-track", "play-pause", "faster", "slower",
        "hint", "player-quiz", "help", "back", "edit-resend", "earlier-exchange",
        "later-exchange", "restart-scene", "transcript", "player-har")
    """The footer's keys, most useful first: the narrower the terminal, the fewer shown."""

    class Stepped(Message):
        """The scene moved (forward, back or restart)."""

    def __init__(self, lesson: Lesson) -> None:
        super().__init__(classes="show-prose")
        self.lesson = lesson
        self.scenes = lesson.scenes
        self.stage = PlayerStage(self.scenes, id="stage")
        """The stage column: the scene's engines, their tracks, title and narration."""
        self.speed_index = 1
        self._autoplay: Timer | None = None
        self.har_folder = har_folder()
        """Where f9 saves the scene's exchanges as HAR (`har_folder()`, never the current
        directory; tests point it elsewhere)."""
        self._resume = (0, 0)
        """(scene, step) the lesson opens at, from progress (read when composed)."""
        self._prose_scene = 0
        """The scene the prose was last scrolled to."""

    def allows(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys that only mean something now and then leave the footer meanwhile."""
        if action == "switch_pane":
            return self.has_class("narrow")
        if action == "next_track":
            return self.stage.taking_turns
        return True

    @property
    def engines(self) -> list[SceneEngine]:
        """One engine per track of the scene on screen."""
        return self.stage.engines

    @property
    def scene_index(self) -> int:
        """Which of the lesson's scenes is on the stage."""
        return self.stage.scene_index

    @property
    def tutor(self) -> TutorApp:
        from tutor.ui.app import TutorApp

        assert isinstance(self.app, TutorApp)
        return self.app

    def compose(self) -> ComposeResult:
        entry = self.tutor.progress.lesson(self.lesson.meta.id)
        self._resume = entry.resume_point([block.id for block in self.scenes])
        # A plain title bar rather than Textual's Header, whose title watchers can fire on a
        # screen popped mid-mount (found by the monkey test) and raise.
        yield Static(f"tutor — {visible(self.lesson.meta.title)}", id="title-bar", markup=False)
        if self.app.size.width < player_panes.NARROW_WIDTH:
            yield player_panes.pane_tabs()
        # The prose is filled in just after the first frame: measuring Rich Markdown
        # means rendering it, and the stage should not wait for that. (Not Textual's
        # Lazy: it raises if the screen goes away before its turn comes.)
        yield LessonProse(self.lesson, id="prose")
        self.stage.start_at(self._resume[0])
        yield self.stage
        yield TutorFooter()

    async def on_mount(self) -> None:
        if not self.alive:
            return
        self.call_after_refresh(self._fill_prose)
        player_panes.apply_width(self)
        await self._enter_scene(self._resume[0], resume_step=self._resume[1])
        self._show_hints()

    def on_resize(self) -> None:
        player_panes.apply_width(self)
        self.call_after_refresh(self._arrange_tracks)

    def _arrange_tracks(self) -> None:
        if self.alive and self.stage.arrange_tracks():
            self.refresh_bindings()  # T comes and goes with the tracks taking turns

    def action_next_track(self) -> None:
        if self.stage.next_track():
            self._arrange_tracks()

    # --- scenes ----------------------------------------------------------------------------

    async def show_scene(self, index: int, resume_step: int = 0) -> None:
        """Build fresh engines for scene `index` and put their stages up."""
        self.stop_autoplay()
        if not self.alive or not await self.stage.clear():
            return
        stages = self.stage.build(index)
        if not self.alive:
            return
        await self.stage.put_up(stages)
        await self._enter_scene(index, resume_step)

    async def _enter_scene(self, index: int, resume_step: int) -> None:
        """What follows the stages of scene `index` being mounted: the resume step, the
        prose scrolled to the scene, the captions."""
        if not self.scenes:
            self.stage.no_scenes()
            return
        self.call_after_refresh(self._arrange_tracks)
        if resume_step:
            await self.stage.tracks.goto(resume_step)
            self.stage.stepped(animate=False)
        if index or resume_step:  # a fresh lesson starts at its introduction
            self._scroll_prose_to_scene()
        self._update_captions()

    async def _fill_prose(self) -> None:
        if not self.alive:
            return
        for prose in self.query("#prose").results(LessonProse):
            await prose.fill()

    def theme_changed(self) -> None:
        """Draw the prose, code and hints again for the new theme's background (inline
        code and code blocks are coloured for dark or light)."""
        if not self.alive:
            return
        dark = self.app.current_theme.dark
        for prose in self.query("#prose").results(LessonProse):
            prose.redraw(dark)
        self._show_hints()

    def _scroll_prose_to_scene(self, attempts: int = 3) -> None:
        if self.has_class("narrow") and self.has_class("show-stage"):
            return  # hidden: scrolled when the Lesson tab is shown (a hidden pane has no
            # layout to scroll by)
        self._prose_scene = self.scene_index
        animate = self.app.animation_level != "none"
        found = [prose.scroll_to_scene(self.scene_index, animate)
                 for prose in self.query("#prose").results(LessonProse)]
        if not any(found) and attempts and self.alive:
            # The prose is mounted lazily: try again after the next frame.
            self.call_after_refresh(self._scroll_prose_to_scene, attempts - 1)

    def _update_captions(self) -> None:
        if not self.engines or not self.alive:
            return
        self.stage.caption(SPEEDS[self.speed_index])

    def _save_position(self) -> None:
        if not self.engines or not self.alive:
            return
        entry = self.tutor.progress.lesson(self.lesson.meta.id)
        entry.reached([block.id for block in self.scenes], self.scene_index,
                      self.stage.tracks.position, scene_at_end=self.stage.tracks.at_end)
        self.tutor.save_progress()

    # --- stepping (the engine's async work runs in exclusive workers) ----------------------

    @work(exclusive=True, group="engine", exit_on_error=False)
    async def _step(self, direction: int) -> None:
        tracks = self.stage.tracks
        if not tracks.engines:
            return
        if direction > 0:
            moved = await tracks.forward()
            if not moved:
                self.stop_autoplay()
                return
        elif direction < 0:
            if not tracks.back():
                return
        else:
            tracks.restart()
        self.post_message(self.Stepped())

    @on(Stepped)
    def _after_step(self) -> None:
        if not self.alive:
            return
        self.stage.stepped(animate=self.app.animation_level != "none")
        self._arrange_tracks()
        self._update_captions()
        self._save_position()

    def action_next_step(self) -> None:
        self._step(1)

    def action_previous_step(self) -> None:
        self.stop_autoplay()
        self._step(-1)

    def action_restart_scene(self) -> None:
        self.stop_autoplay()
        self._step(0)

    async def action_next_scene(self) -> None:
        if self.scene_index + 1 < len(self.scenes):
            await self.show_scene(self.scene_index + 1)
            self._save_position()

    async def action_previous_scene(self) -> None:
        if self.scene_index > 0:
            await self.show_scene(self.scene_index - 1)
            self._save_position()

    def action_select_exchange(self, delta: int) -> None:
        self.stage.select_exchange(delta)

    def action_zoom_details(self) -> None:
        self.toggle_class("details-zoomed")

    def action_next_detail(self) -> None:
        self.stage.next_detail()

    # --- autoplay, speed, hints, other screens (player_tools), panes (player_panes) --------

    def action_play_pause(self) -> None:
        if self._autoplay is not None:
            self.stop_autoplay()
            self.notify("Paused", timeout=1.5)
            return
        self._autoplay = self.set_interval(1.6 / SPEEDS[self.speed_index],
                                           self.action_next_step)
        self.action_next_step()

    def stop_autoplay(self) -> None:
        """Stop stepping by itself (space starts it again)."""
        if self._autoplay is not None:
            self._autoplay.stop()
            self._autoplay = None

    def action_speed(self, delta: int) -> None:
        self.speed_index = max(0, min(len(SPEEDS) - 1, self.speed_index + delta))
        self.tutor.progress.settings.speed = SPEEDS[self.speed_index]
        if self._autoplay is not None:
            self.stop_autoplay()
            self.action_play_pause()
        if self.engines:
            self._update_captions()

    def action_hint(self) -> None:
        entry = self.tutor.progress.lesson(self.lesson.meta.id)
        if entry.hints_shown >= len(self.lesson.hints):
            self.notify("No more hints for this lesson." if self.lesson.hints
                        else "This lesson has no hints.", timeout=3)
            return
        entry.hints_shown += 1
        self.tutor.save_progress()
        self._show_hints()

    def _show_hints(self) -> None:
        if not self.alive:
            return
        shown = self.tutor.progress.lesson(self.lesson.meta.id).hints_shown
        self.stage.show_hints(self.lesson.hints[:shown], self.app.current_theme.dark)

    def action_edit_resend(self) -> None:
        player_tools.open_repeater(self)

    def action_save_har(self, redact: bool) -> None:
        player_tools.save_har(self, redact)

    def action_quiz(self) -> None:
        self.stop_autoplay()
        self.tutor.open_quiz([self.lesson.meta.id])

    def action_transcript(self) -> None:
        player_tools.open_transcript(self)

    def action_switch_pane(self) -> None:
        player_panes.switch_pane(self)

    @on(Tabs.TabActivated, "#pane-tabs")
    def _pane_chosen(self, event: Tabs.TabActivated) -> None:
        stage = event.tab.id == "tab-stage"
        if (player_panes.show_pane(self, stage) and not stage
                and self._prose_scene != self.scene_index):
            # The stage moved on while the lesson was hidden: show that scene's text.
            self.call_after_refresh(self._scroll_prose_to_scene)

    def on_screen_suspend(self) -> None:
        self.stop_autoplay()

    def on_unmount(self) -> None:
        self.stop_autoplay()
        forget_rows()  # the lesson's diagram rows: flat memory across lessons
