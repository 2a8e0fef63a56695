"""The exact-path front door answers every request as Starlette's own stack would.

The same requests go to a server as built and to a twin whose front door sends
everything to its Starlette fallback; both are built from one random seed, so ids,
tokens and bodies must match byte for byte, and so must the access log.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.requests import Request
from starlette.responses import JSONResponse as StarletteJSONResponse
from starlette.responses import Response
from starlette.types import Message

from tests.conftest import TEST_SCRYPT_COST
from tests.server.helpers import ALICE
from tutor import randomness
from tutor.clock import SimulatedClock
from tutor.server import MockServer, ServerConfig
from tutor.server.dispatch import Endpoint, ExactPathDispatch
from tutor.server.events import RequestHandled
from tutor.server.http import JSONResponse, Problem

Exchange = tuple[int, list[tuple[str, str]], bytes]


def _server(mode: str, through_starlette: bool, replicas: int = 1) -> MockServer:
    with randomness.deterministic(7):
        server = MockServer(ServerConfig(mode=mode, scrypt_cost=TEST_SCRYPT_COST,
                                         replicas=replicas), SimulatedClock())
    if through_starlette:
        for replica in server.replicas:
            replica.app.dispatch.handler_for = lambda scope: None  # type: ignore[attr-defined]
    return server


async def _script(server: MockServer, mode: str) -> list[Exchange]:
    """A lesson's worth of requests, good and bad, each answer kept whole."""
    answers: list[Exchange] = []
    with randomness.deterministic(11):
        async with server.client() as client:
            async def send(method: str, path: str, **kwargs: Any) -> httpx.Response:
                response = await client.request(method, path, **kwargs)
                answers.append((response.status_code, list(response.headers.multi_items()),
                                response.content))
                return response

            await send("GET", "/")
            await send("GET", "/profile")
            login = await send("POST", "/login", json=ALICE)
            headers = {}
            if mode == "jwt":
                headers = {"authorization": f"Bearer {login.json()['access_token']}"}
            await send("GET", "/profile", headers=headers)
            await send("HEAD", "/profile", headers=headers)
            await send("GET", "/admin", headers=headers)
            await send("GET", "/profile/", headers=headers, follow_redirects=False)
            await send("POST", "/profile", headers=headers)
            await send("DELETE", "/login")
            await send("GET", "/nowhere")
            await send("POST", "/login", content=b"{not json", headers={
                "content-type": "application/json"})
            await send("POST", "/login", json={"username": "alice", "password": "nope"})
            await send("GET", "/app.js")
            await send("GET", "/favicon.ico")
            await send("GET", "/.well-known/jwks.json")
            await send("POST", "/refresh", data={"refresh_token": "not-a-token"})
            await send("POST", "/logout", headers={**headers, "x-csrf-token": "wrong"})
            await send("GET", "/profile", headers={"authorization": "Bearer a.b.c"})
    return answers


def _log(server: MockServer) -> list[tuple[Any, ...]]:
    return [(e.method, e.path, e.status, e.principal, e.credential, e.reason, e.replica)
            for e in server.log.events if isinstance(e, RequestHandled)]


@pytest.mark.parametrize("mode", ["cookie", "signed-cookie", "jwt"])
async def test_the_front_door_answers_as_starlette_does(mode: str) -> None:
    fast, slow = _server(mode, False), _server(mode, True)
    fast_answers, slow_answers = await _script(fast, mode), await _script(slow, mode)
    for index, (ours, starlettes) in enumerate(zip(fast_answers, slow_answers, strict=True)):
        assert ours == starlettes, f"request {index} differs"
    assert _log(fast) == _log(slow)
    statuses = [status for status, _, _ in fast_answers]
    # The script reaches the fallback's own answers too, not only the handlers'.
    assert {404, 405, 307} <= set(statuses)
    reasons = {entry[5] for entry in _log(fast)}
    assert {"no such route", "method not allowed"} <= reasons


async def test_replicas_name_themselves_on_both_paths() -> None:
    fast, slow = _server("cookie", False, replicas=2), _server("cookie", True, replicas=2)
    assert await _script(fast, "cookie") == await _script(slow, "cookie")
    answers = await _script(_server("cookie", False, replicas=2), "cookie")
    named = [dict(headers).get("x-tutor-replica") for _, headers, _ in answers]
    assert set(named) == {"A", "B"}


def _answer(app: ExactPathDispatch, path: str, sent: list[Message]) -> None:
    """GET `path` through the front door's own path, the messages sent kept in `sent`."""

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    async def run() -> None:
        scope = {"type": "http", "method": "GET", "path": path, "headers": [],
                 "query_string": b"", "scheme": "http"}
        handler = app.handler_for(scope)
        assert handler is not None
        response = await app.respond(handler, scope, receive, send)
        await response(scope, receive, send)

    asyncio.run(run())


async def _refused(request: Request) -> Response:
    raise Problem(418, "teapot", "short and stout")


async def _broken(request: Request) -> Response:
    raise RuntimeError("a bug in a handler")


def test_a_problem_is_answered_and_a_bug_is_a_500_raised_on() -> None:
    async def on_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Problem)
        return exc.response()

    app = ExactPathDispatch([Endpoint("/refused", ("GET",), _refused),
                             Endpoint("/broken", ("GET",), _broken)], {Problem: on_problem})
    refused: list[Message] = []
    _answer(app, "/refused", refused)
    assert refused[0]["status"] == 418
    assert b"short and stout" in refused[1]["body"]

    broken: list[Message] = []
    with pytest.raises(RuntimeError, match="a bug in a handler"):
        _answer(app, "/broken", broken)
    # Sent first, as Starlette's ServerErrorMiddleware does, so the client is not left waiting.
    assert broken[0] == {"type": "http.response.start", "status": 500,
                         "headers": [(b"content-length", b"21"),
                                     (b"content-type", b"text/plain; charset=utf-8")]}
    assert broken[1]["body"] == b"Internal Server Error"


def test_head_follows_get_and_nothing_else_is_matched() -> None:
    app = ExactPathDispatch([Endpoint("/page", ("GET",), _refused),
                             Endpoint("/form", ("POST",), _refused)], {})

    def scope(method: str, path: str) -> dict[str, Any]:
        return {"type": "http", "method": method, "path": path}

    assert app.handler_for(scope("HEAD", "/page")) is _refused
    assert app.handler_for(scope("HEAD", "/form")) is None
    assert app.handler_for(scope("GET", "/form")) is None
    assert app.handler_for(scope("GET", "/page/")) is None
    assert app.handler_for(scope("GET", "/PAGE")) is None


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


@given(_json_values)
def test_json_answers_are_starlettes_byte_for_byte(value: object) -> None:
    ours, theirs = JSONResponse(value), StarletteJSONResponse(value)
    assert ours.body == theirs.body
    assert ours.raw_headers == theirs.raw_headers


def test_json_answers_refuse_nan_as_starlette_does() -> None:
    for response in (JSONResponse, StarletteJSONResponse):
        with pytest.raises(ValueError):
            response({"x": float("nan")})
