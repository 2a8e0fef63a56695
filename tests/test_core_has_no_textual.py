"""The core (server, browser model, scenes, CLI) never imports Textual; only `tutor.ui` may.

The modules are imported in a fresh interpreter, so nothing this test process already
imported can hide or fake the result: one after another in one interpreter, checking
after each. Imports only ever add to `sys.modules`, so a module that would pull Textual
in alone pulls it in there too, and the first module after which Textual is loaded is the
one to blame (one interpreter instead of one per module saves a minute of CPU on a busy
machine). Modules are found on disk with pkgutil, so new modules are covered without
editing this file.
"""

from __future__ import annotations

import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import tutor
from tests.readiness import HANG_BOUND

UI_PACKAGE = "ui"
# Importing `tutor.__main__` runs the CLI; it only imports tutor.cli, which is checked.
SKIPPED = frozenset({"__main__"})
PACKAGE_ROOT = Path(tutor.__file__).resolve().parent

PROBE = """
import importlib, json, sys
report = []
for name in sys.argv[1:]:
    module = importlib.import_module(name)
    loaded = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
    report.append({"module": name, "file": module.__file__, "textual": loaded})
print(json.dumps(report))
"""


def core_modules(path: list[str], prefix: str) -> list[str]:
    """Dotted names of every module under `path`, skipping `ui` packages and __main__.

    pkgutil.iter_modules reads the directory without importing anything; walk_packages
    would import each package to recurse, which for `tutor.ui` means importing Textual.
    """
    names: list[str] = []
    for info in pkgutil.iter_modules(path):
        if info.name in SKIPPED or (info.ispkg and info.name == UI_PACKAGE):
            continue
        name = prefix + info.name
        names.append(name)
        if info.ispkg:
            names += core_modules([os.path.join(entry, info.name) for entry in path], name + ".")
    return sorted(names)


MODULES = ["tutor", *core_modules(list(tutor.__path__), "tutor.")]


def test_module_discovery_finds_the_core_and_skips_the_ui() -> None:
    """Guard for the parametrized check below: an empty list would pass vacuously."""
    assert len(MODULES) > 10
    assert "tutor.server.app" in MODULES
    assert "tutor.cli" in MODULES
    assert not any(UI_PACKAGE in name.split(".") for name in MODULES)
    assert not any(name.endswith(".__main__") for name in MODULES)


def test_discovery_prunes_ui_packages_at_any_depth(tmp_path: Path) -> None:
    """A `ui` package, top-level or nested, is skipped with everything under it."""
    for package in ("pkg", "pkg/ui", "pkg/ui/widgets", "pkg/inner", "pkg/inner/ui"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "pkg" / "core.py").write_text("")
    (tmp_path / "pkg" / "ui" / "app.py").write_text("")
    (tmp_path / "pkg" / "__main__.py").write_text("")
    found = core_modules([str(tmp_path / "pkg")], "pkg.")
    assert found == ["pkg.core", "pkg.inner"]


@pytest.mark.slow
def test_importing_core_modules_does_not_import_textual() -> None:
    """Architecture rule (docs/architecture.md): the core runs headless, for `tutor serve`,
    tests and benchmarks; Textual belongs to `tutor.ui` alone."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *MODULES],
        cwd=PACKAGE_ROOT.parent,
        capture_output=True,
        text=True,
        timeout=HANG_BOUND,
        check=False,
    )
    assert result.returncode == 0, f"importing the core failed:\n{result.stderr[-3000:]}"
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert [each["module"] for each in report] == MODULES
    for each in report:
        assert Path(each["file"]).resolve().is_relative_to(PACKAGE_ROOT), each
        assert each["textual"] == [], f"{each['module']} imports {each['textual'][:5]}"
