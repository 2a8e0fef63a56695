"""The scene engine: scenes as data, run step by step against the in-process world.

No Textual import here (a test enforces it): the UI only listens to the events. Exports
load lazily, so parsing a scene does not start the server machinery.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tutor.scenes.engine import SceneEngine, StepRecord
    from tutor.scenes.lockstep import Lockstep
    from tutor.scenes.model import Scene, SceneError, Step, parse_scene
    from tutor.scenes.recorder import Recorder, Recording, Timeline, login_steps_of

__all__ = ["Lockstep", "Recorder", "Recording", "Scene", "SceneEngine", "SceneError", "Step",
           "StepRecord", "Timeline", "login_steps_of", "parse_scene"]
_HOMES = {"SceneEngine": "engine", "StepRecord": "engine", "Lockstep": "lockstep",
          "Recorder": "recorder", "Recording": "recorder", "Timeline": "recorder",
          "login_steps_of": "recorder",
          "Scene": "model", "SceneError": "model", "Step": "model", "parse_scene": "model"}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        import importlib

        return getattr(importlib.import_module(f"tutor.scenes.{_HOMES[name]}"), name)
    raise AttributeError(f"module 'tutor.scenes' has no attribute {name!r}")
