"""Scenes as data: a server config, the browsers and sites, and a list of steps.

Built from YAML-like mappings (a lesson's ```scene block) with every mistake reported
as a `SceneError` that names where it is (`steps[2].login.pasword`) and what is wrong.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from tutor.browser.cookie_policy import THIRD_PARTY_CHOICES, CookiePolicy
from tutor.server.config import SIMULATED_SCRYPT_COST, ConfigError, ServerConfig
from tutor.suggest import unknown_key_message as unknown_key


class SceneError(ValueError):
    """A scene description is invalid; `path` says where, the message what."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


@dataclass(frozen=True)
class ParamSpec:
    """One parameter an action takes."""

    types: tuple[type, ...]
    required: bool = False
    choices: tuple[str, ...] = ()
    limits: tuple[float, float] | None = None
    """The smallest and largest number it takes (numbers are always finite)."""


def _p(*types: type, required: bool = False, choices: tuple[str, ...] = (),
       limits: tuple[float, float] | None = None) -> ParamSpec:
    return ParamSpec(types, required, choices, limits)


MAX_CLOCK_STEP = 10 * 366 * 86_400
"""The longest `advance_clock` (ten years): enough for any lifetime a lesson shows, and
far from the dates a clock or a cookie's expiry can hold."""


CREDENTIAL_CHOICES = ("auto", "none")
# Each action's parameters; `shorthand` is the one a scalar value fills (`advance_clock: 300`).
ACTION_PARAMETERS: dict[str, dict[str, ParamSpec]] = {
    "visit": {"path": _p(str, required=True)},
    "login": {
        "username": _p(str), "password": _p(str), "via": _p(str, choices=("form", "json")),
        "audience": _p(str),
    },
    "request": {
        "path": _p(str, required=True), "method": _p(str),
        "credential": _p(str, choices=CREDENTIAL_CHOICES),
        "headers": _p(dict), "json": _p(dict, list, str, int, float, bool),
        "form": _p(dict), "via": _p(str, choices=("fetch", "navigate")),
    },
    "logout": {"forget_token": _p(bool), "csrf_token": _p(bool)},
    "refresh": {"token": _p(str, choices=("current", "previous", "captured"))},
    "advance_clock": {"seconds": _p(int, float, required=True, limits=(0, MAX_CLOCK_STEP))},
    "tamper_token": {
        "claims": _p(dict), "header": _p(dict),
        "signature": _p(str, choices=("keep", "none", "resign", "public_key", "attacker_key")),
        "secret": _p(str), "embed": _p(str, choices=("jwk", "jku", "x5u")),
    },
    "tamper_cookie": {"name": _p(str), "set": _p(dict, required=True)},
    "cross_site_request": {
        "from": _p(str), "path": _p(str, required=True), "method": _p(str),
        "kind": _p(str, choices=("form", "fetch", "navigate")), "fields": _p(dict),
    },
    "xss_steal": {"read": _p(list, str)},
    "xss_request": {"path": _p(str, required=True), "method": _p(str)},
    "replay": {
        "path": _p(str, required=True), "method": _p(str),
        "use": _p(str, choices=("document.cookie", "localStorage", "sessionStorage",
                                "captured")),
        "scheme": _p(str, choices=("Bearer", "DPoP")),
        "dpop": _p(str, choices=("none", "captured", "own_key")),
    },
    "capture": {},
    "set_cookie": {
        "url": _p(str, required=True), "cookie": _p(str, list, required=True),
        "from": _p(str), "method": _p(str, choices=("GET", "POST")),
        "count": _p(int, limits=(1, 64)),
    },
    "plant_cookie": {
        "name": _p(str, required=True), "value": _p(str),
        "via": _p(str, choices=("script", "subdomain")),
    },
    "switch_replica": {"replica": _p(str, required=True)},
    "change_password": {"current": _p(str), "new": _p(str, required=True)},
    "clear_credential": {},
    "restart_browser": {},
    "rotate_keys": {},
    "retire_key": {},
    "guess_session_id": {"offset": _p(int)},
}
SHORTHAND = {
    "visit": "path", "request": "path", "advance_clock": "seconds",
    "switch_replica": "replica", "replay": "path",
}
STEP_KEYS = {"id", "narration", "as", "expect"}
MAX_SET_COOKIE_LINES = 64
"""The most Set-Cookie lines one `set_cookie` step may ask for: the cookie lab's own cap
(`server/cookie_lab.py`, MAX_COOKIE_LINES; a test keeps the two equal)."""


