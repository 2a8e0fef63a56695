"""The replica's front door: exact paths go straight to their handlers, the rest to Starlette.

Every route of the mock server is one fixed path, so a dictionary finds it. Starlette's
full stack (two error middlewares, the router trying each route's pattern, two wrappers
per request) costs more than the handlers themselves on the requests every lesson makes,
and gives the same result: a `Problem` becomes its JSON answer, a client that hung up a
499, anything else a plain 500 that is raised on. What the table does not answer exactly
(an unknown path, a wrong method, a trailing slash, a lifespan message) goes to a
Starlette app built from the same routes, so 404, 405 and the slash redirect stay
Starlette's own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

Handler = Callable[[Request], Awaitable[Response]]
ErrorHandler = Callable[[Request, Exception], Awaitable[Response]]


@dataclass(frozen=True)
class Endpoint:
    """One route: a fixed path, the methods it answers and its handler."""

    path: str
    methods: tuple[str, ...]
    handler: Handler


class ExactPathDispatch:
    """Finds a request's handler by its exact path and method, or hands it to Starlette.

    `respond` runs the handler (or the error handler for what it raised) and returns the
    response unsent, so the caller can read its status and add headers first.
    """

    def __init__(self, endpoints: Sequence[Endpoint],
                 error_handlers: dict[type[Exception], ErrorHandler]) -> None:
        self._error_handlers = error_handlers
        self._table: dict[str, tuple[frozenset[str], Handler]] = {}
        for endpoint in endpoints:
            methods = set(endpoint.methods)
            if "GET" in methods:
                methods.add("HEAD")  # as Starlette's Route does
            self._table[endpoint.path] = (frozenset(methods), endpoint.handler)
        self.fallback = Starlette(
            routes=[Route(e.path, e.handler, methods=list(e.methods)) for e in endpoints],
            exception_handlers=dict(error_handlers),
        )

    def handler_for(self, scope: Scope) -> Handler | None:
        """The handler that answers this HTTP request exactly, or None (Starlette's turn)."""
        found = self._table.get(scope["path"])
        if found is None or scope["method"] not in found[0]:
            return None
        return found[1]

    async def respond(self, handler: Handler, scope: Scope, receive: Receive, send: Send) -> (
        Response
    ):
        """The handler's response, or its error handler's; a 500 is sent and the error
        raised on when nothing handles it (what Starlette's ServerErrorMiddleware does)."""
        request = Request(scope, receive, send)
        try:
            return await handler(request)
        except Exception as error:
            on_error = self._error_handler(error)
            if on_error is None:
                await PlainTextResponse("Internal Server Error", status_code=500)(
                    scope, receive, send)
                raise
            # A reused exception instance would keep every earlier request's traceback.
            error.__traceback__ = None
            return await on_error(request, error)

    def _error_handler(self, error: Exception) -> ErrorHandler | None:
        for cls in type(error).__mro__:
            if cls in self._error_handlers:
                return self._error_handlers[cls]
        return None
