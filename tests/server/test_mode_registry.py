"""The mode and weakness registries: adding a server mode is one or two files.

`ApiKeyBackend` and `API_KEY` below are a whole new mode, written the way a module in
`tutor/server/modes/` plus a backend module would be (here in one test file, and not
shipped): the server, the scene actions, the CLI and the Server view pick it up from the
registry alone.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from tutor.cli.main import build_parser
from tutor.clock import SimulatedClock
from tutor.scenes import SceneEngine, parse_scene
from tutor.server import MockServer, ServerConfig
from tutor.server.backends.base import Principal
from tutor.server.context import ReplicaContext
from tutor.server.events import RequestHandled
from tutor.server.http import REALM, Problem
from tutor.server.modes import (
    ServerMode,
    credential_names,
    get_mode,
    mode_names,
    register,
    unregister,
)
from tutor.server.users import UserRecord
from tutor.server.weaknesses import WEAKNESSES, Vulnerabilities, vulnerable_banner
from tutor.ui.render.server_view import render_server

ROOT = Path(__file__).resolve().parents[2]


class ApiKeyBackend:
    """A toy mode: login hands out an opaque key, sent back as `Authorization: ApiKey`."""

    def __init__(self, ctx: ReplicaContext) -> None:
        self.ctx = ctx
        self.credential = ctx.config.server_mode.credential

    def page(self, request: Request) -> Response:
        return HTMLResponse("<!doctype html><title>api-key</title><p>POST /login for a key")

    def authenticate(self, request: Request) -> Principal:
        scheme, _, key = request.headers.get("authorization", "").partition(" ")
        record = self.ctx.store.sessions.get(key) if scheme == "ApiKey" else None
        if record is None or record.username is None:
            raise self.unauthorized(request, "no valid API key sent")
        user = self.ctx.users.get(record.username)
        assert user is not None
        return Principal(user.username, user.role, self.credential, session_id=key)

    def issue(self, request: Request, user: UserRecord, is_form: bool) -> Response:
        key = self.ctx.create_session(user.username).session_id
        return JSONResponse({"access_token": key}, headers={"Cache-Control": "no-store"})

    def end(self, request: Request, principal: Principal, is_form: bool) -> Response:
        assert principal.session_id is not None
        self.ctx.destroy_session(principal.session_id, "logout")
        return JSONResponse({"logged_out": True})

    def rotate(self, request: Request, principal: Principal, user: UserRecord) -> Response:
        self.ctx.destroy_session(str(principal.session_id), "password-changed")
        return self.issue(request, user, False)

    def unauthorized(
        self, request: Request, description: str, error: str = "unauthorized"
    ) -> Problem:
        return Problem(401, error, description, f'ApiKey realm="{REALM}"')

    def forbidden(self, reason: str, scope: str) -> Problem:
        return Problem(403, "forbidden", reason)


API_KEY = ServerMode(
    name="api-key",
    summary="an opaque key from POST /login, sent as Authorization: ApiKey",
    credential="api-key",
    backend=f"{__name__}:ApiKeyBackend",
    browser_keeps="localStorage",
    auth_scheme="ApiKey",
    sessions_note="",
)


@pytest.fixture
def api_key_mode() -> Iterator[ServerMode]:
    register(API_KEY)
    try:
        yield API_KEY
    finally:
        unregister(API_KEY.name)


async def test_a_registered_mode_logs_in_and_is_recognised(api_key_mode: ServerMode) -> None:
    """Login, an authenticated request, a refusal with the mode's challenge, logout."""
    server = MockServer(ServerConfig(mode="api-key", scrypt_cost=2**10), SimulatedClock())
    async with server.client() as client:
        login = await client.post("/login", json={"username": "alice", "password": "wonderland"})
        assert login.status_code == 200
        headers = {"Authorization": f"ApiKey {login.json()['access_token']}"}
        profile = await client.get("/profile", headers=headers)
        assert profile.json() == {"username": "alice", "role": "reader"}
        refused = await client.get("/profile")
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"] == 'ApiKey realm="tutor"'
        admin = await client.get("/admin", headers=headers)
        assert (admin.status_code, admin.json()["error"]) == (403, "forbidden")
        # Not a cookie mode: no CSRF token is asked for; not a token mode: no refresh.
        assert (await client.post("/logout", headers=headers)).status_code == 200
        assert (await client.get("/profile", headers=headers)).status_code == 401
        assert (await client.post("/refresh", json={})).status_code == 404
    log = [(e.path, e.status, e.credential) for e in server.log.events
           if isinstance(e, RequestHandled)]
    assert ("/profile", 200, "api-key") in log


