"""The scene engine: scenes as data, run step by step against the in-process world.

No Textual import here (a test enforces it): the UI only listens to the events.
"""

from __future__ import annotations

from tutor.scenes.engine import SceneEngine, StepRecord, login_steps_of
from tutor.scenes.model import Scene, SceneError, Step, parse_scene

__all__ = ["Scene", "SceneEngine", "SceneError", "Step", "StepRecord", "login_steps_of",
           "parse_scene"]
