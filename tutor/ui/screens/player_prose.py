"""The player's lesson pane: the prose, its code blocks and a marker where each scene is.

Filled in after the player's first frame (measuring Rich Markdown means rendering it,
and the stage should not wait for that), drawn again when the theme changes (inline code
and code blocks are coloured for a dark or a light background), and scrolled to a
scene's marker when the stage moves to that scene.
"""

from __future__ import annotations

from textual.containers import ScrollableContainer, VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from tutor.lessons.model import Lesson
from tutor.ui.render.markdown import Code, Prose
from tutor.ui.render.prose import prose_parts
from tutor.visible import visible_text


class LessonProse(VerticalScroll):
    """The lesson's text, beside (or, when narrow, instead of) the stage."""

    def __init__(self, lesson: Lesson, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.lesson = lesson
        self._themed: list[tuple[Static, str | Code]] = []
        """The prose's Markdown and code widgets, drawn again when the theme changes."""

    async def fill(self) -> None:
        """Mount the lesson's parts: prose, code in boxes that scroll sideways, scene
        markers (`#scene-marker-N`)."""
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
        await self.mount_all(widgets)

    def redraw(self, dark: bool) -> None:
        """Draw the prose and code again for a dark or a light background."""
        for widget, part in self._themed:
            widget.update(part.view(dark) if isinstance(part, Code) else Prose(part, dark))

    def scroll_to_scene(self, index: int, animate: bool) -> bool:
        """Bring scene `index`'s marker to the top (after the next refresh); False when
        the marker is not mounted yet."""
        markers = list(self.query(f"#scene-marker-{index}"))
        for marker in markers:
            self.call_after_refresh(lambda marker=marker: marker.scroll_visible(
                top=True, animate=animate))
        return bool(markers)
