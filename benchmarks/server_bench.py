"""Server benchmarks, printed as ratios against baselines measured in the same run.

    python -m benchmarks.server_bench [--rounds N] [--check]

1. Request path: GET /profile with a credential through the mock server, versus a bare
   httpx.AsyncClient(ASGITransport) round trip to a minimal Starlette app. Target ≤ 1.5×.
2. JWT verification in the server (TokenService.verify) versus raw jwt.decode with the
   same key object and the same checks. Target ≤ 1.1×.
Rounds of both sides are interleaved, and medians compared, so machine noise hits both.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

import httpx
import jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from benchmarks.common import report
from tutor.clock import SimulatedClock
from tutor.server import MockServer, ServerConfig

REQUESTS_PER_ROUND = 200
VERIFIES_PER_ROUND = 2000


async def _bare_profile(request: Request) -> JSONResponse:
    return JSONResponse({"username": "alice", "role": "reader"})


def bare_app() -> Starlette:
    """The baseline: the smallest Starlette app that answers GET /profile."""
    return Starlette(routes=[Route("/profile", _bare_profile)])


async def request_path(mode: str, rounds: int) -> bool:
    """Interleave rounds of mock-server and bare-app requests."""
    server = MockServer(ServerConfig(mode=mode, scrypt_cost=2**10), SimulatedClock())
    ours = server.client()
    bare = httpx.AsyncClient(transport=httpx.ASGITransport(app=bare_app()), base_url="http://b")
    headers: dict[str, str] = {}
    login = await ours.post("/login", json={"username": "alice", "password": "wonderland"})
    if mode == "jwt":
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    else:
        # Send the cookie as a plain header on both sides: this measures the server, and
        # keeps httpx's own cookie jar (not ours; the simulated browser has its own) out.
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in ours.cookies.items())}
        ours.cookies.clear()
    ours_times: list[float] = []
    bare_times: list[float] = []
    loop = asyncio.get_running_loop()
    for round_number in range(rounds + 1):
        start = loop.time()
        for _ in range(REQUESTS_PER_ROUND):
            response = await ours.get("/profile", headers=headers)
        ours_times.append(loop.time() - start)
        assert response.status_code == 200, response.text
        start = loop.time()
        for _ in range(REQUESTS_PER_ROUND):
            await bare.get("/profile", headers=headers)
        bare_times.append(loop.time() - start)
        if round_number == 0:  # the first round only warms both sides up
            ours_times.clear()
            bare_times.clear()
    await ours.aclose()
    await bare.aclose()
    return report(f"request path, {mode} mode (GET /profile)", ours_times, bare_times,
                  REQUESTS_PER_ROUND, 1.5)


def jwt_verify(algorithm: str, rounds: int) -> bool:
    """TokenService.verify versus jwt.decode with the same key object."""
    import time

    clock = SimulatedClock()
    server = MockServer(ServerConfig(mode="jwt", algorithm=algorithm, scrypt_cost=2**10), clock)  # type: ignore[arg-type]
    context = server.replicas[0].context
    token = context.tokens.mint("access", "alice", "family", {"role": "reader"}).token
    key = server.keys.verifying_key
    config = server.config
    ours_times: list[float] = []
    raw_times: list[float] = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(VERIFIES_PER_ROUND):
            context.tokens.verify_uncached(token, "access")
        ours_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        for _ in range(VERIFIES_PER_ROUND):
            jwt.decode(token, key, algorithms=[algorithm], audience=config.audience,
                       issuer=config.issuer, options={"require": ["exp", "iat", "sub"],
                                                      "verify_exp": False, "verify_iat": False})
        raw_times.append(time.perf_counter() - start)
    name = f"JWT verify (uncached), {algorithm}"
    return report(name, ours_times, raw_times, VERIFIES_PER_ROUND, 1.1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    results = [asyncio.run(request_path(mode, args.rounds))
               for mode in ("cookie", "signed-cookie", "jwt")]
    results += [jwt_verify(alg, args.rounds) for alg in ("HS256", "RS256", "EdDSA")]
    return 0 if all(results) or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
