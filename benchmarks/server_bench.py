"""Server benchmarks, in process, printed as ratios against baselines measured in the same
run (paired rounds whose order rotates, a warm-up round thrown away, medians and spread).

    python -m benchmarks.server_bench [--rounds N] [--check]

1. Request path, GET /profile with a credential, against the smallest Starlette app that
   answers it, two ways: the ASGI app called directly (a minimal scope, receive and send:
   what tutor's own handling costs; target ≤ 1.5×), and through httpx's in-process
   transport (what scenes pay; the transport's ~300 µs sits on both sides).
2. JWT request path with a token the server has never seen (no cache hit), against a
   bare app that runs jwt.decode with the same key and the same required claims. Target
   ≤ 1.5×.
3. JWT verification (TokenService.verify, uncached) for every algorithm (HS256, RS256,
   PS256, ES256, EdDSA) against raw jwt.decode with the same
   key object, required claims, audience, issuer and time checks. Target ≤ 1.1×.

`benchmarks/serve_bench.py` measures `tutor serve` over real sockets.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message

from benchmarks.paired import alternate, ratio_line
from tutor.clock import SystemClock
from tutor.server import MockServer, ServerConfig
from tutor.server.config import ALGORITHMS
from tutor.server.tokens import REQUIRED_CLAIMS

REQUESTS_PER_ROUND = 300
VERIFIES_PER_ROUND = 2000
HOST = b"tutor.local"


async def _bare_profile(request: Request) -> JSONResponse:
    return JSONResponse({"username": "alice", "role": "reader"})


def bare_app() -> Starlette:
    """The baseline: the smallest Starlette app that answers GET /profile."""
    return Starlette(routes=[Route("/profile", _bare_profile)])


def bare_jwt_app(server: MockServer) -> Starlette:
    """A bare app that verifies the bearer token with raw PyJWT, requiring what tutor
    requires (claims, audience, issuer, exp and iat), and answers like /profile."""
    key, config = server.keys.verifying_key, server.config

    async def profile(request: Request) -> JSONResponse:
        token = request.headers["authorization"].partition(" ")[2]
        claims = jwt.decode(token, key, algorithms=[config.algorithm], audience=config.audience,
                            issuer=config.issuer, options={"require": REQUIRED_CLAIMS})
        return JSONResponse({"username": claims["sub"], "role": claims["role"]})

    return Starlette(routes=[Route("/profile", profile)])


async def call_direct(app: ASGIApp, path: str, headers: list[tuple[bytes, bytes]]) -> int:
    """One request handed straight to an ASGI app (no client, no transport): the status."""
    status = 0

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope = {
        "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1", "method": "GET", "scheme": "http", "path": path,
        "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "headers": [(b"host", HOST), *headers], "client": ("127.0.0.1", 50000),
        "server": ("tutor.local", 80),
    }
    await app(scope, receive, send)
    return status


def _timed(loop: asyncio.AbstractEventLoop, run: Callable[[], Awaitable[Any]]) -> (
    Callable[[], float]
):
    """A side for `alternate`: seconds per request of REQUESTS_PER_ROUND calls of `run`."""

    async def rounds() -> float:
        start = time.perf_counter()
        for _ in range(REQUESTS_PER_ROUND):
            await run()
        return (time.perf_counter() - start) / REQUESTS_PER_ROUND * 1e6

    return lambda: loop.run_until_complete(rounds())


def _server(mode: str) -> MockServer:
    # The real clock: tokens then pass raw PyJWT's own exp and iat checks too.
    return MockServer(ServerConfig(mode=mode, scrypt_cost=2**10), SystemClock(),
                      event_log_limit=1000)


def request_path(mode: str, rounds: int) -> bool:
    """GET /profile with a credential: tutor against the bare app, direct and via httpx."""
    loop = asyncio.new_event_loop()
    server = _server(mode)
    ours = server.client()
    bare = bare_app()
    bare_client = httpx.AsyncClient(transport=httpx.ASGITransport(app=bare),
                                    base_url="http://b")
    login = loop.run_until_complete(
        ours.post("/login", json={"username": "alice", "password": "wonderland"}))
    if mode == "jwt":
        header = ("authorization", f"Bearer {login.json()['access_token']}")
    else:
        # A plain header on both sides keeps httpx's own cookie jar out of the measure.
        header = ("cookie", "; ".join(f"{k}={v}" for k, v in ours.cookies.items()))
        ours.cookies.clear()
    raw = [(header[0].encode(), header[1].encode())]
    headers = dict([header])

    async def ours_direct() -> None:
        assert await call_direct(server.app, "/profile", raw) == 200

    sides = [
        _timed(loop, ours_direct),
        _timed(loop, lambda: call_direct(bare, "/profile", raw)),
        _timed(loop, lambda: ours.get("/profile", headers=headers)),
        _timed(loop, lambda: bare_client.get("/profile", headers=headers)),
    ]
    direct, bare_direct, via, bare_via = alternate(sides, rounds)
    loop.run_until_complete(ours.aclose())
    loop.run_until_complete(bare_client.aclose())
    loop.close()
    ok = ratio_line(f"{mode}: GET /profile, ASGI app called directly", direct, bare_direct,
                    "µs", 1.5)
    ratio_line(f"{mode}: GET /profile, through httpx ASGITransport", via, bare_via, "µs", 1.5)
    return ok


def jwt_request_uncached(rounds: int) -> bool:
    """GET /profile with tokens the server has never verified, against raw PyJWT."""
    loop = asyncio.new_event_loop()
    server = _server("jwt")
    tokens = server.replicas[0].context.tokens
    bare = bare_jwt_app(server)

    def side(app: ASGIApp) -> Callable[[], float]:
        def run() -> float:
            # Fresh tokens every round (minted outside the timing): never a cache hit.
            fresh = [tokens.mint("access", "alice", "family", {"role": "reader"}).token
                     for _ in range(REQUESTS_PER_ROUND)]
            headers = iter([[(b"authorization", f"Bearer {t}".encode())] for t in fresh])

            async def one() -> None:
                assert await call_direct(app, "/profile", next(headers)) == 200

            return _timed(loop, one)()
        return run

    ours, raw = alternate([side(server.app), side(bare)], rounds)
    loop.close()
    return ratio_line("jwt: GET /profile, new token each request (direct)", ours, raw,
                      "µs", 1.5)


def jwt_verify(algorithm: str, rounds: int) -> bool:
    """TokenService.verify_uncached against jwt.decode with the same checks."""
    server = MockServer(ServerConfig(mode="jwt", algorithm=algorithm, scrypt_cost=2**10),  # type: ignore[arg-type]
                        SystemClock())
    context = server.replicas[0].context
    token = context.tokens.mint("access", "alice", "family", {"role": "reader"}).token
    key, config = server.keys.verifying_key, server.config

    def ours() -> float:
        start = time.perf_counter()
        for _ in range(VERIFIES_PER_ROUND):
            context.tokens.verify_uncached(token, "access")
        return (time.perf_counter() - start) / VERIFIES_PER_ROUND * 1e6

    def raw() -> float:
        start = time.perf_counter()
        for _ in range(VERIFIES_PER_ROUND):
            jwt.decode(token, key, algorithms=[algorithm], audience=config.audience,
                       issuer=config.issuer, options={"require": REQUIRED_CLAIMS})
        return (time.perf_counter() - start) / VERIFIES_PER_ROUND * 1e6

    ours_times, raw_times = alternate([ours, raw], rounds)
    return ratio_line(f"JWT verify (uncached), {algorithm}", ours_times, raw_times, "µs", 1.1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--verify-only", action="store_true",
                        help="only JWT verification, per algorithm, against raw PyJWT")
    args = parser.parse_args()
    results: list[bool] = []
    if not args.verify_only:
        results += [request_path(mode, args.rounds)
                    for mode in ("cookie", "signed-cookie", "jwt")]
        results.append(jwt_request_uncached(args.rounds))
    results += [jwt_verify(alg, args.rounds) for alg in ALGORITHMS]
    return 0 if all(results) or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
