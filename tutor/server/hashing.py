"""Where password hashing runs: inline (scenes, tests) or in a bounded thread pool (`tutor serve`).

scrypt at `tutor serve`'s cost takes most of a second and 128 MiB per hash. Run inside
an async route it stops the event loop for that long, so one client sending wrong
passwords back to back slowed every other request. In a pool, the loop keeps answering
while hashes run; the queue is bounded, so a flood of logins gets a quick `503` with
`Retry-After` instead of minutes of waiting; and a queued hash whose client has hung up
is dropped before it starts.

Scenes keep `InlineHashing`: their scrypt cost is low, and one thread keeps them as
repeatable as they were.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

from starlette.types import Message, Receive

T = TypeVar("T")

DEFAULT_WORKERS = 2
"""Hashes at once: each takes 128 MiB at `tutor serve`'s cost, so memory bounds this."""
DEFAULT_QUEUE = 64
"""Hashes waiting for a worker before new logins are turned away with 503."""


class HashingBusy(Exception):
    """The hashing queue is full: answer 503 and ask the client to come back later."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"password checks are queued up; retry in {retry_after} s")
        self.retry_after = retry_after
        """Whole seconds the client should wait (the `Retry-After` value)."""


class HashingStopped(Exception):
    """The server is stopping: a hash still queued was dropped and will not run."""


class ClientGone(Exception):
    """The client hung up while its password check waited: nobody is left to answer."""


class PasswordWork(Protocol):
    """Runs one password hash or check for a request."""

    async def run(self, work: Callable[[], T], receive: Receive | None = None) -> T:
        """The result of `work()`; `receive` lets a pool notice the client hanging up."""
        ...


class InlineHashing:
    """Hash on the calling thread: deterministic, for scenes and in-process tests."""

    async def run(self, work: Callable[[], T], receive: Receive | None = None) -> T:
        """Call `work` now."""
        return work()


class HashPool:
    """A few worker threads and a bounded queue (scrypt releases the GIL while it works)."""

    def __init__(self, workers: int = DEFAULT_WORKERS, queue: int = DEFAULT_QUEUE) -> None:
        if workers < 1 or queue < 0:
            raise ValueError("a hash pool needs at least one worker and a queue of 0 or more")
        self.workers = workers
        self.capacity = workers + queue
        """Hashes running or waiting, at most."""
        self._executor = ThreadPoolExecutor(max_workers=workers,
                                            thread_name_prefix="tutor-scrypt")
        self._lock = threading.Lock()
        self._pending = 0
        self._seconds = 0.5  # a first guess at one hash, refined by every hash done
        self.dropped = 0
        """Queued hashes never started because their client had gone."""

    @property
    def pending(self) -> int:
        """Hashes running or waiting now."""
        return self._pending

    def retry_after(self) -> int:
        """Seconds until the queue has likely drained by a worker's share, at least 1."""
        return max(1, math.ceil(self._pending / self.workers * self._seconds))

    async def run(self, work: Callable[[], T], receive: Receive | None = None) -> T:
        """Queue `work`; raise HashingBusy when full, ClientGone if the client hangs up."""
        with self._lock:
            if self._pending >= self.capacity:
                raise HashingBusy(self.retry_after())
            self._pending += 1
        try:
            future = self._executor.submit(self._timed, work)
        except RuntimeError:  # shut down: the server is stopping
            with self._lock:
                self._pending -= 1
            raise HashingStopped from None
        future.add_done_callback(self._finished)
        waiting = asyncio.wrap_future(future)
        watcher = asyncio.ensure_future(_disconnected(receive)) if receive else None
        try:
            # Returns (without raising) when the hash is done or dropped, or the client left.
            await asyncio.wait((waiting,) if watcher is None else (waiting, watcher),
                               return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            future.cancel()  # this request was cancelled: its hash need not start
            raise
        finally:
            if watcher is not None:
                watcher.cancel()
        if waiting.done():
            if waiting.cancelled():
                raise HashingStopped  # `shutdown` dropped it: answer, do not crash
            return waiting.result()
        # Nobody is waiting for the answer: a hash not started yet never starts; one
        # already running cannot be interrupted (scrypt has no hook) and is discarded.
        if future.cancel():
            self.dropped += 1
        waiting.cancel()
        raise ClientGone

    def _timed(self, work: Callable[[], T]) -> T:
        started = time.monotonic()
        try:
            return work()
        finally:
            # A moving average is enough for a Retry-After hint.
            self._seconds = 0.8 * self._seconds + 0.2 * (time.monotonic() - started)

    def _finished(self, _: Future[Any]) -> None:
        # Runs on a worker thread when a hash ends, or here when a queued one is cancelled.
        with self._lock:
            self._pending -= 1

    def shutdown(self) -> None:
        """Stop the workers once the running hashes end; drop the queued ones."""
        self._executor.shutdown(wait=False, cancel_futures=True)


async def _disconnected(receive: Receive) -> None:
    # Called once the body has been read: the next message is the disconnect.
    while True:
        message: Message = await receive()
        if message["type"] == "http.disconnect":
            return
