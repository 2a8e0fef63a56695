"""The lesson's prose cut into the parts the player shows: text, scene markers, quiz teasers."""

from __future__ import annotations

import re

from tutor.lessons.model import Lesson, Prose, QuizBlock, SceneBlock
from tutor.ui.render.markdown import Code, split_code

_HINTS_SECTION = re.compile(r"^## Hints\s*$.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)


def scene_heading(index: int, block: SceneBlock) -> str:
    """The heading that marks a scene's place in the prose."""
    title = block.scene.title or block.id
    return f"Scene {index + 1}: {title}"


def prose_parts(lesson: Lesson) -> list[tuple[str, str | Code]]:
    """The lesson as (kind, markdown) parts: prose, a scene marker, a quiz teaser, or
    ("code", Code): a code block, shown whole in a box that scrolls sideways.

    Each part becomes one Static rendering Rich Markdown: far fewer widgets than
    Textual's Markdown (one per block), which made opening a lesson take most of a second.
    """
    parts: list[tuple[str, str | Code]] = []
    scene_number = 0
    for segment in lesson.segments:
        if isinstance(segment, Prose):
            text = _HINTS_SECTION.sub("", segment.markdown).strip("\n")
            for part in split_code(text) if text.strip() else []:
                parts.append(("code", part) if isinstance(part, Code) else ("prose", part))
        elif isinstance(segment, SceneBlock):
            parts.append(("scene", f"▶ {scene_heading(scene_number, segment)}  "
                          "(on the stage: n takes the next step)"))
            scene_number += 1
        elif isinstance(segment, QuizBlock):
            question = segment.spec.question
            first = not any(kind == "quiz" for kind, _ in parts)
            how = "  \n> *Press Q to take the lesson's quiz.*" if first else ""
            parts.append(("quiz", f"> **Quiz:** {question}{how}"))
    return parts
