"""The attacker's own web site (evil.test in scenes): pages that attack, a drop box,
and the attacker's published keys.

Stolen data arrives at `/collect`; the site keeps it as `loot`, which scenes and
challenges read to see what an attack really obtained. `/.well-known/jwks.json` and
`/cert.pem` publish the attacker's own public keys, which a server that follows a
token's `jku` or `x5u` header downloads (in-process: nothing leaves the machine).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from tutor.clock import Clock
from tutor.server.attacker_keys import ATTACKER_CERT_PATH, ATTACKER_JWKS_PATH, published_keys

MAX_LOOT_BYTES = 16 * 1024


@dataclass(frozen=True)
class Loot:
    """One delivery to the attacker's drop box."""

    at: float
    what: str
    """The label the attacking script gave it (e.g. document.cookie, localStorage)."""
    value: str


class AttackerSite:
    """A Starlette app standing in for a site the attacker controls."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.loot: list[Loot] = []
        self.app = Starlette(routes=[
            Route("/", self._page, methods=["GET"]),
            Route("/collect", self._collect, methods=["GET", "POST", "OPTIONS"]),
            Route(ATTACKER_JWKS_PATH, self._keys, methods=["GET"]),
            Route(ATTACKER_CERT_PATH, self._keys, methods=["GET"]),
        ])

    async def _keys(self, request: Request) -> Response:
        published = published_keys(request.url.path)
        if isinstance(published, dict):
            return JSONResponse(published)
        return Response(published or "", media_type="application/x-pem-file")

    async def _page(self, request: Request) -> Response:
        return HTMLResponse(
            "<!doctype html><title>Totally harmless cat pictures</title>"
            "<h1>Cute cats</h1><p>(This page is the attacker's.)</p>"
        )

    async def _collect(self, request: Request) -> Response:
        # Open CORS on purpose: any page may deliver here, which is what an attacker wants.
        headers = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "*"}
        if request.method == "OPTIONS":
            return Response(status_code=204, headers=headers)
        body = (await request.body())[:MAX_LOOT_BYTES].decode("utf-8", "replace")
        what = request.query_params.get("what", "data")
        value = request.query_params.get("value", body)
        self.loot.append(Loot(self.clock.now(), what, value))
        return Response(status_code=204, headers=headers)

    def latest(self, what: str | None = None) -> Loot | None:
        """The most recent delivery, optionally of one kind."""
        for item in reversed(self.loot):
            if what is None or item.what == what:
                return item
        return None

    def snapshot(self) -> list[Loot]:
        """The loot so far (Loot is immutable, so a shallow copy is exact)."""
        return copy.copy(self.loot)

    def restore(self, snapshot: list[Loot]) -> None:
        """Put the loot back as it was."""
        self.loot = list(snapshot)