async def test_scene_actions_use_a_registered_mode_as_its_page_would(
    api_key_mode: ServerMode,
) -> None:
    """The scene's login keeps the key in localStorage and attaches it with its scheme."""
    scene = parse_scene({"server": {"mode": "api-key", "scrypt_cost": 1024},
                         "browsers": ["user"],
                         "steps": [{"login": {}}, {"request": "/profile",
                                                   "expect": {"status": 200}},
                                   {"clear_credential": {}},
                                   {"request": "/profile", "expect": {"status": 401}}]})
    records = await SceneEngine(scene).run_all()
    assert [r.passed for r in records] == [True] * 4


def test_a_registered_mode_is_a_cli_choice_and_a_goal_credential(
    api_key_mode: ServerMode,
) -> None:
    assert build_parser().parse_args(["serve", "--mode", "api-key"]).mode == "api-key"
    assert build_parser().parse_args(["replay", "x.har", "--mode", "api-key"]).mode == "api-key"
    assert "api-key" in build_parser().format_help()
    assert "api-key" in credential_names()
    assert mode_names()[-1] == "api-key"  # listed after the built-in modes


def test_an_unregistered_mode_is_refused_by_config_and_cli() -> None:
    assert "api-key" not in mode_names()
    with pytest.raises(ValueError, match="is not one of cookie, signed-cookie, jwt"):
        ServerConfig(mode="api-key")
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--mode", "api-key"])


def test_built_in_modes_come_in_the_course_order() -> None:
    assert mode_names() == ["cookie", "signed-cookie", "jwt", "jwt-cookie", "bff"]
    assert get_mode("jwt").signs_tokens and get_mode("jwt").login_via == "json"
    assert get_mode("cookie").login_via == "form"


async def test_weakness_descriptions_come_from_the_registry(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """One description per weakness: the Server view, the banner and --help show it."""
    weak = Vulnerabilities(no_httponly=True, no_csrf_check=True)
    assert weak.enabled() == ["no_httponly", "no_csrf_check"]
    server = MockServer(ServerConfig(vulnerabilities=weak, scrypt_cost=2**10),
                        SimulatedClock())
    from rich.console import Console

    console = Console(width=200, record=True)
    console.print(render_server(server))
    shown = console.export_text()
    for name in weak.enabled():
        assert f"VULNERABLE {name}: {WEAKNESSES[name].description}" in shown
    inert = MockServer(ServerConfig(mode="jwt", vulnerabilities=weak, scrypt_cost=2**10),
                       SimulatedClock())
    console.print(render_server(inert))
    assert "(no effect in jwt mode)" in console.export_text()
    async with server.client() as client:
        page = (await client.get("/")).text
    assert vulnerable_banner(weak.enabled()) in page
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--help"])
    serve_help = capsys.readouterr().out
    assert all(w.description in serve_help for w in WEAKNESSES.values())


def test_unknown_weakness_keyword_is_refused() -> None:
    with pytest.raises(TypeError, match="unknown weakness 'no_such'"):
        Vulnerabilities(no_such=True)


PROBE = """
import importlib, json, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
heavy = sorted(m for m in ("starlette", "httpx", "jwt", "cryptography") if m in sys.modules)
print(json.dumps(heavy))
"""


@pytest.mark.slow
def test_mode_and_weakness_metadata_load_no_http_stack() -> None:
    """`tutor --help`, config parsing and the catalogue stay light (start-up time)."""
    modules = ["tutor.server.modes", "tutor.server.weaknesses", "tutor.server.config",
               "tutor.cli.main"]
    result = subprocess.run([sys.executable, "-c", PROBE, *modules], cwd=ROOT,
                            capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
