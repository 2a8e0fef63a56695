"""The lines above the player's stage: the scene's title and place, and the narration of
the step just taken (with any expectation it failed), or what to press next."""

from __future__ import annotations

from rich.text import Text

from tutor.lessons.model import SceneBlock
from tutor.scenes.engine import SceneEngine
from tutor.scenes.sentences import step_words
from tutor.ui.render.prose import scene_heading


def scene_title(index: int, count: int, block: SceneBlock, engine: SceneEngine,
                speed: float) -> Text:
    """`Scene 2: … · scene 2 of 4 · step 1 of 3 · speed 1.0×`."""
    # Rich Text throughout, never markup: titles, narration and expectation details are
    # lesson text and server answers, which may hold square brackets.
    title = Text(scene_heading(index, block), style="bold")
    title.append(f"  ·  scene {index + 1} of {count}  ·  "
                 f"step {engine.position} of {len(engine.scene.steps)}  ·  "
                 f"speed {speed}×", style="")
    return title


def narration(engine: SceneEngine, last_scene: bool) -> Text:
    """What the last step did (and any expectation it failed), or how to begin; at the
    end, what comes next (the next scene, or the lesson's quiz)."""
    text = Text("Press n (or →) to take the first step.")
    if engine.position:
        step = engine.scene.steps[engine.position - 1]
        record = engine.records[engine.position - 1]
        text = Text(step_words(step))
        failed = [f"✗ {f.expectation.kind}: {f.detail}" for f in record.failures]
        if record.error:
            failed.append(f"✗ {record.error}")
        if failed:
            text.append("\n" + "\n".join(failed), style="red")
    elif engine.at_end:
        text = Text("This scene has no steps.")
    if engine.at_end and engine.position:
        if not last_scene:
            text.append("\nEnd of scene: ] for the next one, r to replay.", style="dim")
        else:
            text.append("\nEnd of the lesson's last scene: Q for its quiz, "
                        "r to replay.", style="dim")
    return text
