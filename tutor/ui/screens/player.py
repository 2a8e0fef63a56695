"""The lesson player: the prose beside a stage that plays the lesson's scenes for real."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, ScrollableContainer, Vertical, VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Static, Tab, Tabs

from tutor.har.folder import har_folder
from tutor.lessons.model import Lesson
from tutor.scenes.engine import SceneEngine
from tutor.scenes.lockstep import Lockstep
from tutor.scenes.sentences import step_words
from tutor.ui.render.markdown import Code, Prose
from tutor.ui.render.prose import prose_parts, scene_heading
from tutor.ui.render.track_layout import aligned_rows, track_bar, tracks_fit
from tutor.ui.screens.guarded import GuardedScreen
from tutor.ui.widgets.footer import TutorFooter
from tutor.ui.widgets.stage import TrackStage
from tutor.visible import visible, visible_text

if TYPE_CHECKING:
    from tutor.ui.app import TutorApp

NARROW_WIDTH = 110
SPEEDS = (0.5, 1.0, 1.5, 2.0, 3.0)
SCENES = Binding.Group("Scene")
SPEED = Binding.Group("Speed")
EXCHANGES = Binding.Group("Exchange")
"""Pairs of keys the footer shows as one (`[ ] Scene`): they fit at 80 columns."""
class PlayerScreen(GuardedScreen[None]):
    """One lesson: prose, stage, narration and hints."""

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
        self.scene_index = 0
        self.tracks = Lockstep(())
        """The scene's tracks, stepped together (the first one leads)."""
        self.track_index = 0
        """Which track is shown when the tracks take turns (too narrow side by side)."""
        self.speed_index = 1
        self._autoplay: Timer | None = None
        self.har_folder = har_folder()
        """Where f9 saves the scene's exchanges as HAR (`har_folder()`, never the current
        directory; tests point it elsewhere)."""
        self._resume = (0, 0)
        """(scene, step) the lesson opens at, from progress (read when composed)."""
        self._prose_scene = 0
        """The scene the prose was last scrolled to."""
        self._themed: list[tuple[Static, str | Code]] = []
        """The prose's Markdown and code widgets, drawn again when the theme changes."""
        self._taking_turns = False
        """The scene's tracks are shown one at a time (too narrow side by side)."""

    def allows(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys that only mean something now and then leave the footer meanwhile."""
        if action == "switch_pane":
            return self.has_class("narrow")
        if action == "next_track":
            return self._taking_turns
        return True

    @property
    def engines(self) -> list[SceneEngine]:
        """One engine per track of the scene on screen."""
        return self.tracks.engines

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
        if self.app.size.width < NARROW_WIDTH:
            yield self._pane_tabs()
        with Horizontal(id="player"):
            # The prose is filled in just after the first frame: measuring Rich Markdown
            # means rendering it, and the stage should not wait for that. (Not Textual's
            # Lazy: it raises if the screen goes away before its turn comes.)
            yield VerticalScroll(id="prose")
            with Vertical(id="stage"):
                yield Static(id="scene-title")
                yield Static(id="narration")
                yield Static(id="hints")
                yield Static(id="track-bar")
                # The first scene's stages are composed with the screen, so its first
                # frame has them: mounted afterwards, they cost a second layout and a
                # second full render before the learner sees the stage.
                with Horizontal(id="tracks"):
                    yield from self._build_scene(self._resume[0])
        yield TutorFooter()

    async def on_mount(self) -> None:
        if not self.alive:
            return
        self.call_after_refresh(self._fill_prose)
        self._apply_width()
        await self._enter_scene(self._resume[0], resume_step=self._resume[1])
        self._show_hints()

    def on_resize(self) -> None:
        self._apply_width()
        self.call_after_refresh(self._arrange_tracks)

    def _arrange_tracks(self) -> None:
        """Side by side when every track gets room for its arrows' words, else one at a
        time with a bar naming them all (T shows the next)."""
        if not self.alive:
            return
        stages = list(self.query(TrackStage))
        tracks = next(iter(self.query("#tracks").results(Horizontal)), None)
        width = tracks.size.width if tracks is not None else self.size.width
        turns = not tracks_fit(width, len(stages))
        if turns != self._taking_turns:
            self._taking_turns = turns
            self.refresh_bindings()
        self.track_index = min(self.track_index, max(len(stages) - 1, 0))
        for index, stage in enumerate(stages):
            stage.display = not turns or index == self.track_index
        for bar in self.query("#track-bar").results(Static):
            bar.display = turns
            if turns:
                bar.update(track_bar([(stage.label, stage.outcome()) for stage in stages],
                                     self.track_index))
        align = None
        if not turns and len(stages) > 1:
            align = aligned_rows([stage.story() for stage in stages])
        for stage in stages:
            if stage.align != align:
                stage.align = align
                stage.refresh_view()

    def action_next_track(self) -> None:
        stages = list(self.query(TrackStage))
        if len(stages) < 2:
            return
        self.track_index = (self.track_index + 1) % len(stages)
        self._arrange_tracks()

    @staticmethod
    def _pane_tabs() -> Tabs:
        tabs = Tabs(Tab("Lesson", id="tab-prose"), Tab("Stage", id="tab-stage"), id="pane-tabs")
        # Never focused: Tabs takes ←/→ for itself, and → must step the scene; tab (the
        # player's key) switches panes, and the pane shown gets the focus.
        tabs.can_focus = False
        return tabs

    def _apply_width(self) -> None:
        narrow = self.size.width < NARROW_WIDTH
        if narrow != self.has_class("narrow"):
            self.set_class(narrow, "narrow")
            self.refresh_bindings()
        if narrow and not self.query("#pane-tabs"):
            # Made only once the terminal is narrow: hidden, its seven widgets still cost
            # a lesson switch their styling and layout.
            self.mount(self._pane_tabs(), before="#player")
        if narrow and not (self.has_class("show-prose") or self.has_class("show-stage")):
            self.add_class("show-stage")

    # --- scenes ----------------------------------------------------------------------------

    def _set(self, selector: str, content: str | Text) -> None:
        # Through a query, not query_one: a popped screen may still finish an action.
        for widget in self.query(selector).results(Static):
            widget.update(content)

    async def show_scene(self, index: int, resume_step: int = 0) -> None:
        """Build fresh engines for scene `index` and put their stages up."""
        self._stop_autoplay()
        if not self.alive:
            return
        found = self.query("#tracks").results(Horizontal)
        tracks = next(iter(found), None)
        if tracks is None:
            return
        await tracks.remove_children()
        stages = self._build_scene(index)
        if not self.alive:
            return
        await tracks.mount_all(stages)
        await self._enter_scene(index, resume_step)

    def _build_scene(self, index: int) -> list[TrackStage]:
        """Fresh engines for scene `index` (none when the lesson has no scenes), and a
        stage for each."""
        if not self.scenes:
            return []
        self.scene_index = index
        block = self.scenes[index]
        self.tracks = Lockstep(scene for _, scene in block.tracks)
        self.track_index = 0
        return [TrackStage(engine, label)
                for engine, (label, _) in zip(self.engines, block.tracks, strict=True)]

    async def _enter_scene(self, index: int, resume_step: int) -> None:
        """What follows the stages of scene `index` being mounted: the resume step, the
        prose scrolled to the scene, the captions."""
        if not self.scenes:
            self._set("#scene-title", "This lesson has no scenes.")
            return
        self.call_after_refresh(self._arrange_tracks)
        if resume_step:
            await self.tracks.goto(resume_step)
            for stage in self.query(TrackStage):
                stage.stepped(animate=False)
        if index or resume_step:  # a fresh lesson starts at its introduction
            self._scroll_prose_to_scene()
        self._update_captions()

    async def _fill_prose(self) -> None:
        if not self.alive:
            return
        widgets: list[Widget] = []
        scene_number = 0
        dark = self.app.current_theme.dark
        for kind, text in prose_parts(self.lesson):
            if isinstance(text, Code):
                # Whole lines in a box that scrolls sideways: wrapped, code loses its
                # indentation (the jwt-attacks Python snippet did).
                code = Static(text.view(dark), classes="code")
                self._themed.append((code, text))
                widgets.append(ScrollableContainer(code, classes="prose-code",
                                                   can_focus=False))
            elif kind == "scene":
                widgets.append(Static(text, classes="scene-marker", markup=False,
                                      id=f"scene-marker-{scene_number}"))
                scene_number += 1
            else:
                part = Static(Prose(visible_text(text), dark), classes=f"prose-{kind}")
                self._themed.append((part, visible_text(text)))
                widgets.append(part)
        for prose in self.query("#prose").results(VerticalScroll):
            await prose.mount_all(widgets)

    def theme_changed(self) -> None:
        """Draw the prose, code and hints again for the new theme's background (inline
        code and code blocks are coloured for dark or light)."""
        if not self.alive:
            return
        dark = self.app.current_theme.dark
        for widget, part in self._themed:
            widget.update(part.view(dark) if isinstance(part, Code) else Prose(part, dark))
        self._show_hints()

    def _scroll_prose_to_scene(self, attempts: int = 3) -> None:
        if self.has_class("narrow") and self.has_class("show-stage"):
            return  # hidden: scrolled when the Lesson tab is shown (a hidden pane has no
            # layout to scroll by)
        self._prose_scene = self.scene_index
        markers = list(self.query(f"#scene-marker-{self.scene_index}"))
        if not markers and attempts and self.alive:
            # The prose is mounted lazily: try again after the next frame.
            self.call_after_refresh(self._scroll_prose_to_scene, attempts - 1)
        for marker in markers:
            self.call_after_refresh(lambda marker=marker: marker.scroll_visible(
                top=True, animate=self.app.animation_level != "none"))

    def _update_captions(self) -> None:
        if not self.engines or not self.alive:
            return
        block = self.scenes[self.scene_index]
        engine = self.engines[0]
        # Rich Text throughout, never markup: titles, narration and expectation details
        # are lesson text and server answers, which may hold square brackets.
        title = Text(scene_heading(self.scene_index, block), style="bold")
        title.append(f"  ·  scene {self.scene_index + 1} of {len(self.scenes)}  ·  "
                     f"step {engine.position} of {len(engine.scene.steps)}  ·  "
                     f"speed {SPEEDS[self.speed_index]}×", style="")
        self._set("#scene-title", title)
        narration = Text("Press n (or →) to take the first step.")
        if engine.position:
            step = engine.scene.steps[engine.position - 1]
            record = engine.records[engine.position - 1]
            narration = Text(step_words(step))
            failed = [f"✗ {f.expectation.kind}: {f.detail}" for f in record.failures]
            if record.error:
                failed.append(f"✗ {record.error}")
            if failed:
                narration.append("\n" + "\n".join(failed), style="red")
        elif engine.at_end:
            narration = Text("This scene has no steps.")
        if engine.at_end and engine.position:
            if self.scene_index + 1 < len(self.scenes):
                narration.append("\nEnd of scene: ] for the next one, r to replay.", style="dim")
            else:
                narration.append("\nEnd of the lesson's last scene: Q for its quiz, "
                                 "r to replay.", style="dim")
        self._set("#narration", narration)

    def _save_position(self) -> None:
        if not self.engines or not self.alive:
            return
        entry = self.tutor.progress.lesson(self.lesson.meta.id)
        entry.reached([block.id for block in self.scenes], self.scene_index,
                      self.tracks.position, scene_at_end=self.tracks.at_end)
        self.tutor.save_progress()

    # --- stepping (the engine's async work runs in exclusive workers) ----------------------

    @work(exclusive=True, group="engine", exit_on_error=False)
    async def _step(self, direction: int) -> None:
        if not self.engines:
            return
        if direction > 0:
            moved = await self.tracks.forward()
            if not moved:
                self._stop_autoplay()
                return
        elif direction < 0:
            if not self.tracks.back():
                return
        else:
            self.tracks.restart()
        self.post_message(self.Stepped())

    @on(Stepped)
    def _after_step(self) -> None:
        if not self.alive:
            return
        animate = self.app.animation_level != "none"
        for stage in self.query(TrackStage):
            stage.stepped(animate=animate)
        self._arrange_tracks()
        self._update_captions()
        self._save_position()

    def action_next_step(self) -> None:
        self._step(1)

    def action_previous_step(self) -> None:
        self._stop_autoplay()
        self._step(-1)

    def action_restart_scene(self) -> None:
        self._stop_autoplay()
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
        for stage in self.query(TrackStage):
            stage.select(delta)

    def action_zoom_details(self) -> None:
        self.toggle_class("details-zoomed")

    def action_next_detail(self) -> None:
        for stage in self.query(TrackStage):
            stage.show_detail(1)

    # --- autoplay, speed, hints, transcript, panes -------------------------------------------

    def action_play_pause(self) -> None:
        if self._autoplay is not None:
            self._stop_autoplay()
            self.notify("Paused", timeout=1.5)
            return
        self._autoplay = self.set_interval(1.6 / SPEEDS[self.speed_index],
                                           self.action_next_step)
        self.action_next_step()

    def _stop_autoplay(self) -> None:
        if self._autoplay is not None:
            self._autoplay.stop()
            self._autoplay = None

    def action_speed(self, delta: int) -> None:
        self.speed_index = max(0, min(len(SPEEDS) - 1, self.speed_index + delta))
        self.tutor.progress.settings.speed = SPEEDS[self.speed_index]
        if self._autoplay is not None:
            self._stop_autoplay()
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
        hints = self.lesson.hints[:shown]
        for widget in self.query("#hints").results(Static):
            # Markdown: a hint's source lines reflow, and its `code` is marked as code.
            widget.update(Prose("\n\n".join(f"💡 {visible_text(hint)}" for hint in hints),
                                self.app.current_theme.dark))
            # Shown only once there is a hint. (A CSS `:empty` rule hid it for good: in
            # Textual it means "no child widgets", which a Static never has.)
            widget.display = bool(hints)

    def action_edit_resend(self) -> None:
        from tutor.repeater.draft import RequestDraft
        from tutor.repeater.sandbox import Sandbox
        from tutor.ui.screens.repeater import RepeaterScreen

        stage = next(iter(self.query(TrackStage)), None)
        current = stage.current_exchange() if stage else None
        if stage is None or current is None:
            self.notify("No exchange yet: step the scene first (n).", timeout=3)
            return
        self._stop_autoplay()
        sandbox = Sandbox(world=stage.engine.world)
        draft = RequestDraft.from_exchange(current.exchange)

        def back(_: bool | None) -> None:
            for each in self.query(TrackStage):
                each.refresh_view()

        self.app.push_screen(RepeaterScreen(sandbox, draft, title="Repeater on this scene"),
                             back)

    def action_save_har(self, redact: bool) -> None:
        from tutor.ui.har_save import save_exchanges
        from tutor.ui.widgets.stage import shown_exchanges

        exchanges = [seen.exchange for engine in self.engines
                     for seen in shown_exchanges(engine)]
        scene = self.scenes[self.scene_index].id if self.scenes else "scene"
        save_exchanges(self, exchanges, self.har_folder,
                       f"tutor-{self.lesson.meta.id}-{scene}", redact)

    def action_quiz(self) -> None:
        self._stop_autoplay()
        self.tutor.open_quiz([self.lesson.meta.id])

    def action_transcript(self) -> None:
        from tutor.ui.screens.transcript import TranscriptScreen

        self.app.push_screen(TranscriptScreen(self.lesson))

    def action_switch_pane(self) -> None:
        if not self.has_class("narrow"):
            return
        tabs = next(iter(self.query("#pane-tabs").results(Tabs)), None)
        if tabs is None:
            return
        tabs.active = "tab-prose" if tabs.active == "tab-stage" else "tab-stage"

    @on(Tabs.TabActivated, "#pane-tabs")
    def _pane_chosen(self, event: Tabs.TabActivated) -> None:
        stage = event.tab.id == "tab-stage"
        if self.has_class("show-stage") == stage and self.has_class("show-prose") != stage:
            return  # unchanged: a class change restyles the whole screen
        self.set_class(stage, "show-stage")
        self.set_class(not stage, "show-prose")
        if stage:
            details = next(iter(self.query("TrackStage .details")), None)
            if details is not None:
                details.focus()
        else:
            for prose in self.query("#prose"):
                prose.focus()
            if self._prose_scene != self.scene_index:
                # The stage moved on while the lesson was hidden: show that scene's text.
                self.call_after_refresh(self._scroll_prose_to_scene)

    def on_screen_suspend(self) -> None:
        self._stop_autoplay()

    def on_unmount(self) -> None:
        self._stop_autoplay()
