"""Small helpers for talking to the mock server in tests."""

from __future__ import annotations

import httpx

ALICE = {"username": "alice", "password": "wonderland"}
QUEEN = {"username": "queen", "password": "off-with-their-heads"}


async def login_json(client: httpx.AsyncClient, who: dict[str, str] = ALICE) -> httpx.Response:
    """POST /login with a JSON body; asserts nothing."""
    return await client.post("/login", json=who)


async def bearer_login(client: httpx.AsyncClient, who: dict[str, str] = ALICE) -> dict[str, str]:
    """Log in in jwt mode and return the token response body."""
    response = await login_json(client, who)
    assert response.status_code == 200, response.text
    body: dict[str, str] = response.json()
    return body


def bearer(token: str) -> dict[str, str]:
    """An Authorization header for `token`."""
    return {"Authorization": f"Bearer {token}"}
