"""Architecture rule (docs/architecture.md): core packages import only downward.

The layers, lowest first; a module may import from its own layer or any lower one:

    clock, randomness, progress, suggest, login_steps  ←  jwtcheck  ←  server, browser
        ←  scenes  ←  repeater, har, watch  ←  lessons  ←  quiz, classroom  ←  ui, cli

Every import counts: at the top of a module, inside a function (a lazy import is still
a dependency), under `TYPE_CHECKING`, and `importlib.import_module("tutor.…")` with a
literal name. A new edge the wrong way fails here with the file and line that made it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import tutor

PACKAGE_ROOT = Path(tutor.__file__).parent

LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"__init__", "__version__", "clock", "randomness", "progress",
               "progress_format", "progress_store", "progress_transfer", "suggest",
               "login_steps", "visible", "plural", "redaction", "served", "records"}),
    # Below the server, so that evil.test can serve the attacker's JWKS (attacker.py).
    frozenset({"jwtcheck"}),
    frozenset({"server", "browser"}),
    frozenset({"scenes"}),
    frozenset({"repeater", "har", "watch"}),
    frozenset({"lessons"}),
    frozenset({"quiz", "classroom"}),
    frozenset({"ui", "cli", "__main__"}),
)


def layer_of(top: str) -> int:
    """The layer of a top-level name under `tutor` (a package or a module)."""
    for index, names in enumerate(LAYERS):
        if top in names:
            return index
    raise AssertionError(f"tutor.{top} has no layer: add it to LAYERS in this test "
                         "and to the import order in docs/architecture.md")


def imported_tutor_names(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, dotted name) of every `tutor…` module this tree imports, however."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "tutor":
                found.extend((node.lineno, f"tutor.{a.name}") for a in node.names)
            elif node.module.startswith("tutor."):
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, a.name) for a in node.names
                         if a.name.startswith("tutor."))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "import_module" and node.args
              and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)
              and node.args[0].value.startswith("tutor.")):
            found.append((node.lineno, node.args[0].value))
    return found


def wrong_way_edges() -> list[str]:
    """Every import from a lower layer up into a higher one, as `file:line: a -> b`."""
    problems: list[str] = []
    for path in sorted(PACKAGE_ROOT.rglob("*.py")):
        relative = path.relative_to(PACKAGE_ROOT)
        source_top = relative.with_suffix("").parts[0]
        source_layer = layer_of(source_top)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, name in imported_tutor_names(tree):
            target_top = name.split(".")[1]
            if target_top == source_top:
                continue
            if layer_of(target_top) > source_layer:
                problems.append(f"tutor/{relative}:{line}: {source_top} -> {target_top} "
                                f"(imports {name})")
    return problems


def test_core_packages_import_only_downward() -> None:
    assert wrong_way_edges() == []


def test_the_scan_sees_lazy_and_importlib_imports() -> None:
    source = (
        "def f():\n"
        "    from tutor.ui.app import build_app\n"
        "    import importlib\n"
        "    importlib.import_module('tutor.quiz.session')\n"
    )
    names = [name for _, name in imported_tutor_names(ast.parse(source))]
    assert names == ["tutor.ui.app", "tutor.quiz.session"]


def test_every_top_level_name_has_a_layer() -> None:
    tops = {p.relative_to(PACKAGE_ROOT).with_suffix("").parts[0]
            for p in PACKAGE_ROOT.rglob("*.py")}
    assert {layer_of(top) for top in tops} <= set(range(len(LAYERS)))
    # The layers named in the docstring are really there (a rename would leave a ghost).
    assert {"jwtcheck", "server", "browser", "scenes", "repeater", "har", "lessons", "quiz", "ui",
            "cli"} <= tops
