"""Variables for the Repeater: `{{access_token}}` in a request, filled in when it is sent.

A value is captured from a response by a rule, `name = json.access_token`,
`name = header.Location` or `name = cookie.sid` (a Set-Cookie value), or all at once by
`capture_all` (every top-level JSON string and every Set-Cookie value, each under its
own name). Substitution happens on a copy of the draft just before sending, so the
editor keeps the `{{name}}` the learner wrote; an unknown name is a `VariableError`
saying where it is, and which names are known.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import Any

from tutor.browser.events import RecordedResponse
from tutor.repeater.draft import RequestDraft

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
SOURCES = ("json", "header", "cookie")
RULE_HELP = ("write a rule as name = json.path (json.access_token, json.user.id, "
             "json.items.0), name = header.Name, or name = cookie.name")


class VariableError(ValueError):
    """A variable or rule that cannot be used; the message says where and why."""


@dataclass(frozen=True)
class CaptureRule:
    """`name = source.path`: where in a response a variable's value is found."""

    name: str
    source: str
    """json, header or cookie."""
    path: str
    """Dotted JSON path, header name or cookie name."""

    def __str__(self) -> str:
        return f"{self.name} = {self.source}.{self.path}"


def parse_rule(text: str) -> CaptureRule:
    """`access_token = json.access_token` as a rule, or `VariableError` saying why not."""
    name, equals, where = text.partition("=")
    name, where = name.strip(), where.strip()
    if not equals or not name or not where:
        raise VariableError(f"rule {text.strip()!r}: {RULE_HELP}")
    check_name(name)
    source, dot, path = where.partition(".")
    if source not in SOURCES or not dot or not path:
        raise VariableError(f"rule {text.strip()!r}: {where!r} does not start with "
                            f"json., header. or cookie.; {RULE_HELP}")
    return CaptureRule(name, source, path)


def check_name(name: str) -> str:
    """A variable name, or `VariableError`: letters, digits, `_`, `.` and `-`."""
    if not NAME.match(name):
        raise VariableError(f"variable name {name!r}: use letters, digits, _, . and -, "
                            "starting with a letter or _")
    return name


def capture(rule: CaptureRule, response: RecordedResponse) -> str:
    """The value `rule` points at in `response`, or `VariableError` saying what is missing."""
    if rule.source == "header":
        value = response.header(rule.path)
        if value is None:
            raise VariableError(f"{rule}: the response has no {rule.path} header")
        return value
    if rule.source == "cookie":
        cookies = set_cookie_values(response)
        if rule.path not in cookies:
            names = ", ".join(cookies) or "none"
            raise VariableError(f"{rule}: the response set no cookie {rule.path!r} "
                                f"(it set: {names})")
        return cookies[rule.path]
    return _json_path(rule, response)


def capture_all(response: RecordedResponse) -> dict[str, str]:
    """Every value worth chaining: top-level JSON strings and numbers, Set-Cookie values."""
    found: dict[str, str] = {}
    document = _json_of(response)
    if isinstance(document, dict):
        for key, value in document.items():
            if isinstance(key, str) and NAME.match(key) and _scalar(value):
                found[key] = _text(value)
    for name, value in set_cookie_values(response).items():
        if NAME.match(name):
            found[name] = value
    return found


def set_cookie_values(response: RecordedResponse) -> dict[str, str]:
    """name → value of every Set-Cookie line the stdlib parser can read."""
    values: dict[str, str] = {}
    for line in response.header_values("set-cookie"):
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(line)
        except CookieError:
            continue  # a malformed line: the browser's own parser reports it
        values.update({name: morsel.value for name, morsel in jar.items()})
    return values


