"""Export: a real scene's exchanges → HAR 1.2 → our reader gives the same exchanges back,
and the analysis sees the same login; redaction keeps names and drops every secret."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tutor.browser.events import Exchange
from tutor.har.analysis import analyse
from tutor.har.credentials import sent_credentials
from tutor.har.export import har_document, har_json
from tutor.har.reader import parse_har
from tutor.redaction import REDACTED
from tutor.scenes import SceneEngine, parse_scene


async def scene_exchanges(mode: str, *steps: dict[str, Any]) -> list[Exchange]:
    engine = SceneEngine(parse_scene({
        "server": {"mode": mode, "scrypt_cost": 1024}, "browsers": ["user", "attacker"],
        "steps": list(steps)}))
    records = await engine.run_all()
    assert all(r.passed for r in records), [r.error for r in records]
    return [x for r in records for x in r.outcome.exchanges]


LOGOUT_AND_REPLAY: tuple[dict[str, Any], ...] = (
    {"visit": "/"}, {"login": {}}, {"request": "/profile"}, {"capture": {}},
    {"advance_clock": 30}, {"logout": {}}, {"replay": "/profile", "as": "attacker"})


@pytest.mark.parametrize("mode", ["cookie", "signed-cookie", "jwt"])
async def test_round_trip_keeps_method_url_status_and_credential_names(mode: str) -> None:
    exchanges = await scene_exchanges(mode, *LOGOUT_AND_REPLAY)
    har = parse_har(har_json(exchanges).encode())
    assert len(har.entries) == len(exchanges) >= 5
    for exchange, entry in zip(exchanges, har.entries, strict=True):
        assert (entry.request.method, entry.request.url, entry.response.status) == (
            exchange.request.method, exchange.request.url, exchange.response.status)
        assert entry.started == exchange.at
        assert entry.request.body is None or entry.request.body.data == exchange.request.body
        assert entry.response.body is not None
        assert entry.response.body.data == exchange.response.body
        names = [(c.type, c.name) for c in sent_credentials(entry.request)]
        expected = [("cookie", n) for k, v in exchange.request.headers if k.lower() == "cookie"
                    for n in [p.split("=")[0].strip() for p in v.split(";")]]
        auth = exchange.request.header("authorization")
        expected += [("bearer", "Authorization")] if auth else []
        assert names == expected


async def test_the_signed_cookie_replay_after_logout_is_found() -> None:
    exchanges = await scene_exchanges("signed-cookie", *LOGOUT_AND_REPLAY)
    analysis = analyse(parse_har(har_json(exchanges).encode()))
    steps = [(e.entry.request.method, e.entry.request.path, e.login_steps)
             for e in analysis.entries]
    assert ("POST", "/login", (2, 3)) in steps
    assert ("GET", "/profile", (4,)) in steps
    kinds = [(f.kind, analysis.entries[f.entry].entry.request.path) for f in analysis.findings]
    assert ("cookie-cleared", "/logout") in kinds
    assert kinds[-1] == ("credential-reused-after-drop", "/profile")
    # The server-side session dies at logout: the same replay is refused, no finding.
    exchanges = await scene_exchanges("cookie", *LOGOUT_AND_REPLAY)
    analysis = analyse(parse_har(har_json(exchanges).encode()))
    assert "credential-reused-after-drop" not in [f.kind for f in analysis.findings]


async def test_export_shape_and_simulated_timings() -> None:
    exchanges = await scene_exchanges("cookie", {"login": {}}, {"advance_clock": 90},
                                      {"request": "/profile"})
    log = har_document(exchanges)["log"]
    assert log["version"] == "1.2" and log["creator"]["name"] == "tutor"
    page, login, last = log["entries"][0], log["entries"][1], log["entries"][-1]
    assert page["startedDateTime"] == "2026-01-01T00:00:00.000Z"
    assert last["startedDateTime"] == "2026-01-01T00:01:30.000Z"
    assert login["request"]["postData"]["params"][0] == {"name": "username", "value": "alice"}
    assert login["response"]["cookies"][0]["httpOnly"] is True
    assert login["response"]["redirectURL"] == "/profile"
    assert login["_browser"] == "user"


@pytest.mark.parametrize("mode", ["cookie", "jwt"])
async def test_redaction_keeps_names_and_removes_every_secret(mode: str) -> None:
    exchanges = await scene_exchanges(mode, {"login": {}}, {"request": "/profile"},
                                      {"refresh": {}} if mode == "jwt" else {"logout": {}})
    secrets: set[str] = set()
    for exchange in exchanges:
        for credential in sent_credentials(_as_har_request(exchange)):
            secrets.add(credential.value)
        for line in exchange.response.header_values("set-cookie"):
            value = line.split(";")[0].partition("=")[2]
            secrets |= {value} if len(value) > 8 else set()
        if exchange.response.header("content-type") == "application/json":
            body = json.loads(exchange.response.body)
            secrets |= {v for k, v in body.items()
                        if k.endswith("token") and isinstance(v, str)}
    assert len(secrets) >= 3
    text = har_json(exchanges, redact=True)
    leaked = [s for s in secrets if s in text]
    assert leaked == []
    assert REDACTED in text
    # The demo page prints the demo password, so look at the login body itself.
    posted = [e["request"]["postData"]["text"] for e in json.loads(text)["log"]["entries"]
              if "postData" in e["request"]]
    assert posted and not any("wonderland" in body for body in posted)
    assert any("REDACTED" in body and "alice" in body for body in posted)
    redacted = analyse(parse_har(text.encode()))
    plain = analyse(parse_har(har_json(exchanges).encode()))
    assert [[(c.type, c.name) for c in e.sent] for e in redacted.entries] == [
        [(c.type, c.name) for c in e.sent] for e in plain.entries]
    assert [[c.name for c in e.set] for e in redacted.entries] == [
        [c.name for c in e.set] for e in plain.entries]


def _as_har_request(exchange: Exchange) -> Any:
    from tutor.har.model import HarRequest

    return HarRequest(exchange.request.method, exchange.request.url,
                      headers=exchange.request.headers)
