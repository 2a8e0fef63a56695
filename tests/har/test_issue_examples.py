"""The bad inputs reported against the HAR commands, each through the CLI as a user runs it:
one message on stderr and exit 2, or a report with nothing raw and no secret whole."""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import pytest

from tests.har.builders import entry, har, har_bytes, headers, token
from tutor.browser.cookie_model import RequestContext
from tutor.browser.events import Exchange, RecordedRequest, RecordedResponse
from tutor.cli import main
from tutor.har.export import har_json
from tutor.redaction import redact_url, url_secrets

COMMANDS = (["inspect"], ["inspect", "--json"], ["replay", "--plain"],
            ["replay", "--against-mock"])


def _write(tmp_path: Path, raw: bytes) -> Path:
    path = tmp_path / "x.har"
    path.write_bytes(raw)
    return path


@pytest.mark.parametrize("url", ["http://[::1/x", "http://[zz]/x", "http://a.test:99999/"])
def test_a_url_python_cannot_split_is_a_located_refusal(
        url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, har_bytes(entry("GET", url)))
    for command in COMMANDS:
        assert main([*command, str(path)]) == 2
        err = capsys.readouterr().err
        assert "entries[0].request.url: not a URL the tutor can read" in err


def test_a_huge_time_is_unknown_not_a_crash(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    raw = har_bytes(entry()).replace(b'"time": 1', b'"time": 1' + b"0" * 400)
    path = _write(tmp_path, raw)
    for command in COMMANDS[:3]:
        assert main([*command, str(path)]) == 0
    assert "Traceback" not in capsys.readouterr().err


def test_devices_folders_and_fifos_are_refused_without_hanging(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "pipe.har"
    os.mkfifo(fifo)
    for target, message in (("/dev/zero", "is a device"), (str(tmp_path), "is a folder"),
                            (str(fifo), "the file is empty")):
        for command in COMMANDS[:3]:
            assert main([*command, target]) == 2
            assert message in capsys.readouterr().err


def test_standard_input_is_read_within_the_limit(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from tutor.har import reader

    class Stdin:
        buffer = io.BytesIO(har_bytes(entry()))

    monkeypatch.setattr(sys, "stdin", Stdin)
    assert main(["inspect", "-"]) == 0
    assert capsys.readouterr().out.startswith("1 exchange,")
    Stdin.buffer = io.BytesIO(b" " * 200)
    monkeypatch.setattr(reader, "MAX_HAR_BYTES", 100)
    assert main(["replay", "--plain", "-"]) == 2
    assert "more than the" in capsys.readouterr().err


SECRET = "hunter2-the-password"
JWT = token()
CREDENTIAL_URLS = [
    f"https://alice:{SECRET}@bank.test/", f"https://bank.test/?password={SECRET}",
    f"https://bank.test/?api_key={SECRET}", f"https://bank.test/?client_secret={SECRET}",
    f"https://bank.test/cb#access_token={JWT}", f"https://bank.test/?access_token={JWT}",
]


@pytest.mark.parametrize("url", CREDENTIAL_URLS)
def test_credentials_in_urls_are_hidden_in_every_output(
        url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert url_secrets(url)
    secret = JWT if JWT in url else SECRET
    path = _write(tmp_path, har_bytes(entry("GET", url,
                                            request_headers=headers(cookie="sid=1"))))
    for command in COMMANDS[:3]:
        assert main([*command, str(path)]) == 0
        out = capsys.readouterr().out
        assert secret not in out and "credential-in-url" in out
    exchange = Exchange(0.0, "user", RecordedRequest("GET", url, (), b""),
                        RecordedResponse(302, (("Location", url),), b""),
                        RequestContext(url, "GET"))
    exported = har_json([exchange], redact=True)
    assert secret not in exported and "REDACTED" in exported
    assert secret not in redact_url(url)


def test_the_redacted_export_hides_secret_fields_whatever_the_body_says_it_is() -> None:
    body = json.dumps({"password": SECRET, "client_secret": SECRET}).encode()
    exchange = Exchange(0.0, "user", RecordedRequest(
        "POST", "https://bank.test/login", (("Content-Type", "text/plain"),), body),
        RecordedResponse(200, (), b""), RequestContext("https://bank.test/login", "POST"))
    assert SECRET not in har_json([exchange], redact=True)


def test_escape_sequences_in_a_recording_never_reach_the_output(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = har(entry("GE\x1b[2JT", "https://bank.test/\x1b]0;pwned\x07",
                         request_headers=headers(authorization="\x1b[8mBearer x",
                                                 cookie="s\x9bid=1")))
    document["log"]["creator"]["name"] = "\x1b]52;c;aGk=\x07"
    document["log"]["entries"][0]["response"]["statusText"] = "OK\x1b[2J"
    path = _write(tmp_path, json.dumps(document).encode())
    for command in COMMANDS:
        main([*command, str(path)])
        captured = capsys.readouterr()
        for stream in (captured.out, captured.err):
            assert "\x1b" not in stream and "\x9b" not in stream and "\x07" not in stream
