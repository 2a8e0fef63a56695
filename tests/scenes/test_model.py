"""Scene descriptions: every mistake a lesson author can make is a `SceneError` that says
where (`steps[1].login.pasword`) and what, with a suggestion when a key is misspelt."""

from __future__ import annotations

from typing import Any

import pytest

from tutor.scenes import Scene, SceneError, parse_scene

SERVER = {"mode": "cookie", "scrypt_cost": 1024}


def scene_with(*steps: Any, **extra: Any) -> dict[str, Any]:
    return {"server": dict(SERVER), "browsers": ["user", "attacker"], "steps": list(steps),
            **extra}


def error_of(data: Any) -> SceneError:
    with pytest.raises(SceneError) as caught:
        parse_scene(data)
    return caught.value


def test_a_valid_scene_parses_with_defaults() -> None:
    """The example from the issue parses; unset fields take their documented defaults."""
    scene = parse_scene(scene_with(
        {"login": {}, "expect": {"status": 303, "login_step": 3}},
        {"request": "/profile", "expect": {"status": 200, "cookie_sent": "__Host-sid"}},
    ))
    assert isinstance(scene, Scene)
    assert (scene.site, scene.attacker_site, scene.browsers) == (
        "https://bank.test", "https://evil.test", ("user", "attacker"))
    assert scene.server.scrypt_cost == 1024
    login, profile = scene.steps
    assert (login.action, login.actor, dict(login.params)) == ("login", "user", {})
    assert [(e.kind, e.value) for e in login.expect] == [("status", 303), ("login_step", 3)]
    assert login.expect[0].path == "steps[0].expect.status"
    assert profile.path == "steps[1]"


@pytest.mark.parametrize(
    ("step", "action", "params"),
    [
        ({"advance_clock": 300}, "advance_clock", {"seconds": 300}),
        ({"advance_clock": 1.5}, "advance_clock", {"seconds": 1.5}),
        ({"request": "/profile"}, "request", {"path": "/profile"}),
        ({"visit": "/"}, "visit", {"path": "/"}),
        ({"switch_replica": "B"}, "switch_replica", {"replica": "B"}),
        ({"replay": "/admin"}, "replay", {"path": "/admin"}),
        ({"capture": None}, "capture", {}),
    ],
)
def test_shorthand_forms(step: dict[str, Any], action: str, params: dict[str, Any]) -> None:
    """A scalar fills an action's main parameter, so common steps stay one line of YAML."""
    [parsed] = parse_scene(scene_with(step)).steps
    assert (parsed.action, dict(parsed.params)) == (action, params)


def test_a_step_without_shorthand_needs_a_mapping() -> None:
    """`login: alice` is ambiguous: login has no main parameter."""
    error = error_of(scene_with({"login": "alice"}))
    assert error.path == "steps[0].login"
    assert "takes a mapping" in error.message


@pytest.mark.parametrize(
    ("data", "path", "suggestion"),
    [
        (scene_with({"loign": {}}), "steps[0].loign", "did you mean 'login'"),
        (scene_with({"login": {}}, {"login": {"pasword": "x"}}), "steps[1].login.pasword",
         "did you mean 'password'"),
        (scene_with({"login": {}, "expect": {"stauts": 200}}), "steps[0].expect.stauts",
         "did you mean 'status'"),
        ({**scene_with({"login": {}}), "stpes": []}, "stpes", "did you mean 'steps'"),
        (scene_with({"login": {}, "naration": "hi"}), "steps[0].naration",
         "did you mean 'narration'"),
    ],
)
def test_unknown_keys_name_the_place_and_suggest(
    data: dict[str, Any], path: str, suggestion: str
) -> None:
    """Misspellings are caught before a learner runs the scene, with the likely intent."""
    error = error_of(data)
    assert error.path == path
    assert suggestion in error.message
    assert str(error).startswith(f"{path}: ")


def test_unknown_expectation_kind_lists_the_known_ones_when_nothing_is_close() -> None:
    """With no close match the message lists every known expectation."""
    error = error_of(scene_with({"login": {}, "expect": {"xyzzy": 1}}))
    assert error.path == "steps[0].expect.xyzzy"
    assert "unknown expectation key 'xyzzy'" in error.message
    assert "status" in error.message and "login_step" in error.message


def test_two_actions_in_one_step() -> None:
    """A step does one thing; two actions would leave their order unclear."""
    error = error_of(scene_with({"login": {}, "logout": {}}))
    assert error.path == "steps[0]"
    assert "exactly one action (found login, logout)" in error.message


def test_a_step_with_no_action() -> None:
    """Narration alone is not a step: something must happen."""
    error = error_of(scene_with({"narration": "nothing happens"}))
    assert error.path == "steps[0]"
    assert "found none" in error.message


