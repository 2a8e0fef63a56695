"""Timing helpers shared by the benchmarks: interleaved rounds, medians, ratio lines."""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable


def best_of_rounds(run: Callable[[], object], rounds: int) -> list[float]:
    """Seconds for each of `rounds` calls of `run`."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return times


async def async_rounds(run: Callable[[], Awaitable[object]], rounds: int) -> list[float]:
    """Seconds for each of `rounds` awaits of `run()`."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        await run()
        times.append(time.perf_counter() - start)
    return times


def report(name: str, ours: list[float], baseline: list[float], per: int, target: float) -> bool:
    """Print one ratio line (medians, since the machine is shared and noisy)."""
    ours_m, base_m = statistics.median(ours), statistics.median(baseline)
    ratio = ours_m / base_m
    verdict = "ok" if ratio <= target else "OVER TARGET"
    print(
        f"{name:<44} ours {ours_m / per * 1e6:8.1f} µs  baseline {base_m / per * 1e6:8.1f} µs"
        f"  ratio {ratio:5.2f}x  (target ≤ {target}x: {verdict})"
    )
    return ratio <= target
