"""A challenge quiz as data: its goal, its server, its reference solution, and the lines
a learner may type. Pure and light (no server, no network), so the lesson parser can check
a challenge's shape without loading the HTTP stack.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tutor.repeater.curl import CurlError, parse_curl
from tutor.repeater.draft import RequestDraft
from tutor.server.config import SIMULATED_SCRYPT_COST, ConfigError, ServerConfig
from tutor.server.modes import credential_names
from tutor.suggest import unknown_key_message

GOAL_KEYS = {"method", "path", "status", "principal", "credential", "sent_by"}
SENDERS = ("you", "victim")
CROSS_SITE_KINDS = ("form", "fetch", "navigate")
CROSS_SITE_KEYS = {"path", "method", "kind", "fields"}
CROSS_SITE_WORD = "cross-site"

Problems = list[tuple[str, str]]


class AttemptError(ValueError):
    """An attempt line that is neither a curl command nor a cross-site line."""


@dataclass(frozen=True)
class Goal:
    """What the server must have accepted, matched against its own access log."""

    path: str
    method: str = "GET"
    statuses: tuple[int, ...] = ()
    """Any of these statuses; empty means any answer below 400."""
    principal: str | None = None
    credential: str | None = None
    sent_by: str | None = None

    def matches(self, method: str, path: str, status: int, principal: str | None,
                credential: str | None, sender: str) -> bool:
        """Whether one access-log line (and who sent it) is what the goal asks for."""
        return (
            method.upper() == self.method
            and path == self.path
            and (status in self.statuses if self.statuses else status < 400)
            and (self.principal is None or principal == self.principal)
            and (self.credential is None or credential == self.credential)
            and (self.sent_by is None or sender == self.sent_by)
        )

    def describe(self) -> str:
        """`GET /admin answered 200 for alice (bearer)`, in words."""
        answered = (" or ".join(str(s) for s in self.statuses) if self.statuses
                    else "with success (below 400)")
        text = f"{self.method} {self.path} answered {answered}"
        if self.principal:
            text += f" for {self.principal}"
        if self.credential:
            text += f" with a {self.credential} credential"
        if self.sent_by == "victim":
            text += ", sent by the victim's browser"
        elif self.sent_by == "you":
            text += ", sent by you"
        return text


@dataclass(frozen=True)
class CrossSite:
    """The victim's browser, lured to evil.test, sends a request to the site."""

    path: str
    method: str = "POST"
    kind: str = "form"
    fields: tuple[tuple[str, str], ...] = ()

    def describe(self) -> str:
        """The line a learner would type for it."""
        extra = "".join(f" {shlex.quote(f'{k}={v}')}" for k, v in self.fields)
        return f"{CROSS_SITE_WORD} {self.kind} {self.method} {self.path}{extra}"


Attempt = RequestDraft | CrossSite


def parse_goal(data: Mapping[str, Any]) -> Goal:
    """The goal mapping of a challenge (shape-checked by `goal_problems` first)."""
    status = data.get("status", ())
    statuses = (status,) if isinstance(status, int) else tuple(status)
    return Goal(path=str(data["path"]), method=str(data.get("method", "GET")).upper(),
                statuses=statuses, principal=data.get("principal"),
                credential=data.get("credential"), sent_by=data.get("sent_by"))


def challenge_config(data: Mapping[str, Any]) -> ServerConfig:
    """The server a challenge runs against: `server`, with `mode` as a shorthand."""
    server = dict(data.get("server") or {})
    if "mode" in data:
        server.setdefault("mode", data["mode"])
    # In process, like a scene's server: a real scrypt cost only costs memory and time.
    server.setdefault("scrypt_cost", SIMULATED_SCRYPT_COST)
    return ServerConfig.from_mapping(server)


def parse_attempt(line: str) -> Attempt:
    """One learner line: a curl command, or `cross-site [KIND] [METHOD] PATH [name=value...]`."""
    text = line.strip()
    if text.split(" ", 1)[0].lower() == CROSS_SITE_WORD:
        return _parse_cross_site(text)
    try:
        return parse_curl(text)
    except CurlError as exc:
        if not text.startswith("curl"):
            raise AttemptError(f"type a curl command (curl http://127.0.0.1:8000/...) or "
                               f"{CROSS_SITE_WORD} form POST /path") from None
        raise AttemptError(str(exc)) from None


