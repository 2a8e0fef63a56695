"""`tutor inspect` and `tutor replay` through tutor.cli.main, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.har.builders import cookie_login_flow, har_bytes
from tests.har.test_export import LOGOUT_AND_REPLAY, scene_exchanges
from tutor.cli import main
from tutor.har.export import har_json

SID = "s3cr3t-session-id-0123456789"


@pytest.fixture
def flow_har(tmp_path: Path) -> Path:
    path = tmp_path / "flow.har"
    path.write_bytes(har_bytes(*cookie_login_flow()))
    return path


def test_inspect_text_shows_steps_findings_and_shortened_values(
        flow_har: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(flow_har)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("5 exchanges, recorded by test 1")
    assert "#1  POST https://bank.test/login  → 303" in out
    assert "login step 2: the credentials travel to the server" in out
    assert "sent  Cookie sid=s3cr3t…" in out
    assert "set   Set-Cookie clears sid" in out
    assert "! credential-reused-after-drop:" in out
    assert SID not in out


def test_inspect_json_is_the_documented_document(
        flow_har: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(flow_har), "--json"]) == 0
    out = capsys.readouterr().out
    document = json.loads(out)
    assert [e["login_step"] for e in document["entries"]] == [1, 3, 4, 4, 4]
    assert document["entries"][3]["set"][0]["cleared"] is True
    first = document["findings"][0]
    assert (first["kind"], first["entry"]) == ("cookie-cleared", 3)
    assert SID not in out


def test_replay_plain_is_a_transcript_and_without_a_terminal_points_to_it(
        flow_har: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(flow_har), "--plain"]) == 0
    out = capsys.readouterr().out
    blocks = out.split("\n\n")
    assert blocks[0] == "Replay of 5 recorded exchanges (test 1)"
    assert blocks[2].startswith("#1  POST https://bank.test/login  → 303  [+0.000s]")
    assert "login step 3" in blocks[2] and "Set-Cookie sets sid=s3cr3t…" in blocks[2]
    assert main(["replay", str(flow_har)]) == 2
    assert "tutor replay FILE.har --plain" in capsys.readouterr().err  # no terminal here


async def _scene_har(tmp_path: Path, mode: str) -> Path:
    path = tmp_path / f"{mode}.har"
    path.write_text(har_json(await scene_exchanges(mode, *LOGOUT_AND_REPLAY)))
    return path


@pytest.mark.parametrize("mode", ["cookie", "signed-cookie", "jwt"])
async def test_replay_against_the_same_mode_matches_every_status(
        mode: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = await _scene_har(tmp_path, mode)
    # asyncio.run inside main needs its own thread: this test already runs in a loop.
    import asyncio

    status = await asyncio.to_thread(main, ["replay", str(path), "--against-mock",
                                            "--mode", mode])
    out = capsys.readouterr().out
    assert f"in {mode} mode" in out
    assert "statuses match the recording" in out, out
    assert status == 0


async def test_replay_against_another_mode_shows_the_difference(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import asyncio

    path = await _scene_har(tmp_path, "signed-cookie")
    status = await asyncio.to_thread(main, ["replay", str(path), "--against-mock"])
    out = capsys.readouterr().out
    assert "in cookie mode" in out  # guessed: the recording sends no bearer tokens
    differing = [line for line in out.splitlines() if line.endswith("← differs")]
    assert len(differing) == 1 and "/profile" in differing[0]
    assert "recorded 200  mock 401" in differing[0]
    assert status == 1


def test_inspect_shows_control_characters_instead_of_sending_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile = tmp_path / "hostile.har"
    hostile.write_text(json.dumps({"log": {
        "creator": {"name": "x\u001b]0;pwned\u0007", "version": "1"},
        "entries": [
            {"request": {"method": "GET", "url": "https://x.test/\u001b[2Jquiet",
                         "headers": []},
             "response": {"status": 200, "headers": []}},
            {"request": {"method": "GET", "url": "https://x.test/me",
                         "headers": [{"name": "Authorization",
                                      "value": "Bearer abc\u001b[31mdef"}]},
             "response": {"status": 200, "headers": []}},
        ]}}))
    assert main(["inspect", str(hostile)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert "␛[2Jquiet" in out and "␛]0;pwned␇" in out


def test_a_request_without_an_answer_says_so_rather_than_status_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Chrome records status 0 for a request that got no response (blocked, failed or
    # cancelled); "→ 0" would read like a status code.
    path = tmp_path / "blocked.har"
    path.write_text(json.dumps({"log": {"entries": [
        {"request": {"method": "GET", "url": "https://x.test/quiet", "headers": []},
         "response": {"status": 0, "headers": []}},
        {"request": {"method": "GET", "url": "https://x.test/me", "headers": [
            {"name": "Authorization", "value": "Bearer abc"}]},
         "response": {"status": 0, "statusText": "", "headers": []}},
    ]}}))
    assert main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert "#0  GET https://x.test/quiet  → no answer (failed or blocked)  (no credentials)" in out
    assert "#1  GET https://x.test/me  → no answer (failed or blocked)\n" in out
    assert "→ 0" not in out
