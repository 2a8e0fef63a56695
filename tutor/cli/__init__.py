"""The `tutor` command line: argparse front ends over the core, one module per group."""

from __future__ import annotations

from tutor.cli.main import main, run_tui

__all__ = ["main", "run_tui"]