def parse_solution_step(step: Any) -> Attempt:
    """One reference-solution entry: a curl string, or `{cross_site: {path, method, ...}}`."""
    if isinstance(step, str):
        return parse_attempt(step)
    if isinstance(step, Mapping) and set(step) == {"cross_site"}:
        spec = step["cross_site"]
        if not isinstance(spec, Mapping) or "path" not in spec:
            raise AttemptError("cross_site needs at least a `path`")
        for key in spec:
            if key not in CROSS_SITE_KEYS:
                raise AttemptError(unknown_key_message("cross_site", str(key), CROSS_SITE_KEYS))
        fields = spec.get("fields", {})
        if not isinstance(fields, Mapping):
            raise AttemptError("cross_site fields must be a mapping of name: value")
        return _cross_site(str(spec["path"]), str(spec.get("method", "POST")),
                           str(spec.get("kind", "form")),
                           tuple((str(k), str(v)) for k, v in fields.items()))
    raise AttemptError("a solution step is a curl command (text) or a mapping "
                       "{cross_site: {path: ..., method: ..., kind: form|fetch|navigate}}")


def challenge_problems(data: Mapping[str, Any]) -> Problems:
    """Every shape problem of a challenge quiz, as (key path, message)."""
    problems = goal_problems(data.get("goal"))
    server = data.get("server", {})
    if not isinstance(server, Mapping):
        problems.append(("server", "server is a mapping of settings (mode, vulnerabilities, ...)"))
    else:
        try:
            challenge_config(data)
        except ConfigError as exc:
            problems.append(("server", str(exc)))
        if "mode" in data and "mode" in server and server["mode"] != data["mode"]:
            problems.append(("mode", f"mode {data['mode']!r} disagrees with server.mode "
                             f"{server['mode']!r}: write it once"))
    solution = data.get("solution")
    if not isinstance(solution, list) or not solution:
        problems.append(("solution", "a challenge needs a `solution`: a list of curl commands "
                         "(or cross_site steps) that reach the goal, which lint runs"))
        return problems
    for index, step in enumerate(solution):
        try:
            attempt = parse_solution_step(step)
        except AttemptError as exc:
            problems.append((f"solution[{index}]", str(exc)))
            continue
        if isinstance(attempt, RequestDraft) and (found := attempt.problems()):
            problems.append((f"solution[{index}]", "; ".join(found)))
    return problems


def goal_problems(goal: Any) -> Problems:
    """Shape problems of a `goal` mapping."""
    if not isinstance(goal, Mapping):
        return [("goal", "a challenge needs a `goal` mapping (what the server must accept)")]
    problems: Problems = []
    for key in goal:
        if key not in GOAL_KEYS:
            problems.append((f"goal.{key}", unknown_key_message("goal", str(key), GOAL_KEYS)))
    path = goal.get("path")
    if not isinstance(path, str) or not path.startswith("/"):
        problems.append(("goal.path", "the goal names the `path` the server must accept, "
                         "such as /admin"))
    status = goal.get("status", [])
    statuses = [status] if isinstance(status, int) else status
    if not isinstance(statuses, list) or not all(
        isinstance(s, int) and not isinstance(s, bool) and 100 <= s <= 599 for s in statuses
    ):
        problems.append(("goal.status", "status is an HTTP status or a list of them"))
    for key, choices in (("credential", tuple(credential_names())), ("sent_by", SENDERS)):
        if key in goal and goal[key] not in choices:
            problems.append((f"goal.{key}", f"{key} is one of {', '.join(choices)}"))
    for key in ("method", "principal"):
        if key in goal and not isinstance(goal[key], str):
            problems.append((f"goal.{key}", f"{key} must be text"))
    return problems


def _parse_cross_site(text: str) -> CrossSite:
    try:
        words = shlex.split(text)[1:]
    except ValueError as exc:
        raise AttemptError(f"cannot read the line: {exc}") from None
    kind, method = "form", "POST"
    if words and words[0].lower() in CROSS_SITE_KINDS:
        kind = words.pop(0).lower()
        method = "GET" if kind == "navigate" else "POST"
    if words and not words[0].startswith("/"):
        method = words.pop(0).upper()
    if not words or not words[0].startswith("/"):
        raise AttemptError(f"write {CROSS_SITE_WORD} [form|fetch|navigate] [METHOD] /path "
                           "[name=value ...], e.g. cross-site form POST /logout")
    path = words.pop(0)
    fields: list[tuple[str, str]] = []
    for word in words:
        name, sep, value = word.partition("=")
        if not sep or not name:
            raise AttemptError(f"{word!r}: form fields are written name=value")
        fields.append((name, value))
    return _cross_site(path, method, kind, tuple(fields))


def _cross_site(path: str, method: str, kind: str,
                fields: Sequence[tuple[str, str]]) -> CrossSite:
    if kind not in CROSS_SITE_KINDS:
        raise AttemptError(f"kind {kind!r} is not one of {', '.join(CROSS_SITE_KINDS)}")
    problems = RequestDraft(method.upper(), path).problems()
    if problems:
        raise AttemptError("; ".join(problems))
    return CrossSite(path, method.upper(), kind, tuple(fields))
