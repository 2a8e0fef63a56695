"""What start-up imports: listing the course and the TUI's first frame stay light.

Measured without a clock: each case runs in a fresh interpreter and reports which of the
heavy packages got loaded. Listing lessons needs front matter only (PyYAML), not the
Markdown parser, the scene engine or the quiz kinds; the TUI's catalogue needs none of
those either, nor the HTTP stack (the warm-up thread loads them after the first frame).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.readiness import HANG_BOUND

PROBE = """
import json, sys
exec(sys.argv[1])
print(json.dumps(sorted(name for name, module in sys.modules.items() if module)))
"""

HEAVY = ("markdown_it", "tutor.scenes", "tutor.quiz", "tutor.repeater", "tutor.server",
         "httpx", "jwt", "starlette", "cryptography")


def loaded_after(code: str) -> set[str]:
    """Every module in sys.modules after running `code` in a fresh interpreter."""
    result = subprocess.run([sys.executable, "-c", PROBE, code], capture_output=True,
                            text=True, timeout=HANG_BOUND, check=True)
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def heavy_in(modules: set[str]) -> list[str]:
    return sorted(name for name in modules
                  if any(name == heavy or name.startswith(f"{heavy}.") for heavy in HEAVY))


@pytest.mark.parametrize("code", [
    "from tutor.lessons.course import default_course_dir, read_catalogue\n"
    "assert read_catalogue(default_course_dir()).lessons",
    "from tutor.cli import main\nmain(['lessons'])",
    "import tutor.ui.app",
], ids=["read_catalogue", "tutor lessons", "tutor.ui.app"])
def test_listing_the_course_loads_nothing_heavy(code: str) -> None:
    assert heavy_in(loaded_after(code)) == []


def test_httpx_comes_without_its_command_line_client() -> None:
    modules = loaded_after("import tutor, httpx")
    assert "httpx" in modules
    assert not {"click", "pygments.lexers", "httpx._main"} & modules
