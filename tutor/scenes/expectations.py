"""What a step promises (`expect:`), and checking those promises against what happened."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tutor.browser.events import Exchange
from tutor.plural import plural
from tutor.scenes.model import Expectation, SceneError
from tutor.scenes.recorder import Recording
from tutor.suggest import unknown_key_message

if TYPE_CHECKING:
    from tutor.scenes.world import World


@dataclass(frozen=True)
class CheckContext:
    """What an expectation is checked against."""

    outcome: Recording
    """What the step caused, as the recorder filed it."""
    world: World
    actor: str


Check = Callable[[Any, CheckContext], tuple[bool, str]]


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [str(k) for k in value]
    return [str(v) for v in value]


def _last(ctx: CheckContext) -> Exchange:
    """The exchange most expectations look at: the step's main request."""
    if ctx.outcome.main is None:
        raise _NoExchange
    return ctx.outcome.main


def _final_status(value: Any, ctx: CheckContext) -> tuple[bool, str]:
    final = ctx.outcome.last
    if final is None:
        raise _NoExchange
    return final.response.status == value, f"final status was {final.response.status}"


class _NoExchange(Exception):
    pass


def _status(value: Any, ctx: CheckContext) -> tuple[bool, str]:
    status = _last(ctx).response.status
    return status == value, f"status was {status}"


def _headers(where: str, present: bool, wrong_label: str, fine: str) -> Check:
    """One check behind the four header expectations: each named header is `present` (or
    not) in the main exchange's request or response; the detail names those that are not."""

    def check_headers(value: Any, ctx: CheckContext) -> tuple[bool, str]:
        exchange = _last(ctx)
        message = exchange.request if where == "request" else exchange.response
        wrong = [n for n in _names(value) if (message.header(n) is not None) != present]
        return not wrong, f"{wrong_label}: {', '.join(wrong)}" if wrong else fine

    return check_headers


def _header_contains(value: Any, ctx: CheckContext) -> tuple[bool, str]:
    response = _last(ctx).response
    for name, text in value.items():
        actual = response.header(str(name)) or ""
        if str(text) not in actual:
            return False, f"{name} was {actual!r}"
    return True, "headers contain the text"


def _cookie_sent(value: Any, ctx: CheckContext) -> tuple[bool, str]:
    decisions = {d.cookie.name: d for d in _last(ctx).cookies_sent}
    for name in _names(value):
        decision = decisions.get(name)
        if decision is None or not decision.sent:
            why = decision.reason if decision else "not in the jar"
            return False, f"{name} was not sent ({why})"
    return True, "sent"


def _cookie_withheld(value: Any, ctx: CheckContext) -> tuple[bool, str]:
    decisions = {d.cookie.name: d for d in _last(ctx).cookies_sent}
    wanted = value if isinstance(value, Mapping) else dict.fromkeys(_names(value), "")
    for name, reason in wanted.items():
        decision = decisions.get(str(name))
        if decision is not None and decision.sent:
            return False, f"{name} was sent"
        if reason and (decision is None or str(reason).lower() not in decision.reason.lower()):
            actual = decision.reason if decision else "not in the jar at all"
            return False, f"{name} withheld for another reason: {actual}"
    return True, "withheld"


def _cookie_stored(value: Any, ctx: CheckContext) -> tuple[bool, str]:
    stored = {d.cookie_name for e in ctx.outcome.exchanges for d in e.cookies_stored
              if d.stored and not d.removed}
    missing = [n for n in _names(value) if n not in stored]
    return not missing, f"not stored: {', '.join(missing)}" if missing else "stored"


def _cookie_evicted(value: Any, ctx: CheckContext) -> tuple[bool, str]:
    """The jar dropped these cookies to make room (the per-domain limit) in this step."""
    evicted = {c.name for e in ctx.outcome.exchanges for d in e.cookies_stored
               for c in d.evicted}
    missing = [n for n in _names(value) if n not in evicted]
    return not missing, f"not evicted: {', '.join(missing)}" if missing else "evicted"


