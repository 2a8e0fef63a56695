"""argparse pieces read only when used, so `tutor lessons` need not load the server's
registries just to build `tutor serve`'s help."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator, Sequence

# False at run time without importing typing, which would cost every command's start
# (docs/architecture.md, "Start-up"); type checkers take the name as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class LazyChoices(Sequence[str]):
    """`choices=` for argparse, asked for each time they are checked or shown (a mode
    registered by a test is then a choice too)."""

    def __init__(self, load: Callable[[], Sequence[str]]) -> None:
        self._load = load

    # Any, not Sequence's overloads: `overload` lives in typing (imported by no command
    # at run time), and argparse only iterates and tests membership.
    def __getitem__(self, index: Any) -> Any:
        return self._load()[index]

    def __len__(self) -> int:
        return len(self._load())

    def __contains__(self, value: object) -> bool:
        return value in self._load()

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose epilog may be a function, called when help is shown.

    Subparsers are made with the class of their parent, so every subcommand can take
    `epilog_of=` too."""

    def __init__(self, *args: Any, epilog_of: Callable[[], str] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._epilog_of = epilog_of

    def format_help(self) -> str:
        if self._epilog_of is not None:
            self.epilog = self._epilog_of()
        return super().format_help()

    def _get_formatter(self) -> argparse.HelpFormatter:
        # argparse makes a formatter for every argument it adds, and a formatter without
        # a width imports shutil (with bz2 and lzma) to ask for the terminal's.
        # (Every HelpFormatter takes a width; typeshed types the class with prog only.)
        return self.formatter_class(prog=self.prog,  # type: ignore[call-arg]
                                    width=terminal_columns() - 2)


def terminal_columns() -> int:
    """`shutil.get_terminal_size().columns` without importing shutil: $COLUMNS when it is
    a positive number, else standard output's terminal, else 80."""
    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80
