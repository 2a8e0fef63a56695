"""Shared fixtures: servers on a simulated clock, with cheap password hashing."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from typing import Any

import pytest

# Registers the long Hypothesis profile before pytest loads one (--hypothesis-profile).
from tests import long_run  # noqa: F401
from tutor.clock import SimulatedClock
from tutor.server import MockServer, ServerConfig

# Tests that are not about hashing use a cheap scrypt cost to stay fast.
TEST_SCRYPT_COST = 2**10

ServerFactory = Callable[..., MockServer]


def pytest_configure(config: pytest.Config) -> None:
    """Every test, and every process a test starts, keeps its files (progress, TLS keys,
    `tutor serve`'s published address) in a folder of this run's own, never in the data
    directory of whoever runs the tests. A test about the default location unsets it."""
    os.environ["TUTOR_DATA_DIR"] = tempfile.mkdtemp(prefix="tutor-tests-")


def pytest_unconfigure(config: pytest.Config) -> None:
    """The run's folder goes with the run."""
    folder = os.environ.pop("TUTOR_DATA_DIR", None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def clock() -> SimulatedClock:
    """A clock that moves only when a test says so."""
    return SimulatedClock()


@pytest.fixture
def make_server(clock: SimulatedClock) -> ServerFactory:
    """Build a MockServer on the test's clock: `make_server(mode="jwt", denylist=True)`."""

    def factory(**overrides: Any) -> MockServer:
        overrides.setdefault("scrypt_cost", TEST_SCRYPT_COST)
        return MockServer(ServerConfig(**overrides), clock)

    return factory