def _cookie_rejected(value: Any, ctx: CheckContext) -> tuple[bool, str]:
    rejected = {d.cookie_name: d.reason for e in ctx.outcome.exchanges
                for d in e.cookies_stored if not d.stored}
    wanted = value if isinstance(value, Mapping) else dict.fromkeys(_names(value), "")
    for name, reason in wanted.items():
        if str(name) not in rejected:
            return False, f"{name} was not rejected"
        if reason and str(reason).lower() not in rejected[str(name)].lower():
            return False, f"{name} rejected for another reason: {rejected[str(name)]}"
    return True, "rejected"


def _jar_has(value: Any, ctx: CheckContext) -> tuple[bool, str]:
    names = {c.name for c in ctx.world.browser(ctx.actor).jar.cookies()}
    missing = [n for n in _names(value) if n not in names]
    return not missing, f"jar lacks: {', '.join(missing)}" if missing else "in the jar"


def _jar_lacks(value: Any, ctx: CheckContext) -> tuple[bool, str]:
    names = {c.name for c in ctx.world.browser(ctx.actor).jar.cookies()}
    present = [n for n in _names(value) if n in names]
    return not present, f"jar still has: {', '.join(present)}" if present else "not in the jar"


def _storage(ctx: CheckContext) -> dict[str, str]:
    return ctx.world.browser(ctx.actor).storage("localStorage", ctx.world.site)


def _storage_has(value: Any, ctx: CheckContext) -> tuple[bool, str]:
    missing = [k for k in _names(value) if k not in _storage(ctx)]
    return not missing, f"localStorage lacks: {', '.join(missing)}" if missing else "present"


def _storage_lacks(value: Any, ctx: CheckContext) -> tuple[bool, str]:
    present = [k for k in _names(value) if k in _storage(ctx)]
    return not present, f"localStorage has: {', '.join(present)}" if present else "absent"


def _document_cookie(ctx: CheckContext) -> set[str]:
    text = ctx.world.browser(ctx.actor).jar.document_cookie(ctx.world.site + "/")
    return {part.split("=", 1)[0].strip() for part in text.split(";") if part.strip()}


def _document_cookie_has(value: Any, ctx: CheckContext) -> tuple[bool, str]:
    missing = [n for n in _names(value) if n not in _document_cookie(ctx)]
    return not missing, f"document.cookie lacks: {', '.join(missing)}" if missing else "visible"


def _document_cookie_lacks(value: Any, ctx: CheckContext) -> tuple[bool, str]:
    present = [n for n in _names(value) if n in _document_cookie(ctx)]
    return not present, f"document.cookie shows: {', '.join(present)}" if present else "hidden"


def _session_count(value: Any, ctx: CheckContext) -> tuple[bool, str]:
    count = len(ctx.world.server.store.authenticated_sessions())
    return count == value, f"{plural(count, 'logged-in session')} in the store"


def _denylist_size(value: Any, ctx: CheckContext) -> tuple[bool, str]:
    size = len(ctx.world.server.store.denylist)
    return size == value, f"denylist has {size} entries"


def _body_contains(value: Any, ctx: CheckContext) -> tuple[bool, str]:
    text = _last(ctx).response.text
    return str(value) in text, f"body was {text[:120]!r}"


def _json_body(ctx: CheckContext) -> dict[str, Any]:
    try:
        body = json.loads(_last(ctx).response.body)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _json(value: Any, ctx: CheckContext) -> tuple[bool, str]:
    body = _json_body(ctx)
    for key, wanted in value.items():
        if body.get(str(key)) != wanted:
            return False, f"{key} was {body.get(str(key))!r}"
    return True, "JSON matches"


def _error_stage(value: Any, ctx: CheckContext) -> tuple[bool, str]:
    stage = _json_body(ctx).get("stage")
    return stage == value, f"failed at stage {stage!r}"


def _login_step(value: Any, ctx: CheckContext) -> tuple[bool, str]:
    steps = ctx.outcome.login_steps.get(ctx.outcome.main_index, ())
    return value in steps, f"login steps shown: {list(steps) or 'none'}"


def _blocked(value: Any, ctx: CheckContext) -> tuple[bool, str]:
    blocked = bool(ctx.outcome.blocked)
    return blocked == value, "the browser blocked it" if blocked else "the request was sent"