def substitute(draft: RequestDraft, variables: Mapping[str, str]) -> RequestDraft:
    """A copy of `draft` with every `{{name}}` filled in; `VariableError` names each
    unknown one and where it is."""
    problems: list[str] = []

    def fill(text: str, where: str) -> str:
        def one(match: re.Match[str]) -> str:
            name = match[1]
            if name in variables:
                return variables[name]
            problems.append(f"{where}: {{{{{name}}}}} is not a variable")
            return match[0]

        return PLACEHOLDER.sub(one, text)

    path = fill(draft.path, "path")
    headers = tuple((name, fill(value, f"header {name}")) for name, value in draft.headers)
    cookies = tuple((name, fill(value, f"cookie {name}")) for name, value in draft.cookies)
    body = fill(draft.body, "body")
    if problems:
        known = ", ".join(sorted(variables)) or "none yet"
        raise VariableError("; ".join(problems) + f" (known: {known}; capture one from a "
                            "response, or add it in the variables box)")
    return dataclasses.replace(draft, path=path, headers=headers, cookies=cookies, body=body)


def parse_variables(text: str) -> dict[str, str]:
    """The variables box (`name = value` lines) as a dict; `VariableError` names the line."""
    found: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, equals, value = line.partition("=")
        if not equals:
            raise VariableError(f"variables, line {number}: write name = value")
        try:
            found[check_name(name.strip())] = value.strip()
        except VariableError as exc:
            raise VariableError(f"variables, line {number}: {exc}") from None
    return found


def variables_text(variables: Mapping[str, str]) -> str:
    """The variables as editable `name = value` lines."""
    return "\n".join(f"{name} = {value}" for name, value in variables.items())


def apply_rules(rules: Iterable[CaptureRule], response: RecordedResponse) -> (
    tuple[dict[str, str], list[str]]
):
    """Each rule's value in `response`, and a message for each rule that found nothing."""
    found: dict[str, str] = {}
    missed: list[str] = []
    for rule in rules:
        try:
            found[rule.name] = capture(rule, response)
        except VariableError as exc:
            missed.append(str(exc))
    return found, missed


def _json_of(response: RecordedResponse) -> Any:
    try:
        return json.loads(response.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


def _json_path(rule: CaptureRule, response: RecordedResponse) -> str:
    document = _json_of(response)
    if document is None:
        raise VariableError(f"{rule}: the response body is not JSON")
    value: Any = document
    walked: list[str] = []
    for step in rule.path.split("."):
        if isinstance(value, dict) and step in value:
            value = value[step]
        elif isinstance(value, list) and step.isdigit() and int(step) < len(value):
            value = value[int(step)]
        else:
            at = "json." + ".".join(walked) if walked else "the JSON body"
            keys = (", ".join(map(str, value)) if isinstance(value, dict)
                    else f"a list of {len(value)}" if isinstance(value, list) else "a value")
            raise VariableError(f"{rule}: {at} has no {step!r} (it has: {keys or 'nothing'})")
        walked.append(step)
    if not _scalar(value):
        raise VariableError(f"{rule}: json.{rule.path} is an object or list, not one value")
    return _text(value)


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool) and value is not None


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass
class Chain:
    """The Repeater's variables and capture rules: what carries one response's values into
    the next request. Kept beside the timeline, not on it: stepping back in time does not
    forget a captured token (as a note on paper would not)."""

    values: dict[str, str] = dataclasses.field(default_factory=dict)
    """name → value, in the order they were first set."""
    rules: list[CaptureRule] = dataclasses.field(default_factory=list)
    """Applied to every response from now on, in order."""

    def add_rule(self, text: str) -> CaptureRule:
        """Parse and keep a rule (replacing one for the same name); `VariableError` if bad."""
        rule = parse_rule(text)
        self.rules = [r for r in self.rules if r.name != rule.name] + [rule]
        return rule

    def fill(self, draft: RequestDraft) -> RequestDraft:
        """The draft with `{{name}}` filled in, or `VariableError` naming each unknown."""
        return substitute(draft, self.values)

    def after(self, response: RecordedResponse) -> tuple[dict[str, str], list[str]]:
        """Apply every rule to a response: what was captured, what each miss says."""
        found, missed = apply_rules(self.rules, response)
        self.values.update(found)
        return found, missed

    def capture_everything(self, response: RecordedResponse) -> dict[str, str]:
        """Capture every top-level JSON value and Set-Cookie value under its own name."""
        found = capture_all(response)
        self.values.update(found)
        return found

    def set_text(self, text: str) -> None:
        """Replace the values with the variables box's lines (`VariableError` names a bad
        line, and nothing changes)."""
        self.values = parse_variables(text)
