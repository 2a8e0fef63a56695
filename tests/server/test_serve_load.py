"""`tutor serve` under load and abuse, over real loopback sockets.

Fifty login cycles (log in, read the profile, log out) run at once while a client on
another loopback address guesses bob's password back to back, and while half-sent
requests, a body cut short and a forged Host header arrive. Every cycle must complete,
the guesser must be throttled after five tries (so its scrypt work stays bounded), the
server must still answer afterwards, and nothing may print a traceback.

The default run hashes at a cheaper scrypt cost (`--scrypt-cost`) to stay quick; the
long run (`-m long`) repeats it at the real cost, 2^17.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field

import httpx
import pytest

from tests.conftest import TEST_SCRYPT_COST
from tests.readiness import HANG_BOUND
from tests.server.helpers import ALICE, QUEEN, bearer
from tests.server.live import RunningServer, running_server
from tutor.server.throttle import FIRST_DELAY, FREE_ACCOUNT_FAILURES

CYCLES = 50
MAX_GUESSES = 5_000
"""A bound on the guesser's loop, far above what the cycles take."""
STALLED = 40
"""Half-sent requests held open during the run."""
GUESSER_ADDRESS = "127.0.0.2"
"""Another loopback address (all of 127/8 is loopback), so it is another client."""


@dataclass
class Figures:
    """What the run did, for assertions and for the report (`-s` prints it)."""

    cycles: list[list[int]] = field(default_factory=list)
    guesses: list[int] = field(default_factory=list)
    seconds: float = 0.0


async def _cycle(client: httpx.AsyncClient, who: dict[str, str]) -> list[int]:
    login = await client.post("/login", json=who)
    if login.status_code != 200:
        return [login.status_code]
    auth = bearer(login.json()["access_token"])
    profile = await client.get("/profile", headers=auth)
    logout = await client.post("/logout", headers=auth)
    return [login.status_code, profile.status_code, logout.status_code]


async def _guess(client: httpx.AsyncClient, statuses: list[int]) -> int:
    response = await client.post(
        "/login", json={"username": "bob", "password": f"guess-{len(statuses)}"})
    statuses.append(response.status_code)
    return response.status_code


async def _stall(host: str, port: int) -> asyncio.StreamWriter:
    _, writer = await asyncio.open_connection(host, port)
    writer.write(b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 50\r\n")
    await writer.drain()
    return writer


async def _abort_mid_body(host: str, port: int) -> None:
    _, writer = await asyncio.open_connection(host, port)
    writer.write(b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
                 b"\r\nContent-Length: 200\r\n\r\n{\"username\": \"al")
    await writer.drain()
    writer.close()
    await writer.wait_closed()


async def _run(server: RunningServer, timeout: float = HANG_BOUND) -> Figures:
    figures = Figures()
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    limits = httpx.Limits(max_connections=CYCLES + 10)
    users = httpx.AsyncClient(base_url=server.url, trust_env=False, timeout=timeout,
                              limits=limits)
    guesser = httpx.AsyncClient(
        base_url=server.url, trust_env=False, timeout=timeout,
        transport=httpx.AsyncHTTPTransport(local_address=GUESSER_ADDRESS))
    async with users, guesser:
        stalled = [await _stall(host, int(port)) for _ in range(STALLED)]
        # The guesser first runs into the lock, so the cycles start under attack.
        while await _guess(guesser, figures.guesses) != 429:
            assert len(figures.guesses) < MAX_GUESSES
        started = time.monotonic()
        cycles = asyncio.gather(*(_cycle(users, ALICE if i % 2 else QUEEN)
                                  for i in range(CYCLES)))
        await _abort_mid_body(host, int(port))
        forged = await users.get("/", headers={"Host": "attacker.test"})
        while not cycles.done() and len(figures.guesses) < MAX_GUESSES:
            await _guess(guesser, figures.guesses)
        figures.cycles = await cycles
        figures.seconds = time.monotonic() - started
        assert forged.status_code == 421
        assert (await users.get("/")).status_code == 200  # still up
        for writer in stalled:
            writer.close()
    return figures


def _check(server: RunningServer, figures: Figures) -> None:
    print(f"\n{CYCLES} login cycles in {figures.seconds:.2f} s with {STALLED} stalled "
          f"connections; guesser: {len(figures.guesses)} tries, "
          f"{figures.guesses.count(401)} checked, {figures.guesses.count(429)} throttled")
    assert figures.cycles == [[200, 200, 200]] * CYCLES
    # The free tries cost a hash; after them, one try each time a lock runs out (30 s,
    # then 60 s, ...), and every other try is refused before scrypt.
    assert figures.guesses[:FREE_ACCOUNT_FAILURES] == [401] * FREE_ACCOUNT_FAILURES
    later = figures.guesses[FREE_ACCOUNT_FAILURES:]
    assert later[0] == 429 and set(later) <= {401, 429}
    assert all(b == 429 for a, b in itertools.pairwise(later) if a == 401)
    assert later.count(401) <= 1 + figures.seconds // FIRST_DELAY
    errors = server.errors()
    assert "Traceback" not in errors and "Exception" not in errors, errors[-3000:]


@pytest.mark.slow
def test_fifty_login_cycles_complete_while_a_guesser_is_throttled() -> None:
    with running_server("jwt", "--scrypt-cost", str(TEST_SCRYPT_COST)) as server:
        _check(server, asyncio.run(_run(server)))


@pytest.mark.slow
@pytest.mark.long
def test_fifty_login_cycles_at_the_real_scrypt_cost() -> None:
    # Fifty hashes of most of a second each (seconds on a busy machine) on two workers:
    # the last login in the queue legitimately waits minutes, which is not a hang.
    with running_server("jwt") as server:
        _check(server, asyncio.run(_run(server, timeout=5 * HANG_BOUND)))
