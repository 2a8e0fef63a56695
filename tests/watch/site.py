"""A small site of the test's own, unlike `tutor serve`: a JSON login that sets a
careless cookie and answers a JWT, which the page keeps in localStorage and sends as a
bearer token. Its page logs in by itself when it loads, so a headless watch sees the
whole login without anyone clicking, and it asks for an image from an origin that the
watch must block (a TEST-NET address: nothing is there, and nothing is sent).

It runs on uvicorn in a thread on a socket bound before the thread starts, so the port
is known and connections wait in the backlog until the server serves them.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

import jwt
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from tests.readiness import HANG_BOUND

SECRET = "site-secret-for-tests-only-0123456789"
SESSION_COOKIE = "site_session"
BLOCKED_ORIGIN = "http://192.0.2.7"
"""TEST-NET-1 (RFC 5737): documentation only, never routed."""

PAGE = """<!doctype html>
<html><head><title>Test site</title></head><body>
<form id="login" method="post" action="/api/login">
  <input name="username" autocomplete="username">
  <input name="password" type="password" autocomplete="current-password">
  <button>Log in</button>
</form>
<img src="__BLOCKED__/pixel.png" alt="">
<p id="out">working</p>
<script>
(async () => {
  const login = await fetch("/api/login", {method: "POST",
    headers: {"Content-Type": "application/json"},
    body: JSON.stringify({username: "ada", password: "lovelace"})});
  const {access_token} = await login.json();
  localStorage.setItem("access_token", access_token);
  sessionStorage.setItem("visited", "yes");
  const me = await fetch("/api/me", {headers: {Authorization: "Bearer " + access_token}});
  document.getElementById("out").textContent = "done " + me.status;
})();
</script>
</body></html>
""".replace("__BLOCKED__", BLOCKED_ORIGIN)


async def _page(request: Request) -> Response:
    return HTMLResponse(PAGE)


async def _login(request: Request) -> Response:
    data = await request.json()
    if data.get("password") != "lovelace":
        return JSONResponse({"error": "bad password"}, status_code=401)
    token = jwt.encode({"sub": data.get("username", ""), "scope": "profile"}, SECRET,
                       algorithm="HS256")
    response = JSONResponse({"access_token": token, "token_type": "Bearer"})
    # Deliberately careless: no HttpOnly, no Secure, so the findings have work to do.
    response.set_cookie(SESSION_COOKIE, "s3ss10n-" + "x" * 24, path="/", samesite="lax",
                        httponly=False)
    return response


async def _me(request: Request) -> Response:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    try:
        claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    except jwt.InvalidTokenError:
        return JSONResponse({"error": "no token"}, status_code=401)
    return JSONResponse({"user": claims["sub"], "scheme": scheme})


async def _favicon(request: Request) -> Response:
    return Response(status_code=204)


def site_app() -> Starlette:
    """The site's routes."""
    return Starlette(routes=[Route("/", _page), Route("/api/login", _login, methods=["POST"]),
                             Route("/api/me", _me), Route("/favicon.ico", _favicon)])


@contextlib.contextmanager
def running_site() -> Iterator[str]:
    """The site on a free loopback port until the block ends; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(site_app(), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(HANG_BOUND)
        sock.close()
