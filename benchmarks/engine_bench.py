"""Scene-engine benchmarks, printed as ratios against a baseline measured in the same run.

    python -m benchmarks.engine_bench [--rounds N] [--check]

1. Request path: a `request` step (GET /profile, session cookie attached by the simulated
   browser) run by the scene engine, versus a bare httpx.AsyncClient(ASGITransport)
   round trip to a minimal Starlette app. Target ≤ 1.5×. The browser alone (fetch through
   the cookie jar, no engine) is printed too, to show where time goes.
2. Time travel: a 20-step scene stepped backward and forward 1,000 times; time per step.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import Any

import httpx

from benchmarks.common import report
from benchmarks.server_bench import bare_app
from tutor.scenes import SceneEngine, parse_scene

STEPS_PER_ROUND = 100
TRAVEL_SWEEPS = 1000


def _scene(requests: int) -> dict[str, Any]:
    steps: list[dict[str, Any]] = [{"login": {}}]
    steps += [{"request": "/profile", "expect": {"status": 200}} for _ in range(requests)]
    return {"server": {"mode": "cookie", "scrypt_cost": 1024}, "steps": steps}


async def request_path(rounds: int) -> bool:
    """Engine steps and bare requests, interleaved round by round."""
    bare = httpx.AsyncClient(transport=httpx.ASGITransport(app=bare_app()), base_url="http://b")
    engine_times: list[float] = []
    browser_times: list[float] = []
    bare_times: list[float] = []
    for round_number in range(rounds + 1):
        engine = SceneEngine(parse_scene(_scene(STEPS_PER_ROUND)))
        await engine.forward()  # log in first, outside the timing
        start = time.perf_counter()
        while not engine.at_end:
            record = await engine.forward()
        engine_times.append(time.perf_counter() - start)
        assert record.passed, record.failures
        browser = engine.world.browser("user")
        start = time.perf_counter()
        for _ in range(STEPS_PER_ROUND):
            await browser.fetch("https://bank.test/profile")
        browser_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        for _ in range(STEPS_PER_ROUND):
            await bare.get("/profile")
        bare_times.append(time.perf_counter() - start)
        if round_number == 0:  # warm-up only
            engine_times.clear()
            browser_times.clear()
            bare_times.clear()
    await bare.aclose()
    report("browser fetch (jar + server), no engine", browser_times, bare_times,
           STEPS_PER_ROUND, 1.5)
    return report("scene engine request step (engine+browser+server)", engine_times,
                  bare_times, STEPS_PER_ROUND, 1.5)


async def time_travel() -> None:
    """Step a 20-step scene all the way back and forward, many times."""
    engine = SceneEngine(parse_scene(_scene(19)))
    await engine.run_all()
    start = time.perf_counter()
    for _ in range(TRAVEL_SWEEPS):
        await engine.goto(0)
        await engine.goto(len(engine.scene.steps))
    elapsed = time.perf_counter() - start
    moves = TRAVEL_SWEEPS * 2 * len(engine.scene.steps)
    print(f"{'time travel, 20-step scene':<44} {moves} single steps, "
          f"{elapsed / moves * 1e6:8.1f} µs per step")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    ok = asyncio.run(request_path(args.rounds))
    asyncio.run(time_travel())
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