@dataclass(frozen=True)
class Expectation:
    """One thing a step promises: `status: 401`, `cookie_sent: [sid]`, ..."""

    kind: str
    value: Any
    path: str = ""
    """Where it was written (for error messages)."""


@dataclass(frozen=True)
class Step:
    """One thing that happens in a scene."""

    action: str
    params: Mapping[str, Any]
    narration: str = ""
    actor: str = "user"
    """Which browser acts."""
    expect: tuple[Expectation, ...] = ()
    id: str = ""
    path: str = ""


@dataclass(frozen=True)
class Scene:
    """A server, the sites and browsers around it, and what happens."""

    id: str
    server: ServerConfig
    steps: tuple[Step, ...]
    site: str = "https://bank.test"
    """The mock server's origin as the browsers see it."""
    attacker_site: str = "https://evil.test"
    browsers: tuple[str, ...] = ("user",)
    title: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)
    cookie_policy: CookiePolicy = field(default_factory=CookiePolicy)
    """The browsers' profile: what they do where RFC 6265bis leaves it to them."""
    page_keeps: PagePlace = "localStorage"
    """Where the site's page script keeps tokens (modes whose page keeps them)."""
    lab_sites: tuple[str, ...] = ()
    """Origins served by the cookie lab (`server/cookie_lab.py`) for `set_cookie` steps."""


PagePlace = Literal["localStorage", "sessionStorage", "memory"]
PAGE_PLACES: tuple[PagePlace, ...] = ("localStorage", "sessionStorage", "memory")

SCENE_KEYS = {"id", "title", "server", "site", "attacker_site", "browsers", "steps", "tracks",
              "cookie_policy", "lab_sites", "page_keeps"}
TRACK_KEYS = {"label", "server", "cookie_policy", "page_keeps"}
POLICY_KEYS = {"lax_by_default", "lax_allowing_unsafe", "third_party", "localhost_is_secure"}


def parse_tracks(data: Any, default_id: str = "scene") -> list[tuple[str, Scene]]:
    """One scene, or one per track when the data has `tracks:` (run side by side).

    Tracks share the steps; each may change server settings, and a step's `expect:` may
    hold a mapping under a track's label that applies to that track only.
    """
    if not isinstance(data, Mapping) or "tracks" not in data:
        return [("", parse_scene(data, default_id))]
    tracks = data["tracks"]
    if not isinstance(tracks, list) or not 2 <= len(tracks) <= 3:
        raise SceneError("tracks", "must be a list of 2 or 3 tracks, each with a label")
    labels: list[str] = []
    for index, track in enumerate(tracks):
        path = f"tracks[{index}]"
        if not isinstance(track, Mapping):
            raise SceneError(path, "a track is a mapping with `label` and `server`")
        for key in track:
            if key not in TRACK_KEYS:
                raise SceneError(f"{path}.{key}", unknown_key("track", str(key), TRACK_KEYS))
        label = track.get("label")
        if not isinstance(label, str) or not label or label in labels:
            raise SceneError(f"{path}.label", "each track needs a unique text label")
        labels.append(label)
    result = []
    for track, label in zip(tracks, labels, strict=True):
        merged = {k: v for k, v in data.items() if k != "tracks"}
        base_server = data.get("server", {})
        if not isinstance(base_server, Mapping):
            raise SceneError("server", "must be a mapping of server settings")
        merged["server"] = {**base_server, **(track.get("server") or {})}
        if "page_keeps" in track:
            merged["page_keeps"] = track["page_keeps"]
        if "cookie_policy" in track:
            base_policy = data.get("cookie_policy") or {}
            own_policy = track.get("cookie_policy") or {}
            if not isinstance(base_policy, Mapping) or not isinstance(own_policy, Mapping):
                raise SceneError(f"{label}.cookie_policy", "must be a mapping")
            merged["cookie_policy"] = {**base_policy, **own_policy}
        merged["steps"] = _steps_for_track(data.get("steps"), label, set(labels))
        result.append((label, parse_scene(merged, default_id)))
    return result


def _steps_for_track(steps: Any, label: str, labels: set[str]) -> Any:
    if not isinstance(steps, list):
        return steps
    selected = []
    for step in steps:
        if isinstance(step, Mapping) and isinstance(step.get("expect"), Mapping):
            expect = {k: v for k, v in step["expect"].items() if k not in labels}
            own = step["expect"].get(label)
            if isinstance(own, Mapping):
                expect.update(own)
            step = {**step, "expect": expect}
        selected.append(step)
    return selected