def _readable(value: Any, ctx: CheckContext) -> tuple[bool, str]:
    readable = _last(ctx).readable_by_script
    return readable == value, "script can read it" if readable else "opaque to the script"


def _loot(value: Any, ctx: CheckContext) -> tuple[bool, str]:
    got = {item.what for item in ctx.world.attacker.loot}
    missing = [n for n in _names(value) if n not in got]
    return not missing, f"attacker lacks: {', '.join(missing)}" if missing else "attacker has it"


def _replica(value: Any, ctx: CheckContext) -> tuple[bool, str]:
    replica = _last(ctx).response.header("x-tutor-replica")
    return replica == value, f"answered by replica {replica}"


def _server_events(value: Any, ctx: CheckContext) -> tuple[bool, str]:
    seen = {type(e).__name__ for e in ctx.outcome.server_events}
    missing = [n for n in _names(value) if n not in seen]
    return not missing, f"no {', '.join(missing)} event" if missing else "events seen"


CHECKS: dict[str, tuple[Check, tuple[type, ...]]] = {
    "status": (_status, (int,)),
    "final_status": (_final_status, (int,)),
    "header_present": (_headers("response", True, "missing", "all present"), (str, list)),
    "header_absent": (_headers("response", False, "present", "all absent"), (str, list)),
    "header_contains": (_header_contains, (dict,)),
    "request_header_present": (_headers("request", True, "request lacked", "all sent"),
                               (str, list)),
    "request_header_absent": (_headers("request", False, "request carried", "none sent"),
                              (str, list)),
    "cookie_sent": (_cookie_sent, (str, list)),
    "cookie_withheld": (_cookie_withheld, (str, list, dict)),
    "cookie_stored": (_cookie_stored, (str, list)),
    "cookie_rejected": (_cookie_rejected, (str, list, dict)),
    "cookie_evicted": (_cookie_evicted, (str, list)),
    "jar_has": (_jar_has, (str, list)),
    "jar_lacks": (_jar_lacks, (str, list)),
    "storage_has": (_storage_has, (str, list)),
    "storage_lacks": (_storage_lacks, (str, list)),
    "document_cookie_has": (_document_cookie_has, (str, list)),
    "document_cookie_lacks": (_document_cookie_lacks, (str, list)),
    "session_count": (_session_count, (int,)),
    "denylist_size": (_denylist_size, (int,)),
    "body_contains": (_body_contains, (str,)),
    "json": (_json, (dict,)),
    "error_stage": (_error_stage, (str,)),
    "login_step": (_login_step, (int,)),
    "blocked": (_blocked, (bool,)),
    "readable_by_script": (_readable, (bool,)),
    "loot": (_loot, (str, list)),
    "replica": (_replica, (str,)),
    "server_events": (_server_events, (str, list)),
}


def parse_expectations(data: Any, path: str) -> tuple[Expectation, ...]:
    """Validate an `expect:` mapping."""
    if data is None:
        return ()
    if not isinstance(data, Mapping):
        raise SceneError(path, "expect must be a mapping such as {status: 200}")
    parsed = []
    for key, value in data.items():
        entry = CHECKS.get(str(key))
        if entry is None:
            raise SceneError(f"{path}.{key}", unknown_key_message("expectation", str(key),
                                                                  set(CHECKS)))
        types = entry[1]
        if isinstance(value, bool) and bool not in types:
            raise SceneError(f"{path}.{key}", "must not be true/false here")
        if not isinstance(value, types):
            names = " or ".join(t.__name__ for t in types)
            raise SceneError(f"{path}.{key}", f"must be {names}")
        parsed.append(Expectation(str(key), value, f"{path}.{key}"))
    return tuple(parsed)


def check(expectation: Expectation, ctx: CheckContext) -> tuple[bool, str]:
    """Whether the expectation held, and what was actually seen."""
    function = CHECKS[expectation.kind][0]
    try:
        return function(expectation.value, ctx)
    except _NoExchange:
        return False, "the step made no HTTP request to check"
