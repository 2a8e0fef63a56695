"""A server process for `serve_bench`: a bare Starlette app, or tutor's mock server with
N live sessions or tokens already in its store, on uvicorn with `tutor serve`'s settings.

    python -m benchmarks.serve_child bare
    python -m benchmarks.serve_child tutor --mode cookie --live 100000

It binds a loopback port (port 0, the socket `tutor serve` makes), prints
`URL <url>` and `CREDENTIAL <header>: <value>`, then serves until terminated. The store
is filled through the server's own calls (`create_session`, `add_issued_access`,
`add_denylisted`): nothing in the product knows about this benchmark.
"""

from __future__ import annotations

import argparse
import sys

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp

from tutor import randomness
from tutor.cli.serve import base_url, bind, build_server
from tutor.server import ServerConfig
from tutor.server.backends.jwt import JwtBackend


async def _profile(request: Request) -> JSONResponse:
    return JSONResponse({"username": "alice", "role": "reader"})


def bare() -> tuple[ASGIApp, str]:
    """The baseline: the smallest Starlette app that answers GET /profile."""
    return Starlette(routes=[Route("/profile", _profile)]), "x-none: none"


def tutor(mode: str, live: int) -> tuple[ASGIApp, str]:
    """`tutor serve`'s server (real clock, bounded log) with `live` sessions (cookie mode)
    or `live` issued and `live` denylisted access tokens (jwt mode) in its store."""
    server = build_server(ServerConfig(mode=mode, scrypt_cost=2**10, denylist=mode == "jwt"))
    ctx = server.replicas[0].context
    now = int(ctx.clock.now())
    if mode == "jwt":
        ttl = server.config.access_token_ttl
        for _ in range(live):
            ctx.store.add_issued_access("bob", randomness.token_urlsafe(16), now + ttl)
            ctx.store.add_denylisted(randomness.token_urlsafe(16), now + ttl)
        token = JwtBackend(ctx).mint_pair(ctx.users.get("alice"))["access_token"]  # type: ignore[arg-type]
        return server.app, f"Authorization: Bearer {token}"
    for _ in range(live):
        ctx.create_session("bob")
    return server.app, f"Cookie: sid={ctx.create_session('alice').session_id}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("app", choices=["bare", "tutor"])
    parser.add_argument("--mode", default="cookie", choices=["cookie", "jwt"])
    parser.add_argument("--live", type=int, default=0)
    args = parser.parse_args()
    app, credential = bare() if args.app == "bare" else tutor(args.mode, args.live)
    sock = bind("127.0.0.1", 0, allow_remote=False)
    print(f"URL {base_url(sock)}\nCREDENTIAL {credential}", flush=True)
    # The settings `tutor serve` runs uvicorn with.
    uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off")).run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main())