def parse_scene(data: Any, default_id: str = "scene") -> Scene:
    """Build a `Scene` from YAML-like data, or raise `SceneError` saying where and why."""
    from tutor.scenes.expectations import parse_expectations

    if not isinstance(data, Mapping):
        raise SceneError("", "a scene must be a mapping with `server` and `steps`")
    for key in data:
        if key not in SCENE_KEYS:
            raise SceneError(str(key), unknown_key("scene", str(key), SCENE_KEYS))
    server_data = data.get("server", {})
    if not isinstance(server_data, Mapping):
        raise SceneError("server", "must be a mapping of server settings")
    if "scrypt_cost" not in server_data:
        # Scenes log in often; a cheaper hash keeps them quick and changes nothing shown.
        server_data = {**server_data, "scrypt_cost": SIMULATED_SCRYPT_COST}
    try:
        server = ServerConfig.from_mapping(server_data)
    except ConfigError as exc:
        raise SceneError("server", str(exc)) from None
    except TypeError as exc:
        raise SceneError("server", f"invalid setting: {exc}") from None
    browsers = data.get("browsers", ["user"])
    if not isinstance(browsers, list) or not browsers or not all(
        isinstance(b, str) and b for b in browsers
    ):
        raise SceneError("browsers", "must be a non-empty list of browser names")
    site = _origin_field(data, "site", "https://bank.test")
    attacker = _origin_field(data, "attacker_site", "https://evil.test")
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise SceneError("steps", "must be a non-empty list of steps")
    steps = tuple(
        _parse_step(raw, f"steps[{i}]", set(browsers), parse_expectations)
        for i, raw in enumerate(raw_steps)
    )
    scene_id = data.get("id", default_id)
    if not isinstance(scene_id, str) or not scene_id:
        raise SceneError("id", "must be a non-empty string")
    title = data.get("title", "")
    if not isinstance(title, str):
        raise SceneError("title", "must be text")
    return Scene(scene_id, server, steps, site, attacker, tuple(browsers), str(title),
                 cookie_policy=_cookie_policy(data.get("cookie_policy", {})),
                 lab_sites=_lab_sites(data.get("lab_sites", [])),
                 page_keeps=_page_keeps(data.get("page_keeps", "localStorage")))


def _page_keeps(value: Any) -> PagePlace:
    for place in PAGE_PLACES:
        if value == place:
            return place
    raise SceneError("page_keeps", f"must be one of: {', '.join(PAGE_PLACES)}")


def _cookie_policy(data: Any) -> CookiePolicy:
    """The `cookie_policy:` block: booleans, and `third_party` (allow/block/partition)."""
    if not isinstance(data, Mapping):
        raise SceneError("cookie_policy", "must be a mapping such as {third_party: block}")
    for key, value in data.items():
        if key not in POLICY_KEYS:
            raise SceneError(f"cookie_policy.{key}", unknown_key("cookie_policy", str(key),
                                                                 POLICY_KEYS))
        if key == "third_party":
            if value not in THIRD_PARTY_CHOICES:
                raise SceneError(f"cookie_policy.{key}",
                                 f"must be one of: {', '.join(THIRD_PARTY_CHOICES)}")
        elif not isinstance(value, bool):
            raise SceneError(f"cookie_policy.{key}", "must be true or false")
    return CookiePolicy(**{str(k): v for k, v in data.items()})


def _lab_sites(data: Any) -> tuple[str, ...]:
    if not isinstance(data, list) or len(data) > 4:
        raise SceneError("lab_sites", "must be a list of up to 4 origins")
    return tuple(_origin_field({"lab_sites": item}, "lab_sites", "") for item in data)


def _origin_field(data: Mapping[str, Any], key: str, default: str) -> str:
    value = data.get(key, default)
    if not isinstance(value, str) or not value.startswith(("http://", "https://")):
        raise SceneError(key, "must be an origin such as https://bank.test")
    return value.rstrip("/")


