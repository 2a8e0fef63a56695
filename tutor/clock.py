"""Clocks: every time the server or a scene reads comes from one of these.

Scenes and tests use `SimulatedClock`, so expiry is exact and nothing ever sleeps.
`tutor serve` uses `SystemClock`, so a real browser sees real time pass.
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """Anything that can tell the current Unix time in whole or fractional seconds."""

    def now(self) -> float:
        """The current Unix time."""
        ...


class SystemClock:
    """The machine's wall clock."""

    def now(self) -> float:
        """The current Unix time, from the operating system."""
        return time.time()


# 2026-01-01T00:00:00Z: a fixed, readable starting point for every simulated scene.
DEFAULT_EPOCH = 1_767_225_600


class SimulatedClock:
    """A clock that moves only when told to, so expiry can be shown to the second."""

    def __init__(self, start: float = DEFAULT_EPOCH) -> None:
        self._now = float(start)

    def now(self) -> float:
        """The simulated current Unix time."""
        return self._now

    def advance(self, seconds: float) -> None:
        """Move time forward; time never runs backward except through `set`."""
        if seconds < 0:
            raise ValueError(f"cannot advance the clock by a negative amount ({seconds}s)")
        self._now += seconds

    def set(self, when: float) -> None:
        """Jump to an exact moment (used to restore snapshots when stepping backward)."""
        self._now = float(when)


class OffsetClock:
    """Another clock's time, off by a fixed number of seconds: a machine whose clock is
    wrong (NTP not running, a VM resumed from sleep). Moves when the clock under it moves."""

    def __init__(self, base: Clock, offset: float) -> None:
        self.base = base
        self.offset = float(offset)
        """Seconds this clock is ahead of `base` (negative: behind)."""

    def now(self) -> float:
        """`base`'s time plus the offset."""
        return self.base.now() + self.offset
