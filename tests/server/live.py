"""`tutor serve` as a real subprocess on a free loopback port, for tests that need a socket.

Waits are for readiness, not for a guessed time: the banner (printed as soon as the
socket listens), then the first answer (once the demo passwords are hashed). Each has a
generous bound only so that a real hang fails the test instead of the whole run, and
the process is always stopped in a `finally`.
"""

from __future__ import annotations

import contextlib
import os
import re
import select
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from tests.readiness import HANG_BOUND

STOP_LINE = "Press Ctrl+C to stop."
CURL_INTRO = "Try it with curl:"
URL_PATTERN = re.compile(r"listening on (https?://\S+)$")
CACERT_PATTERN = re.compile(r"--cacert (\S+)")


@dataclass
class RunningServer:
    """A `tutor serve` process and what it printed on start."""

    mode: str
    process: subprocess.Popen[bytes]
    banner: list[str]
    url: str
    stderr: IO[bytes] | None = None
    """What the server wrote to standard error so far (a temporary file)."""
    log: list[str] = field(default_factory=list)
    """Lines printed after the banner (the access log), read as they come."""
    _printed: threading.Condition = field(default_factory=threading.Condition)
    _ended: bool = False

    @property
    def cacert(self) -> Path | None:
        """The certificate an https server's curl commands trust (None over http)."""
        found = CACERT_PATTERN.search("\n".join(self.curl_lines))
        return Path(found.group(1)) if found else None

    def ssl_context(self) -> ssl.SSLContext | bool:
        """What an httpx client verifies this server with: its own certificate only."""
        cacert = self.cacert
        return ssl.create_default_context(cafile=str(cacert)) if cacert else True

    def wait_for_log(self, done: Callable[[list[str]], bool]) -> list[str]:
        """The access log once `done(lines)` holds (an AssertionError if it never does
        within HANG_BOUND, or the server exits first)."""
        with self._printed:
            self._printed.wait_for(lambda: done(self.log) or self._ended, timeout=HANG_BOUND)
            if not done(self.log):
                raise AssertionError(f"the access log never got there: {self.log}")
            return list(self.log)

    def output_after_exit(self) -> list[str]:
        """Everything printed after the banner, once the process has ended (the caller
        stops it): the whole log, with no line still on its way."""
        self.wait_for_log(lambda log: self._ended)
        return list(self.log)

    def _drain(self) -> None:
        """Read stdout to its end (so a chatty log never fills the pipe and blocks)."""
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        pending = b""
        while chunk := os.read(fd, 65536):
            *complete, pending = (pending + chunk).split(b"\n")
            with self._printed:
                self.log += [line.decode(errors="replace") for line in complete]
                self._printed.notify_all()
        self.process.stdout.close()  # this thread owns it once started (see _stop)
        with self._printed:
            self._ended = True
            self._printed.notify_all()  # exited: wake waiters so they fail now

    def errors(self) -> str:
        """Standard error's text up to now."""
        if self.stderr is None:
            return ""
        self.stderr.seek(0)
        return self.stderr.read().decode(errors="replace")

    @property
    def curl_lines(self) -> list[str]:
        """The indented commands under "Try it with curl:"."""
        start = self.banner.index(CURL_INTRO) + 1
        return [line.strip() for line in self.banner[start:] if line.startswith("  ")]


def no_proxy_env() -> dict[str, str]:
    """This environment without proxies, so clients talk to loopback directly."""
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["NO_PROXY"] = env["no_proxy"] = "*"
    return env


def _read_banner(process: subprocess.Popen[bytes], stderr: IO[bytes]) -> list[str]:
    """Lines printed up to STOP_LINE; an AssertionError if it exits first or hangs."""
    assert process.stdout is not None
    fd = process.stdout.fileno()
    lines: list[str] = []
    pending = b""
    deadline = time.monotonic() + HANG_BOUND
    while STOP_LINE not in lines:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(
                f"tutor serve hung: no complete banner after {HANG_BOUND:.0f}s; got {lines}"
            )
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(fd, 4096)
        if not chunk:
            stderr.seek(0)
            raise AssertionError(
                f"tutor serve exited ({process.poll()}) before its banner; stdout {lines}, "
                f"stderr {stderr.read().decode(errors='replace')[-2000:]}"
            )
        pending += chunk
        *complete, pending = pending.split(b"\n")
        lines += [line.decode() for line in complete]
    return lines


def _wait_until_answering(server: RunningServer, stderr: IO[bytes]) -> None:
    """Block until the server answers a first request: it holds requests until its demo
    accounts are hashed, so one GET is the readiness check."""
    url, process = server.url, server.process
    try:
        httpx.get(url + "/", timeout=HANG_BOUND, trust_env=False, verify=server.ssl_context())
    except httpx.HTTPError as exc:
        stderr.seek(0)
        raise AssertionError(
            f"tutor serve printed its banner but did not answer GET / ({exc!r}); exit "
            f"{process.poll()}, stderr {stderr.read().decode(errors='replace')[-2000:]}"
        ) from None


def _stop(process: subprocess.Popen[bytes], draining: set[int]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
    if process.stdout is not None and process.pid not in draining:
        process.stdout.close()


def _start(mode: str, extra_args: tuple[str, ...], stderr: IO[bytes],
           data_dir: Path | None) -> subprocess.Popen[bytes]:
    env = no_proxy_env()
    if data_dir is not None:
        env["TUTOR_DATA_DIR"] = str(data_dir)
    return subprocess.Popen(
        [sys.executable, "-m", "tutor", "serve", "--port", "0", "--mode", mode, *extra_args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=stderr,
        bufsize=0,
        env=env,
    )


@contextlib.contextmanager
def running_servers(*modes: str | tuple[str, ...], extra_args: tuple[str, ...] = (),
                    data_dir: Path | None = None) -> Iterator[list[RunningServer]]:
    """One `tutor serve --port 0 --mode MODE` per mode until the block ends, however it
    ends, each answering requests. They start side by side: each spends a second or more
    hashing the demo passwords. A mode may be a tuple `(mode, *its_own_args)`; with
    `data_dir`, the servers keep their files (the TLS certificate) there."""
    draining: set[int] = set()
    with contextlib.ExitStack() as stack:
        started = []
        for spec in modes:
            mode, *own_args = (spec,) if isinstance(spec, str) else spec
            stderr = stack.enter_context(tempfile.TemporaryFile())
            process = _start(mode, (*extra_args, *own_args), stderr, data_dir)
            stack.callback(_stop, process, draining)
            started.append((mode, process, stderr))
        servers = []
        for mode, process, stderr in started:
            banner = _read_banner(process, stderr)
            match = URL_PATTERN.search(banner[0])
            assert match is not None, banner[0]
            servers.append(RunningServer(mode, process, banner, match.group(1), stderr))
        for server in servers:
            draining.add(server.process.pid)
            threading.Thread(target=server._drain, name=f"drain-{server.mode}",
                             daemon=True).start()
        for server, (_, _, stderr) in zip(servers, started, strict=True):
            _wait_until_answering(server, stderr)
        yield servers


@contextlib.contextmanager
def running_server(mode: str, *extra_args: str, data_dir: Path | None = None) -> (
    Iterator[RunningServer]
):
    """`tutor serve --port 0 --mode MODE [EXTRA_ARGS]` until the block ends."""
    with running_servers(mode, extra_args=extra_args, data_dir=data_dir) as (server,):
        yield server