def _parse_step(raw: Any, path: str, browsers: set[str], parse_expectations: Any) -> Step:
    if not isinstance(raw, Mapping):
        raise SceneError(path, "a step must be a mapping with one action")
    actions = [k for k in raw if k in ACTION_PARAMETERS]
    unknown = [k for k in raw if k not in ACTION_PARAMETERS and k not in STEP_KEYS]
    if unknown:
        known = set(ACTION_PARAMETERS) | STEP_KEYS
        raise SceneError(f"{path}.{unknown[0]}", unknown_key("step", str(unknown[0]), known))
    if len(actions) != 1:
        found = ", ".join(actions) if actions else "none"
        raise SceneError(path, f"a step needs exactly one action (found {found}); "
                         f"actions: {', '.join(sorted(ACTION_PARAMETERS))}")
    action = actions[0]
    params = _parse_params(action, raw[action], f"{path}.{action}")
    if action == "set_cookie":
        _check_cookie_lines(params, f"{path}.{action}")
    actor = raw.get("as", "user" if "user" in browsers else sorted(browsers)[0])
    if actor not in browsers:
        raise SceneError(f"{path}.as", f"unknown browser {actor!r}; this scene has "
                         f"{', '.join(sorted(browsers))}")
    narration = raw.get("narration", "")
    if not isinstance(narration, str):
        raise SceneError(f"{path}.narration", "must be text")
    step_id = raw.get("id", "")
    if not isinstance(step_id, str):
        raise SceneError(f"{path}.id", "must be text")
    expect = parse_expectations(raw.get("expect", {}), f"{path}.expect")
    return Step(action, params, narration, actor, expect, step_id, path)


def _parse_params(action: str, value: Any, path: str) -> dict[str, Any]:
    specs = ACTION_PARAMETERS[action]
    if value is None:
        value = {}
    if not isinstance(value, Mapping):
        shorthand = SHORTHAND.get(action)
        if shorthand is None:
            raise SceneError(path, f"`{action}` takes a mapping of parameters")
        value = {shorthand: value}
    params: dict[str, Any] = {}
    for key, item in value.items():
        spec = specs.get(str(key))
        if spec is None:
            raise SceneError(f"{path}.{key}", unknown_key(f"`{action}`", str(key),
                                                          set(specs)))
        if isinstance(item, bool) and bool not in spec.types:
            raise SceneError(f"{path}.{key}", f"must be {_type_names(spec.types)}")
        if not isinstance(item, spec.types):
            raise SceneError(f"{path}.{key}", f"must be {_type_names(spec.types)}")
        if spec.choices and item not in spec.choices:
            raise SceneError(f"{path}.{key}", f"must be one of {', '.join(spec.choices)}")
        check_value(item, f"{path}.{key}", spec.limits)
        params[str(key)] = item
    for key, spec in specs.items():
        if spec.required and key not in params:
            raise SceneError(path, f"`{action}` needs `{key}`")
    return params


def _check_cookie_lines(params: Mapping[str, Any], path: str) -> None:
    """`count` needs `{n}` in every line (else it sets one cookie again and again), and
    the lines in all stay within what the cookie lab answers."""
    lines = params["cookie"]
    lines = [lines] if isinstance(lines, str) else lines
    if not lines or not all(isinstance(line, str) and line for line in lines):
        raise SceneError(f"{path}.cookie", "must be a Set-Cookie line or a list of them")
    if "count" in params:
        missing = [line for line in lines if "{n}" not in line]
        if missing:
            raise SceneError(f"{path}.cookie", f"with `count`, each line needs {{n}} (the "
                             f"number 1 to count) in its name: {missing[0]!r} has none")
    total = len(lines) * int(params.get("count", 1))
    if total > MAX_SET_COOKIE_LINES:
        raise SceneError(path, f"asks for {total} Set-Cookie lines; one step may set at "
                         f"most {MAX_SET_COOKIE_LINES}")


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def check_value(value: Any, path: str, limits: tuple[float, float] | None = None) -> None:
    """A scene value that every action can use: numbers finite (and within `limits`),
    text (keys too, nested too) free of control characters, which would be an invalid
    URL or header when sent and an escape sequence when shown."""
    pending: list[tuple[Any, str]] = [(value, path)]
    while pending:
        item, where = pending.pop()
        if isinstance(item, float) and not math.isfinite(item):
            raise SceneError(where, f"must be a finite number, not {item}")
        if limits is not None and isinstance(item, int | float) and not isinstance(item, bool):
            low, high = limits
            if not low <= item <= high:
                raise SceneError(where, f"must be between {low:g} and {high:g}")
        elif isinstance(item, str):
            found = _CONTROL.search(item)
            if found:
                raise SceneError(where, f"contains the control character "
                                 f"{found.group()!r}; write it out or leave it out")
        elif isinstance(item, Mapping):
            pending += [(k, where) for k in item if isinstance(k, str)]
            pending += [(v, f"{where}.{k}") for k, v in item.items()]
        elif isinstance(item, list | tuple):
            pending += [(v, f"{where}[{i}]") for i, v in enumerate(item)]


def _type_names(types: tuple[type, ...]) -> str:
    names = {str: "text", int: "a number", float: "a number", bool: "true or false",
             dict: "a mapping", list: "a list"}
    return " or ".join(dict.fromkeys(names.get(t, t.__name__) for t in types))

