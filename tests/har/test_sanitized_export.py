"""A HAR that Chrome's DevTools exported "sanitized" (its default) has no Cookie,
Set-Cookie or Authorization header: `tutor inspect` and `tutor replay` say so, instead
of letting a recorded login pass for a site without credentials."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pytest

from tests.har.test_samples import SAMPLES, needs_samples
from tutor.cli import main
from tutor.har.analysis import analyse
from tutor.har.notes import SANITIZED_NOTE
from tutor.har.reader import read_har
from tutor.har.render import replay_text

SENSITIVE = {"cookie", "set-cookie", "authorization"}


def sanitized(document: dict[str, Any]) -> dict[str, Any]:
    """What DevTools leaves out of a sanitized export: the three headers and the cookie
    lists."""
    for entry in document["log"]["entries"]:
        for part in ("request", "response"):
            message = entry[part]
            message["headers"] = [h for h in message["headers"]
                                  if h["name"].lower() not in SENSITIVE]
            message["cookies"] = []
    return document


def inspect(path: Path, *flags: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["inspect", str(path), *flags]) == 0
    return out.getvalue()


@needs_samples
@pytest.mark.parametrize(("creator", "strip", "noted"), [
    ("WebInspector", True, True),    # Chrome's default export
    ("WebInspector", False, False),  # exported with sensitive data: the cookies are there
    ("Firefox", True, False),        # another exporter: no headers means none were sent
])
def test_a_sanitized_chrome_export_is_named_as_such(tmp_path: Path, creator: str,
                                                    strip: bool, noted: bool) -> None:
    document = json.loads((SAMPLES / "chrome.har").read_text(encoding="utf-8"))
    document["log"]["creator"]["name"] = creator
    path = tmp_path / "recorded.har"
    path.write_text(json.dumps(sanitized(document) if strip else document), encoding="utf-8")
    text = inspect(path)
    assert (SANITIZED_NOTE in text) is noted
    if noted:  # right under the header line, before any exchange
        assert text.split("\n\n")[1] == SANITIZED_NOTE
    assert json.loads(inspect(path, "--json"))["notes"] == ([SANITIZED_NOTE] if noted else [])
    assert (SANITIZED_NOTE in replay_text(analyse(read_har(path)))) is noted
