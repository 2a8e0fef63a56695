"""The player's stage column: one scene of the lesson at a time.

It holds the scene's engines (one per track, stepped together by a `Lockstep`) and shows
them: the scene's title and narration, the hints shown so far, and a `TrackStage` per
track, side by side while each has room for its arrows' words, else one at a time under
a bar naming them all. The screen decides when to step, which scene to show and what to
remember; this column only builds and draws.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from tutor.lessons.model import SceneBlock
from tutor.scenes.engine import SceneEngine
from tutor.scenes.lockstep import Lockstep
from tutor.ui.render.markdown import Prose
from tutor.ui.render.scene_caption import narration, scene_title
from tutor.ui.render.track_layout import aligned_rows, track_bar, tracks_fit
from tutor.ui.widgets.stage import TrackStage
from tutor.visible import visible_text

if TYPE_CHECKING:
    from rich.console import RenderableType
    from textual.widget import Widget


class PlayerStage(Vertical):
    """Title, narration, hints, the track bar and the scene's tracks."""

    def __init__(self, scenes: Sequence[SceneBlock], *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.scenes = scenes
        self.scene_index = 0
        self.tracks = Lockstep(())
        """The scene's tracks, stepped together (the first one leads)."""
        self.track_index = 0
        """Which track is shown when the tracks take turns (too narrow side by side)."""
        self.taking_turns = False
        """The scene's tracks are shown one at a time (too narrow side by side)."""
        self._first: list[TrackStage] = []
        """The stages composed with the column (`start_at`)."""

    @property
    def engines(self) -> list[SceneEngine]:
        """One engine per track of the scene on screen."""
        return self.tracks.engines

    def start_at(self, index: int) -> None:
        """Build scene `index` to be composed with the column, so the screen's first frame
        has its stages: mounted afterwards, they cost a second layout and a second full
        render before the learner sees the stage."""
        self._first = self.build(index)

    def compose(self) -> ComposeResult:
        yield Static(id="scene-title")
        yield Static(id="narration")
        # The hints and the track bar are mounted when first shown (`show_hints`,
        # `arrange_tracks`): hidden, they still cost every lesson switch their styling.
        first, self._first = self._first, []  # kept no longer than the screen needs them
        yield Horizontal(*first, id="tracks")

    def build(self, index: int) -> list[TrackStage]:
        """Fresh engines for scene `index` (none when the lesson has no scenes), and a
        stage for each."""
        if not self.scenes:
            return []
        self.scene_index = index
        block = self.scenes[index]
        self.tracks = Lockstep(scene for _, scene in block.tracks)
        self.track_index = 0
        return [TrackStage(engine, label, classes="later-track" if index else None)
                for index, (engine, (label, _))
                in enumerate(zip(self.engines, block.tracks, strict=True))]

    def _tracks_row(self) -> Horizontal | None:
        return next(iter(self.query("#tracks").results(Horizontal)), None)

    async def clear(self) -> bool:
        """Take the scene's stages down; False when there is nothing to take them from."""
        tracks = self._tracks_row()
        if tracks is None:
            return False
        await tracks.remove_children()
        return True

    async def put_up(self, stages: list[TrackStage]) -> None:
        """Mount the stages `build` made."""
        tracks = self._tracks_row()
        if tracks is not None:
            await tracks.mount_all(stages)

    def arrange_tracks(self) -> bool:
        """Side by side when every track gets room for its arrows' words, else one at a
        time with a bar naming them all (T shows the next). True when that changed."""
        stages = list(self.query(TrackStage))
        tracks = self._tracks_row()
        width = tracks.size.width if tracks is not None else self.size.width
        turns = not tracks_fit(width, len(stages))
        changed = turns != self.taking_turns
        self.taking_turns = turns
        self.track_index = min(self.track_index, max(len(stages) - 1, 0))
        for index, stage in enumerate(stages):
            stage.display = not turns or index == self.track_index
        if tracks is not None:
            tracks.set_class(not turns and len(stages) > 1, "side-by-side")
        self._show("track-bar", track_bar([(stage.label, stage.outcome()) for stage in stages],
                                          self.track_index) if turns else None, tracks)
        align = None
        if not turns and len(stages) > 1:
            align = aligned_rows([stage.story() for stage in stages])
        for stage in stages:
            if stage.align != align:
                stage.align = align
                stage.refresh_view()
        return changed

    def next_track(self) -> bool:
        """Show the next track when they take turns; False when there is only one."""
        stages = list(self.query(TrackStage))
        if len(stages) < 2:
            return False
        self.track_index = (self.track_index + 1) % len(stages)
        return True

    def _set(self, selector: str, content: str | Text) -> None:
        # Through a query, not query_one: a popped screen may still finish an action.
        for widget in self.query(selector).results(Static):
            widget.update(content)

    def no_scenes(self) -> None:
        """Say so, in the title's place."""
        self._set("#scene-title", "This lesson has no scenes.")

    def caption(self, speed: float) -> None:
        """The scene's title line and the narration of its first track's last step."""
        engine = self.engines[0]
        self._set("#scene-title", scene_title(self.scene_index, len(self.scenes),
                                              self.scenes[self.scene_index], engine, speed))
        last = self.scene_index + 1 >= len(self.scenes)
        self._set("#narration", narration(engine, last_scene=last))

    def show_hints(self, hints: Sequence[str], dark: bool) -> None:
        """The hints revealed so far, or nothing at all when none is."""
        # Shown only once there is a hint. (A CSS `:empty` rule hid it for good: in Textual
        # it means "no child widgets", which a Static never has.) Markdown: a hint's source
        # lines reflow, and its `code` is marked as code. Mounted above the track bar and
        # the tracks, as composed before they were lazy.
        self._show("hints", Prose("\n\n".join(f"💡 {visible_text(hint)}" for hint in hints),
                                  dark) if hints else None, "#track-bar, #tracks")

    def _show(self, widget_id: str, shown: RenderableType | None,
              before: Widget | str | None) -> None:
        """`shown` in the Static `widget_id`, mounted `before` the first time there is
        something to show (hidden, a widget still costs every lesson switch its styling);
        None hides it."""
        widget = next(iter(self.query(f"#{widget_id}").results(Static)), None)
        if shown is None:
            if widget is not None:
                widget.display = False
        elif widget is None:
            self.mount(Static(shown, id=widget_id), before=before)
        else:
            widget.update(shown)
            widget.display = True

    def stepped(self, animate: bool) -> None:
        """Every track drawn again after a step (the newest arrow travelling if `animate`)."""
        for stage in self.query(TrackStage):
            stage.stepped(animate=animate)

    def select_exchange(self, delta: int) -> None:
        """Every track shows an earlier (-1) or later (1) exchange in detail."""
        for stage in self.query(TrackStage):
            stage.select(delta)

    def next_detail(self) -> None:
        """Every track shows its next detail view."""
        for stage in self.query(TrackStage):
            stage.show_detail(1)

    def refresh_views(self) -> None:
        """Every track drawn again from its engine (its world may have changed)."""
        for stage in self.query(TrackStage):
            stage.refresh_view()
