"""Small helpers for talking to the mock server in tests."""

from __future__ import annotations

from html.parser import HTMLParser

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


class _Elements(HTMLParser):
    """Collects start tags and their attributes, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    """The page's start tags with attributes."""
    parser = _Elements()
    parser.feed(html)
    return parser.tags


def forms(html: str) -> dict[str, dict[str, str | None]]:
    """action → attributes of every <form> on the page."""
    return {str(attrs.get("action")): attrs for tag, attrs in elements(html) if tag == "form"}


def inputs(html: str) -> dict[str, dict[str, str | None]]:
    """name → attributes of every <input> on the page."""
    return {str(attrs.get("name")): attrs for tag, attrs in elements(html) if tag == "input"}
