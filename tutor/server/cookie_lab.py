"""A plain site for cookie lessons: it sets the cookies a scene asks for and says which
cookies it received.

The bank server sets only its own, well-configured cookies. To show what a browser does
with other ones (no SameSite, a `__Secure-` name, `Partitioned`, an http page on
localhost), scenes attach this site to extra hosts (`lab_sites:`) and ask it, through
the `set_cookie` step, to answer with exactly the `Set-Cookie` lines they give. It keeps
no state: every decision shown is the browser's.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

LAB_HEADER = "X-Tutor-Lab"
"""Marks the lab's answers, so the stage does not tag them as steps of a login."""

MAX_COOKIE_LINES = 64
"""More lines than any scene needs; a request asking for more is refused (400)."""


class CookieLab:
    """A Starlette app: `/set?cookie=LINE` answers with each line as a Set-Cookie header
    (with `&count=N`, each line N times, `{n}` in it numbered 1 to N); any other path
    answers 200 with the Cookie header it received."""

    def __init__(self) -> None:
        self.app = Starlette(routes=[
            Route("/set", self._set, methods=["GET", "POST"]),
            Route("/{path:path}", self._echo, methods=["GET", "POST"]),
        ])

    async def _set(self, request: Request) -> Response:
        lines = request.query_params.getlist("cookie")
        count = _count(request.query_params.get("count", "1"))
        if count is None or len(lines) * count > MAX_COOKIE_LINES or any(
                "\r" in ln or "\n" in ln for ln in lines):
            return JSONResponse({"error": "too many or malformed cookie lines"}, 400)
        if "count" in request.query_params:
            # `count=50` with `ad{n}=1`: fifty lines from one, so the URL stays short.
            lines = [ln.replace("{n}", str(n)) for n in range(1, count + 1) for ln in lines]
        response = JSONResponse({"set": len(lines)}, headers=_open_cors(request))
        for line in lines:
            response.headers.append("set-cookie", line)
        return response

    async def _echo(self, request: Request) -> Response:
        return JSONResponse({"cookie": request.headers.get("cookie", "")},
                            headers=_open_cors(request))


def _count(text: str) -> int | None:
    """The `count` parameter: a whole number from 1 up, else None (a 400)."""
    if not (text.isascii() and text.isdigit() and len(text) <= 3):
        return None  # more digits than any allowed count (and no huge int to parse)
    return int(text) or None


def _open_cors(request: Request) -> dict[str, str]:
    """Let any page read the answer with credentials, as an embeddable widget would."""
    origin = request.headers.get("origin")
    if not origin:
        return {LAB_HEADER: "1"}
    return {LAB_HEADER: "1", "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Credentials": "true"}
