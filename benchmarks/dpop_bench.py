"""What DPoP costs: the proof check against raw PyJWT, and a DPoP request against a bearer one.

    python -m benchmarks.dpop_bench [--rounds 15] [--batch 200]

1. `ProofChecker.check` on fresh proofs (every RFC 9449 §4.3 check, the thumbprint and
   the once-only `jti`) against the least any checker must do with PyJWT: read the
   header, build the key from its `jwk`, verify the ES256 signature.
2. `GET /profile` on a DPoP server (token signature, then the proof) against the same
   request with a bearer token on a server without DPoP, both in process through httpx.

Proofs are signed before timing: signing is the client's cost, not the server's. Each
side runs once per round, the order rotating; medians and spreads of per-round ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable

import jwt

from benchmarks.paired import alternate, ratio_line
from tutor.browser.webcrypto import PageKey, dpop_proof
from tutor.clock import SimulatedClock
from tutor.server.cluster import MockServer
from tutor.server.config import ServerConfig
from tutor.server.dpop import ProofChecker
from tutor.server.state import AuthStore

URL = "http://tutor.local/profile"
ALICE = {"username": "alice", "password": "wonderland"}


def _proofs(key: PageKey, count: int, now: float, token: str | None = None) -> list[str]:
    return [dpop_proof(key, "GET", URL, now, token) for _ in range(count)]


def check_sides(batch: int) -> tuple[Callable[[], float], Callable[[], float]]:
    """Microseconds per proof: ours, and raw PyJWT verifying the same proofs."""
    clock, key = SimulatedClock(), PageKey()
    checker = ProofChecker(clock, leeway=0)

    def ours() -> float:
        proofs, store = _proofs(key, batch, clock.now()), AuthStore()
        start = time.perf_counter()
        for proof in proofs:
            checker.check([proof], "GET", URL, store)
        return (time.perf_counter() - start) / batch * 1e6

    def raw() -> float:
        proofs = _proofs(key, batch, clock.now())
        start = time.perf_counter()
        for proof in proofs:
            header = jwt.get_unverified_header(proof)
            jwt.decode(proof, jwt.PyJWK(header["jwk"]).key, algorithms=["ES256"],
                       options={"verify_iat": False})
        return (time.perf_counter() - start) / batch * 1e6

    return ours, raw


def request_sides(batch: int) -> tuple[Callable[[], float], Callable[[], float]]:
    """Microseconds per GET /profile: with DPoP, and with a bearer token."""
    clock, key = SimulatedClock(), PageKey()
    dpop_server = MockServer(ServerConfig(mode="jwt", dpop=True, scrypt_cost=1024), clock)
    bearer_server = MockServer(ServerConfig(mode="jwt", scrypt_cost=1024), clock)
    loop = asyncio.new_event_loop()

    async def login(server: MockServer, headers: dict[str, str]) -> str:
        async with server.client() as http:
            response = await http.post("/login", json=ALICE, headers=headers)
            token: str = response.json()["access_token"]
            return token

    login_proof = dpop_proof(key, "POST", "http://tutor.local/login", clock.now())
    dpop_token = loop.run_until_complete(login(dpop_server, {"DPoP": login_proof}))
    bearer_token = loop.run_until_complete(login(bearer_server, {}))

    async def timed(server: MockServer, headers: list[dict[str, str]]) -> float:
        async with server.client() as http:
            start = time.perf_counter()
            for each in headers:
                response = await http.get("/profile", headers=each)
                assert response.status_code == 200, response.text
            return (time.perf_counter() - start) / len(headers) * 1e6

    def ours() -> float:
        headers = [{"Authorization": f"DPoP {dpop_token}", "DPoP": proof}
                   for proof in _proofs(key, batch, clock.now(), dpop_token)]
        return loop.run_until_complete(timed(dpop_server, headers))

    def baseline() -> float:
        headers = [{"Authorization": f"Bearer {bearer_token}"}] * batch
        return loop.run_until_complete(timed(bearer_server, headers))

    return ours, baseline


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--batch", type=int, default=200)
    args = parser.parse_args()
    ours, raw = check_sides(args.batch)
    [mine, base] = alternate([ours, raw], args.rounds)
    ratio_line("DPoP proof check vs raw PyJWT ES256 verify", mine, base, "µs", 1.5)
    ours, baseline = request_sides(args.batch)
    [mine, base] = alternate([ours, baseline], args.rounds)
    ratio_line("GET /profile with DPoP vs with a bearer token", mine, base, "µs", 3.0)


if __name__ == "__main__":
    main()
