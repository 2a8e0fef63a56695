"""The simulated network: host names mapped to in-process ASGI apps.

Requests never touch a socket. Each host gets its own `httpx.ASGITransport`; the
browser keeps its own cookie jar, so no `httpx.Client` (with its jar) is involved.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
from starlette.types import ASGIApp


class NetworkError(Exception):
    """No server answers at that address (the browser would show a connection error)."""


class Network:
    """Which app answers for which host."""

    def __init__(self) -> None:
        self._transports: dict[str, httpx.ASGITransport] = {}
        self._apps: dict[str, ASGIApp] = {}

    def attach(self, host: str, app: ASGIApp) -> None:
        """Serve `host` (e.g. "bank.test") with `app`."""
        self._apps[host.lower()] = app
        self._transports[host.lower()] = httpx.ASGITransport(app=app)

    def hosts(self) -> list[str]:
        """Every host on this network."""
        return sorted(self._apps)

    async def send(self, request: httpx.Request) -> httpx.Response:
        """Deliver one request and read the whole response."""
        host = (urlsplit(str(request.url)).hostname or "").lower()
        transport = self._transports.get(host)
        if transport is None:
            raise NetworkError(f"no server at {host or 'that address'}")
        response = await transport.handle_async_request(request)
        await response.aread()
        return response
