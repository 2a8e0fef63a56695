"""argparse pieces read only when used, so `tutor lessons` need not load the server's
registries just to build `tutor serve`'s help."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator, Sequence
from typing import Any, overload


class LazyChoices(Sequence[str]):
    """`choices=` for argparse, asked for each time they are checked or shown (a mode
    registered by a test is then a choice too)."""

    def __init__(self, load: Callable[[], Sequence[str]]) -> None:
        self._load = load

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...

    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
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
