"""`tutor serve` over real keep-alive connections, printed as ratios against baselines
measured in the same run (paired rounds whose order rotates; medians and spread).

    python -m benchmarks.serve_bench [--rounds N] [--requests N] [--check]

Every server is its own process on a loopback port (port 0), on uvicorn with the
settings `tutor serve` uses; the client is http.client on one kept-alive connection per
server, GET /profile with a credential, each answer read in full before the next.

1. `tutor serve --mode cookie` itself (printing its access log, read by a thread as a
   terminal would) against a bare Starlette app. Target ≥ 0.8×. And the access log's
   cost: the same with `--quiet` as the baseline. Target ≥ 0.8×.
2. The same server (`benchmarks/serve_child.py`) with 10k and 100k live sessions in its
   store against itself fresh; in jwt mode with 100k issued and 100k denylisted access
   tokens. Target ≥ 0.8× at 100k.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from benchmarks.paired import alternate, ratio_line

STARTUP_BOUND = 300.0
"""Seconds a server may take to print its address (filling 100k rows on a busy box)."""


@dataclass
class Target:
    """A running server and how to ask it for /profile."""

    name: str
    process: subprocess.Popen[str]
    host: str
    port: int
    header: tuple[str, str]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["NO_PROXY"] = env["no_proxy"] = "*"
    return env


def _read_until(process: subprocess.Popen[str], wanted: Callable[[str], bool]) -> list[str]:
    """Lines printed until one satisfies `wanted` (the server is then listening)."""
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + STARTUP_BOUND
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"server exited ({process.poll()}) after printing {lines}")
        lines.append(line.rstrip("\n"))
        if wanted(lines[-1]):
            return lines
    raise RuntimeError(f"server printed no address within {STARTUP_BOUND:.0f}s: {lines}")


def _start(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", *args], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env=_env())


def _address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    assert parts.hostname is not None and parts.port is not None
    return parts.hostname, parts.port


def start_child(name: str, *args: str) -> Target:
    """`benchmarks.serve_child ARGS`: prints URL and CREDENTIAL, then serves."""
    process = _start(["benchmarks.serve_child", *args])
    lines = _read_until(process, lambda line: line.startswith("CREDENTIAL "))
    url = next(line.split(" ", 1)[1] for line in lines if line.startswith("URL "))
    name_value = lines[-1].split(" ", 1)[1].split(": ", 1)
    return Target(name, process, *_address(url), (name_value[0], name_value[1]))


def start_tutor_serve(quiet: bool = False) -> Target:
    """`tutor serve --port 0 --mode cookie [--quiet]`, logged in as alice over the socket;
    its access log is read and dropped by a thread, so the pipe never fills."""
    process = _start(["tutor", "serve", "--port", "0", "--mode", "cookie",
                      *(["--quiet"] if quiet else [])])
    lines = _read_until(process, lambda line: line == "Press Ctrl+C to stop.")
    assert process.stdout is not None
    threading.Thread(target=process.stdout.read, name="drain", daemon=True).start()
    url = lines[0].rsplit(" ", 1)[1]
    host, port = _address(url)
    connection = http.client.HTTPConnection(host, port, timeout=STARTUP_BOUND)
    # The first answer waits for the server to finish hashing the demo passwords.
    connection.request("POST", "/login", body='{"username":"alice","password":"wonderland"}',
                       headers={"Content-Type": "application/json", "Origin": url})
    response = connection.getresponse()
    response.read()
    assert response.status == 200, response.status
    sid = response.getheader("set-cookie", "").split(";")[0]
    connection.close()
    return Target("tutor serve" + (" --quiet" if quiet else ""), process, host, port,
                  ("Cookie", sid))


def requests_per_second(target: Target, count: int) -> Callable[[], float]:
    """A side for `alternate`: `count` kept-alive GET /profile on one connection."""
    connection = http.client.HTTPConnection(target.host, target.port, timeout=STARTUP_BOUND)
    headers = dict([target.header])

    def one() -> None:
        connection.request("GET", "/profile", headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{target.name}: /profile answered {response.status}")
        if response.will_close:
            raise RuntimeError(f"{target.name} closed the kept-alive connection")

    def run() -> float:
        # uvicorn drops a connection idle for 5 s (while the other servers ran): open a
        # new one and make its first request outside the timing.
        connection.close()
        one()
        start = time.perf_counter()
        for _ in range(count):
            one()
        return count / (time.perf_counter() - start)

    return run


@contextlib.contextmanager
def servers(starts: list[Callable[[], Target]]) -> Iterator[list[Target]]:
    """Start every server (they fill their stores side by side); stop them all after."""
    started: list[Target] = []
    try:
        for start in starts:
            started.append(start())
            print(f"  started {started[-1].name} on port {started[-1].port}", flush=True)
        yield started
    finally:
        for target in started:
            target.process.terminate()
        for target in started:
            try:
                target.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                target.process.kill()
                target.process.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--requests", type=int, default=300, help="per side per round")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    starts: list[Callable[[], Target]] = [
        lambda: start_child("bare Starlette", "bare"),
        start_tutor_serve,
        lambda: start_tutor_serve(quiet=True),
        lambda: start_child("cookie, fresh", "tutor", "--mode", "cookie"),
        lambda: start_child("cookie, 10k sessions", "tutor", "--mode", "cookie",
                            "--live", "10000"),
        lambda: start_child("cookie, 100k sessions", "tutor", "--mode", "cookie",
                            "--live", "100000"),
        lambda: start_child("jwt, fresh", "tutor", "--mode", "jwt"),
        lambda: start_child("jwt, 100k tokens", "tutor", "--mode", "jwt",
                            "--live", "100000"),
    ]
    with servers(starts) as targets:
        sides = [requests_per_second(target, args.requests) for target in targets]
        bare, served, quiet, fresh, ten_k, hundred_k, jwt_fresh, jwt_100k = alternate(
            sides, args.rounds)
    results = [
        ratio_line("tutor serve vs bare Starlette, keep-alive", served, bare, "req/s",
                   0.8, higher_is_better=True),
        ratio_line("tutor serve: access log on vs --quiet", served, quiet, "req/s", 0.8,
                   higher_is_better=True),
        ratio_line("cookie: 10k live sessions vs fresh", ten_k, fresh, "req/s", 0.8,
                   higher_is_better=True),
        ratio_line("cookie: 100k live sessions vs fresh", hundred_k, fresh, "req/s", 0.8,
                   higher_is_better=True),
        ratio_line("jwt: 100k issued + 100k denylisted tokens vs fresh", jwt_100k, jwt_fresh,
                   "req/s", 0.8, higher_is_better=True),
    ]
    ratio_line("(the benchmark's server vs tutor serve, both fresh)", fresh, served, "req/s",
               0.8, higher_is_better=True)
    return 0 if all(results) or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
