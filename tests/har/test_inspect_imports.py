"""What `tutor inspect` imports: its start is part of the CPU budget against json.load
(issue 13, benchmarks/har_bench.py), so modules it does not need stay out. Measured
without a clock, in a fresh interpreter, as tests/test_startup_imports.py does."""

from __future__ import annotations

import json
from pathlib import Path

from tests.har.builders import cookie_login_flow, har_bytes
from tests.test_startup_imports import heavy_in, loaded_after

NOT_FOR_INSPECT = ("dataclasses", "inspect", "tempfile", "base64", "email", "tutor.cli.serve",
                   "tutor.lessons", "tutor.browser.cookies", "calendar", "shutil", "lzma",
                   "typing")
"""Loaded by other commands, not by inspecting a recording that fits in memory (typing is
for type checkers only on this path: `TYPE_CHECKING = False` blocks)."""


def test_inspect_loads_only_what_it_uses(tmp_path: Path) -> None:
    path = tmp_path / "flow.har"
    path.write_bytes(har_bytes(*cookie_login_flow()))
    for flag in ("", "--json"):
        modules = loaded_after(
            "import contextlib, io\nfrom tutor.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    assert main({json.dumps(['inspect', str(path), *filter(None, [flag])])}) == 0")
        assert heavy_in(modules) == []
        assert sorted(set(NOT_FOR_INSPECT) & modules) == []
