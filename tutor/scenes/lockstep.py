"""`Lockstep`: the tracks of one scene block, stepped together.

A scene block may show the same story side by side (cookie mode beside jwt mode, say),
one `SceneEngine` per track. The first track leads; the others follow its position as
far as their own steps go, so a shorter track waits at its end instead of failing.
"""

from __future__ import annotations

from collections.abc import Iterable

from tutor.scenes.engine import SceneEngine
from tutor.scenes.model import Scene


class Lockstep:
    """Several scene engines moved as one; the first is the lead."""

    def __init__(self, scenes: Iterable[Scene]) -> None:
        self.engines = [SceneEngine(scene) for scene in scenes]

    @property
    def lead(self) -> SceneEngine | None:
        """The first track, whose position the others follow (None: no tracks)."""
        return self.engines[0] if self.engines else None

    @property
    def position(self) -> int:
        """How many of the lead's steps are applied."""
        return self.lead.position if self.lead else 0

    @property
    def at_end(self) -> bool:
        """True when the lead has applied every step (or there is no track)."""
        return self.lead.at_end if self.lead else True

    async def forward(self) -> bool:
        """Every track one step on (replayed if it ran before); False at the end."""
        if self.at_end:
            return False
        await self.goto(self.position + 1)
        return True

    def back(self) -> bool:
        """Every track one step back, exactly; False at the start."""
        if self.position == 0:
            return False
        target = self.position - 1
        for engine in self.engines:
            while engine.position > target:
                engine.back()
        return True

    def restart(self) -> None:
        """Every track back to its start (nothing forgotten)."""
        for engine in self.engines:
            engine.restart()

    async def goto(self, position: int) -> None:
        """Every track to `position`, or its own end when it has fewer steps."""
        for engine in self.engines:
            await engine.goto(max(0, min(position, len(engine.scene.steps))))