def test_unknown_browser_in_as() -> None:
    """`as:` must name one of the scene's browsers."""
    error = error_of(scene_with({"login": {}, "as": "mallory"}))
    assert error.path == "steps[0].as"
    assert "unknown browser 'mallory'" in error.message
    assert "attacker, user" in error.message


def test_actor_defaults_to_user_else_the_first_browser() -> None:
    """Without `as:` the "user" browser acts, or the first by name when there is none."""
    scene = parse_scene({"server": SERVER, "browsers": ["phone", "laptop"],
                         "steps": [{"login": {}}]})
    assert scene.steps[0].actor == "laptop"


@pytest.mark.parametrize(
    ("step", "path", "message"),
    [
        ({"advance_clock": "soon"}, "steps[0].advance_clock.seconds", "must be a number"),
        ({"advance_clock": True}, "steps[0].advance_clock.seconds", "must be a number"),
        ({"login": {"username": 7}}, "steps[0].login.username", "must be text"),
        ({"logout": {"forget_token": "yes"}}, "steps[0].logout.forget_token",
         "must be true or false"),
        ({"request": {"path": "/", "headers": ["X"]}}, "steps[0].request.headers",
         "must be a mapping"),
        ({"request": {"path": "/", "credential": "maybe"}}, "steps[0].request.credential",
         "must be one of auto, none"),
        ({"refresh": {"token": "oldest"}}, "steps[0].refresh.token",
         "must be one of current, previous, captured"),
        ({"login": {}, "expect": {"status": "200"}}, "steps[0].expect.status", "must be int"),
        ({"login": {}, "expect": {"status": True}}, "steps[0].expect.status",
         "must not be true/false"),
        ({"login": {}, "expect": ["status"]}, "steps[0].expect", "must be a mapping"),
    ],
)
def test_wrong_param_types(step: dict[str, Any], path: str, message: str) -> None:
    """Types are checked as YAML gives them (true is not a number, "200" is not 200)."""
    error = error_of(scene_with(step))
    assert error.path == path
    assert message in error.message


@pytest.mark.parametrize(
    ("step", "path", "needs"),
    [
        ({"request": {"method": "GET"}}, "steps[0].request", "`request` needs `path`"),
        ({"advance_clock": {}}, "steps[0].advance_clock", "needs `seconds`"),
        ({"tamper_cookie": {"name": "sid"}}, "steps[0].tamper_cookie", "needs `set`"),
        ({"change_password": None}, "steps[0].change_password", "needs `new`"),
        ({"cross_site_request": {"kind": "form"}}, "steps[0].cross_site_request",
         "needs `path`"),
    ],
)
def test_missing_required_params(step: dict[str, Any], path: str, needs: str) -> None:
    error = error_of(scene_with(step))
    assert error.path == path
    assert needs in error.message


@pytest.mark.parametrize(
    ("server", "message"),
    [
        ({"mdoe": "jwt"}, "did you mean 'mode'"),
        ({"mode": "oauth"}, "mode 'oauth' is not one of cookie, signed-cookie, jwt"),
        ({"replicas": 0}, "replicas must be between 1 and 8"),
        ({"replicas": "2"}, "must be a whole number"),
        ({"denylist": "yes"}, "must be true or false"),
        ({"vulnerabilities": ["no_htponly"]}, "did you mean 'no_httponly'"),
        ({"secret": "short"}, "at least 32 bytes"),
    ],
)
def test_bad_server_config(server: dict[str, Any], message: str) -> None:
    """Server settings are checked by ServerConfig; the error is placed at `server`."""
    error = error_of({**scene_with({"login": {}}), "server": {**SERVER, **server}})
    assert error.path == "server"
    assert message in error.message


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ([{"login": {}}], ""),
        ({"server": "cookie", "steps": [{"login": {}}]}, "server"),
        ({"server": SERVER, "steps": []}, "steps"),
        ({"server": SERVER, "steps": "login"}, "steps"),
        ({"server": SERVER, "browsers": [], "steps": [{"login": {}}]}, "browsers"),
        ({"server": SERVER, "site": "bank.test", "steps": [{"login": {}}]}, "site"),
        ({"server": SERVER, "steps": ["login"]}, "steps[0]"),
        ({"server": SERVER, "id": "", "steps": [{"login": {}}]}, "id"),
    ],
)
def test_bad_scene_shape(data: Any, path: str) -> None:
    """The scene's own fields are validated too."""
    assert error_of(data).path == path


def test_origins_lose_a_trailing_slash() -> None:
    """`site` is an origin: a trailing slash is tolerated and dropped."""
    scene = parse_scene({"server": SERVER, "site": "https://bank.test/",
                         "steps": [{"visit": "/"}]})
    assert scene.site == "https://bank.test"
