"""Shared pieces for the Repeater tests: cheap sandboxes and a JSON login draft."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import TEST_SCRYPT_COST
from tutor.repeater.draft import RequestDraft
from tutor.repeater.sandbox import Sandbox, TimelineEntry

JSON_HEADERS = (("Content-Type", "application/json"),)


def sandbox(mode: str = "jwt", *vulnerabilities: str, victim: str | None = None,
            **settings: Any) -> Sandbox:
    """A sandbox with cheap password hashing."""
    return Sandbox.choose(mode, vulnerabilities=vulnerabilities, victim=victim,
                          scrypt_cost=TEST_SCRYPT_COST, **settings)


def login_draft(username: str = "alice", password: str = "wonderland") -> RequestDraft:
    """POST /login with a JSON body, as curl --json would send it."""
    body = json.dumps({"username": username, "password": password})
    return RequestDraft("POST", "/login", JSON_HEADERS, (), body)


def body_of(entry: TimelineEntry) -> dict[str, Any]:
    """The JSON body of an entry's main response."""
    assert entry.main is not None
    value: dict[str, Any] = json.loads(entry.main.response.body)
    return value


def bearer_draft(path: str, token: str) -> RequestDraft:
    """GET `path` with a bearer token."""
    return RequestDraft("GET", path, (("Authorization", f"Bearer {token}"),))
