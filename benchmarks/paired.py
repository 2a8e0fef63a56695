"""Paired rounds for the server benchmarks: every side runs once per round, in an order
that rotates from round to round, and each ratio is taken within a round.

On a shared, noisy machine a burst of load then hits every side of a comparison alike;
the median of the per-round ratios, with its spread (lowest and highest), is what is
printed.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence


def alternate(sides: Sequence[Callable[[], float]], rounds: int, warmup: int = 1) -> (
    list[list[float]]
):
    """Run each side once per round (rotating who goes first); each call returns its own
    measurement. The first `warmup` rounds are thrown away. Result: per side, per round."""
    results: list[list[float]] = [[] for _ in sides]
    for number in range(warmup + rounds):
        shift = number % len(sides)
        for index in [*range(shift, len(sides)), *range(shift)]:
            value = sides[index]()
            if number >= warmup:
                results[index].append(value)
    return results


def ratio_line(name: str, ours: list[float], baseline: list[float], unit: str,
               target: float, higher_is_better: bool = False) -> bool:
    """Print medians and the median per-round ratio with its spread; True if on target.

    `higher_is_better` is for throughputs (req/s), where the goal is a ratio of at least
    `target`; otherwise (times) it is at most `target`."""
    ratios = [o / b for o, b in zip(ours, baseline, strict=True)]
    ratio = statistics.median(ratios)
    ok = ratio >= target if higher_is_better else ratio <= target
    sign = "≥" if higher_is_better else "≤"
    print(
        f"{name:<52} ours {statistics.median(ours):9.1f} {unit}  baseline "
        f"{statistics.median(baseline):9.1f} {unit}  ratio {ratio:5.2f}x "
        f"[{min(ratios):.2f}–{max(ratios):.2f}]  (target {sign} {target}x: "
        f"{'ok' if ok else 'MISSED'})",
        flush=True,
    )
    return ok
